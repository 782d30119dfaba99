"""Target pixel files and full-frame-image cutouts: the pixel time series, and its light curve.

:func:`read_pixels` reads a Kepler/K2 target pixel file (``*_lpd-targ.fits``), a TESS SPOC
target pixel file (``*_tp.fits``) or a TESScut cutout of the full-frame images
(``*_astrocut.fits``) into a :class:`PixelSeries`: the calibrated pixel fluxes, their
errors and the subtracted sky background as Quantity cubes in e⁻/s, QUALITY, absolute TDB
times (from the file's own BJDREFI/BJDREFF and the time column's unit, as every starskope
reader does), the celestial WCS, the stamp's place on the CCD, the pipeline aperture when
the file has one, and the target's position in the stamp.

:func:`pixel_photometry` sums the flux of an aperture into the light curve every reader
returns (:mod:`starskope.lightcurve` conventions), with flux-weighted centroids and the
aperture's background as extra columns. The ``tpf`` reader of :func:`starskope.io.read`
uses it with the pipeline aperture, or, for an FFI cutout (which has none), with
:func:`threshold_aperture`. Choosing or optimising another aperture, difference images and
centroid offsets are science on pixels and live in :mod:`starskope.pixels`.

Why some of this is written here rather than taken from lightkurve: lightkurve's
``TargetPixelFile`` is used for what it does well, the celestial WCS of the pixel table and
the pipeline mask; the cubes are read here from the already-opened, checksum-verified table
so that a truncated or corrupt file, a missing aperture or all-NaN pixels give one typed
starskope error naming the file (lightkurve raises bare ``ValueError``/``IndexError`` or
reads on), and so that times go through the same time-reference code as every other
reader (lightkurve's ``time`` drops cadences with NaN time silently and takes the scale on
trust).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..errors import (
    LightCurveDataError,
    LightCurveFileError,
    ParameterError,
    StarskopeError,
    UnknownLayoutError,
)
from ._base import Columns, ReadOptions, TimeReference, finish
from .detect import READERS, Probe, Reader, TableInfo, open_probe

__all__ = [
    "PIXEL_COLUMNS",
    "PixelSeries",
    "is_pixel_file",
    "pixel_photometry",
    "read_pixels",
    "threshold_aperture",
]

#: Cube columns of a pixel table: (column name, PixelSeries attribute, required).
PIXEL_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("FLUX", "flux", True),
    ("FLUX_ERR", "flux_err", False),
    ("FLUX_BKG", "background", False),
)

_E_PER_S = u.electron / u.s


def _find(table: TableInfo, name: str) -> str | None:
    for c in table.columns:
        if c.upper() == name.upper():
            return c
    return None


def pixel_table(probe: Probe) -> TableInfo | None:
    """The binary table holding a pixel time series: a TIME column and a FLUX column with
    more than one value per row (an image per cadence)."""
    for t in probe.tables:
        col = _find(t, "FLUX")
        if col is not None and t.has("TIME") and t.ndim.get(col, 1) > 1:
            return t
    return None


def is_pixel_file(path: str | Path) -> bool:
    """Whether ``path`` is a FITS file holding a pixel time series (a TPF or an FFI cutout).

    Unreadable files answer False (reading them raises the reason).
    """
    try:
        with open_probe(path) as probe:
            return probe.kind == "fits" and pixel_table(probe) is not None
    except StarskopeError:
        return False


def _is_cutout(probe: Probe) -> bool:
    """A TESScut cutout of the full-frame images (made by astrocut): no pipeline aperture."""
    creator = str(probe.primary.get("CREATOR") or "") + " " + str(probe.primary.get("PROCVER") or "")
    return "astrocut" in creator.lower() or "astrocut" in probe.name.lower()


@dataclass
class PixelSeries:
    """A pixel time series: one calibrated image per cadence, with what places it on the sky.

    Attributes
    ----------
    time : astropy.time.Time
        Mid-exposure times, TDB scale (format 'bkjd' for Kepler/K2, 'btjd' for TESS).
    flux, flux_err : Quantity, shape (n_cadences, n_rows, n_columns)
        Calibrated, background-subtracted pixel flux and its 1-σ error [e⁻/s] (float32).
    background : Quantity or None
        The sky background subtracted from each pixel [e⁻/s]; None when the file has none.
    quality : ndarray of int32
        QUALITY bit flags per cadence.
    cadenceno : ndarray of int or None
        Cadence numbers.
    pos_corr : ndarray or None, shape (n_cadences, 2)
        The pipeline's estimate of the pointing offset (POS_CORR1, POS_CORR2: column, row)
        [pixels], made from many stars and so free of this target's own signal.
    wcs : astropy.wcs.WCS or None
        Celestial WCS of the stamp (pixel (0, 0) is the centre of the first pixel).
    corner : (int, int)
        CCD column and row of pixel (0, 0).
    pipeline_aperture : ndarray of bool or None
        The pipeline's optimal aperture (APERTURE bit 2); None when the file has none
        (FFI cutouts).
    target : (float, float) or None
        The target's (column, row) in the stamp, from its catalogue position and the WCS.
    mission : str or None
        'Kepler', 'K2' or 'TESS'.
    product : str
        'K2 TPF', 'Kepler TPF', 'TESS SPOC TPF' or 'TESScut FFI cutout'.
    cutout : bool
        An FFI cutout (no pipeline aperture by design).
    source : str
        The file read.
    header : dict
        The primary header (and the pixel table's keys), for the light curve's meta.
    time_reference : TimeReference
        How the file's time numbers became absolute times.
    n_cadences_file : int
        Rows of the file's pixel table (before cadences without a time were dropped).
    provenance : list of str
        Reading steps.
    """

    time: Time
    flux: u.Quantity
    flux_err: u.Quantity
    background: u.Quantity | None
    quality: np.ndarray
    cadenceno: np.ndarray | None
    pos_corr: np.ndarray | None
    wcs: Any
    corner: tuple[int, int]
    pipeline_aperture: np.ndarray | None
    target: tuple[float, float] | None
    mission: str | None
    product: str
    cutout: bool
    source: str
    header: dict[str, Any] = field(default_factory=dict)
    time_reference: TimeReference = field(default_factory=lambda: TimeReference(0.0, "tdb", "absolute"))
    n_cadences_file: int = 0
    provenance: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.flux.shape[0])

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the stamp."""
        return int(self.flux.shape[1]), int(self.flux.shape[2])

    @property
    def time_bjd(self) -> np.ndarray:
        """Mid-exposure times as BJD_TDB days (float64)."""
        return np.asarray(self.time.tdb.jd, dtype=np.float64)

    @property
    def cadence(self) -> u.Quantity:
        """Median spacing of the cadences [min]."""
        d = np.diff(self.time_bjd)
        return (float(np.median(d)) if d.size else float("nan")) * u.day.to(u.min) * u.min

    @property
    def pixel_scale(self) -> u.Quantity:
        """Side of a pixel on the sky [arcsec] (from the WCS; the telescope's when absent)."""
        if self.wcs is not None:
            from astropy.wcs.utils import proj_plane_pixel_scales

            scales = proj_plane_pixel_scales(self.wcs.celestial)
            return float(np.mean(scales)) * 3600.0 * u.arcsec
        from ..missions import get_mission

        return get_mission(self.mission or "Kepler").pixel_scale

    def median_image(self, cadences: np.ndarray | None = None) -> np.ndarray:
        """Median flux of each pixel [e⁻/s] over ``cadences`` (a boolean mask; all unflagged
        by default)."""
        use = self.quality == 0 if cadences is None else np.asarray(cadences, bool)
        if not use.any():
            use = np.ones(len(self), bool)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(np.asarray(self.flux.value[use], np.float64), axis=0)

    def select(self, keep: np.ndarray, step: str = "") -> PixelSeries:
        """The cadences where ``keep`` is True (``step`` is recorded in the provenance)."""
        keep = np.asarray(keep, bool)
        return replace(
            self, time=self.time[keep], flux=self.flux[keep], flux_err=self.flux_err[keep],
            background=None if self.background is None else self.background[keep],
            quality=self.quality[keep], cadenceno=None if self.cadenceno is None else self.cadenceno[keep],
            pos_corr=None if self.pos_corr is None else self.pos_corr[keep],
            provenance=[*self.provenance, *([step] if step else [])],
        )

    def sky_to_pixel(self, ra_deg: float, dec_deg: float) -> tuple[float, float]:
        """(column, row) in the stamp of a sky position (degrees, ICRS).

        Raises
        ------
        ParameterError
            The file has no celestial WCS.
        """
        if self.wcs is None:
            raise ParameterError(f"{self.source}: the pixel file has no celestial WCS; give positions in pixels")
        col, row = self.wcs.celestial.all_world2pix([[float(ra_deg), float(dec_deg)]], 0)[0]
        return float(col), float(row)

    def pixel_to_sky(self, column: float, row: float) -> tuple[float, float]:
        """(RA, Dec) in degrees of a stamp position (None-safe: NaNs without a WCS)."""
        if self.wcs is None:
            return float("nan"), float("nan")
        ra, dec = self.wcs.celestial.all_pix2world([[float(column), float(row)]], 0)[0]
        return float(ra), float(dec)


# ---------------------------------------------------------------------------- reading


def _cube(probe: Probe, table: TableInfo, name: str) -> np.ndarray:
    """One image column as a float32 cube (n, rows, columns), native byte order."""
    assert probe.hdul is not None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=UserWarning)
            data = probe.hdul[table.index].data[name]
            arr = np.array(data, dtype=np.float32)
    except StarskopeError:
        raise
    except Exception as exc:  # astropy: TypeError/ValueError/OSError on truncated data
        raise LightCurveFileError(
            f"{probe.path}: cannot read column {name} of the pixel table ({type(exc).__name__}: {exc}); "
            "the file is truncated or corrupt"
        ) from exc
    if arr.ndim == 2:  # a table without TDIM: square stamps only can be unfolded
        side = int(np.rint(np.sqrt(arr.shape[1])))
        if side * side != arr.shape[1]:
            raise UnknownLayoutError(
                f"{probe.path}: column {name} holds {arr.shape[1]} values per cadence and no TDIM "
                "keyword says how they form an image"
            )
        arr = arr.reshape(arr.shape[0], side, side)
    if arr.ndim != 3:
        raise UnknownLayoutError(f"{probe.path}: column {name} is not an image per cadence (shape {arr.shape})")
    return arr


def _aperture_hdu(probe: Probe) -> np.ndarray | None:
    assert probe.hdul is not None
    for hdu in probe.hdul[1:]:
        if str(hdu.name).upper() == "APERTURE" and getattr(hdu, "data", None) is not None:
            return np.asarray(hdu.data).astype(np.int64)
    return None


def _lightkurve_tpf(probe: Probe, mission: str | None) -> Any:
    """lightkurve's view of the file (WCS, pipeline mask), or None when it cannot make one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import lightkurve as lk

        cls = lk.TessTargetPixelFile if mission == "TESS" else lk.KeplerTargetPixelFile
        try:
            return cls(probe.hdul, quality_bitmask="none")
        except Exception:  # lightkurve cannot read it: the WCS and mask come from the headers below
            return None


def _wcs(probe: Probe, tpf: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            w = tpf.wcs if tpf is not None else None
        except Exception:  # a file without WCS keywords: positions stay in pixels
            w = None
        if w is None or not w.has_celestial:
            return None
        return w


def _corner(table: TableInfo, flux_col: str) -> tuple[int, int]:
    idx = [c.upper() for c in table.columns].index(flux_col.upper()) + 1
    h = table.header
    col = h.get(f"1CRV{idx}P", 0)
    row = h.get(f"2CRV{idx}P", 0)
    try:
        return int(col), int(row)
    except (TypeError, ValueError):
        return 0, 0


def _product(mission: str | None, cutout: bool) -> str:
    if cutout:
        return "TESScut FFI cutout" if mission in (None, "TESS") else f"{mission} FFI cutout"
    if mission == "TESS":
        return "TESS SPOC TPF"
    return f"{mission or 'Kepler'} TPF"


def _target_position(probe: Probe, wcs: Any) -> tuple[tuple[float, float] | None, str]:
    ra, dec = probe.primary.get("RA_OBJ"), probe.primary.get("DEC_OBJ")
    if wcs is not None and isinstance(ra, (int, float)) and isinstance(dec, (int, float)):
        col, row = wcs.celestial.all_world2pix([[float(ra), float(dec)]], 0)[0]
        if np.isfinite(col) and np.isfinite(row):
            return (float(col), float(row)), (f"target at column {col:.2f}, row {row:.2f} of the stamp "
                                              "(RA_OBJ/DEC_OBJ through the WCS)")
    return None, "target position unknown (no RA_OBJ/DEC_OBJ or no WCS)"


def _read_probe(probe: Probe, opts: ReadOptions) -> PixelSeries:
    from ..missions import detect_mission
    from .fits import fits_time_reference

    source = str(probe.path)
    table = pixel_table(probe)
    if table is None:
        raise UnknownLayoutError(f"{source}: not a pixel file (no table with a TIME column and an image FLUX column)")
    flux_col = _find(table, "FLUX")
    time_col = _find(table, "TIME")
    assert flux_col is not None and time_col is not None
    detected = detect_mission({**probe.primary, **dict(table.header)}, source)
    if opts.mission is not None and detected is not None and detected != opts.mission:
        raise ParameterError(f"{source}: mission={opts.mission!r} disagrees with the file, which is from {detected}")
    mission = opts.mission or detected
    cutout = _is_cutout(probe)
    cubes: dict[str, np.ndarray] = {}
    for name, attr, required in PIXEL_COLUMNS:
        col = _find(table, name)
        if col is None:
            if required:
                raise UnknownLayoutError(f"{source}: the pixel table has no {name} column")
            continue
        cubes[attr] = _cube(probe, table, col)
    flux = cubes["flux"]
    assert probe.hdul is not None
    try:
        hdu_data = probe.hdul[table.index].data
        raw_time = np.array(hdu_data[time_col], dtype=np.float64)
        quality = (np.array(hdu_data["QUALITY"]).astype(np.int64) & 0xFFFFFFFF).astype(np.int32) \
            if _find(table, "QUALITY") else np.zeros(len(raw_time), np.int32)
        cadenceno = np.array(hdu_data["CADENCENO"]).astype(np.int64) if _find(table, "CADENCENO") else None
        pos_corr = None
        if _find(table, "POS_CORR1") and _find(table, "POS_CORR2"):
            pos_corr = np.column_stack([np.array(hdu_data["POS_CORR1"], np.float64),
                                        np.array(hdu_data["POS_CORR2"], np.float64)])
    except Exception as exc:
        raise LightCurveFileError(
            f"{source}: cannot read the pixel table ({type(exc).__name__}: {exc}); the file is truncated or corrupt"
        ) from exc
    if len(raw_time) == 0:
        raise LightCurveDataError(f"{source}: the pixel table has no cadences")
    if not np.isfinite(flux).any():
        raise LightCurveDataError(
            f"{source}: every pixel of FLUX is NaN in all {flux.shape[0]} cadences; there is no image to measure"
        )
    time_ref = fits_time_reference(probe, table, time_col, None, "", opts.time_format)
    provenance = [f"{flux.shape[0]} cadences of {flux.shape[1]}×{flux.shape[2]}-pixel images (rows × columns) "
                  f"in table {table.name or table.index}"]
    keep = np.isfinite(raw_time)
    if not keep.any():
        raise LightCurveDataError(f"{source}: no cadence has a finite time stamp (all {len(raw_time)} are NaN)")
    if not keep.all():
        provenance.append(f"dropped {int((~keep).sum())} cadences whose time stamp is NaN "
                          f"({int(keep.sum())} of {len(raw_time)} kept)")
    if not (isinstance(opts.quality_bitmask, str) and opts.quality_bitmask.lower() == "none"):
        if mission is None:
            raise ParameterError(f"{source}: quality_bitmask={opts.quality_bitmask!r} needs the telescope, which is "
                                 "unknown; pass mission= or an integer bitmask")
        from ..missions import get_mission

        bits = get_mission(mission).quality_mask(opts.quality_bitmask)
        flagged = (quality.astype(np.int64) & bits) != 0
        provenance.append(f"dropped {int((flagged & keep).sum())} cadences flagged by "
                          f"quality_bitmask={opts.quality_bitmask!r}")
        keep &= ~flagged
    from ._base import make_time

    time = make_time(raw_time[keep], time_ref, mission, opts.epoch, source)
    tpf = _lightkurve_tpf(probe, mission)
    wcs = _wcs(probe, tpf)
    bits = _aperture_hdu(probe)
    pipeline = None
    if bits is not None and bits.shape == flux.shape[1:] and ((bits & 2) > 0).any():
        pipeline = (bits & 2) > 0
    target, target_note = _target_position(probe, wcs)
    provenance.append(target_note)
    err = cubes.get("flux_err")
    if err is None:
        provenance.append("the file has no FLUX_ERR column; pixel errors set to NaN")
    header = {**probe.primary, **{k: v for k, v in table.header.items()
                                 if k not in ("COMMENT", "HISTORY", "") and not k[:1].isdigit()}}
    for key in ("QUARTER", "CAMPAIGN", "SECTOR", "OBJECT", "KEPLERID", "TICID"):
        if probe.primary.get(key) not in (None, ""):
            header[key] = probe.primary[key]
    return PixelSeries(
        time=time,
        flux=u.Quantity(flux[keep], _E_PER_S, copy=False),
        flux_err=u.Quantity((err if err is not None else np.full_like(flux, np.nan))[keep], _E_PER_S, copy=False),
        background=None if "background" not in cubes else u.Quantity(cubes["background"][keep], _E_PER_S, copy=False),
        quality=quality[keep], cadenceno=None if cadenceno is None else cadenceno[keep],
        pos_corr=None if pos_corr is None else pos_corr[keep], wcs=wcs,
        corner=_corner(table, flux_col), pipeline_aperture=pipeline, target=target, mission=mission,
        product=_product(mission, cutout), cutout=cutout, source=source, header=header, time_reference=time_ref,
        n_cadences_file=len(raw_time), provenance=provenance,
    )


def read_pixels(
    path: str | Path,
    *,
    mission: str | None = None,
    time_format: str | None = None,
    quality_bitmask: str | int = "none",
) -> PixelSeries:
    """Read a target pixel file or an FFI cutout into a :class:`PixelSeries`.

    Parameters
    ----------
    path : str or Path
        A Kepler/K2/TESS target pixel file or a TESScut cutout (FITS, optionally .gz).
    mission : str, optional
        'Kepler', 'K2' or 'TESS' when the file does not say; an error if it says otherwise.
    time_format : str, optional
        Time system when the file states none (see :func:`starskope.io.read`).
    quality_bitmask : str or int
        Drop cadences with these QUALITY bits ('none' keeps all; 'default', 'hard',
        'hardest' or an integer).

    Raises
    ------
    LightCurveFileError
        Missing, empty, truncated or corrupt file.
    UnknownLayoutError
        A FITS file without a pixel table.
    LightCurveDataError
        No cadences, no finite time, or FLUX NaN in every pixel and cadence.
    TimeSystemError
        Time stamps whose system cannot be determined.
    """
    opts = ReadOptions(mission=mission, time_format=time_format, quality_bitmask=quality_bitmask)
    with open_probe(path) as probe:
        if probe.kind != "fits":
            raise UnknownLayoutError(f"{probe.path}: not a FITS file, so not a target pixel file or cutout")
        return _read_probe(probe, opts)


# ---------------------------------------------------------------------------- apertures and photometry


def threshold_aperture(series: PixelSeries, threshold: float = 3.0, *,
                       reference: tuple[float, float] | None = None) -> np.ndarray:
    """The pixels brighter than the stamp's median by ``threshold`` robust standard
    deviations, keeping only the connected region at the target (or the brightest pixel).

    This is lightkurve's ``create_threshold_mask(reference_pixel=...)`` rule, written on the
    median image here so the light curve of an FFI cutout needs no lightkurve object.

    Parameters
    ----------
    series : PixelSeries
    threshold : float
        In robust standard deviations (1.4826 × MAD) of the median image.
    reference : (float, float), optional
        (column, row) whose region is kept; default the target, else the brightest pixel.

    Raises
    ------
    LightCurveDataError
        No pixel rises above the threshold.
    """
    from scipy import ndimage

    img = series.median_image()
    finite = np.isfinite(img)
    if not finite.any():
        raise LightCurveDataError(f"{series.source}: every pixel of the median image is NaN")
    vals = img[finite]
    med = float(np.median(vals))
    mad = 1.4826 * float(np.median(np.abs(vals - med)))
    above = finite & (img > med + threshold * mad) if mad > 0 else finite & (img > med)
    if not above.any():
        raise LightCurveDataError(
            f"{series.source}: no pixel of the median image rises {threshold:g} robust σ above the stamp's median; "
            "there is no star to put an aperture on"
        )
    labels, _ = ndimage.label(above)
    ref = reference if reference is not None else series.target
    if ref is not None:
        c, r = int(np.rint(ref[0])), int(np.rint(ref[1]))
        ny, nx = img.shape
        if 0 <= r < ny and 0 <= c < nx and labels[r, c] > 0:
            return labels == labels[r, c]
        # the target's own pixel is not above the threshold: the region nearest to it
        rr, cc = np.nonzero(above)
        k = int(np.argmin((rr - ref[1]) ** 2 + (cc - ref[0]) ** 2))
        return labels == labels[rr[k], cc[k]]
    r, c = np.unravel_index(int(np.nanargmax(np.where(above, img, -np.inf))), img.shape)
    return labels == labels[r, c]


def _check_aperture(series: PixelSeries, aperture: np.ndarray) -> np.ndarray:
    mask = np.asarray(aperture)
    if mask.dtype != bool:
        raise ParameterError(f"{series.source}: an aperture must be a boolean mask; got dtype {mask.dtype}")
    if mask.shape != series.shape:
        raise ParameterError(f"{series.source}: the aperture is {mask.shape[0]}×{mask.shape[1]} pixels but the stamp "
                             f"is {series.shape[0]}×{series.shape[1]}")
    if not mask.any():
        raise ParameterError(f"{series.source}: the aperture holds no pixel")
    return mask


def pixel_photometry(series: PixelSeries, aperture: np.ndarray, *, name: str = "chosen",
                     notes: list[str] | None = None, target_id: int | str | None = None,
                     quality_bitmask: str | int = "none") -> Any:
    """Sum the pixels of ``aperture`` into a starskope light curve.

    Parameters
    ----------
    series : PixelSeries
    aperture : ndarray of bool, shape (rows, columns)
    name : str
        What the aperture is ('pipeline', 'threshold', 'optimal', ...), for ``FLUX_ORIGIN``
        and PRODUCT.
    notes : list of str, optional
        Provenance lines about how the aperture was chosen.
    target_id : int or str, optional
        Catalogue id for a file that does not carry one (an error if it disagrees).
    quality_bitmask : str or int
        Drop cadences with these QUALITY bits (as :func:`starskope.io.read`).

    Returns
    -------
    lightkurve.LightCurve
        ``flux`` (e⁻/s) the aperture sum, NaN at cadences where any of its pixels is NaN;
        ``flux_err`` their errors in quadrature; extra columns ``centroid_col`` and
        ``centroid_row`` (flux-weighted, CCD pixels), ``sap_bkg`` (the aperture's summed
        background, e⁻/s) and ``cadenceno``; meta as every reader's, with ``PRODUCT``
        saying the aperture and ``APERTURE_PIXELS`` its size.

    Raises
    ------
    ParameterError
        An aperture that is not a boolean mask of the stamp's shape, or is empty.
    LightCurveDataError
        Every cadence has a NaN pixel in the aperture.
    """
    mask = _check_aperture(series, aperture)
    n_pix = int(mask.sum())
    f = np.asarray(series.flux.value[:, mask], np.float64)
    e = np.asarray(series.flux_err.value[:, mask], np.float64)
    flux = f.sum(axis=1)
    if not np.isfinite(flux).any():
        raise LightCurveDataError(
            f"{series.source}: a pixel of the {name} aperture ({n_pix} pixels) is NaN in every cadence; "
            "no light curve can be summed from it"
        )
    flux_err = np.sqrt((e**2).sum(axis=1))
    rows, cols = np.nonzero(mask)
    with np.errstate(invalid="ignore", divide="ignore"):
        ccol = (f * cols).sum(axis=1) / flux + series.corner[0]
        crow = (f * rows).sum(axis=1) / flux + series.corner[1]
    extra: dict[str, Any] = {"centroid_col": u.Quantity(ccol, u.pix), "centroid_row": u.Quantity(crow, u.pix)}
    if series.background is not None:
        extra["sap_bkg"] = u.Quantity(np.asarray(series.background.value[:, mask], np.float64).sum(axis=1), _E_PER_S)
    if series.cadenceno is not None:
        extra["cadenceno"] = series.cadenceno
    if series.pos_corr is not None:
        extra["pos_corr1"], extra["pos_corr2"] = series.pos_corr[:, 0], series.pos_corr[:, 1]
    offset = series.time_reference.offset
    ref = TimeReference(offset, "tdb", series.time_reference.source) if offset is not None else series.time_reference
    numbers = series.time.tdb.jd - (offset or 0.0) if offset is not None else series.time_bjd
    cols_out = Columns(
        time=np.asarray(numbers, np.float64), flux=u.Quantity(flux, _E_PER_S), flux_err=u.Quantity(flux_err, _E_PER_S),
        quality=series.quality, time_ref=ref,
        product=f"{series.product}, {name}-aperture photometry",
        flux_origin=f"sum of the {n_pix} {name}-aperture pixels of FLUX",
        header=series.header, extra=extra,
        provenance=[*series.provenance, *(notes or []),
                    f"{name} aperture: {n_pix} pixels summed (a cadence with a NaN pixel in it is NaN); "
                    "centroids flux-weighted over the aperture"],
        meta={"MISSION": series.mission, "APERTURE_PIXELS": n_pix, "N_CADENCES_FILE": series.n_cadences_file},
        cadence=series.cadence,
    )
    opts = ReadOptions(mission=series.mission, target_id=target_id, quality_bitmask=quality_bitmask)
    return finish(cols_out, Path(series.source), opts, "tpf")


def default_aperture(series: PixelSeries) -> tuple[np.ndarray, str, list[str]]:
    """The aperture :func:`starskope.io.read` sums: the pipeline's, or for an FFI cutout the
    threshold aperture at the target.

    Raises
    ------
    LightCurveDataError
        A target pixel file (not a cutout) without a pipeline aperture.
    """
    if series.pipeline_aperture is not None:
        return series.pipeline_aperture, "pipeline", []
    if series.cutout:
        mask = threshold_aperture(series)
        return mask, "threshold", ["an FFI cutout has no pipeline aperture: the pixels 3 robust σ above the stamp's "
                                   "median, connected to the target, are summed"]
    raise LightCurveDataError(
        f"{series.source}: the target pixel file has no pipeline aperture (no APERTURE extension, or bit 2 set in no "
        "pixel); choose one with starskope.pixels.photometry(..., aperture='threshold') or "
        "`starskope pixels FILE --aperture threshold`"
    )


def _read_tpf(probe: Probe, opts: ReadOptions) -> Any:
    """The ``tpf`` reader: the pixel series summed over the default aperture."""
    source = str(probe.path)
    key = (opts.flux_column or "sap").lower()
    if key not in ("sap", "default", "aperture", "pipeline"):
        raise ParameterError(
            f"{source}: a target pixel file has only pixel fluxes; starskope sums the pipeline "
            f"aperture (SAP-like), so flux_column must be None or 'sap', not {opts.flux_column!r}"
        )
    if opts.epoch is not None:
        raise ParameterError(f"{source}: epoch= does not apply to a target pixel file, whose times are observed ones")
    series = _read_probe(probe, replace(opts, quality_bitmask="none"))
    mask, name, notes = default_aperture(series)
    return pixel_photometry(series, mask, name=name, notes=notes, target_id=opts.target_id,
                            quality_bitmask=opts.quality_bitmask)


READERS.add(
    "tpf",
    Reader(
        name="tpf",
        kind="fits",
        description="Kepler/K2/TESS target pixel files and TESScut FFI cutouts (aperture photometry)",
        sniff=lambda p: pixel_table(p) is not None,
        read=_read_tpf,
        priority=5,
    ),
)

"""Difference-image centroids: where on the sky the light goes during the dip.

A background eclipsing binary a few arcseconds from the target dims *its own* pixels: the
image made in transit, subtracted from the one made just before and after, shows a star
where the light was lost. Kepler's data validation measures exactly this (Bryson et al.
2013, PASP 125, 889; the Robovetter's centroid test, Mullally et al. 2017) and so does this
module, on plain arrays:

0. each pixel's dependence on the pointing is removed first: its flux, outside the
   transits, is fitted by a 4th-degree polynomial in the pointing offset (the pipeline's POS_CORR1/2,
   measured on many stars, or else the stamp's own centroid) and that fit subtracted at
   every cadence — pixel-level decorrelation in the spirit of Deming et al. (2015) and
   EVEREST (Luger et al. 2016), without which K2's roll leaves dipoles in every difference;
1. per transit, the mean image of the cadences in transit (|t − T_n| < T14/2) and of the
   cadences on both sides (a gap of max(T14/4, one cadence), then T14 of baseline each side);
   their difference *out − in* is positive where light was lost (Bryson et al. 2013, §2);
2. the per-transit differences are stacked with inverse-variance weights, each pixel's
   noise being the larger of the file's errors and its point-to-point scatter; when the
   transits scatter more than that noise allows, the errors are scaled up by the median
   reduced χ² of the stack;
3. the source of the dip is located by fitting the telescope's PSF (its width measured on
   the out-of-transit image) to the stacked difference, and by the flux-weighted centroid
   of the difference within 2.5 pixels of it, each with σ from the per-pixel noise;
4. its offset from the target — the PSF fit of the out-of-transit image at the catalogue
   position, i.e. the target's light centroid — is given in pixels and arcseconds with σ,
   and its significance as a Gaussian σ of the 2-dof χ²;
5. ``CENTROID_OFFSET`` is raised when the offset is significant (≥ ``sigma_threshold``)
   *and* at least ``offset_threshold_pixels`` (Robovetter-like); with a catalogue of
   neighbours the source is matched to the nearest consistent one.

Times are BJD_TDB days; images are (rows, columns) with (column, row) positions, the
centre of pixel (0, 0) at (0, 0).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time
from scipy import stats

from ..errors import LightCurveDataError, ParameterError
from ..io.tpf import PixelSeries
from ..quantities import require_positive
from .apertures import pixel_noise
from .psf import PSF, PSFFit, fit_psf, get_psf

__all__ = [
    "DIFFERENCE_THRESHOLDS",
    "PIXEL_SCALARS",
    "POSITION_SYSTEMATIC_PIXELS",
    "DifferenceImage",
    "Neighbour",
    "TransitImage",
    "cnn_images",
    "difference_image",
    "difference_image_arrays",
    "model_inputs",
    "neighbours_from",
]

#: Systematic error added in quadrature to each position [pixels]: the PSF model's mismatch
#: and the pointing left after decorrelation move fitted centroids of simulated on-target
#: transits by a few hundredths of a pixel even at high SNR.
POSITION_SYSTEMATIC_PIXELS = 0.05

#: Default thresholds of the difference-image test.
DIFFERENCE_THRESHOLDS: dict[str, float] = {
    "sigma_threshold": 3.0,  # offset significance (Gaussian σ of the 2-dof χ²) to flag
    "offset_threshold_pixels": 0.5,  # and at least this far from the target (2″ for Kepler)
    "min_snr": 5.0,  # the stacked difference must show the dip at this SNR to be located
}


@dataclass(frozen=True)
class Neighbour:
    """A catalogued star on the stamp.

    Attributes
    ----------
    name : str
    column, row : float
        Position in the stamp [pixels].
    magnitude : float or None
        In the telescope's band, when known.
    """

    name: str
    column: float
    row: float
    magnitude: float | None = None


def neighbours_from(series: PixelSeries, catalogue: Iterable[Any] | None) -> list[Neighbour]:
    """Neighbours from a catalogue: :class:`Neighbour` objects, mappings or tuples giving
    ``name`` and either ``column``/``row`` (stamp pixels) or ``ra``/``dec`` (degrees, through
    the file's WCS), optionally ``magnitude``.

    Raises
    ------
    ParameterError
        An entry without a position, or sky positions for a file without a WCS.
    """
    out: list[Neighbour] = []
    for i, entry in enumerate(catalogue or ()):
        if isinstance(entry, Neighbour):
            out.append(entry)
            continue
        if isinstance(entry, dict):
            d = {str(k).lower(): v for k, v in entry.items()}
        elif isinstance(entry, Sequence) and len(entry) in (3, 4) and not isinstance(entry, str):
            d = dict(zip(("name", "column", "row", "magnitude"), entry, strict=False))
        else:
            raise ParameterError(f"neighbour {i}: give a Neighbour, a dict or a (name, column, row) tuple; got "
                                 f"{type(entry).__name__}")
        name = str(d.get("name", f"neighbour {i + 1}"))
        mag = d.get("magnitude", d.get("mag"))
        mag = None if mag is None else float(mag)
        if "column" in d and "row" in d:
            out.append(Neighbour(name, float(d["column"]), float(d["row"]), mag))
        elif "ra" in d and "dec" in d:
            col, row = series.sky_to_pixel(float(d["ra"]), float(d["dec"]))
            out.append(Neighbour(name, col, row, mag))
        else:
            raise ParameterError(f"neighbour {name!r} has no position: give column/row (pixels) or ra/dec (degrees)")
    return out


@dataclass(frozen=True)
class TransitImage:
    """The difference image of one transit.

    Attributes
    ----------
    number : int
        Transit number counted from the epoch.
    time_bjd : float
        Its mid-time, BJD_TDB.
    n_in, n_out : int
        Cadences in transit and in the baseline around it.
    difference, error : ndarray, shape (rows, columns)
        Out-of-transit minus in-transit mean flux [e⁻/s] and its 1-σ error.
    """

    number: int
    time_bjd: float
    n_in: int
    n_out: int
    difference: np.ndarray
    error: np.ndarray


@dataclass
class DifferenceImage:
    """What the difference images say about where the dip comes from.

    Attributes
    ----------
    period_days, epoch_bjd, duration_hours : float
        The ephemeris used.
    transits : list of TransitImage
    difference, difference_err : ndarray
        The stacked out-minus-in image and its 1-σ error [e⁻/s]; positive where light is lost.
    out_of_transit, in_transit : ndarray
        Mean images around and during the transits [e⁻/s].
    snr : float
        Significance of the light lost in the stacked difference (PSF-fit flux over its error).
    target : (float, float) or None
        The target's light centroid (PSF fit of the out-of-transit image at the catalogue
        position) [pixels]; ``target_err`` its σ per axis.
    target_source : str
    psf_fit, oot_fit : PSFFit
        The PSF fitted to the difference and to the out-of-transit image.
    flux_weighted : (float, float, float, float)
        Flux-weighted centroid of the difference (column, row, σ_column, σ_row) [pixels].
    offset : (float, float)
        (column, row) of the dip's source minus the target's [pixels].
    offset_pixels, offset_err_pixels, offset_arcsec, offset_err_arcsec : float
    offset_sigma : float
        Significance of the offset (Gaussian σ of its 2-dof χ²).
    pixel_scale_arcsec : float
    neighbours : list of Neighbour
    nearest : dict or None
        The catalogued source (the target included) the dip points to: ``name``,
        ``distance_pixels``, ``sigma`` (how many σ away), ``consistent`` (within the
        threshold).
    measured : bool
        The dip is seen in the pixels (SNR ≥ ``min_snr``) and the PSF fit converged.
    flagged : bool
        ``CENTROID_OFFSET``.
    reason : str
        The result in words.
    thresholds : dict
    notes : list of str
    """

    period_days: float
    epoch_bjd: float
    duration_hours: float
    transits: list[TransitImage]
    difference: np.ndarray
    difference_err: np.ndarray
    out_of_transit: np.ndarray
    in_transit: np.ndarray
    snr: float
    target: tuple[float, float] | None
    target_err: tuple[float, float]
    target_source: str
    psf_fit: PSFFit
    oot_fit: PSFFit
    flux_weighted: tuple[float, float, float, float]
    offset: tuple[float, float]
    offset_pixels: float
    offset_err_pixels: float
    offset_sigma: float
    offset_arcsec: float
    offset_err_arcsec: float
    pixel_scale_arcsec: float
    neighbours: list[Neighbour] = field(default_factory=list)
    nearest: dict[str, Any] | None = None
    measured: bool = False
    flagged: bool = False
    reason: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    corner: tuple[int, int] = (0, 0)

    @property
    def source_position(self) -> tuple[float, float]:
        """(column, row) of the dip's source: the PSF fit of the stacked difference."""
        return self.psf_fit.column, self.psf_fit.row

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary with the images as nested lists (NaN → None)."""

        def img(a: np.ndarray) -> list[list[float | None]]:
            return [[None if not np.isfinite(v) else round(float(v), 6) for v in row] for row in np.asarray(a)]

        def num(x: float) -> float | None:
            return float(x) if x is not None and np.isfinite(x) else None

        return {
            "period_days": num(self.period_days), "epoch_bjd": num(self.epoch_bjd),
            "duration_hours": num(self.duration_hours), "n_transits": len(self.transits),
            "snr": num(self.snr), "measured": bool(self.measured), "flagged": bool(self.flagged),
            "reason": self.reason,
            "target": None if self.target is None else [num(self.target[0]), num(self.target[1])],
            "target_err": [num(self.target_err[0]), num(self.target_err[1])],
            "target_source": self.target_source,
            "source": [num(self.psf_fit.column), num(self.psf_fit.row)],
            "source_err": [num(self.psf_fit.column_err), num(self.psf_fit.row_err)],
            "flux_weighted": [num(v) for v in self.flux_weighted],
            "offset": [num(self.offset[0]), num(self.offset[1])],
            "offset_pixels": num(self.offset_pixels), "offset_err_pixels": num(self.offset_err_pixels),
            "offset_arcsec": num(self.offset_arcsec), "offset_err_arcsec": num(self.offset_err_arcsec),
            "offset_sigma": num(self.offset_sigma), "pixel_scale_arcsec": num(self.pixel_scale_arcsec),
            "psf_width": num(self.oot_fit.width), "corner": list(self.corner),
            "neighbours": [{"name": n.name, "column": n.column, "row": n.row, "magnitude": n.magnitude}
                           for n in self.neighbours],
            "nearest": self.nearest, "thresholds": dict(self.thresholds), "notes": list(self.notes),
            "difference": img(self.difference), "difference_err": img(self.difference_err),
            "out_of_transit": img(self.out_of_transit), "in_transit": img(self.in_transit),
            "transits": [{"number": t.number, "time_bjd": t.time_bjd, "n_in": t.n_in, "n_out": t.n_out}
                         for t in self.transits],
        }


# ----------------------------------------------------------------------------- the images


def _good_cadences(series: PixelSeries) -> np.ndarray:
    from ..missions import get_mission

    if series.mission is not None:
        bits = get_mission(series.mission).quality_mask("default")
        good = (series.quality.astype(np.int64) & bits) == 0
    else:
        good = series.quality == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        good &= np.isfinite(np.nanmax(np.asarray(series.flux.value), axis=(1, 2)))
    return good


def _pointing(series: PixelSeries, good: np.ndarray) -> tuple[np.ndarray | None, str]:
    """Pointing offsets (column, row) per cadence [pixels] and where they come from."""
    if series.pos_corr is not None:
        pc = series.pos_corr
        ok = np.isfinite(pc).all(axis=1)
        if ok[good].mean() > 0.8 and np.nanstd(pc[good & ok], axis=0).max() > 1e-4:
            return pc - np.nanmedian(pc[good & ok], axis=0), "the pipeline's POS_CORR1/2"
    from ..io.tpf import threshold_aperture

    try:
        ap = threshold_aperture(series)
    except LightCurveDataError:
        return None, ""
    f = np.where(ap, np.nan_to_num(np.asarray(series.flux.value, np.float64)), 0.0)
    tot = f.sum(axis=(1, 2))
    ny, nx = series.shape
    rr, cc = np.mgrid[0:ny, 0:nx]
    with np.errstate(invalid="ignore", divide="ignore"):
        pos = np.column_stack([(f * cc).sum(axis=(1, 2)) / tot, (f * rr).sum(axis=(1, 2)) / tot])
    ok = np.isfinite(pos).all(axis=1) & good
    if ok.sum() < 20:
        return None, ""
    return pos - np.median(pos[ok], axis=0), "the stamp's flux-weighted centroid (no POS_CORR in the file)"


#: Degree of the polynomial in the pointing offset each pixel is decorrelated against: K2's
#: roll moves a star by most of a PSF width, where a quadratic leaves 10× the photon noise
#: in the brightest pixels of simulated stamps and degree 4 leaves 1.5–2× (degree 5 no less).
DECORRELATION_DEGREE = 4


def _decorrelate(flux: np.ndarray, pointing: np.ndarray, exclude: np.ndarray) -> np.ndarray | None:
    """Each pixel minus its polynomial dependence on the pointing, fitted outside ``exclude``."""
    dx, dy = pointing[:, 0], pointing[:, 1]
    scale = max(float(np.nanstd(dx)), float(np.nanstd(dy)), 1e-6)  # a well-conditioned design
    dx, dy = dx / scale, dy / scale
    X = np.column_stack([dx**i * dy**j for i in range(DECORRELATION_DEGREE + 1)
                         for j in range(DECORRELATION_DEGREE + 1 - i)])
    F = flux.reshape(len(flux), -1)
    fit = ~exclude & np.isfinite(X).all(axis=1) & np.isfinite(F).all(axis=1)
    if fit.sum() < 10 * X.shape[1]:
        return None
    coef, *_ = np.linalg.lstsq(X[fit], F[fit], rcond=None)
    Xn = np.nan_to_num(X)
    out = F - Xn[:, 1:] @ coef[1:]
    out[~np.isfinite(X).all(axis=1)] = np.nan
    return out.reshape(flux.shape)


def _brightenings(flux: np.ndarray, nsigma: float = 4.0, half_window: int = 6) -> np.ndarray:
    """Cadences whose summed stamp flux rises more than ``nsigma`` robust σ above its running
    median over ±``half_window`` cadences (flares, cosmic rays the pipeline left)."""
    from scipy.ndimage import median_filter

    total = np.nansum(flux, axis=(1, 2))
    if total.size < 4 * half_window:
        return np.zeros(total.size, bool)
    resid = total - median_filter(total, size=2 * half_window + 1, mode="nearest")
    mad = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
    if not mad > 0:
        return np.zeros(total.size, bool)
    return resid > nsigma * mad


def _transit_images(t: np.ndarray, flux: np.ndarray, noise: np.ndarray, period: float, epoch: float,
                    duration: float, cadence: float) -> list[TransitImage]:
    half = 0.5 * duration
    gap = max(0.25 * duration, cadence)
    width = max(duration, 3.0 * cadence)
    n0 = math.ceil((t[0] - epoch - half - gap - width) / period)
    n1 = math.floor((t[-1] - epoch + half + gap + width) / period)
    if n1 - n0 > 5000:
        raise ParameterError(f"period {period:g} d gives {n1 - n0} transits over the data; too many to image")
    out = []
    for n in range(n0, n1 + 1):
        tn = epoch + n * period
        lo, hi = np.searchsorted(t, [tn - half - gap - width, tn + half + gap + width])
        if hi - lo < 3:
            continue
        dt = t[lo:hi] - tn
        inside = np.abs(dt) < half
        before = (dt <= -(half + gap)) & (dt >= -(half + gap + width))
        after = (dt >= half + gap) & (dt <= half + gap + width)
        n_in, n_b, n_a = int(inside.sum()), int(before.sum()), int(after.sum())
        if n_in < 1 or n_b < 1 or n_a < 1:
            continue
        block = flux[lo:hi]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # each side weighs equally, so a linear trend across the transit cancels
            base = 0.5 * (np.nanmean(block[before], axis=0) + np.nanmean(block[after], axis=0))
            inn = np.nanmean(block[inside], axis=0)
        n_out = n_b + n_a
        err = noise * np.sqrt(1.0 / n_in + 0.25 * (1.0 / n_b + 1.0 / n_a))
        out.append(TransitImage(n, float(tn), n_in, n_out, base - inn, err))
    return out


def _stack(images: list[TransitImage]) -> tuple[np.ndarray, np.ndarray, float]:
    d = np.stack([im.difference for im in images])
    e = np.stack([im.error for im in images])
    w = np.where(np.isfinite(d) & np.isfinite(e) & (e > 0), 1.0 / e**2, 0.0)
    wsum = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        stack = np.where(wsum > 0, (w * np.nan_to_num(d)).sum(axis=0) / wsum, np.nan)
        err = np.where(wsum > 0, 1.0 / np.sqrt(wsum), np.nan)
    scale = 1.0
    if len(images) >= 4:
        with np.errstate(invalid="ignore"):
            chi2 = (w * (np.nan_to_num(d) - np.nan_to_num(stack)) ** 2).sum(axis=0) / (len(images) - 1)
        good = np.isfinite(chi2) & (wsum > 0)
        if good.any():
            scale = float(max(1.0, np.sqrt(np.median(chi2[good]))))
    return stack, err * scale, scale


def _flux_weighted(diff: np.ndarray, err: np.ndarray, centre: tuple[float, float],
                   radius: float = 2.5) -> tuple[float, float, float, float]:
    ny, nx = diff.shape
    rr, cc = np.mgrid[0:ny, 0:nx]
    use = np.isfinite(diff) & np.isfinite(err) & ((cc - centre[0]) ** 2 + (rr - centre[1]) ** 2 <= radius**2)
    total = float(diff[use].sum()) if use.any() else 0.0
    if not use.any() or total <= 0:
        nan = float("nan")
        return nan, nan, nan, nan
    c = float((diff[use] * cc[use]).sum() / total)
    r = float((diff[use] * rr[use]).sum() / total)
    ec = float(np.sqrt(((cc[use] - c) ** 2 * err[use] ** 2).sum()) / total)
    er = float(np.sqrt(((rr[use] - r) ** 2 * err[use] ** 2).sum()) / total)
    return c, r, ec, er


def _chi2_sigma(chi2: float, dof: int = 2) -> float:
    """Gaussian-equivalent significance of a χ² with ``dof`` degrees of freedom."""
    if not np.isfinite(chi2):
        return float("nan")
    p = float(stats.chi2.sf(chi2, dof))
    return float(stats.norm.isf(max(p, 1e-300) / 2.0))


def _fit_target(oot: np.ndarray, noise: np.ndarray, psf: PSF, target: tuple[float, float] | None,
                ) -> tuple[PSFFit, tuple[float, float] | None, tuple[float, float], str]:
    """The target's light centroid: a PSF fitted to the core of the out-of-transit image at
    the catalogue position (within half a pixel of it). In a crowded stamp that fit is pulled
    by neighbours (it runs to the edge of its range or needs a much wider PSF); the catalogue
    position is used then, with a pointing-model uncertainty."""
    ny, nx = oot.shape
    rr, cc = np.mgrid[0:ny, 0:nx]
    if target is not None:
        start = target
        source = "catalogue position (WCS)"
    else:
        k = int(np.nanargmax(np.where(np.isfinite(oot), oot, -np.inf)))
        start = (float(k % nx), float(k // nx))
        source = "brightest pixel"
    near = (cc - start[0]) ** 2 + (rr - start[1]) ** 2 <= 1.6**2
    fit = fit_psf(oot, noise, psf, start, fit_width=True, background=True, max_shift=0.5, mask=near)
    shift = float(np.hypot(fit.column - start[0], fit.row - start[1])) if fit.converged else float("nan")
    clean = bool(fit.converged and np.isfinite(fit.column_err) and np.isfinite(fit.row_err) and shift < 0.45
                 and 0.75 <= fit.width <= 1.45)
    if clean:
        return fit, (fit.column, fit.row), (fit.column_err, fit.row_err), \
            f"PSF fit of the out-of-transit image at the {source}"
    if target is not None:
        why = "failed" if not fit.converged else "is pulled by neighbours"
        return fit, target, (0.15, 0.15), f"catalogue position (WCS; the out-of-transit PSF fit {why})"
    if fit.converged:
        return fit, (fit.column, fit.row), (max(fit.column_err, 0.15), max(fit.row_err, 0.15)), \
            "PSF fit of the out-of-transit image at the brightest pixel (crowded)"
    return fit, None, (float("nan"), float("nan")), "unknown"


def _locate(diff: np.ndarray, err: np.ndarray, psf: PSF, starts: list[tuple[float, float]]) -> PSFFit:
    """The PSF fit of the difference image from several starts; the best χ² wins."""
    best: PSFFit | None = None
    for s in starts:
        f = fit_psf(diff, err, psf, s, background=True)
        if not f.converged or not np.isfinite(f.chi2_reduced):
            continue
        if f.flux > 0 and (best is None or f.chi2_reduced < best.chi2_reduced):
            best = f
    if best is None:
        return fit_psf(diff, err, psf, starts[0], background=True)
    return best


def _nearest(pos: tuple[float, float], err: tuple[float, float], sources: list[tuple[str, float, float]],
             sigma_threshold: float) -> dict[str, Any] | None:
    if not sources or not all(np.isfinite(pos)):
        return None
    rows = []
    for name, c, r in sources:
        dc, dr = pos[0] - c, pos[1] - r
        chi2 = (dc / err[0]) ** 2 + (dr / err[1]) ** 2 if err[0] > 0 and err[1] > 0 else float("inf")
        rows.append((chi2, name, float(np.hypot(dc, dr))))
    chi2, name, dist = min(rows)
    sig = _chi2_sigma(chi2)
    return {"name": name, "distance_pixels": dist, "sigma": sig, "consistent": bool(sig < sigma_threshold)}


def difference_image_arrays(series: PixelSeries, period_days: float, epoch_bjd: float, duration_days: float, *,
                            neighbours: Sequence[Neighbour] = (), psf: PSF | None = None,
                            thresholds: dict[str, float] | None = None, decorrelate: bool = True) -> DifferenceImage:
    """:func:`difference_image` on plain numbers: period and duration in days, epoch BJD_TDB.

    Raises
    ------
    ParameterError
        A non-positive period or duration, or unknown threshold names.
    LightCurveDataError
        No transit has cadences in and on both sides of it.
    """
    if not (np.isfinite(period_days) and period_days > 0 and np.isfinite(duration_days) and duration_days > 0):
        raise ParameterError(f"period and duration must be positive; got {period_days} d and {duration_days} d")
    if not duration_days < period_days:
        raise ParameterError(f"duration {duration_days:g} d must be shorter than the period {period_days:g} d")
    th = dict(DIFFERENCE_THRESHOLDS)
    unknown = set(thresholds or {}) - set(th)
    if unknown:
        raise ParameterError(f"unknown difference-image threshold(s) {sorted(unknown)}; known: {', '.join(th)}")
    th.update({k: float(v) for k, v in (thresholds or {}).items()})
    psf = psf or get_psf(series.mission)
    good = _good_cadences(series)
    t = series.time_bjd[good]
    flux = np.asarray(series.flux.value[good], np.float64)
    cadence = float(np.median(np.diff(t))) if t.size > 1 else duration_days / 4
    notes: list[str] = []
    pointing: np.ndarray | None = None
    if decorrelate:
        pointing, origin = _pointing(series, good)
        if pointing is not None:
            dt_all = np.abs(((t - epoch_bjd + 0.5 * period_days) % period_days) - 0.5 * period_days)
            corrected = _decorrelate(flux, pointing[good], dt_all < 0.5 * duration_days + max(0.25 * duration_days,
                                                                                              cadence))
            if corrected is not None:
                flux = corrected
                series = replace(series, flux=u.Quantity(np.full(series.flux.shape, np.nan, np.float32),
                                                         series.flux.unit))
                series.flux.value[good] = flux
                notes.append(f"pixels decorrelated against the pointing ({origin}), fitted outside the transits")
    noise = pixel_noise(series)
    bright = _brightenings(flux)
    if bright.any():
        # flares and other brightenings of the stars: a transit only ever dims, so these
        # cadences are left out of both the in-transit and the out-of-transit images
        t, flux = t[~bright], flux[~bright]
        if pointing is not None:
            pointing = pointing[good][~bright]
            good = np.ones(t.size, bool)
        notes.append(f"{int(bright.sum())} cadences of brightening (flares) left out")
    images = _transit_images(t, flux, noise, period_days, epoch_bjd, duration_days, cadence)
    if not images:
        raise LightCurveDataError(f"{series.source}: no transit of P = {period_days:.5f} d has good cadences in "
                                  "transit and on both sides of it; no difference image can be made")
    diff, diff_err, scale = _stack(images)
    notes.insert(0, f"{len(images)} transits stacked")
    if scale > 1.0:
        notes.append(f"the transits scatter {scale:.2f}× more than the pixel noise: errors scaled up")
    dt = np.abs(((t - epoch_bjd + 0.5 * period_days) % period_days) - 0.5 * period_days)
    half, gap, width = 0.5 * duration_days, max(0.25 * duration_days, cadence), max(duration_days, 3 * cadence)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        inside = dt < half
        around = (dt >= half + gap) & (dt <= half + gap + width)
        oot = np.nanmean(flux[around], axis=0) if around.any() else np.nanmedian(flux, axis=0)
        itr = np.nanmean(flux[inside], axis=0) if inside.any() else np.full(diff.shape, np.nan)
    oot_err = noise / np.sqrt(max(int(around.sum()), 1))
    oot_fit, target, target_err, target_source = _fit_target(oot, np.fmax(oot_err, 1e-3 * np.nanmax(np.abs(oot))),
                                                             psf, series.target)
    if target is not None and pointing is not None:
        # decorrelated images show the stars at the median pointing, but the light lost in
        # transit is lost where the star was then: compare with the target moved by the
        # mean pointing offset of the in-transit cadences
        shift = np.nanmean(pointing[good][inside], axis=0) if inside.any() else np.zeros(2)
        if np.all(np.isfinite(shift)):
            target = (target[0] + float(shift[0]), target[1] + float(shift[1]))
            if np.hypot(*shift) > 0.01:
                notes.append(f"the target's position during the transits is its out-of-transit one moved by the mean "
                             f"pointing offset in transit, ({shift[0]:+.3f}, {shift[1]:+.3f}) pixels")
    psf_d = psf.scaled(oot_fit.width) if (oot_fit.converged and 0.75 <= oot_fit.width <= 1.45) else psf
    ny, nx = diff.shape
    starts: list[tuple[float, float]] = []
    if target is not None:
        starts.append(target)
    snr_map = np.where(np.isfinite(diff / diff_err), diff / diff_err, -np.inf)
    k = int(np.argmax(snr_map))
    starts.append((float(k % nx), float(k // nx)))
    starts += [(n.column, n.row) for n in neighbours if -1 < n.column < nx and -1 < n.row < ny]
    fit = _locate(diff, diff_err, psf_d, starts)
    snr = fit.flux / fit.flux_err if fit.converged and fit.flux_err > 0 else float("nan")
    fw = _flux_weighted(diff, diff_err, (fit.column, fit.row) if np.isfinite(fit.column) else starts[-1])
    scale_arcsec = float(series.pixel_scale.to_value(u.arcsec))
    measured = bool(fit.converged and np.isfinite(snr) and snr >= th["min_snr"])
    nan = float("nan")
    dc = dr = off = off_err = sig = nan
    if target is not None and np.isfinite(fit.column):
        dc, dr = fit.column - target[0], fit.row - target[1]
        sys_ = POSITION_SYSTEMATIC_PIXELS
        ec = float(np.sqrt(fit.column_err**2 + target_err[0] ** 2 + sys_**2))
        er = float(np.sqrt(fit.row_err**2 + target_err[1] ** 2 + sys_**2))
        off = float(np.hypot(dc, dr))
        off_err = float(np.sqrt((dc * ec) ** 2 + (dr * er) ** 2) / off) if off > 0 else float(np.hypot(ec, er))
        sig = _chi2_sigma((dc / ec) ** 2 + (dr / er) ** 2) if ec > 0 and er > 0 else nan
    sources = ([("the target", target[0], target[1])] if target is not None else [])
    sources += [(n.name, n.column, n.row) for n in neighbours]
    err_pair = (float(np.sqrt(fit.column_err**2 + POSITION_SYSTEMATIC_PIXELS**2)),
                float(np.sqrt(fit.row_err**2 + POSITION_SYSTEMATIC_PIXELS**2)))
    nearest = _nearest((fit.column, fit.row), err_pair, sources, th["sigma_threshold"]) if measured else None
    flagged = bool(measured and np.isfinite(sig) and sig >= th["sigma_threshold"]
                   and off >= th["offset_threshold_pixels"])
    result = DifferenceImage(
        period_days=float(period_days), epoch_bjd=float(epoch_bjd), duration_hours=float(duration_days * 24.0),
        transits=images, difference=diff, difference_err=diff_err, out_of_transit=oot, in_transit=itr,
        snr=float(snr), target=target, target_err=target_err, target_source=target_source, psf_fit=fit,
        oot_fit=oot_fit, flux_weighted=fw, offset=(float(dc), float(dr)), offset_pixels=float(off),
        offset_err_pixels=float(off_err), offset_sigma=float(sig), offset_arcsec=float(off * scale_arcsec),
        offset_err_arcsec=float(off_err * scale_arcsec), pixel_scale_arcsec=scale_arcsec,
        neighbours=list(neighbours), nearest=nearest, measured=measured, flagged=flagged, thresholds=th,
        notes=notes, corner=series.corner,
    )
    result.reason = _reason(result)
    return result


def _reason(r: DifferenceImage) -> str:
    n = len(r.transits)
    if not r.measured:
        why = ("the PSF fit of the difference did not converge" if not r.psf_fit.converged
               else f"the dip is seen at only {r.snr:.1f}σ in the stacked difference of {n} transits "
                    f"(below {r.thresholds['min_snr']:g}σ)")
        return f"difference image not measured: {why}"
    if r.target is None:
        return (f"the dip's light comes from column {r.psf_fit.column:.2f}, row {r.psf_fit.row:.2f} of the stamp "
                f"(stacked difference of {n} transits, {r.snr:.1f}σ); the target's position is unknown")
    where = (f"the stacked difference of {n} transits ({r.snr:.1f}σ) puts the source of the dip "
             f"{r.offset_pixels:.2f} ± {r.offset_err_pixels:.2f} pixels ({r.offset_arcsec:.1f} ± "
             f"{r.offset_err_arcsec:.1f}″) from the target, {r.offset_sigma:.1f}σ")
    if r.flagged:
        text = f"{where}: the light lost in transit is not the target's"
        if r.nearest is not None and r.nearest["name"] != "the target" and r.nearest["consistent"]:
            text += (f"; it points to {r.nearest['name']} ({r.nearest['distance_pixels']:.2f} pixels from the "
                     "source, consistent)")
        elif r.nearest is not None and r.nearest["name"] != "the target":
            text += f"; the nearest catalogued star, {r.nearest['name']}, is {r.nearest['sigma']:.1f}σ away"
        return text
    if r.offset_sigma >= r.thresholds["sigma_threshold"]:
        return (f"{where}, under the {r.thresholds['offset_threshold_pixels']:g}-pixel limit: consistent with the "
                "target within the PSF's systematic errors")
    return f"{where}: on target"


def difference_image(series: PixelSeries, period: u.Quantity, epoch: Time | float, duration: u.Quantity, *,
                     neighbours: Iterable[Any] | None = None, psf: PSF | None = None,
                     thresholds: dict[str, float] | None = None) -> DifferenceImage:
    """Difference images of a transit ephemeris and the offset of the dip's source from the target.

    Parameters
    ----------
    series : PixelSeries
        From :func:`starskope.pixels.read_pixels`.
    period, duration : Quantity [time]
    epoch : astropy.time.Time or float
        A mid-transit time (a float is BJD_TDB).
    neighbours : iterable, optional
        Catalogued stars on the stamp (see :func:`neighbours_from`) to say which one the dip
        points to.
    psf : PSF, optional
        Default the telescope's (:func:`starskope.pixels.get_psf`); its width is fitted to
        the out-of-transit image.
    thresholds : dict, optional
        Overrides of :data:`DIFFERENCE_THRESHOLDS`.

    Returns
    -------
    DifferenceImage

    Raises
    ------
    UnitsError
        ``period`` or ``duration`` without a time unit.
    ParameterError
        A non-positive period or duration, a duration not shorter than the period, unknown
        thresholds, or neighbours without positions.
    LightCurveDataError
        No transit with cadences in and on both sides of it.
    """
    p = float(require_positive(period, u.day, "period").to_value(u.day))
    d = float(require_positive(duration, u.day, "duration").to_value(u.day))
    e = float(epoch.tdb.jd) if isinstance(epoch, Time) else float(epoch)
    return difference_image_arrays(series, p, e, d, neighbours=neighbours_from(series, neighbours), psf=psf,
                                   thresholds=thresholds)


# ----------------------------------------------------------------------------- model inputs


def cnn_images(result: DifferenceImage, size: int = 11) -> np.ndarray:
    """The pixel model's input: a (3, size, size) float32 stack centred on the target.

    Channels: the stacked difference in units of its error (clipped to ±20, the SNR map),
    the difference scaled to its brightest pixel, and the out-of-transit image scaled to
    its brightest pixel; pixels off the stamp are 0. The stamp is shifted by whole pixels
    so the target's pixel is the centre one (the brightest difference pixel when the
    target is unknown).
    """
    if size < 3 or size % 2 == 0:
        raise ParameterError(f"size must be an odd number ≥ 3; got {size}")
    diff = np.asarray(result.difference, np.float64)
    err = np.asarray(result.difference_err, np.float64)
    oot = np.asarray(result.out_of_transit, np.float64)
    ny, nx = diff.shape
    with np.errstate(invalid="ignore", divide="ignore"):
        snr = np.clip(np.nan_to_num(diff / err), -20.0, 20.0)
    peak = np.nanmax(np.abs(diff)) if np.isfinite(diff).any() else 0.0
    dn = np.nan_to_num(diff / peak) if peak > 0 else np.zeros_like(diff)
    top = np.nanmax(oot) if np.isfinite(oot).any() else 0.0
    on = np.nan_to_num(np.clip(oot / top, -0.2, 1.0)) if top > 0 else np.zeros_like(oot)
    if result.target is not None and all(np.isfinite(result.target)):
        c0, r0 = int(np.rint(result.target[0])), int(np.rint(result.target[1]))
    else:
        k = int(np.argmax(snr))
        c0, r0 = k % nx, k // nx
    out = np.zeros((3, size, size), np.float32)
    h = size // 2
    for ch, a in enumerate((snr, dn, on)):
        for j in range(size):
            r = r0 - h + j
            if not 0 <= r < ny:
                continue
            for i in range(size):
                c = c0 - h + i
                if 0 <= c < nx:
                    out[ch, j, i] = a[r, c]
    return out


#: The scalars the pixel model reads beside the images (meta ``pixel_scalars`` columns).
PIXEL_SCALARS: tuple[str, ...] = ("present", "measured", "snr", "offset_sigma", "offset_pixels")


def model_inputs(result: DifferenceImage | None, size: int = 11) -> dict[str, np.ndarray]:
    """One star's pixel inputs for a FeatureSet's meta: ``pixel_images`` (1, 3, size, size)
    from :func:`cnn_images` and ``pixel_scalars`` (1, len(:data:`PIXEL_SCALARS`)): present,
    measured, SNR (clipped to 100), offset significance (clipped to 30) and offset in pixels
    (clipped to 5). Without a difference image (None) both are zeros: no pixel evidence."""
    images = np.zeros((1, 3, size, size), np.float32)
    scalars = np.zeros((1, len(PIXEL_SCALARS)), np.float32)
    if result is not None:
        images[0] = cnn_images(result, size)
        values = (1.0, float(result.measured), np.clip(np.nan_to_num(result.snr), -10, 100),
                  np.clip(np.nan_to_num(result.offset_sigma), 0, 30) if result.measured else 0.0,
                  np.clip(np.nan_to_num(result.offset_pixels), 0, 5) if result.measured else 0.0)
        scalars[0] = np.asarray(values, np.float32)
    return {"pixel_images": images, "pixel_scalars": scalars}

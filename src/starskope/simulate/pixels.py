"""Simulated pixels: target pixel files and FFI cutouts of a simulated field, with the truth.

A :class:`PixelScene` is a stamp of the sky: the target, the neighbours of a simulated
field (:func:`draw_field`: a power-law number–magnitude relation per telescope), the
telescope's PSF (:mod:`starskope.pixels.psf`, its width varied a little per stamp as focus
varies across a focal plane), and the signals placed on the target or on a neighbour
(a diluted background eclipsing binary is a faint neighbour with an eclipse).
:func:`render_pixels` turns it into calibrated pixels on a time grid:

* every star drawn through the PSF at its position plus the pointing offset of the
  cadence — Kepler's slow drift and jitter, K2's roll sawtooth of ~0.8 pixel between
  thruster firings (the spacecraft-wide schedule of :func:`starskope.simulate.make_schedule`),
  TESS jitter and momentum-dump jumps;
* a pixel-to-pixel sensitivity (flat field, 0.5 % rms), the sky background (with TESS's
  scattered light), its imperfect subtraction, and photon + background + read noise per
  pixel from the telescope's detector numbers (:mod:`starskope.simulate.noise`);
* QUALITY flags and lost cadences from the schedule, POS_CORR1/2 (the pipeline's pointing
  estimate) and the pipeline's optimal aperture.

:func:`write_pixel_file` writes it in the archive's layout (Kepler/K2 ``*_lpd-targ.fits``,
TESS ``*_tp.fits``, TESScut ``*_astrocut.fits``) so :func:`starskope.pixels.read_pixels`
and lightkurve read it; :func:`simulate_pixel_set` writes a whole field of stars of the
light-curve simulator's classes with ``truth.csv``; :func:`inject_pixels` puts a signal
into the pixels of a *real* file, on the target or on a star placed anywhere on the stamp.

Cosmic rays are not added: the pipelines remove them from calibrated pixels (their
COSMIC_RAYS column), so they never reach FLUX.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np
from astropy.io import fits

from ..errors import LightCurveFileError, ParameterError
from ..io.tpf import PixelSeries
from ..missions import get_mission
from ..pixels.psf import PSF, get_psf, psf_image, psf_images
from .generate import SetPlan, _noise_over, _signal_for, plan_set
from .instrument import Schedule, TimeGrid, k2_c3_grid, quarter_grid, sector_grid
from .noise import get_noise_model, granulation_at_cadence
from .signals import BackgroundBinarySignal, CompositeSignal, Signal
from .truth import Truth, write_truth_csv

__all__ = [
    "FIELD_DENSITY",
    "PIXEL_TRAINING_KINDS",
    "STAMP_SHAPES",
    "FieldStar",
    "PixelScene",
    "SimulatedPixels",
    "default_grid",
    "draw_field",
    "inject_pixels",
    "make_scene",
    "pixel_file_name",
    "pixel_series",
    "pixel_training_set",
    "render_pixels",
    "simulate_pixel_set",
    "simulate_pixel_star",
    "write_pixel_file",
]

#: Stamp size (rows, columns) of a simulated target pixel file per telescope.
STAMP_SHAPES: dict[str, tuple[int, int]] = {"Kepler": (11, 11), "K2": (11, 11), "TESS": (11, 11)}
#: Field stars per square degree brighter than a magnitude, and the slope of log N(<m) per
#: magnitude: a Kepler-field density at low galactic latitude; K2's ecliptic fields are
#: sparser; TESS counts to T = 16 (Stassun et al. 2018 give ~10⁴ deg⁻² near the plane).
FIELD_DENSITY: dict[str, tuple[float, float, float]] = {
    "Kepler": (4.0e4, 20.0, 0.3),
    "K2": (1.5e4, 20.0, 0.3),
    "TESS": (3.0e3, 16.0, 0.3),
}
#: Detector numbers per telescope: read noise [e⁻ per read], fraction of a frame that
#: integrates, frame time [s], sky per pixel [e⁻/s] (Kepler Instrument Handbook; TESS
#: Instrument Handbook: 2-s frames, 20 % lost to cosmic-ray mitigation).
_DETECTOR: dict[str, dict[str, float]] = {
    "Kepler": {"read_noise_e": 100.0, "integrating": 6.019802903 / 6.538751429, "frame_s": 6.538751429,
               "sky_e_per_s": 250.0},
    "K2": {"read_noise_e": 100.0, "integrating": 6.019802903 / 6.538751429, "frame_s": 6.538751429,
           "sky_e_per_s": 280.0},
    "TESS": {"read_noise_e": 10.0, "integrating": 0.8, "frame_s": 2.0, "sky_e_per_s": 50.0},
}


@dataclass(frozen=True)
class FieldStar:
    """A star on a simulated stamp.

    Attributes
    ----------
    name : str
    column, row : float
        Position on the stamp [pixels] (pixel (0, 0) centred on (0, 0)).
    mag : float
        Magnitude in the telescope's band.
    flux_e_per_s : float
        Its flux rate [e⁻/s].
    signal : Signal or None
        Its relative flux variation (None: constant).
    """

    name: str
    column: float
    row: float
    mag: float
    flux_e_per_s: float
    signal: Signal | None = None


@dataclass(frozen=True)
class PixelScene:
    """A simulated stamp: the target, its neighbours, the PSF and where it is.

    Attributes
    ----------
    mission : str
    shape : (int, int)
        (rows, columns).
    target : FieldStar
    neighbours : tuple of FieldStar
    psf : PSF
    ra_deg, dec_deg : float
        The target's sky position.
    corner : (int, int)
        CCD column and row of pixel (0, 0).
    roll_deg : float
        Angle of the stamp's columns east of north.
    """

    mission: str
    shape: tuple[int, int]
    target: FieldStar
    neighbours: tuple[FieldStar, ...]
    psf: PSF
    ra_deg: float
    dec_deg: float
    corner: tuple[int, int]
    roll_deg: float = 0.0

    @property
    def stars(self) -> tuple[FieldStar, ...]:
        return (self.target, *self.neighbours)


@dataclass
class SimulatedPixels:
    """Pixels of one simulated stamp on a time grid (what a pixel file holds), and the truth.

    Attributes
    ----------
    scene : PixelScene
    grid : TimeGrid
    flux, flux_err, background, background_err : ndarray, shape (n, rows, columns)
        Calibrated background-subtracted flux, its error, the subtracted background and
        its error [e⁻/s] (float32; NaN at lost cadences).
    quality : ndarray of int32
    pos_corr : ndarray, shape (n, 2)
        The pipeline's pointing estimate (column, row) [pixels].
    pointing : ndarray, shape (n, 2)
        The true pointing offset [pixels].
    aperture : ndarray of bool
        The pipeline's optimal aperture.
    truth : Truth
    star_id : int
    segment : int
    """

    scene: PixelScene
    grid: TimeGrid
    flux: np.ndarray
    flux_err: np.ndarray
    background: np.ndarray
    background_err: np.ndarray
    quality: np.ndarray
    pos_corr: np.ndarray
    pointing: np.ndarray
    aperture: np.ndarray
    truth: Truth
    star_id: int
    segment: int
    extra: dict[str, Any] = field(default_factory=dict)


def default_grid(mission: str, *, cutout: bool = False) -> TimeGrid:
    """The time grid the pixel simulator uses by default: K2 Campaign 3's 3197 long
    cadences (the demo's), Kepler quarter 3, TESS sector 1 at 2 minutes (30 minutes for an
    FFI cutout)."""
    name = get_mission(mission).name
    if name == "K2":
        return k2_c3_grid()
    if name == "Kepler":
        return quarter_grid(3)
    return sector_grid(1, "ffi_30min" if cutout else "two_minute")


# ----------------------------------------------------------------------------- the field


def draw_field(mission: str, target_mag: float, rng: np.random.Generator, *, shape: tuple[int, int] | None = None,
               density: float | None = None, margin: float = 2.0, faint_limit: float | None = None,
               ) -> tuple[FieldStar, ...]:
    """Neighbours on a stamp, from the telescope's number–magnitude relation.

    Stars are Poisson-drawn over the stamp plus ``margin`` pixels on each side (light from
    just off the stamp spills in), with log N(<m) rising ``slope`` per magnitude, down to
    ``faint_limit`` (default 6 magnitudes below the target; fainter stars add no visible
    light).

    Parameters
    ----------
    mission : str
    target_mag : float
    rng : numpy.random.Generator
    shape : (int, int), optional
        (rows, columns); default :data:`STAMP_SHAPES`.
    density : float, optional
        Stars per square degree brighter than the reference magnitude of
        :data:`FIELD_DENSITY` (override the telescope's).
    margin : float
        Pixels added around the stamp.
    faint_limit : float, optional
        Faintest magnitude drawn.
    """
    name = get_mission(mission).name
    ny, nx = shape or STAMP_SHAPES[name]
    n0, m0, slope = FIELD_DENSITY[name]
    if density is not None:
        if not density >= 0:
            raise ParameterError(f"density must be ≥ 0 stars per square degree; got {density}")
        n0 = float(density)
    pix_deg = float(get_mission(name).pixel_scale.to_value(u.deg))
    area = (nx + 2 * margin) * (ny + 2 * margin) * pix_deg**2
    bright = target_mag - 2.0
    faint = faint_limit if faint_limit is not None else target_mag + 6.0
    n_faint = n0 * 10.0 ** (slope * (faint - m0))
    n_bright = n0 * 10.0 ** (slope * (bright - m0))
    k = int(rng.poisson(max(n_faint - n_bright, 0.0) * area))
    q = rng.random(k)
    mags = np.log10(n_bright + q * (n_faint - n_bright)) / slope + m0 - math.log10(n0) / slope
    cols = rng.uniform(-margin, nx - 1 + margin, k)
    rows = rng.uniform(-margin, ny - 1 + margin, k)
    nm = get_noise_model(name)
    out = []
    for i in range(k):
        m = float(mags[i])
        flux = float(nm.zero_point_e_per_s * 10.0 ** (-0.4 * (m - nm.zero_point_mag)))
        out.append(FieldStar(f"field star {i + 1}", float(cols[i]), float(rows[i]), m, flux))
    return tuple(out)


def _background_flux(mission: str, psf: PSF, shape: tuple[int, int], target: tuple[float, float],
                     source: tuple[float, float], f_target: float, dilution: float) -> float:
    """Flux of a background binary [e⁻/s] whose light makes ``dilution`` of the light in the
    target's optimal aperture (the light-curve simulator's dilution, so the aperture's light
    curve shows the depth that simulator would give), at most twice the target's flux (a
    brighter star would be the target)."""
    grid_cad = float(get_mission(mission).long_cadence.to_value(u.day))
    t_int, n_read, rn = _detector(mission, grid_cad)
    img_t = f_target * psf_image(psf, shape, *target)
    var = (img_t + _DETECTOR[mission]["sky_e_per_s"]) * t_int + n_read * rn**2
    ap = _optimal_aperture(img_t, var)
    share_t = float(psf_image(psf, shape, *target)[ap].sum())
    share_b = float(psf_image(psf, shape, *source)[ap].sum())
    wanted = f_target * dilution / (1.0 - dilution) * share_t / max(share_b, 1e-9)
    return float(min(wanted, 2.0 * f_target))


def make_scene(mission: str, target_mag: float, rng: np.random.Generator, *, shape: tuple[int, int] | None = None,
               target_signal: Signal | None = None, neighbours: Sequence[FieldStar] | None = None,
               density: float | None = None, psf: PSF | None = None, target_name: str = "target") -> PixelScene:
    """A stamp centred (to within half a pixel) on a target of ``target_mag``.

    A :class:`~starskope.simulate.signals.BackgroundBinarySignal` as ``target_signal`` is
    placed where it belongs: on a neighbour at its ``separation_pix`` (random direction)
    whose light makes its ``dilution`` of the light in the target's optimal aperture
    (capped at twice the target's flux), with the binary's own variation; the target stays
    constant.
    """
    name = get_mission(mission).name
    ny, nx = shape or STAMP_SHAPES[name]
    nm = get_noise_model(name)
    col0 = (nx - 1) / 2.0 + float(rng.uniform(-0.5, 0.5))
    row0 = (ny - 1) / 2.0 + float(rng.uniform(-0.5, 0.5))
    f_t = float(nm.zero_point_e_per_s * 10.0 ** (-0.4 * (target_mag - nm.zero_point_mag)))
    hosts: list[FieldStar] = list(neighbours) if neighbours is not None else \
        list(draw_field(name, target_mag, rng, shape=(ny, nx), density=density))
    base_psf = (psf or get_psf(name)).scaled(float(rng.uniform(0.9, 1.15)))
    signal = target_signal
    parts = target_signal.parts if isinstance(target_signal, CompositeSignal) else \
        ((target_signal,) if target_signal is not None else ())
    beb = [s for s in parts if isinstance(s, BackgroundBinarySignal)]
    if beb:
        b = beb[0]
        rest = [s for s in parts if s is not b]
        signal = None if not rest else (rest[0] if len(rest) == 1 else CompositeSignal(tuple(rest)))
        angle = float(rng.uniform(0.0, 2.0 * np.pi))
        sep = float(b.separation_pix)
        col_b, row_b = col0 + sep * math.cos(angle), row0 + sep * math.sin(angle)
        f_b = _background_flux(name, base_psf, (ny, nx), (col0, row0), (col_b, row_b), f_t, float(b.dilution))
        m_b = target_mag - 2.5 * math.log10(f_b / f_t)
        hosts.insert(0, FieldStar("background binary", col_b, row_b, m_b, f_b, b.binary))
    target = FieldStar(target_name, col0, row0, float(target_mag), f_t, signal)
    return PixelScene(name, (ny, nx), target, tuple(hosts), base_psf,
                      ra_deg=float(rng.uniform(0.0, 360.0)), dec_deg=float(np.degrees(np.arcsin(rng.uniform(-0.9, 0.9)))),
                      corner=(int(rng.integers(20, 1000)), int(rng.integers(20, 1000))),
                      roll_deg=float(rng.uniform(0.0, 360.0)))


# ----------------------------------------------------------------------------- rendering


def _pointing(mission: str, schedule: Schedule, rng: np.random.Generator, n: int) -> np.ndarray:
    """The pointing offset (column, row) of every cadence [pixels]."""
    dc = 0.002 * rng.standard_normal(n) + 0.01 * schedule.x
    dr = 0.002 * rng.standard_normal(n) - 0.005 * schedule.x
    if mission == "K2" and schedule.roll_phase is not None:
        # the spacecraft rolls about the boresight: a ~0.8-pixel sawtooth between firings
        dc = dc + 0.8 * (schedule.roll_phase - 0.5)
        dr = dr + 0.25 * (schedule.roll_phase - 0.5)
        dc[schedule.firing] += rng.normal(0.0, 0.5, int(schedule.firing.sum()))
    if mission == "TESS":
        dc = dc + 0.01 * rng.standard_normal(n)
        dr = dr + 0.01 * rng.standard_normal(n)
        # each momentum dump leaves the pointing a little elsewhere, and jitters while it lasts
        steps = np.where(schedule.dump, rng.normal(0.0, 0.02, n), 0.0)
        dc = dc + np.cumsum(steps)
        dc[schedule.dump] += rng.normal(0.0, 0.2, int(schedule.dump.sum()))
    return np.column_stack([dc, dr])


def _detector(mission: str, cadence_days: float) -> tuple[float, float, float]:
    """(integration time [s], reads per cadence, read noise [e⁻])."""
    d = _DETECTOR[mission]
    seconds = cadence_days * 86400.0
    return seconds * d["integrating"], seconds / d["frame_s"], d["read_noise_e"]


def _optimal_aperture(image: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """The pipeline's aperture: the target's brightest pixels, as many as maximise its SNR."""
    order = np.argsort(image.ravel())[::-1]
    s = np.cumsum(image.ravel()[order])
    v = np.cumsum(variance.ravel()[order])
    k = int(np.argmax(s / np.sqrt(v))) + 1
    mask = np.zeros(image.size, bool)
    mask[order[:k]] = True
    return mask.reshape(image.shape)


def render_pixels(scene: PixelScene, grid: TimeGrid, schedule: Schedule, rng: np.random.Generator, *,
                  star_id: int = 0, truth: Truth | None = None) -> SimulatedPixels:
    """Calibrated pixels of ``scene`` on ``grid`` (see the module docstring).

    Parameters
    ----------
    scene : PixelScene
    grid : TimeGrid
    schedule : Schedule
        Spacecraft-wide events (pointing, QUALITY, gaps), from
        :func:`starskope.simulate.make_schedule`.
    rng : numpy.random.Generator
    star_id : int
        Catalogue number written to the file.
    truth : Truth, optional
        Extra truth to keep (the class and the drawn signal's parameters).
    """
    t = grid.time_bjd
    n = len(t)
    ny, nx = scene.shape
    cad = grid.cadence_days
    point = _pointing(scene.mission, schedule, rng, n)
    gain = 1.0 + 0.005 * rng.standard_normal((ny, nx))
    signal_image = np.zeros((n, ny, nx))
    target_image = None
    for k, star in enumerate(scene.stars):
        prf = psf_images(scene.psf, (ny, nx), star.column + point[:, 0], star.row + point[:, 1])
        rel = star.signal.relative_flux(t, cad) if star.signal is not None else 1.0
        contribution = star.flux_e_per_s * np.asarray(rel)[..., None, None] * prf if star.signal is not None \
            else star.flux_e_per_s * prf
        signal_image += contribution
        if k == 0:
            target_image = star.flux_e_per_s * psf_images(scene.psf, (ny, nx), np.array([star.column]),
                                                           np.array([star.row]))[0]
    signal_image *= gain
    sky0 = _DETECTOR[scene.mission]["sky_e_per_s"]
    sky = sky0 * (1.0 + 0.02 * schedule.x)[:, None, None] * np.ones((1, ny, nx))
    if scene.mission == "TESS" and schedule.scattered.any():
        ramp = np.linspace(0.5, 1.5, nx)[None, None, :]
        sky = sky + 4.0 * sky0 * schedule.scattered[:, None, None] * ramp
    t_int, n_read, read_noise = _detector(scene.mission, cad)
    var_e = (np.clip(signal_image, 0.0, None) + sky) * t_int + n_read * read_noise**2
    sigma = np.sqrt(var_e) / t_int
    measured = signal_image + sky + sigma * rng.standard_normal((n, ny, nx))
    # the pipeline's background estimate is good to a fraction of a percent per cadence
    bkg_est = sky * (1.0 + 0.002 * rng.standard_normal(n))[:, None, None]
    flux = measured - bkg_est
    bkg_err = np.full_like(bkg_est, sky0 * 0.002)
    lost = schedule.gap
    flux[lost] = np.nan
    assert target_image is not None
    aperture = _optimal_aperture(target_image, np.median(sigma, axis=0) ** 2)
    pos_corr = point + 0.0005 * rng.standard_normal((n, 2))
    out_truth = Truth(**(truth or {}))
    src = [s for s in scene.neighbours if s.signal is not None]
    on_target = scene.target.signal is not None
    out_truth.update(
        mission=scene.mission, star_id=int(star_id), mag=scene.target.mag, flux_e_per_s=scene.target.flux_e_per_s,
        target_column_pix=scene.target.column, target_row_pix=scene.target.row, n_neighbours=len(scene.neighbours),
        psf_core_sigma_pix=scene.psf.core_sigma, pointing_rms_pix=float(np.std(point[~lost, 0])),
        signal_source="target" if on_target else ("neighbour" if src else "none"),
        aperture_pixels=int(aperture.sum()),
    )
    if src:
        s = src[0]
        still = [st.flux_e_per_s * psf_image(scene.psf, (ny, nx), st.column, st.row)[aperture].sum()
                 for st in scene.stars]
        out_truth.update(source_column_pix=s.column, source_row_pix=s.row, source_mag=s.mag,
                         source_separation_pix=float(np.hypot(s.column - scene.target.column,
                                                              s.row - scene.target.row)),
                         aperture_dilution=float(s.flux_e_per_s * psf_image(scene.psf, (ny, nx), s.column,
                                                                            s.row)[aperture].sum() / sum(still)))
    return SimulatedPixels(scene, grid, flux.astype(np.float32), sigma.astype(np.float32),
                           bkg_est.astype(np.float32), bkg_err.astype(np.float32), schedule.quality.astype(np.int32),
                           pos_corr, point, aperture, out_truth, int(star_id), int(grid.segment))


# ----------------------------------------------------------------------------- writing


def pixel_file_name(mission: str, star_id: int, segment: int, *, cutout: bool = False, ra_deg: float = 0.0,
                    dec_deg: float = 0.0, shape: tuple[int, int] = (11, 11)) -> str:
    """Archive-style name: ``ktwo{EPIC}-c{CC}_lpd-targ.fits``, ``kplr{KIC}-q{QQ}_lpd-targ.fits``,
    ``tess-s{SSSS}-{TIC}_tp.fits`` or a TESScut ``tess-s{SSSS}-1-1_{ra}_{dec}_{cols}x{rows}_astrocut.fits``."""
    name = get_mission(mission).name
    if cutout:
        return f"tess-s{segment:04d}-1-1_{ra_deg:.6f}_{dec_deg:.6f}_{shape[1]}x{shape[0]}_astrocut.fits"
    if name == "K2":
        return f"ktwo{star_id:09d}-c{segment:02d}_lpd-targ.fits"
    if name == "Kepler":
        return f"kplr{star_id:09d}-q{segment:02d}_lpd-targ.fits"
    return f"tess-s{segment:04d}-{star_id:016d}_tp.fits"


def _wcs_cards(scene: PixelScene, prefix: str = "", suffix: str = "") -> list[tuple[str, Any, str]]:
    """Celestial WCS of the stamp: TAN projection, the target at its pixel position."""
    scale = float(get_mission(scene.mission).pixel_scale.to_value(u.deg))
    th = math.radians(scene.roll_deg)
    c, s = math.cos(th), math.sin(th)
    keys = [("CTYP", "RA---TAN", "DEC--TAN"), ("CRPX", scene.target.column + 1.0, scene.target.row + 1.0),
            ("CRVL", scene.ra_deg, scene.dec_deg), ("CUNI", "deg", "deg"), ("CDLT", -scale, scale)]
    cards: list[tuple[str, Any, str]] = []
    for stem, v1, v2 in keys:
        if prefix:  # table-column form: 1CTYP5, 2CTYP5
            cards += [(f"1{stem}{suffix}", v1, ""), (f"2{stem}{suffix}", v2, "")]
        else:
            full = {"CTYP": "CTYPE", "CRPX": "CRPIX", "CRVL": "CRVAL", "CUNI": "CUNIT", "CDLT": "CDELT"}[stem]
            cards += [(f"{full}1", v1, ""), (f"{full}2", v2, "")]
    pc = [("11", c), ("12", -s), ("21", s), ("22", c)]
    for ij, v in pc:
        cards.append((f"{ij}PC{suffix}" if prefix else f"PC{ij[0]}_{ij[1]}", v, ""))
    return cards


def write_pixel_file(sim: SimulatedPixels, folder: str | os.PathLike[str], *, cutout: bool = False,
                     name: str | None = None) -> Path:
    """Write ``sim`` as a target pixel file (or a TESScut-style FFI cutout) in the archive's layout.

    The primary HDU has the target keywords (TELESCOP, MISSION, OBJECT, KEPLERID or TICID,
    CAMPAIGN / QUARTER / SECTOR, RA_OBJ, DEC_OBJ, KEPMAG or TESSMAG; ``SIMDATA = T``); the
    pixel table (``TARGETTABLES`` for Kepler/K2, ``PIXELS`` for TESS) the columns TIME,
    TIMECORR, CADENCENO, RAW_CNTS, FLUX, FLUX_ERR, FLUX_BKG, FLUX_BKG_ERR, COSMIC_RAYS,
    QUALITY, POS_CORR1, POS_CORR2, with TDIM and the celestial WCS of the FLUX column and
    the timing keywords; the ``APERTURE`` image flags collected pixels (bit 1) and, except
    in a cutout, the pipeline's optimal aperture (bit 2).

    Returns
    -------
    Path
    """
    scene, grid = sim.scene, sim.grid
    prof = get_mission(scene.mission)
    is_tess = scene.mission == "TESS"
    if cutout and not is_tess:
        raise ParameterError(f"FFI cutouts are TESS products; {scene.mission} pixels are written as target pixel files")
    ny, nx = scene.shape
    n = len(grid)
    t_mission = grid.mission_time
    obj = f"{prof.target_prefix} {sim.star_id}" if not cutout else ""
    primary = fits.Header()
    primary["NEXTEND"] = (2, "number of standard extensions")
    primary["EXTNAME"] = ("PRIMARY", "name of extension")
    primary["SIMDATA"] = (True, "file is based on simulated data")
    primary["ORIGIN"] = ("starskope simulator", "institution responsible for file")
    # lightkurve tells a pixel file by "TargetPixel" in CREATOR, a cutout reader by "astrocut"
    primary["CREATOR"] = ("astrocut-format cutout, starskope.simulate TargetPixel writer" if cutout
                          else "starskope.simulate TargetPixel writer")
    primary["TELESCOP"] = (prof.telescope_keyword, "telescope")
    primary["INSTRUME"] = ("TESS Photometer" if is_tess else "Kepler Photometer", "detector type")
    if obj:
        primary["OBJECT"] = (obj, "string version of target id")
    if is_tess:
        if not cutout:
            primary["TICID"] = (sim.star_id, "unique tess target identifier")
        primary["SECTOR"] = (sim.segment, "Observing sector")
        primary["CAMERA"] = (1, "Camera number")
        primary["CCD"] = (1, "CCD chip number")
    else:
        primary["KEPLERID"] = (sim.star_id, "unique Kepler target identifier")
        primary["MISSION"] = (scene.mission, "Mission name")
        primary["OBSMODE"] = ("long cadence" if grid.cadence_days > 0.01 else "short cadence", "observing mode")
        primary["QUARTER" if scene.mission == "Kepler" else "CAMPAIGN"] = (sim.segment, "segment number")
    primary["RADESYS"] = ("ICRS", "reference frame of celestial coordinates")
    primary["RA_OBJ"] = (scene.ra_deg, "[deg] right ascension")
    primary["DEC_OBJ"] = (scene.dec_deg, "[deg] declination")
    primary["EQUINOX"] = (2000.0, "equinox of celestial coordinate system")
    primary["TESSMAG" if is_tess else "KEPMAG"] = (round(scene.target.mag, 3), "[mag] target magnitude")
    primary["SIMCLASS"] = (str(sim.truth.get("class", "")), "simulated class (starskope truth)")
    primary["SIMSRC"] = (str(sim.truth.get("signal_source", "")), "where the simulated signal is")

    dim = f"({nx},{ny})"
    t_int, _, _ = _detector(scene.mission, grid.cadence_days)
    raw = np.nan_to_num((sim.flux + sim.background) * t_int).astype(np.int32).reshape(n, ny * nx)
    cols = [
        fits.Column("TIME", "D", f"BJD - {prof.bjd_offset:.0f}", array=t_mission),
        fits.Column("TIMECORR", "E", "d", array=np.zeros(n, np.float32)),
        fits.Column("CADENCENO", "J", array=grid.cadenceno.astype(np.int32)),
        fits.Column("RAW_CNTS", f"{ny * nx}J", "count", dim=dim, array=raw),
        fits.Column("FLUX", f"{ny * nx}E", "e-/s", dim=dim, array=sim.flux.reshape(n, -1)),
        fits.Column("FLUX_ERR", f"{ny * nx}E", "e-/s", dim=dim, array=sim.flux_err.reshape(n, -1)),
        fits.Column("FLUX_BKG", f"{ny * nx}E", "e-/s", dim=dim, array=sim.background.reshape(n, -1)),
        fits.Column("FLUX_BKG_ERR", f"{ny * nx}E", "e-/s", dim=dim, array=sim.background_err.reshape(n, -1)),
        fits.Column("COSMIC_RAYS", f"{ny * nx}E", "e-/s", dim=dim, array=np.zeros((n, ny * nx), np.float32)),
        fits.Column("QUALITY", "J", array=sim.quality.astype(np.int32)),
        fits.Column("POS_CORR1", "E", "pixels", array=sim.pos_corr[:, 0].astype(np.float32)),
        fits.Column("POS_CORR2", "E", "pixels", array=sim.pos_corr[:, 1].astype(np.float32)),
    ]
    table = fits.BinTableHDU.from_columns(cols, name="PIXELS" if is_tess else "TARGETTABLES")
    h = table.header
    for k in (4, 5, 6, 7, 8, 9):  # image columns: physical (CCD) and celestial WCS
        h[f"1CRV{k}P"] = (scene.corner[0], "CCD column of pixel 1")
        h[f"2CRV{k}P"] = (scene.corner[1], "CCD row of pixel 1")
        h[f"1CRP{k}P"] = 1
        h[f"2CRP{k}P"] = 1
        for key, value, comment in _wcs_cards(scene, prefix="col", suffix=str(k)):
            h[key] = (value, comment)
    h["TIMEREF"] = ("SOLARSYSTEM", "barycentric correction applied to times")
    h["TASSIGN"] = ("SPACECRAFT", "where time is assigned")
    h["TIMESYS"] = ("TDB", "time system is Barycentric Dynamical Time (TDB)")
    h["BJDREFI"] = (int(prof.bjd_offset), "integer part of BJD reference date")
    h["BJDREFF"] = (float(prof.bjd_offset - int(prof.bjd_offset)), "fraction of the day in BJD reference date")
    h["TIMEUNIT"] = ("d", "time unit for TIME, TSTART and TSTOP")
    h["TSTART"] = (float(t_mission[0] - 0.5 * grid.cadence_days), "observation start time in BJD-BJDREF")
    h["TSTOP"] = (float(t_mission[-1] + 0.5 * grid.cadence_days), "observation stop time in BJD-BJDREF")
    h["TIMEDEL"] = (grid.cadence_days, "[d] time resolution of data")
    h["TIMEPIXR"] = (0.5, "bin time beginning=0 middle=0.5 end=1")
    h["BACKAPP"] = (True, "background is subtracted")
    bits = np.ones((ny, nx), np.int32)
    if not cutout:
        bits |= np.where(sim.aperture, 2, 0).astype(np.int32)
    ap = fits.ImageHDU(bits, name="APERTURE")
    for key, value, comment in _wcs_cards(scene):
        ap.header[key] = (value, comment)
    ap.header["NPIXSAP"] = (int(sim.aperture.sum()) if not cutout else 0, "pixels in the optimal aperture")
    fname = name or pixel_file_name(scene.mission, sim.star_id, sim.segment, cutout=cutout, ra_deg=scene.ra_deg,
                                    dec_deg=scene.dec_deg, shape=scene.shape)
    path = Path(folder) / fname
    fits.HDUList([fits.PrimaryHDU(header=primary), table, ap]).writeto(path, overwrite=True)
    return path


# ----------------------------------------------------------------------------- stars and sets


def _star_of_plan(plan: SetPlan, i: int) -> tuple[Signal | None, Truth]:
    """The signal and truth of star ``i`` of a light-curve simulation plan, drawn the same
    way :func:`starskope.simulate.simulate_stars` draws them (same random stream)."""
    grid = plan.grid
    nm = get_noise_model(grid.mission)
    pop = plan.population
    rng = np.random.default_rng(plan.star_seeds[i])
    sigma0 = float(nm.sigma(pop.mag[i], grid.cadence_minutes))
    gs0, phi0 = granulation_at_cadence(pop.gran_sigma_ppm[i], pop.gran_tau_minutes[i], grid.cadence_minutes)
    noise_over = _noise_over(sigma0, float(gs0) * 1e-6, float(phi0), grid.cadence_days)
    cls = plan.classes[i]
    signal, extra = _signal_for(cls, int(i), plan, rng, noise_over)
    prefix = get_mission(grid.mission).target_prefix
    truth = Truth(row=int(i), label=2 if cls == "planet" else 1, **{"class": cls}, star_id=int(plan.ids[i]),
                  object=f"{prefix} {int(plan.ids[i])}", mission=grid.mission)
    truth.update(pop.truth(int(i)))
    if signal is not None:
        for key, value in signal.truth().items():
            truth.setdefault(key, value)
    truth.update(extra)
    return signal, truth


def simulate_pixel_star(plan: SetPlan, i: int, *, shape: tuple[int, int] | None = None,
                        density: float | None = None) -> SimulatedPixels:
    """Pixels of star ``i`` of a simulation plan (:func:`starskope.simulate.plan_set`): its
    class and signal as the light-curve simulator draws them, placed on a simulated field."""
    signal, truth = _star_of_plan(plan, i)
    rng = np.random.default_rng(plan.star_seeds[i].spawn(1)[0])
    scene = make_scene(plan.grid.mission, float(plan.population.mag[i]), rng, shape=shape, target_signal=signal,
                       density=density, target_name=str(truth["object"]))
    return render_pixels(scene, plan.grid, plan.schedule, rng, star_id=int(plan.ids[i]), truth=truth)


def simulate_pixel_set(
    out_dir: str | os.PathLike[str],
    mission: str = "K2",
    n: int = 100,
    n_hosts: int = 10,
    seed: int = 0,
    *,
    cutout: bool = False,
    grid: TimeGrid | None = None,
    classes: Sequence[str] | None = None,
    shape: tuple[int, int] | None = None,
    density: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Write a field of simulated pixel files and their ``truth.csv``.

    The classes follow the light-curve simulator's mix (:data:`starskope.simulate.NEGATIVE_FRACTIONS`:
    6 % of the non-hosts are background eclipsing binaries, as in the demo's K2 C3 set)
    unless ``classes`` is given.

    Parameters
    ----------
    out_dir : path-like
        Folder (created when missing).
    mission : str
        'Kepler', 'K2' or 'TESS'.
    n, n_hosts : int
        Stars and planet hosts among them.
    seed : int
        The same seed writes the same files.
    cutout : bool
        TESS only: write TESScut-style FFI cutouts (30-min cadence, no pipeline aperture).
    grid : TimeGrid, optional
        Default :func:`default_grid`.
    classes : sequence of str, optional
        The class of every star (``n`` names from :data:`starskope.simulate.CLASSES`).
    shape, density
        Stamp size and field density (see :func:`draw_field`).
    progress : callable, optional
        Called with 1 after each star.

    Returns
    -------
    dict
        ``files`` (list of Paths, one per star), ``truth`` (the CSV's Path), ``truths``.

    Raises
    ------
    LightCurveFileError
        ``out_dir`` is a file.
    ParameterError
        Bad counts or classes.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise LightCurveFileError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    name = get_mission(mission).name
    g = grid or default_grid(name, cutout=cutout)
    plan = plan_set(g, n, n_hosts, np.random.SeedSequence(int(seed)), hosts_first=False, classes=classes,
                    id_offset=5_000_000)
    files, truths = [], []
    for i in range(n):
        sim = simulate_pixel_star(plan, i, shape=shape, density=density)
        path = write_pixel_file(sim, out, cutout=cutout)
        sim.truth["file"] = path.name
        files.append(path)
        truths.append(sim.truth)
        if progress is not None:
            progress(1)
    truth_path = write_truth_csv(out / "truth.csv", truths)
    return {"files": files, "truth": truth_path, "truths": truths}


# ----------------------------------------------------------------------------- injection into real pixels


def inject_pixels(series: PixelSeries, signal: Signal, *, position: str | tuple[float, float] = "target",
                  source_flux: float | None = None, psf: PSF | None = None, seed: int = 0,
                  ) -> tuple[PixelSeries, Truth]:
    """Put ``signal`` into the pixels of a real pixel file.

    On the target (``position='target'``) the target's own light is modulated: the pixels
    gain ``(m(t) − 1) · F★ · PRF`` with F★ and the PRF's width fitted to the median image at
    the target. Anywhere else (``position=(column, row)``) a star of ``source_flux`` e⁻/s
    (default the target's) is added there with its photon noise and modulated by the
    signal — a blended eclipsing binary placed where you choose. The PRF follows the
    file's pointing (POS_CORR, or the target's centroid), so K2's roll moves the injected
    light as it moves the stars.

    Parameters
    ----------
    series : PixelSeries
    signal : Signal
        Any simulated signal (its ``relative_flux`` at the file's times).
    position : 'target' or (float, float)
    source_flux : float, optional
        Flux of the added star [e⁻/s].
    psf : PSF, optional
        Default the telescope's, its width fitted to the median image.
    seed : int
        For the photon noise of an added star.

    Returns
    -------
    (PixelSeries, Truth)

    Raises
    ------
    ParameterError
        The target's position is unknown (for ``'target'``) or the position is off the
        stamp by more than a pixel.
    """
    from ..pixels.apertures import pixel_noise
    from ..pixels.psf import fit_psf

    rng = np.random.default_rng(seed)
    base = psf or get_psf(series.mission)
    img = series.median_image()
    noise = pixel_noise(series)
    start = series.target
    if start is None:
        k = int(np.nanargmax(np.where(np.isfinite(img), img, -np.inf)))
        start = (float(k % series.shape[1]), float(k // series.shape[1]))
    fit = fit_psf(img, noise / np.sqrt(max(len(series) // 10, 1)), base, start, fit_width=True, max_shift=1.5)
    width = fit.width if fit.converged else 1.0
    f_star = fit.flux if fit.converged and fit.flux > 0 else float(np.nansum(np.clip(img, 0, None)))
    if isinstance(position, str):
        if position != "target":
            raise ParameterError(f"position must be 'target' or (column, row); got {position!r}")
        col, row, flux = (fit.column, fit.row, f_star) if fit.converged else (start[0], start[1], f_star)
        added = False
    else:
        col, row = float(position[0]), float(position[1])
        ny, nx = series.shape
        if not (-1.0 <= col <= nx and -1.0 <= row <= ny):
            raise ParameterError(f"{series.source}: position ({col:g}, {row:g}) is off the {ny}×{nx} stamp")
        flux = float(source_flux) if source_flux is not None else f_star
        if not flux > 0:
            raise ParameterError(f"source_flux must be positive e⁻/s; got {source_flux}")
        added = True
    t = series.time_bjd
    cad = float(series.cadence.to_value(u.day))
    if series.pos_corr is not None and np.isfinite(series.pos_corr).mean() > 0.8:
        pc = series.pos_corr - np.nanmedian(series.pos_corr, axis=0)
        pc = np.where(np.isfinite(pc), pc, 0.0)
    else:
        pc = np.zeros((len(t), 2))
    prf = psf_images(base.scaled(width), series.shape, col + pc[:, 0], row + pc[:, 1])
    rel = np.asarray(signal.relative_flux(t, cad))
    delta = flux * (rel if added else rel - 1.0)[:, None, None] * prf
    new = np.asarray(series.flux.value, np.float64) + delta
    err = np.asarray(series.flux_err.value, np.float64)
    if added:
        t_int = 1.0 if series.mission is None else _detector(get_mission(series.mission).name, cad)[0]
        extra_sigma = np.sqrt(np.clip(delta, 0.0, None) / t_int)
        new = new + extra_sigma * rng.standard_normal(new.shape)
        err = np.sqrt(err**2 + extra_sigma**2)
    truth = Truth(signal.truth())
    truth.update(signal_source="neighbour" if added else "target", source_column_pix=col, source_row_pix=row,
                 source_flux_e_per_s=flux, psf_width_factor=width,
                 target_column_pix=fit.column if fit.converged else start[0],
                 target_row_pix=fit.row if fit.converged else start[1])
    if added and series.target is not None:
        truth["source_separation_pix"] = float(np.hypot(col - truth["target_column_pix"],
                                                        row - truth["target_row_pix"]))
    step = (f"injected a {truth.get('signal', 'simulated')} signal into the pixels "
            + (f"of an added star of {flux:.0f} e⁻/s at column {col:.2f}, row {row:.2f}" if added
               else f"of the target ({flux:.0f} e⁻/s at column {col:.2f}, row {row:.2f})"))
    out = replace(series, flux=u.Quantity(new.astype(np.float32), series.flux.unit),
                  flux_err=u.Quantity(err.astype(np.float32), series.flux.unit),
                  provenance=[*series.provenance, step])
    return out, truth



# ----------------------------------------------------------------------------- the pixel model's training images


def pixel_series(sim: SimulatedPixels, *, cutout: bool = False, name: str = "simulated") -> PixelSeries:
    """The pixel time series of a simulated stamp as :func:`starskope.pixels.read_pixels`
    gives it from the written file, kept in memory (no WCS: the stamp's pixel coordinates
    are all the difference image needs).

    Parameters
    ----------
    sim : SimulatedPixels
    cutout : bool
        Describe it as an FFI cutout (no pipeline aperture).
    name : str
        Its ``product`` and ``source`` (shown in messages).
    """
    from astropy.time import Time

    from ..io._base import TimeReference

    scene = sim.scene
    unit = u.electron / u.s
    return PixelSeries(
        time=Time(sim.grid.time_bjd, format="jd", scale="tdb"), flux=u.Quantity(sim.flux, unit),
        flux_err=u.Quantity(sim.flux_err, unit), background=u.Quantity(sim.background, unit), quality=sim.quality,
        cadenceno=None, pos_corr=sim.pos_corr, wcs=None, corner=scene.corner,
        pipeline_aperture=None if cutout else sim.aperture, target=(scene.target.column, scene.target.row),
        mission=scene.mission, product=name, cutout=cutout, source=name,
        time_reference=TimeReference(get_mission(scene.mission).bjd_offset, "tdb", "simulated"))


#: What :func:`pixel_training_set` draws, its share, and the class the pixel model learns for it.
PIXEL_TRAINING_KINDS: dict[str, tuple[float, str]] = {
    "planet": (0.35, "planet_transit"),
    "eclipsing_binary": (0.20, "eclipsing_binary"),
    "background_eb": (0.35, "eclipsing_binary"),
    "quiet": (0.10, "nothing_significant"),
}


def _shifted(signal: Signal, dt_days: float) -> Signal:
    """The same signal with its epoch moved by ``dt_days`` (into another file's time span)."""
    if isinstance(signal, BackgroundBinarySignal):
        return replace(signal, binary=_shifted(signal.binary, dt_days))
    return replace(signal, epoch=float(signal.epoch) + dt_days)  # type: ignore[call-arg]


def _real_injection(real: PixelSeries, kind: str, signal: Signal, t0: float, rng: np.random.Generator,
                    seed: int) -> tuple[PixelSeries, Truth]:
    rt0 = float(real.time_bjd[0])
    signal = _shifted(signal, rt0 - t0)
    if kind != "background_eb":
        return inject_pixels(real, signal, position="target", seed=seed)
    assert isinstance(signal, BackgroundBinarySignal)
    if real.target is None:
        raise ParameterError(f"{real.source}: the target's position is unknown, so a neighbour cannot be placed")
    c, r = real.target
    ang = rng.uniform(0, 2 * np.pi)
    pos = (c + signal.separation_pix * np.cos(ang), r + signal.separation_pix * np.sin(ang))
    # the background binary's own flux, for the dilution the light-curve simulator drew
    f_target = float(np.nansum(np.clip(real.median_image(), 0, None)))
    d = float(signal.dilution)
    return inject_pixels(real, signal.binary, position=pos, source_flux=f_target * d / (1 - d), seed=seed)


def pixel_training_set(
    n: int,
    *,
    mission: str = "K2",
    seed: int | Sequence[int] = 0,
    real: PixelSeries | None = None,
    real_share: float = 0.25,
    progress: Callable[[int], None] | None = None,
) -> Any:
    """Difference images at the true ephemeris, as training examples for the pixel model.

    Cheap next to a full analysis (no light-curve search: the ephemeris is the simulator's),
    so thousands can be made in minutes. Each example is drawn from
    :data:`PIXEL_TRAINING_KINDS`: a planet on the target (class planet), an eclipsing
    binary on the target or a diluted background binary on a neighbour (class eclipsing
    binary), or a quiet star at a random ephemeris (nothing significant). It is rendered
    on a simulated stamp of ``mission`` (:func:`make_scene`, :func:`render_pixels`) or,
    with probability ``real_share`` when ``real`` is given, injected into the pixels of
    that real file (:func:`inject_pixels`, the epoch moved into its time span).

    Parameters
    ----------
    n : int
        Examples to draw (those whose difference image cannot be made are skipped).
    mission : str
        Telescope of the simulated stamps and stars.
    seed : int or sequence of int
        The same seed gives the same examples (a sequence seeds one of several chunks).
    real : PixelSeries, optional
        A real pixel file to inject into.
    real_share : float
        Share of the planets and binaries injected into ``real`` (0–1).
    progress : callable, optional
        Called with 1 after each example.

    Returns
    -------
    FeatureSet
        Pixel inputs only (meta ``pixel_images``, ``pixel_scalars``, and ``kind``: which of
        :data:`PIXEL_TRAINING_KINDS` each example is) and labels; no light-curve inputs.

    Raises
    ------
    ParameterError
        ``n`` < 1 or ``real_share`` outside 0–1.
    """
    from ..errors import StarskopeError
    from ..features.dataset import FeatureSet
    from ..models.labels import CLASSES
    from ..pixels import difference_image_arrays, model_inputs
    from .instrument import make_schedule
    from .population import draw_background_binary, draw_eclipsing_binary, draw_planet
    from .stars import draw_stars

    if int(n) < 1:
        raise ParameterError(f"n must be at least 1 example; got {n}")
    if not 0.0 <= float(real_share) <= 1.0:
        raise ParameterError(f"real_share must be between 0 and 1; got {real_share}")
    name = get_mission(mission).name
    rng = np.random.default_rng(seed)
    grid = default_grid(name)
    t0, t1 = float(grid.time_bjd[0]), float(grid.time_bjd[-1])
    kinds = list(PIXEL_TRAINING_KINDS)
    weights = [PIXEL_TRAINING_KINDS[k][0] for k in kinds]
    images, scalars, labels, drawn = [], [], [], []
    for i in range(int(n)):
        kind = str(rng.choice(kinds, p=weights))
        use_real = real is not None and rng.random() < real_share and kind != "quiet"
        star = draw_stars(1, name, rng).star(0)
        signal: Signal | None
        if kind == "planet":
            signal = draw_planet(star, rng, t0, t1, period_range=(0.5, 20.0))
        elif kind == "eclipsing_binary":
            signal = draw_eclipsing_binary(star, rng, t0, t1)
        elif kind == "background_eb":
            signal = draw_background_binary(name, rng, t0, t1)
        else:
            signal = None
        try:
            if use_real and signal is not None and real is not None:
                series, truth = _real_injection(real, kind, signal, t0, rng, seed=i)
                period, epoch, dur = truth["period_days"], truth["epoch_bjd"], truth["duration_hours"] / 24
            else:
                scene = make_scene(name, float(star.magnitude), rng, target_signal=signal)
                series = pixel_series(render_pixels(scene, grid, make_schedule(grid, rng), rng))
                if signal is None:
                    period = float(np.exp(rng.uniform(np.log(0.5), np.log(15.0))))
                    epoch, dur = t0 + rng.uniform(0, period), float(rng.uniform(1.5, 6.0)) / 24
                else:
                    tr = signal.truth()
                    period, epoch, dur = tr["period_days"], tr["epoch_bjd"], tr["duration_hours"] / 24
            di = difference_image_arrays(series, period, epoch, min(dur, 0.4 * period))
        except StarskopeError:
            continue
        finally:
            if progress is not None:
                progress(1)
        inp = model_inputs(di)
        images.append(inp["pixel_images"][0])
        scalars.append(inp["pixel_scalars"][0])
        labels.append(CLASSES.index(PIXEL_TRAINING_KINDS[kind][1]))
        drawn.append(kind)
    k = len(labels)
    if k == 0:
        raise ParameterError(f"none of the {n} pixel training examples gave a difference image")
    return FeatureSet(views={}, spectrogram=np.zeros((k, 1, 1), np.float32), scalars=np.zeros((k, 0)),
                      scalar_names=(), meta={"pixel_images": np.asarray(images, np.float32),
                                             "pixel_scalars": np.asarray(scalars, np.float32),
                                             "kind": np.asarray(drawn, dtype=str)},
                      labels=np.asarray(labels, np.int64))

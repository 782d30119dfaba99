"""The shared state of one vetting: what every diagnostic reads.

:func:`prepare` measures once what several diagnostics need — the per-point noise, the
trapezoid and limb-darkened transit fits (refined epoch, duration, depth), the phase
scans and red-noise factor, the per-transit box depths and the SNR — and returns a
:class:`VettingContext`. The stellar-dependent quantities (a/R★ and impact parameter
from the transit shape, implied and catalogued densities, the implied radius, the
planetary occultation limit, the expected duration) are computed on first use.
Diagnostics (:mod:`starskope.vetting.diagnostics`) only read the context.

Arrays are plain float64, times BJD_TDB days, flux normalised to 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import astropy.constants as const
import astropy.units as u
import numpy as np

from .. import physics
from ..errors import LightCurveDataError, StarskopeError
from ..scatter import binned_std, robust_std
from ..search.candidate import TransitCandidate
from ..search.folding import time_from_transit
from . import _core
from .data import VettingData
from .known import KnownSignal
from .stellar import HostStar
from .timing import TransitTimes, fit_aligned, measure_transit_times

__all__ = ["VettingContext", "prepare"]

_R_JUP_IN_EARTH = float((1 * u.R_jup).to_value(u.R_earth))
# centre of each telescope's band, nm (the planetary occultation limit's blackbodies)
_BAND_CENTRE_NM = {"kepler": 660.0, "k2": 660.0, "tess": 800.0}
_SUN_TEFF_K = 5777.0


def planet_secondary_limit(depth: float, a_over_r: float, teff: float, band_nm: float) -> float:
    """Deepest secondary eclipse a planet can make: reflected light (geometric albedo 1)
    plus thermal emission of a dayside with no heat redistribution and zero Bond albedo
    (blackbodies at the band centre). NaN without a positive depth and a/R★ > 1."""
    if not (np.isfinite(depth) and depth > 0 and np.isfinite(a_over_r) and a_over_r > 1):
        return float("nan")
    reflected = depth / a_over_r**2
    t_day = teff * np.sqrt(1.0 / a_over_r) * (2.0 / 3.0) ** 0.25
    x = (const.h * const.c / (band_nm * u.nm * const.k_B)).to_value(u.K)
    with np.errstate(over="ignore"):
        ratio = np.expm1(x / teff) / np.expm1(x / t_day)
    return float(reflected + depth * ratio)


def shape_geometry(depth: float, t14: float, ingress_ratio: float, period: float) -> tuple[float, float, float]:
    """(impact parameter, a/R★, a/R★ at b = 0) from a trapezoid's depth, T14 (days) and
    τ/T14 (Seager & Mallén-Ornelas 2003, eqs. 7–8). NaNs when T14 ≥ P/2 or depth ≤ 0."""
    if not (depth > 0 and np.isfinite(t14) and 0 < t14 < 0.5 * period):
        return float("nan"), float("nan"), float("nan")
    k = float(np.sqrt(depth))
    t23 = max(t14 * (1.0 - 2.0 * ingress_ratio), 0.0)
    s14 = np.sin(np.pi * t14 / period) ** 2
    s23 = np.sin(np.pi * t23 / period) ** 2
    r = s23 / s14
    b2 = ((1 - k) ** 2 - r * (1 + k) ** 2) / (1 - r) if r < 1 else 0.0
    b = float(np.sqrt(np.clip(b2, 0.0, (1 + k) ** 2 * 0.999)))
    a0 = float(physics.a_over_rstar_from_duration_arrays(period, t14, k, 0.0))
    a = float(physics.a_over_rstar_from_duration_arrays(period, t14, k, b))
    return b, a, a0


@dataclass(eq=False)
class VettingContext:
    """Everything the diagnostics of one candidate share (read-only for them).

    Times are BJD_TDB days and durations days; depths are fractions of the flux.

    Attributes
    ----------
    data : VettingData
        The light curve as vetted: other candidates' transits and bright outliers left out.
    candidate : TransitCandidate
        As given.
    others : tuple of TransitCandidate
        The star's other candidates.
    known : tuple of KnownSignal or None
        Known signals of this star and its neighbours; None when not looked up.
    star : HostStar or None
    th : dict
        Thresholds.
    u1, u2 : float
        Limb-darkening coefficients of the transit fit.
    fit_transit : bool
        Whether the limb-darkened fit was asked for.
    masked : (int, int) or None
        Cadences and candidates left out for the other candidates.
    n_clipped : int
        Bright outliers left out.
    sigma, base_level : float
        Robust per-point scatter and mean flux away from the transits.
    trap, fit_ok : TrapezoidFit, bool
        The trapezoid fit and whether its depth is significant (> 3σ).
    times : TransitTimes or None
        Each transit's measured mid-time (None when they cannot be timed one by one);
        ``times.aligned`` when ``trap`` and ``ld`` were fitted on the transits aligned on
        those times (they depart from a linear ephemeris by ``ttv_sigma`` or more).
    ld, ld_ok : LimbDarkenedFit or None, bool
        The limb-darkened fit (None when not attempted) and whether its depth is used.
    shift, epoch_r, dur, ratio : float
        Mid-transit shift, refined epoch (the transit nearest the middle of the data),
        duration T14 and τ/T14 (as fitted when ``fit_ok``, else as given).
    half, gap, half_out, flat_half : float
        Per-event windows: half the in-transit box, the gap before the baseline, the
        baseline width, half the flat bottom.
    global_base : float or None
        The global out-of-dip level, used as baseline when the dip leaves no flanks.
    scan, scan_sec : PhaseScan
        Box depths around the folded orbit at the transit duration and at the
        secondary's (at most P/4).
    can_secondary : bool
        Whether phases 0.3–0.7 leave room for a secondary box.
    phase_sec : float
        Phase of the deepest secondary-zone box in ``scan_sec`` (0.5 when none).
    red : float
        Red-noise factor (≥ 1).
    ev, ev_flat : EventDepths
        Per-transit box depths over the whole duration and over the flat bottom.
    box_depth, box_err, snr : float
        Mean in-transit decrement, its error, and the detection SNR.
    depth, depth_err, depth_sig, trap_err : float
        The depth used (limb-darkened fit, else trapezoid, else box), its error, its
        significance, and the trapezoid depth's error.
    n_expected : int
        Transits predicted in the time span.
    missing : list of int
        Numbers of predicted transits without data.
    """

    data: VettingData
    candidate: TransitCandidate
    others: tuple[TransitCandidate, ...]
    known: tuple[KnownSignal, ...] | None
    star: HostStar | None
    th: Mapping[str, float]
    u1: float
    u2: float
    fit_transit: bool
    masked: tuple[int, int] | None
    n_clipped: int
    sigma: float
    base_level: float
    trap: _core.TrapezoidFit
    fit_ok: bool
    times: TransitTimes | None
    ld: _core.LimbDarkenedFit | None
    ld_ok: bool
    shift: float
    epoch_r: float
    dur: float
    ratio: float
    half: float
    gap: float
    half_out: float
    flat_half: float
    global_base: float | None
    scan: _core.PhaseScan
    scan_sec: _core.PhaseScan
    can_secondary: bool
    phase_sec: float
    red: float
    ev: _core.EventDepths
    ev_flat: _core.EventDepths
    box_depth: float
    box_err: float
    snr: float
    depth: float
    depth_err: float
    depth_sig: float
    trap_err: float
    n_expected: int
    missing: list[int]
    #: the star's pixels (a PixelSeries) and catalogued neighbours, for the difference image
    pixels: Any = None
    pixel_neighbours: tuple[Any, ...] = ()

    # ------------------------------------------------------------------ plain values

    @property
    def time(self) -> np.ndarray:
        return self.data.time

    @property
    def flux(self) -> np.ndarray:
        return self.data.flux

    @property
    def cadence(self) -> float:
        return self.data.cadence

    @property
    def period(self) -> float:
        return self.candidate.period_days

    @property
    def n_obs(self) -> int:
        """Transits with data."""
        return len(self.ev)

    @property
    def w_ph(self) -> float:
        """The duration as a fraction of the orbit."""
        return self.dur / self.period

    @property
    def dur_sec(self) -> float:
        """Duration of the secondary box: at most a quarter of the orbit."""
        return min(self.dur, 0.25 * self.period)

    @property
    def span(self) -> float:
        return float(self.time[-1] - self.time[0])

    def events(self, offset_frac: float, half_in: float, extra_gap: float = 0.0) -> _core.EventDepths:
        """Box depths of each event at phase ``offset_frac`` with half-width ``half_in`` (days)."""
        return _core.event_depths(self.time, self.flux, self.sigma, self.period,
                                  self.epoch_r + offset_frac * self.period, half_in, self.gap + extra_gap,
                                  self.half_out, self.cadence, baseline=self.global_base)

    # ------------------------------------------------------------------ stellar-dependent values

    @cached_property
    def periodic_snr(self) -> float:
        """For a dip too wide to leave baseline flanks (``global_base`` set): the SNR of
        the folded light curve's variation (:func:`~starskope.vetting._core.periodic_snr`);
        NaN for a transit, whose box SNR says it."""
        if self.global_base is None:
            return float("nan")
        return _core.periodic_snr(self.time, self.flux, self.period, self.epoch_r, self.dur, self.cadence)

    @cached_property
    def geometry(self) -> tuple[float, float, float]:
        """(b, a/R★, a/R★ at b = 0) from the trapezoid shape (NaNs without a fit)."""
        if not self.fit_ok:
            return float("nan"), float("nan"), float("nan")
        return shape_geometry(self.trap.depth, self.dur, self.ratio, self.period)

    @cached_property
    def rho_fit(self) -> float:
        """Stellar density implied by the shape's a/R★, g/cm³."""
        return float(physics.stellar_density_from_transit_arrays(self.period, self.geometry[1]))

    @cached_property
    def rho_max(self) -> float:
        """Implied density for a central transit (the largest the shape allows), g/cm³."""
        return float(physics.stellar_density_from_transit_arrays(self.period, self.geometry[2]))

    @cached_property
    def rho_cat(self) -> float:
        """The star's given density, g/cm³ (NaN when unknown)."""
        s = self.star
        return float(s.density.to_value(u.g / u.cm**3)) if s is not None and s.density is not None else float("nan")

    @cached_property
    def ar_cat(self) -> float:
        """a/R★ the given density implies at this period (NaN when unknown)."""
        if not np.isfinite(self.rho_cat):
            return float("nan")
        return float(physics.a_over_rstar_from_density_arrays(self.period, self.rho_cat))

    @cached_property
    def teff(self) -> float:
        """The star's Teff, K (the Sun's when unknown)."""
        s = self.star
        return float(s.teff.to_value(u.K)) if s is not None and s.teff is not None else _SUN_TEFF_K

    @cached_property
    def ar_sec(self) -> float:
        """a/R★ for the occultation limit: the smaller of the catalogued and the shape's."""
        options = [a for a in (self.ar_cat, self.geometry[1]) if np.isfinite(a) and a > 1]
        return min(options) if options else float("nan")

    @cached_property
    def secondary_limit(self) -> float:
        """Deepest planetary occultation (reflected light plus dayside heat), fraction."""
        band = _BAND_CENTRE_NM.get((self.data.mission or "").lower(), 700.0)
        return planet_secondary_limit(self.depth, self.ar_sec, self.teff, band)

    @cached_property
    def radius_earth(self) -> float:
        """Implied companion radius, R⊕: R_p/R★ of the transit fit, else √depth, times R★."""
        s = self.star
        if s is None or s.radius is None:
            return float("nan")
        if self.ld_ok:
            return float((self.ld.rp_rs * s.radius).to_value(u.R_earth))
        if self.depth > 0:
            return float(physics.planet_radius(self.depth * u.dimensionless_unscaled, s.radius).to_value(u.R_earth))
        return float("nan")

    @cached_property
    def too_large(self) -> bool:
        """The implied radius exceeds the ``max_radius_rjup`` threshold."""
        r = self.radius_earth
        return bool(np.isfinite(r) and r > self.th["max_radius_rjup"] * _R_JUP_IN_EARTH)

    @cached_property
    def duration_expected(self) -> float:
        """T14 (days) of a central transit across the given star at this period (NaN without R★, M★)."""
        s = self.star
        if s is None or s.radius is None or s.mass is None:
            return float("nan")
        try:
            rp = self.radius_earth * u.R_earth if np.isfinite(self.radius_earth) else None
            return float(physics.transit_duration(self.period * u.day, s.radius, s.mass, rp, 0.0).to_value(u.day))
        except StarskopeError:
            return float("nan")


# ----------------------------------------------------------------------------- prepare


def _noise(t: np.ndarray, f: np.ndarray, dt0: np.ndarray, dur0: float, cad: float) -> tuple[float, float]:
    """Robust per-point scatter and mean level away from the transits."""
    out0 = np.abs(dt0) > 0.75 * dur0 + cad
    sigma = robust_std(f[out0], min_count=3) if out0.sum() >= 10 else robust_std(f, min_count=3)
    if not (np.isfinite(sigma) and sigma > 0):
        sigma = float(np.std(f)) or 1e-6
    base_level = float(np.mean(f[out0])) if out0.sum() >= 10 else 1.0
    return sigma, base_level


def _scans(t: np.ndarray, f: np.ndarray, sigma: float, period: float, epoch_r: float, dur: float,
           base_level: float) -> dict[str, Any]:
    """Phase scans at the transit and secondary durations, the secondary zone's deepest
    phase, and the red-noise factor."""
    scan = _core.phase_scan(t, f, sigma, period, epoch_r, dur, base_level)
    w_ph = dur / period
    # the secondary box is at most a quarter of the orbit, so that wide (contact-binary)
    # primaries still leave room for it
    dur_sec = min(dur, 0.25 * period)
    scan_sec = scan if dur_sec == dur else _core.phase_scan(t, f, sigma, period, epoch_r, dur_sec, base_level)
    sec_zone = ((scan_sec.phase >= 0.3) & (scan_sec.phase <= 0.7)
                & (_core.phase_distance(scan_sec.phase, 0.0) > 0.5 * (dur + dur_sec) / period))
    z = scan_sec.depth / scan_sec.err
    can_secondary = bool(sec_zone.any())
    if can_secondary:
        i_sec = int(np.flatnonzero(sec_zone)[np.nanargmax(z[sec_zone])])
        phase_sec = float(scan_sec.phase[i_sec])
    else:
        phase_sec = 0.5
    red = _core.red_noise_factor(scan, [(0.0, w_ph), (phase_sec, w_ph), (0.5, w_ph)])
    scan.red_factor = red
    return {"scan": scan, "scan_sec": scan_sec, "can_secondary": can_secondary, "phase_sec": phase_sec, "red": red}


def _secondary_filled(ctx: VettingContext, out: np.ndarray) -> np.ndarray:
    """The flux at ``out`` with the mean dip in the secondary box (the secondary zone's
    deepest phase, :attr:`VettingContext.dur_sec` wide) added back: the out-of-transit
    flux as it would be without a secondary eclipse (a no-op for noise alone, whose box
    mean is ≈ the level around it)."""
    t, f = ctx.time[out], ctx.flux[out]
    in_sec = np.abs(time_from_transit(t, ctx.period, ctx.epoch_r + ctx.phase_sec * ctx.period)) <= 0.5 * ctx.dur_sec
    if in_sec.sum() < 3 or (~in_sec).sum() < 3:
        return f
    filled = f.copy()
    filled[in_sec] += float(np.median(f[~in_sec]) - np.mean(f[in_sec]))
    return filled


def _depths(ctx: VettingContext) -> None:
    """Per-event depths, the detection SNR and the depth used, into ``ctx``."""
    t, period, red = ctx.time, ctx.period, ctx.red
    ctx.ev = ev = ctx.events(0.0, ctx.half)
    ctx.ev_flat = ctx.events(0.0, ctx.flat_half, ctx.half - ctx.flat_half)
    n_obs = len(ev)
    box_depth, box_err_emp = ev.mean()
    _, box_err_white = ev.mean(empirical=False)
    box_err = max(box_err_emp, box_err_white * red)
    # detection SNR as the search defines it: δ / max(white error, σ_T / √N_tr), σ_T the
    # scatter of the out-of-transit flux averaged over one transit duration
    out_far = np.abs(time_from_transit(t, period, ctx.epoch_r)) > ctx.half + ctx.gap
    # with the secondary zone's deepest dip filled in at the level around it: a binary's
    # secondary eclipse is its signal, not the noise the primary is measured against
    # (TIC 378086310: a 1381-ppm secondary made σ_T of a 12.8-h, 2443-ppm primary the
    # scatter of its own eclipses, and the detection SNR 6.6)
    sigma_dur = binned_std(t[out_far], _secondary_filled(ctx, out_far), ctx.dur, ctx.cadence)
    # (the baseline is known from every out-of-transit point, so only the in-transit
    # points count in the white-noise error, as in the search)
    white_in = ctx.sigma / np.sqrt(ev.n_in.sum()) if n_obs else np.nan
    snr_err = np.nanmax([white_in, sigma_dur / np.sqrt(max(n_obs, 1))]) if n_obs else np.nan
    ctx.snr = box_depth / snr_err if snr_err > 0 else float("nan")
    ld, trap = ctx.ld, ctx.trap
    if ctx.ld_ok:
        depth = ld.depth
        # the per-transit scatter (box_err) bounds the error from below, scaled from
        # the mean in-transit decrement to the mid-transit depth
        box_rel = box_err / box_depth if box_depth > 0 else 0.0
        depth_err = max(ld.depth_err * red, box_rel * depth)
    elif ctx.fit_ok:
        depth = trap.depth
        depth_err = max(trap.depth_err * red, box_err)
    else:
        depth, depth_err = box_depth, box_err
    ctx.box_depth, ctx.box_err, ctx.depth, ctx.depth_err = box_depth, box_err, depth, depth_err
    ctx.trap_err = max(trap.depth_err * red, box_err) if ctx.fit_ok else float("nan")
    ctx.depth_sig = depth / depth_err if depth_err > 0 else float("nan")
    # expected vs observed transits
    n_first = int(np.ceil((t[0] - ctx.epoch_r) / period))
    n_last = int(np.floor((t[-1] - ctx.epoch_r) / period))
    ctx.n_expected = max(n_last - n_first + 1, 0)
    observed = set(ev.number.tolist())
    ctx.missing = [n for n in range(n_first, n_last + 1) if n not in observed]


def prepare(
    d: VettingData,
    candidate: TransitCandidate,
    *,
    others: Sequence[TransitCandidate],
    known: Sequence[KnownSignal] | None,
    star: HostStar | None,
    th: Mapping[str, float],
    u1: float,
    u2: float,
    fit_transit: bool,
    masked: tuple[int, int] | None,
    n_clipped: int,
) -> VettingContext:
    """Measure what the diagnostics share (see :class:`VettingContext`).

    ``d`` is the light curve with other candidates' transits and bright outliers
    already left out.

    Raises
    ------
    LightCurveDataError
        No cadence inside any predicted transit of the candidate.
    """
    t, f = d.time, d.flux
    cad = d.cadence
    period, epoch, dur0 = candidate.period_days, candidate.epoch_bjd, candidate.duration_days
    dt0 = time_from_transit(t, period, epoch)
    if not (np.abs(dt0) < 0.5 * dur0).any():
        raise LightCurveDataError(
            f"no cadence falls inside any predicted transit of P = {period:.6f} d, "
            f"T0 = BJD {epoch:.5f}, T14 = {dur0 * 24:.2f} h; check the epoch's time system"
        )
    sigma, base_level = _noise(t, f, dt0, dur0, cad)

    # shape: trapezoid fit (refines mid-transit time and duration)
    trap = _core.fit_trapezoid(dt0, f, sigma, dur0, period, cad)
    fit_ok = bool(np.isfinite(trap.depth) and trap.depth > 3 * trap.depth_err)
    shift = trap.shift if fit_ok else 0.0
    # refer the epoch to the transit nearest the middle of the data (what was measured)
    n_mid = int(np.round((0.5 * (t[0] + t[-1]) - epoch) / period))
    epoch_r = epoch + shift + n_mid * period
    # transit times: when they wander off a straight line, the fold smears; the shape,
    # duration and depth are then fitted on the transits aligned on their own times
    times = measure_transit_times(t, f, sigma, period, epoch + shift, trap, cad) if fit_ok else None
    fitted = (fit_aligned(t, f, sigma, period, epoch + shift, times, trap, cad, sigma_threshold=th["ttv_sigma"])
              if times is not None else None)
    dt_fit = dt0
    if fitted is not None:
        times, dt_fit, trap = fitted
    dur = trap.duration if fit_ok else dur0
    ratio = trap.ingress_ratio if fit_ok else 0.0
    # depth: limb-darkened transit fit (batman) around the trapezoid's solution
    ld = _core.fit_limb_darkened(dt_fit, f, sigma, period, cad, trap, u1=u1, u2=u2) if fit_ok and fit_transit else None
    ld_ok = bool(ld is not None and ld.converged and ld.depth > 3 * ld.depth_err)

    # windows for per-event measurements
    half = 0.5 * dur
    gap = max(0.25 * dur, cad)
    half_out = max(dur, 3 * cad)
    # a dip too wide to leave baseline flanks inside the period (contact binaries,
    # folds at half an EB's period) is measured against the global out-of-dip level
    global_base = base_level if half + gap + half_out > 0.45 * period else None
    nan = float("nan")
    ctx = VettingContext(
        data=d, candidate=candidate, others=tuple(others), known=None if known is None else tuple(known), star=star, th=th, u1=u1, u2=u2,
        fit_transit=fit_transit, masked=masked, n_clipped=n_clipped, sigma=sigma, base_level=base_level,
        trap=trap, fit_ok=fit_ok, times=times, ld=ld, ld_ok=ld_ok, shift=shift, epoch_r=epoch_r, dur=dur, ratio=ratio,
        half=half, gap=gap, half_out=half_out, flat_half=max(half * (1 - 2 * ratio), 0.5 * half),
        global_base=global_base, **_scans(t, f, sigma, period, epoch_r, dur, base_level),
        ev=None, ev_flat=None, box_depth=nan, box_err=nan, snr=nan, depth=nan,  # type: ignore[arg-type]
        depth_err=nan, depth_sig=nan, trap_err=nan, n_expected=0, missing=[],
    )
    _depths(ctx)
    return ctx

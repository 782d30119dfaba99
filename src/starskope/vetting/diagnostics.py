"""The vetting diagnostics, one function each, registered by name.

Each diagnostic reads the shared :class:`~starskope.vetting.context.VettingContext` of a
candidate and returns :class:`Findings`: the :class:`~starskope.vetting.report.Diagnostic`
lines it measured and the :class:`~starskope.vetting.report.Flag` s it raises.
:func:`~starskope.vetting.vet` runs them in :data:`DIAGNOSTIC_ORDER` (or the chosen
subset, in that order) and keeps the first reason given for each flag.

===========================  ===================================================================
``transit_fit``              period, refined epoch, depth (limb-darkened fit, else trapezoid,
                             else box), its error, R_p/R★, mean depth, duration, SNR,
                             red-noise factor, transit-timing variations (each transit timed:
                             O − C scatter and significance; :mod:`starskope.vetting.timing`)
``cadences_left_out``        cadences left out for other candidates and bright outliers
``depth_significance``       is there a dip at all (``NOT_TRANSIT_LIKE``); for a dip too wide
                             for baseline flanks, the SNR of the whole fold's variation
``uniqueness``               model-shift test: the dip beats every other dip and brightening
                             by the false-alarm level (``NOT_TRANSIT_LIKE``)
``sine_test``                a transit fits better than a two-harmonic sine (``NOT_TRANSIT_LIKE``)
``single_event``             one event carries most of the signal (``NOT_TRANSIT_LIKE``)
``transits_in_gaps``         transits seen, predicted, and fallen in data gaps
``odd_even``                 odd and even depths differ (``ODD_EVEN``)
``secondary``                a secondary eclipse too deep for a planet and standing out from the
                             fold's other dips (``SIGNIFICANT_SECONDARY``)
``shape``                    V-shaped rather than flat-bottomed (``V_SHAPED``)
``density``                  a/R★, b and the implied stellar density against the star's
                             (``DENSITY_MISMATCH``)
``duration``                 T14 against a central transit of the star (``DENSITY_MISMATCH``)
``radius``                   implied companion radius (``TOO_LARGE``)
``period_alias``             P/2, P/3, 2P or 3P fits better
``centroid``                 the light centroid moves in transit (``CENTROID_OFFSET``)
``difference_image``         with pixels: the stacked in-minus-out-of-transit image puts the
                             dip's source off the target (``CENTROID_OFFSET``;
                             :mod:`starskope.vetting.difference`)
``ephemeris_match``          a known EB, a neighbour's signal, or a harmonic of a stronger
                             candidate (``EPHEMERIS_MATCH``)
===========================  ===================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import astropy.units as u
import numpy as np
from scipy import special

from .. import physics
from ..registry import Registry
from ..scatter import point_to_point_std, robust_std
from ..search.candidate import TransitCandidate
from ..search.folding import time_from_transit
from . import _core
from .context import _R_JUP_IN_EARTH, VettingContext
from .known import match_known
from .report import Diagnostic, Flag
from .timing import MATERIAL_SCATTER, MIN_EVENT_SNR

__all__ = ["DIAGNOSTICS", "DIAGNOSTIC_ORDER", "DiagnosticFunction", "Findings"]

_PIXEL_ARCSEC = {"kepler": 3.98, "k2": 3.98, "tess": 21.0}


@dataclass
class Findings:
    """What one diagnostic found: evidence lines and the flags it raises."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    #: measurements kept whole for figures (e.g. ``"difference_image"``), by name
    products: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, value: Any, unit: str, threshold: float | None, verdict: str, reason: str,
            label: str = "") -> None:
        """Add a :class:`Diagnostic` line."""
        self.diagnostics.append(Diagnostic(name, value, unit, threshold, verdict, reason, label))

    def flag(self, name: str, reason: str, diagnostic: str) -> None:
        """Raise the flag ``name`` (once: the first reason is kept)."""
        if name not in [f.name for f in self.flags]:
            self.flags.append(Flag(name, reason, diagnostic))


#: A diagnostic: reads the shared state of one candidate, returns what it found.
DiagnosticFunction = Callable[[VettingContext], Findings]

#: The diagnostics by name.
DIAGNOSTICS: Registry[DiagnosticFunction] = Registry("vetting diagnostic")

#: The order :func:`~starskope.vetting.vet` runs them in (the order of the report's lines).
DIAGNOSTIC_ORDER: tuple[str, ...] = (
    "transit_fit", "cadences_left_out", "depth_significance", "uniqueness", "sine_test", "single_event",
    "transits_in_gaps", "odd_even", "secondary", "shape", "density", "duration", "radius", "period_alias",
    "centroid", "difference_image", "ephemeris_match",
)


def _fmt_sigma(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.1f}σ"


def _significant_dip(ctx: VettingContext) -> bool:
    return bool(ctx.depth_sig >= ctx.th["min_depth_sigma"])


# ----------------------------------------------------------------------------- measurements


@DIAGNOSTICS.register("transit_fit")
def transit_fit(ctx: VettingContext) -> Findings:
    """Period, refined epoch, depth and its error, trapezoid and limb-darkened fits, mean
    depth, duration, SNR and red-noise factor (no flag)."""
    out = Findings()
    period, depth, depth_err, red, ld, trap = ctx.period, ctx.depth, ctx.depth_err, ctx.red, ctx.ld, ctx.trap
    out.add("period", period * u.day, "d", None, "neutral", f"orbital period {period:.6f} d", "Period")
    out.add("epoch", ctx.epoch_r, "BJD_TDB", None, "neutral",
            f"mid-transit BJD_TDB {ctx.epoch_r:.5f}, the transit nearest the middle of the data "
            f"(the fit moved it {ctx.shift * 24 * 60:+.1f} min from the given ephemeris)", "Epoch")
    if ctx.ld_ok:
        depth_text = (f"limb-darkened transit fit: largest depth {depth * 1e6:.0f} ± {depth_err * 1e6:.0f} ppm "
                      f"at mid-transit (quadratic u1 = {ctx.u1:.2f}, u2 = {ctx.u2:.2f})")
    elif ctx.fit_ok:
        why = ld.message if ld is not None else "not attempted"
        if ld is not None and ld.converged:
            why = f"depth only {ld.depth / ld.depth_err:.1f}σ"
        depth_text = (f"trapezoid-fit depth {depth * 1e6:.0f} ± {depth_err * 1e6:.0f} ppm "
                      f"(limb-darkened transit fit not used: {why})")
    else:
        depth_text = f"box depth {depth * 1e6:.0f} ± {depth_err * 1e6:.0f} ppm (trapezoid fit not significant)"
    out.add("depth", depth * 1e6 * physics.ppm, "ppm", None, "neutral", depth_text, "Depth")
    out.add("depth_err", depth_err * 1e6 * physics.ppm, "ppm", None, "neutral",
            f"1σ depth error including correlated noise (red-noise factor {red:.2f})", "Depth error")
    out.add("depth_trapezoid", (trap.depth if ctx.fit_ok else float("nan")) * 1e6 * physics.ppm, "ppm", None,
            "neutral",
            (f"trapezoid-fit depth {trap.depth * 1e6:.0f} ± {ctx.trap_err * 1e6:.0f} ppm (flat bottom, "
             f"τ/T14 = {ctx.ratio:.2f})" if ctx.fit_ok else "trapezoid fit not significant"), "Depth (trapezoid)")
    if ld is not None and np.isfinite(ld.rp_rs):
        ld_text = (f"limb-darkened transit fit ({'used' if ctx.ld_ok else 'not used: ' + ld.message}): "
                   f"R_p/R★ = {ld.rp_rs:.4f} ± {ld.rp_rs_err:.4f}, b = {ld.impact:.2f}, a/R★ = {ld.a_rs:.1f}, "
                   f"T14 = {ld.duration * 24:.2f} h, Δχ² against the trapezoid {ld.chi2 - ld.chi2_trapezoid:+.1f} "
                   f"over {ld.n_points} cadences")
    else:
        why = ld.message if ld is not None else ("not asked for" if not ctx.fit_transit else "no significant dip")
        ld_text = f"no limb-darkened transit fit ({why})"
    out.add("rp_over_rstar", float(ld.rp_rs) if ld is not None else float("nan"), "", None, "neutral", ld_text,
            "R_p / R★ (transit fit)")
    out.add("depth_mean", ctx.box_depth * 1e6 * physics.ppm, "ppm", None, "neutral",
            f"mean in-transit flux decrement {ctx.box_depth * 1e6:.0f} ppm over the full duration", "Mean depth")
    out.add("duration", ctx.dur * 24 * u.hour, "h", None, "neutral",
            f"total duration T14 = {ctx.dur * 24:.2f} h" + (" (fitted)" if ctx.fit_ok else " (as given)"), "Duration")
    out.add("snr", float(ctx.snr), "", None, "neutral",
            f"SNR {ctx.snr:.1f} = mean depth over its error ({ctx.n_obs} transits; the larger of the white-noise "
            "error and the scatter of the out-of-transit flux averaged over one transit duration, any secondary "
            "eclipse filled in)", "SNR")
    out.add("red_noise_factor", float(red), "", None, "neutral",
            f"box depths away from the transit scatter {red:.2f}× more than white noise predicts", "Red-noise factor")
    _timing_line(ctx, out)
    return out


def _timing_line(ctx: VettingContext, out: Findings) -> None:
    """The transit-timing evidence: how far the transits' own times stray from a linear
    ephemeris, and whether the shape was fitted on them aligned."""
    times, label = ctx.times, "Transit-timing variations"
    if times is None:
        out.add("ttv_sigma", float("nan"), "sigma", ctx.th["ttv_sigma"], "neutral",
                "transits not timed one by one (fewer than five with enough cadences, or too wide a dip)", label)
        out.add("ttv_rms", float("nan") * u.min, "min", None, "neutral", "transits not timed",
                "Transit-timing scatter")
        return
    rms_min = times.rms * 24 * 60
    text = (f"{times.number.size} transits timed: O − C scatter {rms_min:.1f} min about the best linear ephemeris "
            f"(median error {np.median(times.err) * 24 * 60:.1f} min; χ² = {times.chi2:.0f} for {times.dof} dof, "
            f"{times.significance:.1f}σ)")
    if times.aligned:
        text += ("; the transit times vary, so the shape, duration and depth were fitted on the transits "
                 "aligned on their own times")
    elif times.significance < ctx.th["ttv_sigma"]:
        text += "; consistent with a linear ephemeris"
    elif times.event_snr < MIN_EVENT_SNR:
        text += (f"; but one transit alone reaches only SNR {times.event_snr:.1f} (under {MIN_EVENT_SNR:g}): "
                 "too faint to time, so the fold on one period stands")
    elif times.rms < MATERIAL_SCATTER * ctx.dur:
        text += f"; too little to smear the fold (under {MATERIAL_SCATTER:.0%} of T14)"
    else:
        text += "; the shape is fitted on the fold on one period (the aligned fit did not hold)"
    out.add("ttv_sigma", float(times.significance), "sigma", ctx.th["ttv_sigma"], "neutral", text, label)
    out.add("ttv_rms", times.rms * 24 * 60 * u.min, "min", None, "neutral",
            f"O − C scatter of the transit times {rms_min:.1f} min", "Transit-timing scatter")
    out.products["transit_times"] = times


@DIAGNOSTICS.register("cadences_left_out")
def cadences_left_out(ctx: VettingContext) -> Findings:
    """Cadences left out before vetting: in other candidates' transits, and bright outliers."""
    out = Findings()
    if ctx.masked:
        out.add("others_masked", float(ctx.masked[0]), "", None, "neutral",
                f"{ctx.masked[0]} cadences in the transits of {ctx.masked[1]} other candidate(s) of this star "
                "were left out", "Cadences masked (other candidates)")
    clip = ctx.th["clip_sigma"]
    out.add("clipped", float(ctx.n_clipped), "", clip, "neutral",
            f"{ctx.n_clipped} cadences more than {clip:g}σ above the median (flares, cosmic rays) left out",
            "Bright outliers left out")
    return out


# ----------------------------------------------------------------------------- transit-likeness


@DIAGNOSTICS.register("depth_significance")
def depth_significance(ctx: VettingContext) -> Findings:
    """Is there a dip at this ephemeris: depth over its red-noise error (``NOT_TRANSIT_LIKE``)."""
    out = Findings()
    th_dep, depth_sig = ctx.th["min_depth_sigma"], ctx.depth_sig
    if not _significant_dip(ctx):
        reason = (f"no significant dip at this ephemeris: depth {ctx.depth * 1e6:.0f} ± {ctx.depth_err * 1e6:.0f} "
                  f"ppm ({_fmt_sigma(depth_sig)} < {th_dep:g}σ)")
        out.add("depth_significance", float(depth_sig), "sigma", th_dep, "not planet", reason, "Depth significance")
        out.flag("NOT_TRANSIT_LIKE", reason, "depth_significance")
    else:
        out.add("depth_significance", float(depth_sig), "sigma", th_dep, "planet",
                f"dip detected at {depth_sig:.1f}σ including correlated noise", "Depth significance")
    p_snr = ctx.periodic_snr
    out.add("periodic_snr", float(p_snr), "", None, "neutral",
            (f"the dip leaves no flat baseline within the orbit; the folded light curve varies at SNR {p_snr:.1f} "
             "(residual noise about the fold, red noise included)") if np.isfinite(p_snr)
            else "a transit with baseline on both sides: its box SNR measures it", "Periodic SNR (wide dips)")
    return out


@DIAGNOSTICS.register("uniqueness")
def uniqueness(ctx: VettingContext) -> Findings:
    """Model-shift uniqueness (Coughlin et al. 2016; Thompson et al. 2018): with white-noise
    significances, the primary must beat the next dip and the strongest brightening by the
    false-alarm level of one of P/T14 independent boxes (``NOT_TRANSIT_LIKE``)."""
    out = Findings()
    scan, w_ph = ctx.scan, ctx.w_ph
    sig = scan.depth / scan.err
    prim = _core.phase_distance(scan.phase, 0.0) <= 0.5 * w_ph + scan.box_phase / 2
    s_pri = float(np.nanmax(sig[prim])) if prim.any() else float("nan")
    away = _core.phase_distance(scan.phase, 0.0) > w_ph
    ter_zone = away & (_core.phase_distance(scan.phase, ctx.phase_sec) > w_ph)
    s_ter, ph_ter = ((float(np.nanmax(sig[ter_zone])), float(scan.phase[ter_zone][np.nanargmax(sig[ter_zone])]))
                     if ter_zone.any() else (float("nan"), float("nan")))
    # brightenings from bin medians, so that flares (short spikes) do not pose as them
    scan_med = _core.phase_scan(ctx.time, ctx.flux, ctx.sigma, ctx.period, ctx.epoch_r, ctx.dur, ctx.base_level,
                                robust=True)
    away_m = _core.phase_distance(scan_med.phase, 0.0) > w_ph
    sig_m = scan_med.depth / scan_med.err
    s_pos, ph_pos = ((float(np.nanmax(-sig_m[away_m])), float(scan_med.phase[away_m][np.nanargmax(-sig_m[away_m])]))
                     if away_m.any() else (float("nan"), float("nan")))
    th_u = float(np.sqrt(2.0) * special.erfcinv(min(w_ph, 1.0))) + ctx.th["uniqueness_sigma"]
    margin = min(s_pri - s_ter if np.isfinite(s_ter) else np.inf, s_pri - s_pos if np.isfinite(s_pos) else np.inf)
    label = "Uniqueness (model shift)"
    if np.isfinite(s_ter) and s_pri - s_ter < th_u and _significant_dip(ctx):
        reason = (f"the dip is not unique: another dip of {s_ter:.1f}σ at phase {ph_ter:.2f} is within "
                  f"{th_u:.1f}σ (the false-alarm level) of the primary's {s_pri:.1f}σ")
        out.add("uniqueness", float(margin), "sigma", th_u, "not planet", reason, label)
        out.flag("NOT_TRANSIT_LIKE", reason, "uniqueness")
    elif np.isfinite(s_pos) and s_pri - s_pos < th_u and _significant_dip(ctx):
        reason = (f"brightenings as strong as the dip: a {s_pos:.1f}σ rise at phase {ph_pos:.2f} against the "
                  f"primary's {s_pri:.1f}σ (variability, not a transit)")
        out.add("uniqueness", float(margin), "sigma", th_u, "not planet", reason, label)
        out.flag("NOT_TRANSIT_LIKE", reason, "uniqueness")
    else:
        out.add("uniqueness", float(margin) if np.isfinite(margin) else float("nan"), "sigma", th_u,
                "planet" if np.isfinite(margin) else "neutral",
                f"the primary ({_fmt_sigma(s_pri)}) stands above every other dip ({_fmt_sigma(s_ter)}) and "
                f"brightening ({_fmt_sigma(s_pos)}) in the folded light curve" if np.isfinite(margin)
                else "too few phases to test uniqueness", label)
    return out


@DIAGNOSTICS.register("sine_test")
def sine_test(ctx: VettingContext) -> Findings:
    """A transit must fit the folded light curve better than a two-harmonic sine wave at the
    period (``NOT_TRANSIT_LIKE``: stellar variability)."""
    out = Findings()
    chi_t, chi_s = _core.sine_versus_transit(ctx.time, ctx.flux, ctx.sigma, ctx.period, ctx.epoch_r, ctx.dur,
                                             ctx.ratio)
    d_sine = (chi_s - chi_t) / ctx.red**2
    th_s = ctx.th["sine_dchi2"]
    label = "Transit vs sine (Δχ²)"
    if _significant_dip(ctx) and d_sine < th_s:
        reason = (f"a sine wave at the period fits the folded light curve as well as a transit "
                  f"(Δχ² = {d_sine:.1f}): stellar variability, not a transit")
        out.add("sine_test", float(d_sine), "", th_s, "not planet", reason, label)
        out.flag("NOT_TRANSIT_LIKE", reason, "sine_test")
    else:
        out.add("sine_test", float(d_sine), "", th_s, "planet" if d_sine >= th_s else "neutral",
                f"a transit fits the folded light curve better than a sine wave by Δχ² = {d_sine:.1f}", label)
    return out


@DIAGNOSTICS.register("single_event")
def single_event(ctx: VettingContext) -> Findings:
    """Share of the signal (SNR²) carried by the strongest single transit; with ≥ 3 transits
    one event may not carry most of it (``NOT_TRANSIT_LIKE``: a glitch)."""
    out = Findings()
    ev, n_obs = ctx.ev, ctx.n_obs
    pos = ev.depth > 0
    snr2 = np.where(pos, (ev.depth / ev.err) ** 2, 0.0)
    frac = float(snr2.max() / snr2.sum()) if snr2.sum() > 0 else float("nan")
    th_se = ctx.th["single_event_fraction"]
    label = "Largest single-event share"
    if n_obs >= 3 and np.isfinite(frac) and frac > th_se:
        reason = (f"one event (transit {int(ev.number[np.argmax(snr2)])}) carries {frac:.0%} of the signal "
                  f"of {n_obs} transits: a single glitch, not a periodic transit")
        out.add("single_event_fraction", frac, "", th_se, "not planet", reason, label)
        out.flag("NOT_TRANSIT_LIKE", reason, "single_event_fraction")
    else:
        out.add("single_event_fraction", frac, "", th_se, "neutral" if n_obs < 3 else "planet",
                (f"the largest single transit carries {frac:.0%} of the signal" if np.isfinite(frac)
                 else "no positive single-transit depth"), label)
    return out


@DIAGNOSTICS.register("transits_in_gaps")
def transits_in_gaps(ctx: VettingContext) -> Findings:
    """Transits with data, transits predicted in the time span, and those in data gaps (no flag)."""
    out = Findings()
    n_obs, missing, n_expected = ctx.n_obs, ctx.missing, ctx.n_expected
    gaps_text = ", ".join(str(n) for n in missing[:8]) + ("…" if len(missing) > 8 else "")
    out.add("n_transits", float(n_obs), "", 2.0, "neutral" if n_obs >= 2 else "not planet",
            f"{n_obs} transits with data" + ("; one transit does not fix the period" if n_obs < 2 else ""),
            "Transits with data")
    out.add("transits_expected", float(n_expected), "", None, "neutral",
            f"{n_expected} transits predicted in the {ctx.span:.1f}-day span", "Transits predicted")
    out.add("transits_in_gaps", float(len(missing)), "", None, "neutral",
            (f"{len(missing)} of {n_expected} predicted transits fall in data gaps (numbers {gaps_text})"
             if missing else "every predicted transit has data"), "Transits in gaps")
    return out


# ----------------------------------------------------------------------------- eclipsing binaries


@DIAGNOSTICS.register("odd_even")
def odd_even(ctx: VettingContext) -> Findings:
    """Flat-bottom depths of odd and even transits (``ODD_EVEN``: an EB at twice the period)."""
    out = Findings()
    odd = ctx.ev_flat.subset(ctx.ev_flat.number % 2 == 1)
    even = ctx.ev_flat.subset(ctx.ev_flat.number % 2 == 0)
    th_oe = ctx.th["odd_even_sigma"]
    label = "Odd/even depth difference"
    if not (len(odd) and len(even)):
        out.add("odd_even", float("nan"), "sigma", th_oe, "neutral",
                "odd/even test needs at least one odd and one even transit", label)
        return out
    d_o, e_o = odd.mean()
    d_e, e_e = even.mean()
    _, e_ow = odd.mean(empirical=False)
    _, e_ew = even.mean(empirical=False)
    e_o, e_e = max(e_o, e_ow * ctx.red), max(e_e, e_ew * ctx.red)
    oe = abs(d_o - d_e) / np.hypot(e_o, e_e)
    txt = (f"odd depth {d_o * 1e6:.0f} ± {e_o * 1e6:.0f} ppm, even {d_e * 1e6:.0f} ± {e_e * 1e6:.0f} ppm: "
           f"they differ by {oe:.1f}σ")
    if oe > th_oe:
        reason = f"{txt}: eclipsing binary at twice the period ({2 * ctx.period:.5f} d)"
        out.add("odd_even", float(oe), "sigma", th_oe, "not planet", reason, label)
        out.flag("ODD_EVEN", reason, "odd_even")
    else:
        out.add("odd_even", float(oe), "sigma", th_oe, "planet", f"{txt}, consistent", label)
    out.add("odd_depth", d_o * 1e6 * physics.ppm, "ppm", None, "neutral", f"mean depth of {len(odd)} odd transits",
            "Odd depth")
    out.add("even_depth", d_e * 1e6 * physics.ppm, "ppm", None, "neutral",
            f"mean depth of {len(even)} even transits", "Even depth")
    return out


def _secondary_measurement(ctx: VettingContext) -> tuple[float, _core.EventDepths, _core.EventDepths]:
    """(refined secondary phase, its box depths, the box depths at phase 0.5)."""
    empty = _core.EventDepths(*(np.zeros(0) for _ in range(6)))
    phase_sec, dur_sec, ratio = ctx.phase_sec, ctx.dur_sec, ctx.ratio
    if not ctx.can_secondary:
        return phase_sec, empty, empty
    # refine the phase on a grid 4× finer than the scan, measuring the flat part
    best = (-np.inf, phase_sec)
    for dph in np.linspace(-0.5, 0.5, 9) * ctx.scan_sec.box_phase / 2:
        e = ctx.events(phase_sec + dph, max(0.5 * dur_sec * (1 - 2 * ratio), 0.25 * dur_sec))
        if len(e):
            m, err = e.mean(empirical=False)
            if m / err > best[0]:
                best = (m / err, phase_sec + dph)
    phase_sec = float(best[1] % 1.0)
    sec_half = max(0.5 * dur_sec * (1 - 2 * ratio), 0.25 * dur_sec)
    return phase_sec, ctx.events(phase_sec, sec_half), ctx.events(0.5, 0.5 * dur_sec)


def _rival_dip(ctx: VettingContext, phase_sec: float) -> tuple[str, float]:
    """Why the secondary-zone dip is not an eclipse (words; empty: it is one), and the rival
    dip's significance (σ; NaN when none rivals it): another dip of
    the fold, away from the primary and from it, significant itself (above the
    ``secondary_sigma`` threshold), is within the false-alarm level of one of P/T boxes —
    √2·erfc⁻¹(T/P), the Robovetter's model-shift margin (Coughlin et al. 2016) — of its
    significance (white noise, both). A secondary eclipse is the fold's second dip;
    variability the detrending left, or another planet's transits, make several alike."""
    scan = ctx.scan_sec
    w_sec = scan.box_phase
    z = scan.depth / scan.err
    near = _core.phase_distance(scan.phase, phase_sec) <= 0.5 * w_sec
    others = ((_core.phase_distance(scan.phase, 0.0) > 0.5 * ctx.w_ph + w_sec)
              & (_core.phase_distance(scan.phase, phase_sec) > w_sec) & np.isfinite(z))
    if not (near.any() and others.any()):
        return "", float("nan")
    s_sec = float(np.nanmax(z[near]))
    i = int(np.flatnonzero(others)[np.argmax(z[others])])
    s_other = float(z[i])
    margin = float(np.sqrt(2.0) * special.erfcinv(min(w_sec, 1.0)))
    if s_sec - s_other > margin or not s_other > ctx.th["secondary_sigma"]:
        return "", float("nan")
    return (f"not a secondary eclipse: another dip of {s_other:.1f}σ at phase {scan.phase[i]:.2f} is within "
            f"{margin:.1f}σ (the false-alarm level) of its {s_sec:.1f}σ (white noise)"), s_other


@DIAGNOSTICS.register("secondary")
def secondary(ctx: VettingContext) -> Findings:
    """The deepest dip at phases 0.3–0.7 against the deepest occultation a planet can make
    (reflected light plus dayside heat), if no other dip of the fold rivals it
    (:func:`_rival_dip`) (``SIGNIFICANT_SECONDARY``)."""
    out = Findings()
    red, depth, period = ctx.red, ctx.depth, ctx.period
    phase_sec, ev_sec, ev_half = _secondary_measurement(ctx)
    sec_d, sec_e = ev_sec.mean()
    _, sec_ew = ev_sec.mean(empirical=False)
    sec_e = max(sec_e, sec_ew * red) if len(ev_sec) else float("nan")
    sec_sig = sec_d / sec_e if len(ev_sec) and sec_e > 0 else float("nan")
    half_d, half_e = ev_half.mean()
    _, half_ew = ev_half.mean(empirical=False)
    half_e = max(half_e, half_ew * red) if len(ev_half) else float("nan")
    sec_limit = ctx.secondary_limit
    th_ss = ctx.th["secondary_sigma"]
    label = "Secondary eclipse significance"
    sec_text = (f"deepest dip at phase {phase_sec:.3f}: {sec_d * 1e6:.0f} ± {sec_e * 1e6:.0f} ppm ({_fmt_sigma(sec_sig)})"
                if len(ev_sec) else "no data at phases 0.3–0.7" if ctx.can_secondary
                else f"the dip spans {ctx.w_ph:.0%} of the orbit: no room to look for a secondary eclipse")
    rival_sigma = float("nan")
    if len(ev_sec) and sec_sig > th_ss:
        pri_flat, pri_flat_e = ctx.ev_flat.mean()
        same_as_primary = (abs(sec_d - pri_flat) < 3 * np.hypot(sec_e, pri_flat_e)
                           and abs(sec_d - pri_flat) < 0.1 * pri_flat and abs(phase_sec - 0.5) < ctx.w_ph)
        if same_as_primary:
            out.add("secondary", float(sec_sig), "sigma", th_ss, "neutral",
                    f"{sec_text}, as deep as the primary: the true period is probably P/2 = {period / 2:.5f} d", label)
        elif (rival := _rival_dip(ctx, phase_sec))[0]:
            rival_sigma = rival[1]
            out.add("secondary", float(sec_sig), "sigma", th_ss, "neutral", f"{sec_text}; {rival[0]}", label)
        elif (np.isfinite(sec_limit) and sec_d < sec_limit + 3 * sec_e and not ctx.too_large
              and sec_d < 0.2 * depth and (depth < 0.05 or np.isfinite(ctx.radius_earth)) and ctx.ar_sec >= 2.0):
            out.add("secondary", float(sec_sig), "sigma", th_ss, "neutral",
                    f"{sec_text}; a hot planet's reflected light and heat allow up to {sec_limit * 1e6:.0f} ppm: "
                    "consistent with a planetary occultation", label)
        else:
            limit_txt = (f", more than a planet's reflected light and heat allow ({sec_limit * 1e6:.0f} ppm)"
                         if np.isfinite(sec_limit) else "")
            reason = f"significant secondary eclipse: {sec_text}{limit_txt}: an eclipsing binary"
            out.add("secondary", float(sec_sig), "sigma", th_ss, "not planet", reason, label)
            out.flag("SIGNIFICANT_SECONDARY", reason, "secondary")
    else:
        out.add("secondary", float(sec_sig), "sigma", th_ss, "planet" if len(ev_sec) else "neutral",
                f"{sec_text}: no significant secondary eclipse" if len(ev_sec) else sec_text, label)
    out.add("secondary_rival", rival_sigma, "sigma", None, "neutral",
            "another dip of the fold as significant as the deepest at phases 0.3–0.7 (white noise): that "
            "one is no secondary eclipse" if np.isfinite(rival_sigma)
            else "no other dip of the fold rivals a secondary eclipse", "Rival dip")
    out.add("secondary_depth", sec_d * 1e6 * physics.ppm, "ppm", None, "neutral",
            f"box depth at phase {phase_sec:.3f}", "Secondary depth")
    out.add("secondary_phase", float(phase_sec), "", None, "neutral",
            "phase of the deepest dip between 0.3 and 0.7", "Secondary phase")
    out.add("secondary_depth_half", half_d * 1e6 * physics.ppm, "ppm", None, "neutral",
            f"box depth at phase 0.5 (circular orbit): {half_d * 1e6:.0f} ± {half_e * 1e6:.0f} ppm"
            if len(ev_half) else "no data at phase 0.5", "Depth at phase 0.5")
    out.add("secondary_limit", sec_limit * 1e6 * physics.ppm, "ppm", None, "neutral",
            "deepest planetary occultation (albedo 1 plus dayside heat)" if np.isfinite(sec_limit)
            else "needs a/R★", "Planetary occultation limit")
    half_limit = max(half_d, 0.0) + 3.0 * half_e if len(ev_half) else float("nan")
    out.add("secondary_half_limit", half_limit * 1e6 * physics.ppm, "ppm", None, "neutral",
            f"no eclipse at phase 0.5 deeper than this (3σ): {half_limit / depth:.1%} of the primary's depth"
            if np.isfinite(half_limit) and depth > 0 else "no data at phase 0.5", "Eclipse at phase 0.5, 3σ limit")
    return out


@DIAGNOSTICS.register("shape")
def shape(ctx: VettingContext) -> Findings:
    """Trapezoid ingress share and V- against U-shape Δχ² (``V_SHAPED``: a grazing EB)."""
    out = Findings()
    fit_ok, ratio, trap = ctx.fit_ok, ctx.ratio, ctx.trap
    th_v = ctx.th["v_shape_dchi2"]
    dchi2 = (trap.chi2_u - trap.chi2_v) / ctx.red**2 if fit_ok else float("nan")
    out.add("ingress_ratio", float(ratio) if fit_ok else float("nan"), "", 0.25, "neutral",
            (f"ingress/total duration τ/T14 = {ratio:.2f} (0 box, 0.5 V)" if fit_ok else "no trapezoid fit"),
            "Ingress / duration")
    label = "V-shape statistic (Δχ²)"
    if fit_ok and dchi2 > th_v and ratio >= 0.35:
        reason = (f"V-shaped: a V (τ/T14 ≥ 0.4) fits better than any flat-bottomed transit by Δχ² = {dchi2:.1f} "
                  f"(τ/T14 = {ratio:.2f}): a grazing eclipsing binary")
        out.add("shape", float(dchi2), "", th_v, "not planet", reason, label)
        out.flag("V_SHAPED", reason, "shape")
    else:
        out.add("shape", float(dchi2), "", th_v, "planet" if fit_ok and dchi2 < 0 else "neutral",
                (f"flat-bottomed or undecided: Δχ²(U − V) = {dchi2:.1f}, τ/T14 = {ratio:.2f}" if fit_ok
                 else "shape not measurable"), label)
    return out


# ----------------------------------------------------------------------------- the star


@DIAGNOSTICS.register("density")
def density(ctx: VettingContext) -> Findings:
    """Impact parameter and a/R★ from the trapezoid shape (Seager & Mallén-Ornelas 2003), the
    stellar density they imply, and its ratio to the star's (``DENSITY_MISMATCH``)."""
    out = Findings()
    b_fit, ar_fit, _ar_0 = ctx.geometry
    rho_fit, rho_max, rho_cat = ctx.rho_fit, ctx.rho_max, ctx.rho_cat
    out.add("impact_parameter", float(b_fit), "", None, "neutral",
            "impact parameter from the trapezoid shape (Seager & Mallén-Ornelas 2003)" if np.isfinite(b_fit)
            else "not measurable", "Impact parameter")
    out.add("a_over_rstar", float(ar_fit), "", None, "neutral",
            f"a/R★ = {ar_fit:.2f} from duration, depth and shape" if np.isfinite(ar_fit) else "not measurable",
            "a / R★")
    th_rho = ctx.th["density_ratio_max"]
    rho_ratio = rho_fit / rho_cat if np.isfinite(rho_fit) and np.isfinite(rho_cat) else float("nan")
    dens_reason = (f"implied stellar density {rho_fit:.2f} g/cm³ (at most {rho_max:.2f} for a central transit)"
                   if np.isfinite(rho_fit) else "implied density not measurable")
    if np.isfinite(rho_cat):
        dens_reason += f"; catalogue {rho_cat:.2f} g/cm³"
    verdict = "neutral"
    if np.isfinite(rho_ratio) and ctx.snr >= ctx.th["density_min_snr"]:
        if rho_ratio > th_rho or rho_max / rho_cat < 1.0 / th_rho:
            verdict = "not planet"
        elif 1.0 / th_rho <= rho_ratio <= th_rho:
            verdict = "planet"
    out.add("density", rho_fit * u.g / u.cm**3, "g/cm3", None, verdict, dens_reason, "Implied stellar density")
    out.add("density_ratio", float(rho_ratio), "", th_rho, verdict,
            (f"implied / catalogue density = {rho_ratio:.2f}" if np.isfinite(rho_ratio)
             else "needs the catalogue density"), "Density ratio")
    if verdict == "not planet":
        out.flag("DENSITY_MISMATCH", f"{dens_reason}: off by more than a factor {th_rho:g}", "density_ratio")
    return out


@DIAGNOSTICS.register("duration")
def duration(ctx: VettingContext) -> Findings:
    """Measured T14 against a central transit across the star at this period (Kepler's law)
    (``DENSITY_MISMATCH``: the star is larger than given, or another star is eclipsed)."""
    out = Findings()
    dur, t_exp = ctx.dur, ctx.duration_expected
    dratio = dur / t_exp if np.isfinite(t_exp) and t_exp > 0 else float("nan")
    th_dr = ctx.th["duration_ratio_max"]
    label = "Duration / expected"
    if np.isfinite(dratio) and dratio > th_dr and _significant_dip(ctx):
        reason = (f"the transit lasts {dur * 24:.2f} h, {dratio:.1f}× the {t_exp * 24:.2f} h of a central transit "
                  "across the catalogued star: the star is larger than catalogued, or the eclipsed star is another")
        out.add("duration_ratio", float(dratio), "", th_dr, "not planet", reason, label)
        out.flag("DENSITY_MISMATCH", reason, "duration_ratio")
    else:
        out.add("duration_ratio", float(dratio), "", th_dr, "planet" if np.isfinite(dratio) else "neutral",
                (f"T14 = {dur * 24:.2f} h against {t_exp * 24:.2f} h for a central transit (Kepler's law): consistent"
                 if np.isfinite(dratio) else "needs stellar radius and mass"), label)
    out.add("duration_expected", t_exp * 24 * u.hour, "h", None, "neutral",
            "central-transit T14 for the catalogued star and this period" if np.isfinite(t_exp)
            else "needs stellar radius and mass", "Expected duration")
    return out


@DIAGNOSTICS.register("radius")
def radius(ctx: VettingContext) -> Findings:
    """Implied companion radius from R_p/R★ (or √depth) and R★ (``TOO_LARGE``: above the
    ``max_radius_rjup`` threshold, a star)."""
    out = Findings()
    radius_re, star = ctx.radius_earth, ctx.star
    th_r = ctx.th["max_radius_rjup"] * _R_JUP_IN_EARTH
    label = "Implied radius"
    if ctx.too_large:
        reason = (f"implied radius {radius_re:.1f} R⊕ = {radius_re / _R_JUP_IN_EARTH:.1f} R_Jup exceeds "
                  f"{ctx.th['max_radius_rjup']:g} R_Jup: a stellar companion")
        out.add("radius", radius_re * u.R_earth, "R_earth", th_r, "not planet", reason, label)
        out.flag("TOO_LARGE", reason, "radius")
    else:
        out.add("radius", radius_re * u.R_earth, "R_earth", th_r, "planet" if np.isfinite(radius_re) else "neutral",
                (f"implied radius {radius_re:.2f} R⊕ for R★ = {star.radius.to_value(u.R_sun):.2f} R☉"
                 + (" (R_p/R★ of the limb-darkened fit)" if ctx.ld_ok else " (√depth)")
                 if np.isfinite(radius_re) and star is not None and star.radius is not None
                 else "needs the stellar radius"), label)
    return out


# ----------------------------------------------------------------------------- the ephemeris


def _alias_depth(ctx: VettingContext, offset_frac: float) -> tuple[float, float]:
    """Box depth (and its red-noise error) of new events at ``offset_frac`` of the period."""
    w = ctx.w_ph
    if w >= 0.5 * min(offset_frac, 1 - offset_frac):
        return float("nan"), float("nan")  # the box would overlap the primary
    e = ctx.events(offset_frac, 0.5 * w * ctx.period)
    if not len(e):
        return float("nan"), float("nan")
    m, err = e.mean()
    _, ew = e.mean(empirical=False)
    return m, max(err, ew * ctx.red)


@DIAGNOSTICS.register("period_alias")
def period_alias(ctx: VettingContext) -> Findings:
    """Fold at P/2, P/3 (new events at the extra phases) and 2P, 3P (groups of events): which
    period fits best (no flag; 2P and 3P say "not planet")."""
    out = Findings()
    period, red, th_sig = ctx.period, ctx.red, ctx.th["odd_even_sigma"]
    box_depth, box_err = ctx.box_depth, ctx.box_err

    def consistent(dx: float, ex: float) -> bool:
        return bool(np.isfinite(dx) and dx > th_sig * ex and abs(dx - box_depth) < th_sig * np.hypot(ex, box_err))

    lines = []
    d2, e2 = _alias_depth(ctx, 0.5)
    d3a, e3a = _alias_depth(ctx, 1 / 3)
    d3b, e3b = _alias_depth(ctx, 2 / 3)
    if np.isfinite(d2):
        lines.append(f"P/2: {d2 * 1e6:.0f} ± {e2 * 1e6:.0f} ppm at phase 0.5")
    if np.isfinite(d3a) and np.isfinite(d3b):
        lines.append(f"P/3: {d3a * 1e6:.0f} ± {e3a * 1e6:.0f} and {d3b * 1e6:.0f} ± {e3b * 1e6:.0f} ppm at 1/3, 2/3")
    groups = {}
    for k in (2, 3):
        means = []
        for j in range(k):
            sub = ctx.ev.subset(ctx.ev.number % k == j)
            if len(sub):
                m, e = sub.mean()
                _, ew = sub.mean(empirical=False)
                means.append((m, max(e, ew * red)))
        if len(means) == k:
            m = np.array([x[0] for x in means])
            e = np.array([x[1] for x in means])
            w = 1 / e**2
            mu = (w * m).sum() / w.sum()
            chi2 = float((w * (m - mu) ** 2).sum())
            groups[k] = _core.chi2_to_sigma(chi2, k - 1)
            lines.append(f"{k}P: groups of transits " + ", ".join(f"{x * 1e6:.0f}" for x in m)
                         + f" ppm ({groups[k]:.1f}σ apart)")
    factor = 1.0
    if consistent(d3a, e3a) and consistent(d3b, e3b):
        factor = 1 / 3
        verdict_text = f"equal dips at phases 1/3 and 2/3: the true period is probably P/3 = {period / 3:.5f} d"
    elif consistent(d2, e2):
        factor = 0.5
        verdict_text = f"an equal dip at phase 0.5: the true period is probably P/2 = {period / 2:.5f} d"
    elif groups.get(2, 0.0) > th_sig:
        factor = 2.0
        verdict_text = f"alternating depths: the true period is probably 2P = {2 * period:.5f} d"
    elif groups.get(3, 0.0) > th_sig:
        factor = 3.0
        verdict_text = f"every third transit differs: the true period may be 3P = {3 * period:.5f} d"
    else:
        verdict_text = "no alias fits better than P"
    out.add("period_alias", float(factor), "", None, "not planet" if factor in (2.0, 3.0) else "neutral",
            verdict_text + ("; " + "; ".join(lines) if lines else ""), "Preferred period / P")
    return out


def _centroid_shift(ctx: VettingContext, col: np.ndarray) -> tuple[float, float, int] | None:
    """In-transit minus baseline of one centroid column, its error and the transits used."""
    d = ctx.data
    ok = np.isfinite(col)
    tt, cc = d.time[ok], col[ok]
    dt = time_from_transit(tt, ctx.period, ctx.epoch_r)
    out = np.abs(dt) > ctx.half + ctx.gap
    s = point_to_point_std(cc[out], min_count=3) if out.sum() > 10 else robust_std(cc, min_count=3)
    base = float(np.mean(cc[out])) if ctx.global_base is not None and out.any() else None
    e = _core.event_depths(tt, cc, s, ctx.period, ctx.epoch_r, ctx.half, ctx.gap, ctx.half_out, ctx.cadence,
                           values=cc, baseline=base)
    if not len(e):
        return None
    m, err = e.mean()
    return -m, err, len(e)


@DIAGNOSTICS.register("centroid")
def centroid(ctx: VettingContext) -> Findings:
    """Flux-weighted centroid shift in transit and the implied distance of the dimming source
    (``CENTROID_OFFSET``: ≥ ``centroid_offset_pixels`` off at > ``centroid_sigma``)."""
    out = Findings()
    d, th = ctx.data, ctx.th
    label = "Centroid shift in transit"
    if d.centroid_col is None or d.centroid_row is None:
        out.add("centroid_shift", float("nan"), "sigma", th["centroid_sigma"], "neutral",
                "no centroid columns in the light curve", label)
        return out
    measured = []
    for col in (d.centroid_col, d.centroid_row):
        m = _centroid_shift(ctx, col)
        if m is None:
            out.add("centroid_shift", float("nan"), "sigma", th["centroid_sigma"], "neutral",
                    "no centroid data in transit", label)
            return out
        measured.append(m)
    (sc, ec, nc), (sr, er, nr) = measured
    if not (ec > 0 and er > 0):  # e.g. a pixel file's 1-2 pixel aperture: a centroid that never moves
        out.add("centroid_shift", float("nan"), "sigma", th["centroid_sigma"], "neutral",
                "the centroid columns do not scatter: no measurement", label)
        return out
    sig = _core.chi2_to_sigma((sc / ec) ** 2 + (sr / er) ** 2, 2)
    shift_pix = float(np.hypot(sc, sr))
    pix = _PIXEL_ARCSEC.get((d.mission or "").lower(), float("nan"))
    offset_pix = shift_pix / ctx.box_depth if ctx.box_depth > 0 else float("nan")
    offset_arcsec = offset_pix * pix if np.isfinite(pix) else float("nan")
    text = (f"in-transit centroid moves by ({sc * 1e3:+.2f}, {sr * 1e3:+.2f}) millipixels (column, row), "
            f"{sig:.1f}σ over {min(nc, nr)} transits; the dimming source lies {offset_pix:.2f} pixels"
            + (f" ({offset_arcsec:.1f}″)" if np.isfinite(offset_arcsec) else "") + " from the light centroid")
    th_s, th_px = th["centroid_sigma"], th["centroid_offset_pixels"]
    if sig > th_s and offset_pix >= th_px:
        reason = f"{text}: the source is off target"
        out.add("centroid_shift", float(sig), "sigma", th_s, "not planet", reason, label)
        out.flag("CENTROID_OFFSET", reason, "centroid_shift")
    else:
        out.add("centroid_shift", float(sig), "sigma", th_s, "planet" if sig <= th_s else "neutral",
                text + (": on target" if sig <= th_s or offset_pix < th_px else ""), label)
    out.add("centroid_offset", offset_arcsec * u.arcsec, "arcsec", th_px * pix if np.isfinite(pix) else None,
            "neutral", "implied distance of the dimming source from the light centroid", "Implied source offset")
    return out


def _ratio_text(ratio: float) -> str:
    for value, text in ((2.0, "2×"), (3.0, "3×"), (0.5, "½×"), (1 / 3, "⅓×"), (1.5, "3/2×"), (2 / 3, "2/3×")):
        if abs(ratio - value) < 1e-9:
            return text
    return f"{ratio:.3g}×"


def _known_reasons(ctx: VettingContext) -> tuple[list[str], list[str], list[str]]:
    """(reasons against, for, and neutral) from the known signals that match the ephemeris."""
    bad: list[str] = []
    good: list[str] = []
    info: list[str] = []
    d, cand = ctx.data, ctx.candidate
    matches = match_known(ctx.known or (), cand.period_days, ctx.epoch_r, cand.duration_days, target=d.target,
                          ra_deg=d.ra_deg, dec_deg=d.dec_deg, period_tolerance=ctx.th["ephemeris_period_tolerance"])
    confirmed_here = [m for m in matches if m.same_star and m.ratio == 1.0 and m.known.kind == "planet"]
    for m in matches:
        k = m.known
        where = "this star" if m.same_star else f"{k.star}, {m.separation_arcsec:.0f}″ away"
        ratio = "" if m.ratio == 1.0 else f" at {_ratio_text(m.ratio)} its period"
        what = f"{k.name} ({k.catalog}, {k.kind}, P = {k.period_days:.5f} d) on {where}{ratio}"
        if k.kind in ("eb", "false positive") and m.same_star and m.ratio == 1.0 and confirmed_here:
            info.append(f"also listed as {what}, but confirmed as the planet {confirmed_here[0].known.name}")
        elif k.kind in ("eb", "false positive"):
            bad.append(f"matches the known {'eclipsing binary' if k.kind == 'eb' else 'false positive'} {what}")
        elif not m.same_star:
            bad.append(f"matches {what}: light from a neighbour")
        elif m.ratio == 1.0:
            good.append(f"matches the known {k.kind} {what}")
        else:
            info.append(f"an alias of the known {k.kind} {what}")
    return bad, good, info


def _harmonic_reasons(ctx: VettingContext) -> list[str]:
    """The stronger candidates of this star whose period this one is a harmonic of, events aligned."""
    cand, th = ctx.candidate, ctx.th
    p = cand.period_days
    own_snr = cand.snr if np.isfinite(cand.snr) else ctx.snr
    reasons = []
    for i, o in enumerate(ctx.others):
        if o is cand or not isinstance(o, TransitCandidate):
            continue
        r = p / o.period_days
        if abs(r - 1.0) < th["harmonic_tolerance"]:
            continue
        for ratio in (2.0, 3.0, 0.5, 1 / 3):
            if abs(r / ratio - 1.0) < th["harmonic_tolerance"]:
                # the events must line up too: every transit of the longer period falls
                # on a transit of the shorter one
                short = min(p, o.period_days)
                offset = abs(float(time_from_transit(np.array([ctx.epoch_r]), short, o.epoch_bjd)[0]))
                aligned = offset < max(cand.duration_days, o.duration_days)
                stronger = not np.isfinite(o.snr) or not np.isfinite(own_snr) or o.snr >= own_snr
                if aligned and stronger:
                    reasons.append(
                        f"its period is {_ratio_text(ratio)} that of candidate {i + 1} (P = {o.period_days:.5f} d, "
                        f"SNR {o.snr:.1f}): a harmonic of the same signal")
                break
    return reasons


@DIAGNOSTICS.register("ephemeris_match")
def ephemeris_match(ctx: VettingContext) -> Findings:
    """The ephemeris against known signals of this star and its neighbours (``vet(known=...)``)
    and the star's other candidates (``EPHEMERIS_MATCH``: a known EB or false positive, a
    neighbour's signal, or a harmonic of a stronger candidate). Nothing to report when the
    known signals were not looked up (``known=None``) and there are no other candidates."""
    out = Findings()
    if ctx.known is None and not ctx.others:
        return out
    bad, good, info = _known_reasons(ctx)
    n_match = len(bad) + len(good) + len(info)
    harmonics = _harmonic_reasons(ctx)
    bad += harmonics
    n_match += len(harmonics)
    label = "Ephemeris match"
    if bad:
        reason = "; ".join(bad)
        out.add("ephemeris_match", float(n_match), "", None, "not planet", reason, label)
        out.flag("EPHEMERIS_MATCH", reason, "ephemeris_match")
    elif good:
        out.add("ephemeris_match", float(n_match), "", None, "planet", "; ".join(good + info), label)
    else:
        out.add("ephemeris_match", float(n_match), "", None, "neutral",
                "; ".join(info) or "no known EB, planet or other candidate shares this ephemeris", label)
    return out

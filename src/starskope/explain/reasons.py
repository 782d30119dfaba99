"""The reason for a verdict, in words built from the measured evidence.

:func:`reason_paragraph` writes one paragraph: the verdict and its probability, what the
search found (period, depth, duration, number of transits, SNR), the evidence that
decides between a planet and its impostors (odd/even depths, secondary eclipse, shape,
implied radius, centroid), and the conclusion — e.g. "odd and even depths differ by 6.2σ
and a 0.40 % secondary eclipse is present: an eclipsing binary at twice the period,
2P = 4.8765 d". Every number comes from the vetting report; nothing is templated that
was not measured.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..analysis.verdict import detected
from .evidence import is_marginal

__all__ = ["CLASS_TITLES", "depth_text", "reason_paragraph"]

#: Display names of the classes.
CLASS_TITLES: dict[str, str] = {
    "planet_transit": "Planet transit",
    "eclipsing_binary": "Eclipsing binary",
    "other_variable": "Variable star (not an eclipse)",
    "nothing_significant": "Nothing significant",
}


def depth_text(ppm: float) -> str:
    """A depth in ppm and per cent (``"305 ppm (0.031 %)"``)."""
    if not math.isfinite(ppm):
        return "an unmeasured depth"
    pct = ppm / 1e4
    return f"{ppm:.0f} ppm ({pct:.2g} %)" if pct < 1 else f"{pct:.3g} %"


def _a(text: str) -> str:
    """``text`` with its indefinite article ("an 8 %", "a 305 ppm")."""
    import re

    vowel = text[:1] == "8" or re.match(r"^(11|18)(\D|\d{3}(\D|$))", text) is not None
    return f"{'an' if vowel else 'a'} {text}"


def _p(x: float) -> str:
    """A probability with enough digits to tell 0.998 from 1."""
    return f"{x:.3f}" if (x >= 0.995 or x < 0.005) else f"{x:.2f}"


def _v(report: Any, name: str) -> float:
    if report is None or name not in report:
        return float("nan")
    return report.value(name)


def _fin(*xs: float) -> bool:
    return all(isinstance(x, int | float) and math.isfinite(x) for x in xs)


def _detection(cand: Any, snr_threshold: float, search_cand: Any) -> str:
    sde = float(((search_cand or cand).extra or {}).get("sde", float("nan")))
    sde_txt = f", SDE {sde:.1f}" if math.isfinite(sde) else ""
    return (f"{_a(depth_text(cand.depth_ppm))} dip lasting {cand.duration_hours:.2f} h repeats every "
            f"{cand.period_days:.5g} d ({cand.n_transits} transit{'s' if cand.n_transits != 1 else ''} with data, "
            f"SNR {cand.snr:.1f}{sde_txt}; detection threshold {snr_threshold:g})")


def _eb_evidence(report: Any) -> tuple[list[str], bool]:
    """Sentences for the eclipsing-binary tells raised, and whether odd/even says 2P."""
    parts: list[str] = []
    flags = set(report.flag_names)
    twice = False
    if "ODD_EVEN" in flags:
        oe, odd, even = _v(report, "odd_even"), _v(report, "odd_depth"), _v(report, "even_depth")
        parts.append(f"odd and even depths differ by {oe:.1f}σ ({odd:.0f} against {even:.0f} ppm)"
                     if _fin(oe, odd, even) else "odd and even depths differ")
        twice = True
    if "SIGNIFICANT_SECONDARY" in flags:
        sd, sig, ph, lim = (_v(report, "secondary_depth"), _v(report, "secondary"), _v(report, "secondary_phase"),
                            _v(report, "secondary_limit"))
        if _fin(sd, sig, ph):
            lim_txt = f"; a planet's reflected light and heat allow at most {lim:.0f} ppm" if _fin(lim) else ""
            parts.append(f"{_a(depth_text(sd))} secondary eclipse is present at phase {ph:.3f} ({sig:.1f}σ{lim_txt})")
        else:
            parts.append("a significant secondary eclipse is present")
    if "V_SHAPED" in flags:
        ir, sh = _v(report, "ingress_ratio"), _v(report, "shape")
        parts.append(f"the dip is V-shaped (ingress/duration τ/T14 = {ir:.2f}; a V beats any flat bottom by "
                     f"Δχ² = {sh:.0f})" if _fin(ir, sh) else "the dip is V-shaped")
    if "TOO_LARGE" in flags:
        r = _v(report, "radius")
        parts.append(f"the implied companion radius, {r:.1f} R⊕ ({r / 11.209:.1f} R_Jup), is above 2 R_Jup"
                     if _fin(r) else "the implied companion is too large for a planet")
    if "CENTROID_OFFSET" in flags:
        c = _v(report, "centroid_shift")
        parts.append(f"the light centroid moves during the dip ({c:.1f}σ): the eclipse is on another star"
                     if _fin(c) else "the light centroid moves during the dip")
    for f in report.flags:
        if f.name == "EPHEMERIS_MATCH":
            parts.append(f.reason)
    return parts, twice


def _planet_evidence(report: Any) -> list[str]:
    parts: list[str] = []
    ir = _v(report, "ingress_ratio")
    if _fin(ir):
        parts.append(f"it is flat-bottomed (τ/T14 = {ir:.2f})" if ir < 0.4 else f"its shape is rounded (τ/T14 = {ir:.2f})")
    oe = _v(report, "odd_even")
    if _fin(oe):
        parts.append(f"odd and even transits agree ({oe:.1f}σ)")
    sd, sig = _v(report, "secondary_depth"), _v(report, "secondary")
    if _fin(sd, sig):
        parts.append(f"there is no significant secondary eclipse ({sd:.0f} ppm, {sig:.1f}σ)")
    r, rs = _v(report, "radius"), report.stellar.get("stellar_radius_rsun", float("nan"))
    if _fin(r, rs):
        parts.append(f"the implied radius is {r:.2f} R⊕ for R★ = {rs:.2f} R☉")
    return parts


def _join(parts: list[str]) -> str:
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def reason_paragraph(
    verdict: str,
    *,
    candidate: Any,
    report: Any,
    probabilities: Mapping[str, float] | None = None,
    evidence_class: str = "",
    evidence_rule: str = "",
    snr_threshold: float = 7.1,
    search_candidate: Any = None,
    variability: Mapping[str, float] | None = None,
    model_name: str = "",
) -> str:
    """One paragraph saying why a star got its verdict.

    Parameters
    ----------
    verdict : str
        The class given (model or rules).
    candidate : TransitCandidate or None
        Best candidate (vetted one when vetting ran).
    report : VettingReport or None
    probabilities : mapping of class → probability, optional
        The model's probabilities (None: verdict from the rules alone).
    evidence_class, evidence_rule : str
        :func:`~starskope.explain.evidence.evidence_verdict` output.
    snr_threshold : float
    search_candidate : TransitCandidate, optional
        The candidate as the search found it (for its SDE).
    variability : mapping, optional
        ``{"amplitude_ppm", "noise_ppm", "period_days"}`` of the raw light curve.
    model_name : str
        Name of the model, for the sentence about it.

    Returns
    -------
    str
    """
    title = CLASS_TITLES.get(verdict, verdict)
    sentences: list[str] = []
    if probabilities:
        p = probabilities.get(verdict, float("nan"))
        others = sorted(((k, v) for k, v in probabilities.items() if k != verdict), key=lambda kv: -kv[1])
        runner = f"; next {CLASS_TITLES.get(others[0][0], others[0][0]).lower()}, {_p(others[0][1])}" if others else ""
        by = f" by the {model_name}" if model_name else ""
        sentences.append(f"{title}: probability {_p(p)}{by}{runner}.")
    else:
        sentences.append(f"{title}, from the vetting evidence alone (no trained model was available).")

    var = dict(variability or {})
    amp, noise, vper = var.get("amplitude_ppm", math.nan), var.get("noise_ppm", math.nan), var.get("period_days", math.nan)
    # a dip counts when the search's detection is not marginal and vetting's refined SNR
    # still reaches the threshold (the rule of the star's verdict)
    marginal = is_marginal(search_candidate if search_candidate is not None else candidate,
                           snr_threshold=snr_threshold, report=report) or not detected(candidate, snr_threshold, report)
    if candidate is None:
        sentences.append("The transit search found no dip at all.")
    elif marginal:
        sde = float(((search_candidate or candidate).extra or {}).get("sde", math.nan))
        why = []
        if candidate.snr < snr_threshold:
            why.append(f"SNR {candidate.snr:.1f} is below the {snr_threshold:g} detection threshold")
        else:
            why.append(f"SNR {candidate.snr:.1f} is only just above the {snr_threshold:g} threshold")
            if math.isfinite(sde) and sde < 6:
                why.append(f"the peak hardly stands out of the periodogram (SDE {sde:.1f})")
            if candidate.n_transits <= 2:
                why.append(f"it rests on {candidate.n_transits} transit{'s' if candidate.n_transits != 1 else ''}")
        sentences.append(f"No periodic dip is significant: the strongest one (P = {candidate.period_days:.4g} d, "
                         f"{depth_text(candidate.depth_ppm)}, {candidate.duration_hours:.1f} h) is noise-like — "
                         f"{_join(why)}.")
    else:
        wide = _v(report, "periodic_snr") if report is not None else math.nan
        fold = (f"; the dip leaves no flat baseline, and the folded light curve varies at SNR {wide:.1f}"
                if _fin(wide) and wide > candidate.snr else "")
        sentences.append(_cap(_detection(candidate, snr_threshold, search_candidate)) + fold + ".")

    eclipse_like = False
    if candidate is not None and not marginal and report is not None:
        eb_parts, twice = _eb_evidence(report)
        eclipse_like = bool(eb_parts) or "NOT_TRANSIT_LIKE" not in report.flag_names
        if eb_parts:
            concl = "an eclipsing binary"
            if twice:
                concl += f" at twice the period, 2P = {2 * candidate.period_days:.5g} d"
            else:
                concl += f" with period {candidate.period_days:.5g} d"
            sentences.append(_cap(_join(eb_parts)) + f": {concl}.")
        elif "NOT_TRANSIT_LIKE" in report.flag_names:
            nt_reason = next((f.reason for f in report.flags if f.name == "NOT_TRANSIT_LIKE"), "")
            sentences.append(f"The dip is not transit-like ({nt_reason}).")
        else:
            pl = _planet_evidence(report)
            r = _v(report, "radius")
            size = f"a {r:.1f} R⊕ planet" if _fin(r) else "a planet"
            if pl:
                sentences.append(_cap(_join(pl)) + f": consistent with {size} on a {candidate.period_days:.4g}-day orbit.")
    # (the variability of an eclipsing or transited star is its eclipses: say it only otherwise)
    if _fin(amp, noise) and noise > 0 and amp / noise > 30 and not (eclipse_like and verdict != "other_variable"):
        per = f" with a dominant period of {vper:.3g} d" if _fin(vper) else ""
        sentences.append(f"Before detrending the star varies by {depth_text(amp)} peak to peak{per}, "
                         f"{amp / noise:.0f}× its {noise:.0f} ppm noise.")
    if probabilities and evidence_class and evidence_class != verdict:
        sentences.append(f"The vetting rules alone would say {CLASS_TITLES.get(evidence_class, evidence_class).lower()}"
                         f" ({evidence_rule}); the model weighs the whole light curve and disagrees.")
    elif probabilities and evidence_class:
        sentences.append(f"The vetting rules agree ({evidence_rule}).")
    return " ".join(sentences)

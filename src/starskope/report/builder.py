"""Turn an :class:`~starskope.explain.Explanation` into a report document (JSON-able dict).

The document holds everything the HTML page shows — verdict, reason, evidence, derived
parameters with units, model contributions, provenance — and the Plotly figures. It is
written as the report's JSON file and stored by the web app, so one document renders the
same page offline and online.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .. import __version__
from . import plots
from .pixels import pixel_section

__all__ = ["REPORT_FORMAT", "REPORT_FORMAT_VERSION", "build_report", "candidates_section", "derived_parameters",
           "report_name", "star_type_section"]

REPORT_FORMAT = "starskope-report"
REPORT_FORMAT_VERSION = 1


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _param(name: str, value: Any, unit: str, *, err: Any = None, note: str = "", digits: int = 4) -> dict[str, Any]:
    v = _f(value)
    e = _f(err)
    if v is None:
        text = "—"
    elif abs(v) >= 1e4 or (abs(v) < 1e-3 and v != 0):
        text = f"{v:.{digits}g}"
    else:
        text = f"{v:.{digits}g}" if abs(v) < 1e3 else f"{v:.0f}"
    if v is not None and e is not None:
        text += f" ± {e:.2g}"
    return {"name": name, "value": v, "error": e, "unit": unit, "text": text, "note": note}


def derived_parameters(explanation: Any) -> dict[str, list[dict[str, Any]]]:
    """The candidate's planet and star parameters in physical units.

    Returns
    -------
    dict
        ``{"planet": [...], "star": [...]}``, each a list of
        ``{"name", "value", "error", "unit", "text", "note"}``.
    """
    import astropy.units as u

    from .. import physics

    a = explanation.analysis
    c = a.candidate
    rep = a.vetting
    st = a.stellar

    def vv(name: str) -> float:
        return rep.value(name) if (rep is not None and name in rep) else float("nan")

    planet: list[dict[str, Any]] = []
    star: list[dict[str, Any]] = []
    rs, ms, teff = (st.get("stellar_radius_rsun", math.nan), st.get("stellar_mass_msun", math.nan),
                    st.get("stellar_teff_k", math.nan))
    if c is not None:
        depth = c.depth_ppm * 1e-6
        depth_err = float(c.depth_err.to_value(u.dimensionless_unscaled))
        planet += [
            _param("Period P", c.period_days, "d", digits=8),
            _param("Mid-transit epoch T0", c.epoch_bjd, "BJD_TDB", digits=12),
            _param("Duration T14", c.duration_hours, "h"),
            _param("Depth δ", c.depth_ppm, "ppm", err=depth_err * 1e6),
            _param("Radius ratio Rp/R★", math.sqrt(depth) if depth > 0 else math.nan, "",
                   err=0.5 * depth_err / math.sqrt(depth) if depth > 0 else None, note="√δ, no limb darkening"),
            _param("Transits with data", c.n_transits, "", digits=3),
            _param("SNR", c.snr, "", digits=3),
        ]
        r_e = vv("radius")
        note = "stellar radius unknown"
        if math.isfinite(rs):
            note = f"for R★ = {rs:.3g} R☉" + (f"; = {r_e / 11.209:.3g} R_Jup" if math.isfinite(r_e) else "")
        planet.append(_param("Planet radius Rp", r_e, "R⊕", note=note))
        planet.append(_param("Scaled semi-major axis a/R★", vv("a_over_rstar"), "", note="from the transit shape"))
        planet.append(_param("Impact parameter b", vv("impact_parameter"), "", note="from the transit shape"))
        a_au = math.nan
        if math.isfinite(ms) and ms > 0:
            a_au = float(physics.semi_major_axis(c.period_days * u.day, ms * u.M_sun).to_value(u.AU))
            planet.append(_param("Semi-major axis a", a_au, "AU", note="Kepler's third law with M★"))
        if math.isfinite(a_au) and math.isfinite(teff) and math.isfinite(rs):
            teq = float(physics.equilibrium_temperature(teff * u.K, rs * u.R_sun, a_au * u.AU).to_value(u.K))
            planet.append(_param("Equilibrium temperature Teq", teq, "K", note="Bond albedo 0.3, full redistribution",
                                 digits=4))
            s = float(physics.insolation(a_au * u.AU, teff=teff * u.K, stellar_radius=rs * u.R_sun).value)
            planet.append(_param("Insolation S", s, "S⊕"))
        sec = vv("secondary_depth")
        if math.isfinite(sec):
            planet.append(_param("Secondary depth", sec, "ppm", note=f"at phase {vv('secondary_phase'):.3f}"))
    star += [
        _param("Radius R★", rs, "R☉"),
        _param("Mass M★", ms, "M☉"),
        _param("Effective temperature Teff", teff, "K", digits=5),
        _param("Surface gravity log g", st.get("stellar_logg_cgs", math.nan), "cgs"),
        _param("Density ρ★ (catalogue)", st.get("stellar_density_gcc", math.nan), "g/cm³"),
        _param("Density ρ★ (from transit)", vv("density"), "g/cm³", note="Seager & Mallén-Ornelas 2003"),
    ]
    from ..analysis.verdict import variability

    noise = a.scalar("log_noise_ppm")
    var = variability(a)  # the star type's Lomb–Scargle period when measured: one period in the report
    star += [
        _param("Noise (per cadence)", 10**noise if math.isfinite(noise) else math.nan, "ppm", digits=3),
        _param("Variability (5–95 % range)", var["amplitude_ppm"], "ppm", digits=3),
        _param("Dominant variability period", var["period_days"], "d", digits=3,
               note="highest Lomb–Scargle peak before detrending" if a.star_type is not None else ""),
    ]
    return {"planet": planet, "star": star}


def report_name(explanation: Any) -> str:
    """A file-name stem for the star's report (letters, digits, ``-`` and ``_`` only)."""
    a = explanation.analysis
    base = a.target or a.label or "star"
    keep = "".join(ch if ch.isalnum() else "_" for ch in base).strip("_")
    return (keep or "star")[:80]


def _transit_times(c: Any, t0: float, t1: float) -> list[float]:
    if c is None or not (c.period_days > 0):
        return []
    n0 = math.ceil((t0 - c.epoch_bjd) / c.period_days)
    n1 = math.floor((t1 - c.epoch_bjd) / c.period_days)
    if n1 - n0 > 400:
        return []
    return [c.epoch_bjd + n * c.period_days for n in range(n0, n1 + 1)]


def star_type_section(analysis: Any, model: Any = "default") -> tuple[dict[str, Any], dict[str, Any]]:
    """What kind of star it is, and the periodogram evidence, for the report.

    The star type is measured on the light curve *before* detrending (detrending would
    remove the variability it is judged by): every finite cadence without a QUALITY bit
    of the mission's default mask. With the shipped star-type model it is the analysis's
    own (:attr:`StarAnalysis.star_type`, the one ``classify`` reports); another model is
    applied here to the same cadences.

    Parameters
    ----------
    analysis : StarAnalysis
    model : StarTypeModel or "default"
        "default": the shipped star-type model.

    Returns
    -------
    (dict, dict)
        The ``star_type`` entry of the document — ``star_type``, ``title``,
        ``description``, ``probabilities`` (every type), ``dominant_period_d``,
        ``amplitude_ppt``, ``noise_ppt``, ``amplitude_over_noise``, ``other_periods_d``,
        ``harmonics``, ``fold_period_d``, ``eclipse``, ``box_search``,
        ``n_cadences`` — or ``{"error": message}`` when it cannot be measured (too few
        cadences, no model); and the figures ``star_type_spectrum`` (Lomb–Scargle
        amplitude spectrum, dominant period marked), ``star_type_fold`` (folded at the fold
        period) and ``star_type_probabilities``.
    """
    from ..errors import StarskopeError
    from ..startypes import (
        STAR_TYPE_DESCRIPTIONS,
        STAR_TYPES,
        classify_star_type_arrays,
        load_default_model,
    )

    a = analysis
    t = np.asarray(a.raw_time, float)
    f = np.asarray(a.raw_flux, float)
    good = np.isfinite(t) & np.isfinite(f) & ~np.asarray(a.quality_flagged, bool)
    res = getattr(a, "star_type", None) if (isinstance(model, str) and model == "default") else None
    if res is None:
        try:
            m = load_default_model() if isinstance(model, str) and model == "default" else model
            res = classify_star_type_arrays(t[good], f[good], model=m, source=a.label or a.target or "light curve")
        except StarskopeError as exc:
            return {"error": str(exc)}, {}
    ev = res.evidence
    info = res.as_dict()
    noise = info.get("noise_ppt")
    amp = info.get("amplitude_ppt")
    titles = {k: k.replace("_", " ") for k in STAR_TYPES}
    titles.update({"non_variable": "non-variable", "delta_scuti": "δ Scuti", "gamma_dor": "γ Doradus",
                   "rr_lyrae": "RR Lyrae", "rotational": "rotational (spotted)"})
    section = {
        **info,
        "title": titles.get(res.star_type, res.star_type),
        "probabilities": {k: float(res.probabilities[k]) for k in STAR_TYPES},
        "description": STAR_TYPE_DESCRIPTIONS.get(res.star_type, ""),
        "titles": titles,
        "descriptions": dict(STAR_TYPE_DESCRIPTIONS),
        "fold_period_d": _f(ev.fold_period.to_value("day")),
        "amplitude_over_noise": (amp / noise) if (amp is not None and noise) else None,
        "n_cadences": int(good.sum()),
        "ranked": sorted(res.probabilities, key=lambda k: -res.probabilities[k]),
    }
    other = [float(p.to_value("day")) for p in ev.other_periods]
    figures = {
        "star_type_spectrum": plots.amplitude_spectrum_figure(
            ev.frequency.to_value("1/day"), ev.amplitude_spectrum.to_value(ev.amplitude.unit),
            dominant_frequency=_f(ev.dominant_frequency.to_value("1/day")), other_periods=other, noise=noise),
        "star_type_fold": plots.star_type_fold_figure(
            ev.fold_phase, ev.fold_flux.to_value(ev.amplitude.unit), period=float(ev.fold_period.to_value("day")),
            time=t[good], flux=f[good]),
        "star_type_probabilities": plots.probabilities_figure(
            {k: res.probabilities[k] for k in STAR_TYPES}, titles, title="Star-type probabilities"),
    }
    # the chosen type stands out; the others share one colour
    bars = figures["star_type_probabilities"]["data"][0]
    bars["marker"]["color"] = [plots.COLORS["model"] if k == res.star_type else plots.COLORS["binned"]
                               for k in STAR_TYPES][::-1]
    return section, figures


def candidates_section(analysis: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every candidate of the star's search with its relations, and a transit fold of each.

    Parameters
    ----------
    analysis : StarAnalysis

    Returns
    -------
    (list, dict)
        The rows of :func:`starskope.analysis.candidate_rows` (JSON-able; NaN as None),
        and, when there are two or more, the figures ``candidate_fold_<n>`` (each
        candidate's transit folded at its own period, ±2.5 durations).
    """
    a = analysis
    rows = [{k: (_f(v) if isinstance(v, float) else v) for k, v in r.items()} for r in a.candidate_rows]
    figures: dict[str, Any] = {}
    if len(rows) > 1:
        for r in rows:
            if r["period_days"] is None or r["epoch_bjd"] is None or r["duration_hours"] is None:
                continue
            depth = (r["depth_ppm"] or 0.0) * 1e-6
            fig = plots.transit_fold_figure(a.time, a.flux, period=r["period_days"], epoch=r["epoch_bjd"],
                                            duration=r["duration_hours"] / 24.0, depth=depth)
            fig["layout"]["title"]["text"] = (f"#{r['candidate']}: P = {r['period_days']:.5g} d, "
                                              f"depth {depth * 1e6:.0f} ppm")
            figures[f"candidate_fold_{r['candidate']}"] = fig
    return rows, figures


def build_report(explanation: Any, *, source: str = "", star_type: Any = "default",
                 telescopes: dict[str, Any] | None = None, model: Any = None) -> dict[str, Any]:
    """The report document of one explained star.

    Parameters
    ----------
    explanation : Explanation
    source : str
        Where the input came from (file path or upload name), for the provenance.
    star_type : StarTypeModel, "default" or None
        Star-type model for the "What kind of star" section (:func:`star_type_section`);
        "default": the shipped one; None: leave the section out.
    telescopes : dict, optional
        :func:`starskope.multi.telescope_summary` of the star seen by several telescopes:
        the report then shows which telescope contributed what (pieces, noise, transits
        and depth per telescope, and the period-alias verdict).

    model : StarskopeClassifier, optional
        The model the star was classified with; a pixel-aware one (with ``saliency``) adds
        its pixel saliency map to the pixel section.

    Returns
    -------
    dict
        JSON-able; ``figures`` holds Plotly figure specifications; ``pixels`` the pixel
        section (:func:`starskope.report.pixels.pixel_section`) of a star read from a
        target pixel file or an FFI cutout, else None.
    """
    from ..explain import CLASS_TITLES

    ex = explanation
    a = ex.analysis
    c = a.candidate
    rep = a.vetting
    search_c = a.star.candidate

    def vv(name: str) -> float:
        return rep.value(name) if (rep is not None and name in rep) else float("nan")

    figures: dict[str, Any] = {}
    t_all = a.raw_time
    transits = _transit_times(c, float(np.nanmin(t_all)), float(np.nanmax(t_all))) if t_all.size else []
    figures["lightcurve"] = plots.lightcurve_figure(
        a.raw_time, a.raw_flux, kept=a.kept, quality_flagged=a.quality_flagged, outliers=a.outliers,
        trend_time=a.time, trend=a.trend, mission=a.mission, transit_times=transits,
        quality_bitmask=a.quality_bitmask)
    figures["detrended"] = plots.detrended_figure(a.time, a.flux, mission=a.mission,
                                                  saliency=ex.saliency.to_dict() if ex.saliency else None,
                                                  transit_times=transits)
    if a.search is not None and a.search.periodograms:
        pg = a.search.periodograms[0]
        figures["periodogram"] = plots.periodogram_figure(
            pg.period.to_value("day"), pg.power, best_period=search_c.period_days if search_c else None,
            sde=float((search_c.extra or {}).get("sde", math.nan)) if search_c else None)
    if c is not None:
        sec_phase = vv("secondary_phase")
        figures["fold"] = plots.fold_figure(a.time, a.flux, period=c.period_days, epoch=c.epoch_bjd,
                                            secondary_phase=sec_phase if math.isfinite(sec_phase) else None)
        ir = vv("ingress_ratio")
        times = rep.products.get("transit_times") if rep is not None else None
        figures["transit"] = plots.transit_fold_figure(
            a.time, a.flux, period=c.period_days, epoch=c.epoch_bjd, duration=c.duration_days,
            depth=c.depth_ppm * 1e-6, ingress=ir * c.duration_days if math.isfinite(ir) else None,
            depth_err=float(c.depth_err.value), times=times if times is not None and times.aligned else None)
        if times is not None:
            figures["transit_times"] = plots.transit_times_figure(times, mission=a.mission)
        figures["odd_even"] = plots.odd_even_figure(
            a.time, a.flux, period=c.period_days, epoch=c.epoch_bjd, duration=c.duration_days,
            odd_depth=_f(vv("odd_depth")), even_depth=_f(vv("even_depth")), odd_even_sigma=_f(vv("odd_even")))
        figures["secondary"] = plots.secondary_figure(
            a.time, a.flux, period=c.period_days, epoch=c.epoch_bjd, duration=c.duration_days,
            phase=sec_phase if math.isfinite(sec_phase) else 0.5, depth_ppm=_f(vv("secondary_depth")),
            sigma=_f(vv("secondary")), planet_limit_ppm=_f(vv("secondary_limit")))
    if ex.probabilities:
        figures["probabilities"] = plots.probabilities_figure(ex.probabilities, CLASS_TITLES)
    if ex.contributions is not None and (ex.contributions.members or ex.contributions.branches):
        figures["contributions"] = plots.contributions_figure(ex.contributions.to_dict())

    candidates, cand_figures = candidates_section(a)
    figures.update(cand_figures)
    pixels_doc, pixel_figures = pixel_section(a, model)
    figures.update(pixel_figures)
    star_type_doc = None
    notes = list(ex.notes)
    if star_type is not None:
        star_type_doc, st_figures = star_type_section(a, star_type)
        figures.update(st_figures)
        if "error" in star_type_doc:
            notes.append(f"star type not measured: {star_type_doc['error']}")

    cand = None
    if c is not None:
        cand = {
            "period_days": _f(c.period_days), "epoch_bjd": _f(c.epoch_bjd), "duration_hours": _f(c.duration_hours),
            "depth_ppm": _f(c.depth_ppm), "depth_err_ppm": _f(float(c.depth_err.value) * 1e6), "snr": _f(c.snr),
            "n_transits": int(c.n_transits),
            "sde": _f((search_c.extra or {}).get("sde")) if search_c is not None else None,
            "search_snr": _f(search_c.snr) if search_c is not None else None,
            "vetted_for_model": bool(a.vetted_for_model),
        }
    settings = {k: (float(f"{v:.6g}") if isinstance(v, float) else v)
                for k, v in (dict(a.search.settings) if a.search is not None else {}).items()}
    summary = {k: (_f(v) if isinstance(v, float) else v) for k, v in ex.summary().items()}
    return {
        "format": REPORT_FORMAT,
        "format_version": REPORT_FORMAT_VERSION,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "starskope_version": __version__,
        "name": report_name(ex),
        "title": a.target or a.label or "star",
        "star": {"label": a.label, "target": a.target, "mission": a.mission, "product": a.product,
                 "flux_origin": a.flux_origin, "n_cadences": int(a.raw_time.size), "n_kept": int(a.kept.sum()),
                 "n_quality_flagged": int(a.quality_flagged.sum()), "n_outliers": int(a.outliers.sum()),
                 "time_span_days": _f(float(np.nanmax(a.raw_time) - np.nanmin(a.raw_time))) if a.raw_time.size else None},
        "verdict": {"class": ex.verdict, "title": ex.title, "status": ex.status, "verdict_reason": ex.verdict_reason,
                    "source": ex.verdict_source, "model_class": ex.model_class,
                    "model_title": CLASS_TITLES.get(ex.model_class, ex.model_class),
                    "probabilities": ex.probabilities, "p_planet": _f(ex.p_planet), "reason": ex.reason,
                    "evidence_class": ex.evidence_class, "evidence_title": CLASS_TITLES.get(ex.evidence_class, ""),
                    "evidence_rule": ex.evidence_rule},
        "summary": summary,
        "candidate": cand,
        "candidates": candidates,
        "flags": [f.to_dict() for f in rep.flags] if (rep is not None and a.vetted_for_model) else [],
        "flags_for_information": [f.to_dict() for f in rep.flags] if (rep is not None and not a.vetted_for_model) else [],
        "evidence": [r.to_dict() for r in ex.evidence],
        "parameters": derived_parameters(ex),
        "model": {**ex.model, "contributions": ex.contributions.to_dict() if ex.contributions else None,
                  "saliency": ex.saliency.to_dict() if ex.saliency else None},
        "provenance": {"file": a.label, "source": source or a.label, "product": a.product,
                       "flux_origin": a.flux_origin, "steps": list(a.provenance),
                       "search": {k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.items()},
                       "options": a.options.as_dict(), "model_version": ex.model.get("version", "") or "none (vetting rules)",
                       "starskope_version": __version__},
        "star_type": star_type_doc,
        "pixels": pixels_doc,
        "telescopes": telescopes,
        "warnings": list(a.warnings),
        "notes": notes,
        "figures": figures,
    }

"""The model card: what a model is, what it was trained on, how it does on real stars it
never saw, how sure it may be, what drives it and where it fails (Mitchell et al. 2019).

Not a command (the leading underscore keeps :func:`starskope.cli.build_app` from
registering it). :func:`write_model_card` is called by ``starskope evaluate --card FILE``
with everything that run measured; every number in the card comes from that run or from
the model file.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._realeval import MISSIONS, fmt

__all__ = ["write_model_card"]

_CLASSES = ("planet_transit", "eclipsing_binary", "other_variable", "nothing_significant")
_TITLES = {"planet_transit": "planet", "eclipsing_binary": "EB", "other_variable": "variable",
           "nothing_significant": "nothing"}


def _frac(n: int, d: int, f: float) -> str:
    return f"{n}/{d} ({fmt(f, 2)})" if d else "–"


def _model_section(doc: Mapping[str, Any]) -> list[str]:
    state = doc.get("state", {})
    params = doc.get("params", {})
    cal = state.get("calibration") or {}
    train = doc.get("training", {})
    analysis = (doc.get("preprocessing") or {}).get("analysis", {})
    members = state.get("member_names") or [m.get("name") for m in doc.get("members", [])]
    lines = ["## What it is", "",
             f"A stacked ensemble (`{doc.get('model')}`) of {', '.join(f'`{m}`' for m in members)}, combined by a "
             "logistic-regression stacker trained on the members' out-of-fold probabilities "
             f"({params.get('n_folds', '?')} folds), over four classes: {', '.join(f'`{c}`' for c in _CLASSES)}.",
             ""]
    if cal.get("method"):
        bias = ", ".join(f"{k} {v:+.2f}" for k, v in (cal.get("class_bias") or {}).items())
        lines += [f"**Calibration**: bias-corrected temperature scaling fitted on the out-of-fold predictions of "
                  f"the {cal.get('n_stars')} {'real ' if cal.get('on') == 'real' else ''}training stars: temperature "
                  f"{fmt(cal.get('temperature'), 2)}, class biases {bias}. Out of fold on those stars the expected "
                  f"calibration error of p_planet went from {fmt(cal.get('ece_p_planet_before'), 4)} to "
                  f"{fmt(cal.get('ece_p_planet_after'), 4)}.", ""]
    else:
        lines += ["**Calibration**: none (the stacker's own probabilities).", ""]
    lines += [f"**Planet decision**: p_planet ≥ {fmt(state.get('planet_threshold'), 3)}, the threshold that flags "
              f"{fmt(100 * float(params.get('target_fpr') or 0), 1)} % of the "
              f"{'real ' if cal.get('threshold_on') == 'real' else ''}training non-planets out of fold.", "",
              "**Analysis it expects** (stored with the model and followed for it by every entry point): "
              + ", ".join(f"`{k}={v}`" for k, v in analysis.items() if k not in ("view_spec", "spectrogram_spec")
                          and k in ("detrend", "stellar", "k2_roll", "search_bands", "vet_transit_fit",
                                    "vet_min_snr", "period_min_days")) + ".", "",
              f"Trained in {fmt(train.get('total_seconds'), 0)} s (analysis of every training star included "
              f"when not cached; the ensemble fits alone {fmt(train.get('seconds'), 0)} s); "
              f"created {doc.get('created', '?')}.", ""]
    return lines


def _training_section(doc: Mapping[str, Any]) -> list[str]:
    train = doc.get("training", {})
    lines = ["## Training data", "",
             f"{train.get('n_stars', sum(train.get('class_counts', [])))} stars, "
             f"class counts {dict(zip(_CLASSES, train.get('class_counts', []), strict=False))}.", ""]
    by = train.get("by_origin") or {}
    if by:
        lines += ["| origin | planet | EB | variable | nothing |", "|---|---|---|---|---|"]
        lines += [f"| {o} | " + " | ".join(str(c) for c in counts) + " |" for o, counts in by.items()]
        lines += ["", "*real*: the training half of the labelled real light curves (split by star, SHA-1 of the "
                  "target id; Kepler quarters stitched and one by one, K2 LLC and high-level products, TESS 2-min "
                  "and FFI); *injected*: planets and eclipsing binaries injected into real quiet training stars at "
                  "detection SNR 7.1–30; *dr24 tce*: the training stars' DR24 TCEs at their catalogue ephemerides "
                  "(PC planet, AFP EB, NTP variable); *simulated table*: the simulated K2 C3 Kaggle-layout table; "
                  "*injected table*: planets injected into its quiet rows; *simulated*: simulated Kepler and TESS "
                  "FITS light curves.", ""]
    return lines


def _results_section(real: Mapping[str, Any]) -> list[str]:
    lines = ["## Kept-aside real stars", "",
             f"{real.get('n_files')} files and {real.get('n_stars')} stars the model never saw (the other half of "
             "the split). *Detectable*: the known period shows SNR ≥ 7.1 with ≥ 2 transits in the light curve "
             "(`starskope.datasets.star_detectability`). *Hosts above p99*: detectable planet hosts whose p_planet "
             "exceeds the 99th percentile of the same telescope's non-hosts. *EBs called EB*: detectable eclipsing "
             "binaries the model decides are binaries (and, for files, that `classify`'s verdict calls binaries). "
             "*Hosts at the right period*: detectable hosts whose reported period is within 1 % of a known one "
             "(½× and 2× are not), and of those, for files, the ones `classify`'s verdict calls planets.",
             "", "| unit | telescope | n | ROC-AUC planet vs not | hosts above p99 | hosts at the right period "
             "(and called planet) | EBs called EB (model) | EBs called EB (verdict) | ECE p_planet | "
             "accuracy (4 classes) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for unit in ("files", "stars"):
        for m in (*MISSIONS, "all"):
            t = real.get(unit, {}).get(m)
            if t is None:
                continue
            h, b = t["hosts"], t["binaries"]
            verdict = _frac(b.get("verdict_eb", 0), b["n_detectable"], b.get("verdict_fraction", float("nan"))) \
                if "verdict_eb" in b else "–"
            right = "–"
            if "period_right" in h:
                right = f"{h['period_right']}/{h['n_detectable']}"
                if "period_right_and_planet" in h:
                    right += f" ({h['period_right_and_planet']})"
            lines.append(f"| {unit} | {m} | {t['n']} | {fmt(t['roc_auc'])} | "
                         f"{_frac(h['n_above'], h['n_detectable'], h['fraction_above'])} | {right} | "
                         f"{_frac(b['called_eb'], b['n_detectable'], b['fraction_called'])} | {verdict} | "
                         f"{fmt(t['ece_p_planet'], 4)} | {fmt(t['accuracy'])} |")
    lines += ["", "Recall per class (files; rows: telescope):", "",
              "| telescope | " + " | ".join(_TITLES[c] for c in _CLASSES) + " | class counts |",
              "|---|---|---|---|---|---|"]
    for m, t in real.get("files", {}).items():
        lines.append(f"| {m} | " + " | ".join(fmt(t["recall"].get(c)) for c in _CLASSES)
                     + f" | {t['class_counts']} |")
    cm = real.get("files", {}).get("all", {}).get("confusion")
    if cm:
        lines += ["", "Four-class confusion, all kept-aside files (rows true, columns decided):", "",
                  "| true \\ decided | " + " | ".join(_TITLES[c] for c in _CLASSES) + " |", "|---|---|---|---|---|"]
        lines += [f"| {_TITLES[c]} | " + " | ".join(str(v) for v in row) + " |" for c, row in zip(_CLASSES, cm,
                                                                                                 strict=True)]
    by = real.get("by_catalogue_class") or {}
    if by:
        lines += ["", "What the model calls each catalogue class (files):", "",
                  "| catalogue class | n | " + " | ".join(_TITLES[c] for c in _CLASSES) + " |", "|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['n']} | " + " | ".join(str(v[c]) for c in _CLASSES) + " |" for k, v in by.items()]
    return [*lines, ""]


def _calibration_section(real: Mapping[str, Any], image: str | None) -> list[str]:
    cal = real.get("calibration", {})
    lines = ["## Calibration", "",
             "Expected calibration error of p_planet (10 equal-width bins; the star-weighted mean of |fraction of "
             "planets − mean p_planet|) on the kept-aside real stars, before and after the ensemble's calibration:",
             "", "| unit | ECE before | ECE after |", "|---|---|---|"]
    for unit in ("files", "stars"):
        if unit in cal:
            lines.append(f"| {unit} | {fmt(cal[unit]['ece_before'], 4)} | {fmt(cal[unit]['ece_after'], 4)} |")
    rel = cal.get("files", {}).get("reliability_after")
    if rel:
        lines += ["", "Reliability after calibration (files):", "",
                  "| p bin | stars | mean p_planet | fraction planets |", "|---|---|---|---|"]
        for lo, hi, c, m, f in zip(rel["lower"], rel["upper"], rel["count"], rel["mean_p"], rel["fraction_positive"],
                                   strict=True):
            if c:
                lines.append(f"| {lo:.1f}–{hi:.1f} | {c} | {fmt(m)} | {fmt(f)} |")
    if image:
        lines += ["", f"![Reliability diagram of p_planet on kept-aside real files]({image})"]
    return [*lines, ""]


def _dr24_section(dr24: Mapping[str, Any]) -> list[str]:
    lines = ["## Vetting catalogue signals: Kepler DR24 TCEs", "",
             "Each TCE of the Kepler DR24 stars vetted at its catalogue ephemeris on the stitched Q2–Q4 light curve; "
             "p_planet ranks PC against AFP + NTP (AstroNet reports ROC-AUC 0.988 on the full DR24 test set of "
             "~1500 TCEs).", "", "| TCEs of | TCEs | PC / AFP / NTP | ROC-AUC | PR-AUC |", "|---|---|---|---|---|"]
    for k, m in dr24.items():
        what = "kept-aside stars" if k == "kept_aside" else "all DR24 stars (training stars' TCEs are training data)"
        lines.append(f"| {what} | {m['n_tces']} | {m['n_pc']} / {m['n_afp']} / {m['n_ntp']} | "
                     f"{fmt(m.get('roc_auc_pc_vs_afp_ntp'))} | {fmt(m.get('pr_auc_pc'))} |")
    return [*lines, ""]


def _star_type_section(st: Mapping[str, Any]) -> list[str]:
    lines = ["## Star types (the star-type model, read by the verdict)", "",
             f"Kept-aside TESS FFI stars ({st['n']}, "
             + ("the same split by star as above" if st.get("split", "star") == "star" else
                f"the split the shipped star-type model was trained with: {fmt(st.get('test_fraction'), 2)} of each "
                "class kept aside by file, stratified and seeded — not the planet model's split by star, which would "
                "score stars it trained on")
             + f"): accuracy {fmt(st['accuracy'])}, "
             f"macro-F1 over the five variability types {fmt(st['macro_f1_variability'])}."
             + (f" Eclipsing-binary recall over the {st['n_eb_detectable']} binaries whose eclipses are detectable: "
                f"{fmt(st['eb_recall_detectable'])}." if "eb_recall_detectable" in st else ""), "",
             "| type | precision | recall | F1 | stars |", "|---|---|---|---|---|"]
    lines += [f"| {t} | {fmt(m['precision'])} | {fmt(m['recall'])} | {fmt(m['f1'])} | {m['support']} |"
              for t, m in st["per_class"].items()]
    return [*lines, ""]


def _demo_section(demo: Mapping[str, Any]) -> list[str]:
    from ..models.evaluation import format_metric_table

    return ["## The demo: simulated K2 Campaign 3 table", "",
            f"`starskope demo` (seed {demo.get('seed')}; its report folder `{demo.get('report', '?')}`, read by "
            "`--demo-report`): the reproduced original CNN against starskope's ensemble trained on the simulated "
            "training table, on the simulated test table.", "", "```",
            format_metric_table(demo.get("models", {})), "```", ""]


def _importance_section(imp: Mapping[str, Any]) -> list[str]:
    lines = ["## What drives the decisions", "",
             "Permutation importance on the kept-aside real files: one input at a time shuffled across the stars; "
             "the drop in the mean log-probability of each star's true class (and in ROC-AUC, planet vs not). "
             "Members are scored on the inputs they read.", ""]
    mem = (imp.get("members") or {}).get("members", {})
    if mem:
        lines += ["What each member adds (its output shuffled across the stars before the stacker):", "",
                  "| member | own ROC-AUC | own mean log p | ensemble loses (mean log p) | ensemble loses (ROC-AUC) |",
                  "|---|---|---|---|---|"]
        lines += [f"| {m} | {fmt(v['own']['roc_auc'])} | {fmt(v['own']['mean_log_p'])} | "
                  f"{fmt(v['drop']['mean_log_p'], 4)} | {fmt(v['drop']['roc_auc'], 4)} |" for m, v in mem.items()]
        lines.append("")
    drops = (imp.get("inputs") or {}).get("drops", {})
    for who, d in drops.items():
        top = sorted(d.items(), key=lambda kv: -kv[1]["mean_log_p"])[:8]
        if top:
            lines.append(f"- **{who}**: " + ", ".join(f"{k} ({v['mean_log_p']:.3f}; AUC {v['roc_auc']:+.3f})"
                                                       for k, v in top))
    return [*lines, ""]


def _failure_section(real: Mapping[str, Any], dr24: Mapping[str, Any] | None) -> list[str]:
    lines = ["## Known failure modes", ""]
    files = real.get("files", {})
    if "K2" not in files:
        lines.append("- **K2 has no kept-aside real stars** in the data folder (its few labelled K2 stars fell in "
                     "the training half): K2 is measured only on the simulated K2 C3 table (the demo).")
    for m, t in files.items():
        if m == "all":
            continue
        for h in t["hosts"]["missed"]:
            lines.append(f"- {m}: the detectable host `{Path(str(h['name'])).name}` (SNR {fmt(h['snr_known'], 1)} at "
                         f"its known period) ranks below the 99th percentile of the non-hosts (p_planet "
                         f"{fmt(h['p_planet'])}).")
        b = t["binaries"]
        if b["n_detectable"] and b["called_eb"] < b["n_detectable"]:
            other = {k: v for k, v in b["called_as"].items() if k != "eclipsing_binary" and v}
            lines.append(f"- {m}: {b['n_detectable'] - b['called_eb']} of {b['n_detectable']} detectable eclipsing "
                         f"binaries are not called binaries by the model ("
                         + ", ".join(f"{v} {_TITLES[k]}" for k, v in other.items()) + ")"
                         + (f"; the verdict calls {b['verdict_eb']} of them binaries" if "verdict_eb" in b else "")
                         + ".")
        weak = [(c, r) for c, r in t["recall"].items() if r is not None and r < 0.5 and t["class_counts"][
            _CLASSES.index(c)] >= 5]
        for c, r in weak:
            lines.append(f"- {m}: only {fmt(r, 2)} of the {t['class_counts'][_CLASSES.index(c)]} "
                         f"`{c}` files are decided so.")
    if dr24 and "kept_aside" in dr24:
        k = dr24["kept_aside"]
        lines.append(f"- The DR24 measurement rests on {k['n_tces']} TCEs of {k.get('n_stars', '?')} kept-aside stars, "
                     "not the ~1500 of the DR24 test set: its uncertainty is several hundredths.")
    return [*lines, ""]


def write_model_card(path: str | Path, doc: Mapping[str, Any], metrics: Mapping[str, Any], *,
                     model_dir: str | Path, report: str | Path) -> Path:
    """Write the model card (Markdown) for a model file's JSON (``doc``) and an
    evaluation's ``metrics.json`` content; the reliability diagram is copied beside the
    card (``img/model-reliability.png``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    real = metrics.get("real_data")
    image = None
    if real and Path(real.get("reliability_png", "")).is_file():
        (path.parent / "img").mkdir(exist_ok=True)
        shutil.copyfile(real["reliability_png"], path.parent / "img" / "model-reliability.png")
        image = "img/model-reliability.png"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Model card: the starskope default model", "",
             f"Written by `starskope evaluate {model_dir} --card {path}` ({when}; starskope "
             f"{doc.get('starskope_version', '?')}); every number comes from that run (report folder `{report}`) or "
             "from the model file.", ""]
    lines += _model_section(doc)
    lines += _training_section(doc)
    if real:
        lines += _results_section(real)
        lines += _calibration_section(real, image)
    if metrics.get("dr24_tces"):
        lines += _dr24_section(metrics["dr24_tces"])
    if metrics.get("star_types"):
        lines += _star_type_section(metrics["star_types"])
    if metrics.get("demo"):
        lines += _demo_section(metrics["demo"])
    if metrics.get("importance"):
        lines += _importance_section(metrics["importance"])
    if real:
        lines += _failure_section(real, metrics.get("dr24_tces"))
    path.write_text("\n".join(lines).rstrip() + "\n")
    return path

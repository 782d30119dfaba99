"""Per-star reports in the spirit of a Kepler data-validation one-pager.

:func:`build_report` turns an :class:`~starskope.explain.Explanation` into a JSON-able
document (verdict, reason, evidence, derived parameters, model contributions,
provenance and Plotly figures); :func:`render_html` renders it as one self-contained,
offline HTML page; :func:`write_report` writes both. :func:`report_file` does it all for
a light-curve file::

    >>> html, js = report_file("pi_men_s1.fits", "reports/")   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .builder import (
    REPORT_FORMAT,
    REPORT_FORMAT_VERSION,
    build_report,
    candidates_section,
    derived_parameters,
    report_name,
    star_type_section,
)
from .html import PLOTLY_JS_NAME, jsonable, plotly_js_path, render_html, to_json, write_report

__all__ = [
    "PLOTLY_JS_NAME",
    "REPORT_FORMAT",
    "REPORT_FORMAT_VERSION",
    "build_report",
    "candidates_section",
    "derived_parameters",
    "jsonable",
    "plotly_js_path",
    "render_html",
    "report_file",
    "report_name",
    "star_type_section",
    "to_json",
    "write_report",
]


def report_file(path: str | Path, out_dir: str | Path, *, model: Any = "default", options: Any = None,
                plotly: str = "inline", saliency: bool = True) -> tuple[Path, Path]:
    """Analyse, explain and write the report of one light-curve file.

    Parameters
    ----------
    path : path-like
        A light-curve file :func:`starskope.io.read` understands.
    out_dir : path-like
        Folder for ``NAME.html`` and ``NAME.json``.
    model : StarskopeClassifier, "default" or None
        "default": the shipped model when there is one (else the vetting rules);
        None: the vetting rules.
    options : AnalysisOptions, optional
        Default :func:`starskope.analysis.options_for` ``(model)``.
    plotly : {'inline', 'file'}
    saliency : bool

    Returns
    -------
    (Path, Path)
        HTML and JSON files.
    """
    from ..analysis import analyse, options_for
    from ..explain import default_model_or_none, explain

    if isinstance(model, str) and model == "default":
        model = default_model_or_none()
    analysis = analyse(path, options=options or options_for(model), model=model, detail=True)
    ex = explain(analysis, model, saliency=saliency)
    doc = build_report(ex, source=str(path), model=model)
    return write_report(doc, out_dir, plotly=plotly)

"""Render a report document as HTML, and write reports to disk.

The page is a Jinja2 template (``report/templates``) with the CSS inlined. Plotly.js is
either inlined (``plotly="inline"``: one self-contained file, viewable with no network),
written once beside the reports (``plotly="file"``), or referenced by URL (the web app
serves its local copy). It is always the copy installed with the ``plotly`` Python
package (``plotly/package_data/plotly.min.js``); no CDN is ever used.

Text from files (object names, file names) is HTML-escaped by the template, and the
JSON embedded for the figures is escaped so it cannot close its ``<script>`` element.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import LightCurveFileError, ParameterError

__all__ = ["PLOTLY_JS_NAME", "jsonable", "plotly_js_path", "render_html", "template_environment", "to_json",
           "write_report"]

#: File name of the Plotly bundle beside reports and in the web app's static folder.
PLOTLY_JS_NAME = "plotly.min.js"

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def plotly_js_path() -> Path:
    """Path of ``plotly.min.js`` shipped inside the installed ``plotly`` package.

    Raises
    ------
    LightCurveFileError
        The plotly package or its bundled JavaScript is missing.
    """
    try:
        import plotly
    except ImportError:  # pragma: no cover - a declared dependency
        raise LightCurveFileError("the plotly package is not installed; reports need its plotly.min.js") from None
    path = Path(plotly.__file__).resolve().parent / "package_data" / PLOTLY_JS_NAME
    if not path.is_file():
        raise LightCurveFileError(f"{path}: plotly.min.js is missing from the installed plotly package")
    return path


def jsonable(obj: Any) -> Any:
    """A copy of ``obj`` that :func:`json.dumps` writes as strict JSON: NumPy scalars and
    arrays become Python numbers and lists, NaN and infinities become null."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def to_json(doc: Any, *, indent: int | None = None) -> str:
    """Strict JSON text of a report document (see :func:`jsonable`)."""
    return json.dumps(jsonable(doc), indent=indent, allow_nan=False, ensure_ascii=False)


def _script_json(doc: Any) -> str:
    # "</" would end the <script> element early: a file named "</script><script>..." must stay data
    return to_json(doc).replace("</", "<\\/").replace("<!--", "<\\!--")


def template_environment(extra_dirs: list[Path] | None = None) -> Any:
    """The Jinja2 environment of the report templates (autoescaping on)."""
    import jinja2

    loader = jinja2.FileSystemLoader([str(p) for p in (extra_dirs or [])] + [str(_TEMPLATES)])
    env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html"]),
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["script_json"] = _script_json
    return env


def render_html(doc: dict[str, Any], *, plotly: str = "inline", plotly_url: str = PLOTLY_JS_NAME) -> str:
    """The report page.

    Parameters
    ----------
    doc : dict
        A report document (:func:`starskope.report.build_report`).
    plotly : {'inline', 'url'}
        Inline Plotly.js in the page, or load it from ``plotly_url``.
    plotly_url : str
        Where the page finds Plotly.js when ``plotly='url'`` (a relative file name or a
        path on the same server; never a CDN).

    Raises
    ------
    ParameterError
        An unknown ``plotly`` mode, or a ``plotly_url`` on another host.
    """
    if plotly not in ("inline", "url"):
        raise ParameterError(f"plotly must be 'inline' or 'url'; got {plotly!r}")
    if "://" in plotly_url or plotly_url.startswith("//"):
        raise ParameterError(f"plotly_url must be a local path, not {plotly_url!r}: reports never load from the network")
    env = template_environment()
    js = plotly_js_path().read_text(encoding="utf-8") if plotly == "inline" else None
    if js is not None:
        js = js.replace("</script", "<\\/script")
    return env.get_template("report.html").render(doc=doc, plotly_inline=js, plotly_url=plotly_url)


def write_report(doc: dict[str, Any], out_dir: str | Path, *, plotly: str = "inline",
                 name: str | None = None) -> tuple[Path, Path]:
    """Write ``NAME.html`` and ``NAME.json`` into ``out_dir``.

    Parameters
    ----------
    doc : dict
        Report document.
    out_dir : path-like
        Folder (created when missing).
    plotly : {'inline', 'file'}
        Inline Plotly.js in the page, or copy it once into ``out_dir`` beside the pages.
    name : str, optional
        File-name stem (default ``doc['name']``).

    Returns
    -------
    (Path, Path)
        The HTML and JSON files.

    Raises
    ------
    ParameterError
        An unknown ``plotly`` mode or a name that is not a plain file name.
    """
    import shutil

    if plotly not in ("inline", "file"):
        raise ParameterError(f"plotly must be 'inline' or 'file'; got {plotly!r}")
    stem = name or str(doc.get("name") or "star")
    if Path(stem).name != stem or stem in (".", "..") or not stem:
        raise ParameterError(f"report name {stem!r} must be a plain file name")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html_path, json_path = out / f"{stem}.html", out / f"{stem}.json"
    if plotly == "file":
        target = out / PLOTLY_JS_NAME
        if not target.exists():
            shutil.copyfile(plotly_js_path(), target)
        page = render_html(doc, plotly="url", plotly_url=PLOTLY_JS_NAME)
    else:
        page = render_html(doc, plotly="inline")
    html_path.write_text(page, encoding="utf-8")
    json_path.write_text(to_json(doc, indent=1), encoding="utf-8")
    return html_path, json_path

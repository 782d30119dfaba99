"""Model files: weights plus a JSON of configuration, version, preprocessing and metrics.

A model file is a folder::

    my-model/
        model.json        what the model is (schema below)
        weights.pt        torch models: a ``state_dict`` (``torch.save``), read back with
                          ``torch.load(..., weights_only=True)``
        arrays.npz        other models: named float/int arrays, read with
                          ``np.load(..., allow_pickle=False)``
        members/NAME/     an ensemble's member models, each a model folder of its own

Loading never unpickles anything: the JSON says which registered model class to build
(:data:`starskope.models.MODELS`), with which hyperparameters and fitted state, and the
weights are plain tensors or arrays whose SHA-256 is checked against the JSON.

``model.json`` keys (all required unless marked optional):

===================  ===================================================================
format               ``"starskope-model"``
format_version       integer, at most :data:`FORMAT_VERSION`
starskope_version    version of starskope that wrote it
versions             optional: versions of Python, starskope, NumPy, SciPy, scikit-learn, PyTorch and
                     astropy that made it (older files lack it)
model                registry name (``"gbt"``, ``"view-cnn"``, ...)
params               hyperparameters (the estimator's ``get_params()``)
classes              class labels, in ``predict_proba`` column order
state                fitted state that is not an array (JSON)
weights              ``{"file", "kind": "torch"|"npz"|"none", "sha256"}``
members              optional: ``[{"name", "path"}]`` of an ensemble's members
preprocessing        optional: how inputs were built: ``analysis`` (every
                     :class:`~starskope.analysis.AnalysisOptions` setting, which
                     :func:`~starskope.analysis.options_for` follows for this model),
                     view sizes, feature names
training             optional: training-data summary (counts per class, seed, time)
metrics              optional: metrics measured after training
created              optional: ISO time stamp
===================  ===================================================================
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError, UnknownNameError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MODEL_JSON",
    "load_model",
    "read_model_json",
    "save_model",
]

#: Value of the ``format`` key.
FORMAT = "starskope-model"
#: Newest ``format_version`` this starskope reads and the one it writes.
FORMAT_VERSION = 1
#: Name of the JSON file inside a model folder.
MODEL_JSON = "model.json"

_REQUIRED = ("format", "format_version", "starskope_version", "model", "params", "classes", "state", "weights")
_KINDS = ("torch", "npz", "none")


def _version() -> str:
    from .. import __version__

    return __version__


def _jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars/arrays to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_weights(folder: Path, kind: str, arrays: dict[str, Any]) -> dict[str, str]:
    if kind == "none" or not arrays:
        return {"file": "", "kind": "none", "sha256": ""}
    if kind == "torch":
        import torch

        path = folder / "weights.pt"
        torch.save({k: v.detach().cpu() for k, v in arrays.items()}, path)
    elif kind == "npz":
        path = folder / "arrays.npz"
        np.savez_compressed(path, **{k: np.asarray(v) for k, v in arrays.items()})
    else:  # pragma: no cover - programming error
        raise ValueError(f"weights kind must be one of {_KINDS}; got {kind!r}")
    return {"file": path.name, "kind": kind, "sha256": _sha256(path)}


def library_versions() -> dict[str, str]:
    """Versions of what made a model: Python, starskope, NumPy, SciPy, scikit-learn,
    PyTorch and astropy (``model.json``'s ``versions``)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "starskope": _version()}
    for dist in ("numpy", "scipy", "scikit-learn", "torch", "astropy"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = ""
    return out


def model_identity(model: Any) -> str:
    """A model's identity for result keys and reports: ``"<name> <weights sha256[:12]>"``
    (a hash of its JSON document when it has no weights file), ``"none"`` for None.

    Two models with the same identity give the same probabilities for the same inputs.
    """
    if model is None:
        return "none"
    doc = getattr(model, "model_json_", None) or {}
    name = str(doc.get("model") or getattr(model, "model_name", type(model).__name__))
    sha = str((doc.get("weights") or {}).get("sha256") or "")
    if not sha and doc:
        sha = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()
    if not sha:
        # never saved: an identity of its own, so its results are never mistaken for another's
        import uuid

        if not getattr(model, "unsaved_identity_", None):
            model.unsaved_identity_ = uuid.uuid4().hex
        return f"{name} unsaved-{model.unsaved_identity_[:12]}"
    return f"{name} {sha[:12]}"


def save_model(
    model: Any,
    path: str | os.PathLike[str],
    *,
    preprocessing: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    overwrite: bool = True,
) -> Path:
    """Write a fitted model as a model folder (see the module docstring).

    Parameters
    ----------
    model : StarskopeClassifier
        A fitted starskope model (anything with ``model_name``, ``get_params``,
        ``classes_`` and ``_export_state``).
    path : path-like
        Folder to write; written to a temporary sibling first and moved into place.
    preprocessing, training, metrics : dict, optional
        Stored in the JSON (``training`` and ``metrics`` default to the model's own
        ``training_summary_`` / ``metrics_`` when it has them).
    overwrite : bool
        Replace an existing folder.

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    ModelFileError
        The folder exists and ``overwrite`` is False, or the model is not fitted.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise ModelFileError(f"{path}: model folder exists; pass overwrite=True to replace it")
    if not hasattr(model, "classes_"):
        raise ModelFileError(f"{path}: cannot save an unfitted {type(model).__name__}; call fit first")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a model folder is ordinary package data
    try:
        _write_folder(model, tmp, preprocessing=preprocessing, training=training, metrics=metrics)
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _write_folder(model: Any, folder: Path, *, preprocessing, training, metrics) -> None:
    state, arrays, kind = model._export_state()
    members_meta = []
    for name, member in getattr(model, "_export_members", lambda: [])():
        sub = folder / "members" / name
        sub.mkdir(parents=True)
        _write_folder(member, sub, preprocessing=None, training=None, metrics=None)
        members_meta.append({"name": name, "path": f"members/{name}"})
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "starskope_version": _version(),
        "versions": library_versions(),
        "model": model.model_name,
        "params": _jsonable(model.get_params(deep=False)),
        "classes": _jsonable(list(model.classes_)),
        "state": _jsonable(state),
        "weights": _write_weights(folder, kind, arrays),
        "members": members_meta,
        "preprocessing": _jsonable(preprocessing if preprocessing is not None else getattr(model, "preprocessing_", {})),
        "training": _jsonable(training if training is not None else getattr(model, "training_summary_", {})),
        "metrics": _jsonable(metrics if metrics is not None else getattr(model, "metrics_", {})),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    text = json.dumps(doc, indent=1, allow_nan=False)
    (folder / MODEL_JSON).write_text(text + "\n")


def read_model_json(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate a model folder's ``model.json`` (no weights are loaded).

    Raises
    ------
    ModelFileError
        Missing folder or JSON, invalid JSON, wrong ``format``, a ``format_version``
        newer than this starskope reads, missing keys, or a bad ``weights`` entry.
    """
    folder = Path(path)
    if not folder.exists():
        raise ModelFileError(f"{folder}: model folder not found")
    if not folder.is_dir():
        raise ModelFileError(f"{folder}: a model file is a folder holding {MODEL_JSON}; got a plain file")
    jpath = folder / MODEL_JSON
    if not jpath.is_file():
        raise ModelFileError(f"{folder}: no {MODEL_JSON} in the model folder")
    try:
        doc = json.loads(jpath.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{jpath}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ModelFileError(f"{jpath}: top level must be a JSON object; got {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise ModelFileError(f"{jpath}: 'format' must be {FORMAT!r}; got {doc.get('format')!r}")
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        raise ModelFileError(f"{jpath}: missing key(s) {', '.join(missing)}")
    ver = doc["format_version"]
    if not isinstance(ver, int) or ver < 1:
        raise ModelFileError(f"{jpath}: 'format_version' must be a positive integer; got {ver!r}")
    if ver > FORMAT_VERSION:
        raise ModelFileError(
            f"{jpath}: format_version {ver} is newer than this starskope ({_version()}) reads "
            f"(up to {FORMAT_VERSION}); upgrade starskope"
        )
    w = doc["weights"]
    if not isinstance(w, dict) or w.get("kind") not in _KINDS or "file" not in w or "sha256" not in w:
        raise ModelFileError(f"{jpath}: 'weights' must be {{'file', 'kind' in {_KINDS}, 'sha256'}}; got {w!r}")
    if not isinstance(doc["params"], dict) or not isinstance(doc["state"], dict):
        raise ModelFileError(f"{jpath}: 'params' and 'state' must be JSON objects")
    if not isinstance(doc["classes"], list) or len(doc["classes"]) < 2:
        raise ModelFileError(f"{jpath}: 'classes' must list at least two classes; got {doc['classes']!r}")
    return doc


def _read_weights(folder: Path, w: dict[str, str]) -> dict[str, Any]:
    if w["kind"] == "none":
        return {}
    path = folder / w["file"]
    if not path.is_file() or Path(w["file"]).name != w["file"]:
        raise ModelFileError(f"{path}: weights file named in {MODEL_JSON} is missing")
    digest = _sha256(path)
    if digest != w["sha256"]:
        raise ModelFileError(
            f"{path}: weights checksum {digest[:12]}… does not match {MODEL_JSON} ({str(w['sha256'])[:12]}…); "
            "the file is corrupt or was replaced"
        )
    try:
        if w["kind"] == "torch":
            import torch

            data = torch.load(path, map_location="cpu", weights_only=True)
            if not isinstance(data, dict):
                raise ModelFileError(f"{path}: expected a state_dict of tensors; got {type(data).__name__}")
            return dict(data)
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except ModelFileError:
        raise
    except Exception as exc:
        raise ModelFileError(f"{path}: cannot read weights ({type(exc).__name__}: {exc})") from None


def load_model(path: str | os.PathLike[str]) -> Any:
    """Load a model folder written by :func:`save_model`.

    Parameters
    ----------
    path : path-like
        The model folder.

    Returns
    -------
    StarskopeClassifier
        The fitted model, with ``model_json_`` holding the JSON document.

    Raises
    ------
    ModelFileError
        Any problem with the folder (see :func:`read_model_json`), an unknown model
        name, a weights file that is missing, corrupt or does not fit the model.
    """
    from .registry import MODELS

    folder = Path(path)
    doc = read_model_json(folder)
    try:
        spec = MODELS.get(doc["model"])
    except UnknownNameError as exc:
        raise ModelFileError(f"{folder / MODEL_JSON}: {exc}") from None
    cls = spec.estimator
    arrays = _read_weights(folder, doc["weights"])
    members = []
    for m in doc.get("members") or []:
        if not isinstance(m, dict) or "name" not in m or "path" not in m:
            raise ModelFileError(f"{folder / MODEL_JSON}: bad member entry {m!r}")
        sub = (folder / m["path"]).resolve()
        if folder.resolve() not in sub.parents:
            raise ModelFileError(f"{folder / MODEL_JSON}: member path {m['path']!r} leaves the model folder")
        members.append((m["name"], load_model(sub)))
    try:
        model = cls(**doc["params"])
    except TypeError as exc:
        raise ModelFileError(f"{folder / MODEL_JSON}: params do not fit {cls.__name__} ({exc})") from None
    try:
        model._import_state(doc["state"], arrays, classes=doc["classes"], members=members)
    except ModelFileError:
        raise
    except Exception as exc:
        raise ModelFileError(
            f"{folder}: weights/state do not fit {cls.__name__} ({type(exc).__name__}: {exc})"
        ) from None
    model.preprocessing_ = doc.get("preprocessing") or {}
    model.training_summary_ = doc.get("training") or {}
    model.metrics_ = doc.get("metrics") or {}
    model.model_json_ = doc
    return model

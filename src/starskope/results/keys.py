"""What a result depends on, as keys: the input's content, the analysis options, the model.

A result is identified by three things, never by a file's path:

* **content** — :func:`content_key`: ``sha256:<hex>`` of the file's bytes, with
  ``#rows=START-STOP`` appended for rows ``[START, STOP)`` of a table (0-based), so a
  file replaced under the same name is a new input and the same bytes uploaded twice
  are one;
* **options** — :func:`options_key`: the hash of the options as canonical JSON (sorted
  keys, no spaces), together with what is made from them (``product``: a classify row
  is not a full report) and the starskope version (whose defaults fill what the options
  leave out);
* **model** — :func:`model_identity`: ``sha256:<hex>`` over a model folder's files
  (``model.json`` and weights, members included), ``default@<starskope version>+<hash>``
  for the model shipped with starskope, ``none`` for the vetting rules alone.

:class:`AnalysisIdentity` holds the last two for a run; :meth:`AnalysisIdentity.result_key`
combines them with an input's content into the key that the run journal
(:class:`~starskope.results.journal.Journal`) and the results database
(:mod:`starskope.results.store`) look results up by.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelFileError, ParameterError

__all__ = [
    "AnalysisIdentity",
    "content_key",
    "file_sha256",
    "folder_sha256",
    "model_identity",
    "options_key",
]

_BLOCK = 1 << 20


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of a file's bytes, as stored (a gzipped file's compressed bytes).

    Raises
    ------
    OSError
        The file cannot be read.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            h.update(block)
    return h.hexdigest()


def content_key(sha256: str, row_start: int | None = None, row_stop: int | None = None) -> str:
    """The content part of a result key.

    Parameters
    ----------
    sha256 : str
        Hex SHA-256 of the file (:func:`file_sha256`).
    row_start, row_stop : int, optional
        Rows ``[row_start, row_stop)`` of a table (0-based); both or neither.

    Returns
    -------
    str
        ``sha256:<hex>`` or ``sha256:<hex>#rows=START-STOP``.

    Raises
    ------
    ParameterError
        A hash that is not 64 hex digits, only one of the row bounds, or an empty or
        negative row range.
    """
    text = str(sha256).lower()
    if len(text) != 64 or any(ch not in "0123456789abcdef" for ch in text):
        raise ParameterError(f"sha256 must be 64 hex digits; got {sha256!r}")
    if (row_start is None) != (row_stop is None):
        raise ParameterError(f"give both row_start and row_stop or neither; got {row_start!r}, {row_stop!r}")
    if row_start is None:
        return f"sha256:{text}"
    if not 0 <= int(row_start) < int(row_stop):  # type: ignore[arg-type]
        raise ParameterError(f"row range must satisfy 0 <= row_start < row_stop; got {row_start}-{row_stop}")
    return f"sha256:{text}#rows={int(row_start)}-{int(row_stop)}"  # type: ignore[arg-type]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=True,
                      default=str)


def options_key(options: Mapping[str, Any] | None) -> str:
    """SHA-256 (hex) of options as canonical JSON: the same options give the same key
    whatever their order; ``None`` (a model's own stored options) has its own key."""
    return hashlib.sha256(_canonical(None if options is None else dict(options)).encode()).hexdigest()


def folder_sha256(folder: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) over every file in a folder tree: relative paths and bytes, in path order.

    Raises
    ------
    ParameterError
        The folder does not exist or holds no files.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ParameterError(f"{root}: model folder not found")
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise ParameterError(f"{root}: the model folder holds no files")
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(file_sha256(p).encode() + b"\n")
    return h.hexdigest()


def _default_model_dir() -> Path:
    from ..models import DEFAULT_MODEL_DIR

    return Path(DEFAULT_MODEL_DIR)


def model_identity(model: str | os.PathLike[str] | None) -> str:
    """Who makes the verdicts: a model folder's content, the shipped model, or the rules.

    Parameters
    ----------
    model : str, path or None
        A model folder; ``None``, ``""`` or ``"default"`` for the model shipped with
        starskope; ``"none"`` for the vetting rules without a model.

    Returns
    -------
    str
        ``sha256:<hex>`` (:func:`folder_sha256` of the folder), ``default@<version>+<hash>``
        (the first 16 hex digits of the shipped folder's hash; ``missing`` when starskope
        ships none) or ``none``.

    Raises
    ------
    ModelFileError
        A model folder that does not exist or holds no ``model.json``.
    """
    text = "" if model is None else str(model)
    if text.lower() == "none":
        return "none"
    if text in ("", "default"):
        from .. import __version__

        folder = _default_model_dir()
        digest = folder_sha256(folder)[:16] if (folder / "model.json").is_file() else "missing"
        return f"default@{__version__}+{digest}"
    if not (Path(text) / "model.json").is_file():
        raise ModelFileError(f"{text}: not a model folder (no model.json)")
    return f"sha256:{folder_sha256(text)}"


@dataclass(frozen=True)
class AnalysisIdentity:
    """Everything a run's results depend on besides the input: options and model.

    Attributes
    ----------
    options : str
        :func:`options_key` of the product and its options.
    model : str
        :func:`model_identity` of the model.
    """

    options: str
    model: str

    @classmethod
    def of(cls, product: str, options: Mapping[str, Any] | None,
           model: str | os.PathLike[str] | None) -> AnalysisIdentity:
        """The identity of ``product`` (``"classify"``, ``"report"`` …) made with ``options``
        (None: the model's own) by ``model`` (see :func:`model_identity`)."""
        return cls(options=cls.options_of(product, options), model=model_identity(model))

    @staticmethod
    def options_of(product: str, options: Mapping[str, Any] | None) -> str:
        """The options part: :func:`options_key` of the product, its options and the
        starskope version (defaults that options leave out belong to the version)."""
        from .. import __version__

        return options_key({"product": str(product), "options": None if options is None else dict(options),
                            "starskope": __version__})

    def result_key(self, content: str) -> str:
        """SHA-256 (hex) of an input's content (:func:`content_key`), the options and the model."""
        return hashlib.sha256(f"{content}\n{self.options}\n{self.model}".encode()).hexdigest()

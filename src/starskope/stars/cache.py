"""The on-disk cache of stellar properties fetched from MAST.

One JSON file per star, written atomically (a temporary file, then ``os.replace``); each
carries a SHA-256 checksum of its contents, so a truncated or altered entry is detected,
removed with a :class:`~starskope.errors.StarskopeWarning`, and fetched again — never used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CatalogError, StarskopeWarning
from .properties import StellarProperties

__all__ = ["CACHE_SCHEMA", "StellarCache"]

#: Version of the cache file layout; entries of another version are fetched again.
CACHE_SCHEMA = 1


def _default_cache_dir() -> Path:
    root = os.environ.get("STARSKOPE_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "starskope") / "stars"


class StellarCache:
    """One JSON file per star, written atomically and checked on reading.

    Parameters
    ----------
    directory : path, optional
        Default ``$STARSKOPE_CACHE/stars`` or ``~/.cache/starskope/stars``.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else _default_cache_dir()

    def path(self, target: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.+-]+", "_", target.strip()).strip("_") or "unnamed"
        return self.directory / f"{safe}.json"

    @staticmethod
    def _checksum(properties: Mapping[str, Any]) -> str:
        return hashlib.sha256(json.dumps(properties, sort_keys=True).encode()).hexdigest()

    def get(self, target: str) -> StellarProperties | None:
        """The cached record, or None when absent or corrupt (a corrupt file is removed
        with a :class:`~starskope.errors.StarskopeWarning`)."""
        path = self.path(target)
        if not path.exists():
            return None
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if payload.get("schema") != CACHE_SCHEMA:
                raise CatalogError(f"cache schema {payload.get('schema')!r}, expected {CACHE_SCHEMA}")
            props = payload["properties"]
            if self._checksum(props) != payload.get("checksum"):
                raise CatalogError("checksum does not match the contents")
            record = StellarProperties.from_dict(props)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, CatalogError, KeyError,
                AttributeError, TypeError) as exc:
            warnings.warn(f"{path}: corrupt stellar-property cache entry removed and will be "
                          f"fetched again ({type(exc).__name__}: {exc})", StarskopeWarning, stacklevel=3)
            path.unlink(missing_ok=True)
            return None
        return record

    def put(self, target: str, record: StellarProperties) -> Path:
        """Write ``record`` atomically (temporary file in the same folder, then replace)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        props = record.to_dict()
        payload = {"schema": CACHE_SCHEMA, "target": target,
                   "written": datetime.now(UTC).isoformat(timespec="seconds"),
                   "checksum": self._checksum(props), "properties": props}
        path = self.path(target)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

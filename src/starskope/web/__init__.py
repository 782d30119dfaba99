"""The starskope web app and its storage.

:func:`starskope.web.app.create_app` builds the FastAPI application (``starskope serve``
runs it); :mod:`starskope.web.storage` keeps uploads, jobs and results behind the
:class:`~starskope.web.storage.Storage` protocol (SQLite by default);
:mod:`starskope.web.jobs` runs the analyses in the background; :mod:`starskope.web.uploads`
checks everything users send. The app itself is imported on demand (it needs FastAPI).
"""

from .storage import SQLiteStorage, StarQuery, Storage, open_storage

__all__ = ["SQLiteStorage", "StarQuery", "Storage", "open_storage"]

"""Where results are kept, keyed by what made them: the run journal and the results database.

A neutral stage below the batch engine and the web app, which both use it:

* :mod:`.keys` — the identity of a result: the input's content hash (plus table rows),
  the analysis options and the model (:class:`AnalysisIdentity`, :func:`content_key`);
* :mod:`.journal` — :class:`Journal`, the fsync'd JSON-lines record of a batch run that
  makes ``starskope classify`` resumable;
* :mod:`.store` — the results database (:class:`Storage`, SQLite by default) of uploads,
  jobs, stars and reports that ``starskope serve`` shows and ``classify --db`` fills.
"""

from .journal import Journal
from .keys import (
    AnalysisIdentity,
    content_key,
    file_sha256,
    folder_sha256,
    model_identity,
    options_key,
)
from .store import (
    BATCH_SOURCE,
    STORAGE_BACKENDS,
    JobItem,
    JobRecord,
    SQLiteStorage,
    StarQuery,
    StarRecord,
    Storage,
    UploadRecord,
    open_storage,
)

__all__ = [
    "BATCH_SOURCE",
    "STORAGE_BACKENDS",
    "AnalysisIdentity",
    "JobItem",
    "JobRecord",
    "Journal",
    "SQLiteStorage",
    "StarQuery",
    "StarRecord",
    "Storage",
    "UploadRecord",
    "content_key",
    "file_sha256",
    "folder_sha256",
    "model_identity",
    "open_storage",
    "options_key",
]

"""The starskope web app.

:func:`starskope.web.app.create_app` builds the FastAPI application (``starskope serve``
runs it); :mod:`starskope.web.jobs` runs the analyses in the background on the batch
engine; :mod:`starskope.web.uploads` checks everything users send. Uploads, jobs and
results live in the results database (:mod:`starskope.results.store`), which
``starskope classify --db`` fills too. The app itself is imported on demand (it needs
FastAPI).
"""

__all__: list[str] = []

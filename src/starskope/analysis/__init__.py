"""One analysis path: every entry point analyses a star the same way.

``starskope classify``, ``report``, ``search``, ``vet``, ``evaluate``, ``train``, the
web app, the batch engine and the Python API all

1. resolve their settings with :func:`options_for` (the model's own settings, then the
   user's overrides), and
2. analyse each star with :func:`analyse` (or its batched form for table rows,
   :func:`analyse_table_rows`), which returns one :class:`StarAnalysis`: the cleaned
   light curve, the search, the vetting, the model inputs, the star type, the model's
   decision, and the repairs made to the data; its one verdict (:func:`verdict_of`:
   the model, the vetting flags and the star type reconciled) and every candidate of
   the search with their relations (:func:`candidate_rows`).

A results row (:func:`result_row`), a report and the web page are all read off that one
object, so they show one star the same numbers.

>>> from starskope.analysis import analyse, options_for            # doctest: +SKIP
>>> from starskope.models import default_model                     # doctest: +SKIP
>>> model = default_model()                                        # doctest: +SKIP
>>> a = analyse("kplr011442793-2009350155506_llc.fits", model=model)  # doctest: +SKIP
>>> a.classification.p_planet, a.candidate.period, a.star_type.star_type  # doctest: +SKIP
"""

from __future__ import annotations

from .candidates import CandidateRelation, candidate_relations, candidate_rows
from .classify import (
    CLASSIFY_COLUMNS,
    check_four_class_model,
    classify_analyses,
    error_row,
    result_columns,
    result_row,
)
from .core import (
    MIN_CADENCES,
    analyse_lightcurve,
    collect_warnings,
    features_of,
    target_name,
    vet_ephemerides,
)
from .entry import analyse, analyse_file, analyse_files, read_star
from .options import (
    MODEL_FIELDS,
    RUN_FIELDS,
    AnalysisOptions,
    ModelOptionsWarning,
    model_options,
    options_for,
    search_period_max,
)
from .result import Classification, StarAnalysis
from .tables import (
    FIRING_ROWS,
    analyse_table_row,
    analyse_table_rows,
    clean_table_rows,
    table_file_firing_mask,
    table_firing_mask,
)
from .verdict import CHECK, CONFIDENT, Verdict, reconcile, rules_verdict, verdict_of

__all__ = [
    "CHECK",
    "CLASSIFY_COLUMNS",
    "CONFIDENT",
    "FIRING_ROWS",
    "MIN_CADENCES",
    "MODEL_FIELDS",
    "RUN_FIELDS",
    "AnalysisOptions",
    "CandidateRelation",
    "Classification",
    "ModelOptionsWarning",
    "StarAnalysis",
    "Verdict",
    "analyse",
    "analyse_file",
    "analyse_files",
    "analyse_lightcurve",
    "analyse_table_row",
    "analyse_table_rows",
    "candidate_relations",
    "candidate_rows",
    "check_four_class_model",
    "classify_analyses",
    "clean_table_rows",
    "collect_warnings",
    "error_row",
    "features_of",
    "model_options",
    "options_for",
    "read_star",
    "reconcile",
    "result_columns",
    "result_row",
    "rules_verdict",
    "search_period_max",
    "table_file_firing_mask",
    "table_firing_mask",
    "target_name",
    "verdict_of",
    "vet_ephemerides",
]

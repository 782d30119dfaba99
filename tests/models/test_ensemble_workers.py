"""The ensemble's member fits give the same model in worker processes as in this one."""

from __future__ import annotations

import numpy as np

from starskope.models import make_model


def test_member_fits_in_two_processes_match_this_process(tiny_features, tiny_test_features):
    settings = dict(members=("gbt", "dbn"), n_folds=2, member_params={"gbt": {"max_iter": 5}, "dbn": {"epochs": 2}},
                    seed=3)
    here = make_model("ensemble", n_jobs=1, **settings).fit(tiny_features)
    there = make_model("ensemble", n_jobs=2, **settings).fit(tiny_features)
    np.testing.assert_allclose(there.predict_proba(tiny_test_features), here.predict_proba(tiny_test_features),
                               rtol=1e-6, atol=1e-9)
    assert [(n, type(e).__name__) for n, e in there.members_] == [(n, type(e).__name__) for n, e in here.members_]

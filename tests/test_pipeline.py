"""The Python API's front door: pipeline.classify is the classify command's table."""

from __future__ import annotations

import pytest

from starskope.io.flux_table import write_flux_table
from table_synth import small_table


def test_classify_in_memory_is_the_batch_table_in_one_process_or_on_dask(shared_data, tmp_path):
    """pipeline.classify: the rows of ``starskope classify``, the same with 1 or 2 workers
    (a given model is handed to the Dask workers through a saved folder)."""
    import warnings

    from starskope.analysis import result_columns
    from starskope.models import default_model
    from starskope.pipeline import classify

    table = small_table(3)
    write_flux_table(tmp_path / "exoTest.csv", table.flux, table.labels)
    bad = tmp_path / "broken.fits"
    bad.write_bytes(b"SIMPLE  =                    T" + b" " * 50)
    pimen = shared_data / "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = classify([tmp_path / "exoTest.csv", pimen, bad], progress=lambda *a: seen.append(a))
        two = classify([tmp_path / "exoTest.csv", pimen, bad], default_model(), workers=2)
    assert list(one.columns) == result_columns()
    assert one["target_id"].tolist()[:3] == ["row 1", "row 2", "row 3"] and len(one) == 5
    assert one["period_days"].iloc[0] == pytest.approx(3.1, rel=2e-3)
    assert one["period_days"].iloc[3] == pytest.approx(6.268, rel=2e-3)  # pi Men c
    assert one["flags"].iloc[4].startswith("error:") and not one["flags"].iloc[:4].str.startswith("error:").any()
    assert seen[-1] == ("classify", 3, 3)
    cols = ["target_id", "predicted_class", "p_planet", "period_days", "star_type"]
    assert one[cols].equals(two[cols])

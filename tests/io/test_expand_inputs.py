"""Inputs to analyse: folders expanded, tables told from light curves."""

from __future__ import annotations

import pytest

from starskope.errors import LightCurveFileError
from starskope.io import expand_inputs, is_flux_table
from starskope.io.flux_table import write_flux_table
from table_synth import small_table


def test_expand_inputs_and_table_detection(tmp_path, shared_data):
    table = small_table(2)
    write_flux_table(tmp_path / "exoTest.csv", table.flux, table.labels)
    (tmp_path / "notes.csv").write_text("time,flux\n1,2\n")
    assert is_flux_table(tmp_path / "exoTest.csv")
    assert not is_flux_table(tmp_path / "notes.csv")
    assert not is_flux_table(shared_data / "kepler" / "eb" / "kic003228863_eb.npz")
    items = expand_inputs([tmp_path])
    assert [(k, p.name) for k, p in items] == [("table", "exoTest.csv"), ("lightcurve", "notes.csv")]
    with pytest.raises(LightCurveFileError, match="no such file or folder"):
        expand_inputs([tmp_path / "missing.fits"])

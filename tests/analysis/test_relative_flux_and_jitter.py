"""A TASOC FFI light curve of pi Men: a relative flux in ppm centred on zero, and pointing
jitter in TESS Sector 1 that no pipeline flag marks (../shared/data)."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.analysis import AnalysisOptions, analyse
from starskope.io import read
from starskope.lightcurve import arrays
from starskope.models import default_model

TASOC = "tess/misc/zclaytor+lcs_demo/hlsp_tasoc_tess_ffi_tic00261136679-s0001-cam4-ccd2-c1800_tess_v05_ens-lc.fits"
PI_MEN_C = 6.26783  # days


def test_a_zero_centred_ppm_flux_reads_as_a_flux(shared_data):
    lc = read(shared_data / TASOC)
    a = arrays(lc)
    assert str(lc.flux.unit) == "ppm"
    assert np.nanmedian(a.flux) == pytest.approx(1e6, rel=1e-3)
    assert any(s.startswith("flux: flux_corr is the relative deviation from 1 in ppm") for s in lc.meta["PROVENANCE"])
    # the raw counts are a flux already: nothing added
    sap = read(shared_data / TASOC, flux_column="sap")
    assert not any(s.startswith("flux:") for s in sap.meta["PROVENANCE"])


def test_pi_men_c_is_found_once_the_jitter_is_gone(shared_data):
    a = analyse(shared_data / TASOC, options=AnalysisOptions(star_types=False), model=default_model())
    jitter = [s for s in a.provenance if s.startswith("remove_jitter")]
    assert jitter and "pointing jitter" in jitter[0]
    assert abs(a.candidate.period_days / PI_MEN_C - 1) < 0.01
    assert a.candidate.n_transits >= 4 and a.candidate.snr > 15
    assert a.classification.decided == "planet_transit"

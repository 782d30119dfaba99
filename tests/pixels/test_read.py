"""Reading pixel files: the real K2 target pixel file, simulated Kepler/K2/TESS files and
TESScut cutouts, apertures and photometry, and the errors bad files give."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

import starskope
from starskope.errors import (
    LightCurveDataError,
    LightCurveFileError,
    ParameterError,
    StarskopeError,
    UnknownNameError,
)
from starskope.lightcurve import META_KEYS
from starskope.pixels import APERTURES, aperture_mask, photometry, read_pixels

from .conftest import planet, simulated_file


def test_the_real_k2_file_reads_with_units_wcs_and_the_pipeline_aperture(real_tpf):
    s = read_pixels(real_tpf)
    assert s.mission == "K2" and s.product == "K2 TPF" and not s.cutout
    assert s.flux.shape == (2487, 5, 7) and len(s) == 2487 and s.n_cadences_file == 2490
    assert s.flux.unit == u.electron / u.s and s.flux_err.unit == u.electron / u.s
    assert s.background is not None and np.nanmedian(s.background.value) > 0
    assert isinstance(s.time, Time) and s.time.scale == "tdb" and s.time.format == "bkjd"
    assert s.pipeline_aperture is not None and s.pipeline_aperture.sum() == 2
    assert s.wcs is not None and s.target == pytest.approx((4.2235, 2.1400), abs=1e-3)
    # the target is the star on the stamp: its brightest pixel
    assert np.unravel_index(np.nanargmax(s.median_image()), s.shape) == (2, 4)
    assert s.pixel_scale.to_value(u.arcsec) == pytest.approx(3.98, abs=0.02)
    assert s.pos_corr is not None and s.pos_corr.shape == (2487, 2)
    assert s.corner == (740, 796)
    ra, dec = s.pixel_to_sky(*s.target)
    assert (ra, dec) == pytest.approx((130.656765, 19.988607), abs=1e-6)


@pytest.mark.parametrize("aperture", sorted(APERTURES))
def test_every_aperture_gives_the_light_curve_every_reader_gives(real_tpf, aperture):
    s = read_pixels(real_tpf)
    lc = photometry(s, aperture)
    assert set(META_KEYS) <= set(lc.meta)
    assert lc.meta["MISSION"] == "K2" and lc.meta["OBJECT"] == "EPIC 211983544" and lc.meta["CAMPAIGN"] == 18
    assert lc.meta["FLUX_ORIGIN"].startswith("sum of the") and f"{aperture}-aperture" in lc.meta["FLUX_ORIGIN"]
    assert lc.time.scale == "tdb" and lc.flux.unit == u.electron / u.s and len(lc) == 2487
    mask, _ = aperture_mask(s, aperture)
    np.testing.assert_allclose(lc.meta["APERTURE_PIXELS"], mask.sum())
    # the sum of the aperture, cadence by cadence
    expected = np.asarray(s.flux.value[:, mask], float).sum(axis=1)
    good = np.isfinite(expected)
    np.testing.assert_allclose(lc.flux.value[good], expected[good], rtol=1e-5)
    assert any("aperture" in p for p in lc.meta["PROVENANCE"])
    assert {"centroid_col", "centroid_row", "sap_bkg", "pos_corr1"} <= set(lc.colnames)


def test_read_of_a_pixel_file_is_its_pipeline_aperture_light_curve(real_tpf):
    lc = starskope.read(real_tpf)
    again = photometry(read_pixels(real_tpf), "pipeline")
    np.testing.assert_array_equal(lc.flux.value, again.flux.value)
    assert lc.meta["PRODUCT"] == "K2 TPF, pipeline-aperture photometry"


def test_the_optimal_aperture_has_the_best_signal_to_noise(real_tpf):
    s = read_pixels(real_tpf)
    from starskope.pixels import pixel_noise

    img, noise = s.median_image(), pixel_noise(s)

    def snr(mask):
        return img[mask].sum() / np.sqrt((noise[mask] ** 2).sum())

    best, _ = aperture_mask(s, "optimal")
    for other in ("pipeline", "threshold", "circle"):
        assert snr(best) >= snr(aperture_mask(s, other)[0]) - 1e-9


@pytest.mark.parametrize("mission,cutout,product,table", [
    ("Kepler", False, "Kepler TPF", "TARGETTABLES"),
    ("TESS", False, "TESS SPOC TPF", "PIXELS"),
    ("TESS", True, "TESScut FFI cutout", "PIXELS"),
])
def test_simulated_files_of_each_telescope_read_here_and_in_lightkurve(tmp_path, mission, cutout, product, table):
    import lightkurve as lk

    path, truth = simulated_file(tmp_path, planet(mission, period=2.1, epoch=2455000.0 if mission == "Kepler"
                                                  else 2458326.0), mission=mission, cutout=cutout)
    s = read_pixels(path)
    assert s.mission == mission and s.product == product and s.cutout is cutout
    assert s.target == pytest.approx((truth["target_column_pix"], truth["target_row_pix"]), abs=1e-6)
    with fits.open(path) as h:
        assert h[1].name == table
    tpf = lk.read(path, quality_bitmask="none")
    assert tpf.flux.shape == s.flux.shape
    lc = starskope.read(path)
    if cutout:  # no pipeline aperture in an FFI cutout: the threshold aperture, said so
        assert s.pipeline_aperture is None
        assert lc.meta["PRODUCT"] == "TESScut FFI cutout, threshold-aperture photometry"
        assert any("has no pipeline aperture" in p for p in lc.meta["PROVENANCE"])
    else:
        assert "pipeline-aperture" in lc.meta["PRODUCT"]
    assert lc.meta["MISSION"] == mission


# ----------------------------------------------------------------------------- bad input


def _raises(error, path, pattern, fn=read_pixels, **kwargs):
    with pytest.raises(error, match=re.escape(str(path)) + ".*" + pattern) as info:
        fn(path, **kwargs)
    assert isinstance(info.value, StarskopeError)
    assert "\n" not in str(info.value)


def _rewrite(src: Path, dest: Path, edit) -> Path:
    with fits.open(src) as hdul:
        copy = fits.HDUList([h.copy() for h in hdul])
    edit(copy)
    copy.writeto(dest, overwrite=True)
    return dest


@pytest.mark.parametrize("reader", [read_pixels, starskope.read], ids=["read_pixels", "read"])
def test_a_truncated_pixel_file_is_named_and_refused(real_tpf, tmp_path, reader):
    raw = gzip.decompress(real_tpf.read_bytes())
    cut = tmp_path / "truncated_lpd-targ.fits"
    cut.write_bytes(raw[: len(raw) // 2])
    _raises(LightCurveFileError, cut, "truncated|corrupt", fn=reader)
    gz = tmp_path / "truncated_lpd-targ.fits.gz"
    gz.write_bytes(real_tpf.read_bytes()[:20000])
    _raises(LightCurveFileError, gz, "gzip stream is truncated or corrupt", fn=reader)


def test_garbage_in_the_pixel_table_is_named(real_tpf, tmp_path):
    raw = bytearray(gzip.decompress(real_tpf.read_bytes()))
    raw[40000:40100] = b"\xff" * 100  # inside the table data: the checksum no longer holds
    bad = tmp_path / "garbled_lpd-targ.fits"
    bad.write_bytes(bytes(raw))
    try:
        read_pixels(bad)
    except StarskopeError as exc:
        assert str(bad) in str(exc)
    else:  # the bytes hit pixel values only: still read, values changed
        assert not np.array_equal(read_pixels(bad).flux.value, read_pixels(real_tpf).flux.value)


def test_a_pixel_file_without_an_aperture(real_tpf, tmp_path):
    path = _rewrite(real_tpf, tmp_path / "noaperture_lpd-targ.fits", lambda h: h.pop(2))
    s = read_pixels(path)
    assert s.pipeline_aperture is None
    _raises(LightCurveDataError, path, "has no pipeline aperture", fn=starskope.read)
    with pytest.raises(LightCurveDataError, match=re.escape(str(path)) + ".*no pipeline aperture.*'threshold'"):
        aperture_mask(s, "pipeline")
    assert aperture_mask(s, "threshold")[0].any()  # another aperture still works


def test_an_aperture_extension_with_no_pipeline_pixel(real_tpf, tmp_path):
    def clear(h):
        h[2].data = (h[2].data & ~2).astype(h[2].data.dtype)

    path = _rewrite(real_tpf, tmp_path / "emptyaperture_lpd-targ.fits", clear)
    _raises(LightCurveDataError, path, "has no pipeline aperture", fn=starskope.read)


@pytest.mark.parametrize("reader", [read_pixels, starskope.read], ids=["read_pixels", "read"])
def test_all_nan_pixels(real_tpf, tmp_path, reader):
    def blank(h):
        h[1].data["FLUX"][:] = np.nan

    path = _rewrite(real_tpf, tmp_path / "nanpixels_lpd-targ.fits", blank)
    _raises(LightCurveDataError, path, "every pixel of FLUX is NaN in all 2490 cadences", fn=reader)


def test_nan_pixels_in_the_aperture_only(real_tpf, tmp_path):
    def blank(h):
        ap = (h[2].data & 2) > 0
        h[1].data["FLUX"][:, ap] = np.nan

    path = _rewrite(real_tpf, tmp_path / "nanaperture_lpd-targ.fits", blank)
    _raises(LightCurveDataError, path, "pipeline aperture .2 pixels. is NaN in every cadence", fn=starskope.read)


def test_aperture_mistakes_are_named(real_tpf):
    s = read_pixels(real_tpf)
    with pytest.raises(UnknownNameError, match="unknown aperture 'best'; known apertures: pipeline, threshold"):
        aperture_mask(s, "best")
    with pytest.raises(ParameterError, match="non-empty boolean mask of 5×7 pixels; got bool \\(3, 3\\)"):
        photometry(s, np.ones((3, 3), bool))
    with pytest.raises(ParameterError, match="radius must be a positive number of pixels; got -1"):
        photometry(s, "circle", radius=-1)


def test_a_light_curve_file_is_not_a_pixel_file(shared_data, tmp_path):
    from starskope.errors import UnknownLayoutError

    lc = shared_data / "kepler/dr24/kplr000757450-2009259160929_llc.fits.gz"
    _raises(UnknownLayoutError, lc, "not a pixel file")
    csv = tmp_path / "x.csv"
    shutil.copyfile(shared_data / "kepler/misc/enosair+lightcurve-download/kplr000757450_Q17_conf.csv", csv)
    _raises(UnknownLayoutError, csv, "not a FITS file")

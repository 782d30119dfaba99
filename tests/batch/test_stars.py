"""One star, one item: the files of a star grouped (quarters, sectors, telescopes), keyed by
all their bytes, analysed as one stitched light curve, and what a quarter alone misses found
from the quarters together."""

from __future__ import annotations

import gzip
import math
import shutil

import pandas as pd
import pytest

from starskope.analysis import AnalysisOptions, analyse
from starskope.batch import BatchItem, collect_items, group_by_star, run_batch
from starskope.batch.classify import classify_item
from starskope.batch.tasks import describe_item

DR24 = "kepler/dr24"
#: KIC 2985587: a DR24 planet candidate at 3.37572 d (manifest.csv), quarters 2, 3 and 4.
QUARTERS = [f"{DR24}/kplr002985587-{stamp}_llc.fits.gz" for stamp in ("2009259160929", "2009350155506",
                                                                       "2010078095331")]
PERIOD = 3.37572
#: KIC 2439660 (= TIC 122507338 in the KIC→TIC cross-match): three Kepler quarters and a TESS sector.
KEPLER_AND_TESS = [f"{DR24}/kplr002439660-{stamp}_llc.fits.gz" for stamp in ("2009259160929", "2009350155506",
                                                                              "2010078095331")]
TESS_OF_IT = "tess/ffi/122507338.fits.gz"
OTHER_STAR = f"{DR24}/kplr002988145-2009259160929_llc.fits.gz"


def _items(shared_data, names):
    return collect_items([shared_data / n for n in names])


def test_files_of_one_star_make_one_item(shared_data):
    items = group_by_star(_items(shared_data, [QUARTERS[2], OTHER_STAR, QUARTERS[0], QUARTERS[1]]))
    assert len(items) == 2
    star, other = items
    assert star.files == tuple(sorted(str((shared_data / q).resolve()) for q in QUARTERS))
    assert star.key == ";".join(star.files) and star.target in ("KIC 2985587", "TIC 122451569")
    assert other.paths == () and other.path == str((shared_data / OTHER_STAR).resolve())


def test_kepler_and_tess_join_only_with_the_cross_match(shared_data, monkeypatch):
    names = [*KEPLER_AND_TESS, TESS_OF_IT]
    joined = group_by_star(_items(shared_data, names))
    assert len(joined) == 1 and len(joined[0].files) == 4 and joined[0].target == "TIC 122507338"
    monkeypatch.delenv("STARSKOPE_CATALOGS", raising=False)
    monkeypatch.delenv("STARSKOPE_SHARED_DATA", raising=False)
    apart = group_by_star(_items(shared_data, names))
    assert [len(it.files) for it in apart] == [3, 1] and apart[0].target == "KIC 2439660"


def test_two_files_of_one_segment_are_not_stitched(shared_data, tmp_path):
    """Two copies of one quarter would overlap in time: the second starts another item."""
    first = tmp_path / "kplr002985587-2009259160929_llc.fits.gz"
    again = tmp_path / "copy_of_q2_llc.fits.gz"
    for dest in (first, again):
        shutil.copyfile(shared_data / QUARTERS[0], dest)
    shutil.copyfile(shared_data / QUARTERS[1], tmp_path / "kplr002985587-2009350155506_llc.fits.gz")
    items = group_by_star(collect_items([tmp_path]))
    assert sorted(len(it.files) for it in items) == [1, 2]
    assert not any({str(first.resolve()), str(again.resolve())} <= set(it.files) for it in items)


def test_tables_and_lone_files_stay_as_they_are(shared_data):
    lone = collect_items([shared_data / "kepler/eb/kic003228863_eb.npz"])  # 400 days: no one quarter
    assert group_by_star(lone) == lone
    rows = [BatchItem(str(shared_data / "manifest.csv"), 0, 2)]
    assert group_by_star(rows) == rows


def test_a_replaced_file_runs_its_star_again(shared_data, tmp_path):
    folder = tmp_path / "quarters"
    folder.mkdir()
    for q in QUARTERS:
        shutil.copyfile(shared_data / q, folder / (shared_data / q).name)
    out = tmp_path / "described.csv"
    items = group_by_star(collect_items([folder]))
    assert len(items) == 1
    first = run_batch(items, describe_item, out, inline=True, progress=False)
    assert (first.n_items, first.n_skipped, first.n_rows) == (1, 0, 3)  # one star, a row per file it read
    again = run_batch(group_by_star(collect_items([folder])), describe_item, out, inline=True, progress=False)
    assert again.n_skipped == 1 and again.n_done == 0
    # the same light curve in other bytes (compressed again): another input, run again
    last = folder / (shared_data / QUARTERS[2]).name
    last.write_bytes(gzip.compress(gzip.decompress(last.read_bytes()), compresslevel=1))
    third = run_batch(group_by_star(collect_items([folder])), describe_item, out, inline=True, progress=False)
    assert third.n_skipped == 0 and third.n_done == 1
    assert len(pd.read_csv(out)) == 3


def test_an_unreadable_file_of_a_star_is_left_out_and_named(shared_data, tmp_path):
    from starskope.analysis import options_for
    from starskope.models import default_model

    options = options_for(default_model(), {"star_types": False, "stellar": False}, warn=False).as_dict()
    good = [tmp_path / (shared_data / q).name for q in QUARTERS[:2]]
    for q, dest in zip(QUARTERS[:2], good, strict=True):
        shutil.copyfile(shared_data / q, dest)
    broken = tmp_path / (shared_data / QUARTERS[2]).name
    broken.write_bytes((shared_data / QUARTERS[2]).read_bytes()[:3000])  # a truncated download
    items = group_by_star(collect_items([tmp_path]))
    assert len(items) == 1 and len(items[0].files) == 3  # the broken file is the star's by its name
    (row,) = classify_item(items[0], options=options)
    assert not row["flags"].startswith("error:")
    assert row["n_files"] == 2 and row["file"] == ";".join(str(p.resolve()) for p in good)
    assert f"{broken.name} left out of the star, it cannot be read" in row["warnings"]
    # none readable: one error row naming every file
    for p in good:
        p.write_bytes(b"SIMPLE  = T" + b"\x00" * 200)
    (row,) = classify_item(group_by_star(collect_items([tmp_path]))[0], options=options)
    assert row["flags"].startswith("error: LightCurveFileError: none of the star's 3 files could be read")
    assert row["n_files"] == 3 and all(p.name in row["flags"] for p in [*good, broken])
    assert math.isnan(row["p_planet"])


def test_a_planet_no_quarter_finds_is_found_from_the_quarters(shared_data):
    """KIC 2985587's 3.376-d candidate: each quarter's best dip has SNR ~6 (below the 7.1
    threshold, and in two of them at another period); the three quarters stitched show it
    at SNR ~10."""
    options = AnalysisOptions(star_types=False)
    paths = [shared_data / q for q in QUARTERS]

    def found(a):
        return [c for c in a.candidates if abs(c.period_days / PERIOD - 1) < 0.01 and c.snr >= options.vet_min_snr]

    for p in paths:
        alone = analyse(p, options=options)
        assert not found(alone) and not alone.vetted_for_model, (p.name, alone.candidate)
    together = analyse(paths, options=options)
    assert together.candidate.period_days == pytest.approx(PERIOD, rel=1e-3)
    assert together.vetted_for_model and float(together.candidate.snr) >= options.vet_min_snr
    assert found(together) and together.verdict.predicted_class == "planet_transit"
    assert together.file == ";".join(str(p) for p in paths)

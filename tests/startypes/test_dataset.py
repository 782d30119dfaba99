"""The star-type set: a seeded stratified split with no star on both sides, injections
only into training stars, and a feature cache that is reused, resumable and checked."""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import pytest

from starskope.errors import ModelFileError, ParameterError, StarskopeWarning
from starskope.stars import kic_to_tic_map
from starskope.startypes import dataset
from starskope.startypes.dataset import (
    DatasetConfig,
    FeatureTable,
    TrainingItem,
    build_items,
    compute_feature_table,
    item_arrays,
    split_ffi,
)

SMALL = DatasetConfig(kepler_eb_windows=1, n_rotational=2, n_planet=2, n_other=2, n_rr_lyrae=2)


@pytest.fixture(scope="module")
def items(shared_data: Path) -> list[TrainingItem]:
    return build_items(shared_data, SMALL)


def test_split_is_stratified_seeded_and_disjoint(manifest: list[dict[str, str]]) -> None:
    ffi = [r for r in manifest if r["file"].startswith("tess/ffi/")]
    a = split_ffi(ffi, seed=1, test_fraction=0.25)
    assert a == split_ffi(list(reversed(ffi)), seed=1, test_fraction=0.25)  # order-independent
    assert a != split_ffi(ffi, seed=2, test_fraction=0.25)
    counts = collections.Counter((r["class"], a[r["file"]]) for r in ffi)
    assert counts[("non_variable", "test")] == 200 and counts[("rr_lyrae", "test")] == 6
    planet = [a[r["file"]] for r in ffi if r["class"] in ("planet_host", "planet_candidate")]
    assert planet.count("test") == 3  # 12 hosts and candidates are one star type


def test_no_star_on_both_sides(items: list[TrainingItem], shared_data: Path) -> None:
    test_groups = {i.group for i in items if i.split == "test"}
    train_groups = {i.group for i in items if i.split == "train"}
    assert not test_groups & train_groups
    kic2tic = kic_to_tic_map(shared_data / "catalogs")
    test_tics = {int(i.group.split()[-1]) for i in items if i.split == "test" and i.origin == "tess_ffi"}
    keb = [i for i in items if i.origin == "kepler_eb"]
    assert keb and all(kic2tic.get(int(i.group.split()[-1])) not in test_tics for i in keb)
    skipped = {r["target_id"] for r in dataset._manifest(shared_data) if r["file"].startswith("kepler/eb/")}
    assert len({i.group for i in keb}) < len(skipped), "some Kepler EBs are held-out TESS stars"
    by_key = {i.key: i for i in items}
    for i in items:
        if i.recipe:  # injections go into quiet stars of their own side of the split only
            carrier = by_key[f"ffi:{i.path}"]
            assert carrier.split == i.split and carrier.star_type == "non_variable"
    assert {i.recipe["kind"] for i in items if i.split == "test" and i.recipe} == {
        "rotational", "transit", "red_noise", "flares"}


def test_injected_items_are_deterministic(items: list[TrainingItem], shared_data: Path) -> None:
    for kind in ("rotational", "transit", "kepler_eb", "flares", "red_noise", "rr_lyrae_template"):
        item = next(i for i in items if i.recipe.get("kind") == kind)
        t1, f1, _ = item_arrays(item, shared_data)
        _, f2, _ = item_arrays(item, shared_data)
        assert np.array_equal(f1, f2)
        carrier_t, carrier_f, _ = dataset.read_light_curve_arrays(shared_data / item.path)
        ok = np.isfinite(carrier_t) & np.isfinite(carrier_f)
        assert np.array_equal(t1, carrier_t[ok])
        assert not np.allclose(f1, carrier_f[ok]), kind


def test_feature_cache_is_reused_and_checked(items, shared_data: Path, tmp_path: Path, monkeypatch) -> None:
    few = [*[i for i in items if i.origin == "tess_ffi"][:2], next(i for i in items if i.origin == "injected")]
    cache = tmp_path / "features.npz"
    table = compute_feature_table(few, shared_data, cache_path=cache)
    assert len(table) == 3 and cache.exists()
    assert np.isfinite(table.X).mean() > 0.95

    def boom(*a, **k):
        raise AssertionError("features must come from the cache")

    monkeypatch.setattr(dataset, "light_curve_features", boom)
    again = compute_feature_table(few, shared_data, cache_path=cache)
    assert np.array_equal(np.nan_to_num(again.X), np.nan_to_num(table.X))
    assert list(again.keys) == [i.key for i in few]
    monkeypatch.undo()

    # features of another feature version are never reused: not by name, not by content
    assert dataset.DatasetConfig().cache_name() == f"features_v{dataset.FEATURE_VERSION}.npz"
    stale = tmp_path / "stale.npz"
    monkeypatch.setattr(dataset, "FEATURE_VERSION", dataset.FEATURE_VERSION - 1)
    table.save(stale)
    monkeypatch.undo()
    with pytest.raises(ModelFileError, match=r"feature cache of feature version \d+; this code computes version"):
        FeatureTable.load(stale)
    with pytest.warns(StarskopeWarning, match="unreadable feature cache, recomputing"):
        fresh = compute_feature_table(few[:1], shared_data, cache_path=stale)
    assert len(fresh) == 1 and isinstance(FeatureTable.load(stale), FeatureTable)

    cache.write_bytes(b"not an npz")
    with pytest.warns(StarskopeWarning, match="unreadable feature cache"):
        rebuilt = compute_feature_table(few[:1], shared_data, cache_path=cache)
    assert len(rebuilt) == 1 and isinstance(FeatureTable.load(cache), FeatureTable)


def test_unreadable_light_curve_is_skipped_with_a_warning(shared_data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.fits.gz"
    bad.write_bytes(b"SIMPLE  =                    T" + b"\0" * 100)
    item = TrainingItem("ffi:broken", "non_variable", "train", "tess_ffi", "TIC 0", str(bad))
    with pytest.warns(StarskopeWarning, match="1 light curves skipped: ffi:broken"):
        table = compute_feature_table([item], shared_data)
    assert len(table) == 0


def test_a_model_is_scored_on_the_split_it_was_trained_with(items: list[TrainingItem]) -> None:
    """A model stored before the split was recorded was trained on the stratified split by
    file; scoring it on the split by star would count stars it trained on as kept aside."""
    from types import SimpleNamespace

    from starskope.models.split import kept_aside
    from starskope.startypes.training import training_config

    old = SimpleNamespace(info_={"dataset": {"seed": 7, "test_fraction": 0.25, "n_planet": 3}})
    assert training_config(old) == DatasetConfig(seed=7, test_fraction=0.25, n_planet=3, split="stratified")
    new = SimpleNamespace(info_={"dataset": {"seed": 7, "split": "star", "unknown_setting": 1}})
    assert training_config(new) == DatasetConfig(seed=7, split="star")
    assert training_config(SimpleNamespace(info_={})) == DatasetConfig()
    # the default split is by star: every TESS FFI star on the side kept_aside says
    ffi = [i for i in items if i.origin == "tess_ffi"]
    assert ffi and all((i.split == "test") == kept_aside(i.group) for i in ffi)
    with pytest.raises(ParameterError, match="split must be 'star' or 'stratified'; got 'file'"):
        DatasetConfig(split="file")

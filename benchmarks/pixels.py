"""Pixels: how well difference images locate a dip, and how many background binaries the
pixel-aware model stops calling planets.

Run from the repository root::

    .venv/bin/python benchmarks/pixels.py --data /work/shared/data              # everything (~1 h, one core)
    .venv/bin/python benchmarks/pixels.py --data DIR --stage offsets            # the offset table only (~10 min)
    .venv/bin/python benchmarks/pixels.py --data DIR --quick                    # small sets, a look in minutes

The data folder (``--data``, default ``$STARSKOPE_SHARED_DATA``) holds the real K2 target
pixel file ``k2/misc/ekaterinailin+AltaiPony/ktwo211983544-c18_lpd-targ.fits.gz``.

**Offsets** (stage ``offsets``). A transit (a Sun-like star's planet of 2–16 R⊕, P 1.3–6 d)
is put into the pixels of the target, and the same transit — the same flux lost, from a
star as bright as the target — into a neighbour 2–3 pixels away:

* in the real K2 file (:func:`starskope.simulate.pixels.inject_pixels`, the PRF following the
  file's own pointing), the neighbour placed at three positions on its 7 × 5 stamp;
* in simulated files of each telescope (:mod:`starskope.simulate.pixels`): Kepler (quarter
  3), K2 (Campaign 3, the roll), TESS 2-min target pixel files and TESScut 30-min cutouts,
  with field stars from each telescope's number–magnitude relation.

The difference image is made at the injected ephemeris (:func:`starskope.pixels.difference_image`).
The table gives, per data set and bin of the difference image's SNR, the median and 90th
percentile of the error of the located source (PSF fit) for neighbour injections, the share
within 0.5 pixel, the share flagged ``CENTROID_OFFSET``, and for target injections the share
wrongly flagged and the median offset significance.

**Background binaries** (stage ``beb``). Simulated K2 Campaign 3 fields
(:func:`starskope.simulate.pixels.simulate_pixel_set`): the light-curve simulator's classes
with background eclipsing binaries at the demo's rate (6 % of the non-hosts,
``NEGATIVE_FRACTIONS``), 10 % hosts so that recall can be measured. Each star is analysed as a
user's file is (:func:`starskope.analysis.analyse`, the shipped model's settings). The
light-curve-only model is the shipped default model; the pixel-aware model is
``pixel-ensemble`` with that model as its base, its pixel CNN trained on difference images
of simulated stamps and of injections into the real file (cheap: made at the true
ephemeris, no light-curve analysis: :func:`starskope.simulate.pixels.pixel_training_set`),
its stacker on an analysed training field of 1200 stars (:func:`starskope.datasets.pixels.pixel_field_features`;
with 300, as before 2026-12-07, the stacker saw 12 background binaries with pixels, too few
for its 37 weights). On a separate test field: at the host recall the light-curve model
reaches at its own planet threshold, and at a few other recalls, how many background
binaries each model calls a planet (p_planet at or above the highest threshold that gives
that recall, for both models:
:func:`starskope.models.pixel_cnn.background_binaries_at_recall`, the same comparison
``starskope demo`` prints on its small field). The seeds of the training images (1), the
stacker's field (101), the test field (202) and the extra binaries (303) differ, so the
test stars are independent of everything the model was trained on.

Results: ``benchmarks/results/pixels.{json,md,png}`` and the trained model
``benchmarks/results/pixels.model/`` (regenerated, not kept in git). The training images
and analysed fields are cached in ``--cache``, in a folder named by a hash of starskope's
sources and the shipped default model (:func:`source_fingerprint`), so a rerun with the same
code does not make them again and a changed analysis, simulator or model never reuses them
(results published on 2026-12-06 came from fields analysed before that evening's model and
analysis, and were stale until re-measured on 2026-12-07).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import itertools  # noqa: E402

import astropy.units as u  # noqa: E402
import numpy as np  # noqa: E402

REAL_TPF = "k2/misc/ekaterinailin+AltaiPony/ktwo211983544-c18_lpd-targ.fits.gz"
RESULTS = Path(__file__).resolve().parent / "results"
SNR_BINS = (5.0, 7.0, 10.0, 15.0, 25.0, 50.0, np.inf)
SEEDS = {("K2", False): 11, ("Kepler", False): 12, ("TESS", False): 13, ("TESS", True): 14}


def _quiet():
    warnings.simplefilter("ignore")


def machine() -> dict:
    """Date, CPU model and core count of this run."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"date": time.strftime("%Y-%m-%d"), "cpu": cpu, "cores": os.cpu_count(),
            "python": platform.python_version()}


# ----------------------------------------------------------------------------- offsets


def _planet(rng, mission, t0, span):
    from starskope.simulate import Star, TransitSignal

    star = Star.sun_like(12.0, mission)
    period = float(np.exp(rng.uniform(np.log(1.3), np.log(min(6.0, span / 3)))))
    radius = float(np.exp(rng.uniform(np.log(2.0), np.log(16.0))))
    return TransitSignal(period * u.day, radius * u.R_earth, star, t0 + rng.uniform(0, period), impact=0.3)


def _row(dataset, where, di, truth_pos):
    err = float(np.hypot(di.psf_fit.column - truth_pos[0], di.psf_fit.row - truth_pos[1])) \
        if truth_pos is not None else float("nan")
    return {"dataset": dataset, "on": where, "snr": float(di.snr), "measured": bool(di.measured),
            "flagged": bool(di.flagged), "offset_pixels": float(di.offset_pixels),
            "offset_sigma": float(di.offset_sigma), "position_error_pixels": err}


def offsets_real(tpf: Path, n: int, seed: int = 0) -> list[dict]:
    """Injections into the real K2 file: on the target and on a neighbour 2+ pixels away."""
    from starskope.errors import StarskopeError
    from starskope.pixels import difference_image, read_pixels
    from starskope.simulate.pixels import inject_pixels

    series = read_pixels(tpf)
    t0, span = float(series.time_bjd[0]), float(np.ptp(series.time_bjd))
    rng = np.random.default_rng(seed)
    positions = [(1.5, 2.6), (6.4, 0.3), (2.0, 0.4)]
    rows = []
    for i in range(n):
        sig = _planet(rng, "K2", t0, span)
        for where in ("target", "neighbour"):
            pos = positions[i % len(positions)] if where == "neighbour" else "target"
            injected, truth = inject_pixels(series, sig, position=pos, seed=i)
            try:
                di = difference_image(injected, truth["period_days"] * u.day, truth["epoch_bjd"],
                                      truth["duration_hours"] * u.hour)
            except StarskopeError:
                continue
            rows.append(_row("real K2 TPF (EPIC 211983544)", where, di, pos if where == "neighbour" else None))
    return rows


def offsets_simulated(mission: str, cutout: bool, n: int, seed: int = 0) -> list[dict]:
    """Simulated stamps of one telescope: the same transit on the target or on a neighbour."""
    from starskope.errors import StarskopeError
    from starskope.pixels import difference_image, get_psf
    from starskope.simulate.instrument import make_schedule
    from starskope.simulate.noise import get_noise_model
    from starskope.simulate.pixels import (
        FieldStar,
        PixelScene,
        default_grid,
        draw_field,
        pixel_series,
        render_pixels,
    )

    name = f"simulated {mission}" + (" FFI cutout" if cutout else " TPF")
    grid = default_grid(mission, cutout=cutout)
    rng = np.random.default_rng(seed)
    nm = get_noise_model(mission)
    mags = {"Kepler": (10.0, 15.0), "K2": (10.0, 15.0), "TESS": (7.0, 11.5)}[mission]
    rows = []
    for _i in range(n):
        sig = _planet(rng, mission, float(grid.time_bjd[0]), float(np.ptp(grid.time_bjd)))
        mag = float(rng.uniform(*mags))
        flux = float(nm.zero_point_e_per_s * 10 ** (-0.4 * (mag - nm.zero_point_mag)))
        c0, r0 = 5.0 + rng.uniform(-0.5, 0.5), 5.0 + rng.uniform(-0.5, 0.5)
        field = draw_field(mission, mag, rng)
        for where in ("target", "neighbour"):
            ang, sep = rng.uniform(0, 2 * np.pi), rng.uniform(2.0, 3.0)
            nb = FieldStar("neighbour", c0 + sep * np.cos(ang), r0 + sep * np.sin(ang), mag, flux,
                           sig if where == "neighbour" else None)
            target = FieldStar("target", c0, r0, mag, flux, sig if where == "target" else None)
            scene = PixelScene(mission, (11, 11), target, (nb, *field), get_psf(mission).scaled(rng.uniform(0.9, 1.15)),
                               ra_deg=10.0, dec_deg=10.0, corner=(100, 100))
            sim = render_pixels(scene, grid, make_schedule(grid, rng), rng)
            series = pixel_series(sim, cutout=cutout, name=name)
            truth = sig.truth()
            try:
                di = difference_image(series, truth["period_days"] * u.day, truth["epoch_bjd"],
                                      truth["duration_hours"] * u.hour)
            except StarskopeError:
                continue
            rows.append(_row(name, where, di, (nb.column, nb.row) if where == "neighbour" else None))
    return rows


def offset_table(rows: list[dict]) -> list[dict]:
    out = []
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        sub = [r for r in rows if r["dataset"] == dataset]
        edges = [(-np.inf, SNR_BINS[0]), *list(itertools.pairwise(SNR_BINS))]
        for lo, hi in edges:
            nb = [r for r in sub if r["on"] == "neighbour" and lo <= r["snr"] < hi]
            tg = [r for r in sub if r["on"] == "target" and lo <= r["snr"] < hi]
            if not nb and not tg:
                continue
            err = np.array([r["position_error_pixels"] for r in nb if r["measured"]])
            out.append({
                "dataset": dataset, "snr_bin": f"< {hi:g}" if not np.isfinite(lo) else
                (f"≥ {lo:g}" if not np.isfinite(hi) else f"{lo:g}–{hi:g}"),
                "n_neighbour": len(nb), "n_target": len(tg),
                "median_error_pixels": float(np.median(err)) if err.size else None,
                "p90_error_pixels": float(np.percentile(err, 90)) if err.size else None,
                "within_half_pixel": float(np.mean(err < 0.5)) if err.size else None,
                "neighbour_flagged": float(np.mean([r["flagged"] for r in nb])) if nb else None,
                "target_flagged": float(np.mean([r["flagged"] for r in tg])) if tg else None,
                "target_median_sigma": float(np.nanmedian([r["offset_sigma"] for r in tg])) if tg else None,
            })
    return out


# ----------------------------------------------------------------------------- analysed fields


def analysed_field(folder: Path, n: int, n_hosts: int, seed: int, options, cache: Path, workers: int,
                   classes=None):
    """A simulated K2 field written as pixel files and analysed star by star
    (:func:`starskope.datasets.pixels.pixel_field_features`); cached in ``cache``."""
    from starskope.datasets.pixels import pixel_field_features
    from starskope.features.dataset import FeatureSet

    if cache.exists():
        return FeatureSet.load(cache)
    fs = pixel_field_features(folder, n, n_hosts, mission="K2", seed=seed, classes=classes, options=options,
                              workers=workers)
    fs.save(cache)
    return fs


def _p_planet(model, fs) -> np.ndarray:
    from starskope.models.labels import CLASSES, PLANET

    return np.asarray(model.predict_proba(fs))[:, CLASSES.index(PLANET)]


def enriched_evaluation(base, pixel_model, extra, rows: list[dict]) -> dict:
    """More background binaries, scored at the thresholds the test field's hosts set: the
    share called planets does not depend on how many there are, so this measures the
    reduction with more than the demo's few."""
    e_base, e_pix = _p_planet(base, extra), _p_planet(pixel_model, extra)
    out = []
    for r in rows:
        t_lc = np.inf if r["threshold_light_curve"] is None else r["threshold_light_curve"]
        t_px = np.inf if r["threshold_pixels"] is None else r["threshold_pixels"]
        a, b = int(np.sum(e_base >= t_lc)), int(np.sum(e_pix >= t_px))
        out.append({"level": r["level"], "host_recall": r["host_recall_light_curve"],
                    "bebs_called_planet_light_curve": a, "bebs_called_planet_pixels": b,
                    "beb_reduction": (1 - b / a) if a else None})
    return {"n_bebs": len(extra), "n_with_centroid_offset": int(np.sum(["CENTROID_OFFSET" in f for f in
                                                                          np.asarray(extra.meta["flags"])])),
            "n_with_centroid_offset_first": int(np.sum(_first_flagged(extra))), "rows": out}


def _first_flagged(fs) -> np.ndarray:
    """Whether the difference image at the star's first candidate, the one the model reads,
    is flagged ``CENTROID_OFFSET`` (measured, significant and at the flag's distance)."""
    from starskope.pixels import DIFFERENCE_THRESHOLDS as th

    x = np.nan_to_num(np.asarray(fs.meta["pixel_scalars"], float))
    return (x[:, 1] > 0.5) & (x[:, 3] >= th["sigma_threshold"]) & (x[:, 4] >= th["offset_threshold_pixels"])


def beb_evaluation(base, pixel_model, test) -> dict:
    """Background binaries called planets by each model at matched host recall
    (:func:`starskope.models.pixel_cnn.background_binaries_at_recall`)."""
    from starskope.models.pixel_cnn import background_binaries_at_recall

    cls = np.asarray(test.meta["truth_class"]).astype(str)
    host, beb = cls == "planet", cls == "background_eb"
    rows = background_binaries_at_recall(_p_planet(base, test), _p_planet(pixel_model, test), cls,
                                         own_threshold=getattr(base, "planet_threshold_", None))
    flags = np.asarray(test.meta["flags"]).astype(str)
    offset = np.char.find(flags, "CENTROID_OFFSET") >= 0
    return {"n_stars": int(cls.size), "n_hosts": int(host.sum()), "n_bebs": int(beb.sum()),
            "n_with_difference_image": int(np.sum(np.asarray(test.meta["pixel_scalars"])[:, 1] > 0.5)),
            "bebs_with_centroid_offset": int(np.sum(offset & beb)),
            "hosts_with_centroid_offset": int(np.sum(offset & host)),
            "bebs_with_centroid_offset_first": int(np.sum(_first_flagged(test) & beb)),
            "hosts_with_centroid_offset_first": int(np.sum(_first_flagged(test) & host)), "rows": rows}


# ----------------------------------------------------------------------------- report


def write_markdown(doc: dict, path: Path) -> None:
    lines = ["# Pixels: difference-image offsets and background binaries", "",
             "Made by `benchmarks/pixels.py` (see its docstring for the method). "
             f"Last run: {doc.get('seconds', 0):.0f} s."]
    for key, title in (("offsets", "Offsets"), ("beb", "Background binaries")):
        m = doc.get(key, {}).get("machine")
        if m:
            lines.append(f"{title}: {m['date']}, {m['cpu']}, {m['cores']} cores (shared), Python {m['python']}, "
                         f"{doc[key]['seconds']:.0f} s.")
    lines.append("")
    if "offsets" in doc:
        lines += ["## Offset accuracy versus the difference image's SNR", "",
                  "Neighbour injections: error of the located source (PSF fit of the stacked difference image); "
                  "target injections: how often the target is wrongly flagged `CENTROID_OFFSET`.", "",
                  "| data | SNR | n (neighbour / target) | median error (px) | 90 % error (px) | within 0.5 px | "
                  "neighbour flagged | target flagged | target median offset σ |",
                  "|---|---|---|---|---|---|---|---|---|"]

        def f(x, fmt):
            return "—" if x is None else fmt.format(x)

        for r in doc["offsets"]["table"]:
            lines.append(f"| {r['dataset']} | {r['snr_bin']} | {r['n_neighbour']} / {r['n_target']} | "
                         f"{f(r['median_error_pixels'], '{:.2f}')} | {f(r['p90_error_pixels'], '{:.2f}')} | "
                         f"{f(r['within_half_pixel'], '{:.0%}')} | {f(r['neighbour_flagged'], '{:.0%}')} | "
                         f"{f(r['target_flagged'], '{:.0%}')} | {f(r['target_median_sigma'], '{:.1f}')} |")
        lines.append("")
    if "beb" in doc:
        b = doc["beb"]
        lines += ["## Background eclipsing binaries called planets, with and without pixels", "",
                  f"Test field: {b['n_stars']} simulated K2 C3 stars, {b['n_hosts']} hosts, {b['n_bebs']} background "
                  f"binaries (the demo's 6 % of non-hosts); {b['n_with_difference_image']} stars with a measured "
                  f"difference image; `CENTROID_OFFSET` at the first candidate (the difference image the model "
                  f"reads) on {b.get('bebs_with_centroid_offset_first', '—')} binaries and "
                  f"{b.get('hosts_with_centroid_offset_first', '—')} hosts, at any of the star's candidates on "
                  f"{b['bebs_with_centroid_offset']} binaries and {b['hosts_with_centroid_offset']} hosts (a host's "
                  "other candidates are often the roll's systematics). "
                  f"Training: {b.get('training', {})}.", "",
                  "| host recall set at | recall (light curve / pixels) | BEBs called planets, light-curve model | "
                  "BEBs called planets, pixel-aware | fewer | all non-hosts called planets (lc / pixels) |",
                  "|---|---|---|---|---|---|"]
        for r in b["rows"]:
            red = "—" if r["beb_reduction"] is None else f"{r['beb_reduction']:.0%}"
            lines.append(f"| {r['level']} | {r['host_recall_light_curve']:.2f} / {r['host_recall_pixels']:.2f} | "
                         f"{r['bebs_called_planet_light_curve']} | {r['bebs_called_planet_pixels']} | {red} | "
                         f"{r['non_hosts_called_planet_light_curve']} / {r['non_hosts_called_planet_pixels']} |")
        lines.append("")
        e = b.get("enriched")
        if e:
            lines += [f"The same thresholds on {e['n_bebs']} more simulated background binaries (the share called planets "
                      "does not depend on how many there are; `CENTROID_OFFSET` at the first candidate on "
                      f"{e.get('n_with_centroid_offset_first', '—')}, at any candidate on "
                      f"{e['n_with_centroid_offset']}):", "",
                      "| host recall set at | BEBs called planets, light-curve model | pixel-aware | fewer |",
                      "|---|---|---|---|"]
            for r in e["rows"]:
                red = "—" if r["beb_reduction"] is None else f"{r['beb_reduction']:.0%}"
                lines.append(f"| {r['level']} ({r['host_recall']:.2f}) | {r['bebs_called_planet_light_curve']} | "
                             f"{r['bebs_called_planet_pixels']} | {red} |")
            lines.append("")
    path.write_text("\n".join(lines) + "\n")


def plot_offsets(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        nb = [r for r in rows if r["dataset"] == dataset and r["on"] == "neighbour" and r["measured"]]
        tg = [r for r in rows if r["dataset"] == dataset and r["on"] == "target" and r["measured"]]
        ax[0].scatter([r["snr"] for r in nb], [r["position_error_pixels"] for r in nb], s=10, label=dataset)
        ax[1].scatter([r["snr"] for r in tg], [r["offset_sigma"] for r in tg], s=10, label=dataset)
    ax[0].axhline(0.5, color="k", ls="--", lw=0.8)
    ax[1].axhline(3.0, color="k", ls="--", lw=0.8)
    for a, title, ylab in ((ax[0], "transit on a neighbour 2–3 px away", "error of the located source [px]"),
                           (ax[1], "transit on the target", "offset significance [σ]")):
        a.set_xscale("log")
        a.set_xlabel("difference-image SNR")
        a.set_ylabel(ylab)
        a.set_title(title)
    ax[0].set_yscale("log")
    ax[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def source_fingerprint() -> str:
    """Hash of starskope's Python sources, its telescope profiles and the shipped default
    model's files: the cache folder's name."""
    import hashlib

    import starskope

    pkg = Path(starskope.__file__).parent
    h = hashlib.sha1()
    files = [*pkg.rglob("*.py"), *pkg.rglob("*.toml"), *(pkg / "data" / "default-model").rglob("*")]
    for p in sorted(f for f in files if f.is_file() and "__pycache__" not in f.parts):
        h.update(str(p.relative_to(pkg)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.environ.get("STARSKOPE_SHARED_DATA"), help="the shared data folder")
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "starskope-bench" / "pixels"))
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--stage", choices=("offsets", "beb", "all"), default="all")
    ap.add_argument("--quick", action="store_true", help="small sets (minutes), for a look")
    ap.add_argument("--workers", type=int, default=1, help="processes for analysing the simulated fields")
    args = ap.parse_args(argv)
    if not args.data or not (Path(args.data) / REAL_TPF).is_file():
        print(f"error: the real target pixel file is not under --data {args.data!r}", file=sys.stderr)
        return 2
    _quiet()
    real = Path(args.data) / REAL_TPF
    fingerprint = source_fingerprint()
    out, cache = Path(args.out), Path(args.cache) / fingerprint
    out.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"cache: {cache} (starskope sources and default model {fingerprint})", flush=True)
    json_path = out / "pixels.json"
    doc = json.loads(json_path.read_text()) if json_path.exists() else {}
    t_start = time.perf_counter()
    q = args.quick
    if args.stage in ("offsets", "all"):
        t0 = time.perf_counter()
        rows = offsets_real(real, 12 if q else 60)
        print(f"real K2 injections: {len(rows)} ({time.perf_counter() - t0:.0f} s)", flush=True)
        for mission, cutout, n in (("K2", False, 8 if q else 40), ("Kepler", False, 6 if q else 30),
                                   ("TESS", False, 4 if q else 20), ("TESS", True, 6 if q else 30)):
            t1 = time.perf_counter()
            rows += offsets_simulated(mission, cutout, n, seed=SEEDS[(mission, cutout)])
            print(f"simulated {mission}{' cutout' if cutout else ''}: done ({time.perf_counter() - t1:.0f} s)",
                  flush=True)
        doc["offsets"] = {"rows": rows, "table": offset_table(rows), "seconds": time.perf_counter() - t0,
                          "machine": machine()}
        plot_offsets(rows, out / "pixels.png")
        for r in doc["offsets"]["table"]:
            print(r, flush=True)
    if args.stage in ("beb", "all"):
        from starskope.analysis import options_for
        from starskope.features.dataset import FeatureSet
        from starskope.models import default_model, save_model
        from starskope.models.pixel_cnn import PixelEnsemble
        from starskope.pixels import read_pixels
        from starskope.simulate.pixels import pixel_training_set

        t0 = time.perf_counter()
        base = default_model()
        opts = options_for(base, {"star_types": False}, warn=False)
        n_cheap, n_train, n_test = (300, 120, 200) if q else (1500, 1200, 900)
        # seeds: the pixel CNN's images 1, the stacker's field 101, the test field 202, the
        # extra binaries 303 — independent draws, so no test star is seen in training
        print("pixel training images ...", flush=True)
        cheap_path = cache / f"cheap-{n_cheap}.npz"
        if cheap_path.exists():
            cheap = FeatureSet.load(cheap_path)
        else:
            cheap = pixel_training_set(n_cheap, mission="K2", seed=1, real=read_pixels(real))
            cheap.save(cheap_path)
        print(f"  {len(cheap)} images ({time.perf_counter() - t0:.0f} s)", flush=True)
        train = analysed_field(cache / f"train-{n_train}", n_train, n_train // 8, 101, opts,
                               cache / f"train-{n_train}.npz", args.workers)
        print(f"training field analysed: {len(train)} ({time.perf_counter() - t0:.0f} s)", flush=True)
        model = PixelEnsemble(base="default", pixel_params={"epochs": 40, "width": 8}, n_folds=3, seed=0)
        model.fit(train, pixel_training=cheap)
        print(f"pixel-aware model trained ({time.perf_counter() - t0:.0f} s): {model.training_summary_}", flush=True)
        test = analysed_field(cache / f"test-{n_test}", n_test, n_test // 10, 202, opts, cache / f"test-{n_test}.npz",
                              args.workers)
        print(f"test field analysed: {len(test)} ({time.perf_counter() - t0:.0f} s)", flush=True)
        result = beb_evaluation(base, model, test)
        n_extra = 60 if q else 250
        extra = analysed_field(cache / f"bebs-{n_extra}", n_extra, 0, 303, opts, cache / f"bebs-{n_extra}.npz",
                               args.workers, classes=["background_eb"] * n_extra)
        print(f"extra background binaries analysed: {len(extra)} ({time.perf_counter() - t0:.0f} s)", flush=True)
        result["enriched"] = enriched_evaluation(base, model, extra, result["rows"])
        result["training"] = {"pixel_images": len(cheap), "analysed_stars": len(train),
                              "summary": model.training_summary_}
        result["seconds"] = time.perf_counter() - t0
        result["source"] = fingerprint
        result["machine"] = machine()
        doc["beb"] = result
        # regenerated by every run, so not kept in git (.gitignore)
        save_model(model, out / "pixels.model", metrics={"beb": {k: v for k, v in result.items() if k != "training"}})
        for r in result["rows"]:
            print(r, flush=True)
    doc["seconds"] = time.perf_counter() - t_start
    json_path.write_text(json.dumps(doc, indent=1, default=float))
    write_markdown(doc, out / "pixels.md")
    print(f"wrote {json_path}, {out / 'pixels.md'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

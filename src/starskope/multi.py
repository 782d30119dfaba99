"""One star seen by several telescopes: group, stitch on one TDB axis, search, compare.

* :func:`target_key` / :func:`group_by_target` – which light curves show the same star:
  by catalogue number (KIC numbers are mapped to TIC through the shipped KIC→TIC
  cross-match, :func:`starskope.stars.kic_to_tic`), else by sky position (``RA_OBJ`` /
  ``DEC_OBJ`` in the light curve's meta, within ``max_separation``).
* :func:`stitch_missions` – every piece (Kepler quarter, K2 campaign, TESS sector)
  quality-masked, optionally flattened, divided by its own median, given its own noise
  level (robust point-to-point scatter: Kepler and TESS differ ten-fold for one star),
  and joined on one absolute BJD_TDB axis. The result keeps ``instrument`` and
  ``segment`` columns and a ``CONTRIBUTIONS`` meta entry saying what each piece brought.
* :func:`telescope_evidence` – for a transit candidate on a stitched light curve: how
  many transits each telescope saw and the depth each measured. Depths that agree across
  telescopes make the signal stronger evidence (a planet's depth hardly depends on the
  bandpass; an eclipsing binary of two unlike stars' does, Kepler 420–900 nm vs TESS
  600–1000 nm, and a blend's differs with the pixel size: 4″ vs 21″).
* :func:`period_aliases` – two transits years apart fix the period only up to
  P = ΔT/n; this lists the members of that comb the data do not rule out (no predicted
  transit falls on observed, un-dipped flux), so a verdict can say how unique it is.
* :func:`telescope_summary` – all of it as plain JSON-able data for reports.
* :func:`resolve_period` – which member of that comb is the orbit: every comb member is
  fitted with a limb-darkened transit model (batman) whose a/R★ follows from Kepler's
  third law and the star's density, and scored by the fit to *all* data (predicted
  transits on flat, observed flux count against it), the density prior and the
  geometric transit probability. It says whether the answer is unique.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import astropy.units as u
import numpy as np

from .errors import LightCurveDataError, ParameterError
from .lightcurve import add_provenance, arrays, build_lightcurve
from .physics import transit_duration_arrays
from .quantities import require_positive
from .scatter import point_to_point_std, robust_std
from .search.folding import time_from_transit, transit_number

__all__ = [
    "BANDPASSES_NM",
    "AliasFit",
    "Contribution",
    "PeriodResolution",
    "TelescopeDepth",
    "group_by_target",
    "period_aliases",
    "resolve_period",
    "stitch_missions",
    "target_key",
    "telescope_evidence",
    "telescope_summary",
]

#: Approximate bandpasses (nm), for the notes on depth differences between telescopes.
BANDPASSES_NM: dict[str, tuple[float, float]] = {"Kepler": (420.0, 900.0), "K2": (420.0, 900.0),
                                                 "TESS": (600.0, 1000.0)}
_QUALITY_DEFAULT = {"kepler": 1130799, "k2": 1130799, "tess": 175}


# --------------------------------------------------------------------------- grouping


def _mission(lc: Any) -> str:
    m = lc.meta.get("MISSION") or lc.meta.get("TELESCOP") or ""
    m = str(m).strip()
    return {"kepler": "Kepler", "k2": "K2", "tess": "TESS"}.get(m.lower(), m)


def _target_number(lc: Any) -> int | None:
    for key in ("TARGETID", "TICID", "KEPLERID"):
        v = lc.meta.get(key)
        if v is not None:
            try:
                return int(v)
            except (TypeError, ValueError):
                continue
    obj = str(lc.meta.get("OBJECT") or "")
    digits = "".join(ch for ch in obj if ch.isdigit())
    return int(digits) if digits else None


def target_key(lc: Any, *, kic_to_tic: Mapping[int, int] | None = None) -> str | None:
    """Catalogue name that identifies the star across missions ('TIC n', else 'KIC n' /
    'EPIC n'), or None when the light curve carries no identifier.

    Kepler targets become 'TIC n' when the KIC→TIC cross-match knows them
    (``kic_to_tic``, default: the shipped cross-match via :func:`starskope.stars.kic_to_tic`).
    """
    number = _target_number(lc)
    if number is None:
        return None
    mission = _mission(lc)
    if mission == "TESS":
        return f"TIC {number}"
    if mission == "Kepler":
        if kic_to_tic is None:
            from .stars import kic_to_tic as lookup

            tic = lookup(number)
        else:
            tic = kic_to_tic.get(number)
        return f"TIC {tic}" if tic is not None else f"KIC {number}"
    if mission == "K2":
        return f"EPIC {number}"
    return f"{mission or 'target'} {number}"


def _position(lc: Any) -> tuple[float, float] | None:
    for ra_key, dec_key in (("RA_OBJ", "DEC_OBJ"), ("RA", "DEC")):
        ra, dec = lc.meta.get(ra_key), lc.meta.get(dec_key)
        try:
            ra_f, dec_f = float(ra), float(dec)
        except (TypeError, ValueError):
            continue
        if np.isfinite(ra_f) and np.isfinite(dec_f):
            return ra_f, dec_f
    return None


def group_by_target(
    lcs: Sequence[Any],
    *,
    kic_to_tic: Mapping[int, int] | None = None,
    max_separation: u.Quantity = 2.0 * u.arcsec,
) -> dict[str, list[Any]]:
    """Group light curves by star.

    Light curves with the same :func:`target_key` belong together; so do light curves
    whose positions lie within ``max_separation`` of each other (this joins, e.g., a K2
    star to its TESS observations, which no shipped cross-match does). A light curve with
    neither an identifier nor a position is its own group.

    Returns
    -------
    dict
        Group name (the first identifier of the group, TIC preferred) → light curves,
        each group sorted by start time.
    """
    sep_deg = require_positive(max_separation, u.deg, "max_separation").value
    n = len(lcs)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    keys = [target_key(lc, kic_to_tic=kic_to_tic) for lc in lcs]
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k is not None:
            if k in first:
                union(i, first[k])
            else:
                first[k] = i
    pos = [_position(lc) for lc in lcs]
    known = {i: p for i, p in enumerate(pos) if p is not None}
    with_pos = list(known)
    if len(with_pos) > 1:
        from astropy.coordinates import SkyCoord

        c = SkyCoord([known[i][0] for i in with_pos] * u.deg, [known[i][1] for i in with_pos] * u.deg)
        for a in range(len(with_pos)):
            d = c[a].separation(c[a + 1 :]).deg
            for b in np.flatnonzero(d < sep_deg):
                union(with_pos[a], with_pos[a + 1 + int(b)])
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out: dict[str, list[Any]] = {}
    for members in groups.values():
        names = [k for k in (keys[i] for i in members) if k]
        tic = [k for k in names if k.startswith("TIC ")]
        name = (tic or names or [f"position {pos[members[0]]}" if pos[members[0]] else f"light curve {members[0]}"])[0]
        out[name] = sorted((lcs[i] for i in members), key=lambda lc: float(np.nanmin(arrays(lc).time)))
    return out


# --------------------------------------------------------------------------- stitching


@dataclass(frozen=True)
class Contribution:
    """What one piece brought to a stitched light curve.

    Attributes
    ----------
    instrument : str
        'Kepler', 'K2' or 'TESS'.
    segment : str
        'quarter 3', 'sector 14', …
    n_points : int
    start, stop : float
        First and last time, BJD_TDB days.
    cadence : Quantity
        Median cadence (min).
    noise : Quantity
        Robust point-to-point scatter of the normalised flux (ppm per cadence).
    bandpass : tuple of float
        Approximate bandpass (nm).
    """

    instrument: str
    segment: str
    n_points: int
    start: float
    stop: float
    cadence: u.Quantity
    noise: u.Quantity
    bandpass: tuple[float, float]

    def as_dict(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "segment": self.segment, "n_points": self.n_points,
                "start_bjd": self.start, "stop_bjd": self.stop,
                "cadence_min": float(self.cadence.to_value(u.min)),
                "noise_ppm": float(self.noise.to_value(u.dimensionless_unscaled) * 1e6),
                "bandpass_nm": list(self.bandpass)}


def _segment_label(lc: Any) -> str:
    for key, word in (("QUARTER", "quarter"), ("CAMPAIGN", "campaign"), ("SECTOR", "sector")):
        v = lc.meta.get(key)
        if v is not None:
            return f"{word} {v}"
    return "segment"


def _robust_noise(y: np.ndarray) -> float:
    return point_to_point_std(y)


def stitch_missions(
    lcs: Sequence[Any],
    *,
    flatten_window: u.Quantity | None = None,
    quality_mask: str = "default",
) -> Any:
    """Join light curves of one star from any telescopes on one BJD_TDB time axis.

    Parameters
    ----------
    lcs : sequence of lightkurve.LightCurve
        Pieces of one star (see :func:`group_by_target`); they must not overlap in time.
    flatten_window : Quantity [time], optional
        When given, each piece is flattened with a robust (biweight, wotan) sliding
        window of this length before normalising; make it at least three times the
        longest transit you look for.
    quality_mask : str
        Mission quality mask ('default' or 'none'); flagged cadences are dropped.

    Returns
    -------
    lightkurve.LightCurve
        Time in BJD_TDB (format 'jd'), flux normalised to 1 per piece, ``flux_err`` the
        piece's robust per-cadence scatter (so a search weights Kepler and TESS by their
        real noise), columns ``instrument`` (str) and ``segment`` (int, piece index), meta
        ``MISSION`` ('Kepler+TESS', …), ``TARGETID``/``OBJECT`` of the first piece and
        ``CONTRIBUTIONS`` (list of :class:`Contribution` dicts).

    Raises
    ------
    ParameterError
        No light curves, or a piece whose telescope is unknown.
    LightCurveDataError
        Pieces that overlap in time, or a piece with fewer than 10 usable cadences.
    """
    pieces = list(lcs)
    if not pieces:
        raise ParameterError("stitch_missions needs at least one light curve; got none")
    window = None if flatten_window is None else require_positive(flatten_window, u.day, "flatten_window").value
    parts = []
    for k, lc in enumerate(pieces):
        mission = _mission(lc)
        if mission not in BANDPASSES_NM:
            raise ParameterError(
                f"light curve {k} ({lc.meta.get('FILENAME') or lc.meta.get('OBJECT')}): unknown telescope "
                f"{mission!r}; known: {', '.join(BANDPASSES_NM)}")
        a = arrays(lc)
        good = np.isfinite(a.time) & np.isfinite(a.flux)
        if quality_mask != "none":
            good &= (a.quality.astype(np.int64) & _QUALITY_DEFAULT[mission.lower()]) == 0
        t, f = a.time[good], a.flux[good]
        if t.size < 10:
            raise LightCurveDataError(
                f"light curve {k} ({_segment_label(lc)} of {mission}): only {t.size} usable cadences")
        order = np.argsort(t)
        t, f = t[order], f[order]
        f = f / np.median(f)
        if window is not None:
            from wotan import flatten

            trend = flatten(t, f, method="biweight", window_length=window, return_trend=True)[1]
            ok = np.isfinite(trend)
            t, f = t[ok], f[ok] / trend[ok]
        noise = _robust_noise(f)
        parts.append((t, f, noise, mission, _segment_label(lc), lc))
    parts.sort(key=lambda p: p[0][0])
    for (t_a, *_, seg_a, lc_a), (t_b, *_, seg_b, lc_b) in itertools.pairwise(parts):
        if t_b[0] <= t_a[-1]:
            raise LightCurveDataError(
                f"{_mission(lc_a)} {seg_a} (to BJD {t_a[-1]:.4f}) and {_mission(lc_b)} {seg_b} "
                f"(from BJD {t_b[0]:.4f}) overlap in time; stitch each telescope's pieces separately")
    time = np.concatenate([p[0] for p in parts])
    flux = np.concatenate([p[1] for p in parts])
    err = np.concatenate([np.full(p[0].size, p[2]) for p in parts])
    instrument = np.concatenate([np.full(p[0].size, p[3]) for p in parts])
    segment = np.concatenate([np.full(p[0].size, i, dtype=np.int32) for i, p in enumerate(parts)])
    contributions = [
        Contribution(instrument=p[3], segment=p[4], n_points=int(p[0].size), start=float(p[0][0]),
                     stop=float(p[0][-1]), cadence=float(np.median(np.diff(p[0]))) * u.day.to(u.min) * u.min,
                     noise=p[2] * u.dimensionless_unscaled, bandpass=BANDPASSES_NM[p[3]])
        for p in parts
    ]
    from astropy.time import Time

    first = parts[0][5]
    missions = "+".join(dict.fromkeys(p[3] for p in parts))
    meta = {"MISSION": missions, "TARGETID": first.meta.get("TARGETID"), "OBJECT": first.meta.get("OBJECT"),
            "PRODUCT": "stitched", "FLUX_ORIGIN": "normalised per piece",
            "PROVENANCE": list(first.meta.get("PROVENANCE") or []),
            "CONTRIBUTIONS": [c.as_dict() for c in contributions]}
    lc = build_lightcurve(Time(time, format="jd", scale="tdb"), flux * u.dimensionless_unscaled,
                          err * u.dimensionless_unscaled, np.zeros(time.size, dtype=np.int32), meta=meta,
                          source="stitched")
    # added after building: build_lightcurve's extra_columns reach LightCurve() as keywords
    lc["instrument"] = instrument
    lc["segment"] = segment
    step = f"stitch_missions({', '.join(f'{c.instrument} {c.segment}' for c in contributions)}"
    step += f", flatten {window} d)" if window else ")"
    return add_provenance(lc, step)


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class TelescopeDepth:
    """A candidate's transit as one telescope saw it.

    Attributes
    ----------
    instrument : str
    n_transits : int
        Transits with at least one in-transit cadence from this telescope.
    depth, depth_err : Quantity
        Mean in-transit decrement (ppm) and its error: the larger of the white-noise
        error (per-cadence scatter / √N) and the scatter of the mean flux in windows of
        one transit duration away from transits (correlated noise).
    bandpass : tuple of float
    """

    instrument: str
    n_transits: int
    depth: u.Quantity
    depth_err: u.Quantity
    bandpass: tuple[float, float]


def _red_noise(t: np.ndarray, f: np.ndarray, width: float) -> float:
    """Scatter of the mean flux in windows of ``width`` days away from transits: the
    error of a transit depth when the noise is correlated (pulsation, spots, residual
    systematics; Pont, Zucker & Queloz 2006). 0 with fewer than 4 full windows."""
    ok = np.isfinite(t) & np.isfinite(f)
    t, f = t[ok], f[ok]
    if t.size < 8 or not width > 0:
        return 0.0
    k = np.floor((t - t[0]) / width).astype(np.int64)
    cnt = np.bincount(k)
    mean = np.bincount(k, weights=f) / np.maximum(cnt, 1)
    full = cnt >= 0.5 * np.median(cnt[cnt > 0])
    if full.sum() < 4:
        return 0.0
    return robust_std(mean[full])


def telescope_evidence(stitched: Any, candidate: Any) -> dict[str, Any]:
    """Which telescope contributed what to a transit candidate, and do they agree.

    Parameters
    ----------
    stitched : lightkurve.LightCurve
        Output of :func:`stitch_missions`.
    candidate : TransitCandidate
        Period, epoch and duration to test.

    Returns
    -------
    dict
        ``per_telescope`` (list of :class:`TelescopeDepth`), ``n_telescopes`` (how many
        saw at least one transit), ``depth_consistency_sigma`` (largest pairwise depth
        difference over its error; None with fewer than two telescopes), ``note``.
    """
    if "instrument" not in stitched.colnames:
        raise ParameterError("telescope_evidence needs a light curve from stitch_missions (no 'instrument' column)")
    a = arrays(stitched)
    inst = np.asarray(stitched["instrument"]).astype(str)
    period, epoch, half = candidate.period_days, candidate.epoch_bjd, 0.5 * candidate.duration_days
    dt = time_from_transit(a.time, period, epoch)
    in_tr = np.abs(dt) < half
    near = (np.abs(dt) > 1.5 * half) & (np.abs(dt) < 4 * half)
    per: list[TelescopeDepth] = []
    for name in dict.fromkeys(inst):
        m = inst == name
        if not np.any(m & in_tr):
            continue
        base = np.median(a.flux[m & near]) if np.any(m & near) else np.median(a.flux[m & ~in_tr])
        depth = base - np.mean(a.flux[m & in_tr])
        white = np.nanmedian(a.flux_err[m]) / np.sqrt(np.sum(m & in_tr))
        err = max(float(white), _red_noise(a.time[m & ~in_tr], a.flux[m & ~in_tr], 2 * half))
        per.append(TelescopeDepth(name, int(np.unique(transit_number(a.time[m & in_tr], period, epoch)).size), depth * 1e6 * u.dimensionless_unscaled,
                                  err * 1e6 * u.dimensionless_unscaled, BANDPASSES_NM.get(name, (np.nan, np.nan))))
    consistency = None
    if len(per) >= 2:
        diffs = [abs(p.depth - q.depth).value / np.hypot(p.depth_err.value, q.depth_err.value)
                 for i, p in enumerate(per) for q in per[i + 1:]]
        consistency = float(max(diffs))
    if consistency is None:
        note = "seen by one telescope only"
    elif consistency < 3:
        note = (f"seen by {len(per)} telescopes at depths that agree within {consistency:.1f} sigma: "
                "stronger evidence for an achromatic (planetary) transit")
    else:
        note = (f"depths differ by {consistency:.1f} sigma between telescopes (bandpasses "
                + ", ".join(f"{p.instrument} {p.bandpass[0]:.0f}-{p.bandpass[1]:.0f} nm" for p in per)
                + "): chromatic depth suggests an eclipsing binary or a blend (different pixel sizes)")
    return {"per_telescope": per, "n_telescopes": len(per), "depth_consistency_sigma": consistency, "note": note}


def period_aliases(
    stitched: Any,
    epoch_bjd: float,
    period: u.Quantity,
    duration: u.Quantity,
    *,
    period_min: u.Quantity | None = None,
    max_aliases: int = 10000,
) -> u.Quantity:
    """Periods P' = (t_last − t_first)/n that fit the observed transits as well as ``period``.

    The transits the candidate puts on data are taken as observed; an alias survives when
    it predicts a transit at each of them and at no other time where there is data (a
    predicted transit on observed, un-dipped flux rules it out). With transits years
    apart many aliases usually survive: the data fix the period only to this comb.

    Parameters
    ----------
    stitched : lightkurve.LightCurve
    epoch_bjd : float
        A mid-transit time, BJD_TDB days.
    period, duration : Quantity [time]
        The candidate's period and duration.
    period_min : Quantity [time], optional
        Shortest alias to consider (default: the duration × 4).

    Returns
    -------
    Quantity [day]
        Surviving periods, increasing (the candidate's own period among them).
    """
    p = require_positive(period, u.day, "period").value
    dur = require_positive(duration, u.day, "duration").value
    pmin = 4 * dur if period_min is None else require_positive(period_min, u.day, "period_min").value
    t = arrays(stitched).time
    t = t[np.isfinite(t)]
    covered = np.unique(transit_number(t, p, epoch_bjd)[np.abs(time_from_transit(t, p, epoch_bjd)) < 0.5 * dur])
    if covered.size < 2:
        raise ParameterError("period_aliases needs a candidate with transits at two or more epochs")
    mids = epoch_bjd + covered * p
    span = mids[-1] - mids[0]
    n_max = min(int(span / pmin), max_aliases)
    out = []
    for n in range(1, n_max + 1):
        q = span / n
        # every observed transit must sit on the comb
        if np.any(np.abs(time_from_transit(mids, q, mids[0])) > 0.5 * dur):
            continue
        hit = np.abs(time_from_transit(t, q, mids[0])) < 0.5 * dur
        predicted = np.unique(transit_number(t[hit], q, mids[0]))
        observed = np.round((mids - mids[0]) / q)
        if np.setdiff1d(predicted, observed).size == 0:
            out.append(q)
    return np.sort(np.array(out)) * u.day


# --------------------------------------------------------------------------- alias resolution

_G_CGS = 6.674e-8  # cm^3 g^-1 s^-2 (CODATA 2018)
_DAY_S = 86400.0
_LN_RHO_BOUNDS = (math.log(1e-5), math.log(1e3))  # g/cm^3: from red supergiants to white dwarfs


@dataclass(frozen=True)
class AliasFit:
    """One member of a period comb, as the data and the star judge it.

    Attributes
    ----------
    period : Quantity [day]
        The alias ΔT/n (refined by the fit when fitted).
    n_cycles : int
        Orbits n between the first and the last transit seen.
    n_empty : int
        Transits this period predicts on observed flux that shows no dip of the seen depth.
    n_missed : int
        Seen transits this period does not predict.
    fitted : bool
        False when the alias was ruled out by coverage (``n_empty`` or ``n_missed`` > 0)
        before any fit; its score is then infinite.
    delta_chi2 : float
        χ² of the transit model minus χ² of flat flux over every cadence the model puts
        near a transit: negative, and the same measure for every alias, so a model that
        predicts a transit on flat flux pays for it.
    density_penalty : float
        ((ln ρ_fit − ln ρ★)/σ_lnρ)²; 0 without a stellar density.
    geometric_penalty : float
        (4/3) ln(P / P_shortest): the transit probability R★/a ∝ P^(−2/3) at fixed
        density, with a log-uniform period prior (Kipping 2018).
    score : float
        −2 ln(posterior odds against the best alias): 0 for the best.
    probability : float
        Posterior probability among the aliases (sums to 1).
    stellar_density : Quantity [g/cm³]
        Density the fit implies (a/R★ and P through Kepler's third law).
    impact : float
        Impact parameter b.
    a_over_rstar : float
    radius_ratio : float
        Rp/R★.
    duration : Quantity [hour]
        T14 of the fitted model.
    epoch : float
        Fitted mid-time of the first seen transit, BJD_TDB days.
    """

    period: u.Quantity
    n_cycles: int
    n_empty: int
    n_missed: int
    fitted: bool
    delta_chi2: float = float("nan")
    density_penalty: float = float("nan")
    geometric_penalty: float = float("nan")
    score: float = float("inf")
    probability: float = 0.0
    stellar_density: u.Quantity = float("nan") * u.g / u.cm**3
    impact: float = float("nan")
    a_over_rstar: float = float("nan")
    radius_ratio: float = float("nan")
    duration: u.Quantity = float("nan") * u.hour
    epoch: float = float("nan")

    def as_dict(self) -> dict[str, Any]:
        """Plain floats (units in the names) for tables and JSON."""
        return {"period_days": float(self.period.to_value(u.day)), "n_cycles": self.n_cycles,
                "n_empty": self.n_empty, "n_missed": self.n_missed, "fitted": self.fitted,
                "delta_chi2": self.delta_chi2, "density_penalty": self.density_penalty,
                "geometric_penalty": self.geometric_penalty, "score": self.score,
                "probability": self.probability,
                "stellar_density_gcc": float(self.stellar_density.to_value(u.g / u.cm**3)),
                "impact": self.impact, "a_over_rstar": self.a_over_rstar, "radius_ratio": self.radius_ratio,
                "duration_hours": float(self.duration.to_value(u.hour)), "epoch_bjd": self.epoch}


@dataclass(frozen=True)
class PeriodResolution:
    """The answer of :func:`resolve_period`.

    Attributes
    ----------
    candidate : TransitCandidate
        The input candidate moved to the most probable alias, with the fitted epoch and
        duration; ``extra`` gains ``alias_n_cycles``, ``alias_probability``,
        ``alias_unique`` (1/0), ``impact_parameter``, ``a_over_rstar``,
        ``stellar_density_gcc``.
    aliases : list of AliasFit
        Every comb member tested, increasing period.
    unique : bool
        True when every other alias scores at least ``threshold`` worse (odds ≥ e^(threshold/2)).
    threshold : float
    stellar_density, density_error : Quantity or None
        The prior used (g/cm³).
    seen_epochs : ndarray
        Mid-times of the transits seen, BJD_TDB days.
    note : str
    """

    candidate: Any
    aliases: list[AliasFit]
    unique: bool
    threshold: float
    stellar_density: u.Quantity | None
    density_error: u.Quantity | None
    seen_epochs: np.ndarray
    note: str

    @property
    def best(self) -> AliasFit:
        return min(self.aliases, key=lambda a: a.score)

    @property
    def period(self) -> u.Quantity:
        return self.candidate.period

    def fitted(self) -> list[AliasFit]:
        """The aliases coverage did not rule out, best first."""
        return sorted((a for a in self.aliases if a.fitted), key=lambda a: a.score)

    def as_rows(self) -> list[dict[str, Any]]:
        return [a.as_dict() for a in self.aliases]


def _density_prior(stellar_density: Any, density_error: Any) -> tuple[float | None, float | None, str]:
    """(ln ρ★ [g/cm³], σ of ln ρ★, note) from a Quantity or a StellarProperties."""
    if stellar_density is None:
        if density_error is not None:
            raise ParameterError("density_error was given without stellar_density")
        return None, None, "no stellar density: aliases are told apart by the light curve alone"
    gcc = u.g / u.cm**3
    err_q = None if density_error is None else require_positive(density_error, gcc, "density_error")
    if isinstance(stellar_density, u.Quantity) or not hasattr(stellar_density, "density"):
        rho = require_positive(stellar_density, gcc, "stellar_density").value
        if err_q is None:
            return math.log(rho), 0.25, "density error not given: 25 % assumed"
        return math.log(rho), float(err_q.value / rho), ""
    props = stellar_density  # a starskope.stars.StellarProperties
    if getattr(props, "density", None) is None:
        raise ParameterError(
            f"stellar_density: {getattr(props, 'target', 'the star')} has no density (needs radius and "
            "mass, or radius and log g); give a density Quantity instead")
    rho = float(props.density.to_value(gcc))
    if err_q is not None:
        return math.log(rho), float(err_q.value / rho), ""
    unc = getattr(props, "uncertainties", {}) or {}
    if "density" in unc:
        return math.log(rho), float(unc["density"].to_value(gcc) / rho), ""
    rel = {k: float(unc[k].value / getattr(props, k).value) for k in ("radius", "mass")
           if k in unc and getattr(props, k) is not None}
    if "radius" in rel and "mass" in rel:
        return math.log(rho), math.hypot(rel["mass"], 3 * rel["radius"]), "density error from mass and radius errors"
    if "radius" in rel and "logg" in unc:
        sig = math.hypot(math.log(10) * float(unc["logg"].value), rel["radius"])
        return math.log(rho), sig, "density error from log g and radius errors"
    return math.log(rho), 0.25, f"{getattr(props, 'target', 'star')}: no density error known; 25 % assumed"


def _exposure_days(stitched: Any, n: int) -> np.ndarray:
    contrib = stitched.meta.get("CONTRIBUTIONS") or []
    if "segment" in stitched.colnames and contrib:
        seg = np.asarray(stitched["segment"]).astype(int)
        cad = np.array([c["cadence_min"] for c in contrib], dtype=float) / 1440.0
        return cad[np.clip(seg, 0, cad.size - 1)]
    t = arrays(stitched).time
    return np.full(n, float(np.nanmedian(np.diff(t))) if t.size > 1 else 0.0)


class _TransitFitter:
    """Limb-darkened (batman) transit fits of one set of cadences at one comb member."""

    def __init__(self, t: np.ndarray, f: np.ndarray, sigma: np.ndarray, exposure: np.ndarray,
                 ld: np.ndarray) -> None:
        import batman

        self.f, self.sigma = f, sigma
        self.params = batman.TransitParams()
        p = self.params
        p.t0, p.per, p.rp, p.a, p.inc, p.ecc, p.w = float(t[0]), 1e4, 0.1, 100.0, 90.0, 0.0, 90.0
        p.limb_dark, p.u = "quadratic", [0.4, 0.25]
        self.groups = []
        keys = np.round(exposure * 1440.0, 1) * 1000 + np.round(ld[:, 0], 3) * 10 + np.round(ld[:, 1], 3)
        for key in np.unique(keys):
            idx = np.flatnonzero(keys == key)
            exp = float(exposure[idx[0]])
            ss = max(1, math.ceil(exp * 1440.0 / 4.0))
            model = batman.TransitModel(p, t[idx], supersample_factor=ss, exp_time=exp) if ss > 1 else \
                batman.TransitModel(p, t[idx])
            self.groups.append((idx, model, [float(ld[idx[0], 0]), float(ld[idx[0], 1])]))

    def model(self, t0: float, period: float, k: float, b: float, a_r: float) -> np.ndarray:
        p = self.params
        out = np.ones(self.f.size)
        if a_r <= 1.0 + k or b >= a_r:
            return out
        p.t0, p.per, p.rp, p.a = t0, period, k, a_r
        p.inc = math.degrees(math.acos(min(b / a_r, 1.0)))
        for idx, m, ld in self.groups:
            p.u = ld
            out[idx] = m.light_curve(p)
        return out


def _fit_alias(fitter: _TransitFitter, t_a: float, span: float, n: int, k0: float, dur: float,
               ln_rho: float | None, sig_ln_rho: float | None, starts: Sequence[float],
               free_density: bool = False) -> dict[str, float]:
    """Least-squares fit of (t_first, t_last, Rp/R★, b, ln ρ★) at comb member n."""
    from scipy.optimize import least_squares

    def unpack(x: np.ndarray) -> tuple[float, float, float, float, float, float]:
        t0 = t_a + x[0]
        period = (span + x[1] - x[0]) / n
        rho = math.exp(x[4])
        a_r = (_G_CGS * rho * (period * _DAY_S) ** 2 / (3 * math.pi)) ** (1 / 3)
        return t0, period, x[2], x[3], rho, a_r

    use_prior = ln_rho is not None and not free_density

    def resid(x: np.ndarray) -> np.ndarray:
        t0, period, k, b, _, a_r = unpack(x)
        r = (fitter.f - fitter.model(t0, period, k, b, a_r)) / fitter.sigma
        if use_prior:
            r = np.append(r, (x[4] - ln_rho) / sig_ln_rho)
        return r

    period0 = span / n
    dt_max = 0.3 * dur
    lo = [-dt_max, -dt_max, 1e-3, 0.0, _LN_RHO_BOUNDS[0]]
    hi = [dt_max, dt_max, 0.5, 1.5, _LN_RHO_BOUNDS[1]]
    best = None
    for b0 in starts:
        # start where this b and the seen duration give the density (small-angle T14)
        a_r0 = period0 / (math.pi * dur) * math.sqrt(max((1 + k0) ** 2 - b0**2, 1e-6))
        a_r0 = max(a_r0, 1.5 + b0)
        lr0 = math.log(3 * math.pi * a_r0**3 / (_G_CGS * (period0 * _DAY_S) ** 2))
        x0 = np.clip([0.0, 0.0, k0, b0, lr0], np.array(lo) + 1e-9, np.array(hi) - 1e-9)
        sol = least_squares(resid, x0, bounds=(lo, hi), x_scale=[dur * 0.05, dur * 0.05, 0.01, 0.1, 0.1],
                            max_nfev=400)
        if best is None or sol.cost < best.cost:
            best = sol
    assert best is not None
    t0, period, k, b, rho, a_r = unpack(best.x)
    m = fitter.model(t0, period, k, b, a_r)
    dchi2 = float(np.sum(((fitter.f - m) ** 2 - (fitter.f - 1.0) ** 2) / fitter.sigma**2))
    pen = float(((best.x[4] - ln_rho) / sig_ln_rho) ** 2) if use_prior else 0.0
    return {"t0": t0, "period": period, "k": k, "b": b, "rho": rho, "a_r": a_r, "delta_chi2": dchi2,
            "density_penalty": pen, "t14": float(transit_duration_arrays(period, a_r, k, b))}


def resolve_period(
    stitched: Any,
    candidate: Any,
    *,
    stellar_density: Any = None,
    density_error: u.Quantity | None = None,
    limb_darkening: tuple[float, float] | Mapping[str, tuple[float, float]] = (0.40, 0.25),
    period_min: u.Quantity | None = None,
    threshold: float = 9.0,
    max_fits: int = 500,
) -> PeriodResolution:
    """Which member of the period comb is the orbit?

    A transit seen once by Kepler and once by TESS fixes the period only to the comb
    P = ΔT/n. Each member is judged three ways:

    1. **coverage** – a member that predicts a transit where a telescope watched and saw
       no dip of the seen depth (or misses a seen transit) is ruled out;
    2. **the light curve** – every surviving member is fitted with a limb-darkened transit
       (batman; per-cadence supersampling, per-telescope noise) whose a/R★ follows from
       P and the stellar density through Kepler's third law, a³ = G M★ P²/4π², i.e.
       ρ★ = 3π (a/R★)³ / (G P²); the fit covers every cadence near any transit the member
       predicts, so the measure (χ² against flat flux) is the same for all members;
    3. **the star** – a Gaussian prior on ln ρ★ (catalogue density and its error): the
       transit's duration and shape fix a/R★/P, so a wrong P implies a wrong density
       (ρ★ ∝ P at fixed shape), plus the geometric transit probability ∝ P^(−2/3).

    The score is −2 ln posterior (χ² + density term + geometric term); probabilities are
    normalised over the members. The light curve alone hardly separates members (the
    impact parameter absorbs most of a duration change), so the density decides: known to
    7–10 %, it separates members a factor 1.5 apart (two vs three orbits between the
    transits) at odds of ~100:1 or better; with 36 orbits between the transits (members
    3 % apart) no stellar catalogue separates them, and ``unique`` says so.

    Parameters
    ----------
    stitched : lightkurve.LightCurve
        Flattened, normalised light curve from :func:`stitch_missions` (its
        ``segment`` column and ``CONTRIBUTIONS`` give each cadence's exposure time).
    candidate : TransitCandidate
        A member of the comb (e.g. what :func:`starskope.search.search_transits` found);
        its transits must be seen at two or more epochs.
    stellar_density : Quantity [g/cm³] or StellarProperties, optional
        The star's mean density (and, from StellarProperties, its error).
    density_error : Quantity [g/cm³], optional
        1-σ error of the density (default: from the StellarProperties' uncertainties,
        else 25 %).
    limb_darkening : (u1, u2) or mapping instrument → (u1, u2)
        Quadratic limb-darkening coefficients (held fixed).
    period_min : Quantity [time], optional
        Shortest member tested (default 4 × the candidate's duration).
    threshold : float
        Score margin the runner-up must lose by for ``unique`` (9: odds of 90 to 1).
    max_fits : int
        Most members fitted after coverage (more raise ParameterError: give period_min).

    Returns
    -------
    PeriodResolution

    Raises
    ------
    ParameterError
        Not a stitched light curve; transits seen at fewer than two epochs; too many
        members to fit; density_error without stellar_density; a StellarProperties
        without density.
    UnitsError
        Quantities in the wrong unit.
    """
    if "instrument" not in stitched.colnames:
        raise ParameterError("resolve_period needs a light curve from stitch_missions (no 'instrument' column)")
    ln_rho, sig_ln_rho, prior_note = _density_prior(stellar_density, density_error)
    comb = _comb_data(stitched, candidate, limb_darkening)
    d_c = candidate.duration_days
    mids = _seen_transits(comb, candidate)
    t_a, span = float(mids[0]), float(mids[-1] - mids[0])
    m_core = np.abs(comb.t[:, None] - mids[None, :]) < 0.35 * d_c
    depth_seen = float(1.0 - np.mean(comb.f[m_core.any(axis=1)]))

    pmin = 4 * d_c if period_min is None else require_positive(period_min, u.day, "period_min").value
    n_max = int(span // pmin)
    if n_max < 1:
        raise ParameterError(f"period_min {pmin:.4g} d is longer than the {span:.4g} d between the first and "
                             "last seen transits")
    covered_rows = _coverage(comb, mids, span, n_max, d_c, depth_seen)
    survivors = [n for n, e, mi in covered_rows if e == 0 and mi == 0]
    if len(survivors) > max_fits:
        raise ParameterError(
            f"{len(survivors)} periods between {span / n_max:.4g} and {span:.4g} d survive the coverage test; "
            f"more than max_fits={max_fits}: give a longer period_min")
    if not survivors:
        raise ParameterError("no member of the period comb fits the seen transits without predicting "
                             "transits on flat, observed flux")
    fits = _fit_members(comb, survivors, t_a, span, candidate, depth_seen, ln_rho, sig_ln_rho)
    aliases, ranked = _rank_members(fits, covered_rows, span)
    best = ranked[0]
    unique = len(ranked) == 1 or ranked[1].score >= threshold
    from astropy.time import Time

    duration_h = float(best.duration.to_value(u.hour))
    if not np.isfinite(duration_h):
        duration_h = candidate.duration_hours
    new = candidate.with_(
        period=best.period, epoch=Time(best.epoch, format="jd", scale="tdb"), duration=duration_h * u.hour,
        n_transits=len(mids), source=f"{candidate.source}+alias resolution",
        extra={**candidate.extra, "alias_n_cycles": float(best.n_cycles), "alias_probability": best.probability,
               "alias_unique": 1.0 if unique else 0.0, "impact_parameter": best.impact,
               "a_over_rstar": best.a_over_rstar,
               "stellar_density_gcc": float(best.stellar_density.to_value(u.g / u.cm**3))})
    note = _resolution_note(aliases, ranked, unique, threshold, len(mids))
    if prior_note:
        note += f"; {prior_note}"
    rho_q = None if ln_rho is None else math.exp(ln_rho) * u.g / u.cm**3
    err_q = None if ln_rho is None or sig_ln_rho is None else math.exp(ln_rho) * sig_ln_rho * u.g / u.cm**3
    return PeriodResolution(candidate=new, aliases=aliases, unique=unique, threshold=threshold,
                            stellar_density=rho_q, density_error=err_q, seen_epochs=mids, note=note)


@dataclass(frozen=True)
class _Comb:
    """The stitched cadences a period comb is judged on: time (BJD_TDB days), flux, the
    noise of each cadence's piece, exposure time (days) and limb darkening (u1, u2)."""

    t: np.ndarray
    f: np.ndarray
    sigma: np.ndarray
    exposure: np.ndarray
    ld: np.ndarray


def _comb_data(stitched: Any, candidate: Any, limb_darkening: Any) -> _Comb:
    a = arrays(stitched)
    ok = np.isfinite(a.time) & np.isfinite(a.flux)
    t, f = a.time[ok], a.flux[ok]
    inst = np.asarray(stitched["instrument"]).astype(str)[ok]
    seg = np.asarray(stitched["segment"]).astype(int)[ok] if "segment" in stitched.colnames else np.zeros(t.size, int)
    exposure = _exposure_days(stitched, a.time.size)[ok]
    if isinstance(limb_darkening, Mapping):
        missing = sorted(set(inst) - set(limb_darkening))
        if missing:
            raise ParameterError(f"limb_darkening has no coefficients for {', '.join(missing)}; "
                                 f"given for {', '.join(limb_darkening)}")
        ld = np.array([limb_darkening[i] for i in inst], dtype=float)
    else:
        ld = np.tile(np.asarray(limb_darkening, dtype=float), (t.size, 1))
    # per-piece noise: robust scatter away from the candidate's transits
    away = np.abs(time_from_transit(t, candidate.period_days, candidate.epoch_bjd)) > candidate.duration_days
    sigma = np.empty(t.size)
    for s in np.unique(seg):
        m = seg == s
        ref = f[m & away] if np.sum(m & away) > 10 else f[m]
        sigma[m] = robust_std(ref)
    sigma = np.where(sigma > 0, sigma, np.nanmedian(sigma[sigma > 0]))
    return _Comb(t, f, sigma, exposure, ld)


def _seen_transits(comb: _Comb, candidate: Any) -> np.ndarray:
    """Mid-times of the candidate's transits that show a dip of its depth (at least two)."""
    p_c, e_c, d_c = candidate.period_days, candidate.epoch_bjd, candidate.duration_days
    depth_c = candidate.depth_ppm * 1e-6 if np.isfinite(candidate.depth_ppm) else np.nan
    k_c = transit_number(comb.t, p_c, e_c)
    core = np.abs(time_from_transit(comb.t, p_c, e_c)) < 0.35 * d_c
    seen = []
    for kk in np.unique(k_c[core]):
        m = core & (k_c == kk)
        dec = 1.0 - np.mean(comb.f[m])
        err = math.sqrt(float(np.sum(comb.sigma[m] ** 2))) / m.sum()
        if dec > 3 * err and (not np.isfinite(depth_c) or dec > 0.5 * depth_c):
            seen.append(e_c + kk * p_c)
    if len(seen) < 2:
        raise ParameterError(
            f"resolve_period needs a candidate whose transits are seen at two or more epochs; "
            f"candidate P = {p_c:.6g} d shows a dip at {len(seen)}")
    return np.array(seen)


def _coverage(comb: _Comb, mids: np.ndarray, span: float, n_max: int, d_c: float,
              depth_seen: float) -> list[tuple[int, int, int]]:
    """For each member P = span/n: (n, transits it predicts on flat observed flux,
    seen transits it misses)."""
    t_a = float(mids[0])
    rows: list[tuple[int, int, int]] = []
    t_rel = comb.t - t_a
    for n in range(1, n_max + 1):
        q = span / n
        phase_m = (mids - t_a) / q
        n_missed = int(np.sum(np.abs(phase_m - np.round(phase_m)) * q > 0.35 * d_c))
        kk = np.round(t_rel / q)
        c = np.abs(t_rel - kk * q) < 0.35 * d_c
        n_empty = 0
        if np.any(c):
            _, inv = np.unique(kk[c], return_inverse=True)
            cnt = np.bincount(inv)
            dec = 1.0 - np.bincount(inv, weights=comb.f[c]) / cnt
            err = np.sqrt(np.bincount(inv, weights=comb.sigma[c] ** 2)) / cnt
            n_empty = int(np.sum((cnt >= 3) & (dec < 0.5 * depth_seen) & (depth_seen - dec > 5 * err)))
        rows.append((n, n_empty, n_missed))
    return rows


def _fit_members(comb: _Comb, survivors: list[int], t_a: float, span: float, candidate: Any, depth_seen: float,
                 ln_rho: float | None, sig_ln_rho: float | None) -> dict[int, dict[str, float]]:
    """The limb-darkened transit fit of every surviving member, after a reference fit at
    the candidate's own member (free density) that measures the seen duration."""
    t_rel = comb.t - t_a

    def select(n: int, half_width: float) -> _TransitFitter:
        q = span / n
        kk = np.round(t_rel / q)
        sel = np.abs(t_rel - kk * q) < half_width
        return _TransitFitter(comb.t[sel], comb.f[sel], comb.sigma[sel], comb.exposure[sel], comb.ld[sel])

    k0 = math.sqrt(max(depth_seen, 1e-6))
    n_ref = min(survivors, key=lambda n: abs(span / n - candidate.period_days))
    dur = candidate.duration_days
    for _ in range(2):
        ref = _fit_alias(select(n_ref, max(2.0 * dur, dur + 0.25)), t_a, span, n_ref, k0, dur, None, None,
                         (0.1, 0.5, 0.85), free_density=True)
        if np.isfinite(ref["t14"]) and ref["t14"] > 0:
            dur = ref["t14"]
    half_width = max(1.5 * dur, 0.5 * dur + 0.25)
    return {n: _fit_alias(select(n, half_width), t_a, span, n, ref["k"], dur, ln_rho, sig_ln_rho, (0.1, 0.5, 0.85))
            for n in survivors}


def _rank_members(fits: dict[int, dict[str, float]], covered_rows: list[tuple[int, int, int]],
                  span: float) -> tuple[list[AliasFit], list[AliasFit]]:
    """Every comb member (period order) and the fitted ones best first, scored by
    −2 ln posterior: χ² + density prior + geometric transit probability."""
    p_short = min(fits[n]["period"] for n in fits)
    scores = {n: r["delta_chi2"] + r["density_penalty"] + (4 / 3) * math.log(r["period"] / p_short)
              for n, r in fits.items()}
    s_min = min(scores.values())
    weights = {n: math.exp(-0.5 * (s - s_min)) for n, s in scores.items()}
    total = sum(weights.values())
    aliases = []
    for n, n_empty, n_missed in covered_rows:
        if n in fits:
            r = fits[n]
            aliases.append(AliasFit(
                period=r["period"] * u.day, n_cycles=n, n_empty=n_empty, n_missed=n_missed, fitted=True,
                delta_chi2=r["delta_chi2"], density_penalty=r["density_penalty"],
                geometric_penalty=(4 / 3) * math.log(r["period"] / p_short), score=scores[n] - s_min,
                probability=weights[n] / total, stellar_density=r["rho"] * u.g / u.cm**3, impact=r["b"],
                a_over_rstar=r["a_r"], radius_ratio=r["k"], duration=r["t14"] * 24.0 * u.hour, epoch=r["t0"]))
        else:
            aliases.append(AliasFit(period=span / n * u.day, n_cycles=n, n_empty=n_empty, n_missed=n_missed,
                                    fitted=False))
    aliases.sort(key=lambda x: x.period.value)
    return aliases, sorted((x for x in aliases if x.fitted), key=lambda x: x.score)


def _resolution_note(aliases: list[AliasFit], ranked: list[AliasFit], unique: bool, threshold: float,
                     n_seen: int) -> str:
    best = ranked[0]
    n_ruled = sum(1 for x in aliases if not x.fitted)
    if unique:
        runner = (f"; the runner-up P = {ranked[1].period.value:.6g} d is {math.exp(0.5 * ranked[1].score):.3g} "
                  "times less probable") if len(ranked) > 1 else ""
        return (f"P = {best.period.value:.6g} d ({best.n_cycles} orbits between the first and last of "
                f"{n_seen} seen transits) is the only period the data and the star allow{runner}; "
                f"{n_ruled} of {len(aliases)} comb members ruled out by coverage")
    close = [x for x in ranked if x.score < threshold]
    return (f"period not unique: {len(close)} comb members within Δscore {threshold:g} of the best "
            f"(P = {', '.join(f'{x.period.value:.5g}' for x in close[:6])}{' …' if len(close) > 6 else ''} d; "
            f"best has probability {best.probability:.2f}); more transits or a tighter stellar density "
            "would decide")


def telescope_summary(stitched: Any, candidate: Any = None, resolution: PeriodResolution | None = None,
                      *, max_aliases: int = 8) -> dict[str, Any]:
    """Which telescope contributed what, as plain data for a report.

    Parameters
    ----------
    stitched : lightkurve.LightCurve
        Output of :func:`stitch_missions`.
    candidate : TransitCandidate, optional
        Its transits are counted and measured per telescope (:func:`telescope_evidence`);
        default: the resolved candidate of ``resolution`` when given.
    resolution : PeriodResolution, optional
        Adds the period-alias verdict and the best ``max_aliases`` comb members.

    Returns
    -------
    dict
        ``missions`` ('Kepler+TESS'), ``contributions`` (one dict per piece: instrument,
        segment, n_points, start/stop BJD, cadence_min, noise_ppm, bandpass_nm),
        ``per_telescope`` (instrument, n_transits, depth_ppm, depth_err_ppm, bandpass_nm),
        ``n_telescopes``, ``depth_consistency_sigma``, ``note``, and ``period`` (None
        without a resolution: ``unique``, ``note``, ``period_days``, ``aliases``).

    Raises
    ------
    ParameterError
        Not a light curve from :func:`stitch_missions`.
    """
    if "instrument" not in stitched.colnames or not stitched.meta.get("CONTRIBUTIONS"):
        raise ParameterError("telescope_summary needs a light curve from stitch_missions "
                             "(no 'instrument' column or CONTRIBUTIONS)")
    if candidate is None and resolution is not None:
        candidate = resolution.candidate
    out: dict[str, Any] = {"missions": str(stitched.meta.get("MISSION") or ""),
                           "contributions": [dict(c) for c in stitched.meta["CONTRIBUTIONS"]],
                           "per_telescope": [], "n_telescopes": 0, "depth_consistency_sigma": None,
                           "note": "", "period": None}
    if candidate is not None:
        ev = telescope_evidence(stitched, candidate)
        out["per_telescope"] = [
            {"instrument": str(d.instrument), "n_transits": d.n_transits,
             "depth_ppm": float(d.depth.to_value(u.dimensionless_unscaled)),
             "depth_err_ppm": float(d.depth_err.to_value(u.dimensionless_unscaled)),
             "bandpass_nm": list(d.bandpass)} for d in ev["per_telescope"]]
        out.update(n_telescopes=ev["n_telescopes"], depth_consistency_sigma=ev["depth_consistency_sigma"],
                   note=ev["note"], candidate=candidate.as_row())
    if resolution is not None:
        best = resolution.fitted()[:max_aliases]
        out["period"] = {"unique": resolution.unique, "note": resolution.note,
                         "period_days": float(resolution.period.to_value(u.day)),
                         "n_tested": len(resolution.aliases),
                         "n_ruled_out_by_coverage": sum(1 for x in resolution.aliases if not x.fitted),
                         "aliases": [x.as_dict() for x in best]}
    return out

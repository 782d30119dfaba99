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
* :func:`resolve_period` – which member of that comb is the orbit: every comb member is
  fitted with a limb-darkened transit model (batman) whose a/R★ follows from Kepler's
  third law and the star's density, and scored by the fit to *all* data (predicted
  transits on flat, observed flux count against it), the density prior and the
  geometric transit probability. It says whether the answer is unique.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import astropy.units as u
import numpy as np

from .errors import LightCurveDataError, ParameterError
from .lightcurve import add_provenance, arrays, build_lightcurve
from .quantities import require_positive

__all__ = [
    "BANDPASSES_NM",
    "Contribution",
    "TelescopeDepth",
    "group_by_target",
    "AliasFit",
    "PeriodResolution",
    "period_aliases",
    "resolve_period",
    "stitch_missions",
    "target_key",
    "telescope_evidence",
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
    d = np.diff(y[np.isfinite(y)])
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0)) if d.size else float("nan")


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
        Mean in-transit decrement (ppm) and its error from the piece's noise.
    bandpass : tuple of float
    """

    instrument: str
    n_transits: int
    depth: u.Quantity
    depth_err: u.Quantity
    bandpass: tuple[float, float]


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
    n_epoch = np.round((a.time - epoch) / period)
    dt = a.time - epoch - n_epoch * period
    in_tr = np.abs(dt) < half
    near = (np.abs(dt) > 1.5 * half) & (np.abs(dt) < 4 * half)
    per: list[TelescopeDepth] = []
    for name in dict.fromkeys(inst):
        m = inst == name
        if not np.any(m & in_tr):
            continue
        base = np.median(a.flux[m & near]) if np.any(m & near) else np.median(a.flux[m & ~in_tr])
        depth = base - np.mean(a.flux[m & in_tr])
        err = np.nanmedian(a.flux_err[m]) / np.sqrt(np.sum(m & in_tr))
        per.append(TelescopeDepth(name, int(np.unique(n_epoch[m & in_tr]).size), depth * 1e6 * u.dimensionless_unscaled,
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
    k = np.round((t - epoch_bjd) / p)
    covered = np.unique(k[np.abs(t - epoch_bjd - k * p) < 0.5 * dur])
    if covered.size < 2:
        raise ParameterError("period_aliases needs a candidate with transits at two or more epochs")
    mids = epoch_bjd + covered * p
    span = mids[-1] - mids[0]
    n_max = min(int(span / pmin), max_aliases)
    out = []
    for n in range(1, n_max + 1):
        q = span / n
        # every observed transit must sit on the comb
        if np.any(np.abs((mids - mids[0]) / q - np.round((mids - mids[0]) / q)) * q > 0.5 * dur):
            continue
        kk = np.round((t - mids[0]) / q)
        hit = np.abs(t - mids[0] - kk * q) < 0.5 * dur
        predicted = np.unique(kk[hit])
        observed = np.round((mids - mids[0]) / q)
        if np.setdiff1d(predicted, observed).size == 0:
            out.append(q)
    return np.sort(np.array(out)) * u.day

"""Telescope effects: time grids, spacecraft-wide events, and each star's instrumental signal.

Everything here is driven by the telescope profiles (:func:`starskope.missions.get_mission`):
cadences, segments (quarter / campaign / sector dates), the QUALITY bits (looked up by their
names in the profile) and the systematics' periods.

* **Time grids** (:class:`TimeGrid`): the 3197 K2 Campaign 3 long cadences of the Kaggle
  tables; a Kepler quarter with its monthly data-downlink gaps; a K2 campaign; a TESS
  sector as two orbits with the ~1-day perigee gap.
* **Spacecraft-wide events** (:class:`Schedule`, shared by every star of a data set):
  K2 thruster firings about every 6 h (period from the K2 profile, ±5 % jitter; the firing
  cadence gets bit 1048576 "Thruster firing", ~10 % of firings also flag the next cadence
  524288 "Possible thruster firing") and the roll phase between them; Kepler reaction-wheel
  desaturations every ~3 d (bit 32); TESS momentum dumps (bit 32, period from the TESS
  profile) and scattered light near the orbit ends (bits 2048 and, where strongest, 4096);
  thermal settling after the campaign start and after each downlink gap.
* **Per-star effects** (:func:`star_effects`): what is left of those in pipeline-corrected
  (PDCSAP-like) flux — a roll residual sawtooth with an outlier on the firing cadence, a
  slow drift, settling ramps, scattered-light residuals, glitches at momentum dumps — and
  the much larger raw (SAP) versions; cosmic-ray outliers (half of them flagged, bit
  "Cosmic ray in optimal aperture"); Kepler's per-quarter flux offsets; and, for the
  'systematics' class, one strong instrument-only event: an uncorrected roll sawtooth, a
  sudden pixel-sensitivity dropout (step with partial recovery), a ramp, clusters of low
  cadences, a rolling-band pattern or strong scattered light.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import astropy.units as u
import numpy as np

from ..errors import ParameterError
from ..missions import TelescopeProfile, get_mission
from .truth import Truth

__all__ = [
    "SYSTEMATIC_KINDS",
    "InstrumentSignal",
    "Schedule",
    "TimeGrid",
    "campaign_grid",
    "join_grids",
    "k2_c3_grid",
    "make_schedule",
    "no_effects",
    "quality_bit",
    "quarter_grid",
    "sector_grid",
    "star_effects",
]

#: Strong instrument-only events a 'systematics' star can get, per telescope.
SYSTEMATIC_KINDS: dict[str, tuple[str, ...]] = {
    "Kepler": ("spsd", "ramp", "glitches", "rolling_band"),
    "K2": ("roll", "spsd", "ramp", "glitches", "rolling_band"),
    "TESS": ("spsd", "ramp", "glitches", "rolling_band", "scattered_light"),
}

_K2_C3_FIRST_CADENCENO = 99599  # CADENCENO of the first long cadence of K2 Campaign 3


def quality_bit(profile: TelescopeProfile, name: str) -> int:
    """The QUALITY bit the profile names ``name`` (exact, case-insensitive).

    Raises
    ------
    ParameterError
        The profile has no bit of that name.
    """
    for bit, label in profile.quality_bits.items():
        if label.lower() == name.lower() or label.lower().startswith(name.lower() + " ("):
            return int(bit)
    raise ParameterError(f"{profile.name} has no QUALITY bit named {name!r}")


def _period(profile: TelescopeProfile, name: str) -> float:
    for s in profile.systematics:
        if s.name == name and s.period is not None:
            return float(s.period.to_value(u.day))
    raise ParameterError(f"{profile.name} profile has no periodic systematic {name!r}")


@dataclass(frozen=True)
class TimeGrid:
    """Mid-exposure times of one simulated observing segment.

    Attributes
    ----------
    mission : str
        Profile name ('Kepler', 'K2', 'TESS').
    time_bjd : ndarray
        BJD_TDB days (float64), increasing.
    cadence_days : float
        Cadence (and exposure) length [days].
    cadenceno : ndarray of int
        Cadence numbers (consecutive within the segment, gaps skip numbers).
    segment : int
        Quarter, campaign or sector.
    chunk : ndarray of int
        Index of the continuous stretch each cadence belongs to (gaps separate them).
    gaps_allowed : bool
        Whether spacecraft-wide data gaps (NaN flux) may be added (False for the Kaggle
        tables, which have none).
    segment_of : ndarray of int or None
        Segment of each cadence when the grid joins several (see :func:`join_grids`).
    """

    mission: str
    time_bjd: np.ndarray
    cadence_days: float
    cadenceno: np.ndarray
    segment: int
    chunk: np.ndarray
    gaps_allowed: bool = True
    segment_of: np.ndarray | None = None

    @property
    def segments(self) -> np.ndarray:
        """Segment number of every cadence."""
        return self.segment_of if self.segment_of is not None else np.full(len(self.time_bjd), self.segment)

    def select(self, mask: np.ndarray) -> TimeGrid:
        """The cadences where ``mask`` is True, as a grid of their own."""
        segs = self.segments[mask]
        return TimeGrid(self.mission, self.time_bjd[mask], self.cadence_days, self.cadenceno[mask],
                        int(segs[0]) if len(segs) else self.segment, self.chunk[mask], self.gaps_allowed,
                        None if len(np.unique(segs)) <= 1 else segs)

    def __len__(self) -> int:
        return len(self.time_bjd)

    @property
    def profile(self) -> TelescopeProfile:
        return get_mission(self.mission)

    @property
    def cadence_minutes(self) -> float:
        return self.cadence_days * 1440.0

    @property
    def mission_time(self) -> np.ndarray:
        """Times in the mission's own day count (BKJD or BTJD)."""
        return self.time_bjd - self.profile.bjd_offset


def _grid(mission: str, start: float, n: int, cadence: float, first_no: int, segment: int,
          gaps: list[tuple[float, float]], gaps_allowed: bool = True) -> TimeGrid:
    idx = np.arange(n)
    t = start + idx * cadence
    keep = np.ones(n, dtype=bool)
    for a, b in gaps:
        keep &= ~((t >= a) & (t < b))
    t, idx = t[keep], idx[keep]
    chunk = np.concatenate([[0], np.cumsum(np.diff(idx) > 1)])
    return TimeGrid(mission, t, cadence, first_no + idx, segment, chunk, gaps_allowed)


def join_grids(grids: list[TimeGrid]) -> TimeGrid:
    """Several segments of one telescope as one grid (e.g. Kepler quarters 2–4).

    Raises
    ------
    ParameterError
        Grids of different telescopes or cadences, or overlapping in time.
    """
    if not grids:
        raise ParameterError("join_grids needs at least one grid")
    first = grids[0]
    if len(grids) == 1:
        return first
    for g in grids[1:]:
        if g.mission != first.mission or not math.isclose(g.cadence_days, first.cadence_days):
            raise ParameterError("join_grids: all grids must share one telescope and cadence")
    order = sorted(grids, key=lambda g: float(g.time_bjd[0]))
    for a, b in itertools.pairwise(order):
        if b.time_bjd[0] <= a.time_bjd[-1]:
            raise ParameterError(f"join_grids: segments {a.segment} and {b.segment} overlap in time")
    chunk, offset = [], 0
    for g in order:
        chunk.append(g.chunk + offset)
        offset += int(g.chunk.max()) + 1
    return TimeGrid(
        first.mission, np.concatenate([g.time_bjd for g in order]), first.cadence_days,
        np.concatenate([g.cadenceno for g in order]), order[0].segment, np.concatenate(chunk),
        all(g.gaps_allowed for g in order), np.concatenate([g.segments for g in order]),
    )


def k2_c3_grid(n_cadences: int = 3197) -> TimeGrid:
    """The K2 Campaign 3 long cadences of the Kaggle tables (see
    :func:`starskope.io.flux_table.rebuild_time`): no gaps, no NaNs."""
    from ..io.flux_table import rebuild_time

    t = rebuild_time(n_cadences, 3)
    jd = np.asarray(t.tdb.jd1, dtype=float) + np.asarray(t.tdb.jd2, dtype=float)
    cad = float(get_mission("K2").long_cadence.to_value(u.day))
    return TimeGrid("K2", jd, cad, _K2_C3_FIRST_CADENCENO + np.arange(n_cadences), 3,
                    np.zeros(n_cadences, dtype=int), gaps_allowed=False)


def campaign_grid(campaign: int) -> TimeGrid:
    """All long cadences of a K2 campaign (Campaign 3 starts at its real first cadence)."""
    prof = get_mission("K2")
    seg = prof.segment(campaign)
    cad = float(prof.long_cadence.to_value(u.day))
    if campaign == 3:
        start = float(prof.extra["campaign3"]["first_cadence_bkjd"]) + prof.bjd_offset + 0.5 * cad
    else:
        start = float(seg.start.tdb.jd) + 0.5
    stop = float(seg.stop.tdb.jd)
    n = int((stop - start) / cad)
    first = _K2_C3_FIRST_CADENCENO + round((start - _c3_start()) / cad)
    return _grid("K2", start, n, cad, first, campaign, [])


def _c3_start() -> float:
    prof = get_mission("K2")
    return float(prof.extra["campaign3"]["first_cadence_bkjd"]) + prof.bjd_offset


def quarter_grid(quarter: int, cadence: str = "long") -> TimeGrid:
    """A Kepler quarter with ~1-day monthly downlink gaps at one and two thirds of it."""
    prof = get_mission("Kepler")
    seg = prof.segment(quarter)
    cad = float(prof.cadence(cadence).to_value(u.day))
    start, stop = float(seg.start.tdb.jd), float(seg.stop.tdb.jd)
    n = int((stop - start) / cad)
    span = stop - start
    gaps = [(start + f * span, start + f * span + 1.0) for f in (1 / 3, 2 / 3)] if span > 40 else []
    # Kepler long-cadence numbers: 2965 at the start of Q2 (BKJD 169.52)
    first = 2965 + round((start - prof.bjd_offset - 169.52) / cad)
    return _grid("Kepler", start, n, cad, max(first, 0), quarter, gaps)


def sector_grid(sector: int, cadence: str = "two_minute") -> TimeGrid:
    """A TESS sector: two orbits separated by a ~1-day gap for data downlink at perigee."""
    prof = get_mission("TESS")
    seg = prof.segment(sector)
    cad = float(prof.cadence(cadence).to_value(u.day))
    start, stop = float(seg.start.tdb.jd) + 0.3, float(seg.stop.tdb.jd) - 0.3
    mid = 0.5 * (start + stop)
    n = int((stop - start) / cad)
    # TESS 2-min cadence numbers: 70444 at the start of Sector 1 (BTJD 1325.2956)
    first = 70444 + round((start - prof.bjd_offset - 1325.2956) / cad)
    return _grid("TESS", start, n, cad, first, sector, [(mid - 0.5, mid + 0.5)])


@dataclass
class Schedule:
    """Spacecraft-wide events of one data set (shared by all its stars).

    Attributes
    ----------
    quality : ndarray of int32
        Flags every star gets (firings, desaturations, dumps, scattered light, gaps).
    firing : ndarray of bool
        K2 thruster-firing cadences.
    roll_phase : ndarray or None
        K2: position in the roll cycle, 0 just after a firing to 1 just before the next.
    dump : ndarray of bool
        Momentum dumps (TESS) or reaction-wheel desaturations (Kepler).
    scattered : ndarray
        Scattered-light intensity 0–1 (TESS; zeros otherwise).
    settle : ndarray
        Thermal settling shape, 1 just after a campaign start or downlink gap, decaying.
    gap : ndarray of bool
        Cadences lost to safe modes / coarse pointing (NaN flux).
    x : ndarray
        Time scaled to −1 … 1 over the segment (for slow drifts).
    """

    quality: np.ndarray
    firing: np.ndarray
    roll_phase: np.ndarray | None
    dump: np.ndarray
    scattered: np.ndarray
    settle: np.ndarray
    gap: np.ndarray
    x: np.ndarray
    truth: dict[str, float] = field(default_factory=dict)


def make_schedule(grid: TimeGrid, rng: np.random.Generator) -> Schedule:
    """Draw the spacecraft-wide events of a data set on ``grid``."""
    prof = grid.profile
    t = grid.time_bjd
    n = len(t)
    quality = np.zeros(n, dtype=np.int32)
    firing = np.zeros(n, dtype=bool)
    dump = np.zeros(n, dtype=bool)
    scattered = np.zeros(n)
    gap = np.zeros(n, dtype=bool)
    roll = None
    x = 2.0 * (t - t[0]) / max(t[-1] - t[0], 1e-9) - 1.0
    # thermal settling after the start of each continuous stretch
    settle = np.zeros(n)
    for c in np.unique(grid.chunk):
        m = grid.chunk == c
        settle[m] = np.exp(-(t[m] - t[m][0]) / 0.8)

    if prof.name == "K2":
        period = _period(prof, "roll and thruster firings")
        times = [t[0] + rng.uniform(0.0, period)]
        while times[-1] < t[-1]:
            times.append(times[-1] + period * (1.0 + 0.05 * rng.standard_normal()))
        fire_t = np.array(times)
        fire_t = fire_t[(fire_t >= t[0]) & (fire_t <= t[-1])]
        j = np.clip(np.searchsorted(t, fire_t), 1, n - 1)
        # the cadence whose exposure contains the firing
        idx = np.where(np.abs(t[j - 1] - fire_t) < np.abs(t[j] - fire_t), j - 1, j)
        firing[idx] = True
        quality[firing] |= quality_bit(prof, "Thruster firing")
        possible = idx[rng.random(len(idx)) < 0.1] + 1
        possible = possible[possible < n]
        quality[possible] |= quality_bit(prof, "Possible thruster firing")
        k = np.searchsorted(fire_t, t, side="right")
        prev = np.where(k > 0, fire_t[np.maximum(k - 1, 0)], fire_t[0] - period)
        nxt = np.where(k < len(fire_t), fire_t[np.minimum(k, len(fire_t) - 1)], fire_t[-1] + period)
        roll = np.clip((t - prev) / np.maximum(nxt - prev, 1e-6), 0.0, 1.0)
    elif prof.name == "Kepler":
        # reaction-wheel desaturations every ~3 days
        desat = np.arange(t[0] + rng.uniform(0, 3.0), t[-1], 3.0)
        idx = np.unique(np.clip(np.searchsorted(t, desat), 0, n - 1))
        dump[idx] = True
        quality[idx] |= quality_bit(prof, "Desaturation event")
    elif prof.name == "TESS":
        period = _period(prof, "momentum dumps")
        for c in np.unique(grid.chunk):
            m = np.flatnonzero(grid.chunk == c)
            tc = t[m]
            dumps = np.arange(tc[0] + rng.uniform(0.5, period), tc[-1], period)
            width = max(1, round(10.0 / grid.cadence_minutes))  # ~10 minutes of jitter
            for tt in dumps:
                j = m[0] + int(np.searchsorted(tc, tt))
                dump[j: min(j + width, m[-1] + 1)] = True
            # scattered light: ramps over the last ~1.5 d and first ~0.5 d of each orbit
            end_ramp = np.clip(1.0 - (tc[-1] - tc) / rng.uniform(0.8, 1.8), 0.0, 1.0) ** 2
            start_ramp = np.clip(1.0 - (tc - tc[0]) / rng.uniform(0.3, 0.7), 0.0, 1.0) ** 2
            scattered[m] = np.maximum(end_ramp, start_ramp)
        quality[dump] |= quality_bit(prof, "Desaturation event")
        quality[scattered > 0.05] |= quality_bit(prof, "Straylight")
        quality[scattered > 0.5] |= quality_bit(prof, "Straylight2")
    if grid.gaps_allowed:
        # one or two short losses of fine pointing per segment
        coarse = quality_bit(prof, "Coarse point")
        for _ in range(int(rng.integers(1, 3))):
            t0 = rng.uniform(t[0], t[-1])
            m = (t >= t0) & (t < t0 + rng.uniform(0.05, 0.4))
            gap |= m
            quality[m] |= coarse
    return Schedule(quality, firing, roll, dump, scattered, settle, gap, x,
                    {"n_firings": int(firing.sum()), "n_dumps": int(dump.sum())})


@dataclass
class InstrumentSignal:
    """One star's instrumental signal on a grid.

    Attributes
    ----------
    pdc : ndarray
        Multiplicative residual systematics left in pipeline-corrected flux.
    sap : ndarray
        Multiplicative systematics of the raw aperture flux.
    outliers : ndarray
        Additive outliers in units of the star's flux (cosmic rays, firing cadences).
    quality : ndarray of int32
        The star's QUALITY flags (spacecraft-wide plus its own).
    nan : ndarray of bool
        Cadences whose corrected flux is NaN (gaps).
    background : ndarray
        Extra sky background from scattered light, relative to the star's flux.
    truth : Truth
    """

    pdc: np.ndarray
    sap: np.ndarray
    outliers: np.ndarray
    quality: np.ndarray
    nan: np.ndarray
    background: np.ndarray
    truth: Truth


def no_effects(n: int) -> InstrumentSignal:
    """An instrument that adds nothing (for tests of the astrophysics and the noise alone)."""
    return InstrumentSignal(np.ones(n), np.ones(n), np.zeros(n), np.zeros(n, dtype=np.int32),
                            np.zeros(n, dtype=bool), np.zeros(n), Truth())


def _loguniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _roll_shape(phase: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flux versus roll phase: a random mix of linear and quadratic terms, unit rms."""
    s = phase - 0.5
    shape = rng.uniform(-1, 1) * s + rng.uniform(-1, 1) * (s**2 - 1.0 / 12.0) * 3.0
    rms = float(np.sqrt(np.mean(shape**2))) or 1.0
    return shape / rms


def star_effects(
    grid: TimeGrid,
    schedule: Schedule,
    rng: np.random.Generator,
    sigma: float,
    *,
    systematics: bool = False,
    mag: float = 12.0,
) -> InstrumentSignal:
    """Draw one star's instrumental signal.

    Parameters
    ----------
    grid, schedule
        The data set's time grid and spacecraft-wide events.
    rng : numpy.random.Generator
        The star's own generator.
    sigma : float
        The star's relative white noise per cadence (sets cosmic-ray heights).
    systematics : bool
        Add one strong instrument-only event (the 'systematics' class).
    mag : float
        Magnitude (fainter TESS stars suffer more from scattered light).
    """
    prof = grid.profile
    t = grid.time_bjd
    n = len(t)
    pdc = np.zeros(n)
    sap = np.zeros(n)
    outliers = np.zeros(n)
    quality = schedule.quality.copy()
    truth = Truth()

    # slow residual drift (Legendre P1, P2)
    drift = _loguniform(rng, 20e-6, 300e-6)
    x = schedule.x
    pdc += drift * (rng.uniform(-1, 1) * x + rng.uniform(-1, 1) * 0.5 * (3 * x**2 - 1))
    sap += 10.0 * drift * (rng.uniform(-1, 1) * x + rng.uniform(-1, 1) * 0.5 * (3 * x**2 - 1))
    truth["drift_ppm"] = drift * 1e6
    settle_amp = _loguniform(rng, 30e-6, 300e-6) * rng.choice([-1.0, 1.0])
    pdc += settle_amp * schedule.settle
    sap += 20.0 * settle_amp * schedule.settle

    if prof.name == "K2" and schedule.roll_phase is not None:
        shape = _roll_shape(schedule.roll_phase, rng)
        residual = _loguniform(rng, 20e-6, 250e-6)
        pdc += residual * shape
        sap += residual * rng.uniform(5.0, 20.0) * shape
        # the pointing moves during the firing exposure: that cadence is off
        f = schedule.firing
        outliers[f] -= np.abs(rng.standard_normal(int(f.sum()))) * 3.0 * residual
        truth["roll_residual_ppm"] = residual * 1e6
    if prof.name == "Kepler":
        # each quarter puts the star on another CCD: its own flux level
        for k, seg in enumerate(np.unique(grid.segments)):
            offset = float(rng.normal(0.0, 0.005))
            m = grid.segments == seg
            pdc[m] += offset
            sap[m] += offset * 4.0
            if k == 0:
                truth["segment_offset_ppm"] = offset * 1e6
    if prof.name in ("Kepler", "TESS"):
        d = schedule.dump
        outliers[d] -= np.abs(rng.standard_normal(int(d.sum()))) * 2.0 * sigma
    background = np.zeros(n)
    if prof.name == "TESS":
        faint = 10.0 ** (0.4 * (mag - 10.0))
        sl = _loguniform(rng, 20e-6, 300e-6) * faint ** 0.5
        pdc += sl * schedule.scattered * rng.choice([-1.0, 1.0])
        sap += 10.0 * sl * schedule.scattered
        background = 5e-3 * faint * schedule.scattered

    # cosmic rays: ~1 per 10 days, 3–20 σ up, half flagged by the pipeline
    n_cr = int(rng.poisson(max(t[-1] - t[0], 0.0) / 10.0))
    cr_bit = quality_bit(prof, "Cosmic ray in optimal aperture")
    if n_cr:
        idx = rng.integers(0, n, n_cr)
        outliers[idx] += rng.uniform(3.0, 20.0, n_cr) * sigma
        flagged = idx[rng.random(n_cr) < 0.5]
        quality[flagged] |= cr_bit
    truth["n_cosmic_rays"] = n_cr

    if systematics:
        kind = str(rng.choice(SYSTEMATIC_KINDS[prof.name]))
        amp, when = _strong_systematic(kind, grid, schedule, rng, pdc, sap, outliers, quality)
        truth.update(sys_kind=kind, sys_amplitude_ppm=float(amp) * 1e6, sys_time_bjd=float(when))
    truth["n_flagged"] = int(np.count_nonzero(quality))
    return InstrumentSignal(1.0 + pdc, 1.0 + sap, outliers, quality, schedule.gap.copy(), background, truth)


def _strong_systematic(
    kind: str, grid: TimeGrid, schedule: Schedule, rng: np.random.Generator,
    pdc: np.ndarray, sap: np.ndarray, outliers: np.ndarray, quality: np.ndarray,
) -> tuple[float, float]:
    """Add one strong instrument-only event in place; return its amplitude and time."""
    prof = grid.profile
    t = grid.time_bjd
    n = len(t)
    if kind == "roll":
        amp = _loguniform(rng, 600e-6, 3000e-6)
        shape = _roll_shape(schedule.roll_phase if schedule.roll_phase is not None else np.zeros(n), rng)
        pdc += amp * shape
        sap += amp * shape
        outliers[schedule.firing] -= np.abs(rng.standard_normal(int(schedule.firing.sum()))) * 3.0 * amp
        return amp, float(t[0])
    if kind == "spsd":
        amp = _loguniform(rng, 300e-6, 5000e-6)
        j = int(rng.integers(n // 10, n - n // 10))
        recover = rng.uniform(0.3, 0.9)
        tau = rng.uniform(0.2, 3.0)
        dt = np.clip(t - t[j], 0.0, None)
        step = np.where(t >= t[j], -amp * (1.0 - recover * (1.0 - np.exp(-dt / tau))), 0.0)
        pdc += step
        sap += step
        bit = "Sudden sensitivity dropout" if prof.name != "TESS" else "Discontinuity corrected"
        quality[j] |= quality_bit(prof, bit)
        return amp, float(t[j])
    if kind == "ramp":
        amp = _loguniform(rng, 1e-3, 1e-2) * rng.choice([-1.0, 1.0])
        tau = rng.uniform(0.3, 3.0)
        j = 0 if rng.random() < 0.5 else int(rng.integers(0, n // 2))
        dt = t - t[j]
        shape = np.where(dt >= 0, np.exp(-dt / tau), 0.0)
        pdc += amp * shape
        sap += amp * shape
        return abs(amp), float(t[j])
    if kind == "glitches":
        amp = _loguniform(rng, 500e-6, 5000e-6)
        first = math.inf
        for _ in range(int(rng.integers(2, 7))):
            j = int(rng.integers(0, n - 4))
            w = int(rng.integers(1, 5))
            outliers[j: j + w] -= amp * rng.uniform(0.5, 1.0)
            first = min(first, float(t[j]))
        return amp, first
    if kind == "rolling_band":
        amp = _loguniform(rng, 300e-6, 3000e-6)
        on = np.zeros(n, dtype=bool)
        for _ in range(int(rng.integers(1, 4))):
            a = rng.uniform(t[0], t[-1])
            on |= (t >= a) & (t < a + rng.uniform(2.0, 15.0))
        pattern = sum(np.sin(2 * np.pi * t / rng.uniform(0.5, 5.0) + rng.uniform(0, 2 * np.pi)) for _ in range(2))
        pdc += amp * 0.5 * pattern * on
        sap += amp * 0.5 * pattern * on
        quality[on] |= quality_bit(prof, "Rolling band in optimal aperture") if prof.name != "TESS" else 0
        return amp, float(t[np.argmax(on)]) if on.any() else float(t[0])
    if kind == "scattered_light":
        amp = _loguniform(rng, 2e-3, 2e-2)
        pdc += amp * schedule.scattered * rng.choice([-1.0, 1.0])
        sap += 3.0 * amp * schedule.scattered
        return amp, float(t[np.argmax(schedule.scattered)])
    raise ParameterError(f"unknown systematic kind {kind!r}; known: {', '.join(sorted({k for v in SYSTEMATIC_KINDS.values() for k in v}))}")

"""Simulating whole sets of stars on a telescope's time grid.

:func:`plan_set` fixes everything a set needs before any light curve is made — the class of
every star, the stellar population, the hosts' target SNRs, the spacecraft-wide events and
one random stream per star — and :func:`simulate_stars` then makes the light curves of any
range of its stars. Because every star draws from its own stream
(``numpy.random.SeedSequence.spawn``), a star's light curve does not depend on which
other stars are simulated with it or in which chunks: the same seed gives the same bytes.

Each star's corrected (PDCSAP-like) flux in e⁻/s is

.. math:: F \\, [\\, m(t) \\, (1 + g(t)) \\, s(t) + o(t) + \\sigma \\, n(t) \\,]

with F the flux rate from the star's magnitude, m the astrophysical signal (integrated over
the exposure), g granulation, s the residual systematics, o additive outliers (cosmic rays,
firing cadences, glitches), σ the telescope's white noise per cadence at that magnitude and
n standard normal deviates. Raw (SAP-like) flux takes the same signal and noise with the
target's flux fraction in the aperture and the raw systematics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import lfilter

from ..errors import ParameterError
from .instrument import Schedule, TimeGrid, make_schedule, no_effects, star_effects
from .noise import ar1_mean_variance, get_noise_model, granulation_at_cadence
from .population import (
    CLASSES,
    NEGATIVE_FRACTIONS,
    allocate,
    draw_background_binary,
    draw_delta_scuti,
    draw_eclipsing_binary,
    draw_gamma_dor,
    draw_host_snr,
    draw_planet_for_snr,
    draw_rr_lyrae,
    draw_single_event,
    draw_spots,
    n_transits_observed,
)
from .signals import BackgroundBinarySignal, CompositeSignal, Signal
from .stars import StarPopulation, draw_class_star, draw_stars
from .truth import Truth

__all__ = ["SetPlan", "SimulatedSet", "plan_classes", "plan_set", "simulate_stars"]

#: First simulated catalogue number per telescope: ranges no real KIC, EPIC or TIC uses.
ID_BASE: dict[str, int] = {"Kepler": 90_000_000, "K2": 299_000_000, "TESS": 9_000_000_000}
_PREFIX = {"Kepler": "KIC", "K2": "EPIC", "TESS": "TIC"}


def plan_classes(
    n: int,
    n_hosts: int,
    rng: np.random.Generator,
    *,
    hosts_first: bool = True,
    fractions: dict[str, float] | None = None,
) -> list[str]:
    """Classes of ``n`` stars: ``n_hosts`` planets and the rest in :data:`NEGATIVE_FRACTIONS`.

    With ``hosts_first`` the hosts come first (as in the Kaggle tables) and the others in
    random order; otherwise all are shuffled.

    Raises
    ------
    ParameterError
        ``n_hosts`` outside 0…n, or an unknown class in ``fractions``.
    """
    if not 0 <= n_hosts <= n:
        raise ParameterError(f"n_hosts must be between 0 and n = {n}; got {n_hosts}")
    fractions = dict(NEGATIVE_FRACTIONS if fractions is None else fractions)
    unknown = set(fractions) - set(CLASSES) | ({"planet"} & set(fractions))
    if unknown:
        raise ParameterError(
            f"unknown non-host classes {sorted(unknown)}; known: {', '.join(c for c in CLASSES if c != 'planet')}"
        )
    counts = allocate(n - n_hosts, fractions)
    others = [c for c, k in counts.items() for _ in range(k)]
    others = [others[i] for i in rng.permutation(len(others))]
    if hosts_first:
        return ["planet"] * n_hosts + others
    allc = ["planet"] * n_hosts + others
    return [allc[i] for i in rng.permutation(n)]


@dataclass
class SetPlan:
    """Everything fixed about a simulated set before its light curves are made.

    Attributes
    ----------
    grid : TimeGrid
    classes : list of str
    population : StarPopulation
    host_snr : ndarray
        Target SNR of each star (NaN for non-hosts).
    schedule : Schedule
    star_seeds : list of numpy.random.SeedSequence
    ids : ndarray of int
        Simulated catalogue numbers (KIC / EPIC / TIC-like, in unused ranges).
    """

    grid: TimeGrid
    classes: list[str]
    population: StarPopulation
    host_snr: np.ndarray
    schedule: Schedule
    star_seeds: list[np.random.SeedSequence]
    ids: np.ndarray

    def __len__(self) -> int:
        return len(self.classes)


def plan_set(
    grid: TimeGrid,
    n: int,
    n_hosts: int,
    seed: int | np.random.SeedSequence,
    *,
    schedule: Schedule | None = None,
    hosts_first: bool = True,
    id_offset: int = 0,
    classes: Sequence[str] | None = None,
) -> SetPlan:
    """Plan a set of ``n`` stars with ``n_hosts`` planet hosts on ``grid``.

    Parameters
    ----------
    grid : TimeGrid
    n, n_hosts : int
    seed : int or SeedSequence
    schedule : Schedule, optional
        Spacecraft-wide events to share with another set (e.g. train and test of one
        campaign); drawn from ``seed`` when not given.
    hosts_first : bool
        Hosts in the first rows (the Kaggle tables' order).
    id_offset : int
        Added to the simulated catalogue numbers (keeps two sets' ids apart).
    classes : sequence of str, optional
        Use these classes instead of drawing them (``n`` and ``n_hosts`` must agree).
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    s_classes, s_pop, s_sched, s_stars = ss.spawn(4)
    rng = np.random.default_rng(s_classes)
    if classes is None:
        cls = plan_classes(n, n_hosts, rng, hosts_first=hosts_first)
    else:
        cls = list(classes)
        bad = sorted(set(cls) - set(CLASSES))
        if bad or len(cls) != n:
            raise ParameterError(f"classes must be {n} names from {', '.join(CLASSES)}; got {len(cls)} with unknown {bad}")
    hosts = [i for i, c in enumerate(cls) if c == "planet"]
    snr = np.full(n, np.nan)
    snr[hosts] = draw_host_snr(len(hosts), rng)
    pop = draw_stars(n, grid.mission, np.random.default_rng(s_pop))
    if schedule is None:
        schedule = make_schedule(grid, np.random.default_rng(s_sched))
    ids = ID_BASE[grid.mission] + id_offset + 1 + np.arange(n, dtype=np.int64)
    return SetPlan(grid, cls, pop, snr, schedule, s_stars.spawn(n), ids)


@dataclass
class SimulatedSet:
    """Light curves of a range of a planned set's stars (rows = stars, columns = cadences).

    Attributes
    ----------
    grid : TimeGrid
    rows : ndarray of int
        Indices of these stars in the plan.
    classes : list of str
    pdcsap, pdcsap_err : ndarray
        Corrected flux and its error [e⁻/s]; NaN where data are lost.
    sap, sap_err, sap_bkg, sap_bkg_err, centroid_col, centroid_row : ndarray or None
        Raw flux, background [e⁻/s] and flux-weighted centroids [pixel] (``detail=True``).
    quality : ndarray of int32 or None
        QUALITY flags (``detail=True``).
    truths : list of Truth
    signals : list of Signal or None
        The astrophysical signal of each star (None for quiet and systematics stars).
    """

    grid: TimeGrid
    rows: np.ndarray
    classes: list[str]
    pdcsap: np.ndarray
    pdcsap_err: np.ndarray
    truths: list[Truth]
    signals: list[Signal | None]
    quality: np.ndarray | None = None
    sap: np.ndarray | None = None
    sap_err: np.ndarray | None = None
    sap_bkg: np.ndarray | None = None
    sap_bkg_err: np.ndarray | None = None
    centroid_col: np.ndarray | None = None
    centroid_row: np.ndarray | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)


def _noise_over(sigma: float, gsig: float, phi: float, cadence_days: float) -> Callable[[float], float]:
    def f(duration_days: float) -> float:
        nn = max(duration_days / cadence_days, 1.0)
        return math.sqrt(sigma**2 / nn + gsig**2 * float(ar1_mean_variance(nn, phi)))

    return f


def _signal_for(
    cls: str, i: int, plan: SetPlan, rng: np.random.Generator, noise_over: Callable[[float], float]
) -> tuple[Signal | None, Truth]:
    grid = plan.grid
    t = grid.time_bjd
    t0, t1 = float(t[0]), float(t[-1])
    pop = plan.population
    extra = Truth()
    if cls in ("delta_scuti", "gamma_dor", "rr_lyrae"):
        pop.set_star(i, *draw_class_star(cls, rng))
    star = pop.star(i)
    if cls == "planet":
        planet, snr, n_tr = draw_planet_for_snr(star, rng, float(plan.host_snr[i]), noise_over, t, grid.cadence_days)
        extra.update(snr=snr, n_transits=n_tr)
        if rng.random() < 0.3:
            spots = draw_spots(rng, t0, amplitude_range=(2e-4, 3e-3))
            return CompositeSignal((planet, spots)), extra
        return planet, extra
    if cls == "quiet" or cls == "systematics":
        return None, extra
    if cls == "spotted":
        return draw_spots(rng, t0), extra
    if cls == "eclipsing_binary":
        eb = draw_eclipsing_binary(star, rng, t0, t1)
        times = eb.transit_times(t0, t1)
        extra["n_transits"] = n_transits_observed(times, eb.duration_days, t, grid.cadence_days)
        return eb, extra
    if cls == "background_eb":
        beb = draw_background_binary(grid.mission, rng, t0, t1)
        times = beb.transit_times(t0, t1)
        extra["n_transits"] = n_transits_observed(times, beb.binary.duration_days, t, grid.cadence_days)
        return beb, extra
    if cls == "delta_scuti":
        return draw_delta_scuti(rng, t0), extra
    if cls == "gamma_dor":
        return draw_gamma_dor(rng, t0), extra
    if cls == "rr_lyrae":
        return draw_rr_lyrae(rng, t0), extra
    if cls == "single_event":
        return draw_single_event(rng, t0, t1, noise_over), extra
    raise ParameterError(f"unknown class {cls!r}; known: {', '.join(CLASSES)}")


def _granulation(rng: np.random.Generator, n: int, sigma: float, phi: float) -> np.ndarray:
    e = rng.standard_normal(n)
    if sigma <= 0:
        return np.zeros(n)
    scale = math.sqrt(max(1.0 - phi * phi, 0.0))
    out = np.empty(n)
    out[0] = e[0]
    if n > 1:
        out[1:] = lfilter([scale], [1.0, -phi], e[1:], zi=[phi * e[0]])[0]
    return out * sigma


def simulate_stars(
    plan: SetPlan,
    start: int = 0,
    stop: int | None = None,
    *,
    detail: bool = False,
    instrument: bool = True,
    progress: Callable[[int], None] | None = None,
) -> SimulatedSet:
    """Make the light curves of stars ``start`` … ``stop − 1`` of ``plan``.

    Parameters
    ----------
    plan : SetPlan
    start, stop : int
        Range of stars (default all).
    detail : bool
        Also make raw flux, background, centroids and QUALITY flags (for FITS files).
    instrument : bool
        Add the telescope's effects (systematics, outliers, flags, gaps); False leaves
        the astrophysical signal, granulation and white noise alone.
    progress : callable, optional
        Called with 1 after each star.
    """
    n = len(plan)
    stop = n if stop is None else stop
    if not 0 <= start <= stop <= n:
        raise ParameterError(f"star range {start}:{stop} is outside the plan's {n} stars")
    grid = plan.grid
    t = grid.time_bjd
    ncad = len(t)
    cad = grid.cadence_days
    nm = get_noise_model(grid.mission)
    rows = np.arange(start, stop)
    k = len(rows)
    pdc = np.empty((k, ncad))
    pdc_err = np.empty((k, ncad))
    if detail:
        sap, sap_err, bkg, bkg_err = (np.empty((k, ncad)) for _ in range(4))
        quality = np.empty((k, ncad), dtype=np.int32)
        ccol, crow = np.empty((k, ncad)), np.empty((k, ncad))
        flfrcsap, crowdsap = np.empty(k), np.empty(k)
    truths: list[Truth] = []
    signals: list[Signal | None] = []
    pop = plan.population
    prefix = _PREFIX[grid.mission]
    for j, i in enumerate(rows):
        rng = np.random.default_rng(plan.star_seeds[i])
        cls = plan.classes[i]
        # pulsator stars get their own parameters first (they change the noise-free star)
        sigma0 = float(nm.sigma(pop.mag[i], grid.cadence_minutes))
        gs0, phi0 = granulation_at_cadence(pop.gran_sigma_ppm[i], pop.gran_tau_minutes[i], grid.cadence_minutes)
        noise_over = _noise_over(sigma0, float(gs0) * 1e-6, float(phi0), cad)
        signal, extra = _signal_for(cls, int(i), plan, rng, noise_over)
        g_arr, phi_arr = granulation_at_cadence(pop.gran_sigma_ppm[i], pop.gran_tau_minutes[i], grid.cadence_minutes)
        gsig, phi = float(g_arr) * 1e-6, float(phi_arr)
        sigma = sigma0
        noise_over = _noise_over(sigma, gsig, phi, cad)
        flux = float(nm.flux_rate(pop.mag[i]))
        model = np.ones(ncad) if signal is None else signal.relative_flux(t, cad)
        gran = _granulation(rng, ncad, gsig, phi)
        if instrument:
            eff = star_effects(grid, plan.schedule, rng, sigma, systematics=(cls == "systematics"),
                               mag=float(pop.mag[i]))
        else:
            eff = no_effects(ncad)
        white = rng.standard_normal(ncad)
        astro = model * (1.0 + gran)
        row = flux * (astro * eff.pdc + eff.outliers + sigma * white)
        row[eff.nan] = np.nan
        pdc[j] = row
        pdc_err[j] = flux * sigma
        if detail:
            ffrac = float(rng.uniform(0.75, 0.95))
            flfrcsap[j], crowdsap[j] = ffrac, float(rng.uniform(0.95, 1.0))
            sky = float(nm.aperture(pop.mag[i])[1])
            s_noise = sigma / math.sqrt(ffrac)
            sap[j] = flux * ffrac * (astro * eff.sap + eff.outliers + s_noise * white)
            sap_err[j] = flux * ffrac * s_noise
            sap[j][eff.nan & (rng.random(ncad) < 0.5)] = np.nan
            bkg[j] = sky + flux * eff.background + math.sqrt(sky * 60.0) / 60.0 * rng.standard_normal(ncad)
            bkg_err[j] = math.sqrt(sky * 60.0) / 60.0
            quality[j] = eff.quality
            col0, row0 = rng.uniform(20.0, 1000.0, 2)
            jitter = 0.002 * rng.standard_normal((2, ncad))
            dc = jitter[0] + 0.01 * plan.schedule.x
            dr = jitter[1] - 0.005 * plan.schedule.x
            if plan.schedule.roll_phase is not None:  # K2: the star slides along the roll arc
                dc = dc + 0.8 * (plan.schedule.roll_phase - 0.5)
                dr = dr + 0.25 * (plan.schedule.roll_phase - 0.5)
            dc = dc + 0.05 * plan.schedule.dump * rng.standard_normal(ncad)
            if isinstance(signal, BackgroundBinarySignal):
                shift = signal.centroid_shift(t, cad)
                angle = rng.uniform(0, 2 * np.pi)
                dc = dc + (shift - float(np.median(shift))) * math.cos(angle)
                dr = dr + (shift - float(np.median(shift))) * math.sin(angle)
            ccol[j], crow[j] = col0 + dc, row0 + dr
        truth = Truth(row=int(i), label=2 if cls == "planet" else 1, **{"class": cls},
                      star_id=int(plan.ids[i]), object=f"{prefix} {int(plan.ids[i])}", mission=grid.mission)
        truth.update(pop.truth(int(i)))
        truth.update(flux_e_per_s=flux, noise_ppm=math.sqrt(sigma**2 + gsig**2) * 1e6,
                     cdpp_6p5h_ppm=noise_over(6.5 / 24.0) * 1e6)
        if signal is not None:
            for key, value in signal.truth().items():
                truth.setdefault(key, value)
        truth.update(extra)
        truth.update(eff.truth)
        truths.append(truth)
        signals.append(signal)
        if progress is not None:
            progress(1)
    out = SimulatedSet(grid, rows, [plan.classes[i] for i in rows], pdc, pdc_err, truths, signals)
    if detail:
        out.quality, out.sap, out.sap_err = quality, sap, sap_err
        out.sap_bkg, out.sap_bkg_err, out.centroid_col, out.centroid_row = bkg, bkg_err, ccol, crow
        out.extra.update(flfrcsap=flfrcsap, crowdsap=crowdsap)
    return out

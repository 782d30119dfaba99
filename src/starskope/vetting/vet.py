"""Vet a transit candidate: measure what a human vetter would check, in physical units.

:func:`vet` takes a cleaned (detrended) light curve and a
:class:`~starskope.search.candidate.TransitCandidate` — from the search, a catalogue
ephemeris (:func:`starskope.stars.dr24_tces`) or a user — and returns a
:class:`~starskope.vetting.report.VettingReport`: one :class:`Diagnostic` per test with
its value, unit, threshold, verdict and reason, and Robovetter-style flags
(Thompson et al. 2018; Coughlin et al. 2016):

==========================  ==============================================================
``NOT_TRANSIT_LIKE``        no significant dip at the ephemeris; the dip is not unique in
                            phase (model-shift test); brightenings as strong as the dip;
                            or one event carries most of the signal
``SIGNIFICANT_SECONDARY``   a dip near phase 0.3–0.7 deeper than a planet's reflected
                            light plus thermal emission can make
``CENTROID_OFFSET``         the flux-weighted centroid moves in transit, and the implied
                            source lies ≥ 1 pixel from the light centroid
``EPHEMERIS_MATCH``         matches a known EB, a known object on another nearby star, or
                            is a harmonic of a stronger candidate in the same star
``ODD_EVEN``                odd and even transit depths differ (true period 2P)
``V_SHAPED``                a V-shaped trapezoid fits better than any flat-bottomed one
``TOO_LARGE``               implied radius above 2 R_Jup
``DENSITY_MISMATCH``        duration too long for the given star, or implied stellar
                            density off by more than a factor 5 (Seager & Mallén-Ornelas 2003)
==========================  ==============================================================

Each test is a diagnostic registered by name (:data:`~starskope.vetting.diagnostics.DIAGNOSTICS`);
:func:`vet` prepares what they share (:func:`~starskope.vetting.context.prepare`), runs them
in a fixed order, and keeps the first reason given for each flag.

All significances use a noise level that includes correlated noise: the white
per-point scatter times a red-noise factor measured from box depths at phases away
from the transit, or the scatter between individual transits, whichever is larger.

The depth (ppm) is the largest flux decrement of a quadratic limb-darkened transit
model (``batman``; coefficients per telescope band, :data:`LIMB_DARKENING`) fitted by
least squares to the cadences around the transits at the fixed period: free R_p/R★,
impact parameter, T14, a small epoch shift and the baseline. A flat-bottomed
trapezoid, which also gives the shape tests, duration and epoch, sits a few percent
below the limb-darkened centre; its depth stays in ``depth_trapezoid`` and replaces
the fitted one when the transit fit fails or fits worse.

Vetting looks nothing up: the caller passes the star's parameters (``stellar=``, e.g.
from :func:`starskope.stars.get_stellar_properties`) and the known signals of the star
and its neighbours (``known=``, e.g. :func:`starskope.stars.known_ephemerides`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from .. import limits
from ..errors import ParameterError
from ..scatter import robust_std
from ..search.candidate import TransitCandidate
from ..search.folding import time_from_transit
from . import difference as _difference  # noqa: F401  (registers the difference-image diagnostic)
from .context import prepare
from .data import VettingData, vetting_data
from .diagnostics import DIAGNOSTIC_ORDER, DIAGNOSTICS
from .known import KnownSignal
from .report import Flag, VettingReport
from .stellar import HostStar

__all__ = ["LIMB_DARKENING", "THRESHOLDS", "VettingData", "vet", "vet_many", "vetting_data"]

#: Default thresholds of the flags; override any of them with ``vet(..., thresholds={...})``.
THRESHOLDS: dict[str, float] = {
    "min_depth_sigma": 3.0,  # depth significance below which there is no dip
    "uniqueness_sigma": 0.0,  # extra margin over the false-alarm level √2·erfc⁻¹(T14/P) (Robovetter MS2/MS3)
    "single_event_fraction": 0.8,  # largest share of SNR² one event may carry (≥ 3 events)
    "odd_even_sigma": 3.0,
    "secondary_sigma": 3.0,
    "v_shape_dchi2": 9.0,  # Δχ² (red-noise scaled) by which V must beat flat-bottomed
    "ttv_sigma": 5.0,  # transit times off a linear ephemeris by this much: fit the shape on them aligned
    "max_radius_rjup": 2.0,
    "duration_ratio_max": 1.5,  # measured / central-transit T14 for the given star
    "density_ratio_max": 5.0,  # implied / given density, either way
    "density_min_snr": 15.0,  # shape-based density used for the flag only above this SNR
    "centroid_sigma": 3.0,
    "centroid_offset_pixels": 1.0,
    "difference_image_sigma": 3.0,  # difference-image offset significance (with pixels)
    "difference_image_offset_pixels": 0.5,  # and at least this far from the target (2″ for Kepler)
    "difference_image_min_snr": 5.0,  # the dip must show in the stacked difference at this SNR
    "ephemeris_period_tolerance": 1e-3,
    "harmonic_tolerance": 2e-3,
    "clip_sigma": 3.5,  # cadences this far above the median are left out (flares)
    "sine_dchi2": 0.0,  # a transit must fit better than a two-harmonic sine wave
}

#: Quadratic limb-darkening coefficients (u1, u2) of the transit fit, per telescope band:
#: approximate values for a Sun-like star (Teff ≈ 5750 K, log g ≈ 4.5, solar
#: metallicity) in the Kepler/K2 band (Claret & Bloemen 2011) and the redder TESS band
#: (Claret 2017); ``"default"`` when the telescope is unknown. Override per call with
#: ``vet(..., limb_darkening=(u1, u2))``. The fit leaves R_p/R★, b and T14 free, so
#: the measured depth depends little on them.
LIMB_DARKENING: dict[str, tuple[float, float]] = {
    "kepler": (0.40, 0.26),
    "k2": (0.40, 0.26),
    "tess": (0.33, 0.23),
    "default": (0.40, 0.26),
}

_NAN_STELLAR_ROW = {"stellar_radius_rsun": np.nan, "stellar_mass_msun": np.nan, "stellar_teff_k": np.nan,
                    "stellar_logg_cgs": np.nan, "stellar_density_gcc": np.nan}


# --------------------------------------------------------------------------- arguments


def _refuse_lookups(stellar: Any, catalog_match: bool | None) -> None:
    """Vetting looks nothing up; say so, and where the look-ups live now."""
    if isinstance(stellar, str) and stellar == "auto":
        raise ParameterError(
            "stellar='auto': vet no longer looks the star up; look it up first with "
            "starskope.stars.get_stellar_properties(target) and pass the result as stellar="
        )
    # catalog_match= is kept as a keyword only to answer old calls with this message
    if catalog_match is not None:
        raise ParameterError(
            f"catalog_match={catalog_match!r}: vet no longer searches the catalogues; look the known signals up "
            "with starskope.stars.known_ephemerides(target, ra_deg=..., dec_deg=...) and pass them as known= "
            "(known=None, the default, compares with none)"
        )


def _thresholds(thresholds: Mapping[str, float] | None) -> dict[str, float]:
    th = dict(THRESHOLDS)
    if thresholds:
        unknown = set(thresholds) - set(THRESHOLDS)
        if unknown:
            raise ParameterError(f"unknown threshold(s) {sorted(unknown)}; known: {', '.join(THRESHOLDS)}")
        th.update({k: float(v) for k, v in thresholds.items()})
    return th


def _diagnostic_names(diagnostics: str | Iterable[str] | None) -> list[str]:
    """The diagnostics to run, in :data:`DIAGNOSTIC_ORDER` (an unknown name is an error)."""
    if diagnostics is None:
        return list(DIAGNOSTIC_ORDER)
    asked = [diagnostics] if isinstance(diagnostics, str) else list(diagnostics)
    chosen = set()
    for name in asked:
        DIAGNOSTICS.get(name)  # UnknownNameError listing the known ones
        chosen.add(name.lower())
    return [name for name in DIAGNOSTIC_ORDER if name in chosen]


def _limb_darkening(value: Any, mission: str | None) -> tuple[float, float]:
    """(u1, u2) given by the caller, or the telescope band's default."""
    if value is None:
        return LIMB_DARKENING.get((mission or "").lower(), LIMB_DARKENING["default"])
    try:
        u1, u2 = (float(x) for x in value)
    except (TypeError, ValueError):
        raise ParameterError(f"limb_darkening must be a pair of numbers (u1, u2); got {value!r}") from None
    if not (np.isfinite(u1) and np.isfinite(u2) and u1 >= 0 and u1 + u2 <= 1 and u1 + 2 * u2 >= 0):
        raise ParameterError(
            "limb_darkening (u1, u2) must satisfy u1 ≥ 0, u1 + u2 ≤ 1 and u1 + 2·u2 ≥ 0 (a positive intensity "
            f"that falls towards the limb); got ({u1:g}, {u2:g})"
        )
    return u1, u2


# --------------------------------------------------------------------------- cadences left out


def _keep(d: VettingData, keep: np.ndarray) -> VettingData:
    return replace(
        d, time=d.time[keep], flux=d.flux[keep],
        centroid_col=None if d.centroid_col is None else d.centroid_col[keep],
        centroid_row=None if d.centroid_row is None else d.centroid_row[keep],
    )


def _clip_upward(d: VettingData, nsigma: float) -> tuple[VettingData, int]:
    """Drop cadences more than ``nsigma`` robust σ above the median (flares, cosmic
    rays): a transit only ever dims the star, so this never removes one."""
    med = float(np.median(d.flux))
    s = robust_std(d.flux, min_count=3)
    if not (np.isfinite(s) and s > 0):
        return d, 0
    keep = d.flux <= med + nsigma * s
    if keep.all() or keep.sum() < 20:
        return d, 0
    return _keep(d, keep), int((~keep).sum())


def _mask_others(d: VettingData, cand: TransitCandidate,
                 others: Sequence[TransitCandidate]) -> tuple[VettingData, tuple[int, int] | None]:
    """Leave out the cadences in transit of the other candidates (so their dips do not
    pose as secondaries, alternate dips or non-unique events), except candidates that
    share most of this one's transits (harmonics: they are the same signal)."""
    if not others:
        return d, None
    t = d.time
    own = np.abs(time_from_transit(t, cand.period_days, cand.epoch_bjd)) < 0.5 * cand.duration_days
    keep = np.ones(t.size, bool)
    n_other = 0
    for o in others:
        if o is cand or not isinstance(o, TransitCandidate):
            continue
        if (abs(o.period_days / cand.period_days - 1) < 1e-3
                and abs(time_from_transit(np.array([o.epoch_bjd]), cand.period_days, cand.epoch_bjd)[0])
                < cand.duration_days):
            continue  # the same signal
        inside = np.abs(time_from_transit(t, o.period_days, o.epoch_bjd)) < o.duration_days
        if own.any() and (inside & own).sum() > 0.5 * own.sum():
            continue  # a harmonic: masking it would remove this signal too
        if inside.any():
            keep &= ~inside
            n_other += 1
    if keep.all() or keep.sum() < 20:
        return d, None
    return _keep(d, keep), (int((~keep).sum()), n_other)


# --------------------------------------------------------------------------- vet


def vet(
    data: Any,
    candidate: TransitCandidate,
    *,
    stellar: Any = None,
    known: Sequence[Any] | None = None,
    others: Sequence[TransitCandidate] = (),
    target: str | None = None,
    mission: str | None = None,
    thresholds: Mapping[str, float] | None = None,
    limb_darkening: tuple[float, float] | None = None,
    fit_transit: bool = True,
    diagnostics: str | Iterable[str] | None = None,
    catalog_match: bool | None = None,
    pixels: Any = None,
    neighbours: Sequence[Any] | None = None,
) -> VettingReport:
    """Measure the vetting diagnostics of one candidate and raise false-positive flags.

    Parameters
    ----------
    data : lightkurve.LightCurve, LightCurveArrays, VettingData, tuple or mapping
        The cleaned, detrended light curve (flux in any positive unit; it is divided by
        its median). Centroid columns ``centroid_col`` / ``centroid_row`` are used when
        present.
    candidate : TransitCandidate
        Period, epoch (BJD_TDB) and duration to vet; depth is re-measured.
    stellar : StellarProperties, HostStar, mapping, object or None
        Stellar radius, mass (or log g), Teff, density: anything
        :meth:`HostStar.from_value <starskope.vetting.stellar.HostStar.from_value>`
        reads, e.g. ``starskope.stars.get_stellar_properties(target)``. None (default)
        means unknown: the radius, density and duration tests are then neutral.
    known : sequence, optional
        Known periodic signals of this star and its neighbours (objects with ``name``,
        ``kind``, ``period_days``, ``epoch_bjd``, optionally ``star``, ``ra_deg``,
        ``dec_deg``, ``same_star``; e.g. ``starskope.stars.known_ephemerides(target,
        ra_deg=..., dec_deg=...)``) for the ephemeris-match test. None (default): not
        looked up, and without ``others`` the report has no ``ephemeris_match`` line; a
        sequence, even empty, is compared and the line says what matched.
    others : sequence of TransitCandidate
        Other candidates in the same star (e.g. from the same search), to recognise
        harmonics and to leave their transits out.
    target : str, optional
        Star name (``"KIC 11442793"``); default from the light curve's meta.
    mission : str, optional
        ``"Kepler"``, ``"K2"`` or ``"TESS"``; default from the meta. Sets the pixel scale
        and the band used for the planetary secondary-eclipse limit.
    thresholds : mapping, optional
        Overrides of :data:`THRESHOLDS`.
    limb_darkening : (float, float), optional
        Quadratic limb-darkening coefficients (u1, u2) of the transit fit; default the
        telescope band's (:data:`LIMB_DARKENING`).
    fit_transit : bool
        Fit the limb-darkened transit model for the depth (default). False keeps the
        trapezoid fit's depth (biased ~3 % low against limb-darkened transits) and
        saves 5–25 ms per candidate on a 3197-cadence light curve (batch screening;
        vetting then takes ~7–10 ms instead of ~18–23 ms, single thread).
    diagnostics : str or sequence of str, optional
        Names in :data:`~starskope.vetting.diagnostics.DIAGNOSTICS` to run (always in
        :data:`~starskope.vetting.diagnostics.DIAGNOSTIC_ORDER`); None (default) runs all.
    catalog_match : bool, optional
        No longer accepted (any value is an error that says where the look-up went).
    pixels : PixelSeries, optional
        The star's pixels (:func:`starskope.pixels.read_pixels`): the ``difference_image``
        diagnostic then locates the dip's source on the sky (``CENTROID_OFFSET``), and the
        report's ``products['difference_image']`` holds the images.
    neighbours : sequence, optional
        Catalogued stars on the pixel stamp (:func:`starskope.pixels.neighbours_from`), to
        say which one a dip off the target points to.

    Returns
    -------
    VettingReport
        The refined candidate's depth (and the ``depth`` diagnostic, ppm) is the
        largest flux decrement of a fitted limb-darkened transit (batman, quadratic
        law, at the fixed period), i.e. the model's mid-transit depth before exposure
        smoothing; when that fit does not converge, the trapezoid fit's depth, and
        without a significant trapezoid, the mean in-transit decrement. The trapezoid
        depth is always in ``depth_trapezoid``; the transit fit in ``rp_over_rstar``.

    Raises
    ------
    ParameterError
        A candidate that is not a TransitCandidate, an unknown threshold name,
        ``stellar='auto'`` or any ``catalog_match`` (look-ups are the caller's), stellar
        values or known signals that cannot be read, limb-darkening coefficients that are
        not a physical pair, data of an unknown kind, or an ephemeris no transit can have
        (:mod:`starskope.limits`: P/T14 above 10⁵, an epoch too far from the data).
    UnknownNameError
        An unknown diagnostic name (the message lists the known ones).
    LightCurveDataError
        Too few finite cadences, arrays of different lengths, time not increasing,
        non-positive flux, or no cadence within the candidate's transits.
    TimeSystemError
        Plain-array times that look like a mission day count instead of BJD.
    """
    if not isinstance(candidate, TransitCandidate):
        raise ParameterError(f"candidate must be a TransitCandidate; got {type(candidate).__name__}")
    _refuse_lookups(stellar, catalog_match)
    th = _thresholds(thresholds)
    names = _diagnostic_names(diagnostics)
    d = vetting_data(data, mission=mission, target=target)
    # before any array sized by the ephemeris (the phase scan has 4 P / T14 bins)
    limits.check_period_and_duration(candidate.period_days, candidate.duration_hours)
    limits.check_epoch_near_data(candidate.epoch_bjd, float(d.time[0]), float(d.time[-1]),
                                 candidate.duration_hours)
    u1, u2 = _limb_darkening(limb_darkening, d.mission)
    star = HostStar.from_value(stellar)
    known_signals = None if known is None else tuple(KnownSignal.from_object(k) for k in known)
    d, masked = _mask_others(d, candidate, others)
    d, n_clipped = _clip_upward(d, th["clip_sigma"])
    ctx = prepare(d, candidate, others=others, known=known_signals, star=star, th=th, u1=u1, u2=u2,
                  fit_transit=fit_transit, masked=masked, n_clipped=n_clipped)
    if pixels is not None:
        from ..pixels import neighbours_from

        ctx.pixels = pixels
        ctx.pixel_neighbours = tuple(neighbours_from(pixels, neighbours))
    lines = []
    flags: list[Flag] = []
    products: dict[str, Any] = {}
    for name in names:
        found = DIAGNOSTICS.get(name)(ctx)
        products.update(found.products)
        lines.extend(found.diagnostics)
        for f in found.flags:
            if f.name not in [g.name for g in flags]:  # the first reason for a flag is kept
                flags.append(f)
    refined = candidate.with_(
        epoch=Time(ctx.epoch_r, format="jd", scale="tdb"),
        duration=ctx.dur * 24 * u.hour,
        depth=ctx.depth * u.dimensionless_unscaled,
        depth_err=ctx.depth_err * u.dimensionless_unscaled,
        snr=float(ctx.snr),
        n_transits=int(ctx.n_obs),
    )
    stellar_row = star.as_row() if star is not None else dict(_NAN_STELLAR_ROW)
    return VettingReport(refined, lines, flags, d.target or "", stellar_row, products)


def vet_many(data: Any, candidates: Sequence[TransitCandidate], **kwargs: Any) -> list[VettingReport]:
    """Vet several candidates of one star; each sees the others (harmonic check).

    Parameters
    ----------
    data : light curve or arrays
        As for :func:`vet`.
    candidates : sequence of TransitCandidate
        Strongest first (as the search returns them).
    **kwargs
        Passed to :func:`vet` (``stellar``, ``known``, ``target``, ``thresholds``, ...).

    Returns
    -------
    list of VettingReport
    """
    if "others" in kwargs:
        raise ParameterError("vet_many passes each candidate the others itself; do not give 'others'")
    _refuse_lookups(kwargs.get("stellar"), kwargs.get("catalog_match"))
    cands = list(candidates)
    vd = vetting_data(data, mission=kwargs.pop("mission", None), target=kwargs.pop("target", None))
    stellar = HostStar.from_value(kwargs.pop("stellar", None))
    known = kwargs.pop("known", None)
    known = None if known is None else tuple(KnownSignal.from_object(k) for k in known)
    return [vet(vd, c, stellar=stellar, known=known, others=cands, **kwargs) for c in cands]

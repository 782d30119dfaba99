"""Physical limits on the ephemeris and detection parameters a user may give.

Plain Python on floats (no NumPy, no astropy), so that the command line can refuse an
absurd value at once, before it reads a file, and the library entry points
(:func:`starskope.vetting.vet`, :func:`starskope.search.search_transits`) apply the same
rules to Python callers. Each check raises a one-line
:class:`~starskope.errors.ParameterError` naming the argument, the rule and the value.

The rules
---------
* **Period against duration.** For a transit of impact parameter *b* and radius ratio
  *k*, ``P / T14 ≈ π (a/R★) / √((1+k)² − b²)``. :data:`MAX_PERIOD_OVER_DURATION`
  (10⁵) corresponds to a central transit across a Sun-like star from about 300 AU
  (P ≈ 5000 yr), well beyond any orbit whose transit can be observed. It also bounds
  the work of vetting, whose phase scan has ``4 P / T14`` bins: 10⁵ keeps it under a
  few MiB, where ``--period 1e9`` with a 2.8-hour transit asked for 228 GiB.
* **Epoch against the data.** A transit predicted ``Δt`` days from its reference epoch
  is uncertain by at least ``Δt · δ``, with ``δ`` the relative precision of the period.
  :data:`BEST_PERIOD_PRECISION` (10⁻⁸) is better than that of the best-measured
  transiting planets; an epoch farther from the light curve than ``T14 / δ`` cannot
  place a transit in the data to within its own duration (for T14 = 3 h: 34 000 years).
* **Detection threshold.** An SNR threshold is a positive, finite number of σ (0, to
  report the strongest peak whatever its strength, where the library allows it).
"""

from __future__ import annotations

import math

from .errors import ParameterError

__all__ = [
    "BEST_PERIOD_PRECISION",
    "MAX_PERIOD_OVER_DURATION",
    "check_epoch_near_data",
    "check_period_and_duration",
    "check_snr_threshold",
]

#: Largest orbital period, in transit durations, that a transit can have (see module notes).
MAX_PERIOD_OVER_DURATION = 1.0e5

#: Relative period precision better than any measured transiting planet's.
BEST_PERIOD_PRECISION = 1.0e-8


def _finite_positive(value: float, name: str, unit: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number of {unit}; got {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise ParameterError(f"{name} must be positive and finite; got {value!r} {unit}")
    return v


def check_period_and_duration(period_days: float, duration_hours: float, *,
                              period_name: str = "period", duration_name: str = "duration") -> None:
    """Refuse a period and duration that no transit can have.

    Parameters
    ----------
    period_days : float
        Orbital period, days.
    duration_hours : float
        Total transit duration T14, hours.
    period_name, duration_name : str
        How the caller calls them (``"--period"`` on the command line).

    Raises
    ------
    ParameterError
        A period or duration that is not positive and finite, a duration as long as the
        period, or a period longer than :data:`MAX_PERIOD_OVER_DURATION` durations.
    """
    p = _finite_positive(period_days, period_name, "days")
    d_h = _finite_positive(duration_hours, duration_name, "hours")
    d = d_h / 24.0
    if d >= p:
        raise ParameterError(
            f"{duration_name} {d_h:g} h must be shorter than the {period_name} {p:g} d ({p * 24:g} h)"
        )
    if p / d > MAX_PERIOD_OVER_DURATION:
        raise ParameterError(
            f"{period_name} {p:g} d is {p / d:.3g} transit durations ({duration_name} {d_h:g} h); "
            f"no transiting orbit has P/T14 above {MAX_PERIOD_OVER_DURATION:.0e} "
            f"(so at most {MAX_PERIOD_OVER_DURATION * d:.4g} d for this duration); check the units "
            "(period in days, duration in hours)"
        )


def check_epoch_near_data(epoch_bjd: float, start_bjd: float, end_bjd: float, duration_hours: float, *,
                          epoch_name: str = "epoch") -> None:
    """Refuse a reference epoch too far from the light curve to predict its transits.

    Parameters
    ----------
    epoch_bjd : float
        Mid-transit reference time, BJD_TDB.
    start_bjd, end_bjd : float
        First and last time of the light curve, BJD_TDB.
    duration_hours : float
        Total transit duration T14, hours.
    epoch_name : str
        How the caller calls the epoch.

    Raises
    ------
    ParameterError
        An epoch that is not finite, or farther from the light curve than
        ``T14 / BEST_PERIOD_PRECISION``.
    """
    t0 = float(epoch_bjd)
    if not math.isfinite(t0):
        raise ParameterError(f"{epoch_name} must be a finite BJD_TDB; got {epoch_bjd!r}")
    distance = max(float(start_bjd) - t0, t0 - float(end_bjd), 0.0)
    limit = float(duration_hours) / 24.0 / BEST_PERIOD_PRECISION
    if distance > limit:
        raise ParameterError(
            f"{epoch_name} BJD {t0:.6g} lies {distance:.4g} d from the light curve (BJD {start_bjd:.2f} to "
            f"{end_bjd:.2f}): even a period known to 1 part in {1 / BEST_PERIOD_PRECISION:.0e} would place "
            f"its transits there no better than the transit duration ({duration_hours:g} h); give an epoch "
            f"within {limit:.4g} d of the data"
        )


def check_snr_threshold(snr: float, *, name: str = "snr_threshold", allow_zero: bool = False) -> float:
    """A detection threshold as a positive (or, with ``allow_zero``, non-negative) finite float.

    A threshold of 0 reports the strongest peak whatever its strength, which measuring
    noise peaks needs; a user asking for detections means a positive threshold.

    Raises
    ------
    ParameterError
        A threshold that is not a finite number above 0 (at least 0 with ``allow_zero``).
    """
    try:
        v = float(snr)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number (σ); got {snr!r}") from None
    if not (math.isfinite(v) and (v >= 0 if allow_zero else v > 0)):
        rule = "a signal-to-noise ratio of at least 0" if allow_zero else "a positive signal-to-noise ratio"
        raise ParameterError(f"{name} must be {rule}; got {snr!r}")
    return v

"""The transit candidate: what a search finds and what vetting examines."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..errors import ParameterError
from ..quantities import require_positive, require_quantity

__all__ = ["TransitCandidate"]


@dataclass(frozen=True)
class TransitCandidate:
    """A periodic dip: ephemeris, depth and detection significance, with units.

    Attributes
    ----------
    period : Quantity [day]
        Orbital period.
    epoch : astropy.time.Time
        Mid-time of a transit, BJD_TDB.
    duration : Quantity [hour]
        Total transit duration (first to last contact, T14).
    depth : Quantity [dimensionless]
        Fractional flux decrement at mid-transit. In ppm: :attr:`depth_ppm`, or
        ``depth.to(starskope.physics.ppm)`` (that is ``astropy.units.cds.ppm``;
        ``astropy.units`` itself has no ppm).
    depth_err : Quantity [dimensionless]
        1-σ error of ``depth`` (NaN when unknown).
    snr : float
        Detection signal-to-noise ratio (NaN when the candidate came from a catalogue).
    n_transits : int
        Number of transits with data (0 when unknown).
    source : str
        Where the candidate came from: ``"search"``, ``"catalogue"``, ``"user"``.
    extra : dict
        Search-specific extras (power, log-likelihood, ...), floats only.
    """

    period: u.Quantity
    epoch: Time
    duration: u.Quantity
    depth: u.Quantity = field(default_factory=lambda: np.nan * u.dimensionless_unscaled)
    depth_err: u.Quantity = field(default_factory=lambda: np.nan * u.dimensionless_unscaled)
    snr: float = float("nan")
    n_transits: int = 0
    source: str = "search"
    extra: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "period", require_positive(self.period, u.day, "period"))
        object.__setattr__(self, "duration", require_positive(self.duration, u.hour, "duration"))
        object.__setattr__(self, "depth", require_quantity(self.depth, u.dimensionless_unscaled, "depth"))
        object.__setattr__(
            self, "depth_err", require_quantity(self.depth_err, u.dimensionless_unscaled, "depth_err")
        )
        if not isinstance(self.epoch, Time):
            raise ParameterError(
                f"epoch must be an astropy Time (BJD_TDB); got a bare {type(self.epoch).__name__} "
                f"{self.epoch!r}; e.g. Time(2455000.5, format='jd', scale='tdb')"
            )
        object.__setattr__(self, "epoch", self.epoch.tdb)
        if self.duration >= self.period:
            raise ParameterError(
                f"duration {self.duration:.3g} must be shorter than the period {self.period.to(u.hour):.3g}"
            )

    # Plain-float views for the numeric core and for tables.
    @property
    def period_days(self) -> float:
        return float(self.period.to_value(u.day))

    @property
    def epoch_bjd(self) -> float:
        return float(self.epoch.tdb.jd)

    @property
    def duration_days(self) -> float:
        return float(self.duration.to_value(u.day))

    @property
    def duration_hours(self) -> float:
        return float(self.duration.to_value(u.hour))

    @property
    def depth_ppm(self) -> float:
        return float(self.depth.to_value(u.dimensionless_unscaled) * 1e6)

    def with_(self, **changes: Any) -> TransitCandidate:
        """A copy with some fields changed (e.g. a refined depth)."""
        return replace(self, **changes)

    def as_row(self) -> dict[str, float | int | str]:
        """One table row: floats with the unit in the column name."""
        return {
            "period_days": self.period_days,
            "epoch_bjd": self.epoch_bjd,
            "duration_hours": self.duration_hours,
            "depth_ppm": self.depth_ppm,
            "depth_err_ppm": float(self.depth_err.to_value(u.dimensionless_unscaled) * 1e6),
            "snr": float(self.snr),
            "n_transits": int(self.n_transits),
            "source": self.source,
        }

    @classmethod
    def from_ephemeris(
        cls,
        period: u.Quantity,
        epoch: Time,
        duration: u.Quantity,
        *,
        source: str = "catalogue",
        depth: u.Quantity | None = None,
    ) -> TransitCandidate:
        """A candidate known only by its ephemeris (a catalogue row, a user's guess)."""
        kwargs: dict[str, Any] = {"source": source}
        if depth is not None:
            kwargs["depth"] = depth
        return cls(period=period, epoch=epoch, duration=duration, **kwargs)

    @classmethod
    def from_floats(
        cls,
        period_days: float,
        epoch_bjd: float,
        duration_hours: float,
        depth_ppm: float = float("nan"),
        **kwargs: Any,
    ) -> TransitCandidate:
        """Build from plain floats in the documented units (for the numeric core)."""
        return cls(
            period=period_days * u.day,
            epoch=Time(epoch_bjd, format="jd", scale="tdb"),
            duration=duration_hours * u.hour,
            depth=depth_ppm * 1e-6 * u.dimensionless_unscaled,
            **kwargs,
        )

"""Truth records: every drawn parameter of a simulated star, with its unit in its name.

A :class:`Truth` is a plain ``dict`` whose keys end in a unit suffix
(``period_days``, ``depth_ppm``, ``duration_hours``, ``rp_rearth``, ``rstar_rsun``,
``teff_k``, ``epoch_bjd`` …), so a row of ``truth.csv`` is self-describing.
:meth:`Truth.quantity` turns one value back into an astropy Quantity;
:data:`TRUTH_COLUMNS` fixes the column order of ``truth.csv``.

Time stamps (``*_bjd``) are full BJD_TDB days, the package's numeric time convention.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np

from ..errors import ParameterError

__all__ = ["TRUTH_COLUMNS", "UNIT_SUFFIXES", "Truth", "write_truth_csv"]

#: Unit suffixes of truth keys and the unit each stands for (longest suffix wins).
UNIT_SUFFIXES: dict[str, u.UnitBase] = {
    "_days": u.day,
    "_hours": u.hour,
    "_minutes": u.min,
    "_ppm": u.dimensionless_unscaled * 1e-6,
    "_rearth": u.R_earth,
    "_rjup": u.R_jup,
    "_rsun": u.R_sun,
    "_msun": u.M_sun,
    "_k": u.K,
    "_mag": u.mag,
    "_deg": u.deg,
    "_bjd": u.day,
    "_e_per_s": u.electron / u.s,
    "_cgs": u.dex(u.cm / u.s**2),
    "_pix": u.pix,
    "_au": u.AU,
}

#: Column order of ``truth.csv`` (keys not listed here follow in alphabetical order).
TRUTH_COLUMNS: tuple[str, ...] = (
    "row", "split", "label", "class", "star_id", "object", "mission", "file",
    # star
    "mag", "band", "flux_e_per_s", "mstar_msun", "rstar_rsun", "teff_k", "logg_cgs",
    "u1", "u2", "noise_ppm", "cdpp_6p5h_ppm", "gran_sigma_ppm", "gran_tau_minutes",
    # the dip signal (planet, eclipsing binary, background binary, single event)
    "signal", "period_days", "epoch_bjd", "depth_ppm", "duration_hours", "impact",
    "rp_rearth", "rp_over_rstar", "a_over_rstar", "a_au", "inclination_deg",
    "snr", "n_transits", "secondary_depth_ppm", "secondary_epoch_bjd",
    "companion_mass_msun", "companion_radius_rsun", "companion_teff_k", "grazing",
    "ellipsoidal_ppm", "reflection_ppm", "dilution", "bg_depth_ppm", "bg_separation_pix",
    "event_shape",
    # stellar variability
    "spot_period_days", "spot_amplitude_ppm", "spot_lifetime_days", "spot_n",
    "puls_type", "puls_period_days", "puls_amplitude_ppm", "puls_n_modes", "puls_periods_days",
    # instrument
    "sys_kind", "sys_amplitude_ppm", "sys_time_bjd", "roll_residual_ppm", "drift_ppm",
    "segment_offset_ppm", "n_cosmic_rays", "n_flagged",
)


class Truth(dict):
    """The parameters drawn for one simulated star or one injected signal.

    A ``dict`` from unit-suffixed names to plain values (float, int, str, bool).
    """

    def quantity(self, key: str) -> u.Quantity:
        """The value of ``key`` as a Quantity in the unit its suffix names.

        Raises
        ------
        ParameterError
            ``key`` is missing, has no known unit suffix, or its value is not a number.
        """
        if key not in self:
            raise ParameterError(f"truth has no key {key!r}; keys: {', '.join(sorted(self))}")
        for suffix in sorted(UNIT_SUFFIXES, key=len, reverse=True):
            if key.endswith(suffix):
                value = self[key]
                if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                    raise ParameterError(f"truth[{key!r}] = {value!r} is not a number")
                return float(value) * UNIT_SUFFIXES[suffix]
        raise ParameterError(
            f"truth key {key!r} has no unit suffix; known suffixes: {', '.join(UNIT_SUFFIXES)}"
        )

    def prefixed(self, prefix: str) -> Truth:
        """A copy with every key prefixed (``prefix + key``)."""
        return Truth({f"{prefix}{k}": v for k, v in self.items()})


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return "" if math.isnan(v) else repr(v)
    return str(value)


def write_truth_csv(path: str | os.PathLike[str], rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write truth rows as CSV, columns in :data:`TRUTH_COLUMNS` order.

    Floats are written with ``repr`` (shortest round-trip text), missing values as
    empty cells, so the same rows always give the same bytes.
    """
    rows = list(rows)
    keys: set[str] = set()
    for r in rows:
        keys.update(r)
    columns = [c for c in TRUTH_COLUMNS if c in keys] + sorted(keys - set(TRUTH_COLUMNS))
    p = Path(path)
    with p.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_format(r.get(c)) for c in columns])
    return p

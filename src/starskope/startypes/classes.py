"""The star types starskope tells apart, and how catalogue labels map onto them."""

from __future__ import annotations

from ..errors import UnknownNameError

__all__ = ["LABEL_ALIASES", "STAR_TYPES", "STAR_TYPE_DESCRIPTIONS", "star_type_from_label"]

#: Star types in the order the classifier's probability columns use.
STAR_TYPES: tuple[str, ...] = (
    "non_variable",
    "eclipsing_binary",
    "delta_scuti",
    "gamma_dor",
    "rr_lyrae",
    "rotational",
    "planet_host",
    "other",
)

#: One line per type saying what the light curve shows.
STAR_TYPE_DESCRIPTIONS: dict[str, str] = {
    "non_variable": "no coherent variability above the noise",
    "eclipsing_binary": "periodic eclipses, often two per orbit of different depth, V- or U-shaped",
    "delta_scuti": "p-mode pulsator: many frequencies above ~5 cycles/day, mmag amplitudes",
    "gamma_dor": "g-mode pulsator: several close frequencies of 0.3-3 cycles/day",
    "rr_lyrae": "radial pulsator, P 0.2-1 d, 0.1-1 mag, steep rise and slow decline (strong harmonics)",
    "rotational": "starspots carried round by rotation: quasi-periodic, evolving, P ~ 0.5-30 d",
    "planet_host": "short, flat-bottomed, shallow transits repeating at one period",
    "other": "variable, but none of the above (stochastic/red-noise variability, flares, trends)",
}

#: Catalogue labels (manifest ``class`` column) that map onto a star type.
LABEL_ALIASES: dict[str, str] = {
    "planet_candidate": "planet_host",
    "non-variable": "non_variable",
    "eb": "eclipsing_binary",
    "dsct": "delta_scuti",
    "gdor": "gamma_dor",
    "rrl": "rr_lyrae",
    "rot": "rotational",
    "rots": "rotational",
    "spotted": "rotational",
}


def star_type_from_label(label: str) -> str:
    """The star type for a catalogue label (``'planet_candidate'`` → ``'planet_host'``).

    Raises
    ------
    UnknownNameError
        If the label is neither a star type nor a known alias.
    """
    key = label.strip().lower()
    if key in STAR_TYPES:
        return key
    if key in LABEL_ALIASES:
        return LABEL_ALIASES[key]
    raise UnknownNameError(
        f"unknown star-type label {label!r}; known star types: {', '.join(STAR_TYPES)}; "
        f"aliases: {', '.join(sorted(LABEL_ALIASES))}"
    )

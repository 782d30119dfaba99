"""One star, one item: the light-curve files of a star grouped before they are analysed.

A folder of Kepler quarters holds each star several times; analysed file by file, a
planet too shallow for one quarter is missed, and the table has a row per quarter.
:func:`group_by_star` puts the files of one star (the same target id, read from the
headers by :func:`starskope.io.identify`) into one :class:`~starskope.batch.BatchItem`,
which the worker reads as one light curve (:func:`starskope.analysis.read_star`: the
segments normalised each on its own and joined on one BJD_TDB axis).

What joins and what does not:

* the same catalogue name joins any quarters, campaigns and sectors;
* a Kepler star joins its TESS sectors when the KIC→TIC cross-match of the catalogue
  folder is configured (``$STARSKOPE_CATALOGS`` or ``catalog_dir``); without it the
  Kepler and TESS files stay two stars;
* two files of the same segment (two reductions of one K2 campaign, long and short
  cadence of one quarter) would overlap in time: the second starts another item of the
  star;
* pixel files, files whose segment is unknown (a CSV spanning several quarters) and
  files without a target id stay on their own, and so do table rows;
* a file that cannot be read but is named as an archive product (``kplr…``, ``ktwo…``,
  ``tess…``) joins its star, which is analysed from the others with a warning naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import StarskopeError
from .runner import BatchItem

__all__ = ["group_by_star", "star_name"]


def _cross_match(catalog_dir: str | Path | None) -> Mapping[int, int] | None:
    """The KIC→TIC cross-match, or None when no catalogue folder is configured."""
    from ..stars import kic_to_tic_map

    try:
        return kic_to_tic_map(catalog_dir)
    except StarskopeError:
        return None


def star_name(target_id: str, kic_to_tic: Mapping[int, int] | None = None) -> str:
    """The name that joins a star's files across telescopes: ``'TIC n'`` for a Kepler
    star the cross-match knows, else the target id as it is (``'KIC n'``, ``'EPIC n'``)."""
    catalog, _, number = target_id.partition(" ")
    if catalog == "KIC" and kic_to_tic is not None and number.isdigit():
        tic = kic_to_tic.get(int(number))
        if tic is not None:
            return f"TIC {tic}"
    return target_id


def _from_file_name(path: str) -> str | None:
    """The target an archive file name gives (``kplr002985587-…`` → ``'KIC 2985587'``)."""
    from ..io._base import target_from_filename

    found = target_from_filename(path)
    if found is None or found[0] is None:
        return None
    return f"{found[0]} {found[1]}"


def group_by_star(items: Sequence[BatchItem], *, mission: str | None = None, time_format: str | None = None,
                  catalog_dir: str | Path | None = None) -> list[BatchItem]:
    """Join the light-curve file items of each star into one item (see the module docstring).

    Parameters
    ----------
    items : sequence of BatchItem
        As :func:`~starskope.batch.collect_items` gives them.
    mission, time_format : str, optional
        For files that do not say, as in :func:`starskope.io.read`.
    catalog_dir : path, optional
        Catalogue folder holding the KIC→TIC cross-match (default ``$STARSKOPE_CATALOGS``,
        else ``$STARSKOPE_SHARED_DATA/catalogs``; without one, Kepler and TESS files are
        not joined).

    Returns
    -------
    list of BatchItem
        One item per star (several files: :meth:`BatchItem.star`), each where its first
        file was; items left alone are returned as they came.
    """
    from ..io import identify

    cross = _cross_match(catalog_dir)
    slots: list[BatchItem | str] = []  # an item kept as it is, or the name of a star's groups
    groups: dict[str, list[tuple[list[str], set[tuple[str, int]]]]] = {}
    for item in items:
        if item.is_table_chunk or item.paths:
            slots.append(item)
            continue
        try:
            found = identify(item.path, mission=mission, time_format=time_format)
            target, segment = found.target_id, (str(found.mission), found.segment)
            if found.pixels or target is None or found.segment is None:
                slots.append(item)  # analysed on its own (see the module docstring)
                continue
        except (StarskopeError, OSError):
            target, segment = _from_file_name(item.path), None  # unreadable: the worker says why
            if target is None:
                slots.append(item)
                continue
        name = star_name(target, cross)
        if name not in groups:
            groups[name] = []
            slots.append(name)
        # the first of the star's groups without this segment (two files of one segment
        # would overlap in time); none: the file starts another group of the star
        group = next((g for g in groups[name] if segment is None or segment not in g[1]), None)
        if group is None:
            group = ([], set())
            groups[name].append(group)
        group[0].append(item.path)
        if segment is not None:
            group[1].add(segment)
    out: list[BatchItem] = []
    for slot in slots:
        if isinstance(slot, BatchItem):
            out.append(slot)
        else:
            out += [BatchItem.star(files, slot) for files, _ in groups[slot]]
    return out

"""Which version of a song an era request shows: the one the era's own album dates hold.

A year filter reads each song's *original* year (:meth:`core.table.TrackTable.original_years`: the earliest year
among its versions in the catalog), so "80s hard rock" keeps "Runaway" although the version that scored best may be
the one on a 2010 greatest-hits album. The listener asked for the 80s: when the catalog also holds a version whose own
album date lies inside the asked years, that version is the one to show (its date is the era's, its reason line needs
no "album date; first release …" aside, and a listener who checks the album date finds the era). Catalogs carry only
album dates (Spotify's ``release_date`` is the album's), so this is the one place a song's own date can agree with
the request.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.models import Filters
from core.table import TrackTable


def in_era_versions(table: TrackTable, picked: Sequence[int], filters: Filters, allowed: np.ndarray | None,
                    taken: set[int] | None = None) -> list[int]:
    """``picked`` with each track whose own album year is outside the filter's years replaced by the most popular
    other version of the same song (same :attr:`TrackTable.norm_keys`: normalized title + first artist) whose own
    album year is inside them and which ``allowed`` admits; a track without such a version is kept.

    Args:
        table: the live track table.
        picked: positions in rank order.
        filters: the request's filters; nothing changes unless ``year_min`` or ``year_max`` is set.
        allowed: ``(n,)`` bool mask of positions the request admits (live, filters, stated ranges, not excluded), or
            None for every live position.
        taken: positions that must not be chosen (e.g. the request's references); ``picked`` is never repeated.

    Returns:
        Positions, the same length and order as ``picked``.
    """
    lo, hi = filters.year_min, filters.year_max
    if not (lo or hi):
        return list(picked)
    lo_y, hi_y = lo or 0, hi or 10_000
    years = table.year
    out = list(picked)
    used = set(out) | set(taken or ())
    for i, p in enumerate(out):
        own = int(years[p])
        if own and lo_y <= own <= hi_y:
            continue
        best, best_pop = -1, -1
        for q in table.key_tracks.get(table.norm_keys[p], ()):
            if q in used or not table.alive[q] or (allowed is not None and not allowed[q]):
                continue
            y = int(years[q])
            if y and lo_y <= y <= hi_y and int(table.popularity[q]) > best_pop:
                best, best_pop = q, int(table.popularity[q])
        if best >= 0:
            used.add(best)
            out[i] = best
    return out

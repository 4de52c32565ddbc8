"""One song, one key: versions of a song credited to its artists in another order share their dedupe key.

:func:`core.catalog.dedupe_key` keys a track by its normalized base title and its *first* artist's act, so
"Best Part (feat. H.E.R.)" by Daniel Caesar and "Best Part (feat. Daniel Caesar)" by H.E.R. — one song, released
under each artist's name — got two keys and could both appear in one list, or one on each page. After the table
is built (and after each upsert, for that title), :func:`merge_credited_versions` joins the keys of one base title
whose tracks credit each other: one key's first act is among the other's credits (its artists, or the names its
title credits: "(feat. X)", "(with Y)", :func:`core.credits.credited_names`) and their years are within
:data:`SAME_RELEASE_YEARS` (or unknown): Run–D.M.C.'s 1986 "Walk This Way (feat. Aerosmith)" is another recording
than Aerosmith's 1975 one, and keeps its own year for decade filters. The joined versions take one key, the
smallest of them, so every reader of :attr:`core.table.TrackTable.norm_keys` / ``key_tracks`` (list dedupe, pages,
exclusions, original years) treats them as one song. Nothing here is specific to a catalog.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from core.catalog import act_key
from core.credits import credited_names

if TYPE_CHECKING:
    from core.table import TrackTable


#: Versions crediting each other this many years apart or less are one release ("We Found Love" by Rihanna and by
#: Calvin Harris feat. Rihanna, both 2011); further apart, a remake or a cover with a guest (its own recording).
SAME_RELEASE_YEARS = 1


def _years(table: TrackTable, key: str) -> set[int]:
    return {int(table.year[p]) for p in table.key_tracks[key] if table.year[p] > 0}


def _close_years(a: set[int], b: set[int]) -> bool:
    return not a or not b or any(abs(x - y) <= SAME_RELEASE_YEARS for x in a for y in b)


def credited_acts(title: str, artists: Iterable[str]) -> set[str]:
    """The normalized acts a track credits: its artists' acts (:func:`core.catalog.act_key`) and the names its title
    credits ("Best Part (feat. H.E.R.)" by Daniel Caesar -> ``{"daniel caesar", "h e r"}``)."""
    return {act_key(a) for a in artists} | set(credited_names(title))


def merge_credited_versions(table: TrackTable, bases: Iterable[str] | None = None) -> int:
    """Give one key to the versions of a song credited under different first artists (see the module docstring),
    for every base title of ``table`` (``bases`` None) or only the given normalized base titles (an upsert's).
    Rewrites ``table.norm_keys`` and ``table.key_tracks`` in place and marks the touched keys for the original-year
    pass. Returns how many positions changed key. One pass over the live keys (~25k on the shipped catalog)."""
    wanted = None if bases is None else set(bases)
    groups: dict[str, list[str]] = defaultdict(list)
    for key, positions in table.key_tracks.items():
        if positions:
            base = key.partition("|")[0]
            if wanted is None or base in wanted:
                groups[base].append(key)
    moved = 0
    for keys in groups.values():
        if len(keys) < 2:
            continue
        keys.sort()
        credits = {k: set().union(*(credited_acts(table.titles[p], table.artists[p]) for p in table.key_tracks[k]))
                   for k in keys}
        years = {k: _years(table, k) for k in keys}
        parent = {k: k for k in keys}

        def root(k: str) -> str:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if (a.partition("|")[2] in credits[b] or b.partition("|")[2] in credits[a]) and _close_years(
                        years[a], years[b]):
                    ra, rb = root(a), root(b)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
        for k in keys:
            canon = root(k)
            if canon == k:
                continue
            for p in table.key_tracks.pop(k):
                table.norm_keys[p] = canon
                table.key_tracks[canon].add(p)
                moved += 1
            table._orig_dirty.update((k, canon))
    if moved and wanted is None:  # a built table: its index in position order, as the start-up cache rebuilds it
        index: defaultdict[str, set[int]] = defaultdict(set)
        for p in range(table.n):
            index[table.norm_keys[p]].add(p)
        table.key_tracks = index
    return moved

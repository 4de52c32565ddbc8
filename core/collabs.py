"""Artist relations any catalog has, labels or not: who is credited with whom.

Two artists are *collaborators* when one track credits both — as co-artists of the track, or one as the track's artist
and the other in its title ("Location (feat. Burna Boy)" by Dave, read by :func:`core.credits.credited_names` and
matched to the catalog's own artist names). On a catalog without playlist or genre labels (where
:class:`core.artist_graph.ArtistGraph` is empty) this is the only artist-level evidence of a scene; on a labelled one
it adds the links that playlists miss (a guest verse across scenes is still a link a listener hears).

:func:`credit_links` indexes the whole table once per table version (one pass over the titles that contain a credit
word; ~20 ms for the shipped catalog's 28k tracks); :func:`collaborators` reads one artist's links.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable

from core.credits import credited_names
from core.table import TrackTable

#: Relation (0–1, on the scale of :class:`core.artist_graph.ArtistGraph` cosines) of a direct collaborator.
DIRECT = 1.0
#: Relation of a collaborator's collaborator; 0 = not linked. At 0.5 the label-stripped strict text benchmark's
#: anchors lost more than they gained (guest verses chain across scenes: Ed Sheeran → Khalid → rap), so it is off.
SECOND_DEGREE = 0.0
#: A collaborator with more links than this is a hub (a producer or a DJ credited everywhere): their other
#: collaborators are not taken as second-degree links.
HUB_LINKS = 40

_CREDIT_WORD = re.compile(r"feat|ft\.|with", re.IGNORECASE)
# per table object (weak keys: a table's id is reused after it is freed, and a new table may have the same version)
_cache: weakref.WeakKeyDictionary[TrackTable, tuple[int, dict[int, dict[int, int]]]] = weakref.WeakKeyDictionary()


def credit_links(table: TrackTable) -> dict[int, dict[int, int]]:
    """Artist id -> {collaborator artist id: number of live tracks crediting both}, over the live tracks of
    ``table`` (cached per table version). Title credits count only when the credited name is a catalog artist
    (normalized exact match of ``table.artist_index``)."""
    cached = _cache.get(table)
    if cached is not None and cached[0] == table.version:
        return cached[1]
    links: dict[int, dict[int, int]] = {}

    def link(a: int, b: int) -> None:
        if a != b:
            links.setdefault(a, {})[b] = links.setdefault(a, {}).get(b, 0) + 1
            links.setdefault(b, {})[a] = links.setdefault(b, {}).get(a, 0) + 1

    for pos in table.alive_positions().tolist():
        aids = list(dict.fromkeys(table.artist_ids[pos]))
        title = table.titles[pos] or ""
        if _CREDIT_WORD.search(title):
            for key in credited_names(title):
                aid = table.artist_index.get(key)
                if aid is not None and aid not in aids:
                    aids.append(aid)
        for i in range(len(aids)):
            for j in range(i + 1, len(aids)):
                link(aids[i], aids[j])
    _cache[table] = (table.version, links)
    return links


def collaborators(table: TrackTable, artist_ids: Iterable[int]) -> dict[int, float]:
    """Artists linked to any of ``artist_ids`` by credits: {artist id: relation 0–1} — :data:`DIRECT` for a
    collaborator, :data:`SECOND_DEGREE` for a collaborator's collaborator (not through hubs, :data:`HUB_LINKS`).
    The given artists themselves are left out. Empty when the catalog credits no one together."""
    links = credit_links(table)
    own = set(artist_ids)
    out: dict[int, float] = {}
    for a in own:
        for b in links.get(a, {}):
            if b in own:
                continue
            out[b] = DIRECT
            if len(links.get(b, {})) > HUB_LINKS:
                continue
            for c in links.get(b, {}):
                if SECOND_DEGREE and c not in own and c not in out:
                    out[c] = SECOND_DEGREE
    return out


__all__ = ["DIRECT", "HUB_LINKS", "SECOND_DEGREE", "collaborators", "credit_links"]

"""Style-coherent lists for requests that name only numbers ("songs at 120 BPM", "energy 80%").

A request that names a value and no style is satisfied by thousands of tracks from every scene; ranked by closeness
to the number alone, the list jumps from trap to classic rock to big room in ten lines — what a blind reviewer
called "a list no one would keep playing". Here the number stays a filter (every pick is still inside the asked
range when the pool allows) and, among the tracks that meet it, one scene is chosen: the catalog genre (a track's own
genre, :func:`core.explain.own_labels`: its artist's scene, not one playlist's) whose in-range tracks in the pool
weigh most by popularity; its tracks come first, most popular first, then the rest of the pool in its order.

Catalogs without genre labels are left as they are (no scene to cohere on). Nothing here is specific to the shipped
catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.explain import own_labels
from core.models import TextQuery
from core.recommender import Scored
from core.table import FEATURE_INDEX, TrackTable

#: Pool size per requested track from which the scene is chosen (6 × 10 = 60 candidates; wider pools drift away
#: from the asked value on features the range does not pin).
POOL_FACTOR = 6


def numbers_only(query: TextQuery) -> bool:
    """True when ``query`` names feature values (``ranges``) and no style, label, style-model key or artist."""
    return bool(query.ranges) and not query.labels and not query.styles and not query.artists \
        and not query.filters.genres


def _in_ranges(table: TrackTable, p: int, ranges: dict[str, list[float | None]]) -> bool:
    for name, (lo, hi) in ((k, v) for k, v in ranges.items() if k in FEATURE_INDEX):
        value = float(table.features[p, FEATURE_INDEX[name]])
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return False
    return True


def cohere(table: TrackTable, pool: Sequence[Scored], query: TextQuery, limit: int) -> list[Scored]:
    """``pool`` (best first, ideally ``POOL_FACTOR × limit`` long) reordered into a style-coherent top ``limit``:
    the in-range tracks of the chosen genre first (most popular first), then the pool's other in-range tracks, then
    the rest, each in pool order. Returns ``pool[:limit]`` unchanged when the catalog has no genre labels or no genre
    has at least half of ``limit`` in-range tracks in the pool."""
    if not pool:
        return []
    names = table.label_names
    inside = [s for s in pool if _in_ranges(table, s.pos, query.ranges)]
    weight: dict[int, float] = {}
    members: dict[int, list[Scored]] = {}
    for s in inside:
        for lid in own_labels(table, s.pos):
            if names[lid][0] == "genre":
                weight[lid] = weight.get(lid, 0.0) + 1.0 + float(table.popularity[s.pos]) / 100.0
                members.setdefault(lid, []).append(s)
    if not weight:
        return list(pool[:limit])
    best = max(weight, key=lambda lid: (weight[lid], -lid))
    if len(members[best]) < max(2, limit // 2):
        return list(pool[:limit])
    inside_pos = {s.pos for s in inside}
    chosen = sorted(members[best], key=lambda s: -float(table.popularity[s.pos]))
    taken = {s.pos for s in chosen}
    rest = [s for s in inside if s.pos not in taken] + [s for s in pool if s.pos not in taken and s.pos not in inside_pos]
    out = (chosen + rest)[:limit]
    keys: set[str] = set()
    unique = []
    for s in out:  # one version per song (the pool may hold two cuts of one title)
        if table.norm_keys[s.pos] not in keys:
            keys.add(table.norm_keys[s.pos])
            unique.append(s)
    return unique if len(unique) == len(out) else unique + [s for s in rest if table.norm_keys[s.pos] not in keys][
        : limit - len(unique)]


#: Label weight at which a request names a genre outright ("latin music" -> genre:latin 1.0; a mood's side hints are
#: weaker): then the tracks whose own genre it is come first (:func:`own_genre_first`).
NAMED_GENRE = 0.9
#: Pool size per requested track for :func:`own_genre_first` (3 × 10 = 30 candidates).
GENRE_POOL = 3


def named_genres(table: TrackTable, query: TextQuery) -> list[int]:
    """Label ids of the genres ``query`` names outright (weight ≥ :data:`NAMED_GENRE`) that the catalog holds."""
    out = []
    for key, w in query.labels.items():
        kind, _, text = key.partition(":")
        lid = table.label_index.get((kind, text)) if kind == "genre" and w >= NAMED_GENRE else None
        if lid is not None:
            out.append(lid)
    return out


def own_genre_first(table: TrackTable, pool: Sequence[Scored], genres: Sequence[int], limit: int) -> list[Scored]:
    """``pool`` (best first, ideally :data:`GENRE_POOL` × ``limit`` long) with the tracks whose OWN genre
    (:func:`core.explain.own_labels`: their artists' scene, not one playlist's) is one of ``genres`` first, each part
    in pool order; the top ``limit``. "latin music … no reggaeton" fills with Latin artists before The Chainsmokers'
    "Closer", which one Latin playlist holds (its label says latin, a listener does not)."""
    wanted = set(genres)
    mine = [s for s in pool if wanted & own_labels(table, s.pos)]
    rest = [s for s in pool if not wanted & own_labels(table, s.pos)]
    return (mine + rest)[:limit]


#: Share of a list's tracks that must carry a label for it to count as the list's scene (:func:`scene_labels`).
SCENE_SHARE = 0.4


def scene_labels(table: TrackTable, positions: Sequence[int]) -> dict[str, float]:
    """The scene of a list on screen as label preferences for a follow-up ("calmer" after a radio of Purple Emoji):
    ``{"subgenre:neo soul": 0.8, "genre:r&b": 0.6}`` for the tracks' own labels (:func:`core.explain.own_labels`)
    that at least :data:`SCENE_SHARE` of them carry; {} on a catalog without labels or a list without a scene. The
    keys are ``TextQuery.labels`` keys (``"kind:label text"`` of the loaded catalog)."""
    pos = [p for p in positions if 0 <= p < table.n]
    if not pos:
        return {}
    counts: dict[int, int] = {}
    for p in pos:
        for lid in own_labels(table, p):
            counts[lid] = counts.get(lid, 0) + 1
    out: dict[str, float] = {}
    for lid, c in counts.items():
        if c >= SCENE_SHARE * len(pos):
            kind, text = table.label_names[lid]
            out[f"{kind}:{text}"] = 0.8 if kind == "subgenre" else 0.6
    return out


__all__ = ["GENRE_POOL", "NAMED_GENRE", "POOL_FACTOR", "SCENE_SHARE", "cohere", "named_genres", "numbers_only",
           "own_genre_first", "scene_labels"]

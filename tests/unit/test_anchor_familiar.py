"""Anchored requests ("like X") prefer X's related artists (catalog artist graph) and, as a soft tie-breaker, well-known
tracks over audio-only neighbours (core.anchors.familiar_bonus / in_scene)."""

from __future__ import annotations

import json

from core.anchors import POPULAR_BONUS, RELATED_BONUS, SCENE_BONUS, Anchor, familiar_bonus, in_scene
from core.artist_graph import ArtistGraph
from core.catalog import normalize_text
from core.recommender import Scored
from core.table import TrackTable

F = (0.6, 0.7, 1, -5.0, 1, 0.05, 0.2, 0.0, 0.1, 0.7, 118.0)


def table(rows: list[tuple[str, str, int, list[tuple[str, str]]]]) -> TrackTable:
    out, labels = [], []
    for i, (title, artist, pop, labs) in enumerate(rows):
        tid = f"t{i:021d}"
        out.append((tid, title, json.dumps([artist]), "", "2018", 2018, pop, 200_000, *F))
        labels.extend((tid, kind, label, f"pl-{label}" if kind == "playlist" else "") for kind, label in labs)
    return TrackTable.from_rows(out, labels)


def catalog() -> TrackTable:
    afro = [("playlist", "Afro Hits"), ("subgenre", "urban contemporary")]
    return table([
        ("Ye", "Burna Boy", 70, afro),
        ("Joro", "WizKid", 68, afro),
        ("Obscure Cut", "Nobody Known", 5, [("playlist", "French Rap"), ("subgenre", "urban contemporary")]),
        ("Hit Elsewhere", "Big Star", 95, [("playlist", "French Rap"), ("subgenre", "urban contemporary")]),
        ("Leg Day", "Mr Eazi", 66, afro),
    ])


def _anchor(t: TrackTable, name: str) -> Anchor:
    aid = t.artist_index[normalize_text(name)]
    return Anchor(kind="artist", name=name, seeds=sorted(t.artist_tracks[aid]), artist_ids=[aid])


def test_related_artists_outrank_an_equally_close_unrelated_neighbour() -> None:
    t = catalog()
    pool = [Scored(p, 0.9, "") for p in (2, 3, 1, 4)]  # audio order puts the unrelated acts first
    bonus = familiar_bonus(t, _anchor(t, "Burna Boy"), ArtistGraph(t), [s.pos for s in pool])
    ranked = [t.artists[s.pos][0] for s in in_scene(pool, None, None, bonus)]
    assert set(ranked[:2]) == {"WizKid", "Mr Eazi"}
    assert bonus[1] > bonus[3] > bonus[2]  # related first, then the well-known unrelated track, then the obscure one


def test_familiarity_is_a_soft_tie_breaker_below_the_scene_bonus() -> None:
    assert RELATED_BONUS + POPULAR_BONUS < SCENE_BONUS["subgenre"]
    t = catalog()
    pool = [Scored(2, 0.9, ""), Scored(1, 0.3, "")]  # a far closer audio match keeps its place
    bonus = familiar_bonus(t, _anchor(t, "Burna Boy"), ArtistGraph(t), [2, 1])
    assert [s.pos for s in in_scene(pool, None, None, bonus)] == [2, 1]


def test_no_relations_known_changes_nothing() -> None:
    t = table([("A", "X", 90, []), ("B", "Y", 10, []), ("C", "Z", 50, [])])
    a = _anchor(t, "X")
    assert familiar_bonus(t, a, ArtistGraph(t), [1, 2]) == {}
    assert familiar_bonus(t, a, None, [1, 2]) == {}
    pool = [Scored(1, 0.5, ""), Scored(2, 0.4, "")]
    assert in_scene(pool, None, None, {}) == pool

"""The curator spread (core.playlist_spread): one catalog playlist fills at most its share of a free-text list;
held-back tracks fill the list only when nothing else is left; a playlist named outright, a broad playlist and
requests naming an artist or a language are not capped."""

from __future__ import annotations

import json
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import TextQuery
from core.playlist_spread import PLAYLIST_SHARE, spread_playlists, spread_ranked, wants_playlist_spread
from core.table import TrackTable

FEATS = (0.5, 0.9, 4, -5.0, 0, 0.05, 0.01, 0.0, 0.1, 0.4, 120.0)


def _table(playlists: list[list[str]], filler: int = 0) -> TrackTable:
    """Track i in the playlists ``playlists[i]``; ``filler`` more tracks in a playlist of their own each (so the
    listed playlists stay small next to the catalog)."""
    rows, labels = [], []
    for i, names in enumerate(playlists + [[f"own {k}"] for k in range(filler)]):
        tid = f"p{i:021d}"
        rows.append((tid, f"Song {i}", json.dumps([f"Artist {i}"]), "Album", "2019", 2019, 50, 200_000, *FEATS))
        labels.extend((tid, "playlist", name, "") for name in names)
    return TrackTable.from_rows(rows, labels)


def _playlist_counts(table: TrackTable, picked: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in picked:
        for lid in table.labels[p]:
            counts[table.label_names[lid][1]] = counts.get(table.label_names[lid][1], 0) + 1
    return counts


def test_one_playlist_holds_at_most_its_share_and_the_next_track_of_another_takes_the_place() -> None:
    table = _table([["Cardio"]] * 8 + [["Run"], ["Gym"]] * 3, filler=200)
    picked, scores = list(range(14)), [float(14 - i) for i in range(14)]
    out, values = spread_playlists(table, TextQuery(), picked, scores, 10)
    assert out == [0, 1, 2, 3, 8, 9, 10, 11, 12, 13]  # four of Cardio, then the others in ranking order
    assert values == [scores[p] for p in out]
    assert _playlist_counts(table, out)["Cardio"] == int(PLAYLIST_SHARE * 10)


def test_held_back_tracks_fill_the_list_when_nothing_else_is_left() -> None:
    table = _table([["Cardio"]] * 8 + [["Run"]] * 2, filler=200)
    out, _ = spread_playlists(table, TextQuery(), list(range(10)), [1.0] * 10, 10)
    assert out == [0, 1, 2, 3, 8, 9, 4, 5, 6, 7]


def test_a_track_counts_in_every_playlist_it_is_in() -> None:
    table = _table([["A", "B"], ["A", "B"], ["B"], ["C"], ["C"]], filler=200)
    out, _ = spread_playlists(table, TextQuery(), [0, 1, 2, 3, 4], [1.0] * 5, 5)  # two places per playlist
    assert out[:4] == [0, 1, 3, 4] and out[4] == 2  # B was full after the two A+B tracks


def test_a_theme_playlist_and_a_broad_playlist_are_not_capped() -> None:
    table = _table([["Trapperz Brasil"]] * 10 + [["Other"]] * 4, filler=200)
    picked = list(range(14))
    named = TextQuery(labels={"playlist:Trapperz Brasil": 1.0, "playlist:Other": 0.8, "playlist:More": 0.8})
    assert spread_playlists(table, named, picked, [1.0] * 14, 10)[0] == list(range(10))
    theme = TextQuery(labels={"playlist:Trapperz Brasil": 0.7, "playlist:Other": 0.3})  # most of what words matched
    assert spread_playlists(table, theme, picked, [1.0] * 14, 10)[0] == list(range(10))
    hinted = TextQuery(labels={"playlist:Trapperz Brasil": 0.5, "playlist:Other": 0.3, "playlist:More": 0.3})
    assert spread_playlists(table, hinted, picked, [1.0] * 14, 10)[0] == [0, 1, 2, 3, 10, 11, 12, 13, 4, 5]
    broad = _table([["Everything"]] * 10, filler=20)  # an imported export: one playlist is most of the catalog
    assert spread_playlists(broad, TextQuery(), list(range(10)), [1.0] * 10, 10)[0] == list(range(10))


def test_requests_naming_an_artist_or_a_language_keep_their_playlists() -> None:
    assert wants_playlist_spread(TextQuery(text="party songs"))
    assert not wants_playlist_spread(TextQuery(artists=["BTS"]))
    assert not wants_playlist_spread(TextQuery(language="pt"))
    assert not wants_playlist_spread(TextQuery(title_language="fr"))


def test_spread_ranked_keeps_a_steps_order_and_fills_from_the_allowed_pool() -> None:
    import numpy as np

    table = _table([["Cardio"]] * 6 + [["Run"]] * 4, filler=200)
    pool = [SimpleNamespace(pos=p) for p in range(10)]
    chosen = pool[:5]  # a later step's pick of 5: two places per playlist
    allowed = np.ones(table.n, dtype=bool)
    allowed[6] = False  # outside the numbers asked for: never a replacement
    out = spread_ranked(table, TextQuery(), chosen, pool, 5, allowed)
    assert [s.pos for s in out] == [0, 1, 7, 8, 2]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=2, unique=True),
                min_size=1, max_size=30), st.integers(min_value=1, max_value=12))
def test_the_spread_is_a_reordering_of_the_ranking_within_the_cap(memberships: list[list[str]], limit: int) -> None:
    table = _table(memberships, filler=300)
    picked = list(range(len(memberships)))
    out, _ = spread_playlists(table, TextQuery(), picked, [1.0] * len(picked), limit)
    assert len(out) == min(limit, len(picked)) and len(set(out)) == len(out) and set(out) <= set(picked)
    cap = max(1, int(PLAYLIST_SHARE * limit))

    def within(tracks: list[int]) -> bool:
        return all(v <= cap for v in _playlist_counts(table, tracks).values())

    n = 0  # the longest start of the list within the cap: those tracks come in ranking order
    while n < len(out) and within(out[: n + 1]):
        n += 1
    assert out[:n] == sorted(out[:n])
    if n < len(out):  # a held-back track was used: no track left out would have fitted within the cap
        assert all(not within(out[:n] + [q]) for q in picked if q not in out)

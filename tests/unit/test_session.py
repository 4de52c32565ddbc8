"""The session rules of :mod:`core.session` on a small real :class:`TrackTable`, with hypothesis over the shapes
conversations take (which pages were shown, what the ranking offers, which artist was asked for)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import Filters, Recommendation, RecommendedTrack
from core.session import PAGE_ARTIST_CAP, WINDOW_ARTIST_CAP, artist_budget, capped, same_song_ids
from core.table import TrackTable

ARTISTS = ["Ann", "Bob", "Cat", "Dee", "Eve", "Fay"]  # Ann's slots hold the remasters (by the artist before)
N = 36


def make_table() -> TrackTable:
    """36 tracks, 6 artists; every 6th track is a remaster of the track before it (same song, another id)."""
    rows = []
    for i in range(N):
        artist = ARTISTS[i % len(ARTISTS)] if i % 6 else ARTISTS[(i - 1) % len(ARTISTS)]
        title = f"Song {i - 1} - Remastered 2011" if i % 6 == 0 and i else f"Song {i}"
        feats = [0.5, 0.5, 5, -7.0, 1, 0.05, 0.2, 0.0, 0.1, 0.5, 120.0]
        rows.append((f"t{i:021d}", title, json.dumps([artist]), "", "2000", 2000, 50, 200000, *feats))
    return TrackTable.from_rows(rows, [])


TABLE = make_table()
IDS = [TABLE.ids[p] for p in range(N)]


def artist(track_id: str) -> str:
    return TABLE.artists[TABLE.pos[track_id]][0]


def test_same_song_ids_adds_every_version() -> None:
    remaster = IDS[6]  # "Song 5 - Remastered 2011" by the artist of "Song 5"
    assert TABLE.norm_keys[6] == TABLE.norm_keys[5]
    assert set(same_song_ids(TABLE, [remaster])) == {IDS[5], IDS[6]}
    assert same_song_ids(TABLE, ["unknown-id", IDS[1]]) == ["unknown-id", IDS[1]]


def fake_run(ranking: list[str]):
    """A recommender stand-in: the ranking minus exclusions, 2 per artist per page, no song twice, top n."""

    async def run(exclude: list[str], n: int) -> Recommendation:
        ex, picked, keys, per = set(exclude), [], set(), Counter()
        for i in ranking:
            key = TABLE.norm_keys[TABLE.pos[i]]
            if i in ex or key in keys or per[artist(i)] >= PAGE_ARTIST_CAP:
                continue
            picked.append(i)
            keys.add(key)
            per[artist(i)] += 1
            if len(picked) == n:
                break
        tracks = [RecommendedTrack(track=TABLE.track(TABLE.pos[i]), score=1.0, reason="") for i in picked]
        return Recommendation(tracks=tracks, filters=Filters(limit=n))

    return run


pages_st = st.lists(st.lists(st.sampled_from(IDS), max_size=10, unique=True), max_size=4)


@settings(max_examples=150, deadline=None)
@given(
    recent=pages_st,
    ranking=st.permutations(IDS),
    limit=st.integers(1, 12),
    asked=st.lists(st.sampled_from(ARTISTS), max_size=2, unique=True),
)
def test_capped_pages_keep_every_rule(recent: list[list[str]], ranking: list[str], limit: int, asked: list[str]) -> None:
    shown = [i for p in recent for i in p]
    rec = asyncio.run(capped(TABLE, fake_run(ranking), shown, limit, recent, asked))
    got = [t.track.track_id for t in rec.tracks]
    assert len(got) <= limit and rec.filters.limit == limit
    assert got == [i for i in ranking if i in set(got)]  # the ranking's order is kept
    shown_keys = {TABLE.norm_keys[TABLE.pos[i]] for i in shown}
    assert not {TABLE.norm_keys[TABLE.pos[i]] for i in got} & shown_keys  # no song shown before, in any version
    per_page = Counter(artist(i) for i in got)
    assert all(c <= PAGE_ARTIST_CAP for c in per_page.values())
    window = Counter(artist(i) for p in recent[-2:] for i in p) + per_page
    for name, count in window.items():
        if name not in asked and per_page[name]:
            assert count <= WINDOW_ARTIST_CAP, (name, count)


def test_budget_counts_only_the_last_two_pages() -> None:
    ann = [i for i in IDS if artist(i) == "Bob"]
    aid = TABLE.artist_index["bob"]
    assert artist_budget(TABLE, [ann[:2], ann[2:3]]) == {aid: 0}
    assert artist_budget(TABLE, [ann[:2], ann[2:3], []]) == {}  # the oldest page left the window: 1 seen, 2 may come
    assert artist_budget(TABLE, [ann[2:3], ann[:2], []]) == {aid: 1}  # 2 seen in the window: 1 more
    assert artist_budget(TABLE, [ann[:3]]) == {aid: 0}
    assert artist_budget(TABLE, [ann[:3]], asked=["BOB"]) == {}

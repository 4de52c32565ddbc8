"""The strict text benchmark's scoring (core.text_eval) on a tiny real catalog: hit = labels AND features AND years
AND not an excluded artist; anchors capped at 2; gap and conflict flags read from structured fields only."""

from __future__ import annotations

import pytest

from core.models import Filters, Recommendation, RecommendedTrack, Track
from core.table import TrackTable
from core.text_eval import (
    FRESH_REQUESTS,
    SHARED_REQUESTS,
    Answer,
    Truth,
    answer_of,
    load_requests,
    score,
)


def _track(i: int, artist: str, energy: float, year: int, genre: str) -> Track:
    return Track(track_id=f"{i:022d}", title=f"Song {i}", artists=[artist], release_date=f"{year}-01-01", year=year,
                 genres=[genre], danceability=0.5, energy=energy, key=1, loudness=-6.0, mode=1, speechiness=0.05,
                 acousticness=0.1, instrumentalness=0.0, liveness=0.1, valence=0.5, tempo=120.0)


@pytest.fixture
def truth() -> Truth:
    table = TrackTable()
    tracks = [_track(i, "Anchor" if i < 4 else f"Other {i}", 0.9 if i % 2 else 0.3, 1990 + i, "rock" if i < 8 else "pop")
              for i in range(12)]
    for t in tracks:
        table.upsert(t)
    return Truth({t.track_id: {t.genres[0]} for t in tracks}, table)


def ids(*n: int) -> list[str]:
    return [f"{i:022d}" for i in n]


def test_hit_needs_labels_and_features_and_years_and_no_excluded_artist(truth: Truth) -> None:
    req = {"id": "x", "kind": "genre", "labels_any": ["rock"], "features": {"energy": [0.8, 1]}, "years": [1990, 1996],
           "exclude_artists": ["other 5"]}
    hits = [tid for tid in ids(*range(12)) if truth.is_hit(tid, req)]
    assert hits == ids(1, 3)  # 5 is excluded (case-insensitive), 7 is out of the years, 9/11 are pop, evens are calm
    row = score(req, Answer(ids(1, 3, 5, 7)), truth)
    assert row["p10"] == 0.2 and not row["pass"]  # missing tracks count as misses


def test_anchor_tracks_count_only_up_to_two(truth: Truth) -> None:
    req = {"id": "a", "kind": "anchor", "labels_any": ["rock"], "features": {}, "years": None,
           "exclude_artists": [], "anchor_artist": "Anchor"}
    three = score(req, Answer(ids(0, 1, 2, 4, 5)), truth)
    assert three["anchor_count"] == 3 and three["p10"] == 0.4 and not three["pass"]
    ok = score(req, Answer(ids(0, 1, 4, 5, 6, 7)), truth)
    assert ok["anchor_count"] == 2 and ok["p10"] == 0.6 and ok["pass"]


def test_gap_and_conflict_come_from_structured_fields(truth: Truth) -> None:
    t = truth.table.track(1)
    item = RecommendedTrack(track=t, score=1.0, reason="")
    plain = Recommendation(tracks=[item] * 10, summary="This catalog has no country music", filters=Filters())
    assert not answer_of(plain).gap_stated  # English wording alone is not a stated gap
    noted = plain.model_copy(update={"coverage": [{"requested": "country", "kind": "missing"}]})
    assert answer_of(noted).gap_stated
    req = {"id": "g", "kind": "absent-style", "labels_any": ["rock"], "features": {}, "years": None,
           "exclude_artists": [], "gap": True}
    assert not score(req, answer_of(plain), truth)["pass"]
    assert score(req, Answer(ids(*range(8)), gap_stated=True), truth)["pass"]
    contra = {"id": "c", "kind": "contradiction", "labels_any": ["rock"], "features": {}, "years": None,
              "exclude_artists": []}
    assert not score(contra, Answer(ids(*range(8))), truth)["pass"]
    assert score(contra, Answer(ids(*range(8)), conflict_named=True), truth)["pass"]


def test_request_sets_meet_the_brief() -> None:
    shared, fresh = load_requests(SHARED_REQUESTS), load_requests(FRESH_REQUESTS)
    assert len(shared) == 100 and len(fresh) >= 80
    assert sum(r["lang"] != "en" for r in fresh) >= 20
    assert sum(r["kind"] == "numbers" for r in fresh) >= 10
    assert sum(r["kind"] == "anchor" for r in fresh) >= 10
    assert sum(r["kind"] == "contradiction" for r in fresh) >= 5
    assert sum(r["gap"] for r in fresh) >= 5
    assert not {r["q"] for r in fresh} & {r["q"] for r in shared}

"""POST /api/v1/recommend/ and /recommend/text over a real server: tracks with features, score and reason; honest first
lines (a fuzzy match or a missing style is said in ``message``); clear errors; the same answers as the engine."""

from __future__ import annotations

import pytest

from core.models import AUDIO_FEATURES

from api_harness import ApiServer


def _check_tracks(tracks: list[dict], n: int) -> None:
    assert len(tracks) == n
    assert len({t["track_id"] for t in tracks}) == n
    for t in tracks:
        assert all(t[f] is not None for f in AUDIO_FEATURES)
        assert 0.0 <= t["score"] <= 1.0 and t["reason"].strip()
        assert isinstance(t["reasons"], list)
    scores = [t["score"] for t in tracks]
    assert scores == sorted(scores, reverse=True)


def test_text_request_returns_ten_tracks_with_features_score_and_reason(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        r = c.post("/api/v1/recommend/text", json={"text_input": "chill acoustic music for studying"})
    assert r.status_code == 200, r.text
    body = r.json()
    _check_tracks(body["tracks"], 10)
    assert body["message"] == "" and body["clarification"] is None
    assert body["target"]["acousticness"] > 0.5
    # what the text asked for holds on average: calm and acoustic
    mean = lambda f: sum(t[f] for t in body["tracks"]) / 10  # noqa: E731
    assert mean("energy") < 0.5 and mean("acousticness") > 0.5


def test_text_request_is_the_engines_answer(shared_api: ApiServer) -> None:
    text = "upbeat 80s synth pop for running"
    with shared_api.client() as c:
        api_ids = [t["track_id"] for t in c.post("/api/v1/recommend/text", json={"text_input": text, "limit": 7}).json()["tracks"]]
    rec = shared_api.run(shared_api.engine.app.discovery.recommend_text(text, limit=7))
    assert api_ids == [i.track.track_id for i in rec.tracks]


@pytest.mark.parametrize("limit", [1, 5, 50])
def test_limit_is_honoured(shared_api: ApiServer, limit: int) -> None:
    with shared_api.client() as c:
        r = c.post("/api/v1/recommend/text", json={"text_input": "happy dance songs", "limit": limit})
    assert r.status_code == 200 and len(r.json()["tracks"]) == limit


def test_missing_style_is_said_first(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        body = c.post("/api/v1/recommend/text", json={"text_input": "polka for a party"}).json()
    assert "polka" in body["message"] and body["message"].startswith("This catalog has no")
    assert body["coverage"][0]["kind"] == "missing"
    assert len(body["tracks"]) == 10  # the closest alternative, labelled as such by the message


def test_meaningless_text_asks_for_clarification(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        body = c.post("/api/v1/recommend/text", json={"text_input": "asdf qwer"}).json()
    assert body["tracks"] == [] and body["clarification"]["question"] and body["clarification"]["suggestions"]
    assert body["message"] == body["clarification"]["question"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "text_input"), ({"text_input": ""}, "text_input"), ({"text_input": "x" * 2001}, "text_input"),
     ({"text_input": "rock", "limit": 0}, "limit"), ({"text_input": "rock", "limit": 51}, "limit"),
     ({"text_input": 5}, "text_input"), ({"text_input": "rock", "mood": "sad"}, "mood")],
)
def test_bad_text_bodies_are_422(shared_api: ApiServer, body: dict, field: str) -> None:
    with shared_api.client() as c:
        r = c.post("/api/v1/recommend/text", json=body)
    assert r.status_code == 422 and r.json()["field"] == field, r.text


def test_similar_by_ids(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        seeds = [s["track_id"] for s in c.get("/api/v1/songs/", params={"search": "Blinding Lights", "limit": 1}).json()]
        r = c.post("/api/v1/recommend/", json={"song_ids": seeds, "limit": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    _check_tracks(body["tracks"], 10)
    assert seeds[0] not in {t["track_id"] for t in body["tracks"]}
    assert body["message"] == "" and "Blinding Lights" in body["summary"]


def test_similar_by_link_and_title_with_a_typo_says_the_swap(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        tid = c.get("/api/v1/songs/", params={"search": "Blinding Lights", "limit": 1}).json()[0]["track_id"]
        link = c.post("/api/v1/recommend/", json={"song_ids": [f"https://open.spotify.com/track/{tid}?si=abc"], "limit": 3})
        typo = c.post("/api/v1/recommend/", json={"song_ids": ["Blindng Lights"], "limit": 3})
    assert link.status_code == 200 and len(link.json()["tracks"]) == 3 and link.json()["message"] == ""
    assert typo.status_code == 200
    assert "No exact match" in typo.json()["message"] and "Blinding Lights" in typo.json()["message"]


def test_similar_unknown_song_is_404_with_suggestions(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        r = c.post("/api/v1/recommend/", json={"song_ids": ["0000000000000000000000"]})
    assert r.status_code == 404 and r.json()["error"] == "song_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"song_ids": []}, "song_ids"), ({}, "song_ids"), ({"song_ids": ["a"] * 26}, "song_ids"),
     ({"song_ids": "abc"}, "song_ids"), ({"song_ids": ["x"], "limit": 100}, "limit")],
)
def test_bad_similar_bodies_are_422(shared_api: ApiServer, body: dict, field: str) -> None:
    with shared_api.client() as c:
        r = c.post("/api/v1/recommend/", json=body)
    assert r.status_code == 422 and r.json()["field"] == field, r.text


def test_blank_song_ids_are_a_clear_422(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        r = c.post("/api/v1/recommend/", json={"song_ids": ["  ", ""]})
    assert r.status_code == 422 and "at least one song" in r.json()["detail"]


def test_a_count_in_the_text_is_the_limit_when_none_is_given(shared_api: ApiServer) -> None:
    """"give me 20 chill songs" gave 10 tracks (the body's default limit won over the text); 100 is capped and said."""
    with shared_api.client() as c:
        twenty = c.post("/api/v1/recommend/text", json={"text_input": "give me 20 chill songs"}).json()
        hundred = c.post("/api/v1/recommend/text", json={"text_input": "give me 100 chill songs"}).json()
        given = c.post("/api/v1/recommend/text", json={"text_input": "give me 20 chill songs", "limit": 5}).json()
    assert len(twenty["tracks"]) == 20 and twenty["message"] == ""
    assert len(hundred["tracks"]) == 50 and "100" in hundred["message"]
    assert len(given["tracks"]) == 5 and given["message"] == ""

"""The API's pictures (core/charts.py): GET /api/v1/songs/{track_id}/chart.png and the charts of a recommendation
request (POST /recommend/chart.png, /recommend/text/chart.png) are real PNGs of the documented size; what cannot be
drawn is a clear JSON error."""

from __future__ import annotations

from core import charts
from core.models import AUDIO_FEATURES, Caller, Role

from api_harness import ApiServer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_png(body: bytes, size: tuple[int, int]) -> None:
    assert body[:8] == PNG_SIGNATURE
    assert charts.png_size(body) == size
    assert 10_000 < len(body) < charts.MAX_PNG_BYTES


def _blinding_lights(api: ApiServer) -> str:
    with api.client() as c:
        return c.get("/api/v1/songs/", params={"search": "Blinding Lights The Weeknd", "limit": 1}).json()[0]["track_id"]


def test_song_chart_is_a_png(shared_api: ApiServer) -> None:
    tid = _blinding_lights(shared_api)
    with shared_api.client() as c:
        r = c.get(f"/api/v1/songs/{tid}/chart.png")
        missing = c.get("/api/v1/songs/0000000000000000000000/chart.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    _is_png(r.content, charts.TRACK_CHART_PX)
    assert missing.status_code == 404 and missing.json()["error"] == "song_not_found"


def test_text_recommendation_chart_is_a_png(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        r = c.post("/api/v1/recommend/text/chart.png", json={"text_input": "calm acoustic songs around 90 bpm"})
        unclear = c.post("/api/v1/recommend/text/chart.png", json={"text_input": "asdf qwer"})
        bad = c.post("/api/v1/recommend/text/chart.png", json={"text_input": ""})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    _is_png(r.content, charts.SET_CHART_PX)
    assert unclear.status_code == 422 and "couldn't tell" in unclear.json()["detail"]
    assert bad.status_code == 422 and bad.json()["field"] == "text_input"


def test_similar_recommendation_chart_is_a_png(shared_api: ApiServer) -> None:
    tid = _blinding_lights(shared_api)
    with shared_api.client() as c:
        r = c.post("/api/v1/recommend/chart.png", json={"song_ids": [tid], "limit": 10})
        missing = c.post("/api/v1/recommend/chart.png", json={"song_ids": ["0000000000000000000000"]})
    assert r.status_code == 200
    _is_png(r.content, charts.SET_CHART_PX)
    assert missing.status_code == 404


def test_a_track_without_audio_features_is_a_clear_422(start_api) -> None:
    api = start_api()
    tid = _blinding_lights(api)
    admin = Caller(user_id="t", platform="test", role=Role.ADMIN)
    api.run(api.engine.app.admin.edit_song(admin, tid, {f: None for f in AUDIO_FEATURES}))
    with api.client() as c:
        r = c.get(f"/api/v1/songs/{tid}/chart.png")
        song = c.get(f"/api/v1/songs/{tid}")
    assert song.status_code == 200 and song.json()["energy"] is None  # a feature-less song still reads fine
    assert r.status_code == 422 and "no audio features" in r.json()["detail"]

"""GET /api/v1/music/audio/{track_id} against fake Spotify / Deezer / iTunes servers on 127.0.0.1: a preview found, no
preview anywhere (200, null), every provider failing or unreachable (503 JSON with the links), never a 500."""

from __future__ import annotations

from typing import Any

from core.engine import Engine
from core.previews import PreviewConfig

from api_harness import ApiServer, closed_port
from tests.fakes.music_apis import FakeMusicApis

PREVIEW = "https://cdns-preview.example/blinding-lights.mp3"


def _fakes(mode: str = "ok") -> Any:
    async def setup(engine: Engine) -> FakeMusicApis:
        apis = await FakeMusicApis().__aenter__()
        apis.deezer.add("Blinding Lights", "The Weeknd", PREVIEW)
        for fake in (apis.deezer, apis.itunes):
            fake.behaviour.mode = mode
        engine.app.personal.configure_previews(apis.config(spotify=False, timeout_s=1.0))
        return apis

    return setup


def _blinding_lights(api: ApiServer) -> str:
    with api.client() as c:
        return c.get("/api/v1/songs/", params={"search": "Blinding Lights The Weeknd", "limit": 1}).json()[0]["track_id"]


def test_preview_found(start_api) -> None:
    api = start_api(setup=_fakes())
    tid = _blinding_lights(api)
    with api.client() as c:
        r = c.get(f"/api/v1/music/audio/{tid}")
        again = c.get(f"/api/v1/music/audio/{tid}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["preview_url"] == PREVIEW and body["preview_source"] == "deezer"
    assert body["name"] == "Blinding Lights" and body["artists"] == ["The Weeknd"]
    assert body["external_url"] == f"https://open.spotify.com/track/{tid}"
    assert body["spotify_uri"] == f"spotify:track:{tid}" and body["duration_ms"] > 0 and body["album"]
    assert again.json() == body
    assert len(api.extra.deezer.requests) == 1  # the second answer came from the cache


def test_no_preview_anywhere_is_200_with_null(start_api) -> None:
    api = start_api(setup=_fakes("null"))
    tid = _blinding_lights(api)
    with api.client() as c:
        r = c.get(f"/api/v1/music/audio/{tid}")
    assert r.status_code == 200 and r.json()["preview_url"] is None
    assert r.json()["external_url"].endswith(tid)


def test_upstream_failure_is_a_503_json_error(start_api) -> None:
    api = start_api(setup=_fakes("500"))
    tid = _blinding_lights(api)
    with api.client() as c:
        r = c.get(f"/api/v1/music/audio/{tid}")
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["error"] == "upstream_unavailable" and "try again later" in body["detail"]
    assert body["audio"]["track_id"] == tid and body["audio"]["preview_url"] is None
    assert body["audio"]["external_url"] == f"https://open.spotify.com/track/{tid}"
    assert r.headers["Retry-After"]


def test_offline_is_a_503_json_error(start_api) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"

    async def setup(engine: Engine) -> None:
        engine.app.personal.configure_previews(PreviewConfig(deezer_api_base_url=dead, itunes_api_base_url=dead, timeout_s=1.0))

    api = start_api(setup=setup)
    tid = _blinding_lights(api)
    with api.client() as c:
        r = c.get(f"/api/v1/music/audio/{tid}")
    assert r.status_code == 503 and r.json()["error"] == "upstream_unavailable"


def test_unknown_and_malformed_ids(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        missing = c.get("/api/v1/music/audio/0000000000000000000000")
        bad = c.get("/api/v1/music/audio/spotify:track:abc")
    assert missing.status_code == 404 and missing.json()["error"] == "song_not_found"
    assert bad.status_code == 422 and bad.json()["field"] == "track_id"

"""PreviewService against fake Spotify / Deezer / iTunes servers on 127.0.0.1 (real HTTP, real SQLite cache).

Every service is exercised for: success, null preview, 429 with Retry-After, timeout, malformed JSON.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from core.infra.store_db import Database
from core.models import Track
from core.previews import PreviewConfig, PreviewService, matches, parse_retry_after
from tests.fakes.music_apis import FakeMusicApis

BL_ID = "0VjIjW4GlUZAMYd2vXMi3b"
BL = Track(
    track_id=BL_ID,
    title="Blinding Lights",
    artists=["The Weeknd"],
    danceability=0.5,
    energy=0.7,
    key=1,
    loudness=-5.9,
    mode=1,
    speechiness=0.06,
    acousticness=0.001,
    instrumentalness=0.0,
    liveness=0.09,
    valence=0.33,
    tempo=171.0,
)
DQ = BL.model_copy(
    update={"track_id": "0GjEhVFGZW8afUYGChu3Rr", "title": "Dancing Queen - Remastered 2014", "artists": ["ABBA"]}
)
SP_URL, DZ_URL, IT_URL = (
    "https://p.scdn.co/mp3-preview/bl",
    "https://cdnt-preview.dzcdn.net/bl.mp3",
    "https://audio-ssl.itunes.apple.com/bl.m4a",
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    conn = await Database.open(str(tmp_path / "cache.db"))  # migrated: preview_cache exists
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def apis() -> AsyncIterator[FakeMusicApis]:
    async with FakeMusicApis() as fakes:
        fakes.spotify.add("Blinding Lights", "The Weeknd", SP_URL, isrc="USUG11904206", track_id=BL_ID)
        fakes.deezer.add("Blinding Lights", "The Weeknd", DZ_URL, isrc="USUG11904206")
        fakes.itunes.add("Blinding Lights", "The Weeknd", IT_URL)
        yield fakes


def service(db: Database, apis: FakeMusicApis, **overrides: object) -> PreviewService:
    return PreviewService(db, config=apis.config(**overrides))


async def cached_rows(db: Database) -> list[tuple]:
    return [tuple(r) for r in await db.execute(text("SELECT track_id, url, source, expires_at FROM preview_cache"))]


# ---------------------------------------------------------------------------------------------------- success paths
async def test_spotify_success_and_token_reuse(db, apis) -> None:
    svc = service(db, apis)
    found = await svc.find(BL)
    assert found is not None and (found.preview_url, found.source, found.cached) == (SP_URL, "spotify", False)
    assert (
        found.spotify_url == f"https://open.spotify.com/track/{BL_ID}" and found.spotify_uri == f"spotify:track:{BL_ID}"
    )
    assert found.embed_url == f"https://open.spotify.com/embed/track/{BL_ID}"
    assert apis.deezer.requests == [] and apis.itunes.requests == []
    await db.execute(text("DELETE FROM preview_cache"))
    await svc.find(BL)
    assert apis.spotify.tokens_issued == 1 and len(apis.spotify.requests) == 2  # one client-credentials grant reused


async def test_spotify_null_preview_falls_to_deezer_by_isrc(db, apis) -> None:
    apis.spotify.behaviour.mode = "null"
    found = await service(db, apis).find(BL)
    assert found is not None and (found.preview_url, found.source) == (DZ_URL, "deezer")
    assert apis.deezer.log == ["GET /track/isrc:USUG11904206"]  # exact ISRC lookup, no fuzzy search needed


async def test_without_credentials_spotify_is_never_called(db, apis) -> None:
    found = await service(db, apis, spotify=False).find(BL)
    assert found is not None and found.source == "deezer"
    assert apis.spotify.requests == [] and apis.spotify.token_requests == 0
    assert apis.deezer.log[0].startswith("GET /search?q=artist")


async def test_deezer_null_falls_to_itunes(db, apis) -> None:
    apis.deezer.behaviour.mode = "null"
    found = await service(db, apis, spotify=False).find(BL)
    assert found is not None and (found.preview_url, found.source) == (IT_URL, "itunes")


async def test_all_null_returns_none_and_caches_the_miss(db, apis) -> None:
    for api in (apis.spotify, apis.deezer, apis.itunes):
        api.behaviour.mode = "null"
    svc = service(db, apis)
    assert await svc.find(BL) is None
    before = apis.total_requests
    assert await svc.find(BL) is None
    assert apis.total_requests == before  # the miss is cached
    (row,) = await cached_rows(db)
    assert row[1] is None and row[3] - time.time() <= 6 * 3600 + 1


async def test_track_unknown_to_spotify_is_a_definite_miss(db, apis) -> None:
    svc = service(db, apis)
    assert await svc.find(DQ) is None  # Spotify 404, nothing on Deezer or iTunes
    assert apis.spotify.log == [f"GET /v1/tracks/{DQ.track_id}"]
    assert [r[0] for r in await cached_rows(db)] == [DQ.track_id]  # every provider answered: the miss is cached


async def test_result_is_cached_with_ttl(db, apis) -> None:
    svc = service(db, apis, cache_ttl_s=100.0)
    await svc.find(BL)
    before = apis.total_requests
    hit = await svc.find(BL)
    assert hit is not None and hit.cached and hit.preview_url == SP_URL and apis.total_requests == before
    (row,) = await cached_rows(db)
    assert 90 < row[3] - time.time() <= 100
    await db.execute(text("UPDATE preview_cache SET expires_at = :t"), {"t": time.time() - 1})  # expired
    again = await svc.find(BL)
    assert again is not None and not again.cached and apis.total_requests > before


async def test_signed_url_is_not_cached_past_its_expiry(db, apis) -> None:
    exp = int(time.time()) + 600
    apis.deezer.entries[0].preview = f"{DZ_URL}?hdnea=exp={exp}~acl=/api/1/*~hmac=abc"
    await service(db, apis, spotify=False, cache_ttl_s=86_400).find(BL)
    (row,) = await cached_rows(db)
    assert row[3] <= exp - 60


async def test_title_and_artist_must_match(db, apis) -> None:
    apis.deezer.entries[0].title = "Save Your Tears"  # same artist, other song
    apis.itunes.add("Dancing Queen", "ABBA", "https://itunes.example/dq.m4a")
    svc = service(db, apis, spotify=False)
    found = await svc.find(BL)
    assert found is not None and found.source == "itunes"
    dq = await svc.find(DQ)  # "Dancing Queen - Remastered 2014" matches "Dancing Queen"
    assert dq is not None and dq.preview_url == "https://itunes.example/dq.m4a"
    assert matches(BL, "Blinding Lights", "The Weeknd") > 0 and matches(BL, "Blinding Lights", "Someone Else") == 0


async def test_concurrent_lookups_share_one_request_chain(db, apis) -> None:
    svc = service(db, apis, spotify=False)
    results = await asyncio.gather(*(svc.find(BL) for _ in range(5)))
    assert {r.preview_url for r in results if r} == {DZ_URL}
    assert len(apis.deezer.requests) == 1


# ---------------------------------------------------------------------------------------------------- 429 Retry-After
@pytest.mark.parametrize("provider", ["spotify", "deezer", "itunes"])
async def test_429_short_retry_after_waits_then_retries_once(db, apis, provider) -> None:
    fake = getattr(apis, provider)
    fake.behaviour.mode, fake.behaviour.retry_after, fake.behaviour.times = "429", "1", 1
    if provider == "itunes":
        apis.deezer.behaviour.mode = "null"
    svc = service(db, apis, spotify=provider == "spotify")
    started = time.perf_counter()
    found = await svc.find(BL)
    elapsed = time.perf_counter() - started
    assert found is not None and found.source == provider
    assert len(fake.requests) == 2 and 1.0 <= elapsed < 2.5


@pytest.mark.parametrize("provider", ["spotify", "deezer", "itunes"])
async def test_429_long_retry_after_skips_and_cools_down(db, apis, provider) -> None:
    fake = getattr(apis, provider)
    fake.behaviour.mode, fake.behaviour.retry_after = "429", "3600"
    svc = service(db, apis, spotify=provider in ("spotify", "itunes"))
    if provider == "itunes":
        apis.spotify.behaviour.mode = "null"
        apis.deezer.behaviour.mode = "null"
    started = time.perf_counter()
    found = await svc.find(BL)
    assert time.perf_counter() - started < 1.0  # never sleeps an hour
    assert len(fake.requests) == 1
    if provider == "itunes":
        assert found is None
    else:
        assert found is not None and found.source != provider
    await db.execute(text("DELETE FROM preview_cache"))
    await svc.find(BL)
    assert len(fake.requests) == 1  # still cooling down: not asked again
    if provider == "itunes":
        assert await cached_rows(db) == []  # a rate-limited miss is not cached


async def test_429_every_time_never_loops(db, apis) -> None:
    apis.deezer.behaviour.mode, apis.deezer.behaviour.retry_after = "429", "0.2"
    found = await service(db, apis, spotify=False).find(BL)
    assert found is not None and found.source == "itunes"
    assert len(apis.deezer.requests) == 2  # the request and exactly one retry


async def test_429_without_retry_after_and_http_date() -> None:
    assert parse_retry_after(None) == 2.0
    assert parse_retry_after("junk") == 2.0
    assert parse_retry_after("7") == 7.0 and parse_retry_after("-3") == 0.0
    from email.utils import formatdate

    assert 25 <= parse_retry_after(formatdate(time.time() + 30, usegmt=True)) <= 31


async def test_deezer_quota_error_in_body_skips(db, apis) -> None:
    apis.deezer.behaviour.mode = "quota"
    found = await service(db, apis, spotify=False).find(BL)
    assert found is not None and found.source == "itunes"
    assert await cached_rows(db) != []  # the iTunes hit is cached


async def test_itunes_403_throttling_skips(db, apis) -> None:
    apis.deezer.behaviour.mode = "null"
    apis.itunes.behaviour.mode = "403"
    assert await service(db, apis, spotify=False).find(BL) is None
    assert await cached_rows(db) == []


# ---------------------------------------------------------------------------------------------------- timeouts
@pytest.mark.parametrize("provider", ["spotify", "deezer", "itunes"])
async def test_timeout_skips_to_next_provider(db, apis, provider) -> None:
    fake = getattr(apis, provider)
    fake.behaviour.mode, fake.behaviour.delay_s = "timeout", 3.0
    if provider == "itunes":
        apis.spotify.behaviour.mode = apis.deezer.behaviour.mode = "null"
    svc = service(db, apis, timeout_s=0.3)
    started = time.perf_counter()
    found = await svc.find(BL)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.5
    if provider == "itunes":
        assert found is None and await cached_rows(db) == []  # transient failure: not cached
    else:
        assert found is not None and found.source != provider


async def test_whole_lookup_budget(db, apis) -> None:
    for api in (apis.spotify, apis.deezer, apis.itunes):
        api.behaviour.mode, api.behaviour.delay_s = "timeout", 3.0
    svc = service(db, apis, timeout_s=2.0, budget_s=0.5)
    started = time.perf_counter()
    assert await svc.find(BL) is None
    assert time.perf_counter() - started < 1.2
    assert await cached_rows(db) == []


# ---------------------------------------------------------------------------------------------------- malformed
@pytest.mark.parametrize("provider", ["spotify", "deezer", "itunes"])
async def test_malformed_json_skips(db, apis, provider) -> None:
    fake = getattr(apis, provider)
    fake.behaviour.mode = "malformed"
    if provider == "itunes":
        apis.spotify.behaviour.mode = apis.deezer.behaviour.mode = "null"
    found = await service(db, apis).find(BL)
    if provider == "itunes":
        assert found is None
    else:
        assert found is not None and found.source != provider


async def test_malformed_token_and_server_errors(db, apis) -> None:
    apis.spotify.token_mode = "malformed"
    apis.deezer.behaviour.mode = "500"
    found = await service(db, apis).find(BL)
    assert found is not None and found.source == "itunes"


async def test_spotify_401_drops_the_token(db, apis) -> None:
    svc = service(db, apis)
    await svc.find(BL)
    svc._token = ("revoked", time.monotonic() + 999)
    await db.execute(text("DELETE FROM preview_cache"))
    found = await svc.find(BL)
    assert found is not None and found.source == "deezer" and svc._token is None
    await db.execute(text("DELETE FROM preview_cache"))
    found = await svc.find(BL)  # a fresh token on the next lookup
    assert found is not None and found.source == "spotify" and apis.spotify.tokens_issued == 2


# ------------------------------------------------------------------------------------- batch / engine / settings
async def test_many_within_budget(db, apis) -> None:
    apis.itunes.add("Dancing Queen", "ABBA", "https://itunes.example/dq.m4a")
    apis.deezer.behaviour.mode, apis.deezer.behaviour.delay_s = "timeout", 3.0
    svc = service(db, apis, spotify=False, timeout_s=2.5)
    started = time.perf_counter()
    out = await svc.many([BL, DQ, BL], budget_s=0.4)
    assert time.perf_counter() - started < 1.0
    assert out == {BL_ID: None, DQ.track_id: None}  # too slow: None now, never an error


async def test_engine_preview_and_links(engine, apis) -> None:
    engine.app.personal.configure_previews(apis.config(spotify=False))
    apis.deezer.entries.clear()
    apis.itunes.entries.clear()
    apis.deezer.add("Blinding Lights", "The Weeknd", DZ_URL)
    got = await engine.app.personal.preview("Blinding Lights - The Weeknd")
    assert got.preview_url == DZ_URL and got.track.title == "Blinding Lights"
    assert got.spotify_url == f"https://open.spotify.com/track/{got.track.track_id}"
    urls = await engine.app.personal.preview_urls([got.track.track_id, "unknownid0000000000000"])
    assert urls == {got.track.track_id: DZ_URL, "unknownid0000000000000": None}
    for api in (apis.deezer, apis.itunes):
        api.behaviour.mode = "malformed"
    other = await engine.app.personal.preview("Say So - Doja Cat")  # every provider broken: still an answer, no exception
    assert other.preview_url is None and other.spotify_uri == f"spotify:track:{other.track.track_id}"


def test_config_from_settings_and_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.settings import Settings

    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SPOTIFY_CLIENT_ID": "cid",
        "SPOTIFY_CLIENT_SECRET": "csecret",
        "SPOTIFY_API_BASE_URL": "http://127.0.0.1:1/v1",
        "SPOTIFY_ACCOUNTS_URL": "http://127.0.0.1:2",
        "DEEZER_API_BASE_URL": "http://127.0.0.1:3",
        "ITUNES_API_BASE_URL": "http://127.0.0.1:4",
        "PREVIEW_CACHE_TTL_S": "60",
        "PREVIEW_TIMEOUT_S": "1.5",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert "csecret" not in repr(settings)
    for cfg in (PreviewConfig.from_settings(settings), PreviewConfig.from_env()):
        assert cfg.spotify_enabled and cfg.spotify_client_secret == "csecret"
        assert (cfg.spotify_api_base_url, cfg.spotify_accounts_url) == ("http://127.0.0.1:1/v1", "http://127.0.0.1:2")
        assert (cfg.deezer_api_base_url, cfg.itunes_api_base_url) == ("http://127.0.0.1:3", "http://127.0.0.1:4")
        assert (cfg.cache_ttl_s, cfg.timeout_s) == (60.0, 1.5)
    defaults = PreviewConfig.from_env({})
    assert not defaults.spotify_enabled and defaults.deezer_api_base_url == "https://api.deezer.com"

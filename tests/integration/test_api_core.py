"""The core pieces the REST API stands on, tested without HTTP: the API caller's role (core.policy.api_caller),
catalog paging (core.browse) and the preview outcome that tells "no preview" from "lookup failed"
(PreviewService.find_outcome), on real SQLite files and fake preview servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.browse import list_tracks
from core.engine import Engine
from core.infra.store_db import Database
from core.errors import InvalidInput
from core.models import Role, Track
from core.policy import api_caller, may_edit_catalog
from core.previews import PreviewService
from tests.fakes.music_apis import FakeMusicApis

KEY = "the-admin-key-0123456789"


# ---------------------------------------------------------------------------------------------- policy
def test_api_caller_is_admin_only_with_the_exact_configured_key() -> None:
    assert api_caller("1.2.3.4", KEY, KEY).role is Role.ADMIN
    assert may_edit_catalog(api_caller("1.2.3.4", KEY, KEY))
    for sent, configured in [(KEY, None), (KEY, ""), (None, KEY), ("", KEY), (KEY + " ", KEY), (KEY[:-1], KEY),
                             (KEY.upper(), KEY), ("", ""), (None, None)]:
        caller = api_caller("1.2.3.4", sent, configured)
        assert caller.role is Role.USER and not may_edit_catalog(caller), (sent, configured)
    caller = api_caller("203.0.113.9", None, KEY)
    assert caller.platform == "api" and caller.user_id == "203.0.113.9"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_no_other_key_is_admin(sent: str) -> None:
    assert api_caller("c", sent, KEY).is_admin == (sent == KEY)


# ---------------------------------------------------------------------------------------------- browse
async def test_pages_cover_the_catalog_in_order(engine: Engine) -> None:
    first = await list_tracks(engine.app.discovery, skip=0, limit=50)
    second = await list_tracks(engine.app.discovery, skip=50, limit=50)
    assert first.total == second.total == len(engine.loaded.table)
    ids = [t.track_id for t in first.tracks + second.tracks]
    assert len(ids) == len(set(ids)) == 100
    last = await list_tracks(engine.app.discovery, skip=first.total - 3, limit=50)
    assert len(last.tracks) == 3
    assert (await list_tracks(engine.app.discovery, skip=first.total, limit=5)).tracks == []


async def test_a_deleted_track_leaves_the_listing(engine: Engine, admin) -> None:
    page = await list_tracks(engine.app.discovery, skip=0, limit=3)
    gone = page.tracks[1].track_id
    await engine.app.admin.delete_song(admin, gone)
    after = await list_tracks(engine.app.discovery, skip=0, limit=3)
    assert gone not in [t.track_id for t in after.tracks] and after.total == page.total - 1


async def test_search_pages_and_notes(engine: Engine) -> None:
    page = await list_tracks(engine.app.discovery, skip=0, limit=3, search="daft punk")
    assert page.tracks and all("Daft Punk" in t.artists for t in page.tracks) and page.note == ""
    rest = await list_tracks(engine.app.discovery, skip=3, limit=50, search="daft punk")
    assert not {t.track_id for t in page.tracks} & {t.track_id for t in rest.tracks}
    assert page.total == len(page.tracks) + len(rest.tracks)
    missing = await list_tracks(engine.app.discovery, search="Zzyzx Qwertyuiop Orchestra")
    assert missing.tracks == [] and missing.note.startswith("Nothing in this catalog matches")


@pytest.mark.parametrize(("skip", "limit", "field"), [(-1, 10, "skip"), (0, 0, "limit"), (0, 51, "limit")])
async def test_bad_paging_is_invalid_input(engine: Engine, skip: int, limit: int, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        await list_tracks(engine.app.discovery, skip=skip, limit=limit)
    assert err.value.field == field


# ---------------------------------------------------------------------------------------------- previews
TRACK = Track(track_id="0sf12qNH5qcw8qpgymFOqD", title="Blinding Lights", artists=["The Weeknd"], danceability=0.5,
              energy=0.7, key=1, loudness=-5.9, mode=1, speechiness=0.06, acousticness=0.001, instrumentalness=0.0,
              liveness=0.09, valence=0.33, tempo=171.0)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    conn = await Database.open(str(tmp_path / "cache.db"))
    try:
        yield conn
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("mode", "url", "answered"),
    [("ok", "https://cdn.example/bl.mp3", True), ("null", None, True), ("500", None, False),
     ("malformed", None, False), ("429", None, False)],
)
async def test_find_outcome_tells_no_preview_from_a_failed_lookup(db, mode: str, url: str | None, answered: bool) -> None:
    async with FakeMusicApis() as apis:
        apis.deezer.add("Blinding Lights", "The Weeknd", "https://cdn.example/bl.mp3")
        for fake in (apis.deezer, apis.itunes):
            fake.behaviour.mode = mode
            fake.behaviour.retry_after = "3600"
        service = PreviewService(db, config=apis.config(spotify=False, timeout_s=1.0))
        found, was_answered = await service.find_outcome(TRACK)
    assert (found.preview_url if found else None) == url
    assert was_answered is answered

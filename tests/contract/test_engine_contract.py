"""The engine and every store it uses (conversations, feedback, rate limits, playlists, previews cache, catalog
admin) behave the same on SQLite and PostgreSQL."""

from __future__ import annotations


import pytest

from core.engine import Engine
from core.errors import InvalidInput
from core.models import Caller, Role
from core.ratelimit import RatePolicy

ADMIN = Caller(user_id="a1", platform="test", role=Role.ADMIN)
USER = Caller(user_id="u1", platform="test", role=Role.USER)



async def test_chat_continues_a_stored_conversation(engine: Engine) -> None:
    first = await engine.app.chat.chat("test:c1", USER, "something upbeat to dance to")
    assert first.recommendation is not None and first.recommendation.tracks
    more = await engine.app.chat.chat("test:c1", USER, "more")
    assert more.recommendation is not None and more.recommendation.tracks
    shown = {t.track.track_id for t in first.recommendation.tracks}
    assert not shown & {t.track.track_id for t in more.recommendation.tracks}  # the next page, from the stored state
    store = await engine.app.sessions.conversation_store()
    assert (await store.stats())["conversations"] == 1


async def test_feedback_rate_limits_playlists_and_previews_cache(engine: Engine) -> None:
    track = engine.loaded.table.track(0)
    liked = await engine.app.personal.like(USER, track.track_id)
    assert liked.value == "like" and (await engine.app.personal.like(USER, track.track_id)).previous == "like"
    await engine.app.personal.dislike(USER, track.track_id)
    assert await engine.app.personal.disliked_ids(USER) == {track.track_id}

    policy = RatePolicy("contract", burst=2, refill_s=3600.0)
    verdicts = [await engine.app.rate_limits.hit("test:u1", policy) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, False, False]
    assert [v.notify for v in verdicts[2:]] == [True, False]  # one notice, then silence

    created = await engine.app.playlists.create(USER, "test:g1", "Road trip")
    await engine.app.playlists.add(USER, "test:g1", created.name, [track.track_id, engine.loaded.table.track(1).track_id])
    page = await engine.app.playlists.show("test:g1", created.name)
    assert [e.track_id for e in page.entries] == [track.track_id, engine.loaded.table.track(1).track_id]

    await engine.app.previews._store(track.track_id, "https://example.invalid/p.mp3", "deezer")
    await engine.app.previews._store(track.track_id, "https://example.invalid/q.mp3", "itunes")  # upsert
    cached = await engine.app.previews._cached(track)
    assert cached is not None and cached.preview_url.endswith("q.mp3") and cached.source == "itunes"


async def test_admin_edits_are_field_level_and_stored(engine: Engine, db_url: str) -> None:
    track = engine.loaded.table.track(2)
    edited = await engine.app.admin.edit_song(ADMIN, track.track_id, {"energy": 0.321})
    assert edited.energy == 0.321 and edited.valence == track.valence
    new = track.model_dump(exclude={"artist", "spotify_url"}) | {"track_id": "2" * 22, "title": "Contract Song"}
    added = await engine.app.admin.add_song(ADMIN, new)
    assert added.track_id in engine.loaded.table.pos
    with pytest.raises(InvalidInput, match="already exists"):
        await engine.app.admin.add_song(ADMIN, new)
    await engine.app.admin.delete_song(ADMIN, added.track_id)
    assert added.track_id not in engine.loaded.table.pos
    other = await Engine.open(db_url, seed=False)  # what another process would load
    try:
        assert other.loaded.table.track(other.loaded.table.pos[track.track_id]).energy == 0.321
        assert added.track_id not in other.loaded.table.pos
    finally:
        await other.close()


async def test_discord_pages_live_in_the_catalog_database(engine: Engine) -> None:
    from adapters.discord.store import PageState, SharedPageStore

    store = SharedPageStore(engine.app.sessions.button_store)
    key = await store.save(PageState(kind="search", query="daft punk", shown=["a", "b"], page=1))
    again = SharedPageStore(engine.app.sessions.button_store)  # another shard process reads what this one wrote
    loaded = await again.load(key)
    assert loaded is not None and loaded.query == "daft punk" and loaded.shown == ["a", "b"]
    assert await again.load("nope") is None


async def test_concurrent_store_calls_and_transactions_do_not_interfere(engine: Engine) -> None:
    import asyncio

    policy = RatePolicy("burst", burst=100, refill_s=3600.0)
    tracks = [engine.loaded.table.track(i).track_id for i in range(6)]

    async def playlist(i: int) -> int:
        made = await engine.app.playlists.create(USER, "test:g2", f"List {i}")
        await engine.app.playlists.add(USER, "test:g2", made.name, tracks[: i + 1])
        return (await engine.app.playlists.show("test:g2", made.name)).total

    results = await asyncio.gather(
        *(playlist(i) for i in range(5)),
        *(engine.app.rate_limits.hit(f"test:user{i % 3}", policy) for i in range(30)),
        *(engine.app.personal.like(Caller(user_id=f"u{i}", platform="test", role=Role.USER), tracks[i % 6]) for i in range(12)),
    )
    assert results[:5] == [1, 2, 3, 4, 5]
    assert all(v.allowed for v in results[5:35])
    assert len(await engine.app.playlists.list("test:g2")) == 5

"""PlaylistService rules, run against BOTH stores: the in-memory fake and SQLite (one shared suite).

The engine is a real one over a 400-track sample of the shipped catalog (seeded in ~0.05 s, in memory).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from core.engine import Engine
from core.errors import InvalidInput, LimitReached, PermissionDenied, SongNotFound
from core.models import Caller, Role
from core.playlists import (
    MemoryPlaylistStore,
    PlaylistLimits,
    PlaylistNotFound,
    PlaylistService,
    SqlitePlaylistStore,
    diversify,
    member_key,
)
from tests.fakes.music_apis import write_small_catalog

G = "console:local"
ALICE = Caller(user_id="alice", platform="telegram")
BOB = Caller(user_id="bob", platform="telegram")
ADMIN = Caller(user_id="root", platform="telegram", role=Role.ADMIN)


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_catalog(tmp_path_factory.mktemp("cat") / "small.csv", include=("Blinding Lights", "Say So"))


@pytest.fixture
async def small_engine(small_csv: Path) -> AsyncIterator[Engine]:
    eng = await Engine.open(":memory:", seed_path=small_csv)
    try:
        yield eng
    finally:
        await eng.close()


@pytest.fixture(params=["memory", "sqlite"])
def make_service(request: pytest.FixtureRequest, small_engine: Engine):
    """Factory: a PlaylistService over the chosen store, with optional custom limits."""

    def make(**limits: int) -> PlaylistService:
        if request.param == "memory":
            store = MemoryPlaylistStore()
        else:
            store = SqlitePlaylistStore(small_engine.database)
        return PlaylistService(
            small_engine.app.discovery, store, PlaylistLimits(**limits), exclusions=small_engine.app.feedback.exclusions
        )

    return make


@pytest.fixture
def svc(make_service) -> PlaylistService:
    return make_service()


def ids(engine: Engine, n: int, start: int = 0) -> list[str]:
    """``n`` track ids with distinct dedupe keys (so none is a duplicate of another)."""
    out, keys = [], set()
    for p in engine.loaded.table.alive_positions()[start:]:
        p = int(p)
        if engine.loaded.table.norm_keys[p] not in keys:
            keys.add(engine.loaded.table.norm_keys[p])
            out.append(engine.loaded.table.ids[p])
        if len(out) == n:
            break
    return out


# ---------------------------------------------------------------------------------------------------- create / get
async def test_create_get_list_case_insensitive(svc: PlaylistService) -> None:
    p = await svc.create(ALICE, G, "  Road   Trip ")
    assert p.name == "Road Trip" and p.track_count == 0 and p.created_by == "telegram:alice"
    assert (await svc.get(G, "road trip")).playlist_id == p.playlist_id
    assert (await svc.get(G, "RÖAD TRIP")).playlist_id == p.playlist_id  # accents and case ignored
    assert (await svc.get(G, f"#{p.playlist_id}")).name == "Road Trip"
    assert (await svc.get(G, p.playlist_id)).name == "Road Trip"
    await svc.create(BOB, G, "Chill")
    assert [x.name for x in await svc.list(G)] == ["Chill", "Road Trip"]


async def test_duplicate_and_invalid_names(svc: PlaylistService) -> None:
    await svc.create(ALICE, G, "Road Trip")
    with pytest.raises(InvalidInput, match="already exists"):
        await svc.create(BOB, G, "road trip")
    for bad in ("", "   ", "#1", "x" * 101):
        with pytest.raises(InvalidInput):
            await svc.create(ALICE, G, bad)
    assert (await svc.create(ALICE, G, "x" * 100)).name == "x" * 100
    assert (await svc.create(ALICE, G, "🔥🔥")).name == "🔥🔥"  # no letters: keyed by the raw text


async def test_groups_are_isolated_and_validated(svc: PlaylistService) -> None:
    a = await svc.create(ALICE, "telegram:-100123", "Mix")
    b = await svc.create(ALICE, "discord:999", "Mix")
    assert a.playlist_id != b.playlist_id
    with pytest.raises(PlaylistNotFound):
        await svc.get("discord:999", a.playlist_id)  # an id from another group is not reachable
    with pytest.raises(PlaylistNotFound):
        await svc.get(G, "Mix")
    for bad in ("", "local", "Telegram:1", "telegram:", "tele gram:1"):
        with pytest.raises(InvalidInput, match="group id"):
            await svc.create(ALICE, bad, "x")


async def test_not_found_suggests_close_names(svc: PlaylistService) -> None:
    await svc.create(ALICE, G, "Road Trip")
    with pytest.raises(PlaylistNotFound) as err:
        await svc.get(G, "Rod Trip")
    assert err.value.suggestions == ["Road Trip"] and "Did you mean: Road Trip" in str(err.value)
    with pytest.raises(PlaylistNotFound, match="Create it"):
        await svc.get(G, "zzzzzz")


async def test_playlists_per_group_limit(make_service) -> None:
    svc = make_service(playlists_per_group=3)
    for i in range(3):
        await svc.create(ALICE, G, f"P{i}")
    with pytest.raises(LimitReached, match="already has 3 playlists"):
        await svc.create(ALICE, G, "P3")
    await svc.create(ALICE, "console:other", "P3")  # the limit is per group


# ---------------------------------------------------------------------------------------------------- add
async def test_add_by_id_link_uri_title_and_fuzzy(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Mix")
    a, b, c = ids(small_engine, 3)
    bl = small_engine.loaded.table.ids[small_engine.app.tracks.resolve("Blinding Lights - The Weeknd")]
    change = await svc.add(
        ALICE, G, "mix", [a, f"https://open.spotify.com/track/{b}?si=xyz", f"spotify:track:{c}", "Blinding Lites"]
    )
    assert [t.track_id for t in change.added] == [a, b, c, bl]
    assert change.playlist.track_count == 4 and change.already == []
    assert 'Added 4 tracks to "Mix" (4/500)' in change.message
    single = await svc.add(BOB, G, "Mix", "Say So")
    assert single.message.startswith('Added "Say So - Doja Cat" to "Mix" (5/500)')


async def test_duplicate_add_is_a_noop_with_message(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Mix")
    await svc.add(ALICE, G, "Mix", "Blinding Lights")
    again = await svc.add(
        BOB,
        G,
        "Mix",
        "https://open.spotify.com/track/" + small_engine.loaded.table.ids[small_engine.app.tracks.resolve("Blinding Lights")],
    )
    assert again.added == [] and [t.title for t in again.already] == ["Blinding Lights"]
    assert again.message == '"Blinding Lights - The Weeknd" is already in "Mix".'
    assert again.playlist.track_count == 1
    mixed = await svc.add(BOB, G, "Mix", ["Blinding Lights", "Say So", "Say So"])
    assert [t.title for t in mixed.added] == ["Say So"] and len(mixed.already) == 1
    assert mixed.playlist.track_count == 2


async def test_add_is_all_or_nothing_on_unknown_song(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Mix")
    with pytest.raises(SongNotFound) as err:
        await svc.add(ALICE, G, "Mix", ["Blinding Lights", "qqqq zzzz xxxx nothing like this"])
    assert "No track found" in str(err.value)
    assert (await svc.get(G, "Mix")).track_count == 0
    with pytest.raises(InvalidInput):
        await svc.add(ALICE, G, "Mix", [])
    with pytest.raises(PlaylistNotFound):
        await svc.add(ALICE, G, "Nope", "Blinding Lights")


async def test_tracks_per_playlist_limit(make_service, small_engine: Engine) -> None:
    svc = make_service(tracks_per_playlist=5)
    await svc.create(ALICE, G, "Small")
    tracks = ids(small_engine, 8)
    await svc.add(ALICE, G, "Small", tracks[:4])
    with pytest.raises(LimitReached, match=r'"Small" has 4/5 tracks; adding 2 more would exceed the limit of 5'):
        await svc.add(ALICE, G, "Small", tracks[4:6])
    assert (await svc.get(G, "Small")).track_count == 4  # nothing added
    await svc.add(ALICE, G, "Small", tracks[4])
    with pytest.raises(LimitReached):
        await svc.add(ALICE, G, "Small", tracks[5])
    dup = await svc.add(ALICE, G, "Small", tracks[0])  # a duplicate at the limit is still just a no-op
    assert dup.added == [] and len(dup.already) == 1


# ---------------------------------------------------------------------------------------------------- remove
async def test_remove_permissions_and_refs(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Mix")
    a, b, c, d = ids(small_engine, 4)
    await svc.add(ALICE, G, "Mix", [a, b])
    await svc.add(BOB, G, "Mix", [c, d])
    with pytest.raises(PermissionDenied):
        await svc.remove(BOB, G, "Mix", a)  # Bob did not add it and did not create the playlist
    assert (await svc.remove(BOB, G, "Mix", "#3")).removed == [c]  # his own, by index as shown
    assert (await svc.remove(ALICE, G, "Mix", f"spotify:track:{d}")).removed == [d]  # the creator may remove any
    await svc.add(BOB, G, "Mix", [c])
    assert (await svc.remove(BOB, G, "Mix", a, group_admin=True)).removed == [a]
    assert (await svc.remove(ADMIN, G, "Mix", b)).removed == [b]
    out = await svc.remove(ALICE, G, "Mix", ["Blinding Lights", c])
    assert out.removed == [c] and out.missing == ["Blinding Lights"] and "Not in" in out.message
    with pytest.raises(InvalidInput, match="out of range"):
        await svc.remove(ALICE, G, "Mix", "#9")


# ---------------------------------------------------------------------------------------------------- show
async def test_show_paginates_in_insertion_order(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Long")
    tracks = ids(small_engine, 23)
    for i in range(0, 23, 5):
        await svc.add(ALICE if i % 2 else BOB, G, "Long", tracks[i : i + 5])
    first = await svc.show(G, "Long", page=1, per_page=10)
    assert (first.total, first.pages, first.page) == (23, 3, 1)
    assert [e.index for e in first.entries] == list(range(1, 11))
    last = await svc.show(G, "Long", page=3, per_page=10)
    assert [e.track_id for e in last.entries] == tracks[20:]
    assert [e.index for e in last.entries] == [21, 22, 23]
    beyond = await svc.show(G, "Long", page=99, per_page=10)
    assert beyond.page == 3
    every = [e.track_id for p in range(1, 4) for e in (await svc.show(G, "Long", page=p, per_page=10)).entries]
    assert every == tracks
    assert first.entries[0].added_by == member_key(BOB) and first.entries[0].track is not None
    for bad in (0, 51):
        with pytest.raises(InvalidInput):
            await svc.show(G, "Long", per_page=bad)
    empty = await svc.create(ALICE, G, "Empty")
    page = await svc.show(G, empty.playlist_id)
    assert (page.total, page.pages, page.entries) == (0, 1, [])


# ---------------------------------------------------------------------------------------------------- rename / delete
async def test_rename_permissions_and_conflicts(svc: PlaylistService) -> None:
    await svc.create(ALICE, G, "Mix")
    await svc.create(BOB, G, "Other")
    with pytest.raises(PermissionDenied):
        await svc.rename(BOB, G, "Mix", "Bob's now")
    with pytest.raises(InvalidInput, match="already exists"):
        await svc.rename(ALICE, G, "Mix", "OTHER")
    assert (await svc.rename(ALICE, G, "mix", "Mix 2")).name == "Mix 2"
    assert (await svc.rename(ALICE, G, "Mix 2", "mix 2")).name == "mix 2"  # re-casing its own name is fine
    assert (await svc.rename(ADMIN, G, "mix 2", "Admin's")).name == "Admin's"
    assert (await svc.rename(BOB, G, "Admin's", "Group's", group_admin=True)).name == "Group's"
    with pytest.raises(PlaylistNotFound):
        await svc.get(G, "Mix")


async def test_delete_permissions(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Mix")
    await svc.add(BOB, G, "Mix", ids(small_engine, 2))
    with pytest.raises(PermissionDenied):
        await svc.delete(BOB, G, "Mix")
    gone = await svc.delete(ALICE, G, "Mix")
    assert gone.name == "Mix" and gone.track_count == 2
    with pytest.raises(PlaylistNotFound):
        await svc.show(G, "Mix")
    await svc.create(ALICE, G, "Again")  # the name is free again
    assert (await svc.delete(BOB, G, "Again", group_admin=True)).name == "Again"
    await svc.create(ALICE, G, "Third")
    assert (await svc.delete(ADMIN, G, "Third")).name == "Third"


# ---------------------------------------------------------------------------------------------------- export
async def test_export_links_and_uris_built_from_ids(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Mix")
    tracks = ids(small_engine, 3)
    await svc.add(ALICE, G, "Mix", tracks)
    ex = await svc.export(G, "Mix")
    assert ex.urls == [f"https://open.spotify.com/track/{t}" for t in tracks]
    assert ex.uris == [f"spotify:track:{t}" for t in tracks]
    assert ex.as_text("uris") == "\n".join(ex.uris) and ex.as_text() == "\n".join(ex.urls)


async def test_track_deleted_from_catalog_stays_listed_and_exported(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Mix")
    a, b = ids(small_engine, 2)
    await svc.add(ALICE, G, "Mix", [a, b])
    await small_engine.app.admin.delete_song(ADMIN, a)
    page = await svc.show(G, "Mix")
    assert page.entries[0].track is None and page.entries[0].track_id == a
    assert page.entries[0].spotify_url.endswith(a) and "not in catalog" in page.entries[0].label
    assert (await svc.export(G, "Mix")).track_ids == [a, b]
    assert (await svc.remove(ALICE, G, "Mix", a)).removed == [a]  # removable by raw id


# ---------------------------------------------------------------------------------------------------- recommend
async def test_recommend_excludes_playlist_duplicates_and_dislikes(svc: PlaylistService, small_engine: Engine) -> None:
    await svc.create(ALICE, G, "Mix")
    tracks = ids(small_engine, 12)
    await svc.add(ALICE, G, "Mix", tracks)
    rec = await svc.recommend(BOB, G, "Mix", limit=10)
    got = [r.track.track_id for r in rec.tracks]
    assert rec.kind == "playlist" and len(got) == 10 and len(set(got)) == 10
    t = small_engine.loaded.table
    in_keys = {t.norm_keys[t.pos[i]] for i in tracks}
    assert not set(got) & set(tracks)
    assert not {t.norm_keys[t.pos[i]] for i in got} & in_keys
    assert rec.tracks[0].score == pytest.approx(1.0) and all(r.reason for r in rec.tracks)
    # Bob dislikes the first two; a conversation already showed the third
    await small_engine.app.personal.dislike(BOB, got[0])
    await small_engine.app.personal.dislike(BOB, got[1])
    again = await svc.recommend(BOB, G, "Mix", limit=10, exclude_ids=[got[2]])
    assert not {r.track.track_id for r in again.tracks} & set(got[:3])
    alice = await svc.recommend(ALICE, G, "Mix", limit=10)  # Alice's dislikes are hers only
    assert got[0] in {r.track.track_id for r in alice.tracks}


async def test_recommend_errors(svc: PlaylistService) -> None:
    await svc.create(ALICE, G, "Empty")
    with pytest.raises(InvalidInput, match="no catalog tracks"):
        await svc.recommend(ALICE, G, "Empty")
    with pytest.raises(InvalidInput, match="limit"):
        await svc.recommend(ALICE, G, "Empty", limit=0)


def test_diversify_mmr() -> None:
    # two tight clusters; the first cluster is slightly more relevant
    vecs = np.array([[0, 0], [0.01, 0], [0.02, 0], [5, 5], [5.01, 5]], dtype=np.float32)
    rel = [1.0, 0.99, 0.98, 0.9, 0.89]
    assert diversify([10, 11, 12, 13, 14], rel, vecs, 2, lam=1.0) == [10, 11]  # pure relevance
    assert diversify([10, 11, 12, 13, 14], rel, vecs, 2, lam=0.7) == [10, 13]  # second pick from the other cluster
    assert diversify([10, 11], rel[:2], vecs[:2], 5) == [10, 11]
    assert diversify([], [], np.zeros((0, 2)), 3) == []

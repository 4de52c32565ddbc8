"""The use-case services of :mod:`core.app` on in-memory fakes of their ports (:mod:`tests.fakes.app_ports`): no
database, no engine — each service gets only the narrow parts it needs."""

from __future__ import annotations

import asyncio

import pytest

from core.app.catalog_admin import CatalogAdmin
from core.app.discovery import Discovery
from core.app.loaded import LoadedCatalog
from core.app.personal import Personal
from core.app.session import Sessions
from core.app.tracks import TrackFinder
from core.errors import InvalidInput, PermissionDenied, SongNotFound
from core.models import Caller, Role, Track
from core.recommender import Recommender
from core.table import TrackTable
from tests.fakes.app_ports import FakeCatalog, FakeConversations, FakePreviews, MemoryButtonStore, MemoryLeases

ADMIN = Caller(user_id="admin-1", platform="test", role=Role.ADMIN)
USER = Caller(user_id="user-1", platform="test", role=Role.USER)


def track(i: int, title: str, artist: str, **features: float) -> Track:
    """A track with every audio feature set (id: ``i`` as 22 digits)."""
    f = dict(danceability=0.5, energy=0.5, key=1, loudness=-8.0, mode=1, speechiness=0.05, acousticness=0.2,
             instrumentalness=0.0, liveness=0.1, valence=0.5, tempo=120.0)
    f.update(features)
    return Track(track_id=f"{i:022d}", title=title, artists=[artist], year=2000 + i, **f)


TRACKS = [track(1, "Blue Morning", "Ana Lume", energy=0.2), track(2, "Red Night", "Ben Stone", energy=0.9),
          track(3, "Green Field", "Cara Moss", energy=0.5), track(4, "Blue Night", "Ben Stone", energy=0.7)]


class World:
    """The services wired on fakes, as :class:`core.engine.Engine` wires them on real stores."""

    def __init__(self, *, lock: asyncio.Lock | None = None, conversations: FakeConversations | None = None,
                 leases: MemoryLeases | None = None) -> None:
        table = TrackTable()
        for t in TRACKS:
            table.upsert(t)
        self.catalog = FakeCatalog(TRACKS)
        self.loaded = LoadedCatalog(table, Recommender(table))
        self.lock = lock or asyncio.Lock()
        self.finder = TrackFinder(self.loaded)
        self.discovery = Discovery(self.loaded, self.catalog, self.finder)
        self.admin = CatalogAdmin(self.catalog, self.loaded, self.finder, self.lock)
        self.conversations = conversations or FakeConversations()
        self.leases = leases or MemoryLeases()
        self.opened: list[str] = []

        async def open_conversations() -> FakeConversations:
            self.opened.append("conversations")
            return self.conversations

        async def open_leases() -> MemoryLeases:
            self.opened.append("leases")
            return self.leases

        async def open_buttons() -> MemoryButtonStore:
            self.opened.append("buttons")
            return MemoryButtonStore()

        async def replay(*_: object, **__: object) -> object:
            raise AssertionError("not used here")

        self.sessions = Sessions(
            open_conversations=open_conversations, open_leases=open_leases, open_buttons=open_buttons, lock=self.lock,
            search=self.discovery, tracks=self.finder, replay=replay,
        )
        self.previews = FakePreviews({TRACKS[0].track_id: "https://cdn.example/preview1.mp3"})

        def no_service(*_: object) -> object:
            raise AssertionError("not used here")

        self.personal = Personal(self.discovery, self.sessions, make_feedback=no_service, make_playlists=no_service,
                                 make_previews=lambda config: self.previews)


# ---------------------------------------------------------------------------------------------- catalog admin
async def test_a_user_cannot_edit_and_nothing_changes() -> None:
    w = World()
    with pytest.raises(PermissionDenied):
        await w.admin.edit_song(USER, "Red Night", {"energy": 0.1})
    assert w.catalog.updates == [] and w.loaded.table.track(w.loaded.table.pos[TRACKS[1].track_id]).energy == 0.9


async def test_an_edit_writes_only_the_changed_fields_and_keeps_another_process_s_edit() -> None:
    w = World()
    tid = TRACKS[1].track_id
    w.catalog.tracks[tid] = w.catalog.tracks[tid].model_copy(update={"tempo": 99.0})  # another worker's edit
    edited = await w.admin.edit_song(ADMIN, "Red Night", {"energy": "0.3"})
    assert w.catalog.updates == [(tid, {"energy": 0.3})]  # never the row as this process remembers it
    assert (edited.energy, edited.tempo) == (0.3, 99.0)  # the table now holds the stored track: both edits
    assert w.loaded.table.track(w.loaded.table.pos[tid]).energy == 0.3


async def test_an_edit_of_a_track_deleted_meanwhile_says_so_and_drops_it_here_too() -> None:
    w = World()
    tid = TRACKS[2].track_id
    del w.catalog.tracks[tid]  # deleted by another process
    with pytest.raises(SongNotFound):
        await w.admin.edit_song(ADMIN, "Green Field", {"energy": 0.1})
    assert tid not in w.loaded.table.pos


async def test_bad_values_and_duplicates_are_refused_before_any_write() -> None:
    w = World()
    with pytest.raises(InvalidInput, match="energy"):
        await w.admin.edit_song(ADMIN, "Red Night", {"energy": 2})
    with pytest.raises(InvalidInput, match="already exists"):
        await w.admin.add_song(ADMIN, TRACKS[0].model_dump(exclude={"artist", "spotify_url"}))
    assert w.catalog.updates == [] and len(w.catalog.tracks) == 4


async def test_an_added_song_is_stored_resolvable_and_searchable() -> None:
    w = World()
    new = track(5, "Silver Rain", "Dora Vale").model_dump(exclude={"artist", "spotify_url"})
    added = await w.admin.add_song(ADMIN, {**new, "artists": "Dora Vale; Eli Fox"})
    assert added.artists == ["Dora Vale", "Eli Fox"] and added.track_id in w.catalog.tracks
    assert w.finder.label(w.finder.resolve("Silver Rain")) == "Silver Rain - Dora Vale, Eli Fox"
    rec = await w.discovery.search("silver rain")
    assert [t.track.track_id for t in rec.tracks] == [added.track_id]


async def test_deleting_needs_the_artist_when_a_title_is_ambiguous() -> None:
    w = World()
    w.catalog.tracks["x" * 22] = track(6, "Red Night", "Other Band")
    w.loaded.apply_upsert(w.catalog.tracks["x" * 22].model_copy(update={"track_id": "x" * 22}))
    with pytest.raises(InvalidInput, match="name the artist"):
        await w.admin.delete_song(ADMIN, "Red Night")
    gone = await w.admin.delete_song(ADMIN, "Red Night - Ben Stone")
    assert gone.track_id == TRACKS[1].track_id and gone.track_id not in w.catalog.tracks


# ---------------------------------------------------------------------------------------------- discovery
async def test_search_finds_by_words_and_says_when_nothing_matches() -> None:
    w = World()
    rec = await w.discovery.search("night", limit=5)
    assert {t.track.title for t in rec.tracks} == {"Red Night", "Blue Night"} and rec.kind == "search"
    empty = await w.discovery.search("zzqx nothing")
    assert empty.tracks == [] and empty.coverage and empty.coverage[0].kind == "no_match"
    with pytest.raises(InvalidInput):
        await w.discovery.search("night", limit=0)


# ---------------------------------------------------------------------------------------------- sessions
async def test_a_search_shown_to_a_conversation_is_what_hash_n_means() -> None:
    w = World()
    rec = await w.sessions.show_search("test:1", "night", limit=5)
    ids = [t.track.track_id for t in rec.tracks]
    assert await w.sessions.list_ref("test:1", "#2") == ids[1]
    assert await w.sessions.list_ref("test:1", "  Red   Night ") == "Red Night"  # not #N: unchanged, tidied
    with pytest.raises(InvalidInput, match="1–2"):
        await w.sessions.list_ref("test:1", "#9")
    with pytest.raises(InvalidInput, match="ask for some music first"):
        await w.sessions.list_ref("test:2", "#1")  # another conversation has no list
    found, note = await w.sessions.show_track("test:1", "#1")
    assert found.track_id == ids[0] and note == ""
    assert (await w.conversations.load_state("test:1")).focus == ids[0]


async def test_turns_of_one_conversation_never_interleave_across_workers() -> None:
    conversations, leases = FakeConversations(), MemoryLeases()
    a, b = World(conversations=conversations, leases=leases), World(conversations=conversations, leases=leases)
    events: list[str] = []

    async def turn(w: World, name: str) -> None:
        async with w.sessions.conversation_turn("test:1"):
            events.append(f"{name} in")
            for _ in range(5):
                await asyncio.sleep(0)
            events.append(f"{name} out")

    await asyncio.gather(turn(a, "a"), turn(b, "b"), turn(a, "a2"))
    pairs = [events[i : i + 2] for i in range(0, len(events), 2)]
    assert all(p[0].endswith(" in") and p[1] == p[0].replace(" in", " out") for p in pairs), events
    assert a.opened.count("leases") == 1  # the port is opened once per process


async def test_the_button_store_is_opened_once() -> None:
    w = World()
    first, second = await asyncio.gather(w.sessions.button_store(), w.sessions.button_store())
    assert first is second and w.opened.count("buttons") == 1


# ---------------------------------------------------------------------------------------------- personal
async def test_a_preview_is_found_or_the_track_comes_back_without_one() -> None:
    w = World()
    found = await w.personal.preview("Blue Morning")
    assert found.preview_url == "https://cdn.example/preview1.mp3" and found.track.title == "Blue Morning"
    none = await w.personal.preview("Green Field")
    assert none.preview_url is None and none.track.title == "Green Field"
    urls = await w.personal.preview_urls([TRACKS[0].track_id, "nope" * 5])
    assert urls == {TRACKS[0].track_id: "https://cdn.example/preview1.mp3", "nope" * 5: None}
    with pytest.raises(SongNotFound):
        await w.personal.preview("Nothing Like This Title")

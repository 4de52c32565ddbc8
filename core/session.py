"""Sessions: what one conversation has been shown, across pages, commands, buttons and adapters.

A conversation (``telegram:<chat_id>``, ``discord:<channel_id>``, ``console:local``…) keeps its follow-up state in
the database (:class:`core.conversation.ConversationState`); this module holds the rules every list of that
conversation obeys, whichever path produced it (slash command, button, free text through the agent):

* **No song twice.** A song is its normalized title + first artist (:func:`core.catalog.dedupe_key`, the table's
  ``norm_keys``), so a remaster, an edit or the same recording under another track id counts as the song already
  shown: :func:`same_song_ids` widens an exclusion list to every version of the songs in it.
* **Artist cap across pages.** At most :data:`PAGE_ARTIST_CAP` tracks of one artist per page (the recommender's own
  per-page cap) and at most :data:`WINDOW_ARTIST_CAP` in the last :data:`WINDOW_PAGES` pages (the new page
  included), unless the request named that artist (:func:`artist_budget`, :func:`capped`).
* **The list on screen.** ``#3``, "more like #3", "that artist", "not that artist", "no more of them" mean the last
  list shown to the conversation. The engine records every list it returns for a conversation
  (:class:`SessionMixin`: adapters pass their conversation id), so a list made by a Telegram command is the one a
  free-text "more like #3" refers to; :func:`on_screen_artist` picks "that artist".

The numbers (2 per page, 3 per 3 pages) are product choices from issue 10 ("one artist recurs page after page"),
not tuned values.
"""

from __future__ import annotations

import os
import secrets
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from core.buttons import ButtonStore, SqliteButtonStore
from core.leases import SqliteLeases, acquire
from core.catalog import normalize_text
from core.commands import LIST_REF
from core.conversation import ConversationState, LastRequest, check_conversation_id
from core.errors import InvalidInput
from core.models import Caller, Filters, NeedsClarification, Recommendation, Track

if TYPE_CHECKING:
    from core.engine import Engine
    from core.table import TrackTable

#: Tracks of one artist allowed on one page (same as :attr:`core.recommender.ScoreParams.per_artist`).
PAGE_ARTIST_CAP = 2
#: Tracks of one artist allowed in the last :data:`WINDOW_PAGES` pages of a conversation (the new page included).
WINDOW_ARTIST_CAP = 3
#: Pages the artist cap looks back over (the new page included).
WINDOW_PAGES = 3
#: Largest list the engine returns (``limit`` 1–50); over-fetching for the cap never asks for more.
MAX_LIMIT = 50

_KEY_INDEX: weakref.WeakKeyDictionary[TrackTable, tuple[int, dict[str, list[int]]]] = weakref.WeakKeyDictionary()


def _songs(table: TrackTable) -> dict[str, list[int]]:
    """Song key (normalized title + first artist) -> table positions, rebuilt when the table changes."""
    hit = _KEY_INDEX.get(table)
    if hit is not None and hit[0] == table.version:
        return hit[1]
    index: dict[str, list[int]] = {}
    for p in range(table.n):
        if table.alive[p]:
            index.setdefault(table.norm_keys[p], []).append(p)
    _KEY_INDEX[table] = (table.version, index)
    return index


def same_song_ids(table: TrackTable, ids: Iterable[str]) -> list[str]:
    """``ids`` plus the ids of every other version of the same songs (same normalized title + first artist),
    order kept, no duplicates; unknown ids are kept as they are (they may be deleted tracks)."""
    index = _songs(table)
    out: dict[str, None] = {}
    for track_id in ids:
        out[track_id] = None
        p = table.pos.get(track_id)
        if p is None:
            continue
        for q in index.get(table.norm_keys[p], ()):
            out[table.ids[q]] = None
    return list(out)


def _artist_ids(table: TrackTable, names: Iterable[str]) -> set[int]:
    return {aid for n in names if (aid := table.artist_index.get(normalize_text(n))) is not None}


def artist_budget(
    table: TrackTable, recent_pages: Sequence[Sequence[str]], asked: Iterable[str] = ()
) -> dict[int, int]:
    """Artist id -> how many of their tracks the next page may still hold (only artists below the page cap).

    Counts every artist of every track on the last ``WINDOW_PAGES - 1`` pages (``recent_pages``, oldest first);
    an artist with ``c`` tracks there may have ``min(PAGE_ARTIST_CAP, WINDOW_ARTIST_CAP - c)`` more (0 = none).
    Artists named in ``asked`` (the request asked for them) are never limited here.
    """
    window = list(recent_pages)[-(WINDOW_PAGES - 1):] if WINDOW_PAGES > 1 else []
    counts: Counter[int] = Counter()
    for page in window:
        for track_id in page:
            p = table.pos.get(track_id)
            if p is not None:
                counts.update(set(table.artist_ids[p]))
    exempt = _artist_ids(table, asked)
    budget: dict[int, int] = {}
    for aid, c in counts.items():
        left = min(PAGE_ARTIST_CAP, WINDOW_ARTIST_CAP - c)
        if aid not in exempt and left < PAGE_ARTIST_CAP:
            budget[aid] = max(left, 0)
    return budget


def trim_to_budget(table: TrackTable, rec: Recommendation, budget: dict[int, int], limit: int) -> Recommendation:
    """``rec`` with tracks over an artist's ``budget`` dropped (best first kept), cut to ``limit`` tracks, and
    ``filters.limit`` set to ``limit``."""
    left = dict(budget)
    kept = []
    for item in rec.tracks:
        p = table.pos.get(item.track.track_id)
        aids = table.artist_ids[p] if p is not None else ()
        if any(a in left and left[a] <= 0 for a in aids):
            continue
        for a in aids:
            if a in left:
                left[a] -= 1
        kept.append(item)
        if len(kept) >= limit:
            break
    return rec.model_copy(update={"tracks": kept, "filters": rec.filters.model_copy(update={"limit": limit})})


RunFn = Callable[[list[str], int], Awaitable[Recommendation]]


async def capped(
    table: TrackTable,
    run: RunFn,
    exclude_ids: Sequence[str],
    limit: int,
    recent_pages: Sequence[Sequence[str]] = (),
    asked: Iterable[str] = (),
) -> Recommendation:
    """Run ``run(exclude_ids, n)`` under the session rules and return at most ``limit`` tracks.

    ``exclude_ids`` (already shown, disliked…) are widened to every version of the same songs; artists out of
    budget (:func:`artist_budget` over ``recent_pages``) are excluded outright, and for artists with one slot left
    ``run`` is asked for a few more tracks (never over :data:`MAX_LIMIT`) so the trimmed page stays full.
    """
    exclude = same_song_ids(table, exclude_ids)
    budget = artist_budget(table, recent_pages, asked)
    blocked = [aid for aid, left in budget.items() if left <= 0]
    if blocked:
        extra = {table.ids[p] for aid in blocked for p in table.artist_tracks.get(aid, ())}
        exclude = [*exclude, *sorted(extra - set(exclude))]
    partial = sum(1 for left in budget.values() if left > 0)
    n = max(limit, min(MAX_LIMIT, limit + partial))
    rec = await run(exclude, n)
    return trim_to_budget(table, rec, budget, limit)


def on_screen_artist(table: TrackTable, state: ConversationState) -> str | None:
    """The artist "that artist" / "not that artist" / "no more of them" means: the list on screen decides.

    1. the track the user pointed at since that list was shown (``state.focus``: "#4", "why #2", ``/song``; a new
       list clears a focus that is not on it, see :meth:`ConversationState.show_page`);
    2. on a "similar" list, the reference's artist (its header reads "Tracks like <song> - <artist>") — unless a
       search or a playlist page was shown since;
    3. the artist of the first track of the list on screen.
    """
    def first_artist(track_id: str) -> str | None:
        p = table.pos.get(track_id)
        return table.artists[p][0] if p is not None and table.artists[p] else None

    if state.focus and (name := first_artist(state.focus)):
        return name
    on_screen_is_last = bool(state.recent_pages) and state.recent_pages[-1] == state.last_page  # not a search
    if on_screen_is_last and state.last is not None and state.last.kind == "similar":
        for track_id in state.last.refs:
            if name := first_artist(track_id):
                return name
    for track_id in state.last_page:
        if name := first_artist(track_id):
            return name
    return None


def _new_owner(engine: object) -> str:
    """A lease owner id unique to this engine (process id + random), remembered on the engine."""
    owner = f"{os.getpid()}-{secrets.token_hex(6)}"
    setattr(engine, "_lease_owner", owner)
    return owner


class SessionMixin:
    """Conversation-aware lists for :class:`core.engine.Engine`: adapters pass their conversation id and the engine
    records the list it returns (the list on screen), so every adapter and the agent share one session model.

    Uses :meth:`core.chat.ChatMixin.conversation_store` and its per-conversation lock (one turn at a time).
    """

    async def show_request(
        self: Engine,
        conversation_id: str,
        caller: Caller | None,
        spec: LastRequest,
        *,
        merge: Filters | None = None,
        exclude_ids: Sequence[str] = (),
        first: int = 1,
    ) -> Recommendation | NeedsClarification:
        """Run a replayable request (:class:`core.conversation.LastRequest`: text, similar or playlist) for a
        conversation and record the result as its last list (``#first`` … numbering) and ``spec`` as its last
        request (what "more" continues and "less upbeat" refines).

        Nothing shown earlier in the conversation (nor another version of it) comes back; the artist cap across
        pages holds. ``merge``: explicit filters applied over what the text implies (first page of a request);
        ``exclude_ids``: more ids to leave out (e.g. the adapter's own list of what this message showed).

        Raises:
            InvalidInput: bad conversation id, request or limit. SongNotFound / PlaylistNotFound: from the request.
        """
        cid = check_conversation_id(conversation_id)
        async with self.conversation_turn(cid):
            store = await self.conversation_store()
            state = await store.load_state(cid)
            result, ran = await self.replay_request(
                spec, [*state.shown, *exclude_ids], merge=merge, caller=caller, recent=state.recent_pages
            )
            if isinstance(result, NeedsClarification) or not result.tracks:
                return result
            state.last = ran
            state.show_page(
                [t.track.track_id for t in result.tracks], [t.reason for t in result.tracks], first=first
            )
            await store.save_state(cid, state)
            return result

    async def show_search(
        self: Engine, conversation_id: str, query: str, limit: int = 10, *, offset: int = 0, first: int = 1
    ) -> Recommendation:
        """:meth:`core.engine.Engine.search` for a conversation: results ``offset`` … ``offset + limit - 1`` (paging),
        recorded as its last list (``#N`` refers to them). Search results are what was asked for: they are not
        marked as shown and do not count towards the artist cap.

        Raises:
            InvalidInput: bad conversation id, empty/over-long query, ``limit`` or ``offset + limit`` outside 1–50.
        """
        cid = check_conversation_id(conversation_id)
        if not isinstance(offset, int) or offset < 0:
            raise InvalidInput("offset must be 0 or more.", "offset")
        rec = await self.search(query, limit=offset + limit)
        rec = rec.model_copy(update={"tracks": rec.tracks[offset:]})
        if rec.tracks:
            async with self.conversation_turn(cid):
                store = await self.conversation_store()
                state = await store.load_state(cid)
                state.show_page([t.track.track_id for t in rec.tracks], [t.reason for t in rec.tracks], False, first)
                await store.save_state(cid, state)
        return rec

    async def show_track(self: Engine, conversation_id: str, ref: str) -> tuple[Track, str]:
        """``(track, note)`` for one track shown to a conversation (``/song``): ``ref`` may be ``#N`` of the list on
        screen; the track becomes the one "that artist" / "more like that" point at until another list is shown.
        ``note`` is empty when the track is exactly the one asked for, else the first line the reply must show
        (see :meth:`core.engine.Engine.find_track`).

        Raises:
            InvalidInput: bad conversation id or ``#N`` not on screen. SongNotFound / NotATrackLink: ``ref`` did
            not resolve.
        """
        cid = check_conversation_id(conversation_id)
        async with self.conversation_turn(cid):
            track, note = await self.find_track(await self.list_ref(cid, ref))
            store = await self.conversation_store()
            state = await store.load_state(cid)
            state.focus = track.track_id
            await store.save_state(cid, state)
        return track, note

    @asynccontextmanager
    async def conversation_turn(self: Engine, conversation_id: str) -> AsyncIterator[None]:
        """One turn of ``conversation_id`` at a time: in this process (an ``asyncio.Lock``) *and* across workers
        on the database (a lease row, :mod:`core.leases`), so two workers answering one chat never interleave
        their load / save of its state."""
        async with self._conversation_lock(conversation_id):
            leases = getattr(self, "_leases", None)
            if leases is None:
                leases = self._leases = SqliteLeases(self.database)
            owner = getattr(self, "_lease_owner", None) or _new_owner(self)
            held = await acquire(leases, conversation_id, owner)
            try:
                yield
            finally:
                if held:
                    await leases.release(conversation_id, owner)

    async def button_store(self: Engine) -> ButtonStore:
        """The :class:`core.buttons.ButtonStore` every worker shares (the ``button_state`` table of the catalog
        database): adapters keep the state behind inline-keyboard buttons here, never in process memory."""
        store = getattr(self, "_button_store", None)
        if store is None:
            store = self._button_store = SqliteButtonStore(self.database)
        return store

    async def list_ref(self: Engine, conversation_id: str, ref: str) -> str:
        """``#N`` (also ``no. N``) -> the track id of item N of the conversation's list on screen; any other
        reference is returned unchanged (stripped), for :meth:`resolve` to handle.

        Raises:
            InvalidInput: ``#N`` with no list shown yet, or N not on it (the message names the numbers shown).
        """
        ref = " ".join(str(ref or "").split())
        m = LIST_REF.match(ref)
        if not m:
            return ref
        cid = check_conversation_id(conversation_id)
        store = await self.conversation_store()
        state = await store.load_state(cid)
        n = int(m.group(1))
        track_id = state.page_ref(n)
        if track_id is not None:
            return track_id
        if not state.last_page:
            raise InvalidInput(f"#{n} means a number in the last list I showed here — ask for some music first.", "ref")
        lo, hi = state.page_first, state.page_first + len(state.last_page) - 1
        raise InvalidInput(f"The list on screen has numbers {lo}–{hi}; #{n} is not one of them.", "ref", f"#{lo}–#{hi}")

"""Session use cases: the conversation's list on screen (``#N``), pages, one turn at a time, button state.

:class:`Sessions` (moved from ``core.session.SessionMixin`` and the conversation memory of ``core.chat.ChatMixin``,
bodies unchanged) is the one session model every adapter and the agent share. It holds ports only — conversation
memory, leases and button state, each opened on first use through a factory the composition root passes in — plus
the use cases it runs for a conversation: search (a :class:`~core.app.ports.CatalogSearch`, e.g.
:class:`core.app.discovery.Discovery`), one track for ``/song`` (a :class:`~core.app.ports.TrackFetcher`, e.g.
:class:`core.app.tracks.TrackFinder`) and ``replay`` (a replayable request, :func:`core.agent.specs.run_request`,
handed in so that core.app never imports the agent).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from core.app.ports import ButtonState, CatalogSearch, Conversations, Leases, TrackFetcher, Transactions, UnitOfWork
from core.commands import LIST_REF
from core.conversation import ConversationState, LastRequest, check_conversation_id
from core.errors import InvalidInput
from core.leases import acquire
from core.models import Caller, Filters, NeedsClarification, Recommendation, Track
from core.reason_format import localize
from core.reply_language import decide

#: ``replay(spec, exclude_ids, *, merge, caller, recent) -> (result, the request as run)`` (see
#: :func:`core.agent.specs.run_request`).
Replay = Callable[..., Awaitable[tuple[Recommendation | NeedsClarification, LastRequest]]]


def _new_owner(engine: object) -> str:
    """A lease owner id unique to this process's sessions (process id + random), remembered on ``engine``."""
    owner = f"{os.getpid()}-{secrets.token_hex(6)}"
    setattr(engine, "_lease_owner", owner)
    return owner


class Sessions:
    """Conversation-aware lists: adapters pass their conversation id and the list returned is recorded as the list on
    screen, so every adapter and the agent share one session model.

    Args:
        open_conversations / open_leases / open_buttons: async factories of the ports (each called once, under
            ``lock``: table creation must not land inside another task's transaction).
        lock: the write lock of the catalog connection.
        search: the search port (:class:`~core.app.ports.CatalogSearch`: :class:`core.app.discovery.Discovery`).
        tracks: one track for a reference (:class:`~core.app.ports.TrackFetcher`:
            :class:`core.app.tracks.TrackFinder`).
        replay: runs a replayable request (see :data:`Replay`).
        transactions: opens units of work on the stores' database (:class:`~core.app.ports.Transactions`); None
            (in-memory fakes) = each write stands alone.
    """

    def __init__(
        self,
        *,
        open_conversations: Callable[[], Awaitable[Conversations]],
        open_leases: Callable[[], Awaitable[Leases]],
        open_buttons: Callable[[], Awaitable[ButtonState]],
        lock: asyncio.Lock,
        search: CatalogSearch,
        tracks: TrackFetcher,
        replay: Replay,
        transactions: Transactions | None = None,
    ) -> None:
        self._open_conversations = open_conversations
        self._open_leases = open_leases
        self._open_buttons = open_buttons
        self._write_lock = lock
        self._search = search
        self._tracks = tracks
        self.replay_request = replay
        self._transactions = transactions
        self._conversation_store: Conversations | None = None
        self._conversation_locks: weakref.WeakValueDictionary[str, asyncio.Lock] | None = None
        self._leases: Leases | None = None
        self._button_store: ButtonState | None = None

    async def conversation_store(self) -> Conversations:
        """The conversation memory (:class:`~core.app.ports.Conversations`), opened on first use."""
        if self._conversation_store is None:
            async with self._write_lock:  # table creation must not land inside another task's transaction
                if self._conversation_store is None:
                    self._conversation_store = await self._open_conversations()
        return self._conversation_store

    def _conversation_lock(self, conversation_id: str) -> asyncio.Lock:
        """One lock per conversation id (weakly held), so two messages of one chat never interleave."""
        if self._conversation_locks is None:
            self._conversation_locks = weakref.WeakValueDictionary()
        lock = self._conversation_locks.get(conversation_id)
        if lock is None:
            lock = self._conversation_locks[conversation_id] = asyncio.Lock()
        return lock

    async def show_request(
        self,
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
            # the reply's language: a new request's own words, else the conversation's (core.reply_language)
            spec = spec.keeping_exclusions(state.last, state.last_list())  # "More like #3" keeps "no reggaeton"
            lang, keep = decide(spec.request if spec.kind == "text" and merge is not None else "", state.lang)
            state.lang = keep or state.lang
            result, ran = await self.replay_request(
                spec, [*state.shown, *exclude_ids], merge=merge, caller=caller, recent=state.recent_pages, lang=lang
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
        self, conversation_id: str, query: str, limit: int = 10, *, offset: int = 0, first: int = 1
    ) -> Recommendation:
        """Search (:meth:`core.app.discovery.Discovery.search`) for a conversation: results ``offset`` …
        ``offset + limit - 1`` (paging), recorded as its last list (``#N`` refers to them). Search results are what
        was asked for: they are not marked as shown and do not count towards the artist cap.

        Raises:
            InvalidInput: bad conversation id, empty/over-long query, ``limit`` or ``offset + limit`` outside 1–50.
        """
        cid = check_conversation_id(conversation_id)
        if not isinstance(offset, int) or offset < 0:
            raise InvalidInput("offset must be 0 or more.", "offset")
        rec = await self._search.search(query, limit=offset + limit)
        rec = rec.model_copy(update={"tracks": rec.tracks[offset:]})
        if rec.tracks:
            async with self.conversation_turn(cid):
                store = await self.conversation_store()
                state = await store.load_state(cid)
                rec = localize(rec, state.lang)  # "coincide con tu búsqueda" in a Spanish conversation
                state.show_page([t.track.track_id for t in rec.tracks], [t.reason for t in rec.tracks], False, first)
                await store.save_state(cid, state)
        else:  # nothing matched: the coverage line ("Nada en este catálogo coincide…") in the conversation's language
            state = await (await self.conversation_store()).load_state(cid)
            rec = localize(rec, state.lang)
        return rec

    async def show_track(self, conversation_id: str, ref: str) -> tuple[Track, str]:
        """``(track, note)`` for one track shown to a conversation (``/song``): ``ref`` may be ``#N`` of the list on
        screen; the track becomes the one "that artist" / "more like that" point at until another list is shown.
        ``note`` is empty when the track is exactly the one asked for, else the first line the reply must show
        (see :meth:`core.app.tracks.TrackFinder.find_track`).

        Raises:
            InvalidInput: bad conversation id or ``#N`` not on screen. SongNotFound / NotATrackLink: ``ref`` did
            not resolve.
        """
        cid = check_conversation_id(conversation_id)
        async with self.conversation_turn(cid):
            track, note = await self._tracks.find_track(await self.list_ref(cid, ref))
            store = await self.conversation_store()
            state = await store.load_state(cid)
            state.focus = track.track_id
            await store.save_state(cid, state)
        return track, note

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One transaction for several writes of a use case (:class:`~core.app.ports.UnitOfWork`); without a
        transactional store (in-memory fakes) a stand-in whose writes each stand alone."""
        if self._transactions is None:
            return _Autocommit()
        return self._transactions.uow()

    async def save_turn(
        self, conversation_id: str, state: ConversationState | None, turns: Sequence[tuple[str | bytes, int]] = ()
    ) -> None:
        """The end of one chat turn as one unit of work: the agent's new message history (``turns``:
        ``(messages_json, keep)`` each, see :meth:`~core.app.ports.Conversations.append_turn`) and the conversation's
        follow-up ``state`` (None = leave it) — both written or neither, never a turn stored without its list."""
        if state is None and not turns:
            return
        store = await self.conversation_store()
        async with self.unit_of_work() as uow:
            for messages_json, keep in turns:
                await store.append_turn(conversation_id, messages_json, keep)
            if state is not None:
                await store.save_state(conversation_id, state)
            await uow.commit()

    @asynccontextmanager
    async def conversation_turn(self, conversation_id: str) -> AsyncIterator[None]:
        """One turn of ``conversation_id`` at a time: in this process (an ``asyncio.Lock``) *and* across workers
        on the database (a lease row, :mod:`core.leases`), so two workers answering one chat never interleave
        their load / save of its state."""
        async with self._conversation_lock(conversation_id):
            leases = getattr(self, "_leases", None)
            if leases is None:
                async with self._write_lock:  # table creation must not land inside another task's transaction
                    leases = getattr(self, "_leases", None)
                    if leases is None:
                        leases = self._leases = await self._open_leases()
            owner = getattr(self, "_lease_owner", None) or _new_owner(self)
            held = await acquire(leases, conversation_id, owner)
            try:
                yield
            finally:
                if held:
                    await leases.release(conversation_id, owner)

    async def button_store(self) -> ButtonState:
        """The :class:`core.buttons.ButtonStore` every worker shares (the ``button_state`` table of the catalog
        database): adapters keep the state behind inline-keyboard buttons here, never in process memory."""
        store = getattr(self, "_button_store", None)
        if store is None:
            async with self._write_lock:  # table creation must not land inside another task's transaction
                store = getattr(self, "_button_store", None)
                if store is None:
                    store = self._button_store = await self._open_buttons()
        return store

    async def list_ref(self, conversation_id: str, ref: str) -> str:
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


class _Autocommit:
    """A unit of work over stores without transactions (the in-memory fakes): each write already stands alone."""

    async def __aenter__(self) -> _Autocommit:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        """Nothing to do: every write is already done."""

    async def lock(self, *key: object) -> None:
        """Nothing to do: one process, and the conversation turn already holds its lease."""

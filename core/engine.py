"""The composition root of the core: opens the catalog, builds the in-memory parts and the storage behind the ports,
and wires the application services once — the :class:`~core.app.services.AppServices` bundle (``engine.app``) that
every adapter and the agent receive.

``Engine`` opens the catalog, loads the in-memory :class:`~core.table.TrackTable` and the
:class:`~core.recommender.Recommender` (KNN index), builds the storage behind the ports of :mod:`core.app.ports`, and
wires the use-case services of :mod:`core.app`:

* :class:`core.app.tracks.TrackFinder` — track references (ids, links, titles, fuzzy matches);
* :class:`core.app.discovery.Discovery` — search and recommendations (similar, free text, parsed query, anchored);
* :class:`core.app.catalog_admin.CatalogAdmin` — add / edit / delete / import (admins only);
* :class:`core.app.session.Sessions` — the conversation's list on screen, ``#N``, pages, turns, button state;
* :class:`core.app.personal.Personal` — likes / dislikes, personalised lists, previews, playlists;
* :class:`core.chat.ChatService` — one chat message -> one reply (slash commands, or the agent).

Adapters never see the engine (import-linter contract): the entry points in ``bot/`` hand them ``engine.app``. The
delegating methods below remain for ``bot/`` (CLI one-shots: ``ask``, ``import``, ``eval``), benchmarks and tests;
each delegates to one service, returns typed models from :mod:`core.models`, and mutations re-check permissions in
the service.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.app.catalog_admin import CatalogAdmin
from core.app.discovery import INLINE_TEXT_CHARS, Discovery, SimilarRank, join_cues
from core.app.loaded import LoadedCatalog
from core.app.personal import Personal
from core.app.services import AppServices
from core.app.session import Sessions
from core.app.tracks import TrackFinder
from core.catalog import SHIPPED_CATALOG, Catalog, ImportReport, ProgressFn
from core.catalog_io import MAX_DECOMPRESSED_BYTES
from core.chat import ChatService
from core.conversation import ConversationStore
from core.coverage import CatalogCoverage
from core.infra.store_db import Database
from core.models import Caller, ChatReply, Filters, NeedsClarification, Recommendation, TextQuery, Track
from core.ratelimit import RateLimiter
from core.recommender import Recommender
from core.references import ResolvedRef
from core.spotify_links import ShortLinkResolver
from core.table import TrackTable

if TYPE_CHECKING:
    from core.agent.config import AgentConfig
    from core.agent.runtime import AgentRuntime
    from core.buttons import ButtonStore
    from core.feedback import FeedbackResult, FeedbackService
    from core.playlists import PlaylistService
    from core.previews import PreviewConfig, PreviewService, TrackPreview

__all__ = ["INLINE_TEXT_CHARS", "Engine", "SimilarRank", "join_cues"]


class Engine:
    """The core engine. Build with ``await Engine.open(db_path)``; close with ``await engine.close()``."""

    def __init__(self, catalog: Catalog, table: TrackTable, recommender: Recommender) -> None:
        self.catalog = catalog
        #: the small stores' shared SQLAlchemy engine on the same database (:mod:`core.infra.store_db`)
        self.database = Database.for_catalog(catalog)
        self.loaded = LoadedCatalog(table, recommender)
        self._write_lock = asyncio.Lock()  # one transaction at a time on the catalog connection
        #: the catalog change-log position the table reflects at open (see core.infra.changes)
        self.catalog_seq = 0
        self.follower: Any = None  # core.infra.changes.CatalogFollower once following
        # the use-case services (core.app), each with the narrow parts it needs
        self.tracks = TrackFinder(self.loaded)
        self.discovery = Discovery(self.loaded, catalog, self.tracks)
        self.admin = CatalogAdmin(catalog, self.loaded, self.tracks, self._write_lock, lambda: self.follower)
        self.sessions = Sessions(
            open_conversations=self._open_conversations,
            open_leases=self._open_leases,
            open_buttons=self._open_buttons,
            lock=self._write_lock,
            search=self.discovery,
            tracks=self.tracks,
            replay=lambda *args, **kwargs: self.chat_service.replay_request(*args, **kwargs),
            transactions=self.database,
        )
        self.personal = Personal(
            self.discovery, self.sessions, make_feedback=self._make_feedback, make_playlists=self._make_playlists,
            make_previews=self._make_previews,
        )
        #: the typed bundle adapters and the agent call (core.app.services)
        self.app = AppServices(
            tracks=self.tracks, discovery=self.discovery, admin=self.admin, sessions=self.sessions,
            personal=self.personal, make_rate_limits=lambda: RateLimiter(self.database),
        )
        self.chat_service = self.app.chat = ChatService(self.app)

    # ------------------------------------------------------------------ storage behind the ports (built here only)
    async def _open_conversations(self) -> ConversationStore:
        return ConversationStore(self.database)

    async def _open_leases(self) -> Any:
        from core.leases import SqliteLeases

        return SqliteLeases(self.database)

    async def _open_buttons(self) -> Any:
        from core.buttons import SqliteButtonStore

        return SqliteButtonStore(self.database)

    def _make_feedback(self) -> FeedbackService:
        from core.feedback import FeedbackService

        return FeedbackService(self.database, self.tracks, self.loaded)  # the shared database and the live table

    def _make_playlists(self, exclusions: Any) -> PlaylistService:
        from core.playlists import PlaylistService, SqlitePlaylistStore

        store = SqlitePlaylistStore(self.database)
        # the playlist rules need the live table, the KNN recommender and reference resolution: Discovery has them
        return PlaylistService(self.discovery, store, exclusions=exclusions)

    def _make_previews(self, config: PreviewConfig | None) -> PreviewService:
        from core.previews import PreviewConfig, PreviewService

        return PreviewService(self.database, config or PreviewConfig.from_env())

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    async def open(
        cls, db_path: str | Path, *, seed: bool = True, seed_path: Path = SHIPPED_CATALOG, progress: ProgressFn | None = None,
        cache: bool = True,
        follow: bool = False,
    ) -> Engine:
        """Open the catalog (seeding the shipped one on first start), then build the table and KNN index.
        ``db_path``: a SQLite file or ``postgresql://`` URL. ``follow``: start :meth:`follow_changes`.

        ``cache``: read the track table from the on-disk start-up cache when it matches the catalog version, and
        write it there after a build (:mod:`core.startup_cache`; ``MUSICBOT_CACHE=0`` turns it off everywhere).

        Raises:
            InvalidInput: the database file is unusable.
        """
        from core.startup_cache import cache_dir_for, load_table

        catalog = await Catalog.open(db_path)
        try:
            if seed:
                await catalog.seed(seed_path, progress=progress)
            cache_dir = cache_dir_for(db_path) if cache else None
            seq = await catalog.change_version()  # before loading: a change made meanwhile is replayed, not lost
            table, how = await load_table(catalog, cache_dir)
        except BaseException:
            await catalog.close()
            raise
        engine = cls(catalog, table, Recommender(table))
        engine.cache_dir = cache_dir
        engine.table_source = how
        engine.catalog_seq = seq
        if follow:
            await engine.follow_changes()
        return engine

    async def follow_changes(self) -> None:
        """Follow catalog changes made by other processes (:class:`core.infra.changes.CatalogFollower`): the table
        and KNN index apply them within ~1 s. Idempotent; stopped by :meth:`close`."""
        from core.infra.changes import CatalogFollower

        if self.follower is None:
            self.follower = CatalogFollower(self.catalog, self.loaded, self._write_lock, self.catalog_seq)
            await self.follower.start()

    async def close(self) -> None:
        """Stop following changes and close the catalog connection."""
        if self.follower is not None:
            await self.follower.stop()
            self.follower = None
        await self.database.close()
        await self.catalog.close()

    # ------------------------------------------------------------------ the live in-memory catalog (core.app.loaded)
    table = property(lambda self: self.loaded.table, doc="The live :class:`~core.table.TrackTable`.")
    recommender = property(lambda self: self.loaded.recommender, doc="The live KNN :class:`~core.recommender.Recommender`.")
    refs = property(lambda self: self.loaded.refs, doc="The live :class:`~core.references.TrackReferences`.")

    @property
    def text(self) -> Any:
        """The local text understanding (:class:`core.text.TextUnderstanding`), fitted on first use."""
        return self.loaded.text

    @property
    def _text(self) -> Any:  # the fitted text understanding or None (tests hand in a pre-fitted one)
        return self.loaded.text_model

    @_text.setter
    def _text(self, value: Any) -> None:
        self.loaded.text_model = value

    @property
    def _coverage(self) -> Any:
        return self.loaded.coverage_model

    @property
    def coverage(self) -> CatalogCoverage:
        """What the loaded catalog holds (:class:`core.coverage.CatalogCoverage`), rebuilt when the table changes."""
        return self.loaded.coverage

    @property
    def cache_dir(self) -> Path | None:
        """The start-up cache folder (:mod:`core.startup_cache`), None = not cached."""
        return self.loaded.cache_dir

    @cache_dir.setter
    def cache_dir(self, value: Path | None) -> None:
        self.loaded.cache_dir = value

    @property
    def table_source(self) -> str:
        """How the table was loaded: "cache", "built" or "built-uncached"."""
        return self.loaded.table_source

    @table_source.setter
    def table_source(self, value: str) -> None:
        self.loaded.table_source = value

    @property
    def link_resolver(self) -> ShortLinkResolver | None:
        """The Spotify short-link resolver (built from the environment on first short link)."""
        return self.tracks.link_resolver

    @link_resolver.setter
    def link_resolver(self, value: ShortLinkResolver | None) -> None:
        self.tracks.link_resolver = value

    @property
    def rate_limits(self) -> RateLimiter:
        """Per-user flood control in the catalog database (:class:`core.ratelimit.RateLimiter`), built on first use."""
        return self.app.rate_limits

    # ------------------------------------------------------------------ references (core.app.tracks)
    def resolve(self, ref: str, fuzzy: bool = True) -> int:
        """Table position of a track reference (:meth:`core.app.tracks.TrackFinder.resolve`). Raises SongNotFound / InvalidInput."""
        return self.tracks.resolve(ref, fuzzy)

    def resolve_ref(self, ref: str, fuzzy: bool = True) -> ResolvedRef:
        """:meth:`core.app.tracks.TrackFinder.resolve_ref`. Raises SongNotFound / NotATrackLink / InvalidInput."""
        return self.tracks.resolve_ref(ref, fuzzy)

    async def follow_short_links(self, text: str) -> None:
        """:meth:`core.app.tracks.TrackFinder.follow_short_links` (never raises)."""
        await self.tracks.follow_short_links(text)

    def split_refs(self, args: str) -> list[str]:
        """:meth:`core.app.tracks.TrackFinder.split_refs`."""
        return self.tracks.split_refs(args)

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        return self.tracks.label(pos)

    async def find_track(self, ref: str) -> tuple[Track, str]:
        """:meth:`core.app.tracks.TrackFinder.find_track`: ``(track, note)``. Raises SongNotFound / NotATrackLink / InvalidInput."""
        return await self.tracks.find_track(ref)

    async def get_track(self, ref: str) -> Track:
        """:meth:`core.app.tracks.TrackFinder.get_track`. Raises SongNotFound."""
        return await self.tracks.get_track(ref)

    # ------------------------------------------------------------------ search and recommendations (core.app.discovery)
    async def search(self, query: str, limit: int = 10) -> Recommendation:
        """:meth:`core.app.discovery.Discovery.search`. Raises InvalidInput."""
        return await self.discovery.search(query, limit)

    async def recommend_similar(
        self, refs: Sequence[str], filters: Filters | None = None, exclude_ids: Sequence[str] = ()
    ) -> Recommendation:
        """:meth:`core.app.discovery.Discovery.recommend_similar`. Raises SongNotFound / InvalidInput."""
        return await self.discovery.recommend_similar(refs, filters, exclude_ids)

    def understand(self, text: str, limit: int = 10) -> TextQuery | NeedsClarification:
        """:meth:`core.app.discovery.Discovery.understand`."""
        return self.discovery.understand(text, limit)

    async def understand_async(self, text: str, limit: int = 10) -> TextQuery | NeedsClarification:
        """:meth:`core.app.discovery.Discovery.understand_async`."""
        return await self.discovery.understand_async(text, limit)

    async def recommend_query(
        self, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """:meth:`core.app.discovery.Discovery.recommend_query`."""
        return await self.discovery.recommend_query(query, exclude_ids, limit)

    async def recommend_text(
        self, text: str, filters: Filters | None = None, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation | NeedsClarification:
        """:meth:`core.app.discovery.Discovery.recommend_text`. Raises InvalidInput."""
        return await self.discovery.recommend_text(text, filters, exclude_ids, limit)

    # ------------------------------------------------------------------ catalog admin (core.app.catalog_admin)
    async def add_song(self, caller: Caller, data: dict[str, Any]) -> Track:
        """:meth:`core.app.catalog_admin.CatalogAdmin.add_song`. Raises PermissionDenied / InvalidInput."""
        return await self.admin.add_song(caller, data)

    async def edit_song(self, caller: Caller, ref: str, changes: dict[str, Any]) -> Track:
        """:meth:`core.app.catalog_admin.CatalogAdmin.edit_song`. Raises PermissionDenied / SongNotFound / InvalidInput."""
        return await self.admin.edit_song(caller, ref, changes)

    async def delete_song(self, caller: Caller, ref: str) -> Track:
        """:meth:`core.app.catalog_admin.CatalogAdmin.delete_song`. Raises PermissionDenied / SongNotFound."""
        return await self.admin.delete_song(caller, ref)

    async def import_catalog(
        self, caller: Caller, path: Path, map_pairs: list[str] | None = None, replace: bool = False,
        progress: ProgressFn | None = None, max_decompressed: int = MAX_DECOMPRESSED_BYTES,
    ) -> ImportReport:
        """:meth:`core.app.catalog_admin.CatalogAdmin.import_catalog`. Raises PermissionDenied / ImportFailed / InvalidInput."""
        return await self.admin.import_catalog(caller, path, map_pairs, replace, progress, max_decompressed)

    # ------------------------------------------------------------------ sessions (core.app.session)
    async def conversation_store(self) -> ConversationStore:
        """The conversation memory (:meth:`core.app.session.Sessions.conversation_store`)."""
        return await self.sessions.conversation_store()  # type: ignore[return-value]

    def conversation_turn(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """One turn of a conversation at a time, across workers (:meth:`core.app.session.Sessions.conversation_turn`)."""
        return self.sessions.conversation_turn(conversation_id)

    async def button_store(self) -> ButtonStore:
        """The shared inline-keyboard button state (:meth:`core.app.session.Sessions.button_store`)."""
        return await self.sessions.button_store()  # type: ignore[return-value]

    async def list_ref(self, conversation_id: str, ref: str) -> str:
        """``#N`` -> track id of the list on screen (:meth:`core.app.session.Sessions.list_ref`). Raises InvalidInput."""
        return await self.sessions.list_ref(conversation_id, ref)

    # ------------------------------------------------------------------ personal (core.app.personal)
    playlists = property(lambda self: self.personal.playlists, doc="Group playlists (:class:`core.playlists.PlaylistService`).")
    feedback = property(lambda self: self.personal.feedback, doc="Likes / dislikes (:class:`core.feedback.FeedbackService`).")
    previews = property(lambda self: self.personal.previews, doc="Preview lookups (:class:`core.previews.PreviewService`).")

    def configure_previews(self, config: PreviewConfig) -> None:
        """Use these preview URLs / credentials / timeouts (:meth:`core.app.personal.Personal.configure_previews`)."""
        self.personal.configure_previews(config)

    async def like(self, caller: Caller, ref: str) -> FeedbackResult:
        """Like a track for ``caller``. Raises SongNotFound / InvalidInput."""
        return await self.personal.like(caller, ref)

    async def dislike(self, caller: Caller, ref: str) -> FeedbackResult:
        """Dislike a track: never recommended to ``caller`` again. Raises SongNotFound / InvalidInput."""
        return await self.personal.dislike(caller, ref)

    async def disliked_ids(self, caller: Caller | str) -> set[str]:
        """Track ids ``caller`` disliked."""
        return await self.personal.disliked_ids(caller)

    async def recommend_similar_for(
        self, caller: Caller | None, refs: Sequence[str], filters: Filters | None = None, exclude_ids: Sequence[str] = (),
        *, conversation_id: str | None = None, first: int = 1,
    ) -> Recommendation:
        """:meth:`core.app.personal.Personal.recommend_similar_for`. Raises SongNotFound / InvalidInput."""
        return await self.personal.recommend_similar_for(
            caller, refs, filters, exclude_ids, conversation_id=conversation_id, first=first
        )

    async def recommend_query_for(
        self, caller: Caller | None, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """:meth:`core.app.personal.Personal.recommend_query_for`."""
        return await self.personal.recommend_query_for(caller, query, exclude_ids, limit)

    async def recommend_text_for(
        self, caller: Caller | None, text: str, filters: Filters | None = None, exclude_ids: Sequence[str] = (),
        limit: int | None = None, *, conversation_id: str | None = None, first: int = 1,
    ) -> Recommendation | NeedsClarification:
        """:meth:`core.app.personal.Personal.recommend_text_for`. Raises InvalidInput."""
        return await self.personal.recommend_text_for(
            caller, text, filters, exclude_ids, limit, conversation_id=conversation_id, first=first
        )

    async def preview(self, ref: str) -> TrackPreview:
        """:meth:`core.app.personal.Personal.preview`. Raises SongNotFound / InvalidInput."""
        return await self.personal.preview(ref)

    async def preview_urls(self, track_ids: Sequence[str], budget_s: float = 3.0) -> dict[str, str | None]:
        """:meth:`core.app.personal.Personal.preview_urls`."""
        return await self.personal.preview_urls(track_ids, budget_s)

    # ------------------------------------------------------------------ chat and the agent (core.chat)
    async def chat(
        self, conversation_id: str, caller: Caller, text: str, *, group_id: str | None = None, group_admin: bool = False,
    ) -> ChatReply:
        """One chat message -> one reply (:meth:`core.chat.ChatService.chat`); never raises for user mistakes."""
        return await self.chat_service.chat(conversation_id, caller, text, group_id=group_id, group_admin=group_admin)

    def configure_agent(self, config: AgentConfig | None) -> None:
        """Use this agent configuration for free-text turns (:meth:`core.chat.ChatService.configure_agent`)."""
        self.chat_service.configure_agent(config)

    @property
    def agent_runtime(self) -> AgentRuntime:
        """The agent runtime, built on first use (:attr:`core.chat.ChatService.agent_runtime`)."""
        return self.chat_service.agent_runtime

    @property
    def _agent_runtime(self) -> AgentRuntime | None:
        return self.chat_service._agent_runtime  # noqa: SLF001

    def prepare_lists(self) -> None:
        """:meth:`core.chat.ChatService.prepare_lists`."""
        self.chat_service.prepare_lists()

    def prepare_agent(self) -> None:
        """:meth:`core.chat.ChatService.prepare_agent` (blocking, thread-safe)."""
        self.chat_service.prepare_agent()

    async def warm_up(self) -> None:
        """:meth:`core.chat.ChatService.warm_up` (never raises)."""
        await self.chat_service.warm_up()


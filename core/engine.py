"""The composition root of the core: opens the catalog, builds the in-memory parts and the storage behind the ports,
and wires the application services once — the :class:`~core.app.services.AppServices` bundle (``engine.app``) that
every adapter, the agent, the CLI one-shots, benchmarks and tests call.

``Engine`` opens the catalog, loads the in-memory :class:`~core.table.TrackTable` and the
:class:`~core.recommender.Recommender` (KNN index) into a :class:`~core.app.loaded.LoadedCatalog` (``engine.loaded``),
builds the storage behind the ports of :mod:`core.app.ports`, and wires the use-case services of :mod:`core.app`
into ``engine.app``:

* ``app.tracks`` — :class:`core.app.tracks.TrackFinder`: track references (ids, links, titles, fuzzy matches);
* ``app.discovery`` — :class:`core.app.discovery.Discovery`: search and recommendations (similar, free text, parsed
  query, anchored);
* ``app.admin`` — :class:`core.app.catalog_admin.CatalogAdmin`: add / edit / delete / import (admins only);
* ``app.sessions`` — :class:`core.app.session.Sessions`: the conversation's list on screen, ``#N``, pages, turns,
  button state;
* ``app.personal`` — :class:`core.app.personal.Personal`: likes / dislikes, personalised lists, previews, playlists;
* ``app.chat`` — :class:`core.chat.ChatService`: one chat message -> one reply (slash commands, or the agent).

The engine itself has no use cases: its public surface is :meth:`open`, :meth:`follow_changes`, :meth:`close`,
``app``, and the parts it built (``catalog``, ``database``, ``conversation_db``, ``loaded``, ``catalog_seq``) —
``tests/unit/test_layers.py`` keeps it that way. Adapters never see the engine (import-linter contract): the entry
points in ``bot/`` hand them ``engine.app``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.app.catalog_admin import CatalogAdmin
from core.app.discovery import INLINE_TEXT_CHARS, Discovery, SimilarRank, join_cues
from core.app.loaded import LoadedCatalog
from core.app.personal import Personal
from core.app.services import AppServices
from core.app.session import Sessions
from core.app.tracks import TrackFinder
from core.catalog import SHIPPED_CATALOG, Catalog, ProgressFn
from core.chat import ChatService
from core.conversation import ConversationStore
from core.infra.store_db import Database
from core.ratelimit import RateLimiter
from core.recommender import Recommender
from core.table import TrackTable

if TYPE_CHECKING:
    from core.conversation import LastRequest
    from core.feedback import FeedbackService
    from core.models import NeedsClarification, Recommendation
    from core.playlists import PlaylistService
    from core.previews import PreviewConfig, PreviewService

__all__ = ["INLINE_TEXT_CHARS", "Engine", "SimilarRank", "join_cues"]


class Engine:
    """The composition root. Build with ``await Engine.open(db_path)``; call the use cases on ``engine.app``; close
    with ``await engine.close()``."""

    def __init__(
        self, catalog: Catalog, table: TrackTable, recommender: Recommender, *, one_request: bool = False
    ) -> None:
        self.catalog = catalog
        #: the small stores' shared SQLAlchemy engine on the same database (:mod:`core.infra.store_db`)
        self.database = Database.for_catalog(catalog)
        #: the conversation's, likes' and playlist reads' database: in a one-request process on SQLite the stdlib
        #: ``sqlite3`` one (:mod:`core.infra.lite_db`: no SQLAlchemy import), else :attr:`database`
        self.conversation_db: Any = self.database
        if one_request and self.database.dialect == "sqlite" and getattr(catalog, "path", None) is not None:
            from core.infra.lite_db import LiteDatabase

            self.conversation_db = LiteDatabase.for_catalog(catalog)
        #: the live in-memory catalog: track table, KNN recommender, references, text model, coverage
        self.loaded = LoadedCatalog(table, recommender)
        self._write_lock = asyncio.Lock()  # one transaction at a time on the catalog connection
        #: the catalog change-log position the table reflects at open (see core.infra.changes)
        self.catalog_seq = 0
        self._follower: Any = None  # core.infra.changes.CatalogFollower once following
        # the use-case services (core.app), each with the narrow parts it needs
        tracks = TrackFinder(self.loaded)
        discovery = Discovery(self.loaded, catalog, tracks)
        admin = CatalogAdmin(catalog, self.loaded, tracks, self._write_lock, lambda: self._follower)
        sessions = Sessions(
            open_conversations=self._open_conversations,
            open_leases=self._open_leases,
            open_buttons=self._open_buttons,
            lock=self._write_lock,
            search=discovery,
            tracks=tracks,
            replay=self._replay,
            transactions=self.conversation_db,
        )
        personal = Personal(
            discovery, sessions, make_feedback=self._make_feedback, make_playlists=self._make_playlists,
            make_previews=self._make_previews,
        )
        #: the typed bundle adapters, the agent, the CLI one-shots, benchmarks and tests call (core.app.services)
        self.app = AppServices(
            tracks=tracks, discovery=discovery, admin=admin, sessions=sessions,
            personal=personal, make_rate_limits=lambda: RateLimiter(self.database),
        )
        self.app.chat = ChatService(self.app)

    async def _replay(
        self, spec: LastRequest, exclude_ids: list[str], **options: Any
    ) -> tuple[Recommendation | NeedsClarification, LastRequest]:
        """Run a replayable request for :class:`core.app.session.Sessions` (:func:`core.agent.specs.run_request` on
        the personal service; ``options``: ``merge, caller, recent, lang``). Wired here, in the composition root, so
        that ``core.app`` never imports ``core.agent`` (import-linter contract) and the agent package is imported
        only when a request is replayed."""
        from core.agent.specs import run_request

        return await run_request(self.app.personal, spec, exclude_ids, **options)

    # ------------------------------------------------------------------ storage behind the ports (built here only)
    async def _open_conversations(self) -> ConversationStore:
        return ConversationStore(self.conversation_db)

    async def _open_leases(self) -> Any:
        from core.leases import SqliteLeases

        return SqliteLeases(self.conversation_db)

    async def _open_buttons(self) -> Any:
        from core.buttons import SqliteButtonStore

        return SqliteButtonStore(self.database)

    def _make_feedback(self) -> FeedbackService:
        from core.feedback import FeedbackService

        # the shared database and the live table
        return FeedbackService(self.conversation_db, self.app.tracks, self.loaded)

    def _make_playlists(self, exclusions: Any) -> PlaylistService:
        from core.playlists import PlaylistService

        if self.conversation_db is not self.database:  # one request on SQLite: reads without SQLAlchemy
            from core.playlists.lite_store import LitePlaylistStore

            store: Any = LitePlaylistStore(self.conversation_db, self.database)
        else:
            from core.playlists import SqlitePlaylistStore

            store = SqlitePlaylistStore(self.database)
        # the playlist rules need the live table, the KNN recommender and reference resolution: Discovery has them
        return PlaylistService(self.app.discovery, store, exclusions=exclusions)

    def _make_previews(self, config: PreviewConfig | None) -> PreviewService:
        from core.previews import PreviewConfig, PreviewService

        return PreviewService(self.database, config or PreviewConfig.from_env())

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    async def open(
        cls, db_path: str | Path, *, seed: bool = True, seed_path: Path = SHIPPED_CATALOG, progress: ProgressFn | None = None,
        cache: bool = True,
        follow: bool = False,
        one_request: bool = False,
    ) -> Engine:
        """Open the catalog (seeding the shipped one on first start), then build the table and KNN index.
        ``db_path``: a SQLite file or ``postgresql://`` URL. ``follow``: start :meth:`follow_changes`.

        ``cache``: read the track table from the on-disk start-up cache when it matches the catalog version, and
        write it there after a build (:mod:`core.startup_cache`; ``MUSICBOT_CACHE=0`` turns it off everywhere).

        ``one_request``: the process serves one request and ends (``musicbot ask`` …): on SQLite the conversation,
        its lease, likes and playlist reads then run on the stdlib ``sqlite3`` module (:mod:`core.infra.lite_db`),
        the other stores' statements inline on SQLAlchemy's sync engine (:meth:`~core.infra.store_db.Database.run_inline`).

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
        engine = cls(catalog, table, Recommender(table), one_request=one_request)
        engine.loaded.cache_dir = cache_dir
        engine.loaded.table_source = how
        engine.catalog_seq = seq
        if one_request:  # the SQLAlchemy side on the lite database's connection: one transaction for both
            lite = engine.conversation_db if engine.conversation_db is not engine.database else None
            await engine.database.run_inline(shared=lite)
        if follow:
            await engine.follow_changes()
        return engine

    async def follow_changes(self) -> None:
        """Follow catalog changes made by other processes (:class:`core.infra.changes.CatalogFollower`): the table
        and KNN index apply them within ~1 s. Idempotent; stopped by :meth:`close`."""
        from core.infra.changes import CatalogFollower

        if self._follower is None:
            self._follower = CatalogFollower(self.catalog, self.loaded, self._write_lock, self.catalog_seq)
            await self._follower.start()

    async def close(self) -> None:
        """Stop following changes and close the catalog connection."""
        if self._follower is not None:
            await self._follower.stop()
            self._follower = None
        await self.database.close()
        if self.conversation_db is not self.database:  # after the SQLAlchemy side, which may run on its connection
            await self.conversation_db.close()
        await self.catalog.close()

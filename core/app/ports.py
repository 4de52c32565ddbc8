"""The ports of the application layer: what the use-case services need from storage and outside services.

Each port is a :class:`typing.Protocol` matching the public methods of the existing implementation (named in each
docstring), so the SQLite / PostgreSQL stores satisfy it structurally and :mod:`core.app.fakes` gives an in-memory
fake for unit tests (fakes, not mocks: cosmicpython's ``FakeRepository``). The services in :mod:`core.app` import
these ports, never a storage implementation; the composition root (:class:`core.engine.Engine`) builds the real ones.

Playlists keep their port where the playlist package defines it (:class:`core.playlists.store.PlaylistStore`,
re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from core.models import Track
from core.playlists.store import PlaylistStore

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import numpy as np

    from core.catalog_rows import ImportReport, ProgressFn
    from core.conversation import ConversationState
    from core.feedback import FeedbackResult
    from core.models import Caller, Filters, NeedsClarification, Recommendation, TextQuery
    from core.previews import TrackPreview
    from core.ratelimit import RatePolicy, Verdict
    from core.playlists import PlaylistService
    from core.recommender import Recommender, Scored
    from core.references import ResolvedRef, TrackReferences
    from core.table import TrackTable

__all__ = [
    "ButtonState",
    "CatalogBrowser",
    "CatalogRepository",
    "CatalogSearch",
    "ChangeLog",
    "ChartLookup",
    "Conversations",
    "Feedback",
    "Leases",
    "LiveCatalogUpdates",
    "PlaylistCatalog",
    "PlaylistStore",
    "PreviewCache",
    "RateLimits",
    "RequestRunner",
    "SongAdmin",
    "TrackFetcher",
    "TrackFinding",
    "TrackLookup",
    "TrackSearch",
    "Transactions",
    "UnitOfWork",
]


@runtime_checkable
class TrackSearch(Protocol):
    """Full-text search over title / artist / album (FTS5 on SQLite, ``tsvector`` on PostgreSQL)."""

    async def search_ids(self, query: str, limit: int = 10) -> list[str]:
        """Track ids matching ``query``, best first, at most ``limit``."""
        ...


@runtime_checkable
class CatalogRepository(TrackSearch, Protocol):
    """The stored catalog (:class:`core.catalog.Catalog`, :class:`core.infra.pg_catalog.PgCatalog`): field-level
    writes, each its own transaction, and a change log other workers follow."""

    async def get(self, track_id: str) -> Track | None:
        """The stored track, or None."""
        ...

    async def upsert_track(self, track: Track, *, only_new: bool = False) -> bool:
        """Insert or replace ``track``; with ``only_new`` insert only (False when the id exists)."""
        ...

    async def update_fields(self, track_id: str, fields: dict[str, Any]) -> Track | None:
        """Write only these (validated) fields; the stored track after, or None when it is gone."""
        ...

    async def delete_track(self, track_id: str) -> bool:
        """Delete a track; False when it was not there."""
        ...

    async def import_file(
        self,
        path: Path,
        *,
        map_pairs: list[str] | None = None,
        replace: bool = False,
        progress: ProgressFn | None = None,
        source: str | None = None,
        max_decompressed: int = ...,
    ) -> ImportReport:
        """Import a CSV (see :mod:`core.catalog_io`); raises ImportFailed / InvalidInput."""
        ...

    async def change_version(self) -> int:
        """The change-log position (monotonic)."""
        ...


@runtime_checkable
class Conversations(Protocol):
    """Conversation memory keyed by an opaque id (:class:`core.conversation.ConversationStore`)."""

    async def load_state(self, conversation_id: str) -> ConversationState:
        """The follow-up state (last list, ``#N``, pages, last request); a fresh one when unknown."""
        ...

    async def save_state(self, conversation_id: str, state: ConversationState) -> None:
        """Store the follow-up state."""
        ...

    async def load_turns(self, conversation_id: str, max_turns: int) -> list[str]:
        """The last ``max_turns`` agent turns (JSON), oldest first."""
        ...

    async def append_turn(self, conversation_id: str, messages_json: str | bytes, keep: int) -> None:
        """Append one agent turn, keeping the last ``keep``."""
        ...

    async def count_turns(self, conversation_id: str) -> int:
        """Stored turns of a conversation."""
        ...

    async def reset(self, conversation_id: str) -> None:
        """Forget the conversation (state and turns)."""
        ...


class UnitOfWork(Protocol):
    """One open transaction (:class:`core.infra.uow.UnitOfWork`): every store call the task makes on the same
    database while it is open joins it; nothing is written unless :meth:`commit` runs."""

    async def commit(self) -> None:
        """Make the transaction's writes permanent."""
        ...

    async def lock(self, *key: object) -> None:
        """Serialise read-modify-writes of ``key`` across workers until the transaction ends."""
        ...


class Transactions(Protocol):
    """Opens units of work on the stores' database (:class:`core.infra.store_db.Database`)."""

    def uow(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A new unit of work: ``async with transactions.uow() as uow: … await uow.commit()``."""
        ...


@runtime_checkable
class Leases(Protocol):
    """Named leases with an owner and an expiry, shared by every worker (:class:`core.leases.SqliteLeases`)."""

    async def try_acquire(self, key: str, owner: str, ttl_s: float = 120.0) -> bool:
        """Take ``key`` for ``owner`` unless another owner holds a live lease; True when taken."""
        ...

    async def release(self, key: str, owner: str) -> None:
        """Give ``key`` back (only ``owner``'s own lease is removed)."""
        ...


@runtime_checkable
class ButtonState(Protocol):
    """Key -> inline-keyboard button state with an expiry, shared by every worker (:class:`core.buttons.ButtonStore`)."""

    async def put(self, scope: str, state: dict[str, Any], ttl_s: float) -> str:
        """Store ``state`` for ``ttl_s`` seconds; returns its new key."""
        ...

    async def get(self, key: str) -> dict[str, Any] | None:
        """The state under ``key``, or None when unknown or expired."""
        ...

    async def replace(self, key: str, state: dict[str, Any]) -> bool:
        """Overwrite the state under ``key`` (expiry unchanged); False when unknown or expired."""
        ...


@runtime_checkable
class RateLimits(Protocol):
    """Per-user token buckets in the database (:class:`core.ratelimit.RateLimiter`)."""

    async def hit(self, user: str, policy: RatePolicy = ...) -> Verdict:
        """Count one action of ``user``; the verdict says whether it may run."""
        ...

    async def reset(self, user: str, policy: RatePolicy = ...) -> None:
        """Forget ``user``'s bucket for ``policy``."""
        ...


@runtime_checkable
class PreviewCache(Protocol):
    """Best-effort audio previews with a cache (:class:`core.previews.PreviewService`); never raises for a lookup."""

    async def find(self, track: Track) -> TrackPreview | None:
        """The preview of ``track`` (cached or looked up), or None."""
        ...

    async def many(self, tracks: Iterable[Track], budget_s: float = 3.0, concurrency: int = 4) -> dict[str, str | None]:
        """Track id -> preview URL for ``tracks`` within ``budget_s`` seconds (late/failed -> None)."""
        ...


@runtime_checkable
class Feedback(Protocol):
    """Likes / dislikes and the rankers built on them (:class:`core.feedback.FeedbackService`)."""

    async def like(self, user: Caller | str, ref: str) -> FeedbackResult:
        """Record a like."""
        ...

    async def dislike(self, user: Caller | str, ref: str) -> FeedbackResult:
        """Record a dislike."""
        ...

    async def disliked_ids(self, user: Caller | str) -> set[str]:
        """Track ids ``user`` disliked."""
        ...

    async def exclusions(self, user: Caller | str | None, extra_ids: Iterable[str] = ()) -> set[int]:
        """Table positions never to recommend to ``user`` (dislikes and their other versions)."""
        ...

    async def rank_similar(
        self, user: Caller | str | None, refs: Sequence[int], filters: Filters, exclude: Iterable[int] = (),
        limit: int | None = None, extra_boost: Callable[[np.ndarray | None], Any] | None = None,
        intensity: bool = True,
    ) -> list[Scored]:
        """:meth:`core.recommender.Recommender.similar` for ``user`` (``intensity``: keep the references' energy,
        acousticness and loudness; False for a request that moves away from them)."""
        ...

    async def rank_text(
        self, user: Caller | str | None, query: TextQuery, exclude: Iterable[int] = (), limit: int | None = None,
        extra: Callable[[np.ndarray | None], Any] | None = None,
    ) -> list[Scored]:
        """:meth:`core.recommender.Recommender.from_text` for ``user`` (``extra``: another score hook added to the
        user's taste, e.g. a style's playlists and scene)."""
        ...


# ---------------------------------------------------------------------------------------------------------------------
# Narrow ports onto the use-case services themselves: what a helper outside core.app (the chat, the agent's request
# helpers, charts, paging, feedback, the change follower) needs, so it takes one small part and never the engine.
# The concrete service named in each docstring satisfies the port structurally.


class TrackLookup(Protocol):
    """Track references over the live table (:class:`core.app.tracks.TrackFinder`, :class:`core.app.discovery.Discovery`)."""

    @property
    def table(self) -> TrackTable:
        """The live track table (read on every call: a reload replaces it)."""
        ...

    @property
    def refs(self) -> TrackReferences:
        """The live :class:`core.references.TrackReferences`."""
        ...

    def resolve(self, ref: str, fuzzy: bool = True) -> int:
        """Table position of a track reference. Raises SongNotFound / InvalidInput."""
        ...

    def resolve_ref(self, ref: str, fuzzy: bool = True) -> ResolvedRef:
        """A reference with the note to say when it was not an exact match. Raises SongNotFound / NotATrackLink."""
        ...

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        ...


class TrackFinding(TrackLookup, Protocol):
    """:class:`TrackLookup` plus splitting several references and following short links
    (:class:`core.app.tracks.TrackFinder`)."""

    def split_refs(self, args: str) -> list[str]:
        """``"a; b, c"`` -> the references, never cutting inside a whole exact title."""
        ...

    async def follow_short_links(self, text: str) -> None:
        """Resolve the Spotify short links in ``text`` into the references (never raises)."""
        ...


class ChartLookup(TrackLookup, Protocol):
    """What the charts of :mod:`core.chart_replies` read (:class:`core.app.discovery.Discovery`)."""

    async def understand_async(self, text: str, limit: int = 10, lang: str = "") -> TextQuery | NeedsClarification:
        """The local text understanding's reading of a request (``lang``: the reply's language, "" = the request's)."""
        ...


class CatalogSearch(Protocol):
    """Search as :class:`core.app.session.Sessions` runs it for a conversation (:class:`core.app.discovery.Discovery`)."""

    async def search(self, query: str, limit: int = 10) -> Recommendation:
        """Full-text then fuzzy search, best first. Raises InvalidInput."""
        ...


class TrackFetcher(Protocol):
    """One track for a reference, as ``/song`` shows it (:class:`core.app.tracks.TrackFinder`)."""

    async def find_track(self, ref: str) -> tuple[Track, str]:
        """``(track, note)``: ``note`` is empty for an exact match, else the first line the reply must show.
        Raises SongNotFound / NotATrackLink / InvalidInput."""
        ...


class CatalogBrowser(TrackLookup, Protocol):
    """What paging through the catalog (:mod:`core.browse`) needs (:class:`core.app.discovery.Discovery`)."""

    async def search(self, query: str, limit: int = 10) -> Recommendation:
        """Full-text then fuzzy search, best first. Raises InvalidInput."""
        ...


class RequestRunner(Protocol):
    """What running a replayable request needs (:func:`core.agent.specs.run_request`;
    :class:`core.app.personal.Personal`). A runner that also has ``recommend_similar_for`` /
    ``recommend_query_for`` keeps a caller's dislikes out of the lists."""

    @property
    def table(self) -> TrackTable:
        """The live track table."""
        ...

    @property
    def playlists(self) -> PlaylistService:
        """Group playlists (``recommend`` from a playlist)."""
        ...

    async def understand_async(self, text: str, limit: int = 10, lang: str = "") -> TextQuery | NeedsClarification:
        """The local text understanding's reading of a request (``lang``: the reply's language, "" = the request's)."""
        ...

    async def recommend_similar(
        self, refs: Sequence[str], filters: Filters | None = None, exclude_ids: Sequence[str] = ()
    ) -> Recommendation:
        """Tracks like ``refs``. Raises SongNotFound / InvalidInput."""
        ...

    async def recommend_query(
        self, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """Tracks for a parsed request."""
        ...


class PlaylistCatalog(TrackLookup, Protocol):
    """What the playlist use cases read (:class:`core.playlists.PlaylistService`; :class:`core.app.discovery.Discovery`)."""

    @property
    def recommender(self) -> Recommender:
        """The live KNN recommender (recommendations from a playlist)."""
        ...

    async def follow_short_links(self, text: str) -> None:
        """Resolve the Spotify short links in ``text`` into the references (never raises)."""
        ...


class SongAdmin(Protocol):
    """Catalog edits, admins only, permission re-checked inside (:class:`core.app.catalog_admin.CatalogAdmin`)."""

    async def add_song(self, caller: Caller, data: dict[str, Any]) -> Track:
        """Add a track. Raises PermissionDenied / InvalidInput."""
        ...

    async def edit_song(self, caller: Caller, ref: str, changes: dict[str, Any]) -> Track:
        """Edit fields of a track. Raises PermissionDenied / SongNotFound / InvalidInput."""
        ...

    async def delete_song(self, caller: Caller, ref: str) -> Track:
        """Delete a track. Raises PermissionDenied / SongNotFound."""
        ...


class ChangeLog(Protocol):
    """The catalog's change log as a follower reads it (:class:`core.catalog.Catalog`, :class:`core.infra.pg_catalog.PgCatalog`)."""

    async def changes_since(self, seq: int, limit: int) -> list[tuple[int, str, str]]:
        """``(seq, track_id, op)`` rows after ``seq``, oldest first, at most ``limit``; op upsert / delete / reload."""
        ...

    async def change_version(self) -> int:
        """The change-log position (monotonic)."""
        ...

    async def get(self, track_id: str) -> Track | None:
        """The stored track, or None."""
        ...


class LiveCatalogUpdates(Protocol):
    """The in-memory catalog a follower updates (:class:`core.app.loaded.LoadedCatalog`)."""

    async def reload(self, catalog: Any) -> None:
        """Rebuild table, KNN index, text understanding and references from ``catalog``."""
        ...

    def apply_upsert(self, track: Track, refit: bool = True) -> Track:
        """Put a stored track into the table and KNN index."""
        ...

    def apply_delete(self, track_id: str, refit: bool = True) -> bool:
        """Drop a track from the table and KNN index; False when it was not there."""
        ...

    def text_changed(self) -> None:
        """Refresh the fitted text understanding after table changes."""
        ...

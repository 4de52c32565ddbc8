"""Shared playlists per group: create, add, remove, show (paginated), rename, delete, recommend, export.

A *group* is an opaque id chosen by the adapter — ``telegram:<chat_id>``, ``discord:<guild_id>``,
``console:local`` — so every adapter shares one implementation. Playlist names are unique per group
(case- and accent-insensitive). Tracks are stored by Spotify id; a track later deleted from the catalog stays in
the playlist (shown by id, still exported) instead of silently vanishing.

Permissions (checked here, not only in adapters or prompts; callers are :class:`core.models.Caller`):

* any member of the group may list, show, export, create playlists, add tracks and ask for recommendations;
* a track may be removed by whoever added it, the playlist's creator, a group admin or a bot admin;
* rename and delete: the playlist's creator, a group admin or a bot admin. "Group admin" is what the platform says
  (Telegram chat administrator, Discord *Manage Server*): the adapter passes ``group_admin=True``. A bot admin is
  ``caller.is_admin`` (from settings).

Limits (:class:`PlaylistLimits`): 500 tracks per playlist, 100 playlists per group, names up to 100 characters.

Storage goes through the :class:`PlaylistStore` port: :class:`SqlitePlaylistStore` (tables in the catalog database,
one ``BEGIN IMMEDIATE`` transaction per write, serialized on the shared connection by an ``asyncio.Lock`` — the
engine's write lock) and :class:`MemoryPlaylistStore` (the fake used by unit tests). Every check-then-write (limit,
duplicate) happens inside one store call, so 50 concurrent writers lose nothing and never overshoot a limit.
"""

from __future__ import annotations

import asyncio
import math
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
from pydantic import BaseModel, Field, computed_field
from rapidfuzz import fuzz, process

from core.catalog import normalize_text
from core.errors import InvalidInput, LimitReached, PermissionDenied
from core.models import Caller, Filters, Recommendation, RecommendedTrack, Track, spotify_uri, spotify_url

if TYPE_CHECKING:
    import aiosqlite

    from core.engine import Engine

_GROUP_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}:\S{1,200}$")
_TRACK_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_SPOTIFY_REF = re.compile(r"(?:open\.spotify\.com/(?:intl-[a-z-]+/)?track/|spotify:track:)([0-9A-Za-z]{22})")
_INDEX_REF = re.compile(r"^#(\d{1,4})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# ---------------------------------------------------------------------------------------------------------- models
def _ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def member_key(caller: Caller) -> str:
    """Stable identity of a caller across groups: ``"platform:user_id"`` (e.g. ``"telegram:42"``)."""
    return f"{caller.platform}:{caller.user_id}"


class Playlist(BaseModel):
    """A group playlist (metadata only). ``created_by`` is a :func:`member_key`."""

    playlist_id: int
    group_id: str
    name: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    track_count: int = 0


class PlaylistEntry(BaseModel):
    """One track in a playlist. ``index`` is 1-based in playlist order; ``track`` is None if it left the catalog."""

    index: int
    track_id: str
    track: Track | None
    added_by: str
    added_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spotify_url(self) -> str:
        """``https://open.spotify.com/track/ID`` (built from the id, valid even if the track left the catalog)."""
        return spotify_url(self.track_id)

    @property
    def label(self) -> str:
        """``"Title - Artist"`` or the bare id for a track no longer in the catalog."""
        return f"{self.track.title} - {self.track.artist}" if self.track else f"(not in catalog) {self.track_id}"


class PlaylistPage(BaseModel):
    """One page of a playlist; ``page`` is 1-based, ``pages`` ≥ 1 even for an empty playlist."""

    playlist: Playlist
    entries: list[PlaylistEntry]
    page: int
    per_page: int
    total: int
    pages: int


class PlaylistChange(BaseModel):
    """Result of add/remove: what changed, what was a no-op, and a plain-text summary for any adapter."""

    playlist: Playlist
    added: list[Track] = Field(default_factory=list)
    already: list[Track] = Field(default_factory=list, description="duplicate adds (no-op)")
    removed: list[str] = Field(default_factory=list, description="track ids removed")
    missing: list[str] = Field(default_factory=list, description="references that were not in the playlist")
    message: str = ""


class PlaylistExport(BaseModel):
    """Every track of a playlist as Spotify links and URIs (in playlist order)."""

    playlist: Playlist
    track_ids: list[str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def urls(self) -> list[str]:
        """``https://open.spotify.com/track/ID`` per track."""
        return [spotify_url(i) for i in self.track_ids]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def uris(self) -> list[str]:
        """``spotify:track:ID`` per track (paste these into a Spotify desktop playlist)."""
        return [spotify_uri(i) for i in self.track_ids]

    def as_text(self, fmt: Literal["urls", "uris"] = "urls") -> str:
        """One link (or URI) per line; an adapter sends it as a file attachment when over its message limit."""
        return "\n".join(self.urls if fmt == "urls" else self.uris)


@dataclass(frozen=True, slots=True)
class PlaylistLimits:
    """Size limits (defaults from issue 6)."""

    tracks_per_playlist: int = 500
    playlists_per_group: int = 100
    name_chars: int = 100
    refs_per_call: int = 100
    per_page_max: int = 50


class PlaylistNotFound(InvalidInput):
    """No playlist of that name (or id) in the group. ``suggestions``: up to 3 close names in the group."""

    def __init__(self, ref: str, suggestions: list[str] | None = None) -> None:
        self.ref = ref
        self.suggestions = list(suggestions or [])[:3]
        msg = f'No playlist "{ref}" here.'
        if self.suggestions:
            msg += " Did you mean: " + "; ".join(self.suggestions) + "?"
        else:
            msg += " Create it with: playlist create NAME"
        super().__init__(msg, field="playlist")


# ---------------------------------------------------------------------------------------------------------- store port
@dataclass(slots=True)
class EntryRow:
    """A raw playlist row from a store."""

    track_id: str
    added_by: str
    added_at: float


@dataclass(slots=True)
class AddOutcome:
    """What a store did with an add: ``status`` ok | full | missing (playlist gone); ids added / already present."""

    status: Literal["ok", "full", "missing"]
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    count: int = 0


@dataclass(slots=True)
class _Row:
    playlist_id: int
    group_id: str
    name: str
    created_by: str
    created_at: float
    updated_at: float
    track_count: int = 0

    def model(self) -> Playlist:
        return Playlist(
            playlist_id=self.playlist_id,
            group_id=self.group_id,
            name=self.name,
            created_by=self.created_by,
            created_at=_ts(self.created_at),
            updated_at=_ts(self.updated_at),
            track_count=self.track_count,
        )


class PlaylistStore(Protocol):
    """Persistence port. Every method is atomic on its own (check-then-write inside one call)."""

    async def setup(self) -> None:
        """Create tables if needed (idempotent)."""

    async def create(self, group_id: str, name: str, key: str, created_by: str, max_per_group: int) -> _Row | str:
        """Insert a playlist; returns the row, or ``"exists"`` / ``"full"``."""

    async def get(self, group_id: str, playlist_id: int) -> _Row | None:
        """The playlist with this id in this group."""

    async def find(self, group_id: str, key: str) -> _Row | None:
        """The playlist whose normalized name is ``key`` in this group."""

    async def list(self, group_id: str) -> list[_Row]:
        """All playlists of a group, by name."""

    async def add_tracks(
        self, playlist_id: int, track_ids: Sequence[str], added_by: str, max_tracks: int
    ) -> AddOutcome:
        """Append tracks not yet present; all-or-nothing against ``max_tracks``."""

    async def remove_tracks(self, playlist_id: int, track_ids: Sequence[str]) -> list[str]:
        """Delete these tracks; returns the ids actually removed."""

    async def entries(self, playlist_id: int, offset: int = 0, limit: int | None = None) -> list[EntryRow]:
        """Tracks in playlist order."""

    async def rename(self, playlist_id: int, name: str, key: str) -> Literal["ok", "exists", "missing"]:
        """Rename (names stay unique per group)."""

    async def delete(self, playlist_id: int) -> bool:
        """Delete a playlist and its tracks."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS playlists (
    id INTEGER PRIMARY KEY,
    group_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (group_id, name_key)
);
CREATE TABLE IF NOT EXISTS playlist_tracks (
    playlist_id INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    track_id TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at REAL NOT NULL,
    UNIQUE (playlist_id, track_id)
);
"""
_SELECT = (
    "SELECT p.id, p.group_id, p.name, p.created_by, p.created_at, p.updated_at, "
    "(SELECT count(*) FROM playlist_tracks t WHERE t.playlist_id = p.id) FROM playlists p "
)


class SqlitePlaylistStore:
    """Playlists in the catalog database (tables created with ``IF NOT EXISTS``; no foreign key to ``tracks``).

    Args:
        db: returns the (shared) aiosqlite connection — opened with ``isolation_level=None``.
        lock: serializes transactions on that connection (pass the engine's write lock: SQLite has one transaction
            per connection, so interleaved ``BEGIN``s from concurrent coroutines would fail or mix).
    """

    def __init__(self, db: Callable[[], aiosqlite.Connection], lock: asyncio.Lock | None = None) -> None:
        self._db = db
        self._lock = lock or asyncio.Lock()
        self._ready = False

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock; retried briefly if another process holds the file."""
        async with self._lock:
            db = self._db()
            for attempt in range(5):
                try:
                    await db.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:  # busy_timeout already waited; another process is writing
                    if "locked" not in str(exc) and "busy" not in str(exc) or attempt == 4:
                        raise
                    await asyncio.sleep(0.05 * (attempt + 1))
            try:
                yield db
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            await db.execute("COMMIT")

    async def setup(self) -> None:
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                await self._db().executescript(_SCHEMA)
                self._ready = True

    async def _one(self, sql: str, args: tuple) -> _Row | None:
        async with self._db().execute(sql, args) as cur:
            row = await cur.fetchone()
        return _Row(*row) if row else None

    async def create(self, group_id: str, name: str, key: str, created_by: str, max_per_group: int) -> _Row | str:
        now = time.time()
        async with self._tx() as db:
            async with db.execute("SELECT count(*) FROM playlists WHERE group_id=?", (group_id,)) as cur:
                if (await cur.fetchone())[0] >= max_per_group:
                    return "full"
            async with db.execute("SELECT 1 FROM playlists WHERE group_id=? AND name_key=?", (group_id, key)) as cur:
                if await cur.fetchone():
                    return "exists"
            cur = await db.execute(
                "INSERT INTO playlists (group_id, name, name_key, created_by, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?)",
                (group_id, name, key, created_by, now, now),
            )
            return _Row(int(cur.lastrowid), group_id, name, created_by, now, now, 0)

    async def get(self, group_id: str, playlist_id: int) -> _Row | None:
        return await self._one(_SELECT + "WHERE p.group_id=? AND p.id=?", (group_id, playlist_id))

    async def find(self, group_id: str, key: str) -> _Row | None:
        return await self._one(_SELECT + "WHERE p.group_id=? AND p.name_key=?", (group_id, key))

    async def list(self, group_id: str) -> list[_Row]:
        async with self._db().execute(_SELECT + "WHERE p.group_id=? ORDER BY p.name_key", (group_id,)) as cur:
            return [_Row(*r) for r in await cur.fetchall()]

    async def add_tracks(
        self, playlist_id: int, track_ids: Sequence[str], added_by: str, max_tracks: int
    ) -> AddOutcome:
        now = time.time()
        async with self._tx() as db:
            async with db.execute("SELECT 1 FROM playlists WHERE id=?", (playlist_id,)) as cur:
                if not await cur.fetchone():
                    return AddOutcome("missing")
            async with db.execute("SELECT track_id FROM playlist_tracks WHERE playlist_id=?", (playlist_id,)) as cur:
                present = {r[0] for r in await cur.fetchall()}
            new = [t for t in dict.fromkeys(track_ids) if t not in present]
            already = [t for t in dict.fromkeys(track_ids) if t in present]
            if len(present) + len(new) > max_tracks:
                return AddOutcome("full", [], already, len(present))
            if new:
                await db.executemany(
                    "INSERT INTO playlist_tracks (playlist_id, track_id, added_by, added_at) VALUES (?,?,?,?)",
                    [(playlist_id, t, added_by, now) for t in new],
                )
                await db.execute("UPDATE playlists SET updated_at=? WHERE id=?", (now, playlist_id))
            return AddOutcome("ok", new, already, len(present) + len(new))

    async def remove_tracks(self, playlist_id: int, track_ids: Sequence[str]) -> list[str]:
        removed: list[str] = []
        async with self._tx() as db:
            for t in dict.fromkeys(track_ids):
                cur = await db.execute(
                    "DELETE FROM playlist_tracks WHERE playlist_id=? AND track_id=?", (playlist_id, t)
                )
                if cur.rowcount:
                    removed.append(t)
            if removed:
                await db.execute("UPDATE playlists SET updated_at=? WHERE id=?", (time.time(), playlist_id))
        return removed

    async def entries(self, playlist_id: int, offset: int = 0, limit: int | None = None) -> list[EntryRow]:
        sql = (
            "SELECT track_id, added_by, added_at FROM playlist_tracks WHERE playlist_id=? "
            "ORDER BY rowid LIMIT ? OFFSET ?"
        )
        async with self._db().execute(sql, (playlist_id, -1 if limit is None else limit, offset)) as cur:
            return [EntryRow(*r) for r in await cur.fetchall()]

    async def rename(self, playlist_id: int, name: str, key: str) -> Literal["ok", "exists", "missing"]:
        async with self._tx() as db:
            async with db.execute("SELECT group_id FROM playlists WHERE id=?", (playlist_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return "missing"
            sql = "SELECT 1 FROM playlists WHERE group_id=? AND name_key=? AND id<>?"
            async with db.execute(sql, (row[0], key, playlist_id)) as cur:
                if await cur.fetchone():
                    return "exists"
            await db.execute(
                "UPDATE playlists SET name=?, name_key=?, updated_at=? WHERE id=?",
                (name, key, time.time(), playlist_id),
            )
            return "ok"

    async def delete(self, playlist_id: int) -> bool:
        async with self._tx() as db:
            await db.execute("DELETE FROM playlist_tracks WHERE playlist_id=?", (playlist_id,))
            cur = await db.execute("DELETE FROM playlists WHERE id=?", (playlist_id,))
            return cur.rowcount > 0


class MemoryPlaylistStore:
    """In-memory :class:`PlaylistStore` fake (unit tests). No awaits inside a method, so each call is atomic."""

    def __init__(self) -> None:
        self.rows: dict[int, _Row] = {}
        self.keys: dict[int, str] = {}
        self.tracks: dict[int, dict[str, EntryRow]] = {}
        self._next = 1

    async def setup(self) -> None:
        return None

    def _copy(self, pid: int) -> _Row:
        r = self.rows[pid]
        return _Row(r.playlist_id, r.group_id, r.name, r.created_by, r.created_at, r.updated_at, len(self.tracks[pid]))

    async def create(self, group_id: str, name: str, key: str, created_by: str, max_per_group: int) -> _Row | str:
        mine = [pid for pid, r in self.rows.items() if r.group_id == group_id]
        if len(mine) >= max_per_group:
            return "full"
        if any(self.keys[pid] == key for pid in mine):
            return "exists"
        pid, self._next, now = self._next, self._next + 1, time.time()
        self.rows[pid] = _Row(pid, group_id, name, created_by, now, now)
        self.keys[pid], self.tracks[pid] = key, {}
        return self._copy(pid)

    async def get(self, group_id: str, playlist_id: int) -> _Row | None:
        r = self.rows.get(playlist_id)
        return self._copy(playlist_id) if r and r.group_id == group_id else None

    async def find(self, group_id: str, key: str) -> _Row | None:
        for pid, r in self.rows.items():
            if r.group_id == group_id and self.keys[pid] == key:
                return self._copy(pid)
        return None

    async def list(self, group_id: str) -> list[_Row]:
        pids = sorted((pid for pid, r in self.rows.items() if r.group_id == group_id), key=lambda p: self.keys[p])
        return [self._copy(p) for p in pids]

    async def add_tracks(
        self, playlist_id: int, track_ids: Sequence[str], added_by: str, max_tracks: int
    ) -> AddOutcome:
        present = self.tracks.get(playlist_id)
        if present is None:
            return AddOutcome("missing")
        new = [t for t in dict.fromkeys(track_ids) if t not in present]
        already = [t for t in dict.fromkeys(track_ids) if t in present]
        if len(present) + len(new) > max_tracks:
            return AddOutcome("full", [], already, len(present))
        now = time.time()
        for t in new:
            present[t] = EntryRow(t, added_by, now)
        if new:
            self.rows[playlist_id].updated_at = now
        return AddOutcome("ok", new, already, len(present))

    async def remove_tracks(self, playlist_id: int, track_ids: Sequence[str]) -> list[str]:
        present = self.tracks.get(playlist_id, {})
        removed = [t for t in dict.fromkeys(track_ids) if present.pop(t, None) is not None]
        if removed:
            self.rows[playlist_id].updated_at = time.time()
        return removed

    async def entries(self, playlist_id: int, offset: int = 0, limit: int | None = None) -> list[EntryRow]:
        rows = list(self.tracks.get(playlist_id, {}).values())
        return rows[offset : None if limit is None else offset + limit]

    async def rename(self, playlist_id: int, name: str, key: str) -> Literal["ok", "exists", "missing"]:
        r = self.rows.get(playlist_id)
        if r is None:
            return "missing"
        if any(self.keys[p] == key and o.group_id == r.group_id and p != playlist_id for p, o in self.rows.items()):
            return "exists"
        r.name, self.keys[playlist_id], r.updated_at = name, key, time.time()
        return "ok"

    async def delete(self, playlist_id: int) -> bool:
        self.tracks.pop(playlist_id, None)
        self.keys.pop(playlist_id, None)
        return self.rows.pop(playlist_id, None) is not None


# ---------------------------------------------------------------------------------------------------------- scoring
def diversify(
    candidates: Sequence[int],
    relevance: Sequence[float],
    vectors: np.ndarray,
    limit: int,
    lam: float = 0.7,
    tau: float = 4.0,
) -> list[int]:
    """Maximal marginal relevance (Carbonell & Goldstein, SIGIR 1998) over candidate positions.

    Greedily picks ``argmax λ·rel(c) − (1−λ)·max_{s∈picked} sim(c, s)`` with ``rel`` scaled so the best
    candidate has 1 (``relevance[i]`` belongs to ``candidates[i]``) and ``sim = exp(−d²/τ)`` in the KNN feature space
    (``vectors``: ``(len(candidates), d)``; τ as :attr:`ScoreParams.tau_audio`). Returns up to ``limit`` candidates;
    the first is always the most relevant.
    """
    cand = list(candidates)
    if len(cand) <= 1 or limit <= 1:
        return cand[:limit]
    rel = np.asarray(relevance, dtype=np.float64)
    hi = float(rel.max())
    rel = rel / hi if hi > 0 else np.ones_like(rel)
    x = np.asarray(vectors, dtype=np.float64)
    sq = (x * x).sum(1)
    sim = np.exp(-np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0.0) / tau)
    picked = [int(np.argmax(rel))]
    max_sim = sim[picked[0]].copy()
    chosen = np.zeros(len(cand), dtype=bool)
    chosen[picked[0]] = True
    while len(picked) < min(limit, len(cand)):
        mmr = np.where(chosen, -np.inf, lam * rel - (1 - lam) * max_sim)
        i = int(np.argmax(mmr))
        picked.append(i)
        chosen[i] = True
        np.maximum(max_sim, sim[i], out=max_sim)
    return [cand[i] for i in picked]


# ---------------------------------------------------------------------------------------------------------- service
class PlaylistService:
    """Use cases for group playlists. Build through ``engine.playlists`` (lazily created on the catalog DB).

    Args:
        engine: resolves references (``engine.resolve``) and owns the live track table and recommender.
        store: the persistence port (SQLite or the in-memory fake).
        limits: size limits.
        exclusions: async ``caller -> table positions`` never to recommend to that caller (their dislikes and the
            duplicates of those: :meth:`core.feedback.FeedbackService.exclusions`), optional.
    """

    def __init__(
        self,
        engine: Engine,
        store: PlaylistStore,
        limits: PlaylistLimits | None = None,
        exclusions: Callable[[Caller], Awaitable[set[int]]] | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.limits = limits or PlaylistLimits()
        self._exclusions = exclusions

    # ------------------------------------------------------------------ validation helpers
    @staticmethod
    def check_group(group_id: str) -> str:
        """Validate an opaque group id ``platform:id`` (e.g. ``telegram:-100123``). Raises InvalidInput."""
        group_id = str(group_id or "").strip()
        if not _GROUP_ID.match(group_id):
            raise InvalidInput(
                f'Invalid group id "{group_id[:40]}": expected platform:id, e.g. console:local.', "group"
            )
        return group_id

    def check_name(self, name: str) -> tuple[str, str]:
        """Clean a playlist name -> ``(display name, lookup key)``. Raises InvalidInput (empty, too long, `#…`)."""
        name = " ".join(_CONTROL.sub(" ", str(name or "")).split())
        if not name:
            raise InvalidInput("A playlist needs a name, e.g. “Road Trip”.", "name")
        if len(name) > self.limits.name_chars:
            raise InvalidInput(
                f"Playlist names can be at most {self.limits.name_chars} characters (got {len(name)}).",
                "name",
                f"1–{self.limits.name_chars} characters",
            )
        if name.startswith("#"):
            raise InvalidInput("Playlist names cannot start with # (that prefix means a playlist id).", "name")
        return name, normalize_text(name) or name.casefold()

    async def _row(self, group_id: str, playlist: str | int) -> _Row:
        await self.store.setup()
        group_id = self.check_group(group_id)
        if isinstance(playlist, int):
            row = await self.store.get(group_id, playlist)
            if row is None:
                raise PlaylistNotFound(f"#{playlist}")
            return row
        ref = " ".join(str(playlist or "").split())
        if not ref:
            raise InvalidInput("Which playlist? Give its name.", "playlist")
        row = await self.store.find(group_id, normalize_text(ref) or ref.casefold())
        if row is None and re.fullmatch(r"#?\d{1,12}", ref):
            row = await self.store.get(group_id, int(ref.lstrip("#")))
        if row is None:
            names = [r.name for r in await self.store.list(group_id)]
            hits = process.extract(ref, names, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
            raise PlaylistNotFound(ref, [h[0] for h in hits])
        return row

    def _track(self, track_id: str) -> Track | None:
        pos = self.engine.table.pos.get(track_id)
        return self.engine.table.track(pos) if pos is not None else None

    def _resolve_ids(self, refs: str | Sequence[str]) -> list[str]:
        refs = [refs] if isinstance(refs, str) else list(refs)
        refs = [r for r in refs if r and str(r).strip()]
        if not refs:
            raise InvalidInput("Which song? Give an id, a Spotify link, or “title - artist”.", "track")
        if len(refs) > self.limits.refs_per_call:
            raise LimitReached(f"Please add at most {self.limits.refs_per_call} songs at a time.")
        t = self.engine.table
        return [t.ids[self.engine.resolve(r)] for r in refs]  # SongNotFound (with suggestions) on the first miss

    @staticmethod
    def _may_manage(caller: Caller, row: _Row, group_admin: bool) -> bool:
        return caller.is_admin or group_admin or member_key(caller) == row.created_by

    # ------------------------------------------------------------------ use cases
    async def list(self, group_id: str) -> list[Playlist]:
        """Every playlist of a group, by name (with track counts)."""
        await self.store.setup()
        return [r.model() for r in await self.store.list(self.check_group(group_id))]

    async def get(self, group_id: str, playlist: str | int) -> Playlist:
        """One playlist by name (case/accent-insensitive) or id. Raises PlaylistNotFound."""
        return (await self._row(group_id, playlist)).model()

    async def create(self, caller: Caller, group_id: str, name: str) -> Playlist:
        """Create an empty playlist owned by ``caller``.

        Raises:
            InvalidInput: bad name / group, or a playlist of that name exists. LimitReached: 100 playlists already.
        """
        await self.store.setup()
        group_id = self.check_group(group_id)
        name, key = self.check_name(name)
        res = await self.store.create(group_id, name, key, member_key(caller), self.limits.playlists_per_group)
        if res == "full":
            raise LimitReached(
                f"This group already has {self.limits.playlists_per_group} playlists (the maximum); delete one first."
            )
        if res == "exists":
            raise InvalidInput(f'A playlist named "{name}" already exists here.', "name")
        assert not isinstance(res, str)
        return res.model()

    async def add(
        self, caller: Caller, group_id: str, playlist: str | int, refs: str | Sequence[str]
    ) -> PlaylistChange:
        """Add tracks (ids, Spotify links/URIs, titles, "title - artist"; fuzzy). Duplicates are a no-op.

        All-or-nothing: every reference must resolve and the result must fit the 500-track limit.

        Raises:
            PlaylistNotFound, SongNotFound (with suggestions), LimitReached, InvalidInput.
        """
        row = await self._row(group_id, playlist)
        ids = self._resolve_ids(refs)
        out = await self.store.add_tracks(row.playlist_id, ids, member_key(caller), self.limits.tracks_per_playlist)
        if out.status == "missing":
            raise PlaylistNotFound(row.name)
        cap = self.limits.tracks_per_playlist
        if out.status == "full":
            new = len(set(ids)) - len(out.already)
            raise LimitReached(
                f'"{row.name}" has {out.count}/{cap} tracks; adding {new} more would exceed the limit of {cap}.'
            )
        fresh = await self._row(group_id, row.playlist_id)
        added = [t for t in map(self._track, out.added) if t]
        already = [t for t in map(self._track, out.already) if t]
        bits = []
        if added:
            what = f'"{added[0].title} - {added[0].artist}"' if len(added) == 1 else f"{len(added)} tracks"
            bits.append(f'Added {what} to "{row.name}" ({fresh.track_count}/{cap}).')
        if already:
            what = (
                f'"{already[0].title} - {already[0].artist}" is' if len(already) == 1 else f"{len(already)} tracks are"
            )
            bits.append(f'{what} already in "{row.name}".')
        return PlaylistChange(playlist=fresh.model(), added=added, already=already, message=" ".join(bits))

    async def remove(
        self,
        caller: Caller,
        group_id: str,
        playlist: str | int,
        refs: str | Sequence[str],
        *,
        group_admin: bool = False,
    ) -> PlaylistChange:
        """Remove tracks by reference, by ``#N`` (1-based index as shown), or by id/link (even if no longer in the
        catalog).

        Allowed for whoever added the track, the playlist's creator, a group admin or a bot admin.

        Raises:
            PlaylistNotFound, SongNotFound, PermissionDenied, InvalidInput.
        """
        row = await self._row(group_id, playlist)
        refs = [refs] if isinstance(refs, str) else [r for r in refs if r and str(r).strip()]
        if not refs:
            raise InvalidInput("Which song? Give its #number in the playlist, a title, a link or an id.", "track")
        entries = await self.store.entries(row.playlist_id)
        by_id = {e.track_id: e for e in entries}
        ids: list[str] = []
        missing: list[str] = []
        for ref in refs:
            ref = str(ref).strip()
            m_idx, m_link = _INDEX_REF.match(ref), _SPOTIFY_REF.search(ref)
            if m_idx:
                i = int(m_idx.group(1))
                if not 1 <= i <= len(entries):
                    raise InvalidInput(f'"{row.name}" has {len(entries)} tracks; #{i} is out of range.', "track")
                tid = entries[i - 1].track_id
            elif m_link or (_TRACK_ID.match(ref) and ref in by_id):
                tid = m_link.group(1) if m_link else ref
            else:
                tid = self.engine.table.ids[self.engine.resolve(ref)]
            if tid in by_id:
                ids.append(tid)
            else:
                missing.append(ref)
        me = member_key(caller)
        if not self._may_manage(caller, row, group_admin) and any(by_id[t].added_by != me for t in ids):
            raise PermissionDenied("remove tracks someone else added (ask the playlist's creator or an admin)")
        removed = await self.store.remove_tracks(row.playlist_id, ids) if ids else []
        fresh = await self._row(group_id, row.playlist_id)
        names = [self._label(t) for t in removed]
        bits = []
        if removed:
            bits.append(f'Removed {names[0] if len(names) == 1 else f"{len(names)} tracks"} from "{row.name}".')
        if missing:
            bits.append(f'Not in "{row.name}": {"; ".join(missing[:5])}.')
        return PlaylistChange(playlist=fresh.model(), removed=removed, missing=missing, message=" ".join(bits))

    def _label(self, track_id: str) -> str:
        t = self._track(track_id)
        return f'"{t.title} - {t.artist}"' if t else track_id

    async def show(self, group_id: str, playlist: str | int, page: int = 1, per_page: int = 10) -> PlaylistPage:
        """One page of a playlist (1-based ``page``; ``per_page`` 1–50). A page past the end is clamped to the last.

        Raises:
            PlaylistNotFound, InvalidInput (bad page size).
        """
        if not 1 <= per_page <= self.limits.per_page_max:
            raise InvalidInput(
                f"per_page must be 1–{self.limits.per_page_max}.", "per_page", f"1–{self.limits.per_page_max}"
            )
        row = await self._row(group_id, playlist)
        pages = max(1, math.ceil(row.track_count / per_page))
        page = min(max(1, int(page)), pages)
        rows = await self.store.entries(row.playlist_id, (page - 1) * per_page, per_page)
        entries = [
            PlaylistEntry(
                index=(page - 1) * per_page + i + 1,
                track_id=e.track_id,
                track=self._track(e.track_id),
                added_by=e.added_by,
                added_at=_ts(e.added_at),
            )
            for i, e in enumerate(rows)
        ]
        return PlaylistPage(
            playlist=row.model(), entries=entries, page=page, per_page=per_page, total=row.track_count, pages=pages
        )

    async def rename(
        self, caller: Caller, group_id: str, playlist: str | int, new_name: str, *, group_admin: bool = False
    ) -> Playlist:
        """Rename a playlist (creator, group admin or bot admin).

        Raises:
            PlaylistNotFound, PermissionDenied, InvalidInput (bad or taken name).
        """
        row = await self._row(group_id, playlist)
        if not self._may_manage(caller, row, group_admin):
            raise PermissionDenied("rename a playlist they did not create")
        name, key = self.check_name(new_name)
        res = await self.store.rename(row.playlist_id, name, key)
        if res == "missing":
            raise PlaylistNotFound(row.name)
        if res == "exists":
            raise InvalidInput(f'A playlist named "{name}" already exists here.', "name")
        return await self.get(group_id, row.playlist_id)

    async def delete(
        self, caller: Caller, group_id: str, playlist: str | int, *, group_admin: bool = False
    ) -> Playlist:
        """Delete a playlist and its tracks (creator, group admin or bot admin). Returns what was deleted.

        Raises:
            PlaylistNotFound, PermissionDenied.
        """
        row = await self._row(group_id, playlist)
        if not self._may_manage(caller, row, group_admin):
            raise PermissionDenied("delete a playlist they did not create")
        if not await self.store.delete(row.playlist_id):
            raise PlaylistNotFound(row.name)
        return row.model()

    async def export(self, group_id: str, playlist: str | int) -> PlaylistExport:
        """All track ids in order, with ``urls`` / ``uris`` / :meth:`PlaylistExport.as_text`.

        Raises:
            PlaylistNotFound.
        """
        row = await self._row(group_id, playlist)
        return PlaylistExport(
            playlist=row.model(), track_ids=[e.track_id for e in await self.store.entries(row.playlist_id)]
        )

    async def recommend(
        self,
        caller: Caller,
        group_id: str,
        playlist: str | int,
        limit: int = 10,
        filters: Filters | None = None,
        exclude_ids: Sequence[str] = (),
        diversity: float = 0.3,
    ) -> Recommendation:
        """Tracks close to the playlist as a whole, diverse, not already in it (nor duplicates of its tracks).

        Scores every catalog track against all playlist tracks (:meth:`Recommender.similar`: the similar-tracks
        score averaged over the playlist), takes the best ``4 × limit`` candidates (filters, per-artist cap and
        dedupe applied), then re-ranks them with :func:`diversify` (``diversity`` = 1 − λ). Tracks the caller
        disliked (and their duplicates) and ``exclude_ids`` (e.g. already shown in the conversation) are never
        returned.

        Raises:
            PlaylistNotFound, InvalidInput (empty playlist, limit outside 1–50).
        """
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise InvalidInput(f"limit must be between 1 and 50 (got {limit}).", "limit", "1–50")
        row = await self._row(group_id, playlist)
        ids = [e.track_id for e in await self.store.entries(row.playlist_id)]
        eng = self.engine
        t, rec = eng.table, eng.recommender
        refs = [t.pos[i] for i in ids if i in t.pos]
        if not refs:
            raise InvalidInput(f'"{row.name}" has no catalog tracks yet — add a few songs first.', "playlist")
        exclude = {t.pos[i] for i in exclude_ids if i in t.pos}
        if self._exclusions is not None:
            exclude |= await self._exclusions(caller)
        filters = (filters or Filters()).model_copy(update={"limit": limit})
        # the playlist itself (and duplicates of its tracks) is excluded by similar(); 4x candidates for MMR
        pool = rec.similar(refs, filters, exclude=exclude, limit=min(4 * limit, 200))
        if pool:
            order = diversify(
                [s.pos for s in pool],
                [s.score for s in pool],
                rec.index.vectors[[s.pos for s in pool]],
                limit,
                lam=1.0 - diversity,
                tau=rec.params.tau_audio,
            )
            by_pos = {s.pos: s for s in pool}
            picked = [by_pos[p] for p in order]
        else:
            picked = []
        top = max((s.score for s in picked), default=1.0) or 1.0
        tracks = [
            RecommendedTrack(track=t.track(s.pos), score=round(s.score / top, 4), reason=s.reason) for s in picked
        ]
        return Recommendation(
            kind="playlist",
            query=row.name,
            tracks=tracks,
            filters=filters,
            summary=f'Tracks for "{row.name}" ({len(refs)} tracks in it)',
        )

"""Button state shared by every worker: short keys -> the state a button press needs, in the database.

Telegram's ``callback_data`` holds 1–64 bytes and Discord's ``custom_id`` 100 characters, so a button carries a short
random key and the request behind it (query, filters, tracks on the page, what was shown) lives here. Because it is
in the catalog database — not in one process's memory — a button pressed on a message sent by worker A is answered
by worker B (several webhook workers behind one URL, or after a restart).

:class:`ButtonStore` is the port; :class:`SqliteButtonStore` keeps the rows in the ``button_state`` table on the
engine's catalog connection (one statement per call, like :mod:`core.conversation`); :class:`MemoryButtonStore` is
the in-memory fake for unit tests. Get the engine's with :meth:`core.session.SessionMixin.button_store`.

States are JSON objects (``dict``); each adapter owns its own shape (``scope`` names it, e.g. ``telegram``).
Entries expire after their ``ttl_s`` (seconds); expired rows are pruned now and then on ``put``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

import aiosqlite

from core.errors import InvalidInput

SCHEMA = """
CREATE TABLE IF NOT EXISTS button_state (
    key TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    state_json TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS button_state_expires ON button_state(expires_at)
"""
#: Largest state accepted (bytes of JSON): a page of 50 track ids plus 500 shown ids is ~13 kB.
MAX_STATE_BYTES = 64_000
#: Prune expired rows once every this many ``put`` calls (per process).
PRUNE_EVERY = 200


def new_key() -> str:
    """8 URL-safe characters (48 random bits): fits Telegram's 64-byte ``callback_data`` with room for an action."""
    return secrets.token_urlsafe(6)


def _encode(state: dict[str, Any]) -> str:
    text = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_STATE_BYTES:
        raise InvalidInput("That list is too large to keep for its buttons.", "state")
    return text


class ButtonStore(Protocol):
    """Key -> button state (JSON object) with an expiry, shared by every worker on the database."""

    async def put(self, scope: str, state: dict[str, Any], ttl_s: float) -> str:
        """Store ``state`` for ``ttl_s`` seconds; returns its new key."""
        ...

    async def get(self, key: str) -> dict[str, Any] | None:
        """The state under ``key``, or None when unknown or expired."""
        ...

    async def replace(self, key: str, state: dict[str, Any]) -> bool:
        """Overwrite the state under ``key`` (expiry unchanged); False when the key is unknown or expired."""
        ...


class SqliteButtonStore:
    """:class:`ButtonStore` in the ``button_state`` table of the catalog database (see the module docstring).

    Build with ``await SqliteButtonStore.open(db)`` (creates the table; the caller holds the engine's write lock).
    """

    def __init__(self, db: aiosqlite.Connection, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._puts = 0

    @classmethod
    async def open(cls, db: aiosqlite.Connection, clock: Callable[[], float] = time.time) -> SqliteButtonStore:
        """Create the table if needed and return the store (one ``execute`` per statement, never a script)."""
        for statement in SCHEMA.split(";"):
            if statement.strip():
                await db.execute(statement)
        return cls(db, clock)

    async def put(self, scope: str, state: dict[str, Any], ttl_s: float) -> str:
        """Insert ``state`` under a fresh key (a clash, 2**-48, draws another key)."""
        if ttl_s <= 0:
            raise InvalidInput("ttl_s must be > 0.", "ttl_s")
        text, now = _encode(state), self.clock()
        self._puts += 1
        if self._puts % PRUNE_EVERY == 1:
            await self.db.execute("DELETE FROM button_state WHERE expires_at < ?", (now,))
        while True:
            key = new_key()
            cur = await self.db.execute(
                "INSERT INTO button_state (key, scope, state_json, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (key, scope, text, now + ttl_s),
            )
            if cur.rowcount == 1:
                return key

    async def get(self, key: str) -> dict[str, Any] | None:
        """The state under ``key`` when it has not expired (a malformed row reads as None)."""
        if not isinstance(key, str) or not 1 <= len(key) <= 64:
            return None
        async with self.db.execute(
            "SELECT state_json FROM button_state WHERE key=? AND expires_at >= ?", (key, self.clock())
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    async def replace(self, key: str, state: dict[str, Any]) -> bool:
        """One ``UPDATE`` of a live row."""
        cur = await self.db.execute(
            "UPDATE button_state SET state_json=? WHERE key=? AND expires_at >= ?", (_encode(state), key, self.clock())
        )
        return cur.rowcount == 1


class MemoryButtonStore:
    """In-memory :class:`ButtonStore` (one process only): the fake for unit tests."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.rows: dict[str, tuple[float, str]] = {}

    async def put(self, scope: str, state: dict[str, Any], ttl_s: float) -> str:
        if ttl_s <= 0:
            raise InvalidInput("ttl_s must be > 0.", "ttl_s")
        key = new_key()
        self.rows[key] = (self.clock() + ttl_s, _encode(state))
        return key

    async def get(self, key: str) -> dict[str, Any] | None:
        row = self.rows.get(key)
        if row is None or row[0] < self.clock():
            return None
        return json.loads(row[1])

    async def replace(self, key: str, state: dict[str, Any]) -> bool:
        row = self.rows.get(key)
        if row is None or row[0] < self.clock():
            return False
        self.rows[key] = (row[0], _encode(state))
        return True

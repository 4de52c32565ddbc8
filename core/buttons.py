"""Button state shared by every worker: short keys -> the state a button press needs, in the database.

Telegram's ``callback_data`` holds 1–64 bytes and Discord's ``custom_id`` 100 characters, so a button carries a short
random key and the request behind it (query, filters, tracks on the page, what was shown) lives here. Because it is
in the catalog database — not in one process's memory — a button pressed on a message sent by worker A is answered
by worker B (several webhook workers behind one URL, or after a restart).

:class:`ButtonStore` is the port; :class:`SqliteButtonStore` keeps the rows in the ``button_state`` table of the
catalog database — SQLite or PostgreSQL, through the shared :class:`core.infra.store_db.Database` (one statement per
call; :meth:`SqliteButtonStore.update` is a read-modify-write in a unit of work); :class:`MemoryButtonStore` is the
in-memory fake for unit tests. Get the shared one with :meth:`core.app.session.Sessions.button_store`.

States are JSON objects (``dict``); each adapter owns its own shape (``scope`` names it, e.g. ``telegram``).
Entries expire after their ``ttl_s`` (seconds); expired rows are pruned now and then on ``put``.
"""

from __future__ import annotations

import functools
import json
import secrets
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol

from core.errors import InvalidInput

if TYPE_CHECKING:
    from core.infra.store_db import Database

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


def _decode(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@functools.cache
def _sql(dialect: str) -> SimpleNamespace:
    """The store's statements for ``dialect``, built once with bound parameters (building a statement per call costs
    more than running it on SQLite; SQLAlchemy is imported on first use, not at start-up)."""
    from sqlalchemy import bindparam, delete, select, update

    from core.infra.store_db import dialect_insert
    from core.infra.tables import button_state

    c = button_state.c
    live = (c.key == bindparam("b_key")) & (c.expires_at >= bindparam("b_now"))
    return SimpleNamespace(
        put=dialect_insert(dialect)(button_state).on_conflict_do_nothing(index_elements=["key"]),
        get=select(c.state_json).where(live),
        get_for_update=select(c.state_json).where(live).with_for_update(),
        replace=update(button_state).where(live).values(state_json=bindparam("b_state")),
        prune=delete(button_state).where(c.expires_at < bindparam("b_now")),
    )


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

    async def update(
        self, key: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        """Atomic read-modify-write: ``change(state)`` -> new state (None: unchanged); None when unknown/expired."""
        ...


class SqliteButtonStore:
    """:class:`ButtonStore` in the ``button_state`` table (migration 0003), on SQLite or PostgreSQL through the shared
    :class:`core.infra.store_db.Database` (SQLAlchemy Core; one statement per call, :meth:`update` in a unit of work).

    Build with ``SqliteButtonStore(database)`` or ``await SqliteButtonStore.open(database)``.
    """

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._puts = 0

    @classmethod
    async def open(cls, db: Database, clock: Callable[[], float] = time.time) -> SqliteButtonStore:
        """The store on ``db`` (the table comes from the migrations)."""
        return cls(db, clock)

    async def put(self, scope: str, state: dict[str, Any], ttl_s: float) -> str:
        """Insert ``state`` under a fresh key (a clash, 2**-48, draws another key)."""
        if ttl_s <= 0:
            raise InvalidInput("ttl_s must be > 0.", "ttl_s")
        text, now = _encode(state), self.clock()
        self._puts += 1
        if self._puts % PRUNE_EVERY == 1:
            await self.db.execute(_sql(self.db.dialect).prune, {"b_now": now})
        while True:
            key = new_key()
            result = await self.db.execute(
                _sql(self.db.dialect).put, {"key": key, "scope": scope, "state_json": text, "expires_at": now + ttl_s}
            )
            if result.rowcount == 1:
                return key

    async def get(self, key: str) -> dict[str, Any] | None:
        """The state under ``key`` when it has not expired (a malformed row reads as None)."""
        if not isinstance(key, str) or not 1 <= len(key) <= 64:
            return None
        row = (await self.db.execute(_sql(self.db.dialect).get, {"b_key": key, "b_now": self.clock()})).first()
        return None if row is None else _decode(row[0])

    async def replace(self, key: str, state: dict[str, Any]) -> bool:
        """One ``UPDATE`` of a live row."""
        params = {"b_key": key, "b_now": self.clock(), "b_state": _encode(state)}
        result = await self.db.execute(_sql(self.db.dialect).replace, params)
        return result.rowcount == 1

    async def update(
        self, key: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        """Read-modify-write of the state under ``key`` in one unit of work: ``change(state)`` returns the new state
        (or None to leave it), and no concurrent ``update`` of the same key — on any worker — is lost in between.
        Returns the stored state, or None when the key is unknown or expired."""
        sql = _sql(self.db.dialect)
        async with self.db.uow() as uow:  # FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite
            row = (await uow.execute(sql.get_for_update, {"b_key": key, "b_now": self.clock()})).first()
            state = None if row is None else _decode(row[0])
            if state is None:
                return None
            new = change(state)
            if new is None:
                return state
            await uow.execute(sql.replace, {"b_key": key, "b_now": self.clock(), "b_state": _encode(new)})
            await uow.commit()
            return new


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

    async def update(
        self, key: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        state = await self.get(key)
        if state is None:
            return None
        new = change(state)
        if new is None:
            return state
        await self.replace(key, new)
        return new

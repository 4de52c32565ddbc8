"""The catalog version: ONE small function saying "has the catalog changed?", for the on-disk start-up caches.

:func:`catalog_version` is the only thing the caches (:mod:`core.startup_cache`) key on. Today it reads a change
record that SQLite triggers update on every insert, update and delete of a track or a track label — whoever writes
(an admin edit through the engine, an import, a seed, another process, a hand-run SQL statement): a counter and a
random token drawn anew at every change, so two copies of one database file that are then changed independently
never share a version (nor does a deleted and re-created database). The schema version and the row count and
highest internal id of ``tracks`` are added as a second line of defence. When persistence gets a change log
(PostgreSQL / SQLAlchemy), re-point this function at it; nothing else has to change.
"""

from __future__ import annotations

from typing import Any

#: Change record and triggers (idempotent; created by :meth:`core.catalog.Catalog.open`). Per-row triggers: SQLite has
#: no statement-level ones; a full seed of the shipped catalog pays ~65k record updates (~0.1 s of ~3 s).
CHANGE_COUNTER_DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS catalog_changes (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, "
    "token TEXT NOT NULL)",
    "INSERT OR IGNORE INTO catalog_changes VALUES (1, 0, lower(hex(randomblob(8))))",
    *(
        f"CREATE TRIGGER IF NOT EXISTS catalog_changes_{table}_{op[0].lower()} AFTER {op} ON {table} BEGIN "
        "UPDATE catalog_changes SET n = n + 1, token = lower(hex(randomblob(8))) WHERE id = 1; END"
        for table in ("tracks", "track_labels")
        for op in ("INSERT", "UPDATE", "DELETE")
    ),
)


async def install_change_counter(db: Any) -> None:
    """Create the change record and its triggers on an open ``aiosqlite`` connection (idempotent, cheap).

    Must run after any schema upgrade that rebuilds ``tracks`` (dropping a table drops its triggers)."""
    for statement in CHANGE_COUNTER_DDL:
        await db.execute(statement)


async def catalog_version(db: Any) -> str:
    """An opaque string that changes whenever the catalog's tracks or labels change.

    Args:
        db: an open ``aiosqlite.Connection`` of a musicbot catalog (after :meth:`core.catalog.Catalog.open`).

    Returns:
        e.g. ``"s2-n65711-3f9c0a1b2c3d4e5f-r28356-i28356"``: schema version, change counter, the token of the last
        change, row count, highest internal track id. Cost: three small queries (~1–2 ms on the shipped catalog).

    Raises:
        sqlite3.Error: the change table is missing (the database was not opened through ``Catalog.open``).
    """
    async with db.execute("SELECT n, token FROM catalog_changes WHERE id = 1") as cur:
        n, token = await cur.fetchone()
    async with db.execute("SELECT value FROM meta WHERE key = 'schema_version'") as cur:
        row = await cur.fetchone()
    async with db.execute("SELECT count(*), coalesce(max(id), 0) FROM tracks") as cur:
        count, max_id = await cur.fetchone()
    return f"s{row[0] if row else 0}-n{n}-{token}-r{count}-i{max_id}"

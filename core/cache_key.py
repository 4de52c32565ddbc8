"""The catalog version: ONE small function saying "has the catalog changed?", for the on-disk start-up caches.

:func:`catalog_version` is the only thing the caches (:mod:`core.startup_cache`) key on. Today it reads a change
record that SQLite triggers update on every insert, update and delete of a track or a track label — whoever writes
(an admin edit through the engine, an import, a seed, another process, a hand-run SQL statement): a counter and a
random token drawn anew at every change, so two copies of one database file that are then changed independently
never share a version (nor does a deleted and re-created database). The schema version and the row count and
highest internal id of ``tracks`` are added as a second line of defence. On SQLite the record is the
``catalog_stamp`` table (the change log other processes follow is ``catalog_changes``, :mod:`core.infra.changes`).

On PostgreSQL (:func:`pg_catalog_version`) the version is read from the server in one statement: the change log
``catalog_changes`` (highest ``seq`` and row count: every write through musicbot logs there), the schema revision,
and a write digest of ``tracks`` and ``track_labels``: row counts, highest id, and the sum of every row's ``xmin`` (the
id of the transaction that wrote that row version: an insert or update gives the row a new one, a delete removes one)
— so a write that bypasses the change log (hand-run SQL) changes the version too. (A digest of the rows' text,
``hashtext(t::text)``, was measured at ~350 ms on the shipped catalog; the ``xmin`` sum at ~45 ms, count alone ~20 ms,
on this loaded 2-core machine.)
"""

from __future__ import annotations

from typing import Any

#: Change record and triggers (idempotent; created by :meth:`core.catalog.Catalog.open`). Per-row triggers: SQLite has
#: no statement-level ones; a full seed of the shipped catalog pays ~65k record updates (~0.1 s of ~3 s).
CHANGE_COUNTER_DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS catalog_stamp (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, "
    "token TEXT NOT NULL)",
    "INSERT OR IGNORE INTO catalog_stamp VALUES (1, 0, lower(hex(randomblob(8))))",
    *(
        f"CREATE TRIGGER IF NOT EXISTS catalog_stamp_{table}_{op[0].lower()} AFTER {op} ON {table} BEGIN "
        "UPDATE catalog_stamp SET n = n + 1, token = lower(hex(randomblob(8))) WHERE id = 1; END"
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
    async with db.execute("SELECT n, token FROM catalog_stamp WHERE id = 1") as cur:
        n, token = await cur.fetchone()
    async with db.execute("SELECT value FROM meta WHERE key = 'schema_version'") as cur:
        row = await cur.fetchone()
    async with db.execute("SELECT count(*), coalesce(max(id), 0) FROM tracks") as cur:
        count, max_id = await cur.fetchone()
    return f"s{row[0] if row else 0}-n{n}-{token}-r{count}-i{max_id}"


#: One statement, one snapshot: change log, schema revision and a write digest of tracks and labels (~45 ms on the
#: shipped catalog's 28k tracks and 98k labels, measured under load).
PG_VERSION_SQL = (
    "SELECT (SELECT coalesce(max(seq), 0) FROM catalog_changes), (SELECT count(*) FROM catalog_changes), "
    "(SELECT coalesce(max(version_num), '') FROM alembic_version), "
    "(SELECT count(*) FROM tracks), (SELECT coalesce(max(id), 0) FROM tracks), "
    "(SELECT coalesce(sum(xmin::text::bigint), 0) FROM tracks), "
    "(SELECT count(*) FROM track_labels), (SELECT coalesce(sum(xmin::text::bigint), 0) FROM track_labels)"
)


async def pg_catalog_version(catalog: Any) -> str:
    """The version of a PostgreSQL catalog (:class:`core.infra.pg_catalog.PgCatalog`): like :func:`catalog_version`,
    an opaque string that changes whenever its tracks or labels change (see the module docstring).

    Returns:
        e.g. ``"pg-q312-c312-0003-r28356-i28356-x20586456-l97594-x70853244"``.

    Raises:
        sqlalchemy.exc.DBAPIError: the server cannot answer (the caller treats it as a cache miss).
    """
    row = (await catalog._fetch(PG_VERSION_SQL))[0]  # noqa: SLF001 - the catalog's own read helper
    seq, changes, schema, count, max_id, track_xmin, labels, label_xmin = row
    return f"pg-q{seq}-c{changes}-{schema}-r{count}-i{max_id}-x{track_xmin}-l{labels}-x{label_xmin}"


def is_pg_catalog(catalog: Any) -> bool:
    """True for a PostgreSQL catalog (:class:`core.infra.pg_catalog.PgCatalog`), False for SQLite
    (:class:`core.catalog.Catalog`)."""
    return hasattr(catalog, "engine") and hasattr(catalog, "target")


async def version_of(catalog: Any) -> str:
    """The version of an open catalog of either backend: :func:`pg_catalog_version` or :func:`catalog_version` (what
    the start-up cache is keyed by: it changes with every write to tracks or labels, whoever makes it).

    Raises:
        sqlite3.Error / asyncpg errors: the catalog cannot be read."""
    if is_pg_catalog(catalog):
        return await pg_catalog_version(catalog)
    return await catalog_version(catalog.db)

"""Run the Alembic migrations (``core/infra/migrations``) on a database, from the application itself.

The catalog opens call :func:`upgrade` before anything else, so a user never runs Alembic: a new database gets every
table, a database made by an older musicbot (tables created lazily, schema 1 or 2, no ``alembic_version``) is
upgraded in place. :func:`is_current` is the cheap check done first (one ``SELECT``), so an up-to-date database does
not even import Alembic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: The newest migration; a test checks it against the scripts (``tests/integration/test_migrations.py``).
HEAD_REVISION = "0003"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade_sync(connection: Any) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


def script_head() -> str:
    """The head revision according to the migration scripts (for tests)."""
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


async def upgrade(sqlalchemy_url: str, *, connect_args: dict[str, Any] | None = None) -> None:
    """Upgrade the database at ``sqlalchemy_url`` (``sqlite+aiosqlite:///…`` or ``postgresql+asyncpg://…``) to
    :data:`HEAD_REVISION`, in one transaction on PostgreSQL (transactional DDL) and on SQLite.

    Concurrent starts are safe: on PostgreSQL an advisory lock serialises them; on SQLite the first DDL statement
    takes the write lock and the others wait (``timeout`` 30 s), then find the work done.

    Raises:
        sqlalchemy.exc.SQLAlchemyError / OSError: the database cannot be reached or migrated.
    """
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(sqlalchemy_url, poolclass=NullPool, connect_args=connect_args or {})
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(715517)"))  # any fixed key: "musicbot migrate"
            else:
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            await conn.run_sync(_upgrade_sync)
            await conn.commit()
    finally:
        await engine.dispose()

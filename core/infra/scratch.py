"""Scratch databases for measurements (``musicbot eval``, ``musicbot bench``, the load test): an empty database on
the same backend as the configured one, never the user's catalog itself, removed afterwards.

* SQLite: a file ``<workdir>/<name>.db`` (the caller's temporary directory removes it);
* PostgreSQL: a new database ``musicbot_scratch_<name>_<8 hex>`` created on the configured server with
  ``CREATE DATABASE`` (the login needs the ``CREATEDB`` privilege), dropped at exit (``DROP DATABASE … WITH
  (FORCE)``, PostgreSQL 13+, so a connection left open by a crash does not block it).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from core.errors import InvalidInput
from core.infra.database import DatabaseTarget, parse_database


def _with_database(dsn: str, dbname: str) -> str:
    """``dsn`` with its database name replaced by ``dbname`` (query string kept)."""
    head, _, query = dsn.partition("?")
    scheme, rest = head.split("://", 1)
    server = rest.split("/", 1)[0]
    return f"{scheme}://{server}/{dbname}" + (f"?{query}" if query else "")


@contextlib.asynccontextmanager
async def scratch_database(base: str | None, workdir: Path, name: str) -> AsyncIterator[str]:
    """Yield the location (file path or ``postgresql://`` URL) of a new, empty database on ``base``'s backend.

    Args:
        base: the configured database (``--db`` / ``DATABASE_URL`` value); None or a SQLite location -> SQLite.
        workdir: a folder for SQLite files (the caller's temporary directory).
        name: a short label (letters, digits, ``_``) for the file or database name.

    Raises:
        InvalidInput: the PostgreSQL server refuses ``CREATE DATABASE`` (privilege, unreachable server).
    """
    target = parse_database(base) if base else DatabaseTarget("sqlite", path=str(workdir / "unused.db"))
    label = re.sub(r"[^a-z0-9_]", "_", name.lower())[:24] or "db"
    if not target.is_postgres:
        yield str(workdir / f"{label}.db")
        return
    import asyncpg

    dbname = f"musicbot_scratch_{label}_{uuid.uuid4().hex[:8]}"
    try:
        conn = await asyncpg.connect(target.dsn)
    except Exception as exc:  # OSError, auth errors: say where, without the password
        raise InvalidInput(f"Cannot reach {target.display()} to create a scratch database "
                           f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]}).") from None
    try:
        await conn.execute(f'CREATE DATABASE "{dbname}"')
    except Exception as exc:
        raise InvalidInput(f"Cannot create a scratch database on {target.display()} ({str(exc)[:200]}); "
                           "measurements need a login with the CREATEDB privilege.") from None
    finally:
        await conn.close()
    try:
        yield _with_database(target.dsn, dbname)
    finally:
        conn = await asyncpg.connect(target.dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        finally:
            await conn.close()


__all__ = ["scratch_database"]

"""The SQL text of the one-request stores (:mod:`core.infra.lite_sql`) against the migrated schema: every statement
compiles on a database the Alembic migrations made (``EXPLAIN``: each table, column and conflict target exists), and
binds exactly the parameters the SQLAlchemy statement it mirrors binds."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from core import conversation, feedback, leases
from core.infra import lite_sql
from core.infra.store_db import Database

#: namespace in core.infra.lite_sql -> the store module whose ``_sql`` it mirrors
MIRRORS = {"LEASES": leases, "CONVERSATION": conversation, "FEEDBACK": feedback}


def _all() -> list[tuple[str, str, str]]:
    return [(ns, name, sql) for ns in ("LEASES", "CONVERSATION", "FEEDBACK", "PLAYLISTS")
            for name, sql in vars(getattr(lite_sql, ns)).items()]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import asyncio

    path = tmp_path_factory.mktemp("lite") / "m.db"

    async def make() -> None:
        await (await Database.open(str(path))).close()

    asyncio.run(make())
    return path


@pytest.mark.parametrize(("ns", "name", "sql"), _all(), ids=[f"{n}.{m}" for n, m, _ in _all()])
def test_statement_compiles_on_the_migrated_schema(migrated: Path, ns: str, name: str, sql: str) -> None:
    conn = sqlite3.connect(migrated)
    try:
        conn.execute("EXPLAIN " + sql, defaultdict(lambda: None)).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize(("ns", "name", "sql"), [c for c in _all() if c[0] in MIRRORS],
                         ids=[f"{n}.{m}" for n, m, _ in _all() if n in MIRRORS])
def test_statement_binds_the_parameters_of_its_sqlalchemy_twin(ns: str, name: str, sql: str) -> None:
    from sqlalchemy.dialects import sqlite

    twin = getattr(MIRRORS[ns]._sql("sqlite"), name)
    compiled = twin.compile(dialect=sqlite.dialect(paramstyle="named"))
    named = {k for k, b in compiled.binds.items() if b.value is None}  # not literals (coalesce's 0, SQLite's OFFSET 0)
    assert set(re.findall(r":(\w+)", sql)) == named, (sql, str(compiled))

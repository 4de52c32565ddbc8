"""Fixtures for the contract suite: every test runs once on SQLite (a temp file) and once on PostgreSQL (a fresh
database on the session's throwaway server, :func:`tests.conftest.pg_server`); the tests of the ``engine`` fixture
also run on SQLite as a one-request command opens it (``one_request=True``: the conversation, its lease, likes and
playlist reads on the stdlib ``sqlite3`` module, :mod:`core.infra.lite_db`; the other stores on SQLAlchemy's sync
engine, statements inline, :mod:`core.infra.inline_engine`)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from core.catalog import SHIPPED_CATALOG
from core.engine import Engine

#: Tracks in the small catalog the contract tests load (the shipped file's first rows).
SMALL_ROWS = 120


@pytest.fixture(scope="session")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first :data:`SMALL_ROWS` rows of the shipped catalog as a CSV (same layout)."""
    path = tmp_path_factory.mktemp("contract") / "small.csv"
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(SMALL_ROWS + 1)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file path or a ``postgresql://`` URL."""
    if request.param == "sqlite":
        return str(tmp_path / "contract.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture(params=["async", "one-request"])
def store_mode(request: pytest.FixtureRequest, db_url: str) -> str:
    """How the stores reach the database: the async engine, or (SQLite only) the one-request inline engine."""
    if request.param == "one-request" and "://" in db_url:
        pytest.skip("the one-request inline engine is SQLite's")
    if request.param == "one-request" and request.node.get_closest_marker("concurrent_requests"):
        pytest.skip("a one-request process never runs requests concurrently (core.infra.inline_engine)")
    return str(request.param)


@pytest.fixture
async def engine(db_url: str, small_csv: Path, store_mode: str):
    """An engine over the small catalog on each backend, closed after the test."""
    eng = await Engine.open(db_url, seed_path=small_csv, one_request=store_mode == "one-request")
    if store_mode == "one-request":
        from core.infra.inline_engine import InlineEngine
        from core.infra.lite_db import LiteDatabase

        assert isinstance(eng.database.engine, InlineEngine)
        assert isinstance(eng.conversation_db, LiteDatabase)
    try:
        yield eng
    finally:
        await eng.close()

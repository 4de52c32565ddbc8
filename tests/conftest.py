"""Shared fixtures: the shipped catalog is seeded ONCE per session into a template SQLite file; tests that write get
their own copy (real SQLite files, never mocks)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.catalog import Catalog
from core.engine import Engine
from core.models import Caller, Role

# never follow a real Spotify short link from a test: tests that follow one inject a loopback resolver
os.environ.setdefault("SHORT_LINK_TIMEOUT_S", "0")
# no resident `musicbot ask` worker (bot.resident) outlives a test: the tests that start one ask for it and stop it
os.environ["MUSICBOT_WORKER"] = "0"


@pytest.fixture(scope="session", autouse=True)
def _startup_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The start-up caches (core.startup_cache) of this test session live in its temp folder, never in the user's
    cache folder; copies of the shipped catalog share one cached table there (it is keyed by content)."""
    os.environ["MUSICBOT_CACHE_DIR"] = str(tmp_path_factory.mktemp("startup-cache"))


@pytest.fixture(scope="session")
def shipped_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a fully seeded catalog (read-only template: copy it before writing)."""
    path = tmp_path_factory.mktemp("catalog") / "shipped.db"

    async def seed() -> None:
        catalog = await Catalog.open(path)
        await catalog.seed()
        await catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await catalog.close()

    asyncio.run(seed())
    return path


@pytest.fixture
def db_copy(shipped_db: Path, tmp_path: Path) -> Path:
    """A private writable copy of the seeded catalog."""
    target = tmp_path / "musicbot.db"
    shutil.copy(shipped_db, target)
    return target


@pytest.fixture
async def engine(db_copy: Path) -> AsyncIterator[Engine]:
    """An engine over a private copy of the shipped catalog."""
    eng = await Engine.open(db_copy)
    try:
        yield eng
    finally:
        await eng.close()


@pytest.fixture
def admin() -> Caller:
    """An admin caller."""
    return Caller(user_id="admin-1", platform="test", role=Role.ADMIN)


@pytest.fixture
def user() -> Caller:
    """A regular (non-admin) caller."""
    return Caller(user_id="user-1", platform="test", role=Role.USER)


# ---------------------------------------------------------------------------------------------- PostgreSQL
@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server for the whole session (:mod:`tests.pgserver`); skipped with the reason where
    the server binaries are missing, a failure in CI (``CI=true``: ``.ci/run`` installs them)."""
    from tests.pgserver import start_server

    server = start_server()
    if isinstance(server, str):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must test PostgreSQL: {server}")
        pytest.skip(server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a fresh, empty PostgreSQL database on the session's server."""
    return pg_server.create_database()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private start-up cache folder for this test (``MUSICBOT_CACHE_DIR``; the session's shared one would make
    cache hits depend on test order), with the cache switched on."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MUSICBOT_CACHE_DIR", str(folder))
    monkeypatch.delenv("MUSICBOT_CACHE", raising=False)
    return folder

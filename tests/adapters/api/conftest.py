"""Fixtures of the REST API tests (see :mod:`api_harness`): a real uvicorn server on 127.0.0.1 over a private copy
of the seeded SQLite catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api_harness import ADMIN_KEY, ApiServer, api_settings, copy_db


@pytest.fixture
def start_api(shipped_db: Path, tmp_path: Path) -> Iterator[Callable[..., ApiServer]]:
    """Factory: ``start_api(db=None, setup=None, telegram=None, **settings_overrides)`` -> a running
    :class:`ApiServer` (stopped after the test). ``db`` defaults to a fresh copy of the seeded catalog."""
    servers: list[ApiServer] = []

    def start(db: Path | None = None, setup: Any = None, telegram: Any = None, **overrides: Any) -> ApiServer:
        path = db or copy_db(shipped_db, tmp_path / f"api-{len(servers)}.db")
        server = ApiServer(path, api_settings(**overrides), setup=setup, telegram=telegram)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def shared_api(shipped_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """One server per test module (admin key set, generous rate limit) on its own copy of the catalog."""
    db = copy_db(shipped_db, tmp_path_factory.mktemp("api") / "shared.db")
    server = ApiServer(db, api_settings()).start()
    yield server
    server.stop()


@pytest.fixture
def admin_headers() -> dict[str, str]:
    """The Authorization header with the test admin key."""
    return {"Authorization": f"Bearer {ADMIN_KEY}"}

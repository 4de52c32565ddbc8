"""Fixtures shared by the agent and security tests: a small real catalog, an engine per test, scripted models.

Seeding the shipped catalog takes seconds, so these tests use a deterministic ~2,700-track slice of it (every 12th
row plus a few well-known tracks), seeded once per session into a template SQLite file and copied per test.
Import the fixtures into a test module with ``from tests.security.agent_fixtures import *``.
"""

from __future__ import annotations

import asyncio
import csv
import gzip
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from core.catalog import SHIPPED_CATALOG
from core.engine import Engine
from core.models import Caller, Role

__all__ = [
    "ADMIN",
    "CLOSED_PORT",
    "OTHER",
    "USER",
    "agent_engine",
    "agent_template_db",
    "no_model_requests",
    "small_catalog_csv",
    "hostile_model",
]

#: Titles always kept in the slice (tests refer to them by name).
KEEP_TITLES = {"Blinding Lights", "Bohemian Rhapsody - Remastered 2011", "Smells Like Teen Spirit", "Get Lucky"}
USER = Caller(user_id="user-1", platform="test", role=Role.USER)
#: Another regular user of the same groups.
OTHER = Caller(user_id="user-2", platform="test", role=Role.USER)
#: An unreachable local URL (preview lookups fail fast, offline).
CLOSED_PORT = "http://127.0.0.1:9"
ADMIN = Caller(user_id="admin-1", platform="test", role=Role.ADMIN)


@pytest.fixture(scope="session")
def small_catalog_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CSV in the shipped layout with every 12th shipped row plus :data:`KEEP_TITLES`."""
    out = tmp_path_factory.mktemp("agent_catalog") / "small.csv"
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [r for i, r in enumerate(reader) if i % 12 == 0 or r[1] in KEEP_TITLES]
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return out


@pytest.fixture(scope="session")
def agent_template_db(small_catalog_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded template database (read-only: tests copy it)."""
    path = tmp_path_factory.mktemp("agent_db") / "template.db"

    async def seed() -> None:
        engine = await Engine.open(path, seed_path=small_catalog_csv)
        await engine.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await engine.close()

    asyncio.run(seed())
    return path


@pytest.fixture
async def agent_engine(agent_template_db: Path, tmp_path: Path) -> AsyncIterator[Engine]:
    """An engine over a private copy of the small catalog (real SQLite file in ``tmp_path``)."""
    from core.previews import PreviewConfig

    db = tmp_path / "musicbot.db"
    shutil.copy(agent_template_db, db)
    engine = await Engine.open(db)
    # previews never leave the machine in these tests: a closed local port answers "connection refused" at once
    engine.app.personal.configure_previews(PreviewConfig(deezer_api_base_url=CLOSED_PORT, itunes_api_base_url=CLOSED_PORT,
                                            spotify_api_base_url=CLOSED_PORT, spotify_accounts_url=CLOSED_PORT,
                                            timeout_s=0.5))
    try:
        yield engine
    finally:
        await engine.close()


@pytest.fixture(autouse=False)
def no_model_requests() -> Any:
    """Forbid real model requests for the duration of a test (``FunctionModel``/``TestModel`` still work)."""
    from pydantic_ai import models

    previous = models.ALLOW_MODEL_REQUESTS
    models.ALLOW_MODEL_REQUESTS = False
    try:
        yield
    finally:
        models.ALLOW_MODEL_REQUESTS = previous


def hostile_model(plan: Callable[[list[Any], Any], list[tuple[str, dict[str, Any]]] | str]) -> Any:
    """A scripted ``FunctionModel`` that obeys the attacker.

    ``plan(messages, info)`` returns either a list of ``(tool_name, args)`` calls to make next (any names — offered
    or not) or a final text, which is sent through the ``reply`` output tool as it is.
    """
    from pydantic_ai.messages import ModelResponse, ToolCallPart
    from pydantic_ai.models.function import FunctionModel

    async def respond(messages: list[Any], info: Any) -> ModelResponse:
        step = plan(messages, info)
        if isinstance(step, str):
            return ModelResponse(parts=[ToolCallPart("reply", {"reply": step})], model_name="hostile")
        return ModelResponse(parts=[ToolCallPart(name, args) for name, args in step], model_name="hostile")

    return FunctionModel(respond, model_name="hostile")

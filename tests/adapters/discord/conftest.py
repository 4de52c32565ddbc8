"""Fixtures for the Discord adapter tests: a small real catalog, the real bot, stand-in interactions.

- The catalog is a real SQLite file in ``tmp_path`` seeded from a 200-track CSV cut from the shipped catalog
  (shipped layout), so each test gets its own writable engine quickly.
- The engine is the real one throughout: its local text understanding (:class:`core.text.TextUnderstanding`, fitted
  once per session on the same catalog, :func:`catalog_text`) and its chat (``engine.app.chat.chat`` with the built-in local
  model, offline). A test that needs a failure wraps the real method and says why.
- Preview lookups go to 127.0.0.1:1 (refused at once) unless a test plugs in the fake music APIs.
"""

from __future__ import annotations

import asyncio
import csv
import gzip
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord_fakes import ADMIN_ID, TOKEN, FakeInteraction

from adapters.discord.app import build_bot
from bot.settings import Settings
from core.catalog import SHIPPED_CATALOG
from core.engine import Engine
from core.models import Caller, Role
from core.previews import PreviewConfig
from core.table import TrackTable
from core.text import TextUnderstanding

N_TRACKS = 200
UNREACHABLE = "http://127.0.0.1:1"


@pytest.fixture(scope="session")
def catalog_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 200-track catalog in the shipped CSV layout, cut from the shipped catalog."""
    path = tmp_path_factory.mktemp("discord_catalog") / "small.csv"
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8", newline="") as src, path.open("w", newline="") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst)
        writer.writerow(next(reader))
        seen: set[str] = set()
        for row in reader:
            if row[0] in seen:
                continue
            seen.add(row[0])
            writer.writerow(row)
            if len(seen) >= N_TRACKS:
                break
    return path


@pytest.fixture(scope="session")
def catalog_text(tmp_path_factory: pytest.TempPathFactory, catalog_csv: Path) -> tuple[TextUnderstanding, TrackTable]:
    """The real text understanding fitted once on :func:`catalog_csv`, and the table it was fitted on.

    Every test engine is seeded from the same CSV in the same order, so this fit equals the one the engine would make
    itself (~0.07 s per engine, ~0.5 s for the first); sharing it keeps the suite fast.
    """

    async def fit() -> tuple[TextUnderstanding, TrackTable]:
        engine = await Engine.open(tmp_path_factory.mktemp("discord_text") / "fit.db", seed_path=catalog_csv)
        try:
            return engine.loaded.text, engine.loaded.table
        finally:
            await engine.close()

    return asyncio.run(fit())


@pytest.fixture
async def small_engine(
    tmp_path: Path, catalog_csv: Path, catalog_text: tuple[TextUnderstanding, TrackTable]
) -> AsyncIterator[Engine]:
    """A writable engine over the small catalog, with the session's fitted text understanding (the engine would fit
    its own lazily when ``_text`` is unset)."""
    text, table = catalog_text
    engine = await Engine.open(tmp_path / "catalog.db", seed_path=catalog_csv)
    engine.loaded.text_model = text
    # previews never leave the machine: nothing listens on port 1, so lookups fail at once (tests that want previews
    # point the engine at tests.fakes.music_apis instead)
    engine.app.personal.configure_previews(
        PreviewConfig(deezer_api_base_url=UNREACHABLE, itunes_api_base_url=UNREACHABLE, timeout_s=0.5)
    )
    try:
        yield engine
    finally:
        await engine.close()
        # a test that edited its catalog made the engine refit the shared instance on that engine's table
        # (``Engine._text_changed``): refit on the session table so the next test starts from the same state
        # (a no-op when nothing was edited)
        text.update(table)


@pytest.fixture
def settings() -> Settings:
    """Settings with one admin id and a (fake) token, nothing read from the environment or ``.env``."""
    return Settings(
        _env_file=None,
        discord_admin_ids=[str(ADMIN_ID)],
        discord_bot_token=TOKEN,
        discord_shards="",
        database_url="sqlite:///:memory:",
        rate_burst=1000,  # flood tests set their own
        chat_rate=1000,
    )


@pytest.fixture
async def bot(small_engine: Engine, settings: Settings) -> AsyncIterator[Any]:
    """The real bot, set up (cogs, dynamic items, page store) but never connected."""
    b = build_bot(small_engine.app, settings)
    await b._async_setup_hook()
    await b.setup_hook()
    try:
        yield b
    finally:
        await b.close()


@pytest.fixture
def interaction_factory(bot: Any):
    """``make(**kw)`` -> a :class:`FakeInteraction` for the test bot."""

    def make(**kwargs: Any) -> FakeInteraction:
        return FakeInteraction(bot, **kwargs)

    return make


@pytest.fixture
def admin_caller() -> Caller:
    return Caller(user_id=str(ADMIN_ID), platform="discord", role=Role.ADMIN)

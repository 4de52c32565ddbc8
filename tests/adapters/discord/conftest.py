"""Fixtures for the Discord adapter tests: a small real catalog, the real bot, stand-in interactions.

- The catalog is a real SQLite file in ``tmp_path`` seeded from a 200-track CSV cut from the shipped catalog
  (shipped layout), so each test gets its own writable engine quickly.
- The local text understanding is replaced by :class:`discord_fakes.FakeText` (keywords -> target features), and
  ``engine.chat`` by :class:`discord_fakes.FakeChat` where a test needs it: these tests are about the adapter.
- Preview lookups go to 127.0.0.1:1 (refused at once) unless a test plugs in the fake music APIs.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord_fakes import ADMIN_ID, TOKEN, FakeInteraction, FakeText

from adapters.discord.app import build_bot
from bot.settings import Settings
from core.catalog import SHIPPED_CATALOG
from core.engine import Engine
from core.models import Caller, Role
from core.previews import PreviewConfig

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


@pytest.fixture
async def small_engine(tmp_path: Path, catalog_csv: Path) -> AsyncIterator[Engine]:
    """A writable engine over the small catalog, with :class:`FakeText`."""
    engine = await Engine.open(tmp_path / "catalog.db", seed_path=catalog_csv)
    engine._text = FakeText()
    # previews never leave the machine: nothing listens on port 1, so lookups fail at once (tests that want previews
    # point the engine at tests.fakes.music_apis instead)
    engine.configure_previews(
        PreviewConfig(deezer_api_base_url=UNREACHABLE, itunes_api_base_url=UNREACHABLE, timeout_s=0.5)
    )
    try:
        yield engine
    finally:
        await engine.close()


@pytest.fixture
def settings() -> Settings:
    """Settings with one admin id and a (fake) token, nothing read from the environment or ``.env``."""
    return Settings(
        _env_file=None,
        discord_admin_ids=[str(ADMIN_ID)],
        discord_bot_token=TOKEN,
        discord_shards="",
        database_url="sqlite:///:memory:",
    )


@pytest.fixture
async def bot(small_engine: Engine, settings: Settings) -> AsyncIterator[Any]:
    """The real bot, set up (cogs, dynamic items, page store) but never connected."""
    b = build_bot(small_engine, settings)
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

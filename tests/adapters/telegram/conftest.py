"""Fixtures for the Telegram adapter tests: a small real catalog, a fake Bot API server, the real PTB Application.

- The catalog is a real SQLite file in ``tmp_path`` seeded from a ~300-track CSV cut from the shipped catalog
  (shipped layout), so each test gets its own writable engine in ~40 ms.
- The engine is the real one throughout: its local text understanding (:class:`core.text.TextUnderstanding`, fitted
  once per session on the same catalog, :func:`catalog_text`) and its chat (``engine.app.chat.chat`` with the built-in local
  model, offline). A test that needs a failure wraps the real method and says why.
- Helpers (Harness, make_settings) live in ``tg_harness.py``; the fake Bot API server in ``telegram_fake_api.py``.
- Previews: every bot's engine looks previews up on the fake Spotify/Deezer/iTunes servers of
  ``tests/fakes/music_apis.py`` (``harness.music``; empty unless a test registers tracks), never on the internet.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dtm
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from telegram_fake_api import FakeBotApi
from tg_harness import ADMIN_ID, ROOT, Harness, make_settings

from adapters.telegram.app import ALLOWED_UPDATES, build_app
from tests.fakes.music_apis import FakeMusicApis
from core.engine import Engine
from core.models import Caller, Role
from core.table import TrackTable
from core.text import TextUnderstanding


@pytest.fixture(scope="session")
def catalog_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~300 tracks of the shipped catalog (every 110th row), in the shipped CSV layout."""
    path = tmp_path_factory.mktemp("tgcatalog") / "small.csv"
    with gzip.open(ROOT / "data" / "spotify_songs.csv.gz", "rt", encoding="utf-8", newline="") as src:
        rows = list(csv.reader(src))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(rows[0])
        writer.writerows(rows[1::110])
    return path


@pytest.fixture(scope="session")
def catalog_text(tmp_path_factory: pytest.TempPathFactory, catalog_csv: Path) -> tuple[TextUnderstanding, TrackTable]:
    """The real text understanding fitted once on :func:`catalog_csv`, and the table it was fitted on.

    Every test engine is seeded from the same CSV in the same order, so this fit equals the one the engine would make
    itself (~0.07 s per engine, ~0.5 s for the first); sharing it keeps the suite fast.
    """

    async def fit() -> tuple[TextUnderstanding, TrackTable]:
        engine = await Engine.open(tmp_path_factory.mktemp("tgtext") / "fit.db", seed_path=catalog_csv)
        try:
            return engine.loaded.text, engine.loaded.table
        finally:
            await engine.close()

    return asyncio.run(fit())


@pytest.fixture
async def tg_engine(
    tmp_path: Path, catalog_csv: Path, catalog_text: tuple[TextUnderstanding, TrackTable]
) -> AsyncIterator[Engine]:
    """A real engine on a SQLite file in tmp_path, seeded from :func:`catalog_csv`, with the session's fitted text
    understanding (the engine would fit its own lazily when ``_text`` is unset)."""
    text, table = catalog_text
    engine = await Engine.open(tmp_path / "telegram.db", seed_path=catalog_csv)
    engine.loaded.text_model = text
    try:
        yield engine
    finally:
        await engine.close()
        # a test that edited its catalog made the engine refit the shared instance on that engine's table
        # (``Engine._text_changed``): refit on the session table so the next test starts from the same state
        # (a no-op when nothing was edited)
        text.update(table)


@pytest.fixture
def admin_caller() -> Caller:
    return Caller(user_id=str(ADMIN_ID), platform="telegram", role=Role.ADMIN)


@pytest.fixture
async def start_bot(tg_engine: Engine) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    """Factory: ``await start_bot(build_kwargs=None, **settings_overrides)`` starts the fake API and the bot (polling)."""
    started: list[Harness] = []

    async def start(build_kwargs: dict[str, Any] | None = None, preview_config: dict[str, Any] | None = None,
                    **overrides: Any) -> Harness:
        api = await FakeBotApi().start()
        api.fail_scope_chats.add(43)  # an admin who never talked to the bot: "chat not found"
        api.add_chat(ADMIN_ID)
        music = await FakeMusicApis().__aenter__()
        tg_engine.app.personal.configure_previews(music.config(spotify=False, **(preview_config or {})))
        settings = make_settings(api, **overrides)
        app = build_app(tg_engine.app, settings, **(build_kwargs or {}))
        harness = Harness(api, app, tg_engine, settings, music)
        started.append(harness)
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0, timeout=dtm.timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        return harness

    yield start
    for h in started:
        if h.app.updater.running:
            await h.app.updater.stop()
        if h.app.running:
            await h.app.stop()
        await h.app.shutdown()
        await h.api.stop()
        await h.music.__aexit__(None, None, None)


@pytest.fixture
async def bot(start_bot: Callable[..., Awaitable[Harness]]) -> Harness:
    """A running bot with default test settings."""
    return await start_bot()

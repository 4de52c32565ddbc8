"""Fixtures for the Telegram adapter tests: a small real catalog, a fake Bot API server, the real PTB Application.

- The catalog is a real SQLite file in ``tmp_path`` seeded from a ~300-track CSV cut from the shipped catalog
  (shipped layout), so each test gets its own writable engine in ~60 ms.
- Helpers (FakeText, FakeAgent, Harness, make_settings) live in ``tg_harness.py``; the fake Bot API server in
  ``telegram_fake_api.py``.
- Previews: every bot's engine looks previews up on the fake Spotify/Deezer/iTunes servers of
  ``tests/fakes/music_apis.py`` (``harness.music``; empty unless a test registers tracks), never on the internet.
"""

from __future__ import annotations

import csv
import datetime as dtm
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from telegram_fake_api import FakeBotApi
from tg_harness import ADMIN_ID, ROOT, FakeAgent, FakeTextEngine, Harness, make_settings

from adapters.telegram.app import ALLOWED_UPDATES, build_app
from tests.fakes.music_apis import FakeMusicApis
from core.engine import Engine
from core.models import Caller, Role


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


@pytest.fixture
async def tg_engine(tmp_path: Path, catalog_csv: Path) -> AsyncIterator[Engine]:
    """A real engine on a SQLite file in tmp_path, seeded from :func:`catalog_csv`."""
    engine = await FakeTextEngine.open(tmp_path / "telegram.db", seed_path=catalog_csv)
    try:
        yield engine
    finally:
        await engine.close()


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
        tg_engine.configure_previews(music.config(spotify=False, **(preview_config or {})))
        settings = make_settings(api, **overrides)
        app = build_app(tg_engine, settings, **(build_kwargs or {}))
        agent = FakeAgent(tg_engine)
        tg_engine.chat = agent  # type: ignore[method-assign]
        harness = Harness(api, app, tg_engine, agent, settings, music)
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

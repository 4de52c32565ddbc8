"""The Discord adapter on PostgreSQL, two processes' worth: two bots (as two shard processes would run), each with its
own engine, on ONE PostgreSQL database (a fresh one on the session's throwaway server, :func:`tests.conftest.pg_server`).

A list made by a slash command on bot A is continued on bot B: its "Next page" button (the page store is a database
table), its "More like #n" button, and ``#2`` in a slash command's song option (the channel's conversation).
Skipped with the reason where the PostgreSQL server binaries are missing (a failure in CI).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord_fakes import CHANNEL_ID, GUILD_ID, FakeInteraction, invoke
from test_discord_commands import custom_ids, listed_ids

from adapters.discord.app import build_bot
from adapters.discord.views import MoreLikeButton, NextPageButton
from bot.settings import Settings
from core.engine import Engine
from core.previews import PreviewConfig
from core.table import TrackTable
from core.text import TextUnderstanding

UNREACHABLE = "http://127.0.0.1:1"


@pytest.fixture
async def two_bots(pg_url: str, catalog_csv: Path, catalog_text: tuple[TextUnderstanding, TrackTable],
                   settings: Settings) -> AsyncIterator[list[Any]]:
    """Two set-up (never connected) bots, each on its own engine, both on one PostgreSQL database."""
    text, table = catalog_text
    bots: list[Any] = []
    try:
        for _ in range(2):
            engine = await Engine.open(pg_url, seed_path=catalog_csv)  # the second finds the catalog seeded
            engine.loaded.text_model = text
            engine.app.personal.configure_previews(
                PreviewConfig(deezer_api_base_url=UNREACHABLE, itunes_api_base_url=UNREACHABLE, timeout_s=0.5)
            )
            b = build_bot(engine.app, settings)
            b.test_engine = engine
            bots.append(b)
            await b._async_setup_hook()
            await b.setup_hook()
        yield bots
    finally:
        for b in bots:
            await b.close()
            await b.test_engine.close()
        text.update(table)


def at(bot: Any) -> FakeInteraction:
    return FakeInteraction(bot, channel_id=CHANNEL_ID, guild_id=GUILD_ID)


async def test_pages_buttons_and_song_numbers_cross_bots_on_postgres(two_bots: list[Any]) -> None:
    a, b = two_bots
    assert a.test_engine.catalog.target.is_postgres and len(a.test_engine.loaded.table) == len(b.test_engine.loaded.table) > 0

    first = at(a)
    await invoke(a, "MusicCog", "recommend", first, text="party", count=4)
    assert first.names == ["defer", "followup"]
    page1 = listed_ids(first.last.view)
    assert len(page1) == 4
    key = next(i for i in custom_ids(first.last.view) if i.startswith("mb:next:")).split(":", 2)[2]

    # "Next page" pressed on bot B, which never saw the list: the page store is the database's
    cls = NextPageButton
    item = await cls.from_custom_id(None, None, cls.__discord_ui_compiled_template__.fullmatch(f"mb:next:{key}"))
    press = at(b)
    await item.callback(press)
    assert press.names == ["defer", "followup"], press.calls
    page2 = listed_ids(press.last.view)
    assert len(page2) == 4 and not set(page1) & set(page2)
    assert press.last.embeds[0].footer.text.startswith("Page 2")

    # and the page after that, back on bot A, excludes both
    key2 = next(i for i in custom_ids(press.last.view) if i.startswith("mb:next:")).split(":", 2)[2]
    press2 = at(a)
    await NextPageButton(key2).callback(press2)
    assert press2.names == ["defer", "followup"]
    assert not set(listed_ids(press2.last.view)) & (set(page1) | set(page2))

    # `#2` in bot B's song option is the second track of the channel's list on screen (page 3, shown by bot A)
    shown = listed_ids(press2.last.view)
    song = at(b)
    ref = await b.tree.get_command("song")._params["ref"].transform(song, "#2")
    assert ref == shown[1]

    # "More like #1" from bot A's first page, pressed on bot B
    more = at(b)
    await MoreLikeButton(1, page1[0]).callback(more)
    assert more.names == ["defer", "followup"]
    title = b.test_engine.loaded.table.track(b.test_engine.loaded.table.pos[page1[0]]).title
    assert more.last.embeds[0].title.startswith("Tracks like") and title in more.last.embeds[0].title.replace("\\", "")
    assert page1[0] not in listed_ids(more.last.view)

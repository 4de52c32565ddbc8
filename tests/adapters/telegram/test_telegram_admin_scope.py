"""Catalog admin scope on Telegram (issue 9 §4), end to end through the fake Bot API: a group's creator or
administrator who is not in ``TELEGRAM_ADMIN_IDS`` cannot add, edit or delete tracks (commands or free text), but
manages that group's playlists."""

from __future__ import annotations

import html
import re

import pytest
from tg_harness import ADMIN_ID, GROUP_ID, Harness

from core.models import Caller

TRACK_ID = re.compile(r"https://open\.spotify\.com/track/([0-9A-Za-z]{22})")
CREATOR_ID, CHAT_ADMIN_ID = 901, 902
NEW_ID = "0123456789abcdefABCDEF"
ADD = f"/addsong {NEW_ID} | New Song | New Artist | danceability=0.5 energy=0.5 key=1 loudness=-5 mode=1 " \
      "speechiness=0.1 acousticness=0.1 instrumentalness=0 liveness=0.1 valence=0.5 tempo=120"


def text_of(call) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", call.params["text"]))


@pytest.mark.parametrize("user_id", [CREATOR_ID, CHAT_ADMIN_ID], ids=["group-creator", "group-administrator"])
async def test_group_admins_are_not_catalog_admins(bot: Harness, user_id: int) -> None:
    bot.api.add_chat(GROUP_ID, "supergroup")
    bot.api.chat_roles[(GROUP_ID, CREATOR_ID)] = "creator"
    bot.api.chat_roles[(GROUP_ID, CHAT_ADMIN_ID)] = "administrator"
    assert str(user_id) not in bot.settings.telegram_admin_ids and str(ADMIN_ID) in bot.settings.telegram_admin_ids
    (listing,) = await bot.ask("@music_test_bot party music", chat_id=GROUP_ID, user_id=user_id)
    first = TRACK_ID.findall(listing.params["text"])[0]
    before = await bot.engine.catalog.checksum()
    for text in (ADD, f"/editsong {first} | energy=0.01", f"/delsong {first}",
                 "@music_test_bot set energy of #1 to 0.01", "@music_test_bot delete song #1",
                 f"@music_test_bot add song {NEW_ID} called Evil by Me"):
        (reply,) = await bot.ask(text, chat_id=GROUP_ID, user_id=user_id)
        assert "only admins" in text_of(reply), (text, text_of(reply))
    assert await bot.engine.catalog.checksum() == before
    assert first in bot.engine.loaded.table.pos and NEW_ID not in bot.engine.loaded.table.pos

    # ... while they manage this group's playlists (someone else's too)
    group = f"telegram:{GROUP_ID}"
    await bot.engine.app.playlists.create(Caller(user_id="777", platform="telegram"), group, "Road Trip")
    (renamed,) = await bot.ask("/pl_rename Road Trip | Renamed", chat_id=GROUP_ID, user_id=user_id)
    assert [p.name for p in await bot.engine.app.playlists.list(group)] == ["Renamed"], text_of(renamed)
    (deleted,) = await bot.ask("@music_test_bot delete playlist Renamed", chat_id=GROUP_ID, user_id=user_id)
    assert "Deleted" in text_of(deleted)
    assert await bot.engine.app.playlists.list(group) == []

"""Mentions and DMs through dpytest, answered by the real ``engine.app.chat.chat`` (the offline agent on the built-in local
model): the conversation is the channel (``discord:<channel_id>``), playlists belong to the server
(``discord:<guild_id>``) or, in DMs, to the person (``discord:dm:<user_id>``); replies never ping."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord_fakes import ADMIN_ID, TOKEN

from adapters.discord.app import addressed_text, build_bot
from adapters.discord.render import embed_problems
from core.conversation import ConversationState
from core.engine import Engine
from core.models import Caller


@pytest.fixture
async def dbot(small_engine, settings) -> AsyncIterator[Any]:
    """The real bot wired to dpytest's fake gateway/HTTP (one server with two text channels, two members)."""
    bot = build_bot(small_engine.app, settings)
    await bot._async_setup_hook()
    # dpytest fakes a server from its member cache, which needs the members intent; the production bot runs
    # without it (mentions carry the author's member data)
    bot._connection._intents.members = True
    bot._connection.member_cache_flags = discord.MemberCacheFlags.all()
    dpytest.configure(bot, text_channels=2, members=["alice", "bob"])
    bot._connection.loop = asyncio.get_running_loop()  # dpytest 0.7 leaves it unset on discord.py 2.7 (typing())
    await bot.setup_hook()
    payloads: list[dict[str, Any]] = []
    real_send = bot.http.send_message

    async def recording_send(channel_id, *, params):  # keep what Discord would receive (allowed_mentions etc.)
        payloads.append(params.payload)
        channel = inspect.currentframe().f_back.f_locals.get("channel")  # noqa: F841 - dpytest reads it from here
        return await real_send(channel_id, params=params)

    bot.http.send_message = recording_send
    bot.sent_payloads = payloads
    try:
        yield bot
    finally:
        await dpytest.empty_queue()
        await bot.store.close()


def no_pings(payload: dict[str, Any]) -> bool:
    """Discord pings nobody: no parsed mention kinds, no user/role lists, no reply ping."""
    am = payload["allowed_mentions"]
    return am.get("parse") == [] and not am.get("users") and not am.get("roles") and not am.get("replied_user")


def mention(bot) -> str:
    return f"<@{bot.user.id}>"


def text_channels() -> list[discord.TextChannel]:
    return [c for c in dpytest.get_config().channels if isinstance(c, discord.TextChannel)]


async def conversation(engine: Engine, channel_id: int) -> ConversationState:
    """What the engine remembers of the conversation ``discord:<channel_id>`` (its SQLite memory)."""
    return await (await engine.app.sessions.conversation_store()).load_state(f"discord:{channel_id}")


def everything(message: discord.Message) -> str:
    """A reply's content and embed text, for assertions."""
    parts = [message.content or ""]
    for e in message.embeds:
        parts += [e.title or "", e.description or ""] + [f"{f.name} {f.value}" for f in e.fields]
    return "\n".join(parts)


async def test_mention_goes_to_the_agent_with_the_channel_conversation(dbot, small_engine):
    channel, other = text_channels()
    await dpytest.message(f"{mention(dbot)} some party music please", channel=channel)
    reply = dpytest.get_message()
    assert reply.embeds and embed_problems(reply.embeds, reply.content) == []
    assert reply.embeds[0].description.startswith("**1. ")
    # the engine remembers the request (mention stripped) in this channel's conversation, and only there
    state = await conversation(small_engine, channel.id)
    assert state.last.request == "some party music please"
    assert len(state.last_page) == len(reply.embeds[0].description.split("\n**")) and state.last_page
    assert (await conversation(small_engine, other.id)).last is None
    payload = dbot.sent_payloads[-1]
    assert no_pings(payload)
    assert payload["message_reference"]["message_id"]  # a reply to the asking message
    ids = [c["custom_id"] for row in payload["components"] for c in row["components"] if "custom_id" in c]
    assert "mb:chat:more" in ids and any(i.startswith("mb:more:1:") for i in ids)
    assert {"mb:pl:add", "mb:fb"} <= set(ids) and len(payload["components"]) <= 5

    # "more" continues this channel's conversation with new tracks; in the other channel there is nothing to continue
    await dpytest.message(f"{mention(dbot)} more", channel=channel)
    assert dpytest.get_message().embeds
    assert not set((await conversation(small_engine, channel.id)).last_page) & set(state.last_page)
    await dpytest.message(f"{mention(dbot)} more", channel=other)
    assert "Ask for something first" in everything(dpytest.get_message())


async def test_playlists_made_by_mention_belong_to_the_server(dbot, small_engine):
    """The adapter tells the engine the playlist group (``discord:<guild_id>``): a playlist created in one channel is
    visible from another channel of the same server, and a member without Manage Server cannot delete it."""
    channel, other = text_channels()
    alice, bob = dpytest.get_config().members[:2]
    await dpytest.message(f"{mention(dbot)} create a playlist called Road Trip", channel=channel, member=alice)
    assert "Road Trip" in everything(dpytest.get_message())
    await dpytest.message(f"{mention(dbot)} my playlists", channel=other, member=bob)
    assert "Road Trip" in everything(dpytest.get_message())
    assert [p.name for p in await small_engine.app.playlists.list(f"discord:{channel.guild.id}")] == ["Road Trip"]
    assert await small_engine.app.playlists.list(f"discord:{channel.id}") == []

    await dpytest.message(f"{mention(dbot)} delete playlist Road Trip", channel=other, member=bob)
    assert "only admins" in everything(dpytest.get_message())  # not the creator, no Manage Server
    await dpytest.message(f"{mention(dbot)} delete playlist Road Trip", channel=other, member=alice)
    assert "Deleted" in everything(dpytest.get_message())
    assert await small_engine.app.playlists.list(f"discord:{channel.guild.id}") == []


async def test_plain_channel_messages_are_ignored(dbot, small_engine):
    channel = text_channels()[0]
    await dpytest.message("party music please", channel=channel)
    assert dpytest.verify().message().nothing()
    assert (await conversation(small_engine, channel.id)).last is None


async def test_dm_without_mention_is_answered(dbot, small_engine):
    member = dpytest.get_config().members[0]
    dm = await member.create_dm()
    await dpytest.message("chill music", channel=dm, member=member)
    assert dpytest.get_message().embeds
    assert (await conversation(small_engine, dm.id)).last.request == "chill music"
    # in DMs the playlists are the person's own (discord:dm:<user_id>) and they manage them (group_admin): even one
    # someone else put there (e.g. from the CLI) is theirs to delete
    group = f"discord:dm:{member.id}"
    await small_engine.app.playlists.create(Caller(user_id="someone-else", platform="cli"), group, "Gift")
    await dpytest.message("my playlists", channel=dm, member=member)
    assert "Gift" in everything(dpytest.get_message())
    await dpytest.message("delete playlist Gift", channel=dm, member=member)
    assert "Deleted" in everything(dpytest.get_message())
    assert await small_engine.app.playlists.list(group) == []


async def test_empty_mention_gets_help(dbot, small_engine):
    await dpytest.message(mention(dbot))
    content = dpytest.get_message().content
    assert "Commands" in content and "/recommend" in content


async def test_hostile_text_never_pings(dbot, small_engine):
    # the engine cannot make sense of it and asks back, quoting the message
    await dpytest.message(f"{mention(dbot)} @everyone @here <@&1234567890123456789> look")
    reply = dpytest.get_message()
    assert "@everyone" in everything(reply)  # shown as text…
    assert no_pings(dbot.sent_payloads[-1])  # …but pings nobody


async def test_clarification_is_a_question(dbot, small_engine):
    await dpytest.message(f"{mention(dbot)} hmm, whatever")
    assert "I couldn't tell what kind of music" in everything(dpytest.get_message())


async def test_agent_failure_is_apologised_for_and_logged_without_the_token(dbot, small_engine, caplog, monkeypatch):
    # ChatService.chat never raises (it answers every failure itself), so the adapter's error path can only be reached by
    # injecting one: the real method wrapped, raising for this one message only.
    real_chat = small_engine.app.chat.chat

    async def chat_or_explode(conversation_id, caller, text, **kwargs):
        if text == "boom":
            raise RuntimeError("agent exploded")
        return await real_chat(conversation_id, caller, text, **kwargs)

    monkeypatch.setattr(small_engine.app.chat, "chat", chat_or_explode)
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        await dpytest.message(f"{mention(dbot)} boom")
    assert "Sorry" in dpytest.get_message().content
    assert any(r.exc_info for r in caplog.records if r.name == "adapters.discord")
    assert TOKEN not in caplog.text
    await dpytest.message(f"{mention(dbot)} party music")  # the bot carries on
    assert dpytest.get_message().embeds


async def test_admin_role_reaches_the_engine_from_settings(dbot, small_engine, settings):
    config = dpytest.get_config()
    channel = text_channels()[0]
    admin_user = dpytest.backend.make_user("admin", "0001", id_num=ADMIN_ID)
    admin = dpytest.backend.make_member(admin_user, config.guilds[0])
    await dpytest.message(f"{mention(dbot)} party", channel=channel, member=admin)
    assert dpytest.get_message().embeds
    first = (await conversation(small_engine, channel.id)).last_page[0]
    before = (await small_engine.app.tracks.get_track(first)).energy

    await dpytest.message(f"{mention(dbot)} set energy of #1 to 0.01", channel=channel)  # a regular member
    assert "only admins" in everything(dpytest.get_message())
    assert (await small_engine.app.tracks.get_track(first)).energy == before
    await dpytest.message(f"{mention(dbot)} set energy of #1 to 0.01", channel=channel, member=admin)
    assert dpytest.get_message().embeds  # the edited track's card
    assert (await small_engine.app.tracks.get_track(first)).energy == 0.01


async def test_messages_from_bots_are_ignored(dbot, small_engine):
    assert addressed_text(dbot, _fake_bot_message(dbot)) is None


async def test_nickname_mention_form_is_stripped(dbot, small_engine):
    channel = text_channels()[0]
    await dpytest.message(f"<@!{dbot.user.id}>   party   time ", channel=channel)
    assert dpytest.get_message().embeds
    assert (await conversation(small_engine, channel.id)).last.request == "party time"


def _fake_bot_message(bot) -> Any:
    class Author:
        bot = True
        id = 1

    class Message:
        author = Author()
        content = f"<@{bot.user.id}> hi"
        guild = None
        mentions: list[Any] = []
        role_mentions: list[Any] = []

    return Message()


def test_default_intents_are_not_privileged(small_engine, settings):
    bot = build_bot(small_engine.app, settings)
    assert not bot.intents.message_content and not bot.intents.members and not bot.intents.presences
    assert bot.intents.guild_messages and bot.intents.dm_messages
    assert no_pings({"allowed_mentions": bot.allowed_mentions.to_dict()})
    assert isinstance(bot, discord.Client)


async def test_server_admins_are_not_catalog_admins_in_free_text(dbot, small_engine, settings):
    """A member with Administrator / Manage Server in this server (not in DISCORD_ADMIN_IDS) cannot edit or delete
    tracks by mention, but still manages the server's playlists (issue 9 §4)."""
    config = dpytest.get_config()
    guild, channel = config.guilds[0], text_channels()[0]
    perms = discord.Permissions(manage_guild=True, administrator=True)
    mods = dpytest.backend.make_role("mods", guild, permissions=perms.value)
    boss_user = dpytest.backend.make_user("boss", "0002", id_num=ADMIN_ID + 1)
    boss = dpytest.backend.make_member(boss_user, guild, roles=[mods])
    assert boss.guild_permissions.manage_guild and str(boss.id) not in settings.discord_admin_ids
    await dpytest.message(f"{mention(dbot)} party", channel=channel, member=boss)
    assert dpytest.get_message().embeds
    first = (await conversation(small_engine, channel.id)).last_page[0]
    before = await small_engine.catalog.checksum()
    for text in ("set energy of #1 to 0.01", "delete song #1", f"delete {first}"):
        await dpytest.message(f"{mention(dbot)} {text}", channel=channel, member=boss)
        assert "only admins" in everything(dpytest.get_message()), text
    assert await small_engine.catalog.checksum() == before and first in small_engine.loaded.table.pos

    owner = Caller(user_id="12345", platform="discord")
    group = f"discord:{guild.id}"
    await small_engine.app.playlists.create(owner, group, "Road Trip")
    await dpytest.message(f"{mention(dbot)} delete playlist Road Trip", channel=channel, member=boss)
    assert "Deleted" in everything(dpytest.get_message())
    assert await small_engine.app.playlists.list(group) == []


async def test_chart_asked_in_a_mention_attaches_the_slash_chart_picture(dbot, small_engine, monkeypatch, tmp_path):
    """Issue 12 part 2: "chart of #2" / "show me a picture of #2" / "chart" after a list: the /chart embed + PNG."""
    import json

    from adapters.discord.charts import CHART_FILENAME
    from core import charts

    monkeypatch.setattr(charts, "CHART_TIMEOUT_S", 120.0)  # a wait on a loaded machine, not a timed check
    monkeypatch.chdir(tmp_path)  # dpytest stores attachments in the working folder
    uploads: list[dict[str, Any]] = []
    recording = dbot.http.send_message

    async def upload_recording(channel_id, *, params):  # dpytest keeps no embeds of a multipart (file) message
        if params.multipart:
            part = next(p for p in params.multipart if p["name"] == "payload_json")
            uploads.append(json.loads(part["value"]))
        channel = inspect.currentframe().f_back.f_locals.get("channel")  # noqa: F841 - dpytest reads it from here
        return await recording(channel_id, params=params)

    dbot.http.send_message = upload_recording
    channel = text_channels()[0]
    await dpytest.message(f"{mention(dbot)} some party music please", channel=channel)
    dpytest.get_message()
    state = await conversation(small_engine, channel.id)
    second = small_engine.loaded.table.track(small_engine.loaded.table.pos[state.page_ref(2)])
    for text in ("chart of #2", "show me a picture of #2", "chart"):
        await dpytest.message(f"{mention(dbot)} {text}", channel=channel)
        reply = dpytest.get_message()
        assert [a.filename for a in reply.attachments] == [CHART_FILENAME]
        payload = uploads[-1]
        (embed,) = [discord.Embed.from_dict(e) for e in payload["embeds"]]
        assert embed.image.url == f"attachment://{CHART_FILENAME}" and embed_problems([embed]) == []
        assert no_pings(payload)
        if text != "chart":
            assert second.title[:40] in (embed.title or "").replace("\\", "")
        else:
            assert "some party music please" in embed.title
    assert len(uploads) == 3

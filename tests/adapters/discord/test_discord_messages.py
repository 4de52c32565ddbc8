"""Mentions and DMs through dpytest: routed to ``engine.chat("discord:<channel_id>", ...)``, replies never ping."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord_fakes import ADMIN_ID, TOKEN, FakeChat

from adapters.discord.app import addressed_text, build_bot
from adapters.discord.render import embed_problems


@pytest.fixture
async def dbot(small_engine, settings) -> AsyncIterator[Any]:
    """The real bot wired to dpytest's fake gateway/HTTP, with ``engine.chat`` replaced by :class:`FakeChat`."""
    small_engine.chat = FakeChat(small_engine)
    bot = build_bot(small_engine, settings)
    await bot._async_setup_hook()
    # dpytest fakes a server from its member cache, which needs the members intent; the production bot runs
    # without it (mentions carry the author's member data)
    bot._connection._intents.members = True
    bot._connection.member_cache_flags = discord.MemberCacheFlags.all()
    dpytest.configure(bot, members=["alice", "bob"])
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


async def test_mention_goes_to_the_agent_with_the_channel_conversation(dbot, small_engine):
    channel = dpytest.get_config().channels[0]
    await dpytest.message(f"{mention(dbot)} some party music please", channel=channel)
    conv, caller, text = small_engine.chat.calls[-1]
    assert conv == f"discord:{channel.id}"
    assert text == "some party music please"  # mention stripped
    # the playlist group is the server, not the channel (the conversation id cannot tell the engine)
    assert small_engine.chat.groups[-1] == (f"discord:{channel.guild.id}", False)
    assert caller.platform == "discord" and not caller.is_admin
    reply = dpytest.get_message()
    assert reply.embeds and embed_problems(reply.embeds, reply.content) == []
    assert reply.embeds[0].description.startswith("**1. ")
    payload = dbot.sent_payloads[-1]
    assert no_pings(payload)
    assert payload["message_reference"]["message_id"]  # a reply to the asking message
    ids = [c["custom_id"] for row in payload["components"] for c in row["components"] if "custom_id" in c]
    assert "mb:chat:more" in ids and any(i.startswith("mb:more:1:") for i in ids)
    assert {"mb:pl:add", "mb:fb"} <= set(ids) and len(payload["components"]) <= 5


async def test_plain_channel_messages_are_ignored(dbot, small_engine):
    await dpytest.message("party music please")
    assert small_engine.chat.calls == []
    assert dpytest.verify().message().nothing()


async def test_dm_without_mention_is_answered(dbot, small_engine):
    member = dpytest.get_config().members[0]
    dm = await member.create_dm()
    await dpytest.message("chill music", channel=dm, member=member)
    conv, caller, text = small_engine.chat.calls[-1]
    assert conv == f"discord:{dm.id}" and text == "chill music"
    assert small_engine.chat.groups[-1] == (f"discord:dm:{member.id}", True)  # their own playlists
    assert dpytest.get_message().embeds


async def test_empty_mention_gets_help(dbot, small_engine):
    await dpytest.message(mention(dbot))
    assert small_engine.chat.calls[-1][2] == "/help"
    assert "Commands" in dpytest.get_message().content


async def test_hostile_text_never_pings(dbot, small_engine):
    await dpytest.message(f"{mention(dbot)} @everyone @here <@&1234567890123456789> look")
    reply = dpytest.get_message()
    assert "@everyone" in reply.content  # shown as text…
    assert no_pings(dbot.sent_payloads[-1])  # …but pings nobody


async def test_clarification_is_a_question(dbot, small_engine):
    await dpytest.message(f"{mention(dbot)} hmm, whatever")
    assert "What kind of music?" in dpytest.get_message().content


async def test_agent_failure_is_apologised_for_and_logged_without_the_token(dbot, small_engine, caplog):
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        await dpytest.message(f"{mention(dbot)} boom")
    assert "Sorry" in dpytest.get_message().content
    assert any(r.exc_info for r in caplog.records if r.name == "adapters.discord")
    assert TOKEN not in caplog.text


async def test_admin_role_reaches_the_engine_from_settings(dbot, small_engine, settings):
    config = dpytest.get_config()
    admin_user = dpytest.backend.make_user("admin", "0001", id_num=ADMIN_ID)
    admin = dpytest.backend.make_member(admin_user, config.guilds[0])
    await dpytest.message(f"{mention(dbot)} party", member=admin)
    assert small_engine.chat.calls[-1][1].is_admin


async def test_messages_from_bots_are_ignored(dbot, small_engine):
    assert addressed_text(dbot, _fake_bot_message(dbot)) is None


async def test_nickname_mention_form_is_stripped(dbot, small_engine):
    await dpytest.message(f"<@!{dbot.user.id}>   party   time ")
    assert small_engine.chat.calls[-1][2] == "party time"


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
    bot = build_bot(small_engine, settings)
    assert not bot.intents.message_content and not bot.intents.members and not bot.intents.presences
    assert bot.intents.guild_messages and bot.intents.dm_messages
    assert no_pings({"allowed_mentions": bot.allowed_mentions.to_dict()})
    assert isinstance(bot, discord.Client)

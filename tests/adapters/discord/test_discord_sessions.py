"""The list on screen is the channel's, whatever made it: a slash command's page is recorded by the engine in the
channel's conversation (``discord:<channel_id>``), so a mention ("more like #2", "more") and ``#N`` in a slash
command's song option continue from it. Slash commands run through the stand-in Interactions of ``discord_fakes``,
mentions through dpytest, both on the same bot and engine."""

from __future__ import annotations

import discord.ext.test as dpytest
from discord_fakes import FakeInteraction, invoke
from test_discord_feedback import listed
from test_discord_messages import conversation, dbot, everything, mention, text_channels  # noqa: F401  (dbot: fixture)


async def test_mention_more_like_2_after_a_recommend_slash_command(dbot, small_engine):  # noqa: F811
    channel, other = text_channels()
    inter = FakeInteraction(dbot, channel_id=channel.id, guild_id=channel.guild.id)
    await invoke(dbot, "MusicCog", "recommend", inter, text="chill study music", count=10)
    page = listed(inter.last.view)
    assert len(page) == 10
    state = await conversation(small_engine, channel.id)
    assert state.last_page == page and state.last.request == "chill study music"
    second = small_engine.loaded.table.track(small_engine.loaded.table.pos[page[1]])

    await dpytest.message(f"{mention(dbot)} more like #2", channel=channel)
    reply = dpytest.get_message()
    assert f"Tracks like {second.title}" in everything(reply).replace("\\", "")
    state = await conversation(small_engine, channel.id)
    assert state.last.kind == "similar" and state.last.refs == [second.track_id]
    assert state.last_page and not set(state.last_page) & set(page)  # nothing shown in this channel comes back

    # the other channel has no list on screen: #2 means nothing there
    await dpytest.message(f"{mention(dbot)} more like #2", channel=other)
    assert "Tracks like" not in everything(dpytest.get_message())


async def test_next_page_and_song_number_use_the_channel_list(dbot, small_engine):  # noqa: F811
    channel = text_channels()[0]
    inter = FakeInteraction(dbot, channel_id=channel.id, guild_id=channel.guild.id)
    await invoke(dbot, "MusicCog", "search", inter, query="love")
    found = listed(inter.last.view)
    assert found and (await conversation(small_engine, channel.id)).last_page == found

    song = FakeInteraction(dbot, channel_id=channel.id, guild_id=channel.guild.id)
    ref = await dbot.tree.get_command("song")._params["ref"].transform(song, "#3")  # type: ignore[union-attr]
    assert ref == found[2]

    await dpytest.message(f"{mention(dbot)} more", channel=channel)  # a search is not a request to continue
    assert "Ask for something first" in everything(dpytest.get_message())

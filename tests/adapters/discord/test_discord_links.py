"""Pasted Spotify links through the Discord stand-ins (dpytest for messages, FakeInteraction for slash commands)."""

from __future__ import annotations

import discord.ext.test as dpytest
from discord_fakes import invoke
from test_discord_messages import dbot, everything, mention, text_channels  # noqa: F401 - dbot is a fixture

from core.engine import Engine


def popular(engine: Engine) -> int:
    return max(engine.loaded.table.alive_positions(), key=lambda p: int(engine.loaded.table.popularity[p]))


async def test_pasted_link_as_plain_message_gives_similar_songs(dbot, small_engine):  # noqa: F811
    pos = popular(small_engine)
    tid, title = small_engine.loaded.table.ids[pos], small_engine.loaded.table.titles[pos]
    member = dpytest.get_config().members[0]
    dm = await member.create_dm()
    await dpytest.message(f"https://open.spotify.com/intl-de/track/{tid}?si=abc", channel=dm, member=member)
    reply = dpytest.get_message()
    assert reply.embeds and title in everything(reply).replace("\\", "")
    state = await (await small_engine.app.sessions.conversation_store()).load_state(f"discord:{dm.id}")
    assert state.last is not None and state.last.kind == "similar" and state.last.refs == [tid]
    assert state.last_page and tid not in state.last_page
    # in a server channel, with a mention, and the <link> form Discord users type to suppress the preview
    channel = text_channels()[0]
    await dpytest.message(f"{mention(dbot)} <https://open.spotify.com/track/{tid}>", channel=channel)
    assert title in everything(dpytest.get_message()).replace("\\", "")


async def test_non_track_link_gets_the_named_message(dbot, small_engine):  # noqa: F811
    member = dpytest.get_config().members[0]
    dm = await member.create_dm()
    await dpytest.message("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=1", channel=dm, member=member)
    assert "playlist link — send a track link or a song name" in everything(dpytest.get_message())
    await dpytest.message("https://www.spotify.com/us/family/join/invite/evilToken123/", channel=dm, member=member)
    text = everything(dpytest.get_message())
    assert "isn't a Spotify track link" in text and "evil" not in text


async def test_slash_similar_says_when_another_version_is_used(bot, interaction_factory, small_engine):
    pos = popular(small_engine)
    title = small_engine.loaded.table.titles[pos]
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "similar", inter, songs=[f"{title} - Nobody Famous Zzz"])
    assert inter.names == ["defer", "followup"]
    first = inter.last.content.splitlines()[0].replace("\\", "")  # markdown-escaped
    assert first.startswith(f"No “{title}” by Nobody Famous Zzz here — using")
    assert inter.last.embeds
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "similar", inter, songs=["https://open.spotify.com/album/37i9dQZF1DXcBWIGoYBM5M"])
    assert inter.names == ["send_message"] and inter.last.ephemeral
    assert "album link" in inter.last.content


async def test_slash_song_with_a_typo_says_so(bot, interaction_factory, small_engine):
    pos = popular(small_engine)
    title = small_engine.loaded.table.titles[pos]
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "song", inter, ref=title[:-1] + "q" + " zz")
    embed = inter.last.embeds[0]
    assert (embed.description or "").replace("\\", "").startswith("No exact match for")

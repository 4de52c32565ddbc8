"""Slash-command callbacks called with a stand-in Interaction: defer then follow-up, embeds, buttons, errors."""

from __future__ import annotations

import logging
import re

import discord
import pytest
from discord_fakes import CHANNEL_ID, TOKEN, FakeInteraction, invoke

from adapters.discord.render import NONE_PING, embed_problems
from adapters.discord.views import DYNAMIC_ITEMS, MoreLikeButton, NextPageButton
from core.models import Caller


def custom_ids(view) -> list[str]:
    return [c.custom_id for c in view.children if getattr(c, "custom_id", None)]


def listed_ids(view) -> list[str]:
    """Track ids behind the "More like #n" buttons, in list order."""
    return [cid.split(":")[3] for cid in custom_ids(view) if cid.startswith("mb:more:")]


async def test_recommend_defers_then_follows_up_with_a_numbered_list(bot, interaction_factory):
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", inter, text="chill music", count=5)
    assert inter.names == ["defer", "followup"]
    assert inter.calls[0].kwargs["thinking"] is True and not inter.calls[0].ephemeral
    reply = inter.last
    assert not reply.ephemeral
    assert reply.kwargs["allowed_mentions"] is NONE_PING
    (embed,) = reply.embeds
    assert embed_problems([embed]) == []
    assert "chill" in embed.title
    lines = re.findall(r"^\*\*(\d+)\. ", embed.description, re.M)
    assert lines == ["1", "2", "3", "4", "5"]
    assert embed.description.count("https://open.spotify.com/track/") == 5
    assert "↳ *" in embed.description  # every track carries a reason
    view = reply.view
    assert view.timeout is None
    ids = custom_ids(view)
    assert [i for i in ids if i.startswith("mb:more:")] == [
        f"mb:more:{n}:{tid}" for n, tid in enumerate(listed_ids(view), 1)
    ]
    assert sum(i.startswith("mb:next:") for i in ids) == 1
    assert all(len(i) <= 100 for i in ids)
    # every custom_id is handled by a registered persistent item, so it still works after a restart
    templates = [cls.__discord_ui_compiled_template__ for cls in DYNAMIC_ITEMS]
    assert all(any(t.fullmatch(i) for t in templates) for i in ids)
    items = [getattr(c, "item", c) for c in view.children]
    labels = [i.label for i in items if isinstance(i, discord.ui.Button)]
    assert labels[:5] == [f"More like #{n}" for n in range(1, 6)] and "Next page" in labels
    menus = {i.custom_id: i for i in items if isinstance(i, discord.ui.Select)}
    assert set(menus) == {"mb:pl:add", "mb:fb"}
    assert [o.value for o in menus["mb:pl:add"].options] == listed_ids(view)
    assert [o.value for o in menus["mb:fb"].options] == [
        f"{v}:{tid}" for tid in listed_ids(view) for v in ("like", "dislike")
    ]
    assert len(view.to_components()) <= 5


async def test_next_page_never_repeats_and_survives_a_restart(small_engine, settings, interaction_factory, bot):
    first = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", first, text="party", count=4)
    page1 = listed_ids(first.last.view)
    key = next(i for i in custom_ids(first.last.view) if i.startswith("mb:next:")).split(":", 2)[2]
    await bot.close()  # "restart": the page store is in the catalog database, not in memory

    from adapters.discord.app import build_bot

    bot2 = build_bot(small_engine.app, settings)
    await bot2._async_setup_hook()
    await bot2.setup_hook()
    try:
        cls = NextPageButton
        item = await cls.from_custom_id(None, None, cls.__discord_ui_compiled_template__.fullmatch(f"mb:next:{key}"))
        click = FakeInteraction(bot2)
        await item.callback(click)
        assert click.names == ["defer", "followup"]
        page2 = listed_ids(click.last.view)
        assert len(page2) == 4 and not set(page1) & set(page2)
        assert click.last.embeds[0].footer.text.startswith("Page 2")
        # and the page after that excludes both
        key2 = next(i for i in custom_ids(click.last.view) if i.startswith("mb:next:")).split(":", 2)[2]
        click2 = FakeInteraction(bot2)
        await NextPageButton(key2).callback(click2)
        assert not set(listed_ids(click2.last.view)) & (set(page1) | set(page2))
    finally:
        await bot2.close()


async def test_expired_next_page_is_an_ephemeral_error(bot, interaction_factory):
    inter = interaction_factory()
    await NextPageButton("nosuchkey123").callback(inter)
    # the public "thinking…" placeholder is removed, the error is shown only to the clicker
    assert inter.names == ["defer", "delete_original", "followup"]
    assert inter.last.ephemeral and "expired" in inter.last.content


async def test_more_like_button(bot, interaction_factory, small_engine):
    tid = small_engine.loaded.table.track(0).track_id
    inter = interaction_factory()
    await MoreLikeButton(3, tid).callback(inter)
    assert inter.names == ["defer", "followup"]
    embed = inter.last.embeds[0]
    assert embed.title.startswith("Tracks like")
    assert tid not in listed_ids(inter.last.view)


async def test_similar_with_several_songs_and_filters(bot, interaction_factory, small_engine):
    a, b = small_engine.loaded.table.track(1), small_engine.loaded.table.track(2)
    inter = interaction_factory()
    await invoke(
        bot, "MusicCog", "similar", inter, songs=[a.track_id, f"{b.title} - {b.artists[0]}"], count=3, year_from=1950
    )
    assert inter.names == ["defer", "followup"]
    assert len(listed_ids(inter.last.view)) == 3
    assert not {a.track_id, b.track_id} & set(listed_ids(inter.last.view))


async def test_unknown_song_is_refused_privately_before_deferring(bot, interaction_factory, small_engine):
    known = small_engine.loaded.table.track(5).track_id
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "similar", inter, songs=[known, "Qwzx Vbnmk Plokij"])
    assert inter.names == ["send_message"]
    assert inter.last.ephemeral
    assert 'No track found for "Qwzx Vbnmk Plokij"' in inter.last.content


async def test_bad_year_range_is_refused_before_deferring(bot, interaction_factory):
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", inter, text="chill", year_from=2020, year_to=1990)
    assert inter.names == ["send_message"]
    assert inter.last.ephemeral and "year_from" in inter.last.content


async def test_vague_request_gets_a_question_not_an_error(bot, interaction_factory):
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", inter, text="hmm whatever")
    assert inter.names == ["defer", "followup"]
    content = inter.last.content
    assert "I couldn't tell what kind of music" in content and not inter.last.ephemeral
    assert "chill study music" in content  # with the engine's suggestions to pick from


async def test_search_pages_and_song_card(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(7)
    word = track.artists[0].split()[0]
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "search", inter, query=word)
    assert inter.names == ["defer", "followup"]
    assert inter.last.embeds and embed_problems(inter.last.embeds) == []

    card = interaction_factory()
    await invoke(bot, "MusicCog", "song", card, ref=track.track_id)
    assert card.names == ["send_message"]  # an in-memory lookup: answered at once
    (embed,) = card.last.embeds
    assert embed.url == track.spotify_url
    assert {f.name for f in embed.fields} >= {"Audio features", "Popularity"}
    assert "tempo" in next(f.value for f in embed.fields if f.name == "Audio features")
    tid = track.track_id
    assert custom_ids(card.last.view) == [
        f"mb:more:1:{tid}",
        f"mb:chart:t:{tid}",
        f"mb:fb:like:{tid}",
        f"mb:fb:dislike:{tid}",
        f"mb:pl:btn:{tid}",
    ]
    assert any(getattr(c, "url", None) == track.spotify_url for c in card.last.view.children)


async def test_search_without_results(bot, interaction_factory):
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "search", inter, query="qqqxxzzvvq")
    assert inter.names == ["defer", "followup"]
    assert "No tracks match" in inter.last.content


async def test_preview_unreachable_services_still_link_spotify(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(3)
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "preview", inter, ref=track.track_id)
    assert inter.names == ["defer", "followup"] and not inter.last.ephemeral
    assert track.spotify_url in inter.last.content
    assert "No 30-second preview" in inter.last.content
    urls = [getattr(c, "url", None) for c in inter.last.view.children]
    assert f"https://open.spotify.com/embed/track/{track.track_id}" in urls
    assert not any(c.label == "30-second preview" for c in inter.last.view.children if hasattr(c, "label"))


async def test_preview_with_a_preview_source(bot, interaction_factory, small_engine):
    from adapters.discord.hooks import Hooks

    class Previews:
        async def preview_url(self, track):
            return f"https://cdn.example.test/{track.track_id}.mp3"

    bot.hooks = Hooks(previews=Previews())
    track = small_engine.loaded.table.track(3)
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "preview", inter, ref=track.track_id)
    assert inter.names == ["defer", "followup"]
    assert any(c.label == "30-second preview" for c in inter.last.view.children)


async def test_preview_source_failure_never_fails_the_reply(bot, interaction_factory, small_engine):
    from adapters.discord.hooks import Hooks

    class Broken:
        async def preview_url(self, track):
            raise OSError("network down")

    bot.hooks = Hooks(previews=Broken())
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "preview", inter, ref=small_engine.loaded.table.track(3).track_id)
    assert inter.names == ["defer", "followup"] and not inter.last.ephemeral


async def test_playlist_menu_appears_with_a_playlist_hook(bot, interaction_factory, small_engine):
    from adapters.discord.hooks import Hooks
    from adapters.discord.views import PlaylistSelect

    added = []

    class Playlists:
        async def add_track(self, caller, scope, track_id):
            added.append((caller.user_id, scope, track_id))
            return "Added to the server playlist."

    bot.hooks = Hooks(playlists=Playlists())
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", inter, text="party", count=3)
    menus = [c for c in inter.last.view.children if getattr(c, "custom_id", "") == "mb:pl:add"]
    assert len(menus) == 1 and len(menus[0].item.options) == 3
    choice = menus[0].item.options[1].value

    click = interaction_factory()
    menu = PlaylistSelect(list(menus[0].item.options))
    menu.item._values = [choice]  # what Discord sends back
    menu.item._refresh_state(click, {"values": [choice]})
    await menu.callback(click)
    assert added == [("501", "discord:900", choice)]
    assert click.last.ephemeral and "Added" in click.last.content


async def test_reset_is_ephemeral(bot, interaction_factory, small_engine):
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "reset", inter)
    assert inter.names == ["send_message"] and inter.last.ephemeral
    assert "cleared" in inter.last.content.lower()


async def test_unexpected_error_is_logged_with_traceback_and_apologised_for(bot, interaction_factory, caplog, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("index corrupted")

    monkeypatch.setattr(bot.services.personal, "recommend_text_for", broken)
    inter = interaction_factory()
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        await invoke(bot, "MusicCog", "recommend", inter, text="chill")
    assert inter.names == ["defer", "delete_original", "followup"]
    assert inter.last.ephemeral and "Sorry" in inter.last.content
    assert "index corrupted" not in inter.last.content  # internals stay in the log
    records = [r for r in caplog.records if r.name == "adapters.discord" and r.exc_info]
    assert records and "/recommend" in records[0].getMessage()
    assert TOKEN not in caplog.text


async def test_chat_next_page_button(bot, interaction_factory, small_engine):
    from adapters.discord.views import ChatMoreButton

    # nothing asked in this channel yet: the engine has nothing to continue
    inter = interaction_factory()
    await ChatMoreButton().callback(inter)
    assert inter.names == ["defer", "followup"] and "Ask for something first" in inter.last.content

    # a request in this channel's conversation (as a mention would make it), then the button continues it
    member = Caller(user_id="501", platform="discord")
    first = await small_engine.app.chat.chat(f"discord:{CHANNEL_ID}", member, "party music", group_id="discord:900")
    shown = {t.track.track_id for t in first.recommendation.tracks}
    inter = interaction_factory()
    await ChatMoreButton().callback(inter)
    assert inter.names == ["defer", "followup"]
    view = inter.last.view
    assert "mb:chat:more" in custom_ids(view)
    assert listed_ids(view) and not set(listed_ids(view)) & shown  # the next tracks of that conversation
    # another channel's conversation is its own
    inter = interaction_factory(channel_id=CHANNEL_ID + 1)
    await ChatMoreButton().callback(inter)
    assert "Ask for something first" in inter.last.content


async def test_genre_filter_reaches_the_engine(bot, interaction_factory, small_engine):
    genre = small_engine.loaded.table.track(0).genres[0]
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", inter, text="party", genre=genre, count=5)
    ids = listed_ids(inter.last.view)
    assert ids
    for tid in ids:
        track = await small_engine.app.tracks.get_track(tid)
        assert genre in track.genres + track.subgenres


async def test_transformer_errors_are_ephemeral_with_the_engine_message(bot, interaction_factory):
    from discord import app_commands

    command = bot.tree.get_command("similar")
    param = command._params["songs"]  # the CommandParameter discord.py transforms with
    inter = interaction_factory()
    with pytest.raises(app_commands.TransformerError) as err:
        await param.transform(inter, " ; ; ")  # what discord.py does before calling the callback
    await bot.tree.on_error(inter, err.value)
    assert inter.names == ["send_message"] and inter.last.ephemeral
    assert "at least one song" in inter.last.content


async def test_help_is_ephemeral(bot, interaction_factory):
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "help", inter)
    assert inter.last.ephemeral and "/recommend" in inter.last.content

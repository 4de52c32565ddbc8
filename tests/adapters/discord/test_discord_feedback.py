"""/like, /dislike and the 👍 / 👎 components: a disliked track never comes back for that user; likes count."""

from __future__ import annotations

import re

from discord_fakes import USER_ID, click, component, invoke, pick

from adapters.discord.views import FeedbackButton, MoreLikeButton, NextPageButton
from core.models import Caller

OTHER_ID = 502


def plain(text: str | None) -> str:
    return re.sub(r"\\(.)", r"\1", text or "")


def listed(view) -> list[str]:
    ids = [getattr(c, "custom_id", None) or "" for c in view.children]
    return [i.split(":")[3] for i in ids if i.startswith("mb:more:")]


async def pages(bot, make, text: str, n_pages: int, **kw) -> list[str]:
    """Track ids over the first ``n_pages`` pages of /recommend ``text`` for one user (following "Next page")."""
    inter = make(**kw)
    await invoke(bot, "MusicCog", "recommend", inter, text=text, count=10)
    seen = listed(inter.last.view)
    view = inter.last.view
    for _ in range(n_pages - 1):
        nxt = make(**kw)
        await NextPageButton(component(view, "mb:next:").custom_id.split(":", 2)[2]).callback(nxt)
        if nxt.last.view is None:
            break
        view = nxt.last.view
        seen += listed(view)
    return seen


async def test_dislike_command_then_that_track_never_comes_back_for_that_user(bot, interaction_factory, small_engine):
    seed = small_engine.loaded.table.track(0)
    nearest = (await small_engine.app.discovery.recommend_similar([seed.track_id])).tracks[0].track

    inter = interaction_factory()
    await invoke(bot, "MusicCog", "dislike", inter, song=nearest.track_id)
    assert inter.names == ["defer", "followup"] and inter.calls[0].ephemeral and inter.last.ephemeral
    assert plain(inter.last.content).startswith(f'Disliked "{nearest.title}')
    assert await small_engine.app.personal.disliked_ids(Caller(user_id=str(USER_ID), platform="discord")) == {nearest.track_id}

    mine = interaction_factory()
    await MoreLikeButton(1, seed.track_id).callback(mine)
    assert nearest.track_id not in listed(mine.last.view)
    theirs = interaction_factory(user_id=OTHER_ID)
    await MoreLikeButton(1, seed.track_id).callback(theirs)
    assert listed(theirs.last.view)[0] == nearest.track_id  # only the one who disliked it is spared


async def test_dislike_from_the_menu_under_a_list(bot, interaction_factory, small_engine):
    from adapters.discord.hooks import Hooks

    bot.hooks = Hooks(embed_preview_budget_s=0)  # no preview links: this test pages a lot
    first = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", first, text="party", count=10)
    top = listed(first.last.view)[0]
    menu = component(first.last.view, "mb:fb")
    rate = interaction_factory(message=object())
    await pick(menu, rate, f"dislike:{top}")
    assert rate.names == ["edit_message", "followup"] and rate.last.ephemeral and "Disliked" in rate.last.content

    # each in a channel of their own: a channel's conversation never shows a song twice, whoever asks there
    for user, channel, expect in ((USER_ID, 9001, False), (OTHER_ID, 9002, True)):
        seen = await pages(bot, interaction_factory, "party", 4, user_id=user, channel_id=channel)
        assert len(seen) == len(set(seen)) >= 30
        assert (top in seen) is expect


async def test_like_button_and_command(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(5)
    button = interaction_factory()
    await FeedbackButton("like", track.track_id).callback(button)
    assert button.names == ["defer", "followup"] and button.last.ephemeral
    assert plain(button.last.content).startswith(f'Liked "{track.title}')
    again = interaction_factory()
    await invoke(bot, "MusicCog", "like", again, song=track.track_id)
    assert "already like" in plain(again.last.content)
    me = Caller(user_id=str(USER_ID), platform="discord")
    assert await small_engine.app.feedback.liked_ids(me) == [track.track_id]
    # a like replaces an earlier dislike (and the other way round)
    flip = interaction_factory()
    await FeedbackButton("dislike", track.track_id).callback(flip)
    assert await small_engine.app.feedback.liked_ids(me) == [] and await small_engine.app.personal.disliked_ids(me) == {track.track_id}


async def test_likes_shape_later_recommendations(bot, interaction_factory, small_engine):
    seed = small_engine.loaded.table.track(0)
    near = [it.track.track_id for it in (await small_engine.app.discovery.recommend_similar([seed.track_id])).tracks[:3]]
    for tid in [seed.track_id, *near]:
        await FeedbackButton("like", tid).callback(interaction_factory())
    liked = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", liked, text="party", count=10)
    plain_list = interaction_factory(user_id=OTHER_ID)
    await invoke(bot, "MusicCog", "recommend", plain_list, text="party", count=10)
    assert listed(liked.last.view) != listed(plain_list.last.view)
    assert "close to tracks you liked" in liked.last.embeds[0].description
    assert "close to tracks you liked" not in plain_list.last.embeds[0].description


async def test_unknown_song_is_refused_privately(bot, interaction_factory):
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "like", inter, song="Qwzx Vbnmk Plokij")
    assert inter.names == ["send_message"] and inter.last.ephemeral and "No track found" in inter.last.content


async def test_song_card_buttons_are_persistent(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(2)
    card = interaction_factory()
    await invoke(bot, "MusicCog", "song", card, ref=track.track_id)
    dislike = component(card.last.view, "mb:fb:dislike:")
    rebuilt = interaction_factory(user_id=OTHER_ID)
    await click(dislike, rebuilt)  # rebuilt from its custom_id, as after a restart
    assert rebuilt.last.ephemeral and "Disliked" in rebuilt.last.content
    assert await small_engine.app.personal.disliked_ids(Caller(user_id=str(OTHER_ID), platform="discord")) == {track.track_id}

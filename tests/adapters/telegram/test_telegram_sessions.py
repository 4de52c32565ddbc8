"""The list on screen is the engine's, whatever made it: Telegram commands and buttons record their lists in the chat's
conversation (SQLite), so free text ("more like #3", "not that artist", "more") continues from them.

End to end: the real PTB Application against the fake Bot API on 127.0.0.1, the real engine and its offline agent.
"""

from __future__ import annotations

import re

from tg_harness import USER_ID, Harness
from tg_htmlcheck import check_html

TRACK = re.compile(r"/track/([0-9A-Za-z]{22})")


def ids_in(call) -> list[str]:
    return TRACK.findall(call.params["text"])


def numbers(call) -> list[str]:
    return re.findall(r"^(\d+)\. ", check_html(call.params["text"]), re.M)


def keyboard(call) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}


async def test_more_like_3_in_free_text_after_a_recommend_command(bot: Harness) -> None:
    (listed,) = await bot.ask("/recommend chill study music")
    page = ids_in(listed)
    assert len(page) == 10 and numbers(listed)[:3] == ["1", "2", "3"]
    third = await bot.engine.app.tracks.get_track(page[2])

    (similar,) = await bot.ask("more like #3")  # free text: the agent, reading the list the command showed
    text = check_html(similar.params["text"])
    assert f"Tracks like {third.title}" in text, text
    state = await bot.conversation()
    assert state.last is not None and state.last.kind == "similar" and state.last.refs == [third.track_id]
    shown = ids_in(similar)
    assert len(shown) == 10 and not set(shown) & set(page)
    assert state.last_page == shown  # ... and that list is now the one on screen
    # tracks like #3 are closer to #3's sound than the catalog at large (style comes first, so not necessarily
    # closer than the chill list #3 came from)
    t = bot.engine.loaded.table
    ref = t.features[t.pos[third.track_id]]

    def spread(ids: list[str]) -> float:
        return float(sum(abs(t.features[t.pos[i]][[0, 1, 8, 9]] - ref[[0, 1, 8, 9]]).sum() for i in ids) / len(ids))

    sample = [t.ids[p] for p in t.alive_positions()[::100] if t.has_features[p]]
    assert spread(shown) < spread(sample)


async def test_numbers_follow_the_page_on_screen_after_next_page(bot: Harness) -> None:
    (listed,) = await bot.ask("/recommend happy pop")
    message = bot.api.message(listed)
    since = bot.api.mark()
    await bot.api.push_callback(message, keyboard(listed)["Next page ▶"])
    (edit,) = await bot.api.wait_for("editMessageText", since=since)
    page2 = ids_in(edit)
    assert numbers(edit)[0] == "11" and not set(page2) & set(ids_in(listed))
    state = await bot.conversation()
    assert state.last_page == page2 and state.page_first == 11

    twelfth = await bot.engine.app.tracks.get_track(page2[1])
    (song,) = await bot.ask("/song #12")  # a command, resolved against the engine's record
    assert twelfth.title in check_html(song.params["text"])
    (gone,) = await bot.ask("/song #3")  # page 1 is no longer on screen
    assert "11–20" in check_html(gone.params["text"])

    (similar,) = await bot.ask("more like #12")
    assert f"Tracks like {twelfth.title}" in check_html(similar.params["text"])


async def test_not_that_artist_means_the_command_list_not_an_older_agent_list(bot: Harness) -> None:
    (older,) = await bot.ask("upbeat dance party music")  # a list made by the agent
    (listed,) = await bot.ask("/similar " + ids_in(older)[4])  # then one made by a command: on screen now
    state = await bot.conversation()
    ref_artist = bot.engine.loaded.table.artists[bot.engine.loaded.table.pos[state.last.refs[0]]][0]
    older_first = bot.engine.loaded.table.artists[bot.engine.loaded.table.pos[ids_in(older)[0]]][0]

    (refined,) = await bot.ask("not that artist")
    state = await bot.conversation()
    excluded = state.last.filters.exclude_artists
    assert ref_artist in excluded, (excluded, ref_artist)
    if older_first != ref_artist:
        assert older_first not in excluded
    t = bot.engine.loaded.table
    assert ids_in(refined) and all(ref_artist not in t.artists[t.pos[i]] for i in ids_in(refined))
    assert not set(ids_in(refined)) & (set(ids_in(older)) | set(ids_in(listed)))


async def test_more_after_a_button_continues_that_list_without_repeats(bot: Harness) -> None:
    (listed,) = await bot.ask("/recommend rock")
    since = bot.api.mark()
    await bot.api.push_callback(bot.api.message(listed), keyboard(listed)["More like #2"])
    (similar,) = await bot.api.wait_for("sendMessage", since=since)
    state = await bot.conversation()
    assert state.last is not None and state.last.kind == "similar" and state.last_page == ids_in(similar)

    seen = set(ids_in(listed)) | set(ids_in(similar))
    (more,) = await bot.ask("more")  # free text
    assert ids_in(more) and not set(ids_in(more)) & seen
    seen |= set(ids_in(more))
    (again,) = await bot.ask("/more")  # the command: the same conversation
    assert ids_in(again) and not set(ids_in(again)) & seen
    assert (await bot.conversation(USER_ID)).last.kind == "similar"


async def test_song_command_points_at_that_artist(bot: Harness) -> None:
    (listed,) = await bot.ask("/recommend upbeat dance party music")
    page = ids_in(listed)
    t = bot.engine.loaded.table
    fourth_artist = t.artists[t.pos[page[3]]][0]
    (song,) = await bot.ask("/song #4")
    assert (await bot.conversation()).focus == page[3]
    (refined,) = await bot.ask("not that artist")
    state = await bot.conversation()
    assert fourth_artist in state.last.filters.exclude_artists
    assert ids_in(refined) and all(fourth_artist not in t.artists[t.pos[i]] for i in ids_in(refined))
    assert state.focus is None  # the refined list is on screen now: "that one" points nowhere until asked again


async def test_next_page_under_a_refined_chat_list_keeps_the_refinement(bot: Harness) -> None:
    await bot.ask("chill study music")
    (refined,) = await bot.ask("less upbeat")
    state = await bot.conversation()
    valence = state.last.overrides.get("valence")
    assert valence is not None
    shown = set(state.shown)
    since = bot.api.mark()
    await bot.api.push_callback(bot.api.message(refined), keyboard(refined)["Next page ▶"])
    (edit,) = await bot.api.wait_for("editMessageText", since=since)
    page = ids_in(edit)
    assert page and not set(page) & shown and numbers(edit)[0] == "1"
    state = await bot.conversation()
    assert state.last.overrides.get("valence") == valence  # the next page is the refined request, not the first one
    assert state.last_page == page

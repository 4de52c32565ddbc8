"""End to end through the fake Bot API: a pasted Spotify link as a plain message (issue 9, references)."""

from __future__ import annotations

import html
import re

from tg_harness import Harness


async def test_pasted_track_link_gives_similar_songs(bot: Harness) -> None:
    engine = bot.engine
    pos = max(engine.loaded.table.alive_positions(), key=lambda p: int(engine.loaded.table.popularity[p]))
    tid, title = engine.loaded.table.ids[pos], engine.loaded.table.titles[pos]
    (call,) = await bot.ask(f"https://open.spotify.com/intl-de/track/{tid}?si=abc")
    text = html.unescape(call.params["text"])
    assert title in text
    markup = call.params.get("reply_markup") or {}
    assert markup.get("inline_keyboard"), "a track list comes with its buttons"
    state = await bot.conversation()
    assert state.last is not None and state.last.kind == "similar" and state.last.refs == [tid]
    assert len(state.last_page) >= 5 and tid not in state.last_page


async def test_non_track_links_are_named_and_lookalikes_not_echoed(bot: Harness) -> None:
    (call,) = await bot.ask("https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy?si=x")
    assert "album link — send a track link or a song name" in html.unescape(call.params["text"])
    (call,) = await bot.ask("<https://open.spotify.com.evil.io/track/4aawyAB9vmqN3uQ7FjRGTy?token=s3cr3t>")
    text = call.params["text"]
    assert "isn't a Spotify track link" in html.unescape(text)
    assert "evil" not in text and "s3cr3t" not in text
    (call,) = await bot.ask("/similar https://open.spotify.com/track/4aawyAB9vmqN3uQ7FjR")
    assert "not a valid Spotify track id" in html.unescape(call.params["text"])


async def test_song_with_another_artist_says_which_was_used(bot: Harness) -> None:
    engine = bot.engine
    pos = max(engine.loaded.table.alive_positions(), key=lambda p: int(engine.loaded.table.popularity[p]))
    title = engine.loaded.table.titles[pos]
    (call,) = await bot.ask(f"/song {title} - Nobody Famous Zzz")
    first = re.sub(r"<[^>]+>", "", html.unescape(call.params["text"]).splitlines()[0])
    assert first.startswith(f"No “{title}” by Nobody Famous Zzz here — using")

"""Console polish: Spotify links are terminal hyperlinks (clickable at any width), a spinner only for slow work."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from rich.console import Console

from adapters.console.render import show_recommendation, track_details
from adapters.console.spinner import DelayedSpinner, with_spinner
from core.engine import Engine

OSC8 = re.compile(r"\x1b\]8;[^;]*;(https://open\.spotify\.com/track/[0-9A-Za-z]{22})\x1b\\")


def _terminal(width: int) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, color_system="truecolor", width=width), buf


@pytest.mark.parametrize("width", [30, 60, 80, 120, 149, 150, 180, 250])
async def test_every_spotify_link_is_a_whole_hyperlink_at_any_width(engine: Engine, width: int) -> None:
    rec = await engine.app.discovery.recommend_text("chill study music")
    console, buf = _terminal(width)
    show_recommendation(console, rec)
    linked = set(OSC8.findall(buf.getvalue()))
    assert linked == {t.track.spotify_url for t in rec.tracks}  # the whole URL is the target, even when cut or wrapped


async def test_piped_output_keeps_plain_urls_and_no_escape_codes(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("chill study music")
    buf = io.StringIO()
    show_recommendation(Console(file=buf, width=100), rec)  # not a terminal
    out = buf.getvalue()
    assert "\x1b" not in out
    assert all(t.track.spotify_url in out for t in rec.tracks)


async def test_song_card_link_is_a_hyperlink(engine: Engine) -> None:
    track, _ = await engine.app.tracks.find_track("One More Time")
    console, buf = _terminal(40)
    console.print(track_details(track))
    assert OSC8.findall(buf.getvalue()) == [track.spotify_url]


async def test_quick_work_shows_no_spinner() -> None:
    console, buf = _terminal(80)
    spinner = DelayedSpinner(console, "Thinking…", delay=30.0)
    async with spinner:
        await asyncio.sleep(0)
        assert not spinner.shown
    assert not spinner.shown and "Thinking" not in buf.getvalue()


async def test_slow_work_shows_a_spinner_until_it_ends() -> None:
    console, buf = _terminal(80)
    spinner = DelayedSpinner(console, "Thinking…", delay=0.01)
    seen = asyncio.Event()

    async def slow() -> str:
        for _ in range(3000):  # until the spinner is on screen (bounded: ~30 s at most)
            if spinner.shown:
                seen.set()
                break
            await asyncio.sleep(0.01)
        return "done"

    async with spinner:
        assert await slow() == "done"
    assert seen.is_set() and not spinner.shown
    assert "Thinking" in buf.getvalue()


async def test_no_spinner_off_a_terminal_or_when_disabled() -> None:
    buf = io.StringIO()
    plain = Console(file=buf, width=80)
    assert await with_spinner(plain, asyncio.sleep(0.05, result=7), delay=0.0) == 7
    console, tbuf = _terminal(80)
    spinner = DelayedSpinner(console, "Loading…", delay=0.0, enabled=False)
    with spinner:
        await asyncio.sleep(0.05)
        assert not spinner.shown
    assert buf.getvalue() == "" and "Loading" not in tbuf.getvalue()

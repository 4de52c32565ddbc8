"""Chart requests in free text ("chart of #2", "show me a picture of #2", "chart") are answered like ``/chart``: the
same picture, on every adapter (the console's saving is checked here; Telegram and Discord in their adapter tests).
Music requests that only mention charts ("chart hits from the 80s") still get tracks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import charts
from core.chart_requests import chart_request
from core.conversation import ConversationState
from core.models import Caller

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _patient_charts(monkeypatch) -> None:
    # a wait on an overloaded CI machine (the first drawing imports matplotlib), not a timed assertion
    monkeypatch.setattr(charts, "CHART_TIMEOUT_S", 120.0)


def listed_state(n: int = 10) -> ConversationState:
    state = ConversationState()
    state.show_page([f"id{i}" for i in range(n)], [""] * n, True)
    return state


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("chart", ""), ("Chart!", ""), ("chart please", ""), ("a chart", ""), ("show me a chart", ""),
        ("show me a picture", ""), ("can you draw the list?", ""), ("chart it", ""), ("graph these", ""),
        ("show me the audio features chart of the list", ""), ("picture of them", ""), ("plot this", ""),
        ("chart of #2", "#2"), ("show me a picture of #2", "#2"), ("a chart for #10", "#10"), ("chart #3", "#3"),
        ("show me a chart of the second one", "#2"), ("picture of number 4", "#4"), ("draw the last one", "#10"),
        ("could you please show me a graph of the 3rd song", "#3"),
    ],
)
def test_chart_wordings_become_the_chart_command_argument(engine, text: str, ref: str) -> None:
    assert chart_request(engine.app.tracks, text, listed_state()) == ref


@pytest.mark.parametrize(
    "text",
    [
        "chart hits from the 80s", "top of the charts", "songs that topped the charts", "charts", "chart toppers",
        "chart of the 80s", "uk chart music", "something to draw to", "picture perfect pop", "graphic designer music", "plot twist", "draw me in",
        "a chart of songs that do not exist zzqx", "songs like #2", "tell me about #2", "more",
    ],
)
def test_music_requests_that_mention_charts_are_not_chart_requests(engine, text: str) -> None:
    assert chart_request(engine.app.tracks, text, listed_state()) is None


def test_a_song_named_exactly_is_charted_and_a_link_too(engine) -> None:
    state = listed_state()
    assert chart_request(engine.app.tracks, "chart of Blinding Lights", state) == "Blinding Lights"
    assert chart_request(engine.app.tracks, 'show me a picture of "Blinding Lights - The Weeknd"', state) == "Blinding Lights - The Weeknd"
    tid = engine.loaded.table.ids[0]
    assert chart_request(engine.app.tracks, f"chart of https://open.spotify.com/track/{tid}", state) == f"https://open.spotify.com/track/{tid}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_is_read_without_error(engine, text: str) -> None:
    out = chart_request(engine.app.tracks, text, ConversationState())
    assert out is None or isinstance(out, str)


async def test_free_text_chart_is_the_slash_chart(engine) -> None:
    await engine.app.chat.chat("console:fc", Caller(), "/recommend chill study music")
    state = await (await engine.app.sessions.conversation_store()).load_state("console:fc")
    second = state.page_ref(2)
    for text in ("chart of #2", "show me a picture of #2"):
        reply = await engine.app.chat.chat("console:fc", Caller(), text)
        assert reply.chart is not None and reply.chart[:8] == PNG and charts.png_size(reply.chart) == charts.TRACK_CHART_PX
        assert reply.track is not None and reply.track.track_id == second
    slash = await engine.app.chat.chat("console:fc", Caller(), "/chart")
    free = await engine.app.chat.chat("console:fc", Caller(), "chart")
    assert free.chart is not None and charts.png_size(free.chart) == charts.SET_CHART_PX
    assert free.text == slash.text  # same caption, same list, same target
    assert [t.track.track_id for t in free.recommendation.tracks] == [t.track.track_id for t in slash.recommendation.tracks]
    assert free.recommendation.target == slash.recommendation.target
    # a music request mentioning charts still gets tracks, and "#N" past the list is a clear error, not a crash
    hits = await engine.app.chat.chat("console:fc", Caller(), "chart hits from the 80s")
    assert hits.chart is None and hits.recommendation is not None and hits.recommendation.tracks
    missing = await engine.app.chat.chat("console:fc", Caller(), "chart of #42")
    assert missing.chart is None and "no #42" in missing.text


async def test_chart_before_any_list_says_what_to_do(engine) -> None:
    reply = await engine.app.chat.chat("console:empty", Caller(), "show me a chart")
    assert reply.chart is None and "Nothing to chart yet" in reply.text


async def test_console_saves_the_free_text_chart_like_slash_chart(engine, tmp_path) -> None:
    from rich.console import Console

    from adapters.console.render import print_reply

    await engine.app.chat.chat("console:save", Caller(), "/recommend upbeat dance 128 bpm")
    console = Console(record=True, width=120)
    print_reply(console, await engine.app.chat.chat("console:save", Caller(), "chart of #1"), chart_dir=tmp_path)
    (saved,) = list(tmp_path.glob("*.png"))
    assert saved.read_bytes()[:8] == PNG and "Chart saved" in console.export_text()

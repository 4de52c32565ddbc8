"""One maximum for a count asked for in text (core.limits.MAX_TRACKS), on every path: the text parser, the engine,
the agent (chat and its tools), the CLI option, the adapters' renderers; the reply says it was capped (a structured
``Recommendation.capped``, rendered by each adapter)."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from adapters.console.render import show_recommendation
from adapters.discord.commands import Count
from adapters.discord.render import chat_message
from adapters.telegram.render import recommendation_blocks
from bot.cli import LimitOpt
from core.agent.tools_common import clamp_limit, count_cap, with_cap
from core.engine import Engine
from core.limits import MAX_TRACKS
from core.models import Caller, ChatReply, CountCap, Filters, Recommendation, TextQuery

FORMS = [
    "give me {n} party songs",
    "{n} chill songs",
    "top {n} tracks of pop",
    "{n} upbeat rock tracks please",
    "can you find {n} sad songs for a rainy day",
    "I want {n} songs for running",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.one_of(st.integers(1, 120), st.integers(121, 1899), st.integers(2100, 999_999)), form=st.sampled_from(FORMS))
def test_text_counts_are_capped_at_one_maximum(engine: Engine, n: int, form: str) -> None:
    """Any count in any of the forms (1900–2099 are years: "1985 songs" means songs from 1985)."""
    parsed = engine.app.discovery.understand(form.format(n=n))
    assert isinstance(parsed, TextQuery)
    assert parsed.filters.limit == min(n, MAX_TRACKS)
    assert parsed.requested_count == (n if n > MAX_TRACKS else None)


@pytest.mark.parametrize(("text", "limit"), [("top 50 songs", 50), ("top 1000 tracks", MAX_TRACKS), ("top 20", None)])
def test_top_n_is_a_count_of_popular_songs(engine: Engine, text: str, limit: int | None) -> None:
    # "top 50 songs" was unclear ("I couldn't tell what kind of music"): the count took "top" with it
    parsed = engine.app.discovery.understand(text)
    assert isinstance(parsed, TextQuery), text
    assert limit is None or parsed.filters.limit == limit
    assert any(c.startswith("top") and "chart" in c for c in parsed.cues), parsed.cues


def test_counts_do_not_eat_words_or_years(engine: Engine) -> None:
    parsed = engine.app.discovery.understand("100 chill acoustic songs")
    assert isinstance(parsed, TextQuery) and parsed.filters.limit == MAX_TRACKS
    assert any("chill" in c for c in parsed.cues)  # the words between the count and "songs" are still understood
    eighties = engine.app.discovery.understand("1985 songs")
    assert isinstance(eighties, TextQuery) and eighties.filters.year_min == 1985 and eighties.requested_count is None


async def test_engine_caps_and_says_so_only_when_the_text_asked(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("give me 100 chill songs")
    assert isinstance(rec, Recommendation)
    assert len(rec.tracks) == MAX_TRACKS and rec.capped == CountCap(requested=100, limit=MAX_TRACKS)
    assert rec.capped.note().startswith(f"You asked for 100; I send at most {MAX_TRACKS} at a time")
    twenty = await engine.app.discovery.recommend_text("20 upbeat songs for running")
    assert isinstance(twenty, Recommendation) and len(twenty.tracks) == 20 and twenty.capped is None
    # an explicit limit (a later page, a slash-command option) wins and carries no note
    page = await engine.app.discovery.recommend_text("give me 100 chill songs", filters=Filters(limit=10))
    assert isinstance(page, Recommendation) and len(page.tracks) == 10 and page.capped is None
    with pytest.raises(Exception, match=f"between 1 and {MAX_TRACKS}"):
        await engine.app.discovery.recommend_text("chill", limit=MAX_TRACKS + 1)


async def test_chat_caps_and_the_next_page_does_not_repeat_the_note(engine: Engine) -> None:
    caller = Caller(user_id="u1", platform="console")
    reply = await engine.app.chat.chat("console:cap", caller, "give me 100 chill songs")
    rec = reply.recommendation
    assert rec is not None and len(rec.tracks) == MAX_TRACKS
    assert rec.capped == CountCap(requested=100, limit=MAX_TRACKS)
    more = await engine.app.chat.chat("console:cap", caller, "more")
    assert more.recommendation is not None and more.recommendation.tracks and more.recommendation.capped is None


def test_agent_tool_limits_use_the_same_maximum() -> None:
    assert clamp_limit(500) == MAX_TRACKS and clamp_limit(None) == 10 and clamp_limit("x") == 10  # type: ignore[arg-type]
    assert count_cap(500) == CountCap(requested=500, limit=MAX_TRACKS)
    assert count_cap(MAX_TRACKS) is None and count_cap(None) is None
    rec = with_cap(Recommendation(), 80)
    assert rec.capped == CountCap(requested=80, limit=MAX_TRACKS)


def test_option_ranges_use_the_maximum() -> None:
    cli = LimitOpt.__metadata__[0]
    assert cli.max == MAX_TRACKS
    assert Count.max_value <= MAX_TRACKS  # Discord: a page, never above the product maximum


def _capped_rec(engine: Engine) -> Recommendation:
    from core.models import RecommendedTrack

    tracks = [RecommendedTrack(track=engine.loaded.table.track(i), score=1.0, reason="r") for i in range(3)]
    return Recommendation(kind="text", query="q", tracks=tracks, summary="chill", capped=CountCap(requested=100, limit=MAX_TRACKS))


def test_every_adapter_renders_the_note_first(engine: Engine) -> None:
    rec = _capped_rec(engine)
    tg = recommendation_blocks(rec)
    assert tg[0].startswith("<i>You asked for 100; I send at most") and "/more" in tg[0]
    dc = chat_message(ChatReply(text="chill", recommendation=rec))
    assert dc.embeds[0].description.startswith("You asked for 100; I send at most")
    out = io.StringIO()
    show_recommendation(Console(file=out, width=100), rec)
    assert out.getvalue().splitlines()[0].startswith("You asked for 100; I send at most")
    plain = _capped_rec(engine).model_copy(update={"capped": None})
    assert not recommendation_blocks(plain)[0].startswith("<i>You asked")

"""Floods and Telegram's rate limits, end to end through the fake Bot API and the real PTB Application.

* per-user flood control (core.ratelimit, in the catalog database): one user sending the same command 30 times gets
  a few replies and ONE notice; button floods likewise; another user is answered; group chatter is not counted;
* 429 ``RetryAfter`` from the Bot API: waited (jittered, capped) and retried within a bound, dropped when Telegram
  asks for too long, and never answered with an apology.
"""

from __future__ import annotations

import asyncio
import logging

from tg_harness import GROUP_ID, USER_ID, Harness
from tg_htmlcheck import check_html

from adapters.telegram.handlers import APOLOGY
from adapters.telegram.ratelimit import FloodRateLimiter

OTHER = 777


def count_handled(h: Harness) -> list[int]:
    """Instrument the application: the returned list grows by one each time an update has been fully handled."""
    done: list[int] = []
    real = h.app.process_update

    async def process_update(update: object) -> None:
        try:
            await real(update)
        finally:
            done.append(1)

    h.app.process_update = process_update  # type: ignore[method-assign]
    return done


async def handled(done: list[int], n: int) -> None:
    """Wait until ``n`` updates were handled since :func:`count_handled` (a wait, not a timing assertion)."""
    for _ in range(3000):
        if len(done) >= n:
            await asyncio.sleep(0.05)  # let the last sends reach the fake server's log
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {len(done)} of {n} updates were handled")


def notices(h: Harness, chat_id: int, since: int = 0) -> list[str]:
    return [c.params["text"] for c in h.api.find("sendMessage", since, chat_id=chat_id) if c.params["text"].startswith("Slow down")]


async def test_one_user_flooding_a_command_gets_a_few_replies_and_one_notice(start_bot) -> None:
    bot = await start_bot(rate_burst=3, rate_refill_s=60)
    done = count_handled(bot)
    since = bot.api.mark()
    for _ in range(30):
        await bot.api.push_message("/search love")
    await handled(done, 30)
    sent = bot.api.find("sendMessage", since, chat_id=USER_ID)
    (notice,) = notices(bot, USER_ID, since)
    assert notice.startswith("Slow down — try again in ") and notice.endswith(" s.")
    assert len(sent) == 3 + 1  # the burst, then one notice; the other 26 were dropped silently
    assert not bot.api.errors(since)

    # another user is served normally while the first is still limited
    (other,) = await bot.ask("/search love", user_id=OTHER)
    assert "1. " in check_html(other.params["text"])
    since, before = bot.api.mark(), len(done)
    await bot.api.push_message("/help")
    await handled(done, before + 1)
    assert not bot.api.find("sendMessage", since, chat_id=USER_ID)  # still limited, and silent


async def test_button_flood_every_press_answered_one_toast(start_bot) -> None:
    bot = await start_bot(rate_burst=3, rate_refill_s=60)
    (first,) = await bot.ask("/recommend party music")  # takes one token
    markup = first.params["reply_markup"]["inline_keyboard"]
    data = next(b["callback_data"] for row in markup for b in row if b["text"] == "Next page ▶")
    message = bot.api.message(first)
    done = count_handled(bot)
    since = bot.api.mark()
    qids = [await bot.api.push_callback(message, data) for _ in range(20)]
    await handled(done, 20)
    answers = bot.api.find("answerCallbackQuery", since)
    assert sorted(a.params["callback_query_id"] for a in answers) == sorted(qids)  # no spinner left hanging
    toasts = [a.params.get("text") for a in answers if (a.params.get("text") or "").startswith("Slow down")]
    assert len(toasts) == 1
    pages = bot.api.find("editMessageText", since) + bot.api.find("sendMessage", since, chat_id=USER_ID)
    assert 1 <= len(pages) <= 2  # the two tokens left
    assert not bot.api.errors(since)


async def test_group_chatter_is_not_counted(start_bot) -> None:
    bot = await start_bot(rate_burst=2, rate_refill_s=60)
    done = count_handled(bot)
    for i in range(10):  # the bot ignores these (privacy mode design): they must not use the user's tokens
        await bot.api.push_message(f"hello everyone {i}", chat_id=GROUP_ID, chat_type="supergroup")
        await bot.api.push_message("/start@some_other_bot", chat_id=GROUP_ID, chat_type="supergroup")
    await handled(done, 20)
    (reply,) = await bot.ask("/help", chat_id=GROUP_ID, chat_type="supergroup")
    assert "Slow down" not in reply.params["text"]


async def test_free_text_flood_reaches_the_agent_at_most_burst_times(start_bot) -> None:
    bot = await start_bot(telegram_chat_rate=2, telegram_chat_window_s=600)
    done = count_handled(bot)
    since = bot.api.mark()
    for i in range(12):
        await bot.api.push_message(f"some chill music number {i}")
    await handled(done, 12)
    assert len(notices(bot, USER_ID, since)) == 1
    replies = [c for c in bot.api.find("sendMessage", since, chat_id=USER_ID) if not c.params["text"].startswith("Slow down")]
    assert len(replies) == 2
    store = await bot.engine.app.sessions.conversation_store()
    assert await store.count_turns(f"telegram:{USER_ID}") <= 2  # at most one agent turn per accepted message


# ---------------------------------------------------------------------------------------------- 429 RetryAfter
class RecordingSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_429_is_waited_for_with_jitter_and_retried(start_bot) -> None:
    sleep = RecordingSleep()
    limiter = FloodRateLimiter(rng=lambda: 1.0, sleep=sleep)
    bot = await start_bot(build_kwargs={"rate_limiter": limiter})
    bot.api.flood("sendMessage", times=1, retry_after=4)
    since = bot.api.mark()
    (reply,) = await bot.ask("/search love")
    assert "1. " in check_html(reply.params["text"])
    assert len(bot.api.rejected("sendMessage", since)) == 1
    assert sleep.waits == [4 + 0.25 * 4 + 0.1]  # retry_after + jitter (rng=1 -> the maximum)
    assert APOLOGY not in [c.params.get("text") for c in bot.api.find("sendMessage", since)]


async def test_429_retries_are_bounded_and_never_answered_with_an_apology(start_bot, caplog) -> None:
    caplog.set_level(logging.WARNING)
    sleep = RecordingSleep()
    bot = await start_bot(build_kwargs={"rate_limiter": FloodRateLimiter(max_retries=2, sleep=sleep)})
    bot.api.flood("sendMessage", times=10, retry_after=1)
    done = count_handled(bot)
    since = bot.api.mark()
    await bot.api.push_message("/search love")
    await handled(done, 1)
    assert len(bot.api.rejected("sendMessage", since)) == 3  # first try + 2 retries, then dropped
    assert len(sleep.waits) == 2 and all(1.1 <= w <= 1.35 for w in sleep.waits)
    assert not bot.api.find("sendMessage", since)  # no apology (it would hit the limit too)
    assert "rate limit" in caplog.text.lower()
    bot.api.floods.clear()
    (ok,) = await bot.ask("/search love")  # the bot carries on
    assert "1. " in check_html(ok.params["text"])


async def test_long_retry_after_drops_the_reply_without_waiting(start_bot) -> None:
    sleep = RecordingSleep()
    bot = await start_bot(build_kwargs={"rate_limiter": FloodRateLimiter(sleep=sleep)})
    bot.api.flood("sendMessage", times=1, retry_after=3600)  # Telegram has asked for hours
    done = count_handled(bot)
    since = bot.api.mark()
    await bot.api.push_message("/search love")
    await handled(done, 1)
    assert len(bot.api.rejected("sendMessage", since)) == 1
    assert sleep.waits == []  # not waited for: the reply no longer matters an hour later
    assert not bot.api.find("sendMessage", since)


async def test_short_lived_answers_are_not_retried_after_a_long_wait(start_bot) -> None:
    sleep = RecordingSleep()
    bot = await start_bot(build_kwargs={"rate_limiter": FloodRateLimiter(sleep=sleep)})
    (first,) = await bot.ask("/recommend party music")
    markup = first.params["reply_markup"]["inline_keyboard"]
    data = next(b["callback_data"] for row in markup for b in row if b["text"] == "Next page ▶")
    bot.api.flood("answerCallbackQuery", times=1, retry_after=10)  # the query expires before that
    bot.api.flood("sendChatAction", times=1, retry_after=1)
    done = count_handled(bot)
    since = bot.api.mark()
    await bot.api.push_callback(bot.api.message(first), data)
    await bot.api.wait_for("editMessageText", since)  # the page still comes
    await handled(done, 1)
    assert sleep.waits == []
    assert not [c for c in bot.api.find("sendMessage", since) if c.params.get("text") == APOLOGY]


# ---------------------------------------------------------------------------------------------- count cap
async def test_a_count_over_the_maximum_is_capped_and_said_first(bot) -> None:
    from core.limits import MAX_TRACKS

    since = bot.api.mark()
    await bot.api.push_message("/recommend give me 100 chill songs")
    for k in range(1, 12):  # a long list is split over several messages; the keyboard goes on the last one
        sent = await bot.api.wait_for("sendMessage", since=since, count=k, chat_id=USER_ID)
        if sent[-1].params.get("reply_markup"):
            break
    plain = check_html(sent[0].params["text"])
    assert plain.splitlines()[0].startswith(f"You asked for 100; I send at most {MAX_TRACKS} at a time")
    numbers = [line for c in sent for line in check_html(c.params["text"]).splitlines() if line[:3].rstrip(". ").isdigit()]
    assert len(numbers) == MAX_TRACKS
    # free text through the agent: the same cap and note
    (reply, *_) = await bot.ask("100 upbeat party songs")
    assert "You asked for 100" in check_html(reply.params["text"])

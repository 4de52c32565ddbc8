"""Outgoing Bot API calls under Telegram's flood limits: :class:`FloodRateLimiter` (PTB's ``AIORateLimiter`` with
a bounded, jittered, per-request answer to 429).

PTB's ``AIORateLimiter`` spaces calls out (≈30/s overall, 20/min per group) and, on a 429 ``RetryAfter``, pauses
*every* request for exactly ``retry_after`` seconds and retries a fixed number of times. Here:

* the wait is ``retry_after`` plus a random jitter (up to :data:`JITTER` of it, at least 0.1 s), so requests that
  hit the limit together do not all wake in the same instant and hit it again;
* only the request that got the 429 waits: a per-chat limit (the usual case) does not stall other users' chats;
* the wait is capped: when Telegram asks for longer than ``max_wait_s`` (or the request is out of retries) the
  ``RetryAfter`` is raised at once — the reply is dropped (logged) rather than sent long after it mattered;
* work that expires is dropped sooner: a typing indicator is never retried, and a callback-query or inline-query
  answer only when the wait is short (Telegram forgets those queries after a few seconds). Those calls then return
  False instead of raising, so the handler still does its real work (the page a button asked for).

The handlers never answer a ``RetryAfter`` with an apology (:meth:`adapters.telegram.handlers.BotHandlers.on_error`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

#: Jitter added to a 429 wait, as a fraction of ``retry_after`` (plus 0.1 s).
JITTER = 0.25
#: Longest 429 wait before a retry, seconds (Telegram has asked for up to hours; nobody waits that long for a reply).
MAX_WAIT_S = 30.0
#: Longest wait before retrying an answer to a callback or inline query (they expire within seconds).
SHORT_LIVED_WAIT_S = 3.0
#: Endpoints whose work expires quickly (the wait limit above), and cosmetic ones never retried.
SHORT_LIVED = {"answercallbackquery", "answerinlinequery"}
NEVER_RETRY = {"sendchataction"}


def retry_after_s(exc: RetryAfter) -> float:
    """The seconds Telegram asked to wait (``parameters.retry_after``), as a float."""
    value = getattr(exc, "_retry_after", None)
    if value is not None and hasattr(value, "total_seconds"):
        return float(value.total_seconds())
    return float(getattr(value, "real", 0) or 0)


class FloodRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` with bounded, jittered, per-request 429 retries (see the module docstring).

    Args:
        max_retries: retries after a 429 (per request).
        max_wait_s: a 429 asking for longer is not waited for (the request raises ``RetryAfter``).
        short_lived_wait_s: the same bound for callback/inline query answers.
        rng: ``() -> [0, 1)`` for the jitter (tests pass a fixed one).
        sleep: the coroutine used to wait (tests may record the waits).
        **kwargs: passed to ``AIORateLimiter`` (overall and per-group rates).
    """

    def __init__(
        self,
        max_retries: int = 2,
        max_wait_s: float = MAX_WAIT_S,
        short_lived_wait_s: float = SHORT_LIVED_WAIT_S,
        rng: Callable[[], float] = random.random,
        sleep: Callable[[float], Coroutine[Any, Any, Any]] = asyncio.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(max_retries=max_retries, **kwargs)
        self.max_wait_s = max_wait_s
        self.short_lived_wait_s = short_lived_wait_s
        self.rng = rng
        self.sleep = sleep
        #: Seconds waited because of 429s, in order (diagnostics and tests).
        self.waits: list[float] = []
        #: 429s given up on (the request raised ``RetryAfter``).
        self.dropped = 0

    def wait_for(self, endpoint: str, retry_after: float, attempt: int, max_retries: int) -> float | None:
        """Seconds to wait before retry ``attempt + 1``, or None to give up (raise)."""
        name = endpoint.lower()
        limit = self.short_lived_wait_s if name in SHORT_LIVED else self.max_wait_s
        if name in NEVER_RETRY or attempt >= max_retries or retry_after > limit:
            return None
        return retry_after + JITTER * retry_after * self.rng() + 0.1

    async def process_request(  # type: ignore[override]
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Run one Bot API call under the rate limits; on 429 wait (jittered, capped) and retry, or give up.

        Raises:
            RetryAfter: Telegram still answers 429 after the retries, or asked for a wait over the cap (the
            short-lived and cosmetic endpoints return False instead).
        """
        max_retries = rate_limit_args or self._max_retries
        chat_id = data.get("chat_id")
        chat = chat_id is not None
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group: int | str | bool = chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str) else False
        attempt = 0
        while True:
            try:
                return await self._run_request(
                    chat=chat, group=group, allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                    callback=callback, args=args, kwargs=kwargs,
                )
            except RetryAfter as exc:
                asked = retry_after_s(exc)
                wait = self.wait_for(endpoint, asked, attempt, max_retries)
                if wait is None:
                    self.dropped += 1
                    log.warning("Telegram 429 on %s (retry after %.0f s, attempt %d): dropped", endpoint, asked, attempt + 1)
                    if endpoint.lower() in SHORT_LIVED | NEVER_RETRY:
                        return False  # these answer True/False: the handler carries on with its real work
                    raise
                log.info("Telegram 429 on %s: retrying in %.1f s", endpoint, wait)
                self.waits.append(wait)
                await self.sleep(wait)
                attempt += 1

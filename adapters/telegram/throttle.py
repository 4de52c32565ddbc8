"""Per-user throttle for LLM-backed requests: at most ``rate`` per ``window_s`` seconds, one in flight at a time.

Telegram's own flood limits on *outgoing* messages are handled by PTB's ``AIORateLimiter``; this guards the
expensive side (an LLM call per free-text message) against one user flooding the bot.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Throttle:
    """Sliding-window limiter keyed by user id.

    ``check(user)`` returns 0 when a request may start now (and records it), else the seconds to wait.
    ``busy(user)`` is True while that user's previous request is still running; wrap the work in
    ``with throttle.running(user): ...``.
    """

    def __init__(self, rate: int = 6, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic, max_users: int = 10000) -> None:
        if rate < 1 or window_s <= 0:
            raise ValueError("rate must be ≥ 1 and window_s > 0")
        self.rate = rate
        self.window_s = window_s
        self.clock = clock
        self.max_users = max_users
        self._hits: dict[str, deque[float]] = {}
        self._running: set[str] = set()

    def check(self, user: str) -> float:
        """Seconds until ``user`` may send another request (0 = allowed now; the request is then counted)."""
        now = self.clock()
        hits = self._hits.setdefault(user, deque())
        while hits and now - hits[0] >= self.window_s:
            hits.popleft()
        if len(hits) >= self.rate:
            return max(self.window_s - (now - hits[0]), 0.1)
        hits.append(now)
        if len(self._hits) > self.max_users:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for uid in [u for u, h in self._hits.items() if not h or now - h[-1] >= self.window_s]:
            del self._hits[uid]

    def busy(self, user: str) -> bool:
        """True while a request of ``user`` is in flight."""
        return user in self._running

    def running(self, user: str) -> _Running:
        """Context manager marking ``user`` as having a request in flight."""
        return _Running(self, user)


class _Running:
    def __init__(self, throttle: Throttle, user: str) -> None:
        self.throttle, self.user = throttle, user

    def __enter__(self) -> None:
        self.throttle._running.add(self.user)

    def __exit__(self, *exc: object) -> None:
        self.throttle._running.discard(self.user)

"""Per-user flood control shared by every adapter and every worker: token buckets stored in the catalog database.

One rule, one place: Telegram commands/buttons/free text and Discord slash commands/buttons/mentions all ask
:meth:`RateLimiter.hit` before doing any work. The state is one row per (bucket, user) in the ``rate_limits``
table of the catalog database, so two bot processes on the same database share it.

Behaviour of one bucket (:class:`RatePolicy`): a user holds up to ``burst`` tokens, one comes back every
``refill_s`` seconds; a request takes a token. When none is left the request is refused and the verdict says
whether to tell the user: only the **first** refusal after an accepted request gets a notice ("Slow down — try again
in 4 s"); later refusals are dropped silently until a request is accepted again, so a flood never turns into a
flood of notices. Other users are untouched (their rows are separate).

Every check is ONE ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement (SQLAlchemy Core, per dialect) on an
autocommit connection of the shared :class:`core.infra.store_db.Database`: atomic on SQLite and PostgreSQL even
across processes, so it needs no lock and no unit of work. The table comes from the migrations. A database error
fails *open* (the request is allowed and the error logged): flood control must never take the bot down.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.infra.store_db import Database

log = logging.getLogger(__name__)


@functools.cache
def _hit_statement(dialect: str) -> Any:
    """One statement: refill by elapsed time (capped at burst), take a token if one is whole, and classify a refusal
    as the first one since the last accepted request ('notice') or a later one ('drop'); returns (tokens, state).
    SET expressions see the old row. Two-argument min/max are ``min``/``max`` on SQLite, ``LEAST``/``GREATEST`` on
    PostgreSQL; the old row's columns are named with the table (``rate_limits.tokens``) on both. Built once per
    dialect with bound parameters ``key``, ``burst``, ``refill``, ``now`` (building it per call costs more than the
    statement itself on SQLite; SQLAlchemy is imported on first use, not at start-up)."""
    from sqlalchemy import Float, Text, bindparam, case, func

    from core.infra.store_db import dialect_insert
    from core.infra.tables import rate_limits as t

    key, burst, refill, now = (bindparam(n, type_=Text if n == "key" else Float) for n in ("key", "burst", "refill", "now"))
    least, greatest = (func.least, func.greatest) if dialect == "postgresql" else (func.min, func.max)
    refilled = least(burst, t.c.tokens + greatest(now - t.c.updated_at, 0.0) / refill)
    stmt = dialect_insert(dialect)(t).values(
        bucket_key=key, tokens=burst - 1, updated_at=now, state="ok"
    )
    return stmt.on_conflict_do_update(
        index_elements=["bucket_key"],
        set_={
            "tokens": case((refilled >= 1, refilled - 1), else_=refilled),
            "state": case((refilled >= 1, "ok"), (t.c.state == "ok", "notice"), else_="drop"),
            "updated_at": now,
        },
    ).returning(t.c.tokens, t.c.state)


#: Rows idle this long are deleted (a full bucket is the same as no row). Seconds.
IDLE_S = 86400.0
#: A prune runs after this many checks in a process.
PRUNE_EVERY = 1000


@dataclass(frozen=True)
class RatePolicy:
    """A token bucket: ``burst`` requests at once, then one every ``refill_s`` seconds.

    Raises:
        ValueError: ``burst`` < 1 or ``refill_s`` ≤ 0.
    """

    name: str
    burst: int
    refill_s: float

    def __post_init__(self) -> None:
        if self.burst < 1 or not self.refill_s > 0:
            raise ValueError(f"rate policy {self.name!r}: burst must be ≥ 1 and refill_s > 0")

    @classmethod
    def per_window(cls, name: str, rate: int, window_s: float) -> RatePolicy:
        """``rate`` requests per ``window_s`` seconds as a bucket (burst = rate, refill = window / rate)."""
        rate = max(int(rate), 1)
        return cls(name, rate, max(float(window_s), 0.001) / rate)


#: Commands and buttons, every adapter: 5 at once, then one every 2 s (30 a minute sustained). A person pressing
#: "Next page" a few times or typing commands never meets it; a script or a held-down key does.
COMMANDS = RatePolicy("commands", burst=5, refill_s=2.0)
#: Free text that goes to the agent (an LLM call each): 6 per minute (README, ``TELEGRAM_CHAT_RATE``).
CHAT = RatePolicy.per_window("chat", 6, 60.0)


@dataclass(frozen=True)
class Verdict:
    """The answer for one request.

    ``allowed``: do the work. ``notify``: refused, and this is the first refusal since the last accepted request
    (tell the user once with :meth:`notice`); refused with ``notify`` False: drop silently.
    ``retry_after_s``: seconds until the next token (0 when allowed).
    """

    allowed: bool
    notify: bool = False
    retry_after_s: float = 0.0

    @property
    def seconds(self) -> int:
        """``retry_after_s`` rounded up to whole seconds (at least 1) for display."""
        return max(1, math.ceil(self.retry_after_s - 1e-9))

    def notice(self, lang: str = "en") -> str:
        """The one short notice, plain text: ``"Slow down — try again in 4 s."``, in ``lang`` (the conversation's,
        :meth:`core.chat.ChatService.reply_language`; :data:`core.reply_words.REPLY_WORDS`)."""
        from core.reply_words import say

        return say("slow down", lang, s=self.seconds)


ALLOWED = Verdict(True)


class RateLimiter:
    """Token buckets per (policy, user) in the catalog database (SQLite or PostgreSQL).

    Args:
        db: the shared :class:`core.infra.store_db.Database` (``engine.database``).
        clock: wall-clock seconds (``time.time``; shared across processes, so not monotonic).
    """

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._checks = 0

    async def setup(self) -> None:
        """Nothing to do: the ``rate_limits`` table comes from the migrations (kept for callers)."""

    async def hit(self, user: str, policy: RatePolicy = COMMANDS) -> Verdict:
        """Count one request of ``user`` (a ``"platform:user_id"`` key) against ``policy``.

        Returns the :class:`Verdict`. Never raises for a database problem (fails open, logged).
        """
        try:
            now = self.clock()
            params = {"key": f"{policy.name}|{user}", "burst": float(policy.burst), "refill": policy.refill_s, "now": now}
            row = (await self.db.execute(_hit_statement(self.db.dialect), params)).first()
            self._checks += 1
            if self._checks % PRUNE_EVERY == 0:
                await self.prune(now)
        except Exception:
            log.warning("rate limit check failed for %s; allowing the request", user, exc_info=True)
            return ALLOWED
        tokens, state = float(row[0]), str(row[1])
        if state == "ok":
            return ALLOWED
        return Verdict(False, notify=state == "notice", retry_after_s=max((1.0 - tokens) * policy.refill_s, 0.0))

    async def prune(self, now: float | None = None) -> int:
        """Delete rows idle for :data:`IDLE_S` (their buckets are full again). Returns how many were deleted."""
        cutoff = (self.clock() if now is None else now) - IDLE_S
        from sqlalchemy import delete

        from core.infra.tables import rate_limits

        result = await self.db.execute(delete(rate_limits).where(rate_limits.c.updated_at < cutoff))
        return result.rowcount or 0

    async def reset(self, user: str, policy: RatePolicy = COMMANDS) -> None:
        """Forget ``user``'s bucket for ``policy`` (a full bucket again)."""
        from sqlalchemy import delete

        from core.infra.tables import rate_limits

        await self.db.execute(delete(rate_limits).where(rate_limits.c.bucket_key == f"{policy.name}|{user}"))

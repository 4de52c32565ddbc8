"""Per-user flood control shared by every adapter and every worker: token buckets stored in the catalog database.

One rule, one place: Telegram commands/buttons/free text and Discord slash commands/buttons/mentions all ask
:meth:`RateLimiter.hit` before doing any work. The state is one row per (bucket, user) in the ``rate_limits``
table of the catalog's SQLite file, so two bot processes on the same database share it.

Behaviour of one bucket (:class:`RatePolicy`): a user holds up to ``burst`` tokens, one comes back every
``refill_s`` seconds; a request takes a token. When none is left the request is refused and the verdict says
whether to tell the user: only the **first** refusal after an accepted request gets a notice ("Slow down — try again
in 4 s"); later refusals are dropped silently until a request is accepted again, so a flood never turns into a
flood of notices. Other users are untouched (their rows are separate).

Every check is ONE ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement on the shared autocommit connection:
atomic in SQLite even across processes, and it needs no lock (it never waits behind a catalog import). The table
is created under the engine's write lock with one ``execute`` per statement (never ``executescript``, which would
commit another task's open transaction). A database error fails *open* (the request is allowed and the error
logged): flood control must never take the bot down.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS rate_limits (
        bucket_key TEXT PRIMARY KEY,
        tokens REAL NOT NULL,
        updated_at REAL NOT NULL,
        state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'notice', 'drop'))
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS rate_limits_age ON rate_limits(updated_at)",
)

# One statement: refill by elapsed time (capped at burst), take a token if one is whole, and classify a refusal as
# the first one since the last accepted request ('notice') or a later one ('drop'). SET expressions see the old row.
_HIT = """
INSERT INTO rate_limits (bucket_key, tokens, updated_at, state) VALUES (:key, :burst - 1, :now, 'ok')
ON CONFLICT(bucket_key) DO UPDATE SET
    tokens = CASE
        WHEN min(:burst, tokens + max(:now - updated_at, 0) / :refill) >= 1
        THEN min(:burst, tokens + max(:now - updated_at, 0) / :refill) - 1
        ELSE min(:burst, tokens + max(:now - updated_at, 0) / :refill) END,
    state = CASE
        WHEN min(:burst, tokens + max(:now - updated_at, 0) / :refill) >= 1 THEN 'ok'
        WHEN state = 'ok' THEN 'notice'
        ELSE 'drop' END,
    updated_at = :now
RETURNING tokens, state
"""

#: The same statement for PostgreSQL: two-argument min/max are LEAST/GREATEST, the old row's columns must be named
#: with the table (``tokens`` alone is ambiguous with ``excluded.tokens``), and the parameters need types.
_REFILLED_PG = (
    "LEAST(CAST(:burst AS double precision), rate_limits.tokens"
    " + GREATEST(CAST(:now AS double precision) - rate_limits.updated_at, 0) / CAST(:refill AS double precision))"
)
_HIT_PG = f"""
INSERT INTO rate_limits (bucket_key, tokens, updated_at, state)
VALUES (:key, CAST(:burst AS double precision) - 1, CAST(:now AS double precision), 'ok')
ON CONFLICT(bucket_key) DO UPDATE SET
    tokens = CASE WHEN {_REFILLED_PG} >= 1 THEN {_REFILLED_PG} - 1 ELSE {_REFILLED_PG} END,
    state = CASE WHEN {_REFILLED_PG} >= 1 THEN 'ok' WHEN rate_limits.state = 'ok' THEN 'notice' ELSE 'drop' END,
    updated_at = CAST(:now AS double precision)
RETURNING tokens, state
"""

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

    def notice(self) -> str:
        """The one short notice, plain text: ``"Slow down — try again in 4 s."``."""
        return f"Slow down — try again in {self.seconds} s."


ALLOWED = Verdict(True)


class RateLimiter:
    """Token buckets per (policy, user) in the catalog database.

    Args:
        db: a zero-argument callable returning the open aiosqlite connection (``lambda: engine.catalog.db``).
        lock: the engine's write lock (held only while creating the table).
        clock: wall-clock seconds (``time.time``; shared across processes, so not monotonic).
    """

    def __init__(self, db: Callable[[], Any], lock: asyncio.Lock | None = None, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._lock = lock or asyncio.Lock()
        self.clock = clock
        self._ready = False
        self._checks = 0

    async def setup(self) -> None:
        """Create the ``rate_limits`` table if needed (idempotent)."""
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                for statement in _SCHEMA:
                    await self._db().execute(statement)
                self._ready = True

    async def hit(self, user: str, policy: RatePolicy = COMMANDS) -> Verdict:
        """Count one request of ``user`` (a ``"platform:user_id"`` key) against ``policy``.

        Returns the :class:`Verdict`. Never raises for a database problem (fails open, logged).
        """
        try:
            await self.setup()
            now = self.clock()
            params = {"key": f"{policy.name}|{user}", "burst": float(policy.burst), "refill": policy.refill_s, "now": now}
            db = self._db()
            async with db.execute(_HIT_PG if getattr(db, "dialect", "sqlite") == "postgresql" else _HIT, params) as cur:
                row = await cur.fetchone()
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
        async with self._db().execute("DELETE FROM rate_limits WHERE updated_at < ?", (cutoff,)) as cur:
            return cur.rowcount or 0

    async def reset(self, user: str, policy: RatePolicy = COMMANDS) -> None:
        """Forget ``user``'s bucket for ``policy`` (a full bucket again)."""
        await self.setup()
        await self._db().execute("DELETE FROM rate_limits WHERE bucket_key=?", (f"{policy.name}|{user}",))

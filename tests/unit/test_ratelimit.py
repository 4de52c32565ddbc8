"""core.ratelimit: per-user token buckets in a real SQLite file, shared by two connections (two workers)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.infra.store_db import Database
from core.ratelimit import COMMANDS, RateLimiter, RatePolicy, Verdict


class Clock:
    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


async def _open(path: Path) -> Database:
    return await Database.open(str(path))  # WAL, busy timeout 5 s, migrated (the rate_limits table exists)


async def test_flood_gets_burst_then_one_notice_then_silence(tmp_path: Path) -> None:
    db = await _open(tmp_path / "r.db")
    clock = Clock()
    rl = RateLimiter(db, clock=clock)
    try:
        verdicts = [await rl.hit("telegram:1") for _ in range(30)]  # 30 at the same instant
        assert [v.allowed for v in verdicts[:5]] == [True] * 5
        refused = verdicts[5:]
        assert not any(v.allowed for v in refused)
        assert [v.notify for v in refused] == [True] + [False] * 24  # ONE notice
        assert refused[0].seconds == 2 and refused[0].notice() == "Slow down — try again in 2 s."
        # another user is served normally
        assert (await rl.hit("telegram:2")).allowed
        # after the refill time one request passes, and the next refusal notifies again
        clock.t += COMMANDS.refill_s
        assert (await rl.hit("telegram:1")).allowed
        again = await rl.hit("telegram:1")
        assert not again.allowed and again.notify
    finally:
        await db.close()


async def test_state_is_shared_between_two_connections(tmp_path: Path) -> None:
    """Two workers on the same database file see one bucket per user."""
    a, b = await _open(tmp_path / "r.db"), await _open(tmp_path / "r.db")
    clock = Clock()
    policy = RatePolicy("t", burst=4, refill_s=10.0)
    ra, rb = RateLimiter(a, clock=clock), RateLimiter(b, clock=clock)
    try:
        results = await asyncio.gather(*[(ra if i % 2 else rb).hit("discord:9", policy) for i in range(10)])
        assert sum(v.allowed for v in results) == 4
        assert sum(v.notify for v in results) == 1
    finally:
        await a.close()
        await b.close()


async def test_database_error_fails_open(tmp_path: Path) -> None:
    db = await _open(tmp_path / "r.db")
    rl = RateLimiter(db)
    try:
        await db.execute(text("DROP TABLE rate_limits"))  # every check now fails in the database
        assert await rl.hit("telegram:1") == Verdict(True)
    finally:
        await db.close()


async def test_prune_and_reset(tmp_path: Path) -> None:
    db = await _open(tmp_path / "r.db")
    clock = Clock()
    rl = RateLimiter(db, clock=clock)
    try:
        policy = RatePolicy("p", 1, 5.0)
        assert (await rl.hit("u", policy)).allowed
        assert not (await rl.hit("u", policy)).allowed
        await rl.reset("u", policy)
        assert (await rl.hit("u", policy)).allowed
        clock.t += 2 * 86400
        assert await rl.prune() == 1
    finally:
        await db.close()


def test_policy_validation() -> None:
    with pytest.raises(ValueError):
        RatePolicy("x", 0, 1.0)
    with pytest.raises(ValueError):
        RatePolicy("x", 1, 0.0)
    p = RatePolicy.per_window("chat", 6, 60.0)
    assert (p.burst, p.refill_s) == (6, 10.0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gaps=st.lists(st.floats(min_value=0.0, max_value=6.0, allow_nan=False), min_size=1, max_size=60),
    burst=st.integers(1, 6),
    refill=st.floats(min_value=0.5, max_value=5.0),
)
def test_bucket_bounds_and_one_notice_per_refusal_run(tmp_path: Path, gaps: list[float], burst: int, refill: float) -> None:
    """For any arrival pattern: accepted ≤ burst + elapsed / refill, and exactly one notice per run of refusals."""

    async def run() -> None:
        db = await _open(tmp_path / "prop.db")  # one file for every example: each uses its own user
        clock = Clock()
        rl = RateLimiter(db, clock=clock)
        policy = RatePolicy("prop", burst, refill)
        user = uuid.uuid4().hex
        start = clock.t
        verdicts: list[Verdict] = []
        try:
            for gap in gaps:
                clock.t += gap
                verdicts.append(await rl.hit(user, policy))
        finally:
            await db.close()
        elapsed = clock.t - start
        assert sum(v.allowed for v in verdicts) <= burst + elapsed / refill + 1e-6
        previous_allowed = True
        for v in verdicts:
            if not v.allowed:
                assert v.notify == previous_allowed  # first refusal of a run notifies, later ones are silent
                assert 0 < v.retry_after_s <= refill + 1e-6
            previous_allowed = v.allowed

    asyncio.run(run())

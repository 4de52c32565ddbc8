"""Benchmark: one free-text chat turn answered by the agent on the built-in local model.

What is timed: ``engine.app.chat.chat`` for a free-text message — conversation state load/save in SQLite, the Pydantic AI agent
run (two model steps: intent -> tool call, tool result -> validated output), the tool (text understanding +
recommender over the whole catalog), reply building and storing the turn. Not timed: ``import pydantic_ai`` (≈ 2.5 s,
reported separately), building the agent and the first turn (text-understanding fit), seeding.

The messages cycle through new requests and offline follow-ups ("less upbeat", "slower", "more like #3", "not that
artist", "only 90s"...); every cycle starts a new conversation so state does not grow without bound.

Run: ``uv run python -m benchmarks.agent_bench`` (seeds the shipped catalog into a temp dir first), or call
:func:`bench_agent_turn` (``musicbot bench`` reports its ``agent_turn_p50_ms``). Target: p50 ≤ 20 ms.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

MESSAGES = (
    "chill study music",
    "less upbeat",
    "more energetic",
    "slower",
    "more like #3",
    "not that artist",
    "only 90s",
    "upbeat 90s rock for the gym",
    "songs like Blinding Lights",
    "why #2",
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


async def bench_agent_turn_async(db_path: str | Path | None = None, turns: int = 200) -> dict[str, Any]:
    """Async version of :func:`bench_agent_turn` (for callers already inside an event loop's coroutine)."""
    from core.engine import Engine
    from core.models import Caller

    with tempfile.TemporaryDirectory(prefix="musicbot-agent-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        if db_path is not None and Path(db_path).exists():
            shutil.copy(db_path, db)  # never write conversation rows into the caller's database
        # a postgresql:// URL is used as given: `musicbot bench` passes its scratch database (core.infra.scratch)
        engine = await Engine.open(str(db_path) if "://" in str(db_path or "") else db)
        try:
            t0 = time.perf_counter()
            import pydantic_ai  # noqa: F401  (timed separately, excluded from the turn figures)

            import_s = time.perf_counter() - t0
            caller = Caller(user_id="bench", platform="bench")
            t0 = time.perf_counter()
            await engine.app.chat.chat("bench:warmup", caller, "chill study music")  # builds the agent, fits text understanding
            first_ms = (time.perf_counter() - t0) * 1000
            samples: list[float] = []
            fallbacks = 0
            cycle = 0
            while len(samples) < turns:
                cid = f"bench:{cycle}"
                for text in MESSAGES:
                    t0 = time.perf_counter()
                    reply = await engine.app.chat.chat(cid, caller, text)
                    samples.append((time.perf_counter() - t0) * 1000)
                    fallbacks += reply.fallback_used
                    if len(samples) >= turns:
                        break
                cycle += 1
            return {
                "agent_turn_p50_ms": round(statistics.median(samples), 2),
                "agent_turn_p90_ms": round(_percentile(samples, 0.9), 2),
                "agent_turn_min_ms": round(min(samples), 2),
                "agent_turn_n": len(samples),
                "agent_first_turn_ms": round(first_ms, 1),
                "agent_import_s": round(import_s, 3),
                "agent_catalog_tracks": len(engine.loaded.table),
                "agent_fallbacks": fallbacks,
            }
        finally:
            await engine.close()


def bench_agent_turn(db_path: str | Path | None = None, turns: int = 200) -> dict[str, Any]:
    """p50/p90 latency (ms) of one local-model agent turn through ``engine.app.chat.chat`` (import time excluded).

    Args:
        db_path: a seeded catalog to copy (default: seed the shipped catalog into a temporary directory).
        turns: number of timed turns.

    Returns:
        ``{"agent_turn_p50_ms", "agent_turn_p90_ms", "agent_turn_min_ms", "agent_turn_n", "agent_first_turn_ms",
        "agent_import_s", "agent_catalog_tracks", "agent_fallbacks"}``.

    Safe to call from inside a running event loop (it then runs on a worker thread with its own loop).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(bench_agent_turn_async(db_path, turns))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, bench_agent_turn_async(db_path, turns)).result()


if __name__ == "__main__":
    print(json.dumps(bench_agent_turn(), indent=2))

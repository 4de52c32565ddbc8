"""Per-operation cost of the small stores (rate limit, button state, conversation state, feedback, playlists).

Opens an engine on a small catalog (the shipped file's first 300 rows, SQLite file or ``--db postgresql://…``) and
times each store call N times in a row through the services on ``engine.app`` (so the same script measures any storage
implementation behind them). Reported: mean and p50 microseconds per call. Figures depend on the machine's load:
compare implementations within one session, never across machines.

Run: ``uv run python -m benchmarks.store_ops --n 300`` (``--pg`` starts a throwaway PostgreSQL and measures on it).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import tempfile
import time
from pathlib import Path

from core.catalog import SHIPPED_CATALOG
from core.engine import Engine
from core.models import Caller
from core.ratelimit import RatePolicy


async def _time(name: str, n: int, fn) -> tuple[str, float, float]:  # noqa: ANN001 - async callable(i)
    await fn(-1)  # warm-up (tables, prepared statements)
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        await fn(i)
        times.append((time.perf_counter() - t0) * 1e6)
    return name, statistics.fmean(times), statistics.median(times)


async def run(db: str, n: int) -> list[tuple[str, float, float]]:
    tmp = Path(tempfile.mkdtemp(prefix="store-ops-"))
    csv = tmp / "small.csv"
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8") as f:
        csv.write_text("".join(next(f) for _ in range(301)), encoding="utf-8")
    engine = await Engine.open(db or str(tmp / "ops.db"), seed_path=csv, cache=False)
    try:
        ids = list(engine.loaded.table.pos)[:50]
        policy = RatePolicy("bench", burst=1_000_000, refill_s=1.0)
        buttons = await engine.app.sessions.button_store()
        key = await buttons.put("bench", {"q": "x", "ids": ids[:10]}, 600.0)
        convs = await engine.app.sessions.conversation_store()
        state = await convs.load_state("bench:1")
        state.show_page(ids[:10], ["r"] * 10)
        caller = Caller(platform="bench", user_id="1")
        group = "bench:g"
        await engine.app.playlists.create(caller, group, "mix")

        async def rate(i: int) -> None:
            await engine.app.rate_limits.hit(f"bench:{i % 5}", policy)

        async def put(i: int) -> None:
            await buttons.put("bench", {"q": "x", "ids": ids[:10]}, 600.0)

        async def get(i: int) -> None:
            assert await buttons.get(key) is not None

        async def load(i: int) -> None:
            await convs.load_state("bench:1")

        async def save(i: int) -> None:
            await convs.save_state("bench:1", state)

        async def turn(i: int) -> None:
            await convs.append_turn("bench:1", '{"m": 1}', keep=10)

        async def like(i: int) -> None:
            await engine.app.feedback.record("bench:u", ids[i % 50], "like" if i % 2 else "dislike")

        async def add(i: int) -> None:
            await engine.app.playlists.add(caller, group, "mix", [ids[i % 50]])

        return [
            await _time("rate_limits.hit", n, rate),
            await _time("button_store.put", n, put),
            await _time("button_store.get", n, get),
            await _time("conversation.load_state", n, load),
            await _time("conversation.save_state", n, save),
            await _time("conversation.append_turn", n, turn),
            await _time("feedback.record", n, like),
            await _time("playlists.add (1 track)", n, add),
        ]
    finally:
        await engine.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default="", help="SQLite path or postgresql:// URL (default: a temp SQLite file)")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--pg", action="store_true", help="start a throwaway PostgreSQL (tests/pgserver.py) and use it")
    args = ap.parse_args()
    server = None
    if args.pg:
        from tests.pgserver import start_server

        server = start_server()
        if isinstance(server, str):
            raise SystemExit(server)
        args.db = server.create_database("ops")
    try:
        rows = asyncio.run(run(args.db, args.n))
    finally:
        if server is not None:
            server.stop()
    print(f"{'operation':28} {'mean µs':>9} {'p50 µs':>9}")
    for name, mean, p50 in rows:
        print(f"{name:28} {mean:9.0f} {p50:9.0f}")


if __name__ == "__main__":
    main()

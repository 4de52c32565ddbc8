"""Load test on loopback: Telegram webhook workers (real ``musicbot telegram`` processes) on one database, on SQLite
and on PostgreSQL in the same session.

A fake Bot API server (``tests/adapters/telegram/telegram_fake_api.py``) stands in for Telegram; this script plays
the load balancer, posting ``/recommend`` and ``/search`` updates round-robin to 1..N workers with a bounded
concurrency, and measures each message's latency from the POST to the bot's ``sendMessage`` for that chat.
Reported per backend and worker count: messages/s over the run, p50 / p95 latency (ms) and the machine's 1-minute
load average at the end of the run. Nothing leaves 127.0.0.1: preview lookups go to the fake Deezer / iTunes servers
of ``tests/fakes/music_apis.py`` (no previews, answered at once).

Run: ``uv run python -m benchmarks.load_webhook --backends sqlite postgresql --workers 1 2 --messages 120``
(``--db PATH`` reuses a seeded SQLite catalog; ``--pg-url postgresql://…`` uses that server, whose login may create
databases — otherwise a throwaway PostgreSQL server is started like the tests do (``tests/pgserver.py``) and
stopped at the end). Every run gets a fresh database: a copy of the seeded SQLite file, or a new PostgreSQL
database seeded from the shipped catalog (:mod:`core.infra.scratch`), so no cache is carried between runs.
Figures depend on the machine's load: compare within one run, never across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
URL = "https://bench.invalid/telegram"
REQUESTS = [
    "/recommend chill study music", "/recommend upbeat 80s workout", "/recommend sad acoustic songs",
    "/recommend songs for a rainy drive", "/search daft punk", "/recommend energetic rock 120 bpm",
    "/search love", "/recommend calm piano without vocals", "/recommend party hits from the 2000s",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fakes() -> tuple[Any, Any]:
    """The fake Bot API and the fake music APIs (test helpers, real HTTP servers on 127.0.0.1)."""
    sys.path.insert(0, str(ROOT / "tests" / "adapters" / "telegram"))
    from telegram_fake_api import FakeBotApi

    from tests.fakes.music_apis import FakeMusicApis

    return FakeBotApi(), FakeMusicApis()


async def _seeded(db: Path | None, tmp: Path) -> Path:
    from core.engine import Engine

    target = tmp / "load.db"
    if db is not None:
        shutil.copy(db, target)
    engine = await Engine.open(target)  # seeds the shipped catalog when new
    await engine.close()
    return target


async def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker on port {port} exited with status {proc.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.3)
    raise RuntimeError(f"worker on port {port} did not start within {timeout_s:.0f} s")


def _update(api: Any, update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    chat = api.chats.get(chat_id) or api.add_chat(chat_id)
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": chat, "from": api.user(chat_id), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}


async def run_workers(
    api: Any, db: Path | str, n: int, messages: int, concurrency: int, secret: str, music: tuple[str, str]
) -> dict[str, Any]:
    """Start ``n`` workers on ``db`` (a SQLite file or a ``postgresql://`` URL), send ``messages`` updates, stop
    them; the figures of that run. ``music``: the fake Deezer and iTunes base URLs."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
           "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1", "TELEGRAM_WEBHOOK_SECRET": secret, "LOG_LEVEL": "WARNING",
           "RATE_BURST": "100000", "DEEZER_API_BASE_URL": music[0], "ITUNES_API_BASE_URL": music[1]}
    ports = [_free_port() for _ in range(n)]
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "telegram", "--db", str(db), "--webhook-url", URL,
                               "--port", str(p)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for p in ports]
    try:
        for port, proc in zip(ports, procs):
            await _wait_port(port, proc)
        latencies: list[float] = []
        sem = asyncio.Semaphore(concurrency)
        base = 10_000_000 * n
        async with httpx.AsyncClient(timeout=30) as client:

            async def one(i: int) -> None:
                chat_id = base + i
                async with sem:
                    since = api.mark()
                    t0 = time.perf_counter()
                    r = await client.post(f"http://127.0.0.1:{ports[i % n]}/telegram",
                                          json=_update(api, base + i, chat_id, REQUESTS[(i // n) % len(REQUESTS)]),
                                          headers={"X-Telegram-Bot-Api-Secret-Token": secret})
                    r.raise_for_status()
                    await api.wait_for("sendMessage", since=since, chat_id=chat_id, timeout=120)
                    latencies.append(time.perf_counter() - t0)

            # warm-up: every request once on every worker (text understanding fitted, preview cache filled), so the
            # measured part is the steady state and the worker counts compare fairly
            warm = n * len(REQUESTS)
            await asyncio.gather(*(one(i) for i in range(warm)))
            latencies.clear()
            start = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(warm, warm + messages)))
            wall = time.perf_counter() - start
        latencies.sort()
        return {"workers": n, "messages": messages, "concurrency": concurrency,
                "messages_per_s": round(messages / wall, 1),
                "p50_ms": round(statistics.median(latencies) * 1000),
                "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000),
                "load_avg_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _seeded_pg(location: str) -> None:
    from core.engine import Engine

    engine = await Engine.open(location)  # seeds the shipped catalog into the new database
    await engine.close()


async def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Parse arguments, run each backend and worker count, print one JSON line per run."""
    from core.infra.scratch import scratch_database

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--messages", type=int, default=120)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    ap.add_argument("--db", type=Path, default=None, help="a seeded SQLite catalog to copy")
    ap.add_argument("--pg-url", default=None, help="a PostgreSQL server (default: start a throwaway one)")
    args = ap.parse_args(argv)
    api, music = _fakes()
    await api.start()
    await music.__aenter__()
    urls = (music.deezer.root, music.itunes.root)
    results = []
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="musicbot-load-") as tmp:
            for backend in args.backends:
                if backend == "sqlite":
                    db = await _seeded(args.db, Path(tmp))
                elif args.pg_url is None:
                    from tests.pgserver import start_server

                    server = start_server()
                    if isinstance(server, str):
                        raise SystemExit(f"cannot start PostgreSQL: {server} (or pass --pg-url)")
                for n in args.workers:
                    if backend == "sqlite":
                        run_db = Path(tmp) / f"run{n}.db"  # a fresh copy per run: no cache carried over
                        shutil.copy(db, run_db)
                        result = await run_workers(api, run_db, n, args.messages, args.concurrency,
                                                   "bench-secret-123", urls)
                    else:
                        base = args.pg_url or server.dsn()  # type: ignore[union-attr]
                        async with scratch_database(base, Path(tmp), f"load{n}") as url:
                            await _seeded_pg(url)
                            result = await run_workers(api, url, n, args.messages, args.concurrency,
                                                       "bench-secret-123", urls)
                    result = {"backend": backend, **result}
                    print(json.dumps(result), flush=True)
                    results.append(result)
    finally:
        if server is not None and not isinstance(server, str):
            server.stop()
        await music.__aexit__(None, None, None)
        await api.stop()
    return results


if __name__ == "__main__":
    asyncio.run(main())

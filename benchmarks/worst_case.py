"""Benchmark: worst-case CPU per chat message (issue 9 §4 "CPU per message").

Adversarial messages of up to 2,000 characters (the longest a Discord message can be; Telegram allows 4,096 but the
engine clips requests) — repeated connector words (" by ", " not ", " and ", " like ", " no ", " without "), one
letter repeated, many quotes, many ``#3`` references, commas / semicolons, long unicode (accents, CJK, emoji,
combining marks), artist names and follow-up phrases repeated — go through ``engine.app.chat.chat`` (conversation state, the
agent on the built-in local model, text understanding, recommender). Figures:

* ``worst_case_ms_per_message`` — the slowest message's wall time (ms; best of ``repeat`` runs, so other processes'
  load counts less), and which one (``worst_case_message``); ``worst_case_cpu_ms_per_message`` — the same in CPU
  time of this process (``time.process_time``); ``normal_message_ms`` — "chill study music" for comparison;
* ``worst_case_loop_block_ms`` — the longest the event loop was blocked while those messages were answered (a
  ticker task measures the gaps), i.e. how long *other* users would wait.

Run: ``uv run python -m benchmarks.worst_case`` or through ``musicbot bench``. Target: under ~50 ms per message.
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

MAX_CHARS = 2000


def _fill(unit: str, n: int = MAX_CHARS) -> str:
    return (unit * (n // max(1, len(unit)) + 1))[:n]


def adversarial_messages() -> dict[str, str]:
    """name -> message (each at most :data:`MAX_CHARS` characters)."""
    msgs = {f"repeat '{w.strip()}'": _fill(w) for w in (" by ", " not ", " and ", " like ", " no ", " without ")}
    msgs |= {
        "connectors mixed": _fill(" love by not queen and like no without "),
        "songs like X by Y": _fill("songs like love by adele and "),
        "not X, not Y": _fill("not drake, not adele, "),
        "one letter": "a" * MAX_CHARS,
        "one word": _fill("music "),
        "quotes": _fill('"love" '),
        "unbalanced quotes": _fill('"a '),
        "#3 refs": _fill("#3 "),
        "more like #3": _fill("more like #3 "),
        "commas": _fill(","),
        "semicolons": _fill("a;"),
        "pipes and dashes": _fill("x - y | "),
        "numbers": _fill("120 bpm 1990s 0.5 "),
        "accents": _fill("éàüñ "),
        "cjk": _fill("音楽の歌 "),
        "emoji": _fill("🎵🔥 "),
        "combining marks": _fill("a\u0301\u0308 "),
        "artist names": _fill("taylor swift drake queen daft punk "),
        "title words": _fill("love night dance heart baby "),
        "follow-ups": _fill("less upbeat slower only 90s not that artist "),
        "add chains": _fill("add love to road trip and "),
        "links": _fill("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=x "),
        "no spaces": _fill("bynotandlikenowithout"),
    }
    return msgs


async def bench_worst_case_async(db_path: str | Path | None = None, repeat: int = 2) -> dict[str, Any]:
    """Answer every adversarial message ``repeat`` times (fresh conversation each) on a copy of ``db_path``.

    Returns:
        ``worst_case_ms_per_message`` (max wall ms), ``worst_case_message`` (its name), ``worst_case_loop_block_ms``
        (longest event-loop stall, ms) and ``worst_case_per_message`` (name -> max ms).
    """
    from core.engine import Engine
    from core.models import Caller

    with tempfile.TemporaryDirectory(prefix="musicbot-worst-case-") as tmp:
        db = Path(tmp) / "bench.db"
        if db_path is not None and Path(db_path).exists():
            shutil.copy(db_path, db)
        # a postgresql:// URL is used as given: `musicbot bench` passes its scratch database (core.infra.scratch)
        engine = await Engine.open(str(db_path) if "://" in str(db_path or "") else db)
        try:
            for i, warm in enumerate(("chill study music", "songs like Blinding Lights", "more like #1")):
                await engine.app.chat.chat(f"bench:warmup{i}", Caller(), warm)  # fit text understanding, caches, agent
            gc.collect()
            gc.freeze()  # as the bots do after startup (bot.app.settle_heap): no full collection over the catalog
            gaps: list[float] = []
            stop = asyncio.Event()

            async def ticker() -> None:
                last = time.perf_counter()
                while not stop.is_set():
                    await asyncio.sleep(0.001)
                    now = time.perf_counter()
                    gaps.append((now - last) * 1000)
                    last = now

            tick = asyncio.create_task(ticker())
            per: dict[str, float] = {}
            cpu: dict[str, float] = {}
            messages = {"(normal) chill study music": "chill study music", **adversarial_messages()}
            for r in range(repeat):
                for i, (name, text) in enumerate(messages.items()):
                    t0, c0 = time.perf_counter(), time.process_time()
                    await engine.app.chat.chat(f"bench:worst:{r}:{i}", Caller(user_id=f"w{i}"), text)
                    per[name] = min(per.get(name, 1e12), (time.perf_counter() - t0) * 1000)
                    cpu[name] = min(cpu.get(name, 1e12), (time.process_time() - c0) * 1000)
            stop.set()
            await tick
        finally:
            gc.unfreeze()  # the caller's process (e.g. a test run) goes on collecting as before
            await engine.close()
    normal = "(normal) chill study music"
    worst = max((k for k in per if k != normal), key=per.__getitem__)
    worst_cpu = max((k for k in cpu if k != normal), key=cpu.__getitem__)
    return {
        "worst_case_ms_per_message": per[worst],
        "worst_case_message": worst,
        "worst_case_cpu_ms_per_message": cpu[worst_cpu],
        "worst_case_cpu_message": worst_cpu,
        "normal_message_ms": per[normal],
        "worst_case_loop_block_ms": max(gaps) if gaps else 0.0,
        "worst_case_per_message": {k: round(v, 1) for k, v in sorted(per.items(), key=lambda kv: -kv[1])},
        "worst_case_cpu_per_message": {k: round(v, 1) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
    }


def main() -> None:
    """Seed the shipped catalog into a temp dir and print the figures as JSON."""
    import json

    from core.catalog import SHIPPED_CATALOG, Catalog

    async def go() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "seed.db"
            catalog = await Catalog.open(db)
            await catalog.seed(SHIPPED_CATALOG)
            await catalog.close()
            return await bench_worst_case_async(db)

    print(json.dumps(asyncio.run(go()), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

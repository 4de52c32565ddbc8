"""``musicbot bench``: latency, seeding time and memory, with the seed design measured in the same run.

Figures (JSON keys):

* ``backend`` — ``sqlite`` or ``postgresql``: every figure that touches the database is measured on a scratch
  database of the configured backend (``--db`` / ``DATABASE_URL``; :mod:`core.infra.scratch`), never the catalog
  itself. The start-up figures time one-shot processes on copies of a SQLite file: SQLite only.
* ``seed_s`` — seeding the shipped catalog into a fresh database (one transaction; FTS rebuilt on SQLite, COPY +
  generated ``tsvector`` on PostgreSQL).
* ``recommend_p50_ms`` / ``recommend_p95_ms`` — one similar-songs recommendation in-process (the recommender:
  scoring, filters, dedupe, per-artist cap, reasons), 1 reference, 28k tracks.
* ``recommend_ranking_p50_ms`` — the same requests without reasons (scoring, filters, dedupe, cap: the recommender's
  own share; the reasons are :mod:`core.explain`'s); ``recommend_style0_p50_ms`` — with ``ScoreParams(style=0)`` (no
  style-vector term), same run, for the style term's cost; ``recommend_unpruned_ranking_p50_ms`` — the ranking with
  every track scored (``Recommender.PRUNE_ROUNDS = 0``: the same picks and floats), the same-run baseline of the
  pruned radio (``recommend_pruning_ratio`` = unpruned / ``recommend_ranking_p50_ms``; both after the first pass over
  the 200 seeds, which ``recommend_p50_ms`` includes: its first 200 of 1,000 requests meet each seed cold, the other
  800 find its pruning plan and its picks' reasons kept). ``recommend_cold_p50_ms`` / ``recommend_cold_p95_ms`` —
  ~200 other seeds, each asked once (nothing kept for them yet; the artist, label and track caches as a running bot
  has them).
* ``text_p50_ms`` / ``text_p95_ms`` — one text recommendation (local text understanding + recommender).
* ``engine_similar_p50_ms`` — the same through the application service (``engine.app.discovery.recommend_similar``) (reference resolution + Pydantic models).
* ``seed_refit_p50_ms`` — the seed design: MinMax scaling + ``NearestNeighbors`` fitted per request; ``speedup`` is
  its p50 over ``recommend_p50_ms``.
* ``recommend_p50_ms_1m`` / ``text_p50_ms_1m`` / ``ivf_recall_at_100_1m`` — the same on 1,000,000 synthetic tracks
  (features resampled from the catalog with noise; IVF index), recall measured against exact search.
* ``rss_mb`` — peak RSS of a fresh process that opens the engine on the shipped catalog and serves requests
  (similar, text, search, and two free-text chat turns through the agent).
* ``agent_turn_p50_ms`` — one free-text turn through the agent on the built-in local model (import excluded).
* ``worst_case_ms_per_message`` / ``worst_case_cpu_ms_per_message`` / ``worst_case_loop_block_ms`` — the slowest of
  ~30 adversarial 2,000-character messages through the chat use case (``engine.app.chat.chat``) (repeated connector words, one letter, quotes,
  ``#3``, commas, unicode…; see :mod:`benchmarks.worst_case`), target under ~50 ms.
* ``chart_import_ms`` / ``chart_first_draw_ms`` / ``chart_track_p50_ms`` / ``chart_set_p50_ms`` / ``chart_*_kb`` —
  pictures (:mod:`benchmarks.chart_bench`): matplotlib's import (first chart of a process only) and one chart, warm.
* ``startup_*``, ``chat_first_turn_ms``, ``telegram_ready_s``, ``discord_ready_s`` — start-up: one-shot commands as
  whole processes against a bare ``python -c "import numpy, sqlite3"`` in the same run (``startup_slash_ratio``
  target ≤ 4, ``startup_free_ratio`` ≤ 6), the first free-text turn of a running chat (≤ 200 ms), bots ready
  (≤ 1.5 s); see :mod:`benchmarks.startup_bench` (``--skip-startup`` leaves them out).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from core.catalog import SHIPPED_CATALOG, Catalog
from core.evaluation import SeedMethod
from core.models import Filters
from core.recommender import Recommender, ScoreParams
from core.table import TrackTable

TEXT_REQUESTS = [
    "chill study music",
    "upbeat 90s dance around 120 bpm",
    "sad songs in a minor key",
    "heavy rock for the gym",
    "latin party",
    "something for a rainy drive",
]


def timeit(fn: Callable[[], Any], repeat: int, warmup: int = 3) -> tuple[float, float]:
    """``(p50_ms, p95_ms)`` of ``fn`` over ``repeat`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def _cycle(items: list[Any]) -> Callable[[], Any]:
    state = {"i": 0}

    def nxt() -> Any:
        state["i"] = (state["i"] + 1) % len(items)
        return items[state["i"]]

    return nxt


def synthetic_table(base: TrackTable, n: int, seed: int = 7) -> TrackTable:
    """``n`` synthetic tracks: catalog feature rows resampled with Gaussian noise, ~n/5 artists, catalog years."""
    rng = np.random.default_rng(seed)
    live = base.alive_positions()
    src = rng.choice(live, size=n)
    feats = base.features[src].copy()
    spread = base.features[live].std(0)
    feats += rng.normal(size=feats.shape) * spread * 0.15
    for i, (lo, hi) in enumerate([(0, 1), (0, 1), (0, 11), (-60, 5), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (30, 250)]):
        feats[:, i] = np.clip(feats[:, i], lo, hi)
    feats[:, 2] = np.round(feats[:, 2])
    feats[:, 4] = np.round(feats[:, 4])
    table = TrackTable(capacity=n + 1024)
    table.n = n
    table.features[:n] = feats
    table.known[:n] = True  # every synthetic track has all eleven audio features
    table.has_features[:n] = True
    table.year[:n] = base.year[src]
    table.popularity[:n] = base.popularity[src]
    table.alive[:n] = True
    n_artists = max(1, n // 5)
    artist_of = rng.integers(0, n_artists, size=n)
    table.artist_names = [f"artist {a}" for a in range(n_artists)]
    table.artist_index = {name: a for a, name in enumerate(table.artist_names)}
    table.ids = [f"S{p:021d}" for p in range(n)]
    table.pos = {tid: p for p, tid in enumerate(table.ids)}
    table.titles = [f"Synthetic {p}" for p in range(n)]
    table.artists = [[table.artist_names[a]] for a in artist_of]
    table.albums = [""] * n
    table.release_dates = [""] * n
    table.durations = [0] * n
    table.norm_keys = [f"synthetic {p}|" for p in range(n)]
    table.artist_ids = [(int(a),) for a in artist_of]
    order = np.argsort(artist_of, kind="stable")
    bounds = np.searchsorted(artist_of[order], np.arange(n_artists + 1))
    for a in range(n_artists):
        table.artist_tracks[a] = set(order[bounds[a] : bounds[a + 1]].tolist())
    table.labels = [set() for _ in range(n)]
    table.sources = [set() for _ in range(n)]
    table.version += 1
    return table


_RSS_SCRIPT = """
import asyncio, sys
from core.engine import Engine
async def main():
    engine = await Engine.open(sys.argv[1])
    for ref in ("Blinding Lights", "Dance Monkey", "One More Time"):
        await engine.app.discovery.recommend_similar([ref])
    await engine.app.discovery.recommend_text("chill study music")
    await engine.app.discovery.search("daft punk")
    from core.models import Caller
    await engine.app.chat.chat("bench:rss", Caller(), "something for a rainy drive")  # the agent (pydantic_ai) too
    await engine.app.chat.chat("bench:rss", Caller(), "less upbeat")
    await engine.close()
    # VmHWM (peak resident set) of this process; ru_maxrss would include the parent's RSS inherited through fork
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(int(hwm.split()[1]) / 1024)
asyncio.run(main())
"""


async def run_bench(
    console: Console, as_json: bool, skip_1m: bool = False, startup: bool = True, startup_rounds: int = 7,
    database: str | None = None,
) -> dict[str, Any]:
    """Measure everything and print a table (or JSON). Returns the figures. ``startup``: also the start-up figures of
    :mod:`benchmarks.startup_bench` (whole processes, ``startup_rounds`` runs each: ratios to a bare
    ``python -c "import numpy, sqlite3"``, first free-text turn in a running chat, bots ready; SQLite only).
    ``database``: the configured database (``--db`` / ``DATABASE_URL``); every database figure is measured on a
    scratch database of its backend (:mod:`core.infra.scratch`), never on the catalog itself.

    Raises:
        InvalidInput: a PostgreSQL server that refuses to create the scratch database.
    """
    from core.infra.scratch import scratch_database

    figures: dict[str, Any] = {}
    async with contextlib.AsyncExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        db = await stack.enter_async_context(scratch_database(database, Path(tmp), "bench"))
        postgres = "://" in db
        figures["backend"] = "postgresql" if postgres else "sqlite"
        catalog = await Catalog.open(db)
        t0 = time.perf_counter()
        await catalog.seed(SHIPPED_CATALOG)
        figures["seed_s"] = time.perf_counter() - t0
        rows, labels = await catalog.all_rows(), await catalog.all_labels()
        if not postgres:
            await catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the sub-benchmarks copy the file
        await catalog.close()

        t0 = time.perf_counter()
        table = TrackTable.from_rows(rows, labels)
        rec = Recommender(table)
        figures["index_build_s"] = time.perf_counter() - t0
        rng = np.random.default_rng(0)
        refs = [int(p) for p in rng.choice(table.alive_positions(), size=200, replace=False)]
        next_ref = _cycle(refs)
        figures["recommend_p50_ms"], figures["recommend_p95_ms"] = timeit(lambda: rec.similar([next_ref()]), 1000)
        # songs not asked for before (their pruning plan and reasons not kept yet), each once
        seen = set(refs)
        fresh = [int(p) for p in np.random.default_rng(1).choice(table.alive_positions(), size=400, replace=False)
                 if int(p) not in seen][:200]
        next_fresh = _cycle(fresh)
        figures["recommend_cold_p50_ms"], figures["recommend_cold_p95_ms"] = timeit(
            lambda: rec.similar([next_fresh()]), len(fresh) - 3)
        # the same requests split: ranking alone (no reasons), and the ranking without the style term (same run)
        figures["recommend_ranking_p50_ms"], _ = timeit(lambda: rec.similar([next_ref()], with_reasons=False), 1000)
        no_style = Recommender(table, ScoreParams(style=0))
        figures["recommend_style0_p50_ms"], _ = timeit(lambda: no_style.similar([next_ref()]), 1000)
        rec.PRUNE_ROUNDS = 0  # every track scored: the same picks and floats as the pruned radio
        figures["recommend_unpruned_ranking_p50_ms"], _ = timeit(lambda: rec.similar([next_ref()], with_reasons=False), 1000)
        del rec.PRUNE_ROUNDS
        figures["recommend_pruning_ratio"] = figures["recommend_unpruned_ranking_p50_ms"] / figures["recommend_ranking_p50_ms"]

        from core.text import TextUnderstanding

        text = TextUnderstanding()
        text.fit(table)
        queries = [text.parse(q) for q in TEXT_REQUESTS]
        next_text = _cycle(TEXT_REQUESTS)
        next_query = _cycle(queries)
        figures["text_p50_ms"], figures["text_p95_ms"] = timeit(lambda: rec.from_text(text.parse(next_text())), 600)
        figures["text_rank_only_p50_ms"], _ = timeit(lambda: rec.from_text(next_query()), 600)

        seed = SeedMethod(table)
        figures["seed_refit_p50_ms"], figures["seed_refit_p95_ms"] = timeit(
            lambda: seed.recommend([next_ref()], refit=True), 40, warmup=2
        )
        figures["speedup"] = figures["seed_refit_p50_ms"] / figures["recommend_p50_ms"]

        from core.engine import Engine

        engine = Engine(await Catalog.open(db), table, rec)
        titles = [engine.app.tracks.label(p) for p in refs[:50]]
        times = []
        for i in range(300):
            t0 = time.perf_counter()
            await engine.app.discovery.recommend_similar([table.ids[refs[i % len(refs)]]])
            times.append((time.perf_counter() - t0) * 1000)
        figures["engine_similar_p50_ms"] = float(np.percentile(times, 50))
        times = []
        for i in range(100):
            t0 = time.perf_counter()
            await engine.app.discovery.recommend_similar([titles[i % len(titles)]])
            times.append((time.perf_counter() - t0) * 1000)
        figures["engine_similar_by_title_p50_ms"] = float(np.percentile(times, 50))
        await engine.close()

        out = subprocess.run(
            [sys.executable, "-c", _RSS_SCRIPT, str(db)], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        figures["rss_mb"] = float(out.stdout.strip().splitlines()[-1])

        from benchmarks.agent_bench import bench_agent_turn_async
        from benchmarks.worst_case import bench_worst_case_async

        figures.update(await bench_agent_turn_async(db_path=db))
        worst = await bench_worst_case_async(db_path=db)
        figures.update({k: v for k, v in worst.items() if not isinstance(v, dict)})

        from benchmarks.chart_bench import bench_charts

        figures.update(bench_charts(db))
        if startup and postgres:
            figures["startup_note"] = "start-up figures are measured on SQLite only (copies of a catalog file)"
        elif startup:
            from benchmarks.startup_bench import bench_startup

            figures.update(await asyncio.to_thread(bench_startup, db, startup_rounds))

    if not skip_1m:
        t0 = time.perf_counter()
        big = synthetic_table(table, 1_000_000)
        big_rec = Recommender(big)
        figures["index_build_s_1m"] = time.perf_counter() - t0
        big_refs = [int(p) for p in rng.choice(big.n, size=200, replace=False)]
        next_big = _cycle(big_refs)
        figures["recommend_p50_ms_1m"], figures["recommend_p95_ms_1m"] = timeit(
            lambda: big_rec.similar([next_big()], Filters()), 300
        )
        figures["text_p50_ms_1m"], _ = timeit(lambda: big_rec.from_text(next_query()), 300)
        recall = []
        for p in big_refs[:30]:
            q = big_rec.index.vectors[p]
            got = set(big_rec.index.search(q, k=100)[0].tolist())
            exact = np.argsort(big_rec.index.distances(q[None, :])[0])[:100]
            recall.append(len(got & set(exact.tolist())) / 100)
        figures["ivf_recall_at_100_1m"] = float(np.mean(recall))
    figures["process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items()}
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        out_table = Table(title="musicbot bench")
        out_table.add_column("figure")
        out_table.add_column("value", justify="right")
        for k, v in figures.items():
            out_table.add_row(k, f"{v:,.4g}" if isinstance(v, float) else str(v))
        console.print(out_table)
    return figures


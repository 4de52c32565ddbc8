"""Chart figures for ``musicbot bench`` (:mod:`core.charts`), measured in a fresh process so the import is real:

* ``chart_import_ms`` — importing matplotlib with the Agg backend and our fonts (:func:`core.charts._setup`), paid
  once per process, on the first chart only (never at start, never for a reply without a chart).
* ``chart_first_draw_ms`` — the first track chart of a process, import included (what the first ``/chart`` waits).
* ``chart_track_p50_ms`` / ``chart_track_p95_ms`` — one track's audio-feature chart to PNG bytes, warm.
* ``chart_set_p50_ms`` — a 10-track recommendation against its target, warm.
* ``chart_track_kb`` / ``chart_set_kb`` — PNG sizes (Telegram and Discord accept 10 MB).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

_SCRIPT = r"""
import asyncio, json, sys, time
from core.engine import Engine

async def main():
    engine = await Engine.open(sys.argv[1])
    rec = await engine.app.discovery.recommend_text("upbeat 128 bpm dance, energy 80%")
    table = engine.loaded.table
    tracks = [table.track(p) for p in range(0, table.n, max(1, table.n // 40))][:40]
    await engine.close()
    from core import charts
    t0 = time.perf_counter(); charts._setup(); imp = (time.perf_counter() - t0) * 1000
    charts._ready = False  # the first draw below pays setup again only for its cheap part (modules are imported)
    t0 = time.perf_counter(); png = charts.track_chart(tracks[0]); first = (time.perf_counter() - t0) * 1000
    times = []
    for t in tracks[1:31]:
        t0 = time.perf_counter(); png = charts.track_chart(t); times.append((time.perf_counter() - t0) * 1000)
    set_times = []
    for _ in range(10):
        t0 = time.perf_counter(); set_png = charts.recommendation_chart(rec); set_times.append((time.perf_counter() - t0) * 1000)
    times.sort(); set_times.sort()
    print(json.dumps({
        "chart_import_ms": imp, "chart_first_draw_ms": imp + first,
        "chart_track_p50_ms": times[len(times) // 2], "chart_track_p95_ms": times[int(len(times) * 0.95) - 1],
        "chart_set_p50_ms": set_times[len(set_times) // 2],
        "chart_track_kb": len(png) / 1024, "chart_set_kb": len(set_png) / 1024,
    }))

asyncio.run(main())
"""


def bench_charts(db_path: Path) -> dict[str, Any]:
    """Run the chart measurements in a fresh Python process on the catalog ``db_path``; returns the figures above."""
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(db_path)], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":  # python -m benchmarks.chart_bench DB
    print(json.dumps(bench_charts(Path(sys.argv[1])), indent=2))

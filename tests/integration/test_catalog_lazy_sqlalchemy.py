"""The SQLite catalog is on SQLAlchemy, but a start served from the start-up cache never imports SQLAlchemy's async
engine (``sqlalchemy.ext.asyncio`` pulls in ``sqlalchemy.orm``, ~0.4 s): opening, the seed check, the change counter
and the cached table run on the catalog's driver connection; the first real catalog query imports it.

Runs a fresh Python process per start (what a process imports is only visible there). No timings here."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from core.catalog import SHIPPED_CATALOG

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import asyncio, json, sys
from pathlib import Path
from core.engine import Engine

async def main(db, seed_path):
    engine = await Engine.open(db, seed_path=Path(seed_path))
    try:
        opened = "sqlalchemy.ext.asyncio" in sys.modules
        hits = await engine.catalog.search_ids("the")  # FTS5 through SQLAlchemy text()
        track = await engine.catalog.get(hits[0])
        print(json.dumps({"how": engine.loaded.table_source, "async_engine_at_open": opened,
                          "async_engine_after_query": "sqlalchemy.ext.asyncio" in sys.modules,
                          "found": track is not None and track.track_id == hits[0]}))
    finally:
        await engine.close()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def _start(db: Path, seed: Path, cache: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(ROOT), MUSICBOT_CACHE_DIR=str(cache))
    env.pop("MUSICBOT_CACHE", None)
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(db), str(seed)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_cached_start_imports_no_async_engine_until_the_first_query(tmp_path: Path) -> None:
    db, cache, small_csv = tmp_path / "m.db", tmp_path / "cache", tmp_path / "small.csv"
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8") as f:
        small_csv.write_text("".join(next(f) for _ in range(81)), encoding="utf-8")
    first = _start(db, small_csv, cache)  # seeds (a write: SQLAlchemy) and builds the table cache
    assert first["how"] == "built" and first["found"] and first["async_engine_at_open"]
    second = _start(db, small_csv, cache)
    assert second["how"] == "cache" and second["found"]
    assert not second["async_engine_at_open"] and second["async_engine_after_query"]

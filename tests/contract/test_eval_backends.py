"""The strict text benchmark (:mod:`core.text_eval`, the heart of ``musicbot eval --text``) runs on both backends
through the catalog port, with the same answers: a small catalog and a few requests, on SQLite files and on scratch
PostgreSQL databases (:mod:`core.infra.scratch`) made on the session's throwaway server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg

from core.catalog import Catalog
from core.engine import Engine
from core.infra.scratch import scratch_database
from core.text_eval import SHARED_REQUESTS, load_requests, run_text_benchmark


def _requests() -> dict[str, list[dict[str, Any]]]:
    shared = load_requests(SHARED_REQUESTS)
    return {"shared": shared[:3] + [r for r in shared if r.get("gap")][:1]}


async def _run(base: str | None, workdir: Path, small_csv: Path) -> tuple[dict[str, Any], list[str], tuple[int, int]]:
    """The benchmark on scratch databases of ``base``'s backend; also the scratch URLs/paths and the stripped copy's
    (tracks, labels) counts."""
    async with (scratch_database(base, workdir, "eval") as db, scratch_database(base, workdir, "stripped") as bare):
        catalog = await Catalog.open(db)
        try:
            await catalog.seed(small_csv)
        finally:
            await catalog.close()
        figures = await run_text_benchmark(db, bare, lambda p: Engine.open(p, seed=False), sets=_requests())
        copy = await Catalog.open(bare)
        try:
            counts = (await copy.count(), len(await copy.all_labels()))
        finally:
            await copy.close()
    return figures, [db, bare], counts


def test_text_benchmark_gives_the_same_figures_on_sqlite_and_postgres(pg_url: str, small_csv: Path,
                                                                      tmp_path: Path) -> None:
    lite, lite_dbs, lite_counts = asyncio.run(_run(None, tmp_path, small_csv))
    pg, pg_dbs, pg_counts = asyncio.run(_run(pg_url, tmp_path, small_csv))
    assert all("://" not in d for d in lite_dbs) and all(d.startswith("postgresql://") for d in pg_dbs)
    assert lite_counts == pg_counts and lite_counts[0] > 100 and lite_counts[1] == 0  # stripped: tracks, no labels
    products = [r for r in pg["results"] if r["method"] == "product"]
    assert {r["catalog"] for r in products} == {"shipped", "labels stripped"} and all(r["n"] == 4 for r in products)
    assert any(r["precision_at_10"] > 0 for r in products)  # real answers, not empty lists compared
    assert pg["results"] == lite["results"]  # same catalog, same requests: same answers on either backend
    assert pg["rows"] == lite["rows"]

    async def leftovers() -> list[str]:
        conn = await asyncpg.connect(pg_url)
        try:
            return [r[0] for r in await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE 'musicbot_scratch%'")]
        finally:
            await conn.close()

    assert asyncio.run(leftovers()) == []  # the scratch databases were dropped


def test_a_login_that_may_not_create_databases_gets_a_clear_error(pg_url: str, tmp_path: Path) -> None:
    import pytest

    from core.errors import InvalidInput

    async def go() -> str:
        conn = await asyncpg.connect(pg_url)
        try:
            await conn.execute("CREATE ROLE eval_reader LOGIN NOCREATEDB")
        finally:
            await conn.close()
        server, dbname = pg_url.split("@", 1)[1].split("/", 1)
        with pytest.raises(InvalidInput) as err:
            async with scratch_database(f"postgresql://eval_reader@{server}/{dbname}", tmp_path, "eval"):
                raise AssertionError("no scratch database may be made")
        return str(err.value)

    message = asyncio.run(go())
    assert "CREATEDB" in message and "eval_reader@" in message

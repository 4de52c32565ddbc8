"""``musicbot eval``: playlist continuation (seed method vs product) and the text benchmark, in one run.

The shipped catalog is seeded into a scratch database on the configured backend (``--db`` / ``DATABASE_URL``: a
temporary SQLite file, or a temporary database on the PostgreSQL server, :mod:`core.infra.scratch`), so the user's
catalog is never touched and the figures are always on the same data. See :mod:`core.evaluation` for the protocol.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from core.catalog import SHIPPED_CATALOG, Catalog
from core.evaluation import build_cases, evaluate, is_held_out, year_baselines
from core.models import AUDIO_FEATURES, NeedsClarification, TextQuery
from core.recommender import Recommender, ScoreParams
from core.table import FEATURE_INDEX, TrackTable

TEXT_BENCHMARK = Path(__file__).resolve().parent.parent / "data" / "text_benchmark.json"


def load_text_benchmark(path: Path = TEXT_BENCHMARK) -> list[dict[str, Any]]:
    """The text requests with what a good answer carries: ``{"text", "expect": {"labels": [...], "features": {...}}}``."""
    return json.loads(path.read_text(encoding="utf-8"))["requests"] if path.exists() else []


def good_track(table: TrackTable, pos: int, original: dict[int, set[str]], expect: dict[str, Any]) -> bool:
    """A recommended track is good when it carries an expected label (original labels) or fits every feature range."""
    labels = expect.get("labels") or []
    if labels and original.get(pos, set()) & set(labels):
        return True
    ranges = expect.get("features") or {}
    if ranges:
        f = table.features[pos]
        return all(lo <= float(f[FEATURE_INDEX[name]]) <= hi for name, (lo, hi) in ranges.items() if name in FEATURE_INDEX)
    return False


def text_precision(
    table: TrackTable, original: dict[int, set[str]], requests: list[dict[str, Any]], popularity_only: bool = False
) -> tuple[float, int, list[dict[str, Any]]]:
    """Label precision@10 of the local text understanding + recommender on ``table``.

    Returns ``(mean precision, clarifications, per-request rows)``; a clarification counts as precision 0.
    """
    from core.text import TextUnderstanding

    text = TextUnderstanding()
    text.fit(table)
    rec = Recommender(table)
    rows, clarifications = [], 0
    for item in requests:
        parsed = text.parse(item["text"])
        if isinstance(parsed, NeedsClarification):
            clarifications += 1
            rows.append({"text": item["text"], "precision": 0.0, "clarification": True})
            continue
        query = TextQuery(text=item["text"]) if popularity_only else parsed
        picked = [s.pos for s in rec.from_text(query, limit=10)]
        p = sum(good_track(table, pos, original, item["expect"]) for pos in picked) / 10
        rows.append({"text": item["text"], "precision": p, "clarification": False})
    mean = float(np.mean([r["precision"] for r in rows])) if rows else 0.0
    return mean, clarifications, rows


async def run_eval(console: Console, as_json: bool, database: str | None = None) -> dict[str, Any]:
    """Run every benchmark and print a table (or JSON). Returns the figures. ``database``: the configured database
    (``--db`` / ``DATABASE_URL``); the catalog is seeded into a scratch database on its backend (SQLite if None).

    Raises:
        InvalidInput: a PostgreSQL server that refuses to create the scratch database.
    """
    from core.infra.scratch import scratch_database

    with tempfile.TemporaryDirectory() as tmp:
        async with scratch_database(database, Path(tmp), "eval") as location:
            catalog = await Catalog.open(location)
            try:
                await catalog.seed(SHIPPED_CATALOG)
                rows = await catalog.all_rows()
                labels = await catalog.all_labels()
            finally:
                await catalog.close()
    started = time.perf_counter()
    held = {s for *_, s in labels if s and is_held_out(s)}
    visible = [lab for lab in labels if lab[3] not in held]
    no_genres = [lab for lab in visible if lab[1] not in ("genre", "subgenre")]
    seen = TrackTable.from_rows(rows, visible)
    playlist_results = evaluate(
        seen, labels, hidden=TrackTable.from_rows(rows, no_genres), bare=TrackTable.from_rows(rows, []),
        # the product as it ranked before the style term (core/style.py), for a before/after in one run
        extra_methods={"product without the style term": ScoreParams(style=0.0)},
    )
    baselines = year_baselines(build_cases(labels, seen), seen)

    full = TrackTable.from_rows(rows, labels)
    original = {p: {f"{full.label_names[l][0]}:{full.label_names[l][1]}" for l in full.labels[p]} for p in range(full.n)}
    requests = load_text_benchmark()
    text_rows: dict[str, Any] = {}
    if requests:
        stripped = TrackTable.from_rows(rows, [])
        for name, table, pop in (
            ("shipped catalog", full, False),
            ("labels stripped", stripped, False),
            ("popularity only (baseline)", full, True),
        ):
            mean, clar, per = text_precision(table, original, requests, popularity_only=pop)
            text_rows[name] = {"label_precision_at_10": mean, "clarifications": clar, "requests": per}
    figures = {
        "held_out_playlists": len(held),
        "playlist_continuation": [asdict(r) for r in playlist_results],
        "same_year_baselines": baselines,
        "text_benchmark": {k: {kk: vv for kk, vv in v.items() if kk != "requests"} for k, v in text_rows.items()},
        "text_requests": len(requests),
        "seconds": round(time.perf_counter() - started, 1),
        "backend": "postgresql" if "://" in location else "sqlite",
    }
    if as_json:
        print(json.dumps(figures, indent=2))
        return figures
    table = Table(
        title=f"Similar tracks — {playlist_results[0].cases} held-out playlists: 5 seeds → 10 picks (P@10, agr.), "
        "and one-seed radios (the rest)",
        caption="genre agr. hidden = on a copy without genre/subgenre labels; no labels = without any label; "
        "same year = share of other artists' picks with the seed's original year (target ≤ 0.45)",
    )
    for col in (
        "method",
        "P@10",
        "genre agr.@10",
        "subgenre agr.@10",
        "radio genre agr.",
        "genre agr. hidden",
        "genre agr. no labels",
        "same year",
        "max/artist",
    ):
        table.add_column(col, justify="left" if col == "method" else "right")
    for r in playlist_results:
        e = r.extra
        table.add_row(
            r.method,
            f"{r.precision_at_10:.3f}",
            f"{r.genre_agreement_at_10:.3f}",
            f"{r.subgenre_agreement_at_10:.3f}",
            f"{e.get('genre_agreement', 0):.3f}",
            f"{e.get('hidden_genre_agreement', 0):.3f}",
            f"{e.get('bare_genre_agreement', 0):.3f}",
            f"{e.get('same_year_share', 0):.3f}",
            f"{max(r.max_per_artist, int(e.get('max_per_artist', 0)))}",
        )
    for name, key in (("real playlists (baseline)", "real_playlists_same_year_share"),
                      ("random pairs (baseline)", "random_pairs_same_year_share")):
        table.add_row(f"[dim]{name}[/dim]", "", "", "", "", "", "", f"{baselines[key]:.3f}", "")
    console.print(table)
    if text_rows:
        t2 = Table(title=f"Text benchmark — {len(requests)} requests, label precision@10")
        t2.add_column("catalog")
        t2.add_column("precision@10", justify="right")
        t2.add_column("clarifications", justify="right")
        for name, v in text_rows.items():
            t2.add_row(name, f"{v['label_precision_at_10']:.3f}", str(v["clarifications"]))
        console.print(t2)
        worst = sorted(text_rows["shipped catalog"]["requests"], key=lambda r: r["precision"])[:5]
        console.print("Weakest requests: " + "; ".join(f"{r['text']!r} {r['precision']:.1f}" for r in worst))
    console.print(f"[dim]{figures['seconds']} s; features: {', '.join(AUDIO_FEATURES)}[/dim]")
    return figures


async def run_text_eval(console: Console, as_json: bool, database: str | None = None) -> dict[str, Any]:
    """``musicbot eval --text``: the strict text benchmark (:mod:`core.text_eval`) on a freshly seeded shipped
    catalog and on a label-stripped copy, with the random and popularity baselines, in one run. Prints one table
    (or JSON with every request's row) and returns the figures. ``database``: as in :func:`run_eval` (both
    catalogs are scratch databases on its backend)."""
    from core.engine import Engine
    from core.infra.scratch import scratch_database
    from core.text_eval import run_text_benchmark

    with tempfile.TemporaryDirectory() as tmp:
        async with (scratch_database(database, Path(tmp), "eval") as db,
                    scratch_database(database, Path(tmp), "eval_stripped") as stripped):
            catalog = await Catalog.open(db)
            try:
                await catalog.seed(SHIPPED_CATALOG)
            finally:
                await catalog.close()
            figures = await run_text_benchmark(db, stripped, lambda p: Engine.open(p, seed=False))
        figures["backend"] = "postgresql" if "://" in db else "sqlite"
    if as_json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return figures
    table = Table(title="Strict text benchmark — hit = labels AND features AND years AND not excluded; pass = p@10 ≥ 0.5 "
                  "+ gap stated / ≤ 2 anchor tracks / conflict named")
    for col in ("requests", "method", "catalog", "n", "p@10", "pass", "gap stated", "anchor ≤2", "non-en pass",
                "clarif."):
        table.add_column(col, justify="left" if col in ("requests", "method", "catalog") else "right")

    def fmt(v: Any) -> str:
        return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    for r in figures["results"]:
        table.add_row(r["requests"], r["method"], r["catalog"], str(r["n"]), fmt(r["precision_at_10"]),
                      fmt(r["pass_rate"]), fmt(r["gap_stated"]), fmt(r["anchor_within_cap"]),
                      fmt(r["non_english_pass"]), str(r["clarifications"]))
    console.print(table)
    kinds = Table(title="Pass rate by kind (product)")
    names = sorted({k for r in figures["results"] for k in r["by_kind"]})
    kinds.add_column("requests / catalog")
    for k in names:
        kinds.add_column(k, justify="right")
    for r in figures["results"]:
        if r["method"] == "product":
            kinds.add_row(f"{r['requests']} / {r['catalog']}", *(fmt(r["by_kind"].get(k)) for k in names))
    console.print(kinds)
    console.print(f"[dim]{figures['seconds']} s[/dim]")
    return figures

"""Playlists on a real SQLite file: concurrency (one shared connection, and two engines on one file), limits under
contention, persistence, interleaving with catalog writes, and recommend-from-playlist on the shipped catalog."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from core.engine import Engine
from core.errors import LimitReached
from core.models import Caller, Role
from core.playlists import PlaylistLimits, PlaylistService, SqlitePlaylistStore
from tests.fakes.music_apis import write_small_catalog

G = "telegram:-1001"
OWNER = Caller(user_id="owner", platform="telegram")


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_catalog(tmp_path_factory.mktemp("cat") / "small.csv", n_tracks=600)


@pytest.fixture
async def file_engine(tmp_path: Path, small_csv: Path) -> AsyncIterator[Engine]:
    eng = await Engine.open(tmp_path / "bot.db", seed_path=small_csv)
    try:
        yield eng
    finally:
        await eng.close()


def distinct_ids(engine: Engine, n: int) -> list[str]:
    out, keys = [], set()
    for p in engine.loaded.table.alive_positions():
        key = engine.loaded.table.norm_keys[int(p)]
        if key not in keys:
            keys.add(key)
            out.append(engine.loaded.table.ids[int(p)])
        if len(out) == n:
            return out
    raise AssertionError("catalog too small")


async def count_rows(engine: Engine, playlist_id: int) -> int:
    result = await engine.database.execute(
        text("SELECT count(*) FROM playlist_tracks WHERE playlist_id=:p"), {"p": playlist_id}
    )
    return int(result.scalar_one())


async def test_50_concurrent_writers_lose_nothing(file_engine: Engine) -> None:
    p = await file_engine.app.playlists.create(OWNER, G, "Party")
    tracks = distinct_ids(file_engine, 50)
    writers = [Caller(user_id=f"u{i}", platform="telegram") for i in range(50)]
    started = time.perf_counter()
    results = await asyncio.gather(
        *(file_engine.app.playlists.add(w, G, "Party", t) for w, t in zip(writers, tracks, strict=True))
    )
    elapsed = time.perf_counter() - started
    assert all(len(r.added) == 1 for r in results)
    assert await count_rows(file_engine, p.playlist_id) == 50
    export = await file_engine.app.playlists.export(G, "party")
    assert sorted(export.track_ids) == sorted(tracks)
    shown = await file_engine.app.playlists.show(G, "Party", per_page=50)
    assert {e.added_by for e in shown.entries} == {f"telegram:u{i}" for i in range(50)}
    print(f"\n50 concurrent adds (one unit of work each): {elapsed * 1000:.0f} ms")


async def test_50_concurrent_duplicate_adds_store_one_row(file_engine: Engine) -> None:
    p = await file_engine.app.playlists.create(OWNER, G, "Dup")
    tid = distinct_ids(file_engine, 1)[0]
    results = await asyncio.gather(*(file_engine.app.playlists.add(OWNER, G, "Dup", tid) for _ in range(50)))
    assert sum(len(r.added) for r in results) == 1
    assert sum(len(r.already) for r in results) == 49
    assert all("already in" in r.message for r in results if not r.added)
    assert await count_rows(file_engine, p.playlist_id) == 1


async def test_limit_holds_under_contention(file_engine: Engine) -> None:
    store = SqlitePlaylistStore(file_engine.database)
    svc = PlaylistService(file_engine.app.discovery, store, PlaylistLimits(tracks_per_playlist=20, playlists_per_group=10))
    p = await svc.create(OWNER, G, "Capped")
    tracks = distinct_ids(file_engine, 50)
    results = await asyncio.gather(*(svc.add(OWNER, G, "Capped", t) for t in tracks), return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, LimitReached)]
    assert (len(ok), len(refused)) == (20, 30)
    assert "limit of 20" in str(refused[0])
    assert await count_rows(file_engine, p.playlist_id) == 20
    created = await asyncio.gather(
        *(svc.create(OWNER, "console:cap", f"P{i}") for i in range(30)), return_exceptions=True
    )
    assert sum(not isinstance(c, BaseException) for c in created) == 10
    assert len(await svc.list("console:cap")) == 10


async def test_two_engines_on_one_file(tmp_path: Path, small_csv: Path) -> None:
    path = tmp_path / "shared.db"
    a = await Engine.open(path, seed_path=small_csv)
    b = await Engine.open(path, seed_path=small_csv)
    try:
        p = await a.app.playlists.create(OWNER, G, "Shared")
        tracks = distinct_ids(a, 50)
        jobs = [
            (a if i % 2 else b).app.playlists.add(Caller(user_id=f"u{i}"), G, "Shared", t) for i, t in enumerate(tracks)
        ]
        jobs += [
            b.app.playlists.add(OWNER, G, "Shared", t) for t in tracks[:10]
        ]  # racing duplicates from the other process
        await asyncio.gather(*jobs)
        assert await count_rows(a, p.playlist_id) == 50
        assert (await b.app.playlists.get(G, "shared")).track_count == 50
        assert sorted((await b.app.playlists.export(G, "Shared")).track_ids) == sorted(tracks)
    finally:
        await a.close()
        await b.close()


async def test_playlist_writes_interleave_with_catalog_writes(file_engine: Engine) -> None:
    admin = Caller(user_id="root", role=Role.ADMIN)
    await file_engine.app.playlists.create(OWNER, G, "Busy")
    tracks = distinct_ids(file_engine, 30)
    edits = [file_engine.app.admin.edit_song(admin, t, {"popularity": 42}) for t in tracks[:10]]
    adds = [file_engine.app.playlists.add(OWNER, G, "Busy", t) for t in tracks]
    likes = [file_engine.app.personal.like(Caller(user_id=f"u{i}"), t) for i, t in enumerate(tracks[10:20])]
    await asyncio.gather(*edits, *adds, *likes)  # no "cannot start a transaction within a transaction"
    assert (await file_engine.app.playlists.get(G, "Busy")).track_count == 30
    assert file_engine.loaded.table.track(file_engine.loaded.table.pos[tracks[0]]).popularity == 42


async def test_playlists_persist_across_restarts(tmp_path: Path, small_csv: Path) -> None:
    path = tmp_path / "persist.db"
    eng = await Engine.open(path, seed_path=small_csv)
    tracks = distinct_ids(eng, 3)
    await eng.app.playlists.create(OWNER, G, "Keep")
    await eng.app.playlists.add(OWNER, G, "Keep", tracks)
    await eng.close()
    eng = await Engine.open(path, seed_path=small_csv)
    try:
        assert (await eng.app.playlists.export(G, "keep")).track_ids == tracks
    finally:
        await eng.close()


# ---------------------------------------------------------------------------------------------------- shipped catalog
def _mean_pairwise(engine: Engine, positions: list[int]) -> float:
    v = engine.loaded.recommender.index.vectors[positions].astype(np.float64)
    d = ((v[:, None, :] - v[None, :, :]) ** 2).sum(-1)
    return float(d[np.triu_indices(len(positions), 1)].mean())


async def test_recommend_from_playlist_on_shipped_catalog(engine: Engine) -> None:
    t = engine.loaded.table
    lid = t.label_index[("subgenre", "neo soul")]
    members = sorted(t.label_tracks[lid], key=lambda p: -int(t.popularity[p]))
    seen, refs = set(), []
    for p in members:
        if t.norm_keys[p] not in seen:
            seen.add(t.norm_keys[p])
            refs.append(p)
        if len(refs) == 30:
            break
    await engine.app.playlists.create(OWNER, G, "Neo Soul")
    await engine.app.playlists.add(OWNER, G, "Neo Soul", [t.ids[p] for p in refs])
    started = time.perf_counter()
    rec = await engine.app.playlists.recommend(OWNER, G, "Neo Soul", limit=10)
    took = time.perf_counter() - started
    got = [t.pos[r.track.track_id] for r in rec.tracks]
    assert len(got) == 10 and not set(got) & set(refs)
    assert not {t.norm_keys[p] for p in got} & {t.norm_keys[p] for p in refs}
    same_genre = sum(bool(t.labels[p] & {lid, t.label_index[("genre", "r&b")]}) for p in got)
    assert same_genre >= 7, [engine.app.tracks.label(p) for p in got]
    plain = [s.pos for s in engine.loaded.recommender.similar(refs, limit=10)]
    div_mmr, div_plain = _mean_pairwise(engine, got), _mean_pairwise(engine, plain)
    assert div_mmr >= div_plain * 0.95
    print(
        f"\nplaylist recommend (30 refs): {took * 1000:.0f} ms; r&b/neo soul {same_genre}/10; "
        f"mean pairwise sq. distance MMR {div_mmr:.2f} vs plain {div_plain:.2f}"
    )


async def test_recommend_from_full_500_track_playlist(engine: Engine) -> None:
    t = engine.loaded.table
    refs = distinct_ids(engine, 500)
    await engine.app.playlists.create(OWNER, G, "Big")
    for i in range(0, 500, 100):  # at most 100 references per call
        await engine.app.playlists.add(OWNER, G, "Big", refs[i : i + 100])
    with pytest.raises(LimitReached, match="500/500"):
        await engine.app.playlists.add(OWNER, G, "Big", distinct_ids(engine, 501)[-1])
    with pytest.raises(LimitReached, match="at most 100"):
        await engine.app.playlists.add(OWNER, G, "Big", refs[:101])
    rec = await engine.app.playlists.recommend(OWNER, G, "Big", limit=10)
    assert len(rec.tracks) == 10 and not {r.track.track_id for r in rec.tracks} & set(refs)
    assert all(0 <= t.pos[r.track.track_id] < len(t) for r in rec.tracks)

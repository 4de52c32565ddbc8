"""Build tests/data/pre_sqlalchemy_0003.db with the code of commit 31d4c37 (Alembic head 0003; the SQLite catalog
still on raw aiosqlite): 40 tracks, one admin edit, one added and one deleted track, a conversation, a like,
a playlist. Run from a checkout of that commit: ``python tests/data/make_pre_sqlalchemy.py OUT.db``."""
import asyncio, gzip, sys
from pathlib import Path
from core.catalog import SHIPPED_CATALOG
from core.engine import Engine
from core.models import AUDIO_FEATURES, Caller, Role

out = Path(sys.argv[1])
src = out.with_suffix(".csv")
with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8") as f:
    lines = [next(f) for _ in range(41)]
src.write_text("".join(lines), encoding="utf-8")
ADMIN = Caller(user_id="admin", platform="test", role=Role.ADMIN)
USER = Caller(user_id="u1", platform="test", role=Role.USER)


async def main():
    eng = await Engine.open(out, seed_path=src, cache=False)
    try:
        first, second = eng.loaded.table.track(0), eng.loaded.table.track(1)
        await eng.app.admin.edit_song(ADMIN, first.track_id, {"tempo": 123.5, "genres": ["legacy-genre"]})
        added = {**{f: getattr(first, f) for f in AUDIO_FEATURES}, "track_id": "4uLU6hMCjMI75M1A2tKUQC",
                 "title": "Legacy Added", "artists": ["Old Code"]}
        await eng.app.admin.add_song(ADMIN, added)
        await eng.app.admin.delete_song(ADMIN, second.track_id)
        await eng.app.chat.chat("test:c1", USER, "something chill")
        await eng.app.personal.like(USER, first.track_id)
        await eng.app.playlists.create(USER, "test:g1", "Road trip")
        await eng.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        async with eng.catalog.db.execute("SELECT seq, track_id, op FROM catalog_changes ORDER BY seq") as cur:
            print([tuple(r) for r in await cur.fetchall()])
        print(first.track_id, second.track_id)
    finally:
        await eng.close()
    src.unlink()

asyncio.run(main())

"""Build tests/data/legacy_v2.db with the code of commit 515b3e0 (schema 2, every table made lazily)."""
import asyncio, gzip, sys
from pathlib import Path
from core.catalog import SHIPPED_CATALOG
from core.engine import Engine
from core.models import Caller, Role
from adapters.discord.store import open_store

out = Path(sys.argv[1])
src = Path("/tmp/pg/small.csv")
with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8") as f:
    lines = [next(f) for _ in range(41)]
src.write_text("".join(lines), encoding="utf-8")

async def main():
    eng = await Engine.open(out, seed_path=src)
    try:
        await body(eng)
    finally:
        await eng.close()

async def body(eng):
    user = Caller(user_id="u1", platform="test", role=Role.USER)
    first = eng.loaded.table.track(0)
    await eng.app.chat.chat("test:c1", user, "something chill")
    await eng.app.personal.like(user, first.track_id)
    await eng.app.rate_limits.hit("test:u1")
    await eng.app.previews.setup()
    await eng.app.playlists.create(user, "test:g1", "Road trip")
    st = await open_store(str(out)); await st.close()
    await eng.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    async with eng.catalog.db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1") as cur:
        print([r[0] for r in await cur.fetchall()])

asyncio.run(main())

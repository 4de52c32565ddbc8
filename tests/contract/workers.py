"""Worker processes for the multi-process tests (run as ``python -m tests.contract.workers …``).

* ``edit DB TRACK FIELD VALUE GO_FILE``: open an engine, wait until ``GO_FILE`` exists (all workers start editing
  together), then ``edit_song`` one field as an admin; prints ``done``.
* ``follow DB TRACK FIELD VALUE NEW_ID GONE_ID``: open an engine that follows catalog changes, print ``ready``, then
  watch the in-memory table until TRACK's FIELD equals VALUE, NEW_ID is present (and in the KNN index's neighbours
  of itself) and GONE_ID is absent; prints ``seen`` (or ``timeout`` after 60 s, a bound, not a speed check).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from core.engine import Engine
from core.models import Caller, Role

ADMIN = Caller(user_id="admin", platform="test", role=Role.ADMIN)


async def edit(db: str, track_id: str, field: str, value: str, go_file: str) -> None:
    engine = await Engine.open(db, seed=False)
    try:
        print("ready", flush=True)
        while not os.path.exists(go_file):
            await asyncio.sleep(0.005)
        number = float(value) if "." in value else int(value)
        await engine.app.admin.edit_song(ADMIN, track_id, {field: number})
        print("done", flush=True)
    finally:
        await engine.close()


async def follow(db: str, track_id: str, field: str, value: str, new_id: str, gone_id: str) -> None:
    engine = await Engine.open(db, seed=False, follow=True)
    try:
        print("ready", flush=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            table = engine.loaded.table
            pos = table.pos.get(track_id)
            current = getattr(table.track(pos), field) if pos is not None else None
            if current == float(value) and new_id in table.pos and gone_id not in table.pos:
                similar = await engine.app.discovery.recommend_similar([new_id])  # the KNN index holds the new track
                print("seen", len(similar.tracks), flush=True)
                return
            await asyncio.sleep(0.02)
        print("timeout", current, new_id in engine.loaded.table.pos, gone_id in engine.loaded.table.pos, flush=True)
    finally:
        await engine.close()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    asyncio.run({"edit": edit, "follow": follow}[command](*args))

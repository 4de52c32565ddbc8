"""Change propagation: every worker's in-memory :class:`~core.table.TrackTable` and KNN index follow catalog writes
made by other processes, incrementally, within about a second.

Each catalog write appends to the ``catalog_changes`` log in its own transaction (``upsert``/``delete`` with the
track id, ``reload`` for a bulk import). A :class:`CatalogFollower` applies the log rows after the last ``seq`` it
saw: an ``upsert`` re-reads that one track from the database (so a field-level edit arrives with every other field
as stored), a ``delete`` drops it, a ``reload`` (or more than :data:`MAX_INCREMENTAL` rows at once) rebuilds the
table and index. Applying a change twice is harmless, so the follower also replays this process's own writes.

When to look:

* SQLite: ``PRAGMA data_version`` every :data:`POLL_S` seconds — one call on the open connection that reads no
  table and changes only when ANOTHER connection committed (https://www.sqlite.org/pragma.html#pragma_data_version);
* PostgreSQL: ``LISTEN`` on :data:`core.infra.pg_catalog.CHANNEL` over a dedicated asyncpg connection (writers
  ``NOTIFY`` in the write's transaction), plus a check every :data:`FALLBACK_S` seconds in case a notification was
  lost with a dropped connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.app.ports import ChangeLog, LiveCatalogUpdates

log = logging.getLogger(__name__)

#: SQLite poll period, seconds (a ``PRAGMA data_version`` costs ~10 µs; 4 per second is nothing).
POLL_S = 0.25
#: PostgreSQL: check the log this often even without a notification, seconds.
FALLBACK_S = 2.0
#: More pending track changes than this rebuild the table and index instead of applying them one by one.
MAX_INCREMENTAL = 2000


class CatalogFollower:
    """Keeps one process's table and KNN index in step with the catalog's change log.

    Args:
        catalog: the stored catalog (:class:`core.catalog.Catalog` or :class:`core.infra.pg_catalog.PgCatalog`): its
            change log, its tracks, and (SQLite) ``data_version`` / (PostgreSQL) ``target`` to know when to look.
        loaded: the in-memory catalog to update (:class:`core.app.loaded.LoadedCatalog`).
        lock: the catalog write lock, so a catch-up never interleaves with this process's own writes.
        seq: the change-log position ``loaded`` reflects (read BEFORE the table was loaded).
    """

    def __init__(self, catalog: ChangeLog, loaded: LiveCatalogUpdates, lock: asyncio.Lock, seq: int) -> None:
        self.catalog: Any = catalog
        self.loaded = loaded
        self.lock = lock
        self.seq = seq
        self.applied = 0  # changes applied so far (for tests and diagnostics)
        self.reloads = 0
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._listener: Any = None

    async def catch_up(self) -> int:
        """Apply every change-log row after :attr:`seq`; returns how many rows were read."""
        catalog, loaded = self.catalog, self.loaded
        async with self.lock:  # never interleave with this process's own writes
            rows = await catalog.changes_since(self.seq, MAX_INCREMENTAL + 1)
            if not rows:
                return 0
            if len(rows) > MAX_INCREMENTAL or any(op == "reload" for _, _, op in rows):
                target = await catalog.change_version()
                await loaded.reload(catalog)
                self.seq = max(target, rows[-1][0])
                self.reloads += 1
                return len(rows)
            latest: dict[str, str] = {}
            for _, track_id, op in rows:
                latest[track_id] = op
            for track_id, op in latest.items():
                track = None if op == "delete" else await catalog.get(track_id)
                if track is None:
                    loaded.apply_delete(track_id, refit=False)
                else:
                    loaded.apply_upsert(track, refit=False)
            loaded.text_changed()  # once for the whole batch
            self.seq = rows[-1][0]
            self.applied += len(rows)
            return len(rows)

    async def start(self) -> None:
        """Start following in the background (idempotent)."""
        if self._task is not None:
            return
        target = getattr(self.catalog, "target", None)
        if target is not None and target.is_postgres:
            await self._listen(target.dsn)
            self._task = asyncio.create_task(self._run_postgres(), name="catalog-follower")
        else:
            self._task = asyncio.create_task(self._run_sqlite(), name="catalog-follower")

    async def stop(self) -> None:
        """Stop following and close the listening connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None

    async def _run_sqlite(self) -> None:
        catalog = self.catalog
        seen = await catalog.data_version()
        while True:
            await asyncio.sleep(POLL_S)
            try:
                now = await catalog.data_version()
                if now != seen:
                    seen = now
                    await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:  # a busy or vanished file: try again next period, never kill the bot
                log.warning("could not follow catalog changes", exc_info=True)

    async def _listen(self, dsn: str) -> None:
        import asyncpg

        from core.infra.pg_catalog import CHANNEL

        try:
            self._listener = await asyncpg.connect(dsn)
            await self._listener.add_listener(CHANNEL, lambda *_: self._wake.set())
        except Exception:  # the periodic check still follows changes
            log.warning("LISTEN failed; following catalog changes every %.0f s", FALLBACK_S, exc_info=True)
            self._listener = None

    async def _run_postgres(self) -> None:
        target = self.catalog.target
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), FALLBACK_S)
            self._wake.clear()
            try:
                if self._listener is None or self._listener.is_closed():
                    await self._listen(target.dsn)
                await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("could not follow catalog changes", exc_info=True)

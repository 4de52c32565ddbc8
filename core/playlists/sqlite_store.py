"""Playlists in the catalog database: :class:`SqlitePlaylistStore`, the SQL implementation of
:class:`~core.playlists.store.PlaylistStore` on SQLite or PostgreSQL (SQLAlchemy Core on the shared
:class:`core.infra.store_db.Database`). Every write is one unit of work (:mod:`core.infra.uow`): the checks
(playlist count, name taken, track limit) and the writes they allow commit together, and a concurrent write to the
same group or playlist — on any worker — waits for it (``BEGIN IMMEDIATE`` on SQLite; an advisory lock on the group
or ``SELECT … FOR UPDATE`` of the playlist row on PostgreSQL).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import delete, func, insert, literal_column, select, update

from core.infra.tables import playlist_tracks, playlists
from core.playlists.store import AddOutcome, EntryRow, PlaylistRow, plan_add

if TYPE_CHECKING:
    from core.infra.store_db import Database

_P, _T = playlists.c, playlist_tracks.c
_COUNT = (
    select(func.count()).select_from(playlist_tracks).where(_T.playlist_id == _P.id).scalar_subquery()
)
_SELECT = select(_P.id, _P.group_id, _P.name, _P.created_by, _P.created_at, _P.updated_at, _COUNT)


def _row(row: Any) -> PlaylistRow:
    return PlaylistRow(int(row[0]), *row[1:6], int(row[6]))


class SqlitePlaylistStore:
    """Playlists in the catalog database (tables from the migrations; no foreign key to ``tracks``).

    Args:
        db: the shared :class:`core.infra.store_db.Database` (``engine.database``).
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    async def setup(self) -> None:
        """Nothing to do: the tables come from the migrations (part of the :class:`PlaylistStore` port)."""

    async def _one(self, stmt: Any) -> PlaylistRow | None:
        row = (await self.db.execute(stmt)).first()
        return _row(row) if row else None

    async def create(
        self, group_id: str, name: str, key: str, created_by: str, max_per_group: int
    ) -> PlaylistRow | str:
        now = time.time()
        async with self.db.uow() as uow:
            await uow.lock("playlists", group_id)  # the count and the name check hold until the insert commits
            count = (await uow.execute(
                select(func.count()).select_from(playlists).where(_P.group_id == group_id)
            )).scalar_one()
            if count >= max_per_group:
                return "full"
            if (await uow.execute(select(_P.id).where(_P.group_id == group_id, _P.name_key == key))).first():
                return "exists"
            new_id = (await uow.execute(
                insert(playlists).values(group_id=group_id, name=name, name_key=key, created_by=created_by,
                                         created_at=now, updated_at=now).returning(_P.id)
            )).scalar_one()
            await uow.commit()
            return PlaylistRow(int(new_id), group_id, name, created_by, now, now, 0)

    async def get(self, group_id: str, playlist_id: int) -> PlaylistRow | None:
        return await self._one(_SELECT.where(_P.group_id == group_id, _P.id == playlist_id))

    async def find(self, group_id: str, key: str) -> PlaylistRow | None:
        return await self._one(_SELECT.where(_P.group_id == group_id, _P.name_key == key))

    async def list(self, group_id: str) -> list[PlaylistRow]:
        rows = (await self.db.execute(_SELECT.where(_P.group_id == group_id).order_by(_P.name_key))).all()
        return [_row(r) for r in rows]

    async def add_tracks(
        self, playlist_id: int, track_ids: Sequence[str], added_by: str, max_tracks: int
    ) -> AddOutcome:
        now = time.time()
        async with self.db.uow() as uow:
            if not (await uow.execute(select(_P.id).where(_P.id == playlist_id).with_for_update())).first():
                return AddOutcome("missing")
            present = {r[0] for r in await uow.execute(select(_T.track_id).where(_T.playlist_id == playlist_id))}
            out = plan_add(present, track_ids, max_tracks)
            if out.status == "ok" and out.added:
                await uow.execute(insert(playlist_tracks), [
                    {"playlist_id": playlist_id, "track_id": t, "added_by": added_by, "added_at": now} for t in out.added
                ])
                await uow.execute(update(playlists).where(_P.id == playlist_id).values(updated_at=now))
                await uow.commit()
            return out

    async def remove_tracks(self, playlist_id: int, track_ids: Sequence[str]) -> list[str]:
        removed: list[str] = []
        async with self.db.uow() as uow:
            for t in dict.fromkeys(track_ids):
                result = await uow.execute(
                    delete(playlist_tracks).where(_T.playlist_id == playlist_id, _T.track_id == t)
                )
                if result.rowcount:
                    removed.append(t)
            if removed:
                await uow.execute(update(playlists).where(_P.id == playlist_id).values(updated_at=time.time()))
            await uow.commit()
        return removed

    async def entries(self, playlist_id: int, offset: int = 0, limit: int | None = None) -> list[EntryRow]:
        # insertion order: SQLite's rowid; PostgreSQL has none: time added, then physical order
        order = [literal_column("rowid")] if self.db.dialect == "sqlite" else [_T.added_at, literal_column("ctid")]
        stmt = (select(_T.track_id, _T.added_by, _T.added_at).where(_T.playlist_id == playlist_id)
                .order_by(*order).limit(limit).offset(offset))
        return [EntryRow(*r) for r in (await self.db.execute(stmt)).all()]

    async def rename(self, playlist_id: int, name: str, key: str) -> Literal["ok", "exists", "missing"]:
        async with self.db.uow() as uow:
            row = (await uow.execute(select(_P.group_id).where(_P.id == playlist_id))).first()
            if row is None:
                return "missing"
            await uow.lock("playlists", row[0])  # the same lock as create: a name is checked and taken atomically
            taken = select(_P.id).where(_P.group_id == row[0], _P.name_key == key, _P.id != playlist_id)
            if (await uow.execute(taken)).first():
                return "exists"
            await uow.execute(
                update(playlists).where(_P.id == playlist_id).values(name=name, name_key=key, updated_at=time.time())
            )
            await uow.commit()
            return "ok"

    async def delete(self, playlist_id: int) -> bool:
        async with self.db.uow() as uow:
            await uow.execute(delete(playlist_tracks).where(_T.playlist_id == playlist_id))
            result = await uow.execute(delete(playlists).where(_P.id == playlist_id))
            await uow.commit()
            return result.rowcount > 0

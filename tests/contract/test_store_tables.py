"""core/infra/tables.py describes the tables the migrations make: same columns, primary keys and nullability on
both backends (a migration that changes a catalog or store table must change the metadata too)."""

from __future__ import annotations

from sqlalchemy import inspect

from core.engine import Engine
from core.infra.tables import BACKEND_ONLY_COLUMNS, metadata


async def test_metadata_matches_the_migrated_schema(engine: Engine) -> None:
    def reflect(sync_conn):  # noqa: ANN001, ANN202 - a SQLAlchemy Connection
        insp = inspect(sync_conn)
        return {
            name: ({c["name"]: c["nullable"] for c in insp.get_columns(name)},
                   set(insp.get_pk_constraint(name)["constrained_columns"]))
            for name in metadata.tables
        }

    async with engine.database.connect() as conn:
        migrated = await conn.run_sync(reflect)
    for name, table in metadata.tables.items():
        columns, pk = migrated[name]
        columns = {k: v for k, v in columns.items() if k not in BACKEND_ONLY_COLUMNS.get(name, ())}
        assert set(columns) == {c.name for c in table.columns}, name
        # primary-key columns: SQLite reflects ``TEXT PRIMARY KEY`` as nullable (its legacy rule); the others match
        assert {c.name: c.nullable for c in table.columns if not c.primary_key} == {
            k: v for k, v in columns.items() if k not in pk}, name
        assert {c.name for c in table.primary_key.columns} == pk, name

"""The catalog change log: one row per track written or deleted, and one ``reload`` row per bulk import.

Every catalog write appends here in the same transaction (``core.catalog`` / ``core.infra.pg_catalog``); each worker
applies the rows after the last ``seq`` it saw to its in-memory table and KNN index (``core.infra.changes``). ``seq``
is the catalog's change counter (``Catalog.change_version()``).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(
            """CREATE TABLE catalog_changes (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            track_id TEXT NOT NULL DEFAULT '',
            op TEXT NOT NULL CHECK (op IN ('upsert', 'delete', 'reload')),
            at DOUBLE PRECISION NOT NULL DEFAULT extract(epoch FROM clock_timestamp()))"""
        )
    else:
        bind.exec_driver_sql(
            """CREATE TABLE IF NOT EXISTS catalog_changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            track_id TEXT NOT NULL DEFAULT '',
            op TEXT NOT NULL CHECK (op IN ('upsert', 'delete', 'reload')),
            at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0))"""
        )


def downgrade() -> None:
    op.get_bind().exec_driver_sql("DROP TABLE catalog_changes")

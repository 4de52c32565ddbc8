"""Shared state of the workers: inline-keyboard / component button state (``core.buttons``) and conversation leases
(``core.leases``: one turn of a conversation at a time across processes).

On SQLite the stores also create these tables lazily (``CREATE TABLE IF NOT EXISTS``), so databases opened by
older code keep working; on PostgreSQL the schema belongs to the migrations.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    real = "DOUBLE PRECISION" if bind.dialect.name == "postgresql" else "REAL"
    bind.exec_driver_sql(
        f"""CREATE TABLE IF NOT EXISTS button_state (
        key TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        state_json TEXT NOT NULL,
        expires_at {real} NOT NULL)"""
    )
    bind.exec_driver_sql("CREATE INDEX IF NOT EXISTS button_state_expires ON button_state(expires_at)")
    bind.exec_driver_sql(
        f"""CREATE TABLE IF NOT EXISTS conversation_leases (
        key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at {real} NOT NULL)"""
    )


def downgrade() -> None:
    bind = op.get_bind()
    bind.exec_driver_sql("DROP TABLE button_state")
    bind.exec_driver_sql("DROP TABLE conversation_leases")

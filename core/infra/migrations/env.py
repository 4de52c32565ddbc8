"""Alembic environment: migrations run on the connection the application passes in
(``config.attributes["connection"]``, see :mod:`core.infra.migrate`), or — from the ``alembic`` command line — on
``-x db=URL`` / ``DATABASE_URL`` (a SQLite path or a postgresql:// URL)."""

from __future__ import annotations

import asyncio
import os

from alembic import context


def _run(connection) -> None:  # noqa: ANN001 - a SQLAlchemy Connection
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_from_command_line() -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    from core.infra.database import parse_database

    target = parse_database(context.get_x_argument(as_dictionary=True).get("db") or os.environ["DATABASE_URL"])

    async def go() -> None:
        engine = create_async_engine(target.sqlalchemy_url())
        try:
            async with engine.connect() as conn:
                await conn.run_sync(_run)
                await conn.commit()
        finally:
            await engine.dispose()

    asyncio.run(go())


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    _run_from_command_line()

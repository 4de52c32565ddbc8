"""Small real catalogs for tests: a CSV imported into a new, empty catalog database (no shipped tracks).

Integration tests of ranking write a CSV of a few hundred or thousand rows (their own layout), then build a database
from it with :func:`build_imported` (opened, imported, closed: the path, for module fixtures) or open it with
:func:`open_imported` (the engine, for one test; the caller closes it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.engine import Engine
from core.models import Caller


async def open_imported(db: Path, csv_path: Path, caller: Caller, **options: Any) -> Engine:
    """A new catalog at ``db`` (not seeded) with ``csv_path`` imported by ``caller`` (an admin); ``options`` go to
    ``engine.app.admin.import_catalog`` (``replace``, ``map_pairs``, …). The engine is closed if the import raises."""
    engine = await Engine.open(db, seed=False)
    try:
        await engine.app.admin.import_catalog(caller, csv_path, **options)
    except BaseException:
        await engine.close()
        raise
    return engine


async def build_imported(db: Path, csv_path: Path, caller: Caller, **options: Any) -> Path:
    """:func:`open_imported`, closed again: the database path, ready for other engines to open."""
    engine = await open_imported(db, csv_path, caller, **options)
    await engine.close()
    return db

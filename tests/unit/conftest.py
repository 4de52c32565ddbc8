"""Fixtures shared by the text-understanding unit tests: the shipped catalog's rows, read once, and a
:class:`~core.text.TextUnderstanding` fitted on them once per session (fitting takes ~1 s)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.catalog import Catalog
from core.table import TrackTable
from core.text import TextUnderstanding


async def _rows(path: Path) -> tuple[list, list]:
    cat = await Catalog.open(path)
    try:
        return await cat.all_rows(), await cat.all_labels()
    finally:
        await cat.close()


@pytest.fixture(scope="session")
def shipped_rows(shipped_db: Path) -> tuple[list, list]:
    """``(rows, labels)`` of the seeded shipped catalog, as :meth:`TrackTable.from_rows` takes them."""
    return asyncio.run(_rows(shipped_db))


@pytest.fixture(scope="session")
def tu(shipped_rows: tuple[list, list]) -> TextUnderstanding:
    """Text understanding fitted on the shipped catalog (read-only: tests only parse)."""
    t = TextUnderstanding()
    t.fit(TrackTable.from_rows(*shipped_rows))
    return t

"""Fixtures shared by the text-understanding unit tests: the shipped catalog's rows, read once, a
:class:`~core.text.TextUnderstanding` fitted on them once per session (fitting takes ~1 s), and one fitted on a
catalog without labels (:func:`bare`); :func:`parse_query` parses a request that must come out as a query."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.catalog import Catalog
from core.models import TextQuery
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


@pytest.fixture(scope="session")
def bare() -> TextUnderstanding:
    """Text understanding fitted on a catalog without labels (no tracks at all: only shipped knowledge — mood
    prototypes and the style model). Read-only: tests only parse."""
    t = TextUnderstanding()
    t.fit(TrackTable())
    return t


def parse_query(tu: TextUnderstanding, text: str) -> TextQuery:
    """``tu.parse(text)``, asserting it is a :class:`TextQuery` (not a clarification question)."""
    q = tu.parse(text)
    assert isinstance(q, TextQuery), text
    return q

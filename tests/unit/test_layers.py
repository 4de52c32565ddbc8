"""Adapters use the application layer only: no reaching into the engine's internals by attribute.

Imports are checked by import-linter (``[tool.importlinter]`` in pyproject.toml, run by ``.ci/run``); an attribute
such as ``engine.table`` needs no import, so this test reads the adapters' source for them.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Engine internals an adapter must not touch (ask core.lookup.CatalogLookup or an engine method instead).
INTERNALS = re.compile(r"\bengine\.(table|catalog|text|refs|recommender|_\w+)\b")


def test_adapters_do_not_reach_into_engine_internals() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "adapters").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INTERNALS.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_the_pattern_catches_what_it_should() -> None:
    assert INTERNALS.search("pos = self.engine.table.pos.get(x)")
    assert INTERNALS.search("await engine.catalog.search_ids(q)")
    assert not INTERNALS.search("await engine.search(q)") and not INTERNALS.search("engine.text_query()")

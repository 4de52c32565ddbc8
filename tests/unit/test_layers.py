"""Adapters use the application layer only: no reaching into the engine's internals by attribute.

Imports are checked by import-linter (``[tool.importlinter]`` in pyproject.toml, run by ``.ci/run``; adapters do not
import ``core.engine`` at all); an attribute such as ``services.tracks.table`` needs no import, so this test reads the
adapters' source for them.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Internals an adapter must not touch (ask core.lookup.CatalogLookup or an application service instead): the engine's,
#: or the live parts behind a service (``services.tracks.table``, ``services.discovery.search_port``…).
INTERNALS = re.compile(
    r"\bengine\.(table|catalog|text|refs|recommender|_\w+)\b"
    r"|\.(tracks|discovery|admin|personal|sessions)\.(table|catalog|text|refs|recommender|loaded|search_port|_\w+)\b"
)
#: An adapter holding the engine (a parameter, attribute or variable named ``engine``): it gets ``AppServices``.
HOLDS_ENGINE = re.compile(r"\.engine\b(?!\.py)|\bengine\s*(=|:)\s")


def test_adapters_do_not_reach_into_engine_internals() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "adapters").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INTERNALS.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_adapters_hold_the_application_services_not_the_engine() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "adapters").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HOLDS_ENGINE.search(line.split("#", 1)[0]) and "core.engine" not in line
    ]
    assert offenders == []


def test_the_pattern_catches_what_it_should() -> None:
    assert INTERNALS.search("pos = self.engine.table.pos.get(x)")
    assert INTERNALS.search("await engine.catalog.search_ids(q)")
    assert not INTERNALS.search("await engine.search(q)") and not INTERNALS.search("engine.text_query()")
    assert INTERNALS.search("t = services.tracks.table.track(0)")
    assert INTERNALS.search("ids = await self.services.discovery.search_port.search_ids(q)")
    assert not INTERNALS.search("await services.discovery.search(q)")
    assert HOLDS_ENGINE.search("self.engine = engine") and HOLDS_ENGINE.search("    engine: Engine,")
    assert HOLDS_ENGINE.search("await bot.engine.chat(x)") and not HOLDS_ENGINE.search("services = await open_engine()")

"""Adapters use the application layer only: no reaching into the engine's internals by attribute; the engine is only
the composition root.

Imports are checked by import-linter (``[tool.importlinter]`` in pyproject.toml, run by ``.ci/run``; adapters do not
import ``core.engine`` at all); an attribute such as ``services.tracks.table`` needs no import, so this test reads the
adapters' source for them. The engine's own surface is checked here too: use cases live on ``engine.app``
(:class:`core.app.services.AppServices`), never as methods of :class:`core.engine.Engine`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from core.app.services import AppServices
from core.engine import Engine
from tests.fakes.music_apis import write_small_catalog

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


# ---------------------------------------------------------------------------------------------- the composition root
#: Everything public on :class:`core.engine.Engine`: its lifecycle, the services it wires (``app``) and the parts it
#: built. A use case belongs on a core.app service reached through ``engine.app``, never here.
ENGINE_SURFACE = frozenset({"open", "follow_changes", "close", "app", "catalog", "database", "conversation_db", "loaded",
                            "catalog_seq"})
#: ``engine.<name>`` in bot/ and benchmarks/ (the CLI one-shots, scripts run in subprocesses included).
ENGINE_ATTRIBUTE = re.compile(r"(?<![\w.])engine\.(\w+)")


def _public_names_in_engine_source() -> set[str]:
    """Public methods and class attributes of ``class Engine`` and the public ``self.x = …`` it assigns (read from the
    source, so a delegate added on any path is seen even if no test constructs it that way)."""
    tree = ast.parse((ROOT / "core" / "engine.py").read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Engine")
    names: set[str] = set()
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    for node in ast.walk(cls):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(
            t.attr for t in targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
        )
    return {n for n in names if not n.startswith("_")}


def test_the_engine_class_has_no_use_case_methods() -> None:
    extra = _public_names_in_engine_source() - ENGINE_SURFACE
    assert not extra, f"Engine is the composition root only; put {sorted(extra)} on a core.app service (engine.app)"
    assert {n for n in dir(Engine) if not n.startswith("_")} == {"open", "follow_changes", "close"}


async def test_an_open_engine_exposes_only_the_composition_root(tmp_path: Path) -> None:
    csv = write_small_catalog(tmp_path / "small.csv", n_tracks=40)
    engine = await Engine.open(tmp_path / "layers.db", seed_path=csv, cache=False)
    try:
        public = {n for n in dir(engine) if not n.startswith("_")}
        assert public == ENGINE_SURFACE
        assert isinstance(engine.app, AppServices) and engine.app.chat.app is engine.app
        # the use cases are reached through the services, and they run on what the engine opened
        rec = await engine.app.discovery.recommend_similar([engine.loaded.table.ids[0]])
        assert rec.tracks and engine.loaded.table.ids[0] not in {t.track.track_id for t in rec.tracks}
        for gone in ("search", "recommend_text", "chat", "add_song", "table", "playlists", "conversation_store"):
            assert not hasattr(engine, gone), gone
    finally:
        await engine.close()


def test_bot_and_benchmarks_call_the_services_on_engine_app() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in ("bot", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for m in ENGINE_ATTRIBUTE.finditer(line.split("#", 1)[0])
        if m.group(1) not in ENGINE_SURFACE and m.group(1) != "Engine"  # ``core.engine.Engine`` in a docstring
    ]
    assert offenders == []


def test_nothing_in_core_imports_the_composition_root() -> None:
    """Only bot/ (and benchmarks, tests) open the engine; core modules, type-only imports included, never name it."""
    offenders = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        if path == ROOT / "core" / "engine.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno}" for m in mods if m == "core.engine"]
    assert offenders == []


def test_the_engine_patterns_catch_what_they_should() -> None:
    assert [m.group(1) for m in ENGINE_ATTRIBUTE.finditer("await engine.recommend_text(x); engine.app.chat")] == [
        "recommend_text", "app"]
    assert not ENGINE_ATTRIBUTE.search("from core.engine import Engine") and not ENGINE_ATTRIBUTE.search("my_engine.x")

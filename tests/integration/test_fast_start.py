"""Fast start: one-shot commands import only what their path uses, and no third-party banner reaches the console.

Each case runs ``musicbot`` in a fresh Python process (the only honest way to see what a command imports) on a real
copy of the shipped catalog. No timings here: speed is measured by ``musicbot bench`` (startup figures).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Libraries only some paths need: platforms, LLM SDKs, the agent framework, heavy numerics, HTTP.
WATCHED = ("discord", "telegram", "pydantic_ai", "openai", "google.genai", "sklearn", "pandas", "scipy", "httpx",
           "wordllama", "requests", "matplotlib", "fastapi", "uvicorn", "aiohttp",
           # a one-shot command follows no catalog changes (bot.app.build_engine(follow=False)): it ends in a second
           "core.infra.changes")

_PROBE = """
import atexit, json, sys
watched = json.loads(sys.argv[1])
out = sys.argv[2]
def report():
    loaded = sorted(m for m in watched if m in sys.modules)
    moves = sys.modules.get("core.moves")
    if moves is not None and any(m.pattern._compiled is not None for m in moves.MOVES):
        loaded.append("compiled move patterns")  # core.moves.LazyPattern: compiled only by a message that reads them
    with open(out, "w") as fh:
        json.dump(loaded, fh)
atexit.register(report)
sys.argv = ["musicbot"] + sys.argv[3:]
from bot.cli import main
main()
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY",
                                                             "DATABASE_URL")}
    env.update(COLUMNS="200", **extra)
    return env


def _banner_env() -> dict[str, str]:
    """An environment where pydantic-ai would show its banner: a coding agent reading the pipe (``AI_AGENT``), not
    CI, not a pytest run (pydantic-ai reads ``PYTEST_VERSION``), not switched off by environment."""
    env = _env(AI_AGENT="1")
    for key in ("CI", "PYDANTIC_AI_NO_BANNER", "PYTEST_VERSION", "PYTEST_CURRENT_TEST"):
        env.pop(key, None)
    return env


def _imported(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, watched: tuple[str, ...] = WATCHED
) -> tuple[list[str], str]:
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(watched), str(out), *args],
        cwd=tmp_path, env=env or _env(), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(out.read_text()), proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("message", "allowed"),
    [
        ("/recommend chill study music", set()),
        ("/search daft punk", set()),
        ("/song One More Time", set()),
        ("/help", set()),
        ("/similar Blinding Lights - The Weeknd", {"scipy"}),  # the artist graph (built on first use)
    ],
)
def test_slash_commands_import_no_platform_llm_or_agent_library(
    db_copy: Path, tmp_path: Path, message: str, allowed: set[str]
) -> None:
    loaded, output = _imported(tmp_path, "ask", message, "--db", str(db_copy))
    assert set(loaded) <= allowed, f"{message!r} imported {loaded}"
    assert output.strip()  # it did answer


def test_free_text_on_the_local_model_imports_no_platform_llm_sdk_or_agent_framework(db_copy: Path, tmp_path: Path) -> None:
    loaded, output = _imported(tmp_path, "ask", "something for a rainy drive", "--db", str(db_copy))
    # offline, the built-in model runs directly (core.agent.direct): no agent framework either
    assert "pydantic_ai" not in loaded, loaded
    assert not set(loaded) & {"discord", "telegram", "openai", "google.genai", "sklearn", "pandas", "matplotlib",
                              "fastapi", "uvicorn", "aiohttp", "wordllama", "requests"}, loaded
    assert "open.spotify.com/track/" in output


def test_catalog_commands_import_no_agent(db_copy: Path, tmp_path: Path) -> None:
    for args in (("recommend", "sad songs in a minor key"), ("search", "queen"), ("song", "Bohemian Rhapsody")):
        loaded, _ = _imported(tmp_path, *args, "--db", str(db_copy))
        assert not set(loaded) - {"scipy"}, (args, loaded)


def test_catalog_commands_that_write_nothing_import_no_sqlalchemy(db_copy: Path, tmp_path: Path) -> None:
    # the catalog is read through its driver connection and the table comes from the start-up cache; the stores (and
    # the playlist store's SQL, core.playlists is imported lazily) are never used by these commands
    _imported(tmp_path, "song", "Bohemian Rhapsody", "--db", str(db_copy))  # writes the start-up cache
    for args in (("recommend", "sad songs in a minor key"), ("similar", "Blinding Lights"), ("song", "Hello")):
        loaded, output = _imported(tmp_path, *args, "--db", str(db_copy), watched=("sqlalchemy",))
        assert loaded == [], (args, loaded)
        assert output.strip()


@pytest.mark.parametrize("message", ["/recommend chill study music", "something for a rainy drive"])
def test_one_request_ask_keeps_the_conversation_without_sqlalchemy(db_copy: Path, tmp_path: Path, message: str) -> None:
    # ask stores the conversation (lease, state, the list for #N, the turn; likes and playlists read) on the stdlib
    # sqlite3 module (core.infra.lite_db): SQLAlchemy is not imported at all; a later process reads what it stored
    watched = ("sqlalchemy.ext.asyncio", "sqlalchemy.orm", "sqlalchemy")
    first, output = _imported(tmp_path, "ask", message, "--db", str(db_copy), "--conversation", "fast:1", "--json",
                              watched=watched)
    assert first == [], first
    second = json.loads(output)[1]  # --json: the list alone on stdout, nothing on stderr
    later, output = _imported(tmp_path, "ask", "#2", "--db", str(db_copy), "--conversation", "fast:1", "--json",
                              watched=watched)
    assert later == [], later
    assert json.loads(output)["text"].startswith(f"{second['track_name']} — {second['track_artist']}:"), output


def test_a_one_request_write_outside_the_conversation_still_goes_through_sqlalchemy(db_copy: Path, tmp_path: Path) -> None:
    # a playlist write keeps its SQLAlchemy store (units of work, checks, locks): imported for it, on the same
    # connection as the conversation's stores; the next process reads the playlist
    watched = ("sqlalchemy.ext.asyncio", "sqlalchemy.orm", "sqlalchemy")
    loaded, _ = _imported(tmp_path, "ask", "/playlist create Night Drive", "--db", str(db_copy), watched=watched)
    assert loaded == ["sqlalchemy"], loaded
    _, output = _imported(tmp_path, "ask", "/playlists", "--db", str(db_copy), watched=watched)
    assert "Night Drive" in output


def test_no_third_party_banner_or_advertisement_in_the_console(db_copy: Path, tmp_path: Path) -> None:
    # pydantic-ai shows its first-run banner on a terminal, or to a coding agent reading a pipe (AI_AGENT set), and
    # never under CI or pytest: make the process look like the former, so the test fails if the banner is ever shown
    env = _banner_env()
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "something for a rainy drive", "--db", str(db_copy)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = (proc.stdout + proc.stderr).lower()
    assert "open.spotify.com/track/" in text
    for word in ("logfire", "observability", "pydantic-ai v", "pydantic.dev", "opentelemetry"):
        assert word not in text, word


def test_the_banner_probe_would_see_a_banner(tmp_path: Path) -> None:
    """The banner test above is only meaningful if pydantic-ai does print its banner in that environment when
    nothing turns it off: run a bare agent there and see it."""
    script = (
        "import asyncio\n"
        "from pydantic_ai import Agent\n"
        "from pydantic_ai.models.test import TestModel\n"
        "async def main():\n"
        "    await Agent(TestModel()).run('hi')\n"
        "asyncio.run(main())\n"
    )
    env = _banner_env()
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "logfire" in (proc.stdout + proc.stderr).lower()


_WARM = """
import asyncio, json, sys
from core.engine import Engine
from core.models import Caller

async def main():
    engine = await Engine.open(sys.argv[1])
    await engine.app.chat.warm_up()  # what musicbot chat does while the person types
    ready = {
        "agent": engine.app.chat._agent_runtime is not None,
        "text": engine.loaded.text_model is not None,
        "graph": engine.loaded.recommender._graph is not None,
        "coverage": engine.loaded.coverage_model is not None,
    }
    before = set(sys.modules)
    reply = await engine.app.chat.chat("warm:1", Caller(), "something for a rainy drive")
    print(json.dumps({"ready": ready, "new_modules": sorted(set(sys.modules) - before),
                      "tracks": len(reply.recommendation.tracks) if reply.recommendation else 0}))
    await engine.close()

asyncio.run(main())
"""


def test_after_the_warm_up_the_first_free_text_turn_builds_and_imports_nothing(db_copy: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _WARM, str(db_copy)], cwd=tmp_path, env=_env(), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert all(result["ready"].values()), result["ready"]
    assert result["new_modules"] == []  # pydantic_ai, anyio's backend, playlists, feedback: all loaded ahead
    assert result["tracks"] == 10


async def test_a_bot_is_ready_before_its_warm_up_which_then_runs_on_the_loop(db_copy: Path) -> None:
    """The bots' engine factory defers the text understanding fit and the heap freeze until just after the bot is
    ready (bot.app.settle_heap_after_ready); the event loop then runs them, before any later work."""
    import asyncio
    import gc

    from bot.cli import _engine_factory
    from bot.settings import Settings
    from core.models import Caller

    engine = await _engine_factory(Settings(_env_file=None), db_copy)()
    try:
        assert engine.loaded.text_model is None  # ready without the fit: it has not run yet
        frozen = gc.get_freeze_count()
        for _ in range(6000):  # the warm-up is a timer on this loop; give it turns (no timing asserted)
            if engine.loaded.text_model is not None:
                break
            await asyncio.sleep(0.01)
        assert engine.loaded.text_model is not None and engine.loaded.recommender._graph is not None and engine.loaded.coverage_model is not None
        assert gc.get_freeze_count() > frozen  # what was loaded is out of the collector's generations
        reply = await engine.app.chat.chat("ready:1", Caller(), "/recommend chill study music")
        assert reply.recommendation is not None and len(reply.recommendation.tracks) == 10
    finally:
        gc.unfreeze()
        await engine.close()



_DEFERRED_PROBE = """
import atexit, json, sys
out = sys.argv[1]
def report():
    from core.models import DeferredModel
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)
    built = sorted(f"{c.__module__}.{c.__name__}" for c in walk(DeferredModel) if c.__pydantic_complete__)
    count = sum(1 for _ in walk(DeferredModel))
    with open(out, "w") as fh:
        json.dump({"built": built, "count": count}, fh)
atexit.register(report)
sys.argv = ["musicbot"] + sys.argv[2:]
from bot.cli import main
main()
"""


def test_a_one_shot_recommend_builds_none_of_the_deferred_models(db_copy: Path, tmp_path: Path) -> None:
    """Playlist, feedback, preview and agent result models are built on first use (core.models.DeferredModel): a
    one-shot /recommend validates none of them."""
    out = tmp_path / "deferred.json"
    proc = subprocess.run(
        [sys.executable, "-c", _DEFERRED_PROBE, str(out), "ask", "/recommend chill study music", "--db", str(db_copy)],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "open.spotify.com/track/" in proc.stdout
    result = json.loads(out.read_text())
    assert result["count"] >= 5 and result["built"] == [], result  # the probe saw some (imported), none built


def test_a_deferred_model_validates_as_before_on_first_use() -> None:
    from pydantic import ValidationError

    from core.agent.deps import TrackCard
    from core.playlists.models import Playlist

    with pytest.raises(ValidationError):
        Playlist.model_validate({"name": 3})
    assert Playlist.__pydantic_complete__ and "properties" in TrackCard.model_json_schema()

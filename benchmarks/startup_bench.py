"""Benchmark: how fast musicbot starts — one-shot commands against a bare Python, the first free-text turn of a
running chat, and how long the bots take to be ready.

Figures (JSON keys; ``*_s`` whole-process wall times in seconds, min and median over ``rounds`` runs, the commands
interleaved round by round so machine load hits them alike):

* ``startup_bare_{min,med}_s`` — ``python -c "import numpy, sqlite3"``: the yardstick.
* ``startup_slash_{min,med}_s`` — ``musicbot ask "/recommend chill study music"`` on a seeded catalog, as a person
  runs it: after a first ``ask`` (untimed round 0), which ran in its own process and started the resident worker of
  that set-up (:mod:`bot.resident`), so the timed commands hand their request to it; ``startup_slash_ratio`` = min /
  bare min (``_ratio_med`` with medians). Target ≤ 4.
* ``startup_free_{min,med}_s`` / ``startup_free_ratio`` — ``musicbot ask "something for a rainy drive"`` (free text:
  the agent on the built-in model). Target ≤ 6.
* ``startup_slash_cold_*`` / ``startup_free_cold_*`` (and their ``_ratio``s) — the same commands with workers off
  (``MUSICBOT_WORKER=0``): each one opens the catalog in its own process, with the start-up cache warm (the catalog
  was opened before) — what the first ``ask`` of a set-up costs.
* ``startup_*_cpu_min_s`` / ``startup_slash_cpu_ratio`` / ``startup_free_cpu_ratio`` — the same commands' CPU time
  (user + system, all threads; min over the rounds) and its ratio to the bare Python's: what the work costs, less
  sensitive than wall time to other processes on a loaded machine (wall time stays the target's measure).
* ``startup_models_{min,med}_s`` / ``startup_models_ratio`` — the data layer alone (:data:`_MODELS`: pydantic,
  pydantic-settings, the core models and the settings built once, on top of the bare start): the floor of the
  one-shot ratios while the core models are pydantic models.
* ``startup_slash_nocache_min_s`` — the slash command with the start-up cache off (``MUSICBOT_CACHE=0``: what the
  first start after a catalog change costs).
* ``chat_first_turn_ms`` — a running chat (``musicbot chat``'s warm-up done while the person types): the first
  free-text message's reply time. Target ≤ 200 ms. ``chat_first_turn_cold_ms`` — the same without the warm-up (the
  agent built on that first message), and ``chat_later_turn_ms`` a later message, for comparison;
  ``chat_warm_up_s`` — how long the warm-up took in the background.
* ``telegram_ready_s`` / ``discord_ready_s`` — process start until the bot is ready to serve (the bot command's own
  engine factory, ``bot.cli._engine_factory``, then the application built: everything before its first request to
  the platform) on an existing catalog. Target ≤ 1.5 s. (Work the factory defers until after that point — the text
  understanding fit and heap freeze, :func:`bot.app.settle_heap_after_ready` — overlaps the platform connect.)

The ``musicbot`` commands run as the installed console script does (the entry point named in the checkout's
``pyproject.toml``), with ``-c`` so another checkout's source can be put first on the path. Child processes run with
the caller's environment minus ``PYTHONDONTWRITEBYTECODE`` (so compiled bytecode is
cached as in a normal installation after its first run; one untimed round first) and with a private start-up cache
folder. ``baseline_src`` (``python -m benchmarks.startup_bench --baseline DIR``) times another checkout of the code
(e.g. ``git archive`` of an older commit) in the same rounds, for before/after figures.

Run: ``uv run python -m benchmarks.startup_bench [--rounds N] [--baseline DIR]`` or ``musicbot bench``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLASH = "/recommend chill study music"
FREE = "something for a rainy drive"

_CLI = "import sys; sys.path.insert(0, {src!r}); from {module} import {func}; sys.argv[0] = 'musicbot'; {func}()"


def _entry(src: Path) -> tuple[str, str]:
    """``(module, function)`` of the ``musicbot`` console script declared in ``src``'s pyproject.toml (what the
    installed command runs: each checkout is timed through its own entry point)."""
    import tomllib

    spec = tomllib.loads((src / "pyproject.toml").read_text())["project"]["scripts"]["musicbot"]
    module, func = spec.split(":")
    return module, func

#: The data layer a one-shot command cannot start without, and nothing else: numpy and sqlite3 (the yardstick), then
#: pydantic and pydantic-settings, the core models (:mod:`core.models`, :mod:`core.conversation`) and the settings, each
#: built once as a command builds them. Its ratio to the bare start is the floor under ``startup_slash_ratio`` while
#: the models are pydantic models.
_MODELS = ("import sys; sys.path.insert(0, {src!r}); import numpy, sqlite3; import core.models as m, "
           "core.conversation as c, bot.settings as s; s.Settings(); m.Caller(); c.ConversationState(); "
           "m.ChatReply(text='x')")

_CHAT = """
import asyncio, json, sys, time
sys.path.insert(0, {src!r})
from core.engine import Engine
from core.models import Caller

async def main():
    engine = await Engine.open(sys.argv[1])
    warm = sys.argv[2] == "warm"
    out = {{}}
    if warm:  # what musicbot chat does at its prompt (adapters.console.repl), waited for here: a person types
        t0 = time.perf_counter()
        await engine.app.chat.warm_up()
        out["warm_up_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    await engine.app.chat.chat("bench:first", Caller(), {free!r})
    out["first_ms"] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    await engine.app.chat.chat("bench:later", Caller(), "upbeat songs for running")
    out["later_ms"] = (time.perf_counter() - t0) * 1000
    await engine.close()
    print(json.dumps(out))

asyncio.run(main())
"""

#: The bots' start as ``musicbot telegram`` / ``musicbot discord`` do it: the composition root's engine factory
#: (``bot.cli._engine_factory``: engine, agent/preview configuration, warm-up) and the adapter's application.
_READY = {
    "telegram": """
import sys
sys.path.insert(0, {src!r})
from bot.cli import _engine_factory
from bot.settings import Settings
from adapters.telegram.app import build_app
import asyncio
settings = Settings()
loop = asyncio.new_event_loop()
engine = loop.run_until_complete(_engine_factory(settings, sys.argv[1])())
build_app(engine.app, settings)
print("READY", flush=True)
""",
    "discord": """
import sys
sys.path.insert(0, {src!r})
from bot.cli import _engine_factory
from bot.settings import Settings
from adapters.discord.app import build_bot
import asyncio
async def main():
    settings = Settings()
    engine = await _engine_factory(settings, sys.argv[1])()
    build_bot(engine.app, settings)
    print("READY", flush=True)
asyncio.run(main())
""",
}


def _env(cache_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "MODEL", "DATABASE_URL")}
    run = cache_dir.parent / "run"  # the resident workers' sockets: private to this bench
    run.mkdir(mode=0o700, exist_ok=True)
    env.update(MUSICBOT_CACHE_DIR=str(cache_dir), XDG_RUNTIME_DIR=str(run), MUSICBOT_WORKER="1", COLUMNS="120",
               TELEGRAM_BOT_TOKEN="123456:bench-token-not-used-for-anything", DISCORD_BOT_TOKEN="bench.token.unused",
               LOG_LEVEL="ERROR", **extra)
    return env


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_cpu(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """``(wall seconds, CPU seconds)`` of one child process (CPU = user + system of the child and its threads, read
    from ``getrusage(RUSAGE_CHILDREN)`` around it: the children run one at a time)."""
    c0, t0 = _cpu_children(), time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    elapsed, cpu = time.perf_counter() - t0, _cpu_children() - c0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]}… failed: {proc.stderr.decode(errors='replace')[-800:]}")
    return elapsed, cpu


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    return _run_cpu(cmd, env, cwd)[0]


def _wait_for_workers(runtime: Path, count: int, timeout_s: float = 120.0) -> None:
    """Wait until ``count`` resident workers listen in the socket folder under ``runtime`` (started by round 0's first
    ``ask`` of each checkout; a checkout without workers has none: give up quietly after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if len(list((runtime / "musicbot").glob("*.sock"))) >= count:
            return
        time.sleep(0.1)


def _stop_workers(runtime: Path, env: dict[str, str]) -> None:
    """Stop every resident worker the bench started (they live in its private socket folder)."""
    script = "import sys; sys.path.insert(0, {src!r}); from bot import resident; resident.control('stop')"
    subprocess.run([sys.executable, "-c", script.format(src=str(ROOT))], env=env, capture_output=True, timeout=60)
    deadline = time.monotonic() + 30
    while list((runtime / "musicbot").glob("*.sock")) and time.monotonic() < deadline:
        time.sleep(0.1)


def _ready_time(script: str, db: Path, env: dict[str, str], cwd: Path) -> float:
    """Seconds from spawning ``script`` until it prints READY."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", script, str(db)], env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("READY"):
                return time.perf_counter() - t0
        raise RuntimeError(f"bot did not get ready: {proc.stderr.read()[-800:] if proc.stderr else ''}")
    finally:
        proc.kill()
        proc.wait()


def bench_startup(db_path: Path, rounds: int = 7, baseline_src: Path | None = None) -> dict[str, Any]:
    """Measure the figures listed in the module docstring on a copy of the seeded catalog ``db_path``.

    Args:
        db_path: a seeded musicbot SQLite file (copied; the copy is written to).
        rounds: timed runs per command (after one untimed round).
        baseline_src: another checkout's root folder, timed alongside (keys ``baseline_*``).

    Returns:
        The figures (seconds / milliseconds / ratios as floats).

    Raises:
        RuntimeError: a child process failed.
    """
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="musicbot-startup-") as tmp_dir:
        tmp = Path(tmp_dir)
        env = _env(tmp / "cache")
        sources = {"": ROOT} | ({"baseline_": baseline_src.resolve()} if baseline_src else {})
        dbs = {}
        for prefix, src in sources.items():
            db = tmp / f"{prefix or 'current_'}catalog.db"
            shutil.copy(db_path, db)
            dbs[prefix] = db
        commands: dict[str, list[str]] = {"bare": [sys.executable, "-c", "import numpy, sqlite3"],
                                          "models": [sys.executable, "-c", _MODELS.format(src=str(ROOT))]}
        cold_env = {**env, "MUSICBOT_WORKER": "0"}
        envs: dict[str, dict[str, str]] = {}
        for prefix, src in sources.items():
            module, func = _entry(src)
            cli = [sys.executable, "-c", _CLI.format(src=str(src), module=module, func=func), "ask"]
            commands[f"{prefix}slash"] = [*cli, SLASH, "--db", str(dbs[prefix])]
            commands[f"{prefix}free"] = [*cli, FREE, "--db", str(dbs[prefix])]
            commands[f"{prefix}slash_cold"] = [*cli, SLASH, "--db", str(dbs[prefix])]
            commands[f"{prefix}free_cold"] = [*cli, FREE, "--db", str(dbs[prefix])]
            envs[f"{prefix}slash_cold"] = envs[f"{prefix}free_cold"] = cold_env
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        nocache: list[float] = []
        try:
            for i in range(rounds + 1):
                for name, cmd in commands.items():
                    cmd = [*cmd, "--conversation", f"bench:{i}"] if name not in ("bare", "models") else cmd
                    elapsed, cpu = _run_cpu(cmd, envs.get(name, env), tmp)
                    if i:  # round 0 writes bytecode and the start-up cache and starts the workers: not timed
                        times[name].append(elapsed)
                        cpus[name].append(cpu)
                if not i:
                    _wait_for_workers(tmp / "run", sum((src / "bot" / "resident.py").is_file() for src in sources.values()))
                if i and i <= min(3, rounds):
                    slash = [*commands["slash"], "--conversation", f"bench:nocache:{i}"]
                    nocache.append(_run(slash, {**cold_env, "MUSICBOT_CACHE": "0"}, tmp))
        finally:
            _stop_workers(tmp / "run", env)
        for name, values in times.items():
            out[f"startup_{name}_min_s"] = min(values)
            out[f"startup_{name}_med_s"] = statistics.median(values)
            out[f"startup_{name}_cpu_min_s"] = min(cpus[name])
        out["startup_slash_nocache_min_s"] = min(nocache)
        out["startup_models_ratio"] = out["startup_models_min_s"] / out["startup_bare_min_s"]
        bare_min, bare_med = out["startup_bare_min_s"], out["startup_bare_med_s"]
        for prefix in sources:
            for kind in ("slash", "free", "slash_cold", "free_cold"):
                out[f"startup_{prefix}{kind}_ratio"] = out[f"startup_{prefix}{kind}_min_s"] / bare_min
                out[f"startup_{prefix}{kind}_ratio_med"] = out[f"startup_{prefix}{kind}_med_s"] / bare_med
                out[f"startup_{prefix}{kind}_cpu_ratio"] = (
                    out[f"startup_{prefix}{kind}_cpu_min_s"] / out["startup_bare_cpu_min_s"])

        for prefix, src in sources.items():
            warm: list[dict[str, float]] = []
            cold: list[dict[str, float]] = []
            for i in range(min(3, rounds)):
                for mode, acc in (("warm", warm), ("cold", cold)):
                    db = tmp / f"chat-{prefix}{mode}-{i}.db"
                    shutil.copy(dbs[prefix], db)
                    script = _CHAT.format(src=str(src), free=FREE)
                    if prefix and mode == "warm" and not (src / "core" / "chat.py").read_text().count("warm_up"):
                        continue  # an older checkout without a warm-up: only its cold first turn
                    proc = subprocess.run([sys.executable, "-c", script, str(db), mode], env=env, cwd=tmp,
                                          capture_output=True, text=True, timeout=600)
                    if proc.returncode != 0:
                        raise RuntimeError(f"chat bench failed: {proc.stderr[-800:]}")
                    acc.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            if warm:
                out[f"{prefix}chat_first_turn_ms"] = min(r["first_ms"] for r in warm)
                out[f"{prefix}chat_first_turn_med_ms"] = statistics.median(r["first_ms"] for r in warm)
                out[f"{prefix}chat_warm_up_s"] = statistics.median(r["warm_up_s"] for r in warm)
            out[f"{prefix}chat_first_turn_cold_ms"] = min(r["first_ms"] for r in cold)
            out[f"{prefix}chat_later_turn_ms"] = min(r["later_ms"] for r in cold + warm)

            for bot, script in _READY.items():
                ready = [_ready_time(script.format(src=str(src)), dbs[prefix], env, tmp) for _ in range(min(3, rounds))]
                out[f"{prefix}{bot}_ready_s"] = min(ready)
                out[f"{prefix}{bot}_ready_med_s"] = statistics.median(ready)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def main() -> None:
    """``python -m benchmarks.startup_bench [--rounds N] [--baseline DIR] [--db FILE]`` (seeds a temp catalog unless
    ``--db`` names a seeded one); prints the figures as JSON."""
    import argparse
    import asyncio

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--baseline", type=Path, default=None, help="root folder of another checkout to compare")
    parser.add_argument("--db", type=Path, default=None, help="a seeded catalog (default: seed one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from core.catalog import Catalog

            db = Path(tmp) / "seeded.db"

            async def seed() -> None:
                catalog = await Catalog.open(db)
                await catalog.seed()
                await catalog.close()

            asyncio.run(seed())
        print(json.dumps(bench_startup(db, args.rounds, args.baseline), indent=2))


if __name__ == "__main__":
    main()

"""A one-shot ``musicbot ask`` prints exactly what the same message gets on the normal paths.

Three ways to answer one message on copies of one catalog, each with a fresh conversation, compared byte for byte:

* the one-shot from the start-up cache (the usual case: table and fitted text model read back from disk, no
  catalog follower — :func:`bot.app.build_engine` with ``follow=False``);
* the one-shot with the cache off (``MUSICBOT_CACHE=0``: table built from the database, text model fitted);
* in process, as ``musicbot chat`` answers it: an engine that follows catalog changes, ``ChatService.chat`` and the
  console renderer (:func:`adapters.console.render.print_reply`) on the same width.

No timings here (``musicbot bench`` measures speed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDTH = 160

_IN_PROCESS = """
import asyncio, io, sys
from rich.console import Console
from adapters.console.render import print_reply
from bot.app import build_engine, caller_for
from bot.settings import Settings

async def main(db, conversation, text):
    settings = Settings()
    engine = await build_engine(settings, db, follow=True)  # as the interactive chat opens it
    try:
        reply = await engine.app.chat.chat(conversation, caller_for(settings, "console", "local"), text)
    finally:
        await engine.close()
    out = io.StringIO()
    print_reply(Console(file=out, width={width}), reply)
    sys.stdout.write(out.getvalue())

asyncio.run(main(*sys.argv[1:4]))
"""


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY",
                                                             "DATABASE_URL", "MUSICBOT_CACHE")}
    env.update(COLUMNS=str(WIDTH), MUSICBOT_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT), **extra)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.parametrize("message", ["/recommend chill study music", "something for a rainy drive",
                                     "/search daft punk", "/similar Blinding Lights - The Weeknd"])
def test_one_shot_ask_prints_what_the_chat_path_prints(shipped_db: Path, tmp_path: Path, message: str) -> None:
    cache = tmp_path / "cache"
    dbs = {name: tmp_path / f"{name}.db" for name in ("warm", "cold", "chat", "prime")}
    for db in dbs.values():
        shutil.copy(shipped_db, db)
    ask = ["-m", "bot.cli", "ask", message, "--conversation", "same:1", "--db"]
    _run([*ask, str(dbs["prime"])], _env(cache), tmp_path)  # writes the start-up cache files
    assert list(cache.glob("table-*.npz"))
    warm = _run([*ask, str(dbs["warm"])], _env(cache), tmp_path)
    cold = _run([*ask, str(dbs["cold"])], _env(cache, MUSICBOT_CACHE="0"), tmp_path)
    chat = _run(["-c", _IN_PROCESS.replace("{width}", str(WIDTH)), str(dbs["chat"]), "same:1", message],
                _env(cache), tmp_path)
    assert "open.spotify.com/track/" in warm  # it answered with tracks
    assert warm == cold == chat


def test_one_shot_keeps_the_list_for_a_later_hash_n(shipped_db: Path, tmp_path: Path) -> None:
    """The one-shot still stores its list (conversation ``cli:ask`` by default), so ``ask "#2"`` means its item 2."""
    db = tmp_path / "m.db"
    shutil.copy(shipped_db, db)
    env = _env(tmp_path / "cache")
    first = _run(["-m", "bot.cli", "ask", "/recommend chill study music", "--db", str(db), "--json"], env, tmp_path)
    second = _run(["-m", "bot.cli", "ask", "/song #2", "--db", str(db), "--json"], env, tmp_path)
    second_track = json.loads(first)[1]
    assert json.loads(second)["text"].splitlines()[-1] == f"{second_track['track_name']} - {second_track['track_artist']}"

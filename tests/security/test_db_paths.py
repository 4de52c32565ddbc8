"""``--db`` / ``DATABASE_URL`` pointing at a folder or a place that cannot hold a database (issue 9 §4): one line on
stderr, exit 1, and no traceback from aiosqlite's background thread ("Event loop is closed") — for the catalog
commands, the console chat and both bots. Runs the CLI in a subprocess (the thread tracebacks only show at exit)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bad_paths(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "folder").mkdir()
    (tmp / "afile").write_text("not a folder")
    return {
        "folder": (tmp / "folder", "is a folder"),
        "file-in-the-way": (tmp / "afile" / "m.db", "a file is in the way"),
        "unwritable": (Path("/proc/musicbot-test.db"), "not a usable musicbot database"),
    }


def run_cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "_API_KEY", "_BASE_URL"))}
    clean.pop("DATABASE_URL", None)
    clean.update({"PYTHONPATH": str(ROOT), **env})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=clean, capture_output=True,
                          text=True, timeout=120, input="/quit\n")


@pytest.mark.parametrize("kind", ["folder", "file-in-the-way", "unwritable"])
@pytest.mark.parametrize("command", [["search", "love"], ["chat"], ["telegram"], ["discord"]],
                         ids=["search", "chat", "telegram", "discord"])
def test_unusable_db_path_gives_one_line(tmp_path, kind, command):
    path, words = bad_paths(tmp_path)[kind]
    if kind == "unwritable" and not Path("/proc").is_dir():
        pytest.skip("no /proc here")
    proc = run_cli([*command, "--db", str(path)], tmp_path, TELEGRAM_BOT_TOKEN="123456:fake-token-for-db-path-tests",
                   DISCORD_BOT_TOKEN="fake.discord.token-for-db-path-tests")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and str(path) in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and "Event loop is closed" not in proc.stderr


def test_database_url_folder_gives_one_line(tmp_path):
    path, words = bad_paths(tmp_path)["folder"]
    proc = run_cli(["search", "love"], tmp_path, DATABASE_URL=f"sqlite:///{path}")
    assert proc.returncode == 1 and proc.stderr.strip().count("\n") == 0 and words in proc.stderr, proc.stderr

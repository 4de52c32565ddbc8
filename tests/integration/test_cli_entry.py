"""The console script's entry (bot.entry.main -> bot.oneshot.main): a plain ``musicbot ask`` runs without typer and
answers exactly as the typer command does (which runs without the compiled-regex cache the entry installs: the
replies are byte for byte the same with it, cold and warm); every other command line goes to typer. Real processes on real copies of the shipped
catalog; no timings (speed is ``musicbot bench``'s)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from bot.cli import app
from bot.oneshot import ASK_DEFAULTS, ASK_OPTIONS, parse_plain_ask

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("typer imported: %s\\n" % ("typer" in sys.modules)))
sys.argv = ["musicbot"] + sys.argv[1:]
from bot.entry import main
main()
"""


def test_the_console_script_is_the_entry_these_tests_run() -> None:
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["musicbot"] == "bot.entry:main"


def test_the_plain_ask_options_are_the_typer_commands() -> None:
    command = typer.main.get_command(app).commands["ask"]  # type: ignore[attr-defined]
    options = {opt: param for param in command.params for opt in param.opts if opt.startswith("--")}
    assert set(options) == set(ASK_OPTIONS)
    for flag, (name, takes_value) in ASK_OPTIONS.items():
        assert options[flag].name == name
        assert options[flag].is_flag is not takes_value
        assert options[flag].default == ASK_DEFAULTS[name]
    (argument,) = [p for p in command.params if p.param_type_name == "argument"]
    assert argument.name == "text"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ask", "hi"], {}),
        (["ask", "hi", "--db", "x.db", "--json"], {"db": Path("x.db"), "as_json": True}),
        (["ask", "--conversation=c:1", "hi", "--user", "u"], {"conversation": "c:1", "user": "u"}),
    ],
)
def test_plain_ask_command_lines_are_read_here(argv: list[str], expected: dict[str, object]) -> None:
    assert parse_plain_ask(argv) == {**ASK_DEFAULTS, **expected, "text": "hi"}


@pytest.mark.parametrize(
    "argv",
    [
        [], ["ask"], ["ask", "--help"], ["ask", "a", "b"], ["ask", "hi", "--db"], ["ask", "hi", "--db", "--json"],
        ["ask", "hi", "--json=1"], ["ask", "hi", "--json", "--json"], ["ask", "hi", "--bogus"], ["ask", "--", "-x"],
        ["--db", "x.db", "ask", "hi"], ["recommend", "hi"], ["ask", "hi", "--db="],
    ],
)
def test_every_other_command_line_goes_to_typer(argv: list[str]) -> None:
    assert parse_plain_ask(argv) is None


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY",
                                                             "DATABASE_URL")}
    env.update(COLUMNS="120")
    return env


def test_the_entry_answers_as_the_typer_command(db_copy: Path, tmp_path: Path) -> None:
    # the same conversation, message by message, on two copies of one catalog: one through the console script's
    # entry, one through typer (python -m bot.cli); stdout and stderr byte for byte, and the entry never imports typer
    other = tmp_path / "other.db"
    shutil.copy(db_copy, other)
    for message, extra in (("/recommend chill study music", []), ("something for a rainy drive", ["--json"]),
                           ("less upbeat", []), ("/song #2", ["--json"]), ("/nosuchcommand", [])):
        args = ["ask", message, "--conversation", "entry:1", *extra]
        entry = subprocess.run([sys.executable, "-c", _PROBE, *args, "--db", str(db_copy)], cwd=tmp_path,
                               env=_env(), capture_output=True, text=True, timeout=300)
        typed = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--db", str(other)], cwd=ROOT,
                               env=_env(), capture_output=True, text=True, timeout=300)
        assert entry.returncode == typed.returncode == 0, entry.stderr[-2000:] + typed.stderr[-2000:]
        assert entry.stdout == typed.stdout and entry.stdout.strip(), (message, extra)
        assert entry.stderr == typed.stderr + "typer imported: False\n", (message, extra)


def test_other_command_lines_still_reach_typer(db_copy: Path, tmp_path: Path) -> None:
    help_ = subprocess.run([sys.executable, "-c", _PROBE, "ask", "--help"], cwd=tmp_path, env=_env(),
                           capture_output=True, text=True, timeout=300)
    assert help_.returncode == 0 and "--conversation" in help_.stdout
    wrong = subprocess.run([sys.executable, "-c", _PROBE, "ask", "hi", "--bogus"], cwd=tmp_path, env=_env(),
                           capture_output=True, text=True, timeout=300)
    assert wrong.returncode == 2 and "--bogus" in wrong.stderr
    global_db = subprocess.run([sys.executable, "-c", _PROBE, "--db", str(db_copy), "ask", "/search daft punk"],
                               cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300)
    assert global_db.returncode == 0 and "Daft Punk" in global_db.stdout


@pytest.mark.parametrize("args", [["ask", "/recommend chill study music", "--json"],  # the plain path (no typer)
                                  ["recommend", "chill study music", "--json"]])  # typer's
def test_a_reader_that_stops_reading_ends_the_command_quietly(db_copy: Path, tmp_path: Path, args: list[str]) -> None:
    # `musicbot ask … | head -c 100`: the reader is gone before the answer is written; the command exits with status
    # 1 and no traceback (it used to print a BrokenPipeError traceback)
    proc = subprocess.Popen([sys.executable, "-c", _PROBE, *args, "--db", str(db_copy)], cwd=tmp_path, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command has opened the catalog: its first write meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 1, err[-2000:]
    assert "Traceback" not in err and "BrokenPipeError" not in err, err[-2000:]


@pytest.mark.parametrize(("args", "said"), [
    (["ask", "/search xyzzyq", "--json"], "Nothing in this catalog matches"),
    (["recommend", "country music", "--json"], "no music tagged country"),
    (["similar", "Bohemian Rapsody", "--json"], "No exact match for “Bohemian Rapsody”"),
])
def test_json_output_keeps_the_first_line_on_stderr(db_copy: Path, tmp_path: Path, args: list[str], said: str) -> None:
    # --json printed only the track list: a missing style or a replaced song went unsaid; stdout stays the plain list
    done = subprocess.run([sys.executable, "-c", _PROBE, *args, "--db", str(db_copy)], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert isinstance(json.loads(done.stdout), list)
    assert said in done.stderr, done.stderr[-2000:]


_FREEZE_PROBE = """
import atexit, gc, sys
atexit.register(lambda: sys.stderr.write("frozen at exit: %d\\n" % gc.get_freeze_count()))
sys.argv = ["musicbot"] + sys.argv[1:]
from bot.entry import main
main()
"""


def test_the_entry_freezes_the_heap_before_the_interpreter_shuts_down(db_copy: Path, tmp_path: Path) -> None:
    # Python's shutdown collection skips frozen objects: the entry freezes what is left, however the command ends
    answered = subprocess.run([sys.executable, "-c", _FREEZE_PROBE, "ask", "/recommend chill study music", "--db",
                               str(db_copy)], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300)
    assert answered.returncode == 0 and answered.stdout.strip(), answered.stderr[-2000:]
    frozen = int(answered.stderr.rsplit("frozen at exit: ", 1)[1].split()[0])
    assert frozen > 100_000  # the catalog table and the libraries, not only the modules frozen after the imports
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a SQLite file" * 100)
    failed = subprocess.run([sys.executable, "-c", _FREEZE_PROBE, "ask", "hi", "--db", str(broken)],
                            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1 and "frozen at exit: " in failed.stderr

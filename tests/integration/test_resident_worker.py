"""The resident ``musicbot ask`` worker (bot/resident.py): real processes, real Unix sockets, real copies of the
shipped catalog. A worker answers exactly as the one-shot command does (byte for byte, piped and on a terminal), sees
catalog changes other processes committed before the request, talks only to its own set-up, refuses malformed
requests, stops when its code changes, when idle, and on ``musicbot worker stop``. No timings (``musicbot bench``)."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import resident
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
_ENTRY = "import sys; sys.argv = ['musicbot'] + sys.argv[1:]; from bot.entry import main; main()"


@pytest.fixture
def runtime() -> Iterator[Path]:
    """A private socket folder (short: a Unix socket path has ~107 bytes); every worker started in it is stopped."""
    folder = Path(tempfile.mkdtemp(prefix="mbw", dir="/tmp"))
    try:
        yield folder
    finally:
        env = {**os.environ, "XDG_RUNTIME_DIR": str(folder), "MUSICBOT_WORKER": "1"}
        subprocess.run([sys.executable, "-c", _ENTRY, "worker", "stop"], env=env, cwd=ROOT, capture_output=True,
                       timeout=60)
        deadline = time.monotonic() + 20
        while list((folder / "musicbot").glob("*.sock")) and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(folder, ignore_errors=True)


def _env(runtime: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MODEL")}
    env.update({"XDG_RUNTIME_DIR": str(runtime), "MUSICBOT_WORKER": "1", "COLUMNS": "120", "LOG_LEVEL": "ERROR",
                **extra})
    return env


def _musicbot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _ENTRY, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _sockets(runtime: Path) -> list[Path]:
    return sorted((runtime / "musicbot").glob("*.sock")) if (runtime / "musicbot").is_dir() else []


def _wait_for_worker(runtime: Path, timeout_s: float = 120) -> Path:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        socks = _sockets(runtime)
        if socks:
            return socks[0]
        time.sleep(0.1)
    logs = "".join(p.read_text() for p in (runtime / "musicbot").glob("*.log"))
    raise AssertionError(f"no worker started; its log: {logs[-2000:]}")


def _status(runtime: Path) -> list[dict]:
    env = _env(runtime)
    old = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = env["XDG_RUNTIME_DIR"]
    try:
        return resident.control("ping")
    finally:
        if old is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = old


@pytest.fixture
def two_catalogs(shipped_db: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """``(cold copy, worker copy, working folder)``: two copies of the shipped catalog."""
    cold, warm = tmp_path / "cold.db", tmp_path / "warm.db"
    shutil.copy(shipped_db, cold)
    shutil.copy(shipped_db, warm)
    work = tmp_path / "work"
    work.mkdir()
    return cold, warm, work


def _start_worker(warm: Path, work: Path, runtime: Path) -> dict:
    """A first (one-shot) ask on ``warm`` starts its worker; returns the worker's status."""
    first = _musicbot(["ask", "hello", "--db", str(warm), "--conversation", "warm-up"], _env(runtime), work)
    assert first.returncode == 0, first.stderr
    _wait_for_worker(runtime)
    (status,) = _status(runtime)
    assert status["ok"] and status["served"] == 0
    return status


def test_a_worker_answers_byte_for_byte_as_the_one_shot_command(two_catalogs, runtime: Path) -> None:
    cold, warm, work = two_catalogs
    _start_worker(warm, work, runtime)
    turns = [["/recommend chill study music"], ["less upbeat"], ["more like #3"], ["something for a rainy drive"],
             ["/similar Blinding Lights", "--json"], ["/similar zzzzqqqq"], ["/recommend jazz", "--json"],
             ["/addsong nothing"]]
    for turn in turns:
        args = ["ask", turn[0], "--conversation", "c1", *turn[1:]]
        one_shot = _musicbot([*args, "--db", str(cold)], _env(runtime, MUSICBOT_WORKER="0"), work)
        served = _musicbot([*args, "--db", str(warm)], _env(runtime), work)
        assert (served.returncode, served.stdout, served.stderr) == (one_shot.returncode, one_shot.stdout,
                                                                     one_shot.stderr), turn
        assert one_shot.stdout.strip() or one_shot.stderr.strip()
    (status,) = _status(runtime)
    assert status["served"] == len(turns)  # every turn above was the worker's, none ran cold
    assert len(_sockets(runtime)) == 1


def _on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> bytes:
    """What ``musicbot`` writes to a terminal (stdout and stderr on one pseudo-terminal)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", _ENTRY, *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=follower, stderr=follower)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=300)
    os.close(leader)
    return out


def _without_spinner(out: bytes) -> bytes:
    """``out`` without the transient spinner a slow reply shows first (cursor hidden, frames, then shown and the line
    erased): its frames depend on timing; and with the terminal hyperlinks' random ids made one."""
    if out.startswith(b"\x1b[?25l"):
        shown = out.index(b"\x1b[?25h")
        assert b"Thinking" in out[:shown]
        out = out[shown:].split(b"\x1b[2K", 1)[1]
    return re.sub(rb"\x1b\]8;id=\d+;", b"\x1b]8;id=N;", out)  # rich numbers each link at random


def test_on_a_terminal_the_worker_writes_what_the_one_shot_command_writes(two_catalogs, runtime: Path) -> None:
    cold, warm, work = two_catalogs
    _start_worker(warm, work, runtime)
    variants = [{"TERM": "xterm-256color", "COLUMNS": "100"}, {"TERM": "xterm-256color", "TTY_COMPATIBLE": "0"},
                {"TERM": "xterm", "FORCE_COLOR": ""}, {"TERM": "dumb", "COLUMNS": "60"}, {"TERM": "xterm", "NO_COLOR": "1"}]
    for i, variant in enumerate(variants):
        # a list (links, colours), then a track card (a table: widths, box characters) under each set of variables
        text = "/recommend upbeat 80s synth pop" if not i else "/song Bohemian Rhapsody"
        args = ["ask", text, "--conversation", f"tty{i}"]
        env = {k: v for k, v in _env(runtime, **variant).items() if k not in ("COLUMNS",) or "COLUMNS" in variant}
        one_shot = _on_a_terminal([*args, "--db", str(cold)], {**env, "MUSICBOT_WORKER": "0"}, work)
        served = _on_a_terminal([*args, "--db", str(warm)], env, work)
        if not i:
            assert b"\x1b]8;" in one_shot  # clickable Spotify links (terminal hyperlinks): a terminal was seen
        assert _without_spinner(served) == _without_spinner(one_shot), variant
    (status,) = _status(runtime)
    assert status["served"] == len(variants)


@pytest.mark.parametrize("query", ["/search Blinding Lights", "/recommend metal"])
def test_after_a_catalog_change_the_answer_is_the_one_shots(two_catalogs, runtime: Path, query: str) -> None:
    cold, warm, work = two_catalogs
    _start_worker(warm, work, runtime)
    env = _env(runtime)
    before = _musicbot(["ask", "/search Blinding Lights", "--db", str(warm), "--json"], env, work)
    ids = [t["track_id"] for t in json.loads(before.stdout) if t["track_name"] == "Blinding Lights"]
    assert ids
    for db in (cold, warm):  # another process deletes them (for "/recommend metal": tracks it would not list)
        for track_id in ids:
            deleted = _musicbot(["delsong", track_id, "--db", str(db)], env, work)
            assert deleted.returncode == 0, deleted.stderr
    args = ["ask", query, "--json", "--conversation", "after"]
    one_shot = _musicbot([*args, "--db", str(cold)], {**env, "MUSICBOT_WORKER": "0"}, work)
    after = _musicbot([*args, "--db", str(warm)], env, work)
    assert after.returncode == 0 and after.stdout.strip()
    assert not any(track_id in after.stdout for track_id in ids)
    assert after.stdout == one_shot.stdout  # as if loaded afresh: the worker that loaded the old catalog retired
    assert all(s.get("served", 0) == 0 for s in _wait_for_status(runtime, lambda ss: ss and ss[0].get("ok")))
    late = _musicbot(["ask", query, "--json", "--conversation", "later", "--db", str(warm)], env, work)
    (status,) = _status(runtime)  # a new worker, started by the one-shot above, on the changed catalog
    assert late.returncode == 0 and status["served"] == 1


def _wait_for_status(runtime: Path, ready, timeout_s: float = 120) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        statuses = _status(runtime)
        if ready(statuses):
            return statuses
        time.sleep(0.2)
    raise AssertionError(f"workers never reached the expected state: {statuses}")


def test_another_set_up_never_talks_to_this_worker(two_catalogs, runtime: Path) -> None:
    cold, warm, work = two_catalogs
    _start_worker(warm, work, runtime)
    env = _env(runtime)
    assert _musicbot(["ask", "/recommend jazz", "--db", str(cold)], env, work).returncode == 0  # another catalog
    other = {**env, "CONSOLE_ADMIN": "false"}  # other settings
    assert _musicbot(["ask", "/recommend jazz", "--db", str(warm)], other, work).returncode == 0
    assert all(s["ok"] and s["served"] == 0 for s in _status(runtime))  # each of them ran cold
    (work / ".env").write_text("CONVERSATION_TURNS=3\n")  # settings changed: this worker's set-up is gone
    assert _musicbot(["ask", "/recommend jazz", "--db", str(warm)], env, work).returncode == 0
    statuses = _status(runtime)
    assert all(s["served"] == 0 for s in statuses if s["ok"])
    assert {"ok": False, "why": "stale", "v": resident.PROTOCOL} in statuses  # the first worker, stopping


def test_workers_off_start_nothing(two_catalogs, runtime: Path) -> None:
    _, warm, work = two_catalogs
    done = _musicbot(["ask", "/recommend jazz", "--db", str(warm)], _env(runtime, MUSICBOT_WORKER="0"), work)
    assert done.returncode == 0
    time.sleep(1.0)
    assert not _sockets(runtime)


def test_a_first_ask_that_fails_starts_no_worker(tmp_path: Path, runtime: Path) -> None:
    failed = _musicbot(["ask", "hello", "--db", "/proc/no-such-folder/x.db"], _env(runtime), tmp_path)
    assert failed.returncode == 1 and "Cannot create the folder" in failed.stderr
    time.sleep(1.0)
    assert not _sockets(runtime) and not list((runtime / "musicbot").glob("*.lock"))


def test_an_idle_worker_stops_and_removes_its_socket(two_catalogs, runtime: Path) -> None:
    _, warm, work = two_catalogs
    env = _env(runtime, MUSICBOT_WORKER_IDLE_S="1")
    assert _musicbot(["ask", "hello", "--db", str(warm)], env, work).returncode == 0
    sock = _wait_for_worker(runtime)
    deadline = time.monotonic() + 60
    while sock.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not sock.exists()
    again = _musicbot(["ask", "/recommend jazz", "--db", str(warm)], env, work)  # no worker: the command runs itself
    assert again.returncode == 0 and "1." in again.stdout


def test_worker_stop_and_status(two_catalogs, runtime: Path) -> None:
    _, warm, work = two_catalogs
    _start_worker(warm, work, runtime)
    env = _env(runtime)
    status = _musicbot(["worker"], env, work)
    assert "Running: pid" in status.stdout and str(warm) in status.stdout
    stopped = _musicbot(["worker", "stop"], env, work)
    assert "Stopped: pid" in stopped.stdout
    deadline = time.monotonic() + 30
    while _sockets(runtime) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _sockets(runtime)
    assert "No resident worker is running" in _musicbot(["worker"], env, work).stdout


def _raw(sock_path: Path, payload: bytes, hang_up: bool = True) -> dict:
    """Send ``payload`` as it is, then (``hang_up``) close the sending side; return the reply (the last line)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(sock_path))
        s.sendall(payload)
        if hang_up:
            s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = [line for line in data.split(b"\n") if line.strip()]
    assert lines[:-1] in ([], [b"started"]), lines[:-1]  # "started" for a valid ask, then newlines, then the reply
    return json.loads(lines[-1])


def test_malformed_requests_are_refused_and_the_worker_goes_on(two_catalogs, runtime: Path) -> None:
    _, warm, work = two_catalogs
    _start_worker(warm, work, runtime)
    sock = _sockets(runtime)[0]
    good = {"v": resident.PROTOCOL, "op": "ask", "text": "/recommend jazz", "conversation": "x", "user": "u",
            "json": True, "stdout_tty": False, "stderr_tty": False, "env": {},
            "stdout_encoding": "utf-8", "stderr_encoding": "utf-8"}
    bad = [b"not json\n", b"\xff\xfe\n", b"[1, 2]\n", json.dumps({**good, "v": 99}).encode() + b"\n",
           json.dumps({**good, "text": 5}).encode() + b"\n", json.dumps({**good, "env": {"TERM": 1}}).encode() + b"\n",
           json.dumps({**good, "op": "rm -rf"}).encode() + b"\n", json.dumps({**good, "stdout_encoding": None}).encode(),
           b"x" * (resident.MAX_REQUEST + 10) + b"\n", b""]
    for payload in bad:
        reply = _raw(sock, payload)
        assert reply["ok"] is False and reply["why"] == "bad request", payload[:40]
    reply = _raw(sock, json.dumps(good).encode() + b"\n", hang_up=False)
    assert reply["ok"] and reply["code"] == 0 and len(json.loads(reply["stdout"])) == 10
    (status,) = _status(runtime)
    assert status["served"] == 1


_ASK = {"v": resident.PROTOCOL, "op": "ask", "text": "/recommend jazz", "conversation": "x", "user": "u", "json": True,
        "stdout_tty": False, "stderr_tty": False, "env": {}, "stdout_encoding": "utf-8", "stderr_encoding": "utf-8"}


@pytest.mark.parametrize("change", ["edit a module not loaded yet", "add a module", "upgrade a library"])
async def test_a_worker_whose_code_changed_stops_instead_of_answering(
    db_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str,
) -> None:
    from bot.app import build_engine

    project = tmp_path / "project"
    for package in ("bot", "core", "adapters", "data"):
        (project / package).mkdir(parents=True)
    (project / "core" / "lazy.py").write_text("x = 1\n")
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.setattr(resident, "ROOT", project)
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    settings = Settings()
    engine = await build_engine(settings, db_copy, follow=True)
    try:
        worker = resident.Worker(engine, settings, str(db_copy), idle_s=60)
        assert (await worker._reply(dict(_ASK)))["ok"]
        if change == "edit a module not loaded yet":
            os.utime(project / "core" / "lazy.py", ns=(time.time_ns(), time.time_ns() + 10**9))
        elif change == "add a module":
            (project / "adapters" / "new.py").write_text("y = 2\n")
        else:
            (site / "rich-99.0.dist-info").mkdir()
            os.utime(site, ns=(time.time_ns(), time.time_ns() + 10**9))
        reply = await worker._reply(dict(_ASK))
        assert reply == {"ok": False, "why": "stale"} and worker.stop.is_set()
    finally:
        await engine.close()


async def test_a_worker_whose_catalog_file_was_replaced_stops_instead_of_answering(db_copy: Path, tmp_path: Path) -> None:
    from bot.app import build_engine

    settings = Settings()
    engine = await build_engine(settings, db_copy, follow=True)
    try:
        worker = resident.Worker(engine, settings, str(db_copy), idle_s=60)
        request = {"v": resident.PROTOCOL, "op": "ping"}
        assert (await worker._reply(request))["ok"]
        shutil.copy(db_copy, tmp_path / "other.db")
        os.replace(tmp_path / "other.db", db_copy)  # same name, another file: a one-shot would open this one
        assert await worker._reply(request) == {"ok": False, "why": "stale"} and worker.stop.is_set()
    finally:
        await engine.close()


def test_the_key_covers_the_set_up_and_not_the_terminal(tmp_path: Path) -> None:
    env = {"HOME": "/home/x", "DATABASE_URL": "sqlite:///a.db", "TERM": "xterm", "COLUMNS": "80"}
    key = resident.worker_key("a.db", str(tmp_path), env)
    assert resident.worker_key("a.db", str(tmp_path), dict(env)) == key
    for name, value in {"TERM": "dumb", "COLUMNS": "200", "PWD": "/elsewhere", "SHLVL": "3",
                        "ITERM_SESSION_ID": "w0", "GNOME_TERMINAL_SCREEN": "/org/gnome/Terminal/screen/tab2",
                        "KITTY_WINDOW_ID": "3", "TMUX_PANE": "%4", "UV": "/usr/bin/uv", "UV_RUN_RECURSION_DEPTH": "1",
                        "VIRTUAL_ENV": "/x/.venv", "PATH": "/x/.venv/bin:/usr/bin", "_PYENV_INSTALL_PREFIX": "/p",
                        "PYENV_VERSION": "3.11.7"}.items():
        assert resident.worker_key("a.db", str(tmp_path), {**env, name: value}) == key, name
    assert resident.worker_key("b.db", str(tmp_path), env) != key
    assert resident.worker_key(None, str(tmp_path), env) != key
    assert resident.worker_key("a.db", str(tmp_path / "sub"), env) != key
    assert resident.worker_key("a.db", str(tmp_path), {**env, "DATABASE_URL": "sqlite:///b.db"}) != key
    assert resident.worker_key("a.db", str(tmp_path), {**env, "HTTPS_PROXY": "http://p"}) != key
    (tmp_path / ".env").write_text("MODEL=openai:gpt-4o\n")
    assert resident.worker_key("a.db", str(tmp_path), env) != key


def test_every_setting_is_part_of_the_key(tmp_path: Path) -> None:
    env = {"HOME": "/home/x"}
    key = resident.worker_key(None, str(tmp_path), env)
    for name in Settings.model_fields:
        assert resident.worker_key(None, str(tmp_path), {**env, name.upper(): "1"}) != key, name


def test_a_socket_folder_open_to_others_or_not_ours_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    folder = resident.socket_dir()
    assert folder == tmp_path / "musicbot" and (os.stat(folder).st_mode & 0o777) == 0o700
    folder.chmod(0o755)
    assert resident.socket_dir() is None
    folder.chmod(0o700)
    assert resident.socket_dir() == folder
    folder.rmdir()
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    folder.symlink_to(tmp_path / "elsewhere")
    assert resident.socket_dir() is None


def test_without_a_worker_the_client_answers_nothing_and_the_command_runs(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("MUSICBOT_WORKER", "1")
    plain = {"text": "hi", "db": None, "conversation": "c", "user": "u", "as_json": False}
    assert resident.ask(plain) is None  # no socket
    folder = resident.socket_dir()
    assert folder is not None
    dead = resident.socket_path(folder, resident.worker_key(None))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(dead))
    listener.close()  # a socket file nobody listens on: a dead worker's
    assert resident.ask(plain) is None
    monkeypatch.setenv("MUSICBOT_WORKER", "0")
    assert resident.ask(plain) is None and not resident.start(plain)


def test_the_client_imports_only_the_standard_library() -> None:
    probe = ("import sys; before = set(sys.modules); from bot import resident, ask_args; "
             "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in sys.stdlib_module_names))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['bot', 'bot.ask_args', 'bot.resident']"


def test_pings_do_not_keep_an_idle_worker_alive(two_catalogs, runtime: Path) -> None:
    _, warm, work = two_catalogs
    env = _env(runtime, MUSICBOT_WORKER_IDLE_S="3")
    assert _musicbot(["ask", "hello", "--db", str(warm)], env, work).returncode == 0
    sock = _wait_for_worker(runtime)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(str(sock))  # a connection that never sends its request
    try:
        deadline = time.monotonic() + 60
        idle = []
        while sock.exists() and time.monotonic() < deadline:
            idle += [s["idle_s"] for s in _status(runtime) if s.get("ok")]
            time.sleep(0.5)
        assert not sock.exists()  # it stopped on its own, pinged every half second and with a silent connection open
        assert idle == sorted(idle) and idle[-1] > idle[0]  # a ping is no request: the idle clock went on
    finally:
        silent.close()


def test_a_stopped_worker_is_given_up_and_the_request_runs_once(two_catalogs, runtime: Path) -> None:
    import signal

    _, warm, work = two_catalogs
    (status,) = [_start_worker(warm, work, runtime)]
    env = _env(runtime)
    os.kill(status["pid"], signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        done = _musicbot(["ask", "/recommend jazz", "--db", str(warm), "--json"], env, work)
        waited = time.monotonic() - t0
        assert done.returncode == 0 and len(json.loads(done.stdout)) == 10  # answered by the command itself
        assert waited < resident.SILENCE_S + 30
        listing = _musicbot(["worker"], env, work)
        assert "does not answer" in listing.stdout
    finally:
        os.kill(status["pid"], signal.SIGCONT)
    time.sleep(2.0)
    (after,) = _status(runtime)
    assert after["ok"] and after["served"] == 0  # the abandoned request was not run a second time


def test_what_a_request_logs_reaches_its_client(two_catalogs, runtime: Path) -> None:
    cold, warm, work = two_catalogs
    closed = "http://127.0.0.1:9"  # the preview sources refuse: core.previews logs each skip at INFO
    env = _env(runtime, LOG_LEVEL="INFO", DEEZER_API_BASE_URL=closed, ITUNES_API_BASE_URL=closed,
               SPOTIFY_API_BASE_URL=closed)
    assert _musicbot(["ask", "hello", "--db", str(warm)], env, work).returncode == 0
    _wait_for_worker(runtime)
    args = ["ask", "/preview Blinding Lights", "--conversation", "logs"]
    one_shot = _musicbot([*args, "--db", str(cold)], {**env, "MUSICBOT_WORKER": "0"}, work)
    served = _musicbot([*args, "--db", str(warm)], env, work)
    assert served.stdout == one_shot.stdout and "No preview available" in served.stdout

    def skips(stderr: str) -> list[str]:
        return [line.split(" INFO ", 1)[1] for line in stderr.splitlines() if "preview via" in line]

    assert skips(served.stderr) == skips(one_shot.stderr) and len(skips(served.stderr)) == 2  # on the client's stderr
    (status,) = [s for s in _status(runtime) if s.get("ok")]
    assert status["served"] == 1
    assert all("preview via" not in p.read_text() for p in (runtime / "musicbot").glob("*.log*"))  # not the worker's


@pytest.mark.parametrize("url", ["postgresql://mb:s3cretPW@127.0.0.1:5432/music",
                                 "postgresql://mb@127.0.0.1:5432/music?sslmode=disable&password=s3cretPW"])
def test_the_status_shows_no_database_password(url: str) -> None:
    worker = resident.Worker(None, None, url, idle_s=60)
    assert "s3cretPW" not in worker.shown_db and "127.0.0.1:5432/music" in worker.shown_db


def test_a_working_folder_whose_name_is_not_utf8_still_answers(shipped_db: Path, tmp_path: Path, runtime: Path) -> None:
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/dir\xff"))
    odd.mkdir()
    shutil.copy(shipped_db, odd / "c.db")
    done = _musicbot(["ask", "/recommend jazz", "--db", "c.db", "--json"], _env(runtime), odd)
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 10, done.stderr
    _wait_for_worker(runtime)
    served = _musicbot(["ask", "/recommend jazz", "--db", "c.db", "--json"], _env(runtime), odd)
    assert served.returncode == 0 and len(json.loads(served.stdout)) == 10
    listing = _musicbot(["worker"], _env(runtime), odd)
    assert "Running: pid" in listing.stdout and "1 requests answered" in listing.stdout


def test_a_refused_socket_folder_is_explained(runtime: Path, tmp_path: Path) -> None:
    folder = runtime / "musicbot"
    folder.mkdir(mode=0o700)
    folder.chmod(0o755)
    listing = _musicbot(["worker"], _env(runtime), tmp_path)
    assert "open to others" in listing.stdout and "chmod 700" in listing.stdout


def test_a_closed_stderr_or_stdout_never_runs_a_request_twice(two_catalogs, runtime: Path) -> None:
    _, warm, work = two_catalogs
    _start_worker(warm, work, runtime)
    env = _env(runtime)
    for i, close in enumerate(("2>&-", ">&-")):
        line = f"{sys.executable} -c {_ENTRY!r} ask '/playlist create Road {i}' --db {warm} {close}"
        done = subprocess.run(["bash", "-c", line], env=env, cwd=work, capture_output=True, text=True, timeout=120)
        assert "already exists" not in done.stdout + done.stderr
        again = _musicbot(["ask", f"/playlist create Road {i}", "--db", str(warm)], env, work)
        assert "already exists" in again.stdout + again.stderr  # it was created once, by the first command


def _hold_write_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the catalog's write lock for ``seconds`` (a request that writes waits meanwhile)."""
    script = ("import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
              "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(float(sys.argv[2])); c.rollback()")
    proc = subprocess.Popen([sys.executable, "-c", script, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_worker_lost_in_the_middle_of_a_request_is_said_and_the_request_not_run_again(
    two_catalogs, runtime: Path,
) -> None:
    import signal

    _, warm, work = two_catalogs
    status = _start_worker(warm, work, runtime)
    env = _env(runtime)
    lock = _hold_write_lock(warm, 6)
    client = subprocess.Popen([sys.executable, "-c", _ENTRY, "ask", "/playlist create Lost", "--db", str(warm)],
                              env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # the worker took the request and waits for the write lock
    os.kill(status["pid"], signal.SIGSTOP)
    try:
        out, err = client.communicate(timeout=120)
    finally:
        os.kill(status["pid"], signal.SIGCONT)
        lock.wait(timeout=60)
    assert client.returncode == 1 and "stopped answering in the middle of this request" in err
    assert "already exists" not in out + err  # not run a second time by the client
    time.sleep(2.0)
    again = _musicbot(["ask", "/playlist create Lost", "--db", str(warm), "--conversation", "x"], env, work)
    assert "already exists" in again.stdout + again.stderr  # the worker, resumed, carried it out once


def test_a_worker_stopped_during_a_request_finishes_it(two_catalogs, runtime: Path) -> None:
    _, warm, work = two_catalogs
    _start_worker(warm, work, runtime)
    env = _env(runtime)
    lock = _hold_write_lock(warm, 3)
    client = subprocess.Popen([sys.executable, "-c", _ENTRY, "ask", "/recommend jazz", "--json", "--db", str(warm)],
                              env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    stopped = _musicbot(["worker", "stop"], env, work)
    assert "Stopped: pid" in stopped.stdout
    out, err = client.communicate(timeout=120)
    lock.wait(timeout=60)
    assert client.returncode == 0 and len(json.loads(out)) == 10 and "still busy" not in err


def test_an_in_memory_catalog_starts_no_worker(tmp_path: Path, runtime: Path) -> None:
    done = _musicbot(["ask", "hello", "--db", ":memory:"], _env(runtime), tmp_path)
    assert done.returncode == 0
    time.sleep(1.0)
    assert not _sockets(runtime) and not list((runtime / "musicbot").glob("*.lo*"))


async def test_a_long_running_process_words_a_request_the_same_every_time(engine) -> None:
    """Found by running the worker against the one-shot command: a second identical request in one process named
    "subgenre: electropop" where the first (and every one-shot) said "genre: pop" — two asked labels of equal weight,
    gathered in another order. The reason now picks among equals by kind and text."""
    first = await engine.app.discovery.recommend_text("upbeat 80s synth pop")
    await engine.app.discovery.recommend_text("chill study music")
    again = await engine.app.discovery.recommend_text("upbeat 80s synth pop")
    assert [t.reason for t in again.tracks] == [t.reason for t in first.tracks]
    assert [t.track.track_id for t in again.tracks] == [t.track.track_id for t in first.tracks]

"""A resident worker for ``musicbot ask``: the catalog, KNN index and text model stay loaded between one-shot commands.

A one-shot ``musicbot ask`` spends most of its time starting: Python, numpy, pydantic, the track table and the text
model (~0.5 s on a 2-core machine) before ~20 ms of work. The first ``ask`` runs as before, in its own process, and
then starts a worker in the background; the next ``ask`` with the same set-up hands its request to that worker over
a Unix socket and only prints the reply (the client imports nothing but the standard library). This is the pattern of
``dmypy`` and Gradle's daemon. The worker:

* is keyed (:func:`worker_key`) by everything that decides what a request sees: the working folder, the ``--db``
  argument, the environment (less the terminal's own variables, which are sent with each request), the ``.env`` file's
  bytes, the Python executable and this code's folder. A different set-up talks to another worker, never to this one.
* answers only while the catalog is the one it loaded (its version, :func:`core.cache_key.version_of`: any write
  to tracks or labels, by anyone, this worker's own admin commands included) and its code (every source file of
  ``bot/``, ``core/``, ``adapters/``, loaded or not), data files, ``.env``, installed libraries and catalog file (a
  file deleted or renamed over) are those it started with: otherwise it says "stale", stops, and the client runs the
  request itself — so its answer is always what a one-shot command would print; conversations live in the database
  as for every adapter, and it answers several clients at once;
* says ``started`` when it starts running a request, then sends a newline every :data:`HEARTBEAT_S`: a client that
  hears nothing for :data:`SILENCE_S` before ``started`` runs the request itself; after it, never (it says the worker
  was lost and exits 1: the request may have run); a request whose client hung up before it started is not run, and
  a stopping worker finishes the requests it runs;
* sends what a request logs to that request's client (its stderr, as the one-shot command prints it); its own log
  lines go to a rotating ``<key>.log`` beside its socket;
* exits after :data:`IDLE_S` seconds without a request (``MUSICBOT_WORKER_IDLE_S``), on ``musicbot worker stop``, or
  on SIGTERM; ``musicbot worker status`` lists the running ones.

The reply is rendered by the same function as the one-shot command (:func:`bot.oneshot.answer`), on rich consoles
set up as the client's would be (its terminal size, whether stdout / stderr are terminals, its colour variables), so
the output is the same byte for byte. ``MUSICBOT_WORKER=0`` turns workers off (tests do).

Security: sockets live in a folder only the user can enter (``$XDG_RUNTIME_DIR/musicbot``, else
``<temp dir>/musicbot-<uid>``, created ``0700``; a folder owned by someone else or open to others is refused and no
worker is used), so only the user's own processes can send requests, with the user's own rights. Requests are one JSON
line of at most :data:`MAX_REQUEST` bytes; anything malformed is refused without running.

Standard library only, imported where used: the client path must stay light (the one-shot path with workers off pays
nothing). The worker imports the application when it starts.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path
from typing import Any

#: Bump when requests or replies change shape: a client and a worker of different versions never talk.
PROTOCOL = 1
#: Seconds a worker waits for its next request before it exits (``MUSICBOT_WORKER_IDLE_S`` overrides).
IDLE_S = 300.0
#: Bytes of a worker's log file (its start, its own warnings; a request's log lines go to its client) before it is
#: rotated (one older file kept).
MAX_LOG = 1 << 20
#: Longest request line (bytes).
MAX_REQUEST = 1 << 20
#: Seconds a client waits to connect to a worker's socket (a live worker accepts at once).
CONNECT_TIMEOUT_S = 0.5
#: Seconds a starting worker waits for its key's lock (held by a worker that is stopping) before it gives up.
LOCK_WAIT_S = 5
#: Seconds a worker waits for a connection's request line (a connection that sends nothing is dropped).
REQUEST_READ_S = 10.0
#: Seconds between the newlines a worker sends while a request runs; a client that hears nothing for
#: :data:`SILENCE_S` gives up on that worker (stopped, hung) and runs the command itself.
HEARTBEAT_S = 1.0
SILENCE_S = 10.0
#: The line a worker sends when it starts running an ``ask`` (then newlines while it runs, then the JSON reply).
STARTED = b"started\n"
#: Seconds a stopping worker waits for the requests it is running.
DRAIN_S = 60.0
#: Seconds before the client shows a spinner while the worker works (as the one-shot command does).
SPINNER_DELAY_S = 0.3
#: The project's root folder (``bot/``'s parent): part of the key, and what a worker imports from.
ROOT = Path(__file__).resolve().parent.parent
#: Environment variables that belong to one terminal or shell, not to the set-up: sent with each request (the first
#: group: the reply is rendered for them) or ignored (the rest, and the launcher's own: ``PATH``, ``VIRTUAL_ENV``,
#: ``UV_*``, ``PYENV_*`` — the Python executable itself is part of the key), never part of the key.
TERMINAL_ENV = ("COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE",
                "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES")
_SHELL_ENV = ("PWD", "OLDPWD", "SHLVL", "_", "PS1", "PS2", "PROMPT_COMMAND", "HISTFILE", "WINDOWID", "WINDOWPATH",
              "TMUX", "TMUX_PANE", "STY", "WINDOW", "SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT", "SSH_AUTH_SOCK",
              "SSH_AGENT_PID", "GPG_AGENT_INFO", "GPG_TTY", "TERM_SESSION_ID", "TERM_PROGRAM", "TERM_PROGRAM_VERSION",
              "COLORFGBG", "VTE_VERSION", "TILIX_ID", "DESKTOP_STARTUP_ID", "XDG_SESSION_ID", "XDG_VTNR",
              "DBUS_SESSION_BUS_ADDRESS", "INVOCATION_ID", "JOURNAL_STREAM", "MANAGERPID", "SYSTEMD_EXEC_PID",
              "PATH", "VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "UV", "PYTHONUNBUFFERED", "MUSICBOT_WORKER_IDLE_S")
_SHELL_PREFIXES = ("ITERM_", "KONSOLE_", "WT_", "VSCODE_", "TERMINAL_", "GNOME_TERMINAL_", "KITTY_", "ALACRITTY_",
                   "WEZTERM_", "TERMINATOR_", "XTERM_", "LC_TERMINAL", "UV_", "PYENV_", "_PYENV")


# ------------------------------------------------------------------------------------------------------ shared
def enabled(environ: dict[str, str] | None = None) -> bool:
    """False when ``MUSICBOT_WORKER`` is ``0``/``off``/``false``/``no``, or off a POSIX system (no worker is used or
    started)."""
    env = os.environ if environ is None else environ
    if os.name != "posix":  # Unix sockets and file locks: Linux and macOS (elsewhere every ask runs cold)
        return False
    return env.get("MUSICBOT_WORKER", "").strip().lower() not in ("0", "off", "false", "no")


def idle_seconds(environ: dict[str, str] | None = None) -> float:
    """``MUSICBOT_WORKER_IDLE_S`` as seconds (> 0), else :data:`IDLE_S`."""
    env = os.environ if environ is None else environ
    try:
        value = float(env.get("MUSICBOT_WORKER_IDLE_S", ""))
    except ValueError:
        return IDLE_S
    return value if value > 0 else IDLE_S


def socket_dir(create: bool = True) -> Path | None:
    """The folder of the workers' sockets: ``$XDG_RUNTIME_DIR/musicbot`` (else ``<temp dir>/musicbot-<uid>``), made
    ``0700`` when missing. None — no worker — when it cannot be made, is a symlink, or is not the user's own folder
    closed to others (someone else could then answer or read requests)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if runtime:
        folder = Path(runtime) / "musicbot"
    else:
        import tempfile

        folder = Path(tempfile.gettempdir()) / f"musicbot-{os.getuid()}"
    try:
        if create:
            folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def worker_key(db: str | None, cwd: str | None = None, environ: dict[str, str] | None = None) -> str:
    """The key of the worker that may answer an ``ask`` (20 hex digits): a SHA-1 of the working folder, the ``--db``
    argument (made absolute), the environment without :data:`TERMINAL_ENV` and the shell's own variables, the bytes of
    ``.env`` in the working folder (settings read it), the Python executable, this code's folder and
    :data:`PROTOCOL`. Anything that could change a reply changes the key."""
    import hashlib

    env = os.environ if environ is None else environ
    where = os.path.realpath(cwd or os.getcwd())
    digest = hashlib.sha1(f"{PROTOCOL}\0{sys.executable}\0{ROOT}\0{where}\0".encode(errors="surrogateescape"))
    if db:
        digest.update(os.path.abspath(os.path.join(where, db)).encode(errors="surrogateescape"))
    digest.update(b"\0")
    for name in sorted(env):
        if name in TERMINAL_ENV or name in _SHELL_ENV or name.startswith(_SHELL_PREFIXES):
            continue
        digest.update(f"{name}={env[name]}\0".encode(errors="surrogateescape"))
    try:
        digest.update(Path(where, ".env").read_bytes())
    except OSError:
        digest.update(b"no .env")
    return digest.hexdigest()[:20]


def socket_path(folder: Path, key: str) -> Path:
    """The socket of the worker with ``key`` in ``folder``."""
    return folder / f"{key}.sock"


# ------------------------------------------------------------------------------------------------------ client
def _terminal() -> dict[str, Any]:
    """What the reply is rendered for: the terminal variables, whether stdout / stderr are terminals, and the terminal
    size as rich would read it (the first of stdin, stdout, stderr that is a terminal), passed as ``COLUMNS`` /
    ``LINES`` unless those are set."""
    env = {name: os.environ[name] for name in TERMINAL_ENV if name in os.environ}
    for fd in (0, 1, 2):
        try:
            columns, lines = os.get_terminal_size(fd)
        except (OSError, ValueError):
            continue
        # rich reads a size of 0 (a terminal that reports none) as its default 80 x 25, but takes COLUMNS=0 as a
        # width of 0: only a real size is passed on
        if columns > 0 and not env.get("COLUMNS", "").isdigit():
            env["COLUMNS"] = str(columns)
        if lines > 0 and not env.get("LINES", "").isdigit():
            env["LINES"] = str(lines)
        break

    def tty(stream: Any) -> bool:
        try:
            return bool(stream.isatty())
        except (AttributeError, ValueError):
            return False

    def encoding(stream: Any) -> str:
        return str(getattr(stream, "encoding", None) or "utf-8")

    return {"env": env, "stdout_tty": tty(sys.stdout), "stderr_tty": tty(sys.stderr),
            "stdout_encoding": encoding(sys.stdout), "stderr_encoding": encoding(sys.stderr)}


class WorkerLost(Exception):
    """The worker started a request and then went silent (stopped, hung, killed): the request may have run, so the
    client must not run it again."""


def _exchange(path: Path, request: dict[str, Any], spinner: bool = False,
              silence_s: float = SILENCE_S) -> dict[str, Any] | None:
    """Send ``request`` to the worker at ``path`` and return its reply, or None when no worker took it (no socket,
    refused, closed or silent for ``silence_s`` seconds before it said it started, a malformed reply). The worker
    answers with lines: ``started`` when it starts running an ``ask``, an empty line every :data:`HEARTBEAT_S`
    while it runs, then the JSON reply. ``spinner``: show rich's spinner on stderr after :data:`SPINNER_DELAY_S`
    (rich imported only then).

    Raises:
        WorkerLost: the worker said it started and then went silent or closed without a reply."""
    import select
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    status = None
    started = False
    try:
        sock.settimeout(CONNECT_TIMEOUT_S)
        sock.connect(str(path))
        sock.settimeout(None)
        sock.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
        t0 = heard = time.monotonic()
        buffer = b""
        while True:
            now = time.monotonic()
            wait = heard + silence_s - now
            if wait <= 0:
                break
            if spinner and status is None:
                wait = min(wait, max(0.0, t0 + SPINNER_DELAY_S - now))
            ready, _, _ = select.select([sock], [], [], wait)
            if not ready:
                if spinner and status is None and time.monotonic() >= t0 + SPINNER_DELAY_S:
                    from rich.console import Console

                    status = Console(stderr=True).status("Thinking…")
                    status.start()
                continue
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            heard = time.monotonic()
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line == STARTED.strip():
                    started = True
                elif line.strip():
                    reply = json.loads(line.decode())
                    return reply if isinstance(reply, dict) and reply.get("v") == PROTOCOL else None
        if started:
            raise WorkerLost
        return None
    except (OSError, ValueError):
        if started:
            raise WorkerLost from None
        return None
    finally:
        if status is not None:
            status.stop()
        sock.close()


def ask(plain: dict[str, Any]) -> int | None:
    """Hand a plain ``musicbot ask`` (:func:`bot.ask_args.parse_plain_ask`'s arguments) to the resident worker of
    this set-up, print its reply on stdout / stderr and return the exit status; None when no worker took the request
    (none running, workers off, stale, anything failing before the worker started it): the caller then runs the
    command itself (and :func:`start` a worker). A request a worker started is never handed back: if the worker is
    lost during it, this says so and returns 1."""
    try:
        if not enabled():
            return None
        folder = socket_dir(create=False)
        if folder is None:
            return None
        key = worker_key(str(plain["db"]) if plain.get("db") else None)
        path = socket_path(folder, key)
        if not path.exists():
            return None
        request = {"v": PROTOCOL, "op": "ask", "text": plain["text"], "conversation": plain["conversation"],
                   "user": plain["user"], "json": bool(plain["as_json"]), **_terminal()}
        reply = _exchange(path, request, spinner=not plain["as_json"] and request["stderr_tty"])
    except WorkerLost:
        _emit(sys.stderr, "The resident worker stopped answering in the middle of this request, which may have been "
                          "carried out. `musicbot worker` shows it; `musicbot worker stop` ends it.\n")
        return 1
    except Exception:  # noqa: BLE001 - before a worker took the request: the command runs itself
        return None
    if not reply or not reply.get("ok"):
        return None
    _emit(sys.stderr, str(reply.get("stderr", "")))
    _emit(sys.stdout, str(reply.get("stdout", "")))
    code = reply.get("code", 1)
    return code if isinstance(code, int) else 1


def _emit(stream: Any, text: str) -> None:
    """Write ``text`` to ``stream`` as the one-shot command's console would: nothing when the stream is closed
    (``2>&-``: Python gives None) or refuses it; a reader gone (``BrokenPipeError``) is the caller's to handle."""
    if stream is None or not text:
        return
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError, UnicodeError):
        pass


def start(plain: dict[str, Any]) -> bool:
    """Start the resident worker for this set-up in the background (a new session, no terminal; its log in the socket
    folder), unless workers are off or the socket folder is refused. Returns True when a worker process was started
    (it exits at once when another one holds the key)."""
    if not enabled():
        return False
    folder = socket_dir()
    if folder is None:
        return False
    db = str(plain["db"]) if plain.get("db") else None
    if ":memory:" in (db or os.environ.get("DATABASE_URL", "")):
        return False  # each one-shot command has its own in-memory catalog: nothing to keep
    key = worker_key(db)
    args = json.dumps({"key": key, "db": db, "folder": str(folder)})
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bot.resident import serve_main; serve_main()"
    try:
        with open(folder / f"{key}.log", "ab") as log_file:  # until the worker's logging takes it over
            import subprocess

            subprocess.Popen([sys.executable, "-c", code, args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=log_file, start_new_session=True, close_fds=True)
    except OSError:
        return False
    return True


def control(op: str) -> list[dict[str, Any]]:
    """Send ``op`` (``"ping"`` or ``"stop"``) to every worker of this user; returns their replies (pid, catalog,
    working folder, requests answered, seconds idle and up). A socket nobody listens on (a worker killed) is removed;
    one whose worker holds its lock but does not answer (stopped, hung) is listed as
    ``{"ok": False, "why": "not answering", "socket": …}``."""
    folder = socket_dir(create=False)
    if folder is None:
        return []
    out = []
    for path in sorted(folder.glob("*.sock")):
        reply = _exchange(path, {"v": PROTOCOL, "op": op}, silence_s=5.0)
        if reply is not None:
            out.append(reply)
        elif not _remove_stale(path):
            out.append({"ok": False, "why": "not answering", "socket": str(path)})
    return out


def folder_problem() -> str | None:
    """Why no worker can be used here (the socket folder refused: :func:`socket_dir`), or None."""
    if not enabled():
        return "workers are off (MUSICBOT_WORKER=0, or not a POSIX system)"
    if socket_dir() is None:
        runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
        where = f"{runtime}/musicbot" if runtime else f"<temp dir>/musicbot-{os.getuid()}"
        return (f"the socket folder {where} cannot be made, or is a symlink, someone else's, or open to others: no "
                "worker is used (remove it, or fix its owner and make it chmod 700)")
    return None


def _remove_stale(path: Path) -> bool:
    """Remove a socket nobody listens on; True when removed, False when a worker holds its lock (alive: starting,
    stopped or hung)."""
    import fcntl

    try:
        with open(path.with_suffix(".lock"), "a+b") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False
            path.unlink(missing_ok=True)
            return True
    except OSError:
        return True


# ------------------------------------------------------------------------------------------------------ worker
def _watched_files() -> dict[str, int]:
    """``{path: mtime_ns}`` of every source file of the project's packages (loaded yet or not), its data files
    (``data/``), ``.env`` in the working folder, and the folders of the installed libraries (a package installed,
    upgraded or removed changes its folder's entries): a worker answers only while this is unchanged. ~1 ms."""
    out: dict[str, int] = {}

    def walk(folder: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    walk(entry.path)
            elif entry.name.endswith(".py"):
                out[entry.path] = entry.stat().st_mtime_ns

    for package in ("bot", "core", "adapters"):
        walk(str(ROOT / package))
    paths = [str(p) for p in (ROOT / "data").glob("*") if p.is_file()] + [os.path.abspath(".env")]
    paths += [p for p in sys.path if p.endswith("-packages") and os.path.isdir(p)]
    for path in paths:
        try:
            out[path] = os.stat(path).st_mtime_ns
        except OSError:
            out[path] = -1
    return out


#: The log lines of the request running in this context (:class:`_RequestLogs`); None outside requests.
_REQUEST_LOGS: Any = None


def _request_logs() -> Any:
    """The context variable holding the current request's log lines (made on first use: the client never needs it)."""
    global _REQUEST_LOGS
    if _REQUEST_LOGS is None:
        from contextvars import ContextVar

        _REQUEST_LOGS = ContextVar("musicbot_request_logs", default=None)
    return _REQUEST_LOGS


def _capture_request_logs() -> None:
    """Send what a request logs to that request's client (its stderr, as the one-shot command would print it), not
    to the worker's log file: a handler on the root logger formats records into the running request's list (with the
    same format and secret-redacting filters as the existing handlers), and those handlers skip such records."""
    import logging

    root = logging.getLogger()
    var = _request_logs()

    class RequestLogs(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines = var.get()
            if lines is not None:
                lines.append(self.format(record) + "\n")

    class OutsideRequests(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return var.get() is None

    capture = RequestLogs()
    _log_to_file(root)
    for handler in root.handlers:
        capture.setFormatter(handler.formatter)
        for existing in handler.filters:
            capture.addFilter(existing)
        handler.addFilter(OutsideRequests())
    root.addHandler(capture)


def _log_to_file(root: Any) -> None:
    """The worker's own log lines (its start, its warnings, libraries' threads such as aiosqlite's at DEBUG) go to
    ``<socket folder>/<key>.log``, at most :data:`MAX_LOG` bytes plus one older file (``.log.1``), instead of the
    stderr the client gave it: a long-lived worker at ``LOG_LEVEL=DEBUG`` must not fill the disk."""
    import logging
    import logging.handlers

    path = _LOG_PATH
    if path is None:
        return

    class NoLibraryChatter(logging.Filter):
        """The database drivers' DEBUG/INFO lines (they quote SQL parameters: people's messages) stay out of a file
        that outlives the requests; they cannot be told apart by request, so they go nowhere."""

        def filter(self, record: logging.LogRecord) -> bool:
            if record.levelno >= logging.WARNING:
                _WARNED.append(True)
                return True
            return not record.name.startswith(("aiosqlite", "sqlalchemy", "asyncpg"))

    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is sys.stderr:
            rotating = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_LOG, backupCount=1, encoding="utf-8")
            rotating.setFormatter(handler.formatter)
            rotating.setLevel(handler.level)
            for existing in handler.filters:
                rotating.addFilter(existing)
            rotating.addFilter(NoLibraryChatter())
            root.removeHandler(handler)
            root.addHandler(rotating)


#: The worker's log file (set by :func:`serve`).
_LOG_PATH: Path | None = None
#: Non-empty once the worker logged a warning or worse to its file (kept then; else removed at a clean exit).
_WARNED: list[bool] = []


def _file_identity(db: str) -> tuple[int, int] | None:
    """``(device, inode)`` of a SQLite catalog file (None for PostgreSQL or a missing file): a catalog deleted or
    replaced by another file while a worker runs is another catalog."""
    if "://" in db:
        return None
    try:
        info = os.stat(db)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _consoles(request: dict[str, Any]) -> tuple[Any, Any]:
    """rich consoles writing to strings, set up as the client's stdout and stderr consoles would be."""
    import io

    from rich.console import Console

    class Capture(io.StringIO):
        """A string buffer that answers ``isatty()`` and ``encoding`` as the client's stream would: rich then applies
        its own rules (``FORCE_COLOR``, ``TTY_COMPATIBLE``, ``TERM=dumb``, …) exactly as in the one-shot command."""

        def __init__(self, tty: bool, encoding: str) -> None:
            super().__init__()
            self._tty, self._encoding = tty, encoding

        def isatty(self) -> bool:
            return self._tty

        @property
        def encoding(self) -> str:  # type: ignore[override]
            return self._encoding

    env = {k: str(v) for k, v in request["env"].items() if k in TERMINAL_ENV}
    out = Console(file=Capture(request["stdout_tty"], request["stdout_encoding"]), _environ=env)
    err = Console(file=Capture(request["stderr_tty"], request["stderr_encoding"]), _environ=env, stderr=True)
    return out, err


def _valid(request: Any) -> bool:
    """An ask request of the expected shape (types checked; the text itself is checked by the chat service)."""
    if not isinstance(request, dict) or request.get("v") != PROTOCOL:
        return False
    if request.get("op") in ("ping", "stop"):
        return True
    strings = all(isinstance(request.get(k), str)
                  for k in ("text", "conversation", "user", "stdout_encoding", "stderr_encoding"))
    flags = all(isinstance(request.get(k), bool) for k in ("json", "stdout_tty", "stderr_tty"))
    env = request.get("env")
    return (request.get("op") == "ask" and strings and flags and isinstance(env, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()))


class Worker:
    """The resident worker's state: the open engine, the settings, the files watched, counters.

    Args:
        engine: the open :class:`core.engine.Engine` (following other processes' catalog changes).
        settings: the :class:`bot.settings.Settings` it was opened with.
        db: the catalog it serves (shown by ``musicbot worker status``).
        idle_s: seconds without a request before it stops.
    """

    def __init__(self, engine: Any, settings: Any, db: str, idle_s: float) -> None:
        import asyncio

        from core.infra.database import parse_database

        self.engine, self.settings, self.db, self.idle_s = engine, settings, db, idle_s
        try:  # for `musicbot worker`: an absolute path, a PostgreSQL URL without its password
            self.shown_db = parse_database(db).display() if "://" in db else os.path.abspath(db)
        except Exception:  # noqa: BLE001 - only a label
            self.shown_db = "(catalog)"
        self.shown_db = self.shown_db.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        self.files = _watched_files()
        self.db_file = _file_identity(db)
        self.started = time.time()
        self.last = time.monotonic()
        self.served = 0
        self.busy = 0
        #: the catalog version this worker loaded (set by :func:`serve`; None: not checked)
        self.version: str | None = None
        self.stop = asyncio.Event()

    async def handle(self, reader: Any, writer: Any) -> None:
        """Answer one connection: one request line (read within :data:`REQUEST_READ_S`), then a newline every
        :data:`HEARTBEAT_S` while the request runs (the client knows the worker is alive), then the JSON reply line.
        A request whose client hung up before it started (a client that gave up on a stopped worker) is not run."""
        import asyncio

        heart: asyncio.Task[None] | None = None
        try:
            try:
                line = await asyncio.wait_for(reader.readline(), REQUEST_READ_S)
                request = json.loads(line.decode())
            except (ValueError, OSError, asyncio.TimeoutError):  # over MAX_REQUEST, silent, torn, not UTF-8 / JSON
                request = None
            if reader.at_eof() and _valid(request) and request["op"] == "ask":
                return  # the client is gone: nobody waits for this turn, and it may have run it itself
            if _valid(request) and request["op"] == "ask":
                writer.write(STARTED)  # from here on the client never runs this request itself
                await writer.drain()

            async def beat() -> None:
                while True:
                    await asyncio.sleep(HEARTBEAT_S)
                    writer.write(b"\n")

            heart = asyncio.create_task(beat())
            reply = await self._reply(request)
            heart.cancel()
            writer.write(json.dumps({"v": PROTOCOL, **reply}).encode() + b"\n")  # ASCII: any text survives
            await writer.drain()
        except (ConnectionError, OSError):
            pass  # the client went away (Ctrl-C): its turn ran, nobody reads the reply
        finally:
            if heart is not None:
                heart.cancel()
            writer.close()

    async def _reply(self, request: Any) -> dict[str, Any]:
        if not _valid(request):
            return {"ok": False, "why": "bad request"}
        if _watched_files() != self.files or _file_identity(self.db) != self.db_file:
            # code, data or .env changed, or the catalog file was deleted or replaced (this worker still reads the
            # old one): a one-shot command would see something else
            self.stop.set()
            return {"ok": False, "why": "stale"}
        op = request["op"]
        if op == "stop":
            self.stop.set()
        if op in ("ping", "stop"):  # not a request: the idle clock goes on
            folder = os.getcwd().encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            return {"ok": True, "pid": os.getpid(), "db": self.shown_db, "folder": folder, "served": self.served,
                    "idle_s": round(time.monotonic() - self.last, 1), "up_s": round(time.time() - self.started, 1)}
        self.busy += 1
        try:
            if self.version is not None and await self._catalog_version() != self.version:
                # the catalog changed since this worker loaded it (another process, or an admin command it ran
                # itself): a one-shot command would load it afresh, so this worker retires and the client runs cold
                self.stop.set()
                return {"ok": False, "why": "stale"}
            return await self._ask(request)
        finally:
            self.busy -= 1
            self.last = time.monotonic()

    async def _catalog_version(self) -> str | None:
        """The catalog's version now (:func:`core.cache_key.version_of`: changes with every write to tracks or
        labels, whoever makes it — the start-up cache's key); None when it cannot be read."""
        from core.cache_key import version_of

        try:
            return await version_of(self.engine.catalog)
        except Exception:  # noqa: BLE001 - unreadable now: the request will say why
            return None

    async def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        from bot.oneshot import answer, print_error
        from core.errors import MusicBotError

        out, err = _consoles(request)
        code = 0
        logs: list[str] = []
        token = _request_logs().set(logs)
        try:
            await answer(self.engine, self.settings, request["text"], request["conversation"], request["user"],
                         request["json"], out, err)
        except MusicBotError as exc:
            print_error(err, exc)
            code = 1
        except Exception:  # noqa: BLE001 - the client runs the request itself and shows what happens there
            import logging

            _request_logs().reset(token)
            token = None
            logging.getLogger(__name__).exception("resident worker: request failed")
            return {"ok": False, "why": "error"}
        finally:
            if token is not None:
                _request_logs().reset(token)
        self.served += 1
        return {"ok": True, "code": code, "stdout": out.file.getvalue(), "stderr": "".join(logs) + err.file.getvalue()}

    async def run(self, path: Path) -> None:
        """Serve on the Unix socket ``path`` until stopped or idle for :attr:`idle_s` seconds."""
        import asyncio

        path.unlink(missing_ok=True)  # the caller holds the key's lock: a socket left there is a dead worker's
        server = await asyncio.start_unix_server(self.handle, path=str(path), limit=MAX_REQUEST)
        os.chmod(path, 0o600)
        try:
            while not self.stop.is_set():
                try:
                    await asyncio.wait_for(self.stop.wait(), timeout=1.0)
                except asyncio.TimeoutError:
                    pass
                if not self.busy and time.monotonic() - self.last > self.idle_s:
                    break
        finally:
            server.close()
            path.unlink(missing_ok=True)
            # requests already running finish and get their reply (their conversation's lease is given back) before
            # the engine closes; a turn is bounded by the agent's own deadline
            deadline = time.monotonic() + DRAIN_S
            while self.busy and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await server.wait_closed()


async def serve(key: str, db: str | None, folder: Path, idle_s: float) -> None:
    """Run the worker for ``key``: take the key's lock (another worker holding it: return at once), open the engine
    on ``db`` (``--db``, else ``DATABASE_URL``) as the chat does, fit the text model, serve, close. An in-memory
    catalog gets no worker (each one-shot command has its own)."""
    import asyncio
    import fcntl
    import signal

    with open(folder / f"{key}.lock", "a+b") as lock:
        # a worker stopping (stale code, `worker stop`) still holds the lock for a moment: wait for it a little; a
        # live one keeps it, and this process gives up
        for _ in range(LOCK_WAIT_S * 10):
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            return
        from bot.app import build_engine, resolve_db, settle_heap, setup_logging
        from bot.settings import Settings

        global _LOG_PATH
        _LOG_PATH = folder / f"{key}.log"
        settings = Settings()
        setup_logging(settings)
        target = resolve_db(settings, Path(db) if db else None)
        if target == ":memory:" or target.startswith("file::memory:"):
            return
        _capture_request_logs()
        # no following of other processes' changes: a changed catalog retires the worker (see Worker._reply), so
        # what it answers is always what a one-shot command on the same catalog would
        engine = await build_engine(settings, Path(db) if db else None, follow=False)
        try:
            # everything a first request would otherwise load, before the socket is there: the text model, the
            # stores' connections and statements, the agent, the console rendering
            settle_heap(engine, warm_agent=False)
            await engine.app.chat.warm_up()
            import bot.oneshot  # noqa: F401 - the reply's rendering (rich, the console adapter)
            import adapters.console.render  # noqa: F401
            worker = Worker(engine, settings, target, idle_s)
            from core.startup_cache import loaded_version

            # the version the table was read at (a change committed while this worker started is then seen); read
            # now when the table came from no cache file (MUSICBOT_CACHE=0)
            worker.version = loaded_version(engine.loaded.table) or await worker._catalog_version()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, worker.stop.set)
            await worker.run(socket_path(folder, key))
        finally:
            await engine.close()
            if not _WARNED:  # nothing went wrong: no log left behind
                import logging

                logging.shutdown()
                for name in (f"{key}.log", f"{key}.log.1"):
                    (folder / name).unlink(missing_ok=True)


def serve_main() -> None:
    """The worker process (started by :func:`start`): its arguments are one JSON object ``{"key", "db", "folder"}``
    in ``sys.argv[1]``."""
    import asyncio

    from core.regex_cache import install

    install()
    args = json.loads(sys.argv[1])
    asyncio.run(serve(args["key"], args["db"], Path(args["folder"]), idle_seconds()))

"""A throwaway PostgreSQL server for tests: ``initdb`` + ``pg_ctl`` in a temp dir, on a free loopback port, run as
the ``postgres`` user when the tests run as root (the server refuses root), stopped at the end.

Where the server binaries are missing the PostgreSQL tests skip with the reason — except in CI (``CI=true``), where
``.ci/run`` installs them and a missing server is a failure.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


def find_bin(name: str) -> str | None:
    """Path of a PostgreSQL server program (``initdb``, ``pg_ctl``) on PATH or in the Debian locations."""
    found = shutil.which(name)
    if found:
        return found
    for folder in BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _cmd(as_user: list[str], *args: str) -> list[str]:
    """``args`` run as the ``postgres`` user: ``runuser -u postgres -- args…``, or ``su postgres -c 'args…'``."""
    if as_user and as_user[-1] == "-c":
        import shlex

        return [*as_user, shlex.join(args)]
    return [*as_user, *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    """A running server: ``dsn()`` gives a ``postgresql://`` URL for a database; ``create_database()`` makes one."""

    root: Path
    port: int
    pg_ctl: str
    as_user: list[str]

    def dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql://musicbot@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, prefix: str = "t") -> str:
        """Create an empty database and return its URL (each test gets its own)."""
        import asyncio

        import asyncpg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"

        async def go() -> None:
            conn = await asyncpg.connect(self.dsn())
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()

        asyncio.run(go())
        return self.dsn(name)

    def stop(self) -> None:
        subprocess.run(_cmd(self.as_user, self.pg_ctl, "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"),
                       capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


#: The file in a server's folder naming the test process that started it (see :func:`sweep_orphans`).
OWNER_FILE = "owner.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_orphans(pg_ctl: str, as_user: list[str], base: Path | None = None) -> list[Path]:
    """Stop and remove the servers of earlier test runs that were killed before their teardown (their owner process
    is gone; the server, its parent now PID 1, would hold its port and disk for good). Servers of runs still going
    (another worktree's tests) are left alone. Returns the folders removed."""
    removed = []
    for root in sorted((base or Path(tempfile.gettempdir())).glob("musicbot-pg-*")):
        try:
            owner = int((root / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue  # not ours to judge (no owner written)
        if _alive(owner):
            continue
        if (root / "data" / "postmaster.pid").exists():
            subprocess.run(_cmd(as_user, pg_ctl, "-D", str(root / "data"), "-m", "immediate", "-w", "stop"),
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
        removed.append(root)
    return removed


def start_server() -> PgServer | str:
    """Start a server, or return the reason it cannot run here (a string). Servers left by killed runs are stopped
    first (:func:`sweep_orphans`)."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found; install the postgresql package"
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="musicbot-pg-"))
    (root / OWNER_FILE).write_text(str(os.getpid()))
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the PostgreSQL server"
        runner = shutil.which("runuser") or shutil.which("su")
        if runner is None:
            return "running as root and neither runuser nor su is available"
        as_user = [runner, "-u", "postgres", "--"] if runner.endswith("runuser") else [runner, "postgres", "-s",
                                                                                     "/bin/sh", "-c"]
        os.chown(root, pw.pw_uid, pw.pw_gid)
        root.chmod(0o700)
    sweep_orphans(pg_ctl, as_user)
    data = root / "data"
    port = _free_port()
    init = subprocess.run(_cmd(as_user, initdb, "-D", str(data), "-A", "trust", "-U", "musicbot", "-E", "UTF8",
                               "--no-sync"), capture_output=True, text=True, timeout=120)
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        return f"initdb failed: {init.stderr.strip()[-300:]}"
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    start = subprocess.run(_cmd(as_user, pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"),
                           capture_output=True, text=True, timeout=120)
    if start.returncode != 0:
        log = (root / "log").read_text(errors="replace")[-300:] if (root / "log").exists() else start.stderr
        shutil.rmtree(root, ignore_errors=True)
        return f"pg_ctl start failed: {log.strip()}"
    return PgServer(root=root, port=port, pg_ctl=pg_ctl, as_user=as_user)

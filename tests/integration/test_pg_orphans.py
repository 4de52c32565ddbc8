"""A throwaway PostgreSQL server whose test run was killed is stopped and removed by the next run (tests/pgserver.py:
sweep_orphans); a server whose run is still going is left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.pgserver import OWNER_FILE, PgServer, start_server, sweep_orphans


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def server() -> PgServer:
    started = start_server()
    if isinstance(started, str):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must test PostgreSQL: {started}")
        pytest.skip(started)
    yield started
    started.stop()


def test_a_server_of_a_killed_run_is_stopped_and_removed(server: PgServer) -> None:
    assert _accepts(server.port)
    (server.root / OWNER_FILE).write_text(str(_dead_pid()))  # its run is gone
    removed = sweep_orphans(server.pg_ctl, server.as_user, base=server.root.parent)
    assert server.root in removed
    assert not server.root.exists()
    assert not _accepts(server.port)


def test_a_server_of_a_live_run_is_left_alone(server: PgServer) -> None:
    removed = sweep_orphans(server.pg_ctl, server.as_user, base=server.root.parent)
    assert server.root not in removed
    assert server.root.exists() and _accepts(server.port)

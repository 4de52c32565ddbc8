"""Startup failures of ``musicbot telegram`` / ``musicbot discord`` (issue 9 §4 "Secrets in output"): a rejected
token, a server error, a closed port or an unknown host end in one clear line on stderr and a non-zero exit; no
secret and no traceback is printed (tracebacks only at ``LOG_LEVEL=DEBUG``, redacted too).

The CLI runs in a subprocess against small HTTP servers on 127.0.0.1 standing in for the Telegram Bot API
(``TELEGRAM_API_BASE_URL``) and Discord's REST API (``DISCORD_API_BASE_URL``).
"""

from __future__ import annotations

import re

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.startup import failure_line, redact, run_bot

ROOT = Path(__file__).resolve().parents[2]
TG_TOKEN = "123456789:AAHsecretSECRETsecretSECRETsecret123"
DC_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.secretSECRETsecretSECRETsecret12"
SECRET_BITS = ("secretSECRET", "AAHsecret")


class _Api(BaseHTTPRequestHandler):
    status = 401

    def _answer(self) -> None:
        body = json.dumps(
            {"ok": False, "error_code": self.status, "description": "Unauthorized" if self.status == 401 else
             "Internal Server Error", "message": "401: Unauthorized", "code": 0}
        ).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator:
    """``start(status)`` -> base address of a loopback server answering every request with ``status``."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int) -> str:
        handler = type("Handler", (_Api,), {"status": status})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("startup") / "m.db"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def run_cli(args: list[str], db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "_API_KEY", "_BASE_URL"))}
    clean.update({"PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING", **env})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args, "--db", str(db)],
        cwd=db.parent, env=clean, capture_output=True, text=True, timeout=240,
    )


def check_one_line(proc: subprocess.CompletedProcess[str], platform: str, *words: str) -> str:
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in out and not any(bit in out for bit in SECRET_BITS), out
    failure = [ln for ln in proc.stderr.splitlines() if ln.startswith(f"musicbot {platform}:")]
    assert len(failure) == 1 and proc.stderr.rstrip().endswith(failure[0]), proc.stderr
    assert not [ln for ln in proc.stderr.splitlines() if " ERROR " in ln], proc.stderr  # no library error records
    for word in words:
        assert word in failure[0], failure[0]
    return failure[0]


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (401, ("rejected TELEGRAM_BOT_TOKEN",)),
        (500, ("server error", "500")),
        ("closed", ("could not connect",)),
    ],
    ids=["bad-token-401", "server-500", "closed-port"],
)
def test_telegram_startup_failures_end_in_one_line(api, db, kind, words):
    base = api(kind) if isinstance(kind, int) else f"http://127.0.0.1:{closed_port()}"
    proc = run_cli(["telegram"], db, TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_API_BASE_URL=f"{base}/bot")
    check_one_line(proc, "telegram", *words)


def test_telegram_traceback_only_at_debug_and_redacted(api, db):
    proc = run_cli(["telegram"], db, TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_API_BASE_URL=f"{api(401)}/bot",
                   LOG_LEVEL="DEBUG")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" in out
    assert not any(bit in out for bit in SECRET_BITS)
    # at DEBUG a library's worker thread may still log a line after it; the last line that is not a log record is ours
    ours = [ln for ln in proc.stderr.rstrip().splitlines() if not re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", ln)]
    assert ours[-1].startswith("musicbot telegram: ")


@pytest.mark.parametrize(
    ("kind", "words"),
    [(401, ("rejected DISCORD_BOT_TOKEN",)), ("closed", ("could not connect",))],
    ids=["bad-token-401", "closed-port"],
)
def test_discord_startup_failures_end_in_one_line(api, db, kind, words):
    base = api(kind) if isinstance(kind, int) else f"http://127.0.0.1:{closed_port()}"
    proc = run_cli(["discord"], db, DISCORD_BOT_TOKEN=DC_TOKEN, DISCORD_API_BASE_URL=f"{base}/api/v10")
    line = check_one_line(proc, "discord", *words)
    assert "voice" not in proc.stderr and line


# ---------------------------------------------------------------------------------------------- the mapping itself
def _raised(outer: BaseException, cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer from inner
    except BaseException as exc:
        return exc


def test_failure_lines_for_library_exceptions():
    import aiohttp
    import discord
    import httpx
    import telegram.error as tg

    class Resp:  # what discord.HTTPException reads from an aiohttp response
        status, reason = 503, "Service Unavailable"

    secrets = [TG_TOKEN, DC_TOKEN]
    cases = {
        tg.InvalidToken(f"The token `{TG_TOKEN}` was rejected by the server."): "rejected TELEGRAM_BOT_TOKEN",
        tg.NetworkError("Bad Gateway"): "server error",
        _raised(tg.NetworkError("httpx.ConnectError: [Errno -2] Name or service not known"),
                httpx.ConnectError("[Errno -2] Name or service not known")): "DNS lookup failed",
        tg.TimedOut(): "did not answer in time",
        _raised(tg.NetworkError(f"httpx.ConnectError: https://api.telegram.org/bot{TG_TOKEN}/getMe"),
                ConnectionRefusedError(111, "Connection refused")): "could not connect",
    }
    for exc, words in cases.items():
        line = failure_line(exc, "telegram", secrets, "https://api.telegram.org")
        assert words in line and "\n" not in line and TG_TOKEN not in line, line
    dcases = {
        discord.LoginFailure("Improper token has been passed."): "rejected DISCORD_BOT_TOKEN",
        discord.DiscordServerError(Resp(), {"message": "upstream"}): "HTTP 503",
        aiohttp.ClientConnectorError(
            aiohttp.client_reqrep.ConnectionKey("discord.com", 443, True, None, None, None, None),
            socket.gaierror(-2, "Name or service not known"),
        ): "DNS lookup failed",
        RuntimeError(f"weird {DC_TOKEN}\nsecond line"): "RuntimeError: weird ***",
    }
    for exc, words in dcases.items():
        line = failure_line(exc, "discord", secrets)
        assert words in line and "\n" not in line and DC_TOKEN not in line, line


def test_token_shapes_are_redacted_even_when_not_configured():
    assert redact(f"https://api.telegram.org/bot{TG_TOKEN}/getMe") == "https://api.telegram.org/bot***/getMe"
    assert DC_TOKEN not in redact(f"token {DC_TOKEN}")


def test_run_bot_returns_1_and_prints_one_line(capsys):
    settings = Settings(_env_file=None, telegram_bot_token=TG_TOKEN, database_url="sqlite:///:memory:")

    def start() -> None:
        raise ValueError(f"boom with {TG_TOKEN}")

    assert run_bot("telegram", settings, start) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and TG_TOKEN not in err and "boom" in err
    assert run_bot("telegram", settings, lambda: None) == 0

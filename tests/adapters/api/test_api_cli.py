"""``musicbot api`` as people start it: one command serves the API (a real process on a free loopback port, a private
copy of the seeded catalog); bad options exit 1 with one clear line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api_harness import closed_port

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("API_", "TELEGRAM_", "DATABASE_URL"))}
    env.update({"SHORT_LINK_TIMEOUT_S": "0", "DEEZER_API_BASE_URL": f"http://127.0.0.1:{closed_port()}",
                "ITUNES_API_BASE_URL": f"http://127.0.0.1:{closed_port()}", **extra})
    return env


def test_musicbot_api_serves_the_api_and_the_docs(db_copy: Path, tmp_path: Path) -> None:
    port = closed_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--db", str(db_copy), "api", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=_env(tmp_path, API_ADMIN_KEY="cli-test-key-123456", PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if httpx.get(f"{base}/api/v1/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "musicbot api did not come up"
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as c:
            assert len(c.get("/api/v1/songs/", params={"limit": 3}).json()) == 3
            assert c.get("/docs").status_code == 200 and c.get("/redoc").status_code == 200
            rec = c.post("/api/v1/recommend/text", json={"text_input": "happy upbeat pop", "limit": 10})
            assert rec.status_code == 200 and len(rec.json()["tracks"]) == 10
            tid = rec.json()["tracks"][0]["track_id"]
            assert c.delete(f"/api/v1/songs/{tid}").status_code == 401
            deleted = c.delete(f"/api/v1/songs/{tid}", headers={"Authorization": "Bearer cli-test-key-123456"})
            assert deleted.status_code == 200 and c.get(f"/api/v1/songs/{tid}").status_code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_plain_http_webhook_url_is_one_clear_line(db_copy: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--db", str(db_copy), "api", "--port", str(closed_port()),
         "--telegram-webhook-url", "http://example.org/hook"],
        cwd=tmp_path, env=_env(tmp_path, TELEGRAM_BOT_TOKEN="123456789:AAFakeTokenForTests_abcdefghijklmno",
                               PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "https://" in lines[0] and "Traceback" not in result.stderr
    assert "AAFakeToken" not in result.stderr

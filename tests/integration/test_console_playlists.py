"""The console chat (``musicbot chat``) and ``musicbot ask`` with playlists, feedback and previews (issue 6).

typer's CliRunner drives the real REPL on a real SQLite copy of the shipped catalog; preview lookups go to fake
Deezer / iTunes servers on 127.0.0.1 (run on their own event loop in a thread, since the CLI runs its own).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.fakes.music_apis import FakeMusicApis

runner = CliRunner()
LINK = re.compile(r"https://open\.spotify\.com/track/([0-9A-Za-z]{22})")
PREVIEW = "https://cdn.example/deezer/blinding-lights.mp3"


@pytest.fixture
def fake_apis() -> Iterator[FakeMusicApis]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    apis = FakeMusicApis()
    asyncio.run_coroutine_threadsafe(apis.__aenter__(), loop).result(10)
    apis.deezer.add("Blinding Lights", "The Weeknd", PREVIEW)
    try:
        yield apis
    finally:
        asyncio.run_coroutine_threadsafe(apis.__aexit__(None, None, None), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_apis: FakeMusicApis) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for key in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY", "DATABASE_URL", "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"):
        monkeypatch.delenv(key, raising=False)
    return {
        "COLUMNS": "200",
        "DEEZER_API_BASE_URL": fake_apis.deezer.root,
        "ITUNES_API_BASE_URL": fake_apis.itunes.root,
        "PREVIEW_TIMEOUT_S": "1",
    }


def chat(db: Path, env: dict[str, str], *lines: str) -> str:
    result = runner.invoke(app, ["chat", "--db", str(db)], input="\n".join([*lines, "/quit"]) + "\n", env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_console_playlist_flow(db_copy: Path, env: dict[str, str]) -> None:
    out = chat(
        db_copy,
        env,
        "/playlist create Road Trip",
        "/recommend upbeat summer pop",
        "/playlist add Road Trip | #1; #2",
        "add Blinding Lights to road trip",
        "show road trip",
        "/like #3",
        "I don't like #1",
        "preview #3",
        "/playlist recommend Road Trip",
        "export road trip",
        "/playlists",
        "rename road trip to Summer Drive",
        "/playlist show Summer Drive",
    )
    assert 'Created playlist "Road Trip"' in out
    assert 'Added 2 tracks to "Road Trip" (2/500).' in out
    assert 'Added "Blinding Lights - The Weeknd" to "road trip"' in out or 'to "Road Trip" (3/500)' in out
    assert "Road Trip — 3 tracks" in out and "page 1/1" in out  # the page table
    assert 'Liked "Blinding Lights - The Weeknd"' in out
    assert "Disliked" in out
    assert f"Preview of Blinding Lights - The Weeknd: {PREVIEW}" in out
    assert 'Tracks for "Road Trip" (3 tracks in it)' in out
    assert '"Road Trip" — 3 Spotify links' in out
    assert "Playlists" in out and "Road Trip" in out  # the /playlists table
    assert 'Renamed "Road Trip" to "Summer Drive".' in out
    assert "Summer Drive — 3 tracks" in out and "Bye!" in out

    # the console group is the one `musicbot playlist` and `musicbot ask` use
    listed = runner.invoke(app, ["playlist", "show", "Summer Drive", "--db", str(db_copy), "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    page = json.loads(listed.output)
    tracks = [e["track_id"] for e in page["tracks"]]
    assert len(tracks) == 3 and tracks[2] == "0sf12qNH5qcw8qpgymFOqD"  # Blinding Lights
    asked = runner.invoke(app, ["ask", "/playlist export summer drive", "--db", str(db_copy)], env=env)
    assert asked.exit_code == 0 and LINK.findall(asked.output) == tracks


def test_console_playlist_errors_never_crash_the_repl(db_copy: Path, env: dict[str, str]) -> None:
    out = chat(
        db_copy,
        env,
        "/playlist show Nowhere",
        "/playlist add Nowhere | #1",
        "/like #7",
        "/playlist create " + "x" * 150,
        "/playlist frobnicate",
        "/preview qqqqzzzzxxxx",
        "delete playlist Nowhere",
    )
    assert out.count('No playlist "Nowhere" here') == 3
    assert "There is no #7" in out and "at most 100 characters" in out
    assert "Unknown playlist command" in out and 'No track found for "qqqqzzzzxxxx"' in out
    assert "Sorry, something went wrong" not in out and "Bye!" in out

"""``musicbot addsong|editsong|delsong`` (the admin CLI) and the console chat's /addsong …: one service, one parser.

Real SQLite copy of the shipped catalog; typer's CliRunner runs the real commands.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.engine import Engine
from core.models import Caller, Role

runner = CliRunner()
NEW_ID = "0123456789abcdefABCDEF"
FEATURES = ["danceability=0.7", "energy=0.8", "key=5", "loudness=-6", "mode=1", "speechiness=0.05",
            "acousticness=0.1", "instrumentalness=0", "liveness=0.1", "valence=0.6", "tempo=120"]


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for key in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY", "DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def song_json(db: Path, ref: str) -> tuple[int, dict | str]:
    code, out = invoke("song", ref, "--db", str(db), "--json")
    return code, (json.loads(out) if code == 0 else out)


def test_add_edit_delete_round_trip(db_copy: Path) -> None:
    db = str(db_copy)
    code, out = invoke("addsong", f"track_id=https://open.spotify.com/track/{NEW_ID}?si=abc", "title=Don't Stop",
                       "Me Now", "artist=Somebody, Else", *FEATURES, "genre=pop", "--db", db, "--json")
    assert code == 0, out
    added = json.loads(out)
    assert added["ok"] and added["action"] == "added"
    assert added["track"]["track_id"] == NEW_ID and added["track"]["title"] == "Don't Stop Me Now"
    assert added["track"]["artists"] == ["Somebody", "Else"] and added["track"]["tempo"] == 120.0

    code, out = invoke("editsong", NEW_ID, "energy=0.3", "bpm=99", "--db", db, "--json")
    assert code == 0, out
    edited = json.loads(out)
    assert edited["action"] == "updated" and sorted(edited["fields"]) == ["energy", "tempo"]
    code, shown = song_json(db_copy, NEW_ID)
    assert code == 0 and shown["energy"] == 0.3 and shown["tempo"] == 99.0 and shown["valence"] == 0.6

    code, out = invoke("delsong", "Don't Stop Me Now - Somebody", "--db", db)
    assert code == 0 and "Deleted: Don't Stop Me Now" in out
    code, out = song_json(db_copy, NEW_ID)
    assert code == 1 and "No track found" in out


@pytest.mark.parametrize(
    "args, field, words",
    [
        (["editsong", "Blinding Lights - The Weeknd", "energy=2"], "energy", "between 0 and 1"),
        (["editsong", "Blinding Lights - The Weeknd", "colour=red"], "colour", "Unknown field"),
        (["editsong", "Blinding Lights - The Weeknd", "energy=0.1", "key=1.5"], "key", "whole number"),
        (["editsong", "Blinding Lights - The Weeknd", "track_id=" + NEW_ID], "track_id", "Unknown field"),
        (["addsong", f"track_id={NEW_ID}", "title=T", "artist=A", "energy=0.5"], "danceability", "Missing audio"),
    ],
)
def test_bad_input_exits_1_names_the_field_and_changes_nothing(db_copy: Path, args: list[str], field: str,
                                                               words: str) -> None:
    _, before = song_json(db_copy, "Blinding Lights - The Weeknd")
    code, out = invoke(*args, "--db", str(db_copy), "--json")
    assert code == 1
    error = json.loads(out)
    assert error["ok"] is False and error["field"] == field and words in error["error"]
    assert song_json(db_copy, "Blinding Lights - The Weeknd")[1] == before
    assert song_json(db_copy, NEW_ID)[0] == 1  # nothing was added either


def test_unknown_song_and_duplicate_id_are_refused(db_copy: Path) -> None:
    db = str(db_copy)
    code, out = invoke("delsong", "Blindng Lightz Remixx", "--db", db)
    assert code == 1 and "No track found" in out
    code, out = invoke("editsong", "Blindng Lights", "energy=0.5", "--db", db)
    assert code == 1 and "No track found" in out  # an edit never lands on a fuzzy guess
    _, existing = song_json(db_copy, "Blinding Lights - The Weeknd")
    tid = existing["track_id"]
    code, out = invoke("addsong", f"track_id={tid}", "title=X", "artist=Y", *FEATURES, "--db", db)
    assert code == 1 and "already exists" in out
    code, out = invoke("addsong", "--db", db)
    assert code == 2  # usage error: no fields


async def test_console_chat_admin_commands_use_the_same_service(engine: Engine) -> None:
    admin = Caller(user_id="local", platform="console", role=Role.ADMIN)
    user = Caller(user_id="someone", platform="console")
    reply = await engine.app.chat.chat("console:t", user, f"/addsong {NEW_ID} | T | A | " + " ".join(FEATURES))
    assert reply.text.startswith("Sorry, only admins can add a track")
    assert NEW_ID not in engine.loaded.table.pos
    reply = await engine.app.chat.chat("console:t", admin, f"/addsong {NEW_ID} | Test Song | Test Artist | " + " ".join(FEATURES))
    assert reply.text.startswith("Added: Test Song - Test Artist") and NEW_ID in engine.loaded.table.pos
    await engine.app.chat.chat("console:t", admin, "/search Test Song Test Artist")
    reply = await engine.app.chat.chat("console:t", admin, "/editsong #1 | valence=0.25")  # #N of the list on screen
    assert reply.text.startswith("Updated: Test Song") and "valence" in reply.text
    assert engine.loaded.table.track(engine.loaded.table.pos[NEW_ID]).valence == 0.25
    reply = await engine.app.chat.chat("console:t", admin, "/delsong #1")
    assert reply.text.startswith("Deleted: Test Song") and NEW_ID not in engine.loaded.table.pos

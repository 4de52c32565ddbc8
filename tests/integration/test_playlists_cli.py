"""``musicbot playlist ...`` end to end (typer CliRunner) on a pre-seeded small catalog file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.engine import Engine
from tests.fakes.music_apis import write_small_catalog

runner = CliRunner()


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    csv = write_small_catalog(root / "small.csv", include=("Blinding Lights", "Say So"))
    path = root / "template.db"

    async def seed() -> None:
        eng = await Engine.open(path, seed_path=csv)
        await eng.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await eng.close()

    asyncio.run(seed())
    return path


@pytest.fixture
def db(template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    target = tmp_path / "cli.db"
    target.write_bytes(template_db.read_bytes())
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("CONSOLE_ADMIN", "false")  # so --user permissions are real in these tests
    return str(target)


def cli(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["playlist", *args], input=input)
    return result.exit_code, result.output


def js(*args: str) -> dict | list:
    code, out = cli(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_full_cycle_with_json(db: str) -> None:
    created = js("create", "Road Trip", "--db", db, "--user", "alice")
    assert created["playlist"]["name"] == "Road Trip" and created["playlist"]["created_by"] == "console:alice"
    added = js("add", "road trip", "Blinding Lights - The Weeknd", "Say So", "--db", db, "--user", "alice")
    assert [t["track_name"] for t in added["added"]] == ["Blinding Lights", "Say So"]
    assert added["playlist"]["track_count"] == 2
    dup = js("add", "Road Trip", "Blinding Lights", "--db", db, "--user", "bob")
    assert dup["added"] == [] and "already in" in dup["message"]
    page = js("show", "Road Trip", "--db", db, "--per-page", "1", "--page", "2")
    assert (page["page"], page["pages"], page["total"]) == (2, 2, 2)
    assert page["tracks"][0]["index"] == 2 and page["tracks"][0]["track"]["track_name"] == "Say So"
    listed = js("list", "--db", db)
    assert [p["name"] for p in listed["playlists"]] == ["Road Trip"]
    recs = js("recommend", "Road Trip", "--db", db, "-n", "5", "--user", "bob")
    assert len(recs) == 5 and all(r["spotify_url"].startswith("https://open.spotify.com/track/") for r in recs)
    exported = js("export", "Road Trip", "--db", db)
    assert exported["uris"] == [f"spotify:track:{i}" for i in exported["track_ids"]]
    renamed = js("rename", "Road Trip", "Summer", "--db", db, "--user", "alice")
    assert renamed["playlist"]["name"] == "Summer"
    removed = js("remove", "Summer", "#1", "--db", db, "--user", "alice")
    assert len(removed["removed"]) == 1
    deleted = js("delete", "Summer", "--db", db, "--user", "alice")
    assert deleted["deleted"]["name"] == "Summer"
    assert js("list", "--db", db)["playlists"] == []


def test_text_output_export_file_and_groups(db: str, tmp_path: Path) -> None:
    assert cli("create", "Mix", "--db", db, "--group", "telegram:-100")[0] == 0
    code, out = cli("add", "Mix", "Blinding Lights", "--db", db, "--group", "telegram:-100")
    assert code == 0 and 'Added "Blinding Lights - The Weeknd" to "Mix" (1/500).' in out
    code, out = cli("show", "Mix", "--db", db, "--group", "telegram:-100")
    assert code == 0 and "Blinding Lights" in out and "open.spotify.com/track/" in out
    code, out = cli("export", "Mix", "--db", db, "--group", "telegram:-100", "--format", "uris")
    assert code == 0 and out.strip().startswith("spotify:track:")
    target = tmp_path / "mix.txt"
    code, out = cli("export", "Mix", "--db", db, "--group", "telegram:-100", "-o", str(target))
    assert code == 0 and target.read_text().startswith("https://open.spotify.com/track/")
    code, out = cli("show", "Mix", "--db", db)  # another group: not visible
    assert code == 1 and 'No playlist "Mix"' in out


def test_errors_exit_1_with_one_line(db: str) -> None:
    cli("create", "Mine", "--db", db, "--user", "alice")
    code, out = cli("delete", "Mine", "--db", db, "--user", "bob", "--yes")
    assert code == 1 and "only admins can delete a playlist" in out
    code, out = cli("add", "Mine", "zzqx no such song qqq", "--db", db)
    assert code == 1 and "No track found" in out
    code, out = cli("create", "Mine", "--db", db)
    assert code == 1 and "already exists" in out
    code, out = cli("create", "x", "--db", db, "--group", "bad group")
    assert code == 1 and "Invalid group id" in out
    code, out = cli("export", "Mine", "--db", db, "--format", "csv")
    assert code == 1 and "--format" in out
    code, out = cli("delete", "Mine", "--db", db, "--user", "alice", input="n\n")
    assert code == 1
    assert cli("show", "Mine", "--db", db)[0] == 0  # still there

"""The CLI on the real shipped catalog (typer's CliRunner, real SQLite copy via --db)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()
LINK = re.compile(r"https://open\.spotify\.com/track/[0-9A-Za-z]{22}")


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for key in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY", "DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_ask_recommend_prints_ten_tracks_with_links(db_copy: Path) -> None:
    code, out = invoke("ask", "/recommend chill study music", "--db", str(db_copy))
    assert code == 0, out
    assert len(set(LINK.findall(out))) == 10


def test_recommend_json_shape(db_copy: Path) -> None:
    code, out = invoke("recommend", "upbeat 90s dance", "--db", str(db_copy), "--json", "--limit", "5")
    assert code == 0, out
    tracks = json.loads(out)
    assert len(tracks) == 5
    for t in tracks:
        assert {"track_id", "track_name", "track_artist", "genres", "energy", "tempo", "valence", "score", "reason",
                "spotify_url"} <= set(t)  # fmt: skip
        assert t["spotify_url"] == f"https://open.spotify.com/track/{t['track_id']}"
        assert 0 <= t["score"] <= 1


def test_similar_search_song_and_filters(db_copy: Path) -> None:
    code, out = invoke("similar", "Blinding Lights - The Weeknd", "--db", str(db_copy), "--json", "--year-min", "2015")
    assert code == 0, out
    tracks = json.loads(out)
    assert len(tracks) == 10 and all(t["year"] >= 2015 for t in tracks)
    assert all(t["track_name"] != "Blinding Lights" for t in tracks)
    code, out = invoke("search", "daft punk", "--db", str(db_copy), "--limit", "3")
    assert code == 0 and "Daft Punk" in out and len(LINK.findall(out)) == 3
    code, out = invoke("song", "One More Time", "--db", str(db_copy))
    assert code == 0 and "BPM" in out and "Daft Punk" in out


def test_unknown_song_and_bad_input_exit_1_with_a_clear_message(db_copy: Path) -> None:
    code, out = invoke("similar", "Blindng Lightz Remixx", "--db", str(db_copy))
    assert code == 1 and "No track found" in out and "Did you mean" in out
    code, out = invoke("recommend", "x" * 2001, "--db", str(db_copy))
    assert code == 1 and "2,000" in out
    code, out = invoke("recommend", "chill", "--db", str(db_copy), "--limit", "0")
    assert code != 0


def test_import_reports_bad_rows_and_refuses_non_csv(db_copy: Path, tmp_path: Path) -> None:
    from tests.integration.test_import import write_spotify_tracks

    src = tmp_path / "dataset.csv"
    write_spotify_tracks(src)
    code, out = invoke("import", str(src), "--db", str(db_copy))
    assert code == 0, out
    assert "spotify-tracks" in out and "4 rows skipped" in out and "row 5: missing track_id" in out
    assert "28,358 tracks" in out
    bad = tmp_path / "cover.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    code, out = invoke("import", str(bad), "--db", str(db_copy))
    assert code == 1 and "UTF-8" in out


def test_chat_repl_survives_bad_input(db_copy: Path) -> None:
    session = "\n".join(["", "/similar qqqqzzzz", "/recommend " + "y" * 2500, "/nonsense", "/search daft punk", "/quit"])
    result = runner.invoke(app, ["chat", "--db", str(db_copy)], input=session + "\n", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "No track found" in out and "2,000" in out and "Unknown command" in out
    assert "Daft Punk" in out and "Bye!" in out


def test_song_chart_writes_a_png_and_chat_chart_saves_one(db_copy: Path, tmp_path: Path, monkeypatch) -> None:
    from core import charts
    from core.charts import TRACK_CHART_PX, SET_CHART_PX, png_size

    monkeypatch.setattr(charts, "CHART_TIMEOUT_S", 120.0)  # an overloaded CI machine: a wait, not a timed check

    out_png = tmp_path / "blinding.png"
    code, out = invoke("song", "Blinding Lights - The Weeknd", "--db", str(db_copy), "--chart", str(out_png))
    assert code == 0, out
    assert "Chart saved" in out and png_size(out_png.read_bytes()) == TRACK_CHART_PX
    code, out = invoke("song", "Blinding Lights", "--db", str(db_copy), "--chart", str(tmp_path / "no" / "dir.png"))
    assert code == 1 and "No chart written" in out  # an unwritable path is said, the details still printed
    assert "danceability" in out

    from adapters.console.render import print_reply
    from rich.console import Console
    import asyncio

    async def chat_chart() -> list[str]:
        from core.engine import Engine
        from core.models import Caller

        engine = await Engine.open(db_copy)
        try:
            console = Console(record=True, width=200)
            await engine.app.chat.chat("console:t", Caller(), "/recommend chill study music")
            reply = await engine.app.chat.chat("console:t", Caller(), "/chart")
            print_reply(console, reply, chart_dir=tmp_path / "charts")
            return console.export_text().splitlines()
        finally:
            await engine.close()

    lines = asyncio.run(chat_chart())
    assert lines[0].startswith("10 tracks for “chill study music”, against what you asked for")
    saved = Path(lines[1].split("Chart saved: ", 1)[1].strip())
    assert saved.parent == tmp_path / "charts" and png_size(saved.read_bytes()) == SET_CHART_PX


def test_recommend_takes_the_count_from_the_text_unless_limit_is_given(db_copy: Path) -> None:
    """``musicbot recommend "give me 20 chill songs"`` printed 10 tracks: ``--limit`` defaulted to 10 and won."""
    code, out = invoke("recommend", "give me 20 chill songs", "--db", str(db_copy), "--json")
    assert code == 0 and len(json.loads(out)) == 20
    code, out = invoke("recommend", "give me 20 chill songs", "--db", str(db_copy), "--json", "-n", "3")
    assert code == 0 and len(json.loads(out)) == 3

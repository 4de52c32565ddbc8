"""The console chat (``musicbot chat``) in Spanish and German for the lines issue 10 left in English: playlist
commands, an admin command, ``/preview`` with no preview to be found (the preview servers are unreachable), ``/chart``
and the goodbye on ``/quit``.

typer's CliRunner drives the real REPL on a private SQLite copy of the shipped catalog. Each conversation starts with
a request in its language (which sets the conversation's language), so every later slash command is answered in it;
the same session in English shows the English lines, so the checks can fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()
UNREACHABLE = "http://127.0.0.1:1"  # nothing listens on port 1: every preview lookup fails at once

#: One session per language: a request, then the commands whose replies were English before.
SESSIONS = {
    "es": ["canciones tristes para llorar", "/playlist create Lluvia", "/playlist add Lluvia | #1",
           "/playlist add Lluvia | #1", "/playlists", "/playlist show Lluvia", "/playlist rename Lluvia | Tormenta",
           "/editsong #1 | energy=0.5", "/editsong #1 | energy=7", "/preview #1", "/chart",
           "/playlist show Nada", "/playlist delete Tormenta"],
    "de": ["traurige Lieder zum Weinen", "/playlist create Regentag", "/playlist add Regentag | #1",
           "/playlist add Regentag | #1", "/playlists", "/playlist show Regentag", "/playlist rename Regentag | Sturm",
           "/editsong #1 | energy=0.5", "/editsong #1 | energy=7", "/preview #1", "/chart",
           "/playlist show Nichts", "/playlist delete Sturm"],
    "en": ["sad songs to cry to", "/playlist create Rain", "/playlist add Rain | #1", "/playlist add Rain | #1",
           "/playlists", "/playlist show Rain", "/playlist rename Rain | Storm", "/editsong #1 | energy=0.5",
           "/editsong #1 | energy=7", "/preview #1", "/chart", "/playlist show Nowhere", "/playlist delete Storm"],
}

#: What each language must say (a line per command above), and the English lines none of the others may show.
EXPECTED = {
    "es": ["Lista «Lluvia» creada.", "a «Lluvia» (1/500).", "ya está en «Lluvia».", "Creada por", "Añadida por",
           "«Lluvia» ahora se llama «Tormenta».", "Actualizada: ", "energy tiene que estar entre 0 y 1 (no 7).",
           "No hay fragmento disponible de", "Escúchala en Spotify", "Gráfico guardado:",
           "Aquí no hay ninguna lista «Nada».", "Lista «Tormenta» borrada (1 canción).", "¡Hasta luego!"],
    "de": ["Playlist „Regentag“ angelegt.", "zu „Regentag“ hinzugefügt (1/500).", "ist schon in „Regentag“.",
           "Angelegt von", "Hinzugefügt von", "„Regentag“ heißt jetzt „Sturm“.", "Geändert: ",
           "energy muss zwischen 0 und 1 liegen (nicht 7).", "gibt es keine Hörprobe", "Auf Spotify anhören",
           "Diagramm gespeichert:", "Hier gibt es keine Playlist „Nichts“.", "Playlist „Sturm“ gelöscht (1 Titel).",
           "Tschüss!"],
    "en": ['Created playlist "Rain".', 'to "Rain" (1/500).', 'is already in "Rain".', "Created by", "Added by",
           'Renamed "Rain" to "Storm".', "Updated: ", "energy must be between 0 and 1 (got 7).",
           "No preview available for", "Listen on Spotify", "Chart saved:", 'No playlist "Nowhere" here.',
           'Deleted playlist "Storm" (1 track).', "Bye!"],
}
ENGLISH_ONLY = ["Created playlist", "Add songs with", "already in", "Created by", "Added by", "Renamed", "Updated:",
                "must be between", "No preview available", "Listen on Spotify", "Chart saved", "No playlist",
                "Deleted playlist", "Bye!", "Audio features", "tracks for", "Tracks", "Thinking"]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    from adapters.console import render
    from core import charts

    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setattr(render, "CHART_DIR", tmp_path / "charts")
    monkeypatch.setattr(charts, "CHART_TIMEOUT_S", 120.0)  # an overloaded machine: a wait, not a timed check
    for key in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY", "DATABASE_URL", "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"):
        monkeypatch.delenv(key, raising=False)
    return {"COLUMNS": "200", "DEEZER_API_BASE_URL": UNREACHABLE, "ITUNES_API_BASE_URL": UNREACHABLE,
            "PREVIEW_TIMEOUT_S": "1"}


def chat(db: Path, env: dict[str, str], lines: list[str]) -> str:
    result = runner.invoke(app, ["chat", "--db", str(db)], input="\n".join([*lines, "/quit"]) + "\n", env=env)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", ["es", "de", "en"])
def test_console_commands_speak_the_conversations_language(db_copy: Path, env: dict[str, str], lang: str,
                                                           tmp_path: Path) -> None:
    out = chat(db_copy, env, SESSIONS[lang])
    missing = [line for line in EXPECTED[lang] if line not in out]
    assert not missing, out
    assert len(list((tmp_path / "charts").glob("*.png"))) == 1  # /chart drew its picture
    after_request = "you>".join(out.split("you>")[2:])  # the request's list (catalog titles, genres) set aside
    if lang != "en":
        assert not [w for w in ENGLISH_ONLY if w in after_request], after_request


@pytest.mark.parametrize("lang", ["es", "de"])
def test_console_goodbye_in_a_resumed_conversation(db_copy: Path, env: dict[str, str], lang: str) -> None:
    """A conversation left at once after a restart says goodbye in its stored language."""
    chat(db_copy, env, SESSIONS[lang][:1])
    out = chat(db_copy, env, [])
    assert out.rstrip().endswith({"es": "¡Hasta luego!", "de": "Tschüss!"}[lang]), out

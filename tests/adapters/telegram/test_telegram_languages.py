"""Telegram in Spanish and German for the lines issue 10 left in English, end to end over real HTTP on 127.0.0.1:
playlist commands (``/pl_*``, ``/playlists``), admin commands (a saved change, an argument error, a refusal),
``/preview`` with no preview anywhere (the fake music servers know no track), ``/chart`` and an unknown command.

The conversation's language is set the way a person sets it: a first request in that language. The same session in
English shows the English lines, so every check can fail.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from tg_harness import ADMIN_ID, USER_ID, Harness
from tg_htmlcheck import check_html

from core import charts

PHOTO_WAIT_S = 120.0

#: Per language: the first request, then what each command must say (in order of :func:`_session`).
WORDS: dict[str, dict[str, Any]] = {
    "es": {"request": "canciones tristes para llorar", "name": "Lluvia",
           "created": "Lista “Lluvia” creada.", "added": "a «Lluvia» (1/500).", "already": "ya está en «Lluvia».",
           "list": "Listas de este chat (1)", "page": "1 canción", "buttons": "🎧 Recomendar a partir de ella",
           "saved": "Actualizada: ", "bad field": "energy tiene que estar entre 0 y 1 (no 7).",
           "denied": "Lo siento, solo un admin puede cambiar los datos de una canción.",
           "no preview": "No hay fragmento de 30 segundos de esta canción", "open": "Abrir en Spotify",
           "chart": "canciones", "unknown": "No conozco ese comando — mira /help.",
           "missing": "Aquí no hay ninguna lista «Nada». Mira /playlists", "delete ask": "¿Borrar la lista “Lluvia” (1 canción)?",
           "delete button": "🗑 Borrar"},
    "de": {"request": "traurige Lieder zum Weinen", "name": "Regentag",
           "created": "Playlist “Regentag” angelegt.", "added": "zu „Regentag“ hinzugefügt (1/500).",
           "already": "ist schon in „Regentag“.", "list": "Playlists in diesem Chat (1)", "page": "1 Titel",
           "buttons": "🎧 Passendes dazu", "saved": "Geändert: ",
           "bad field": "energy muss zwischen 0 und 1 liegen (nicht 7).",
           "denied": "Tut mir leid, nur Admins dürfen die Angaben eines Titels ändern.",
           "no preview": "Für diesen Titel gibt es keine 30-Sekunden-Hörprobe", "open": "In Spotify öffnen",
           "chart": "Titel", "unknown": "Diesen Befehl kenne ich nicht — schau in /help.",
           "missing": "Hier gibt es keine Playlist „Nada“. Schau in /playlists",
           "delete ask": "Die Playlist “Regentag” (1 Titel) löschen?", "delete button": "🗑 Löschen"},
    "en": {"request": "sad songs to cry to", "name": "Rain",
           "created": "Created playlist “Rain”.", "added": 'to "Rain" (1/500).', "already": 'is already in "Rain".',
           "list": "Playlists here (1)", "page": "1 track", "buttons": "🎧 Recommend from it", "saved": "Updated: ",
           "bad field": "energy must be between 0 and 1 (got 7).",
           "denied": "Sorry, only admins can change fields of a track.",
           "no preview": "No 30-second preview is available for this track", "open": "Open in Spotify",
           "chart": "tracks", "unknown": "I don't know that command — see /help.",
           "missing": "No playlist “Nada” in this chat.", "delete ask": "Delete the playlist “Rain” (1 track)?",
           "delete button": "🗑 Delete"},
}


def text_of(call: Any) -> str:
    return html.unescape(check_html(call.params.get("text") or call.params.get("caption") or ""))


def buttons(call: Any) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _ask(bot: Harness, text: str, user_id: int = ADMIN_ID) -> Any:
    (reply,) = await bot.ask(text, user_id=user_id)
    return reply


@pytest.fixture(autouse=True)
def _slow_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "CHART_TIMEOUT_S", 120.0)  # an overloaded machine: a wait, not a timed check


@pytest.mark.parametrize("lang", ["es", "de", "en"])
async def test_telegram_commands_speak_the_conversations_language(bot: Harness, lang: str) -> None:
    w = WORDS[lang]
    bot.api.add_chat(USER_ID)
    name = w["name"]
    await _ask(bot, w["request"])  # the admin's private chat now speaks ``lang``
    assert (await bot.conversation(ADMIN_ID)).lang == lang
    said = {
        "created": await _ask(bot, f"/pl_create {name}"),
        "added": await _ask(bot, f"/pl_add {name} | #1"),
        "already": await _ask(bot, f"/pl_add {name} | #1"),
        "list": await _ask(bot, "/playlists"),
        "page": await _ask(bot, f"/pl_show {name}"),
        "saved": await _ask(bot, "/editsong #1 | energy=0.5"),
        "bad field": await _ask(bot, "/editsong #1 | energy=7"),
        "no preview": await _ask(bot, "/preview #1"),
        "unknown": await _ask(bot, "/frobnicate"),
        "missing": await _ask(bot, "/pl_show Nada"),
        "delete ask": await _ask(bot, f"/pl_delete {name}"),
    }
    for key, call in said.items():
        assert w[key] in text_of(call), (key, text_of(call))
    assert w["buttons"] in buttons(said["page"])
    assert w["open"] in text_of(said["no preview"])
    assert w["delete button"] in buttons(said["delete ask"])

    # a plain member of the same conversation's language is refused in it
    await _ask(bot, w["request"], user_id=USER_ID)
    refused = await _ask(bot, "/editsong #1 | energy=0.5", user_id=USER_ID)
    assert w["denied"] in text_of(refused), text_of(refused)

    since = bot.api.mark()
    await bot.api.push_message("/chart", user_id=ADMIN_ID)
    (photo,) = await bot.api.wait_for("sendPhoto", since=since, chat_id=ADMIN_ID, timeout=PHOTO_WAIT_S)
    caption = text_of(photo)
    assert caption.startswith("📊 ") and f" {w['chart']} " in caption.split("\n")[0], caption

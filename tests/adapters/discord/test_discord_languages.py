"""Discord in Spanish and German for the lines issue 10 left in English: ``/playlist`` commands (replies, embeds,
buttons, a refusal), admin commands (a saved change and a refusal), ``/preview`` with no preview anywhere (the
preview servers are unreachable), ``/chart``, a rate-limit notice and the track card's key and mode — called with
stand-in Interactions on the real bot over a real SQLite catalog.

The channel's language is set the way a person sets it: a request in that language in the channel (the
conversation ``discord:<channel id>``). The same session in English shows the English lines, so the checks can fail.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from discord import app_commands
from discord_fakes import ADMIN_ID, CHANNEL_ID, USER_ID, invoke, invoke_sub

from adapters.discord.replies import user_message
from core import charts
from core.models import Caller
from core.reply_words import key_name

OTHER_ID = 502

WORDS: dict[str, dict[str, str]] = {
    "es": {"request": "canciones tristes para llorar", "name": "Lluvia", "created": "Lista **Lluvia** creada.",
           "added": "a «Lluvia» (1/500).", "list title": "🎶 Listas de este servidor", "footer": "Página 1/1 · 1/500 canciones",
           "intro": "Creada por", "buttons": "Exportar enlaces", "not allowed": "Solo quien creó la lista",
           "saved": "Actualizada: energy", "denied": "Lo siento, solo un admin puede cambiar los datos de una canción.",
           "no preview": "No hay fragmento de 30 segundos de esta canción", "open": "Abrir en Spotify",
           "chart": "canciones", "slow": "Un poco más despacio — vuelve a intentarlo en 3 s.", "key field": "tonalidad"},
    "de": {"request": "traurige Lieder zum Weinen", "name": "Regentag", "created": "Playlist **Regentag** angelegt.",
           "added": "zu „Regentag“ hinzugefügt (1/500).", "list title": "🎶 Playlists auf diesem Server",
           "footer": "Seite 1/1 · 1/500 Titel", "intro": "Angelegt von", "buttons": "Links exportieren",
           "not allowed": "Nur wer die Playlist angelegt hat", "saved": "Geändert: energy",
           "denied": "Tut mir leid, nur Admins dürfen die Angaben eines Titels ändern.",
           "no preview": "Für diesen Titel gibt es keine 30-Sekunden-Hörprobe", "open": "In Spotify öffnen",
           "chart": "Titel", "slow": "Etwas langsamer — versuch es in 3 s noch einmal.", "key field": "Tonart"},
    "en": {"request": "sad songs to cry to", "name": "Rain", "created": "Created the playlist **Rain**.",
           "added": 'to "Rain" (1/500).', "list title": "🎶 Playlists here", "footer": "Page 1/1 · 1/500 tracks",
           "intro": "Created by", "buttons": "Export links", "not allowed": "Only the playlist's creator",
           "saved": "Updated: energy", "denied": "Sorry, only admins can change fields of a track.",
           "no preview": "No 30-second preview is available for this track", "open": "Open in Spotify",
           "chart": "tracks", "slow": "Slow down a little — try again in 3 s.", "key field": "key"},
}


def plain(text: str | None) -> str:
    return re.sub(r"\\(.)", r"\1", text or "")


def labels(view: Any) -> list[str]:
    """The labels of a view's buttons (a persistent button's is on its inner ``item``)."""
    items = [getattr(c, "item", c) for c in view.children] if view is not None else []
    return [getattr(i, "label", "") or "" for i in items]


@pytest.fixture(autouse=True)
def _slow_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "CHART_TIMEOUT_S", 120.0)  # an overloaded machine: a wait, not a timed check


@pytest.mark.parametrize("lang", ["es", "de", "en"])
async def test_discord_commands_speak_the_channels_language(bot, interaction_factory, small_engine, lang: str) -> None:
    w = WORDS[lang]
    first = await small_engine.app.chat.chat(f"discord:{CHANNEL_ID}", Caller(user_id=str(USER_ID), platform="discord"),
                                             w["request"])
    assert first.lang == lang and first.recommendation is not None and first.recommendation.tracks
    track = first.recommendation.tracks[0].track

    created = interaction_factory()
    await invoke_sub(bot, "playlist", "create", created, name=w["name"])
    assert w["created"] in created.last.content, created.last.content
    added = interaction_factory()
    await invoke_sub(bot, "playlist", "add", added, playlist=w["name"], song=[track.track_id])
    assert w["added"] in plain(added.last.content), added.last.content

    listed = interaction_factory()
    await invoke_sub(bot, "playlist", "list", listed)
    assert listed.last.embeds[0].title == w["list title"]
    shown = interaction_factory()
    await invoke_sub(bot, "playlist", "show", shown, playlist=w["name"])
    (embed,) = shown.last.embeds
    assert embed.footer.text.startswith(w["footer"]) and embed.description.startswith(w["intro"])
    assert w["buttons"] in labels(shown.last.view)
    refused = interaction_factory(user_id=OTHER_ID)
    await invoke_sub(bot, "playlist", "delete", refused, playlist=w["name"])
    assert refused.last.ephemeral and w["not allowed"] in refused.last.content, refused.last.content

    saved = interaction_factory(user_id=ADMIN_ID)
    await invoke(bot, "AdminCog", "editsong", saved, ref=track.track_id, changes={"energy": 0.5})
    assert w["saved"] in saved.last.content, saved.last.content
    card = saved.last.embeds[0]
    features = next(f.value for f in card.fields if f.value and w["key field"] in f.value)
    assert key_name(track.key, track.mode, lang) in features and "mode" not in features.split(" · ")[0]
    denied = interaction_factory(user_id=USER_ID)
    await invoke(bot, "AdminCog", "editsong", denied, ref=track.track_id, changes={"energy": 0.4})
    assert denied.last.ephemeral and w["denied"] in denied.last.content, denied.last.content

    previewed = interaction_factory()
    await invoke(bot, "MusicCog", "preview", previewed, ref=track.track_id)
    assert w["no preview"] in previewed.last.content and w["open"] in labels(previewed.last.view)

    charted = interaction_factory()
    await invoke(bot, "ChartCog", "chart", charted)
    title = charted.last.embeds[0].title
    assert f" {w['chart']} " in f" {plain(title)} ", title

    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 3.0), 3.0)
    assert user_message(cooldown, lang) == w["slow"]

"""The reply-line tables (core.reply_words): every language says every English line with the same fields, English
stays as it always was, and errors are worded from their data."""

from __future__ import annotations

import re

import pytest

from core.commands import REGISTRY
from core.errors import NotATrackLink, SongNotFound
from core.models import CountCap
from core.ratelimit import Verdict
from core.references import check_text
from core.error_words import error_text
from core.reply_words import REPLY_WORDS, count, localize_note, say

FIELD = re.compile(r"\{(\w+)\}")
#: English-only fields: the article of "a/an <noun> link" (the other languages say the noun with its preposition), and
#: the action of a refusal for an action without its own line (English names it; the others say "only an admin can do that").
ENGLISH_ONLY = {"article", "action"}


@pytest.mark.parametrize("lang", ["es", "pt", "fr", "de"])
def test_every_line_has_a_wording_with_the_same_fields(lang: str) -> None:
    en, table = REPLY_WORDS["en"], REPLY_WORDS[lang]
    assert set(en) - set(table) == set(), "lines without a wording"
    # the /help summaries: English is the registry's own; every command of the console's help has one
    shown = {f"help {s.name}" for s in REGISTRY if s.on("console") and s.menu and s.name != "start"}
    assert set(table) - set(en) == shown
    for key, template in en.items():
        assert set(FIELD.findall(template)) - ENGLISH_ONLY == set(FIELD.findall(table[key])), key


def test_english_lines_are_the_ones_every_surface_showed() -> None:
    assert CountCap(requested=80, limit=50).note() == \
        "You asked for 80; I send at most 50 at a time — say “more” for the next page."
    assert CountCap(requested=80, limit=50).note("type /more") == CountCap(requested=80, limit=50).note(how="type more")
    assert Verdict(False, True, 3.2).notice() == "Slow down — try again in 4 s."
    with pytest.raises(Exception) as too_long:
        check_text("x" * 2345, "message")
    assert str(too_long.value) == "Your message is 2,345 characters long; please keep it under 2,000."
    assert str(NotATrackLink("album")) == "That's an album link — send a track link or a song name."
    assert str(NotATrackLink("user")) == "That's a user profile link — send a track link or a song name."


def test_errors_are_worded_from_their_data() -> None:
    with pytest.raises(Exception) as empty:
        check_text("   ", "request")
    assert error_text(empty.value, "en") == str(empty.value)
    assert error_text(empty.value, "de").startswith("Deine Anfrage ist leer")
    with pytest.raises(Exception) as too_long:
        check_text("x" * 2345, "message")
    assert "2.345" in error_text(too_long.value, "es") and "2.000" in error_text(too_long.value, "es")
    missing = SongNotFound("Yelow", ["Yellow - Coldplay"])
    assert error_text(missing, "fr") == "Aucun morceau trouvé pour « Yelow ». Tu voulais dire : Yellow - Coldplay ?"
    assert error_text(NotATrackLink("playlist"), "pt") == say("link kind", "pt", noun="playlist", article="")
    assert count(5000, "fr") == "5\u202f000" and count(5000) == "5,000"


def test_a_substitution_note_keeps_its_titles_and_names() -> None:
    note = say("using other artist", title="Yellow", artist="Drake", quote=say("quote", title="Yellow", artist="Coldplay"))
    assert note == "No “Yellow” by Drake here — using “Yellow” by Coldplay."
    assert localize_note(note, "es") == "No hay «Yellow» de Drake aquí — uso «Yellow» de Coldplay."
    assert localize_note(note, "en") == note
    assert localize_note("something else", "de") == "something else"

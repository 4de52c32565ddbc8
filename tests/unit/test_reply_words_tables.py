"""Every line of the reply tables in every language (issue 10): each key of every table exists in every other
language and formats with the same fields; keys and modes are spelled as musicians write them; playlist, permission
and admin errors are worded in the conversation's language from their data, English as it always was."""

from __future__ import annotations

import re
import string
from types import SimpleNamespace

import pytest

from core.error_words import error_text
from core.errors import InvalidInput, PermissionDenied
from core.fields import parse_editsong
from core.models import AUDIO_FEATURES
from core.playlists.models import PlaylistNotFound
from core.policy import require_command
from core.models import Caller
from core.reply_words import LANGS, REPLY_WORDS, feature_rows, key_name, say

FIELD = re.compile(r"\{(\w+)\}")
#: Keys that exist only in the other languages: the /help summaries (English takes them from the command registry).
HELP_ONLY = re.compile(r"^help ")


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_exists_in_every_language(lang: str) -> None:
    for other in LANGS:
        missing = {k for k in REPLY_WORDS[other] if not HELP_ONLY.match(k)} - set(REPLY_WORDS[lang])
        assert not missing, (lang, other, sorted(missing))


@pytest.mark.parametrize("lang", LANGS)
def test_every_line_formats(lang: str) -> None:
    """Every template is a valid ``str.format`` string whose fields are names (no stray braces); a counted field
    (``{n#tracks}``) names a noun :func:`core.reply_words.say` has a "1 …" / "n …" line for."""
    for key, template in REPLY_WORDS[lang].items():
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        counted = {f.partition("#")[0] for f in fields if "#" in f}
        assert all(f.partition("#")[2] in ("tracks", "playlists", "links") for f in fields if "#" in f), (key, template)
        fields = {f for f in fields if "#" not in f} | counted
        assert all(f.isidentifier() for f in fields), (key, template)
        values = {f: 1 if f in counted else "X" for f in fields}
        assert say(key, lang, **values) if key in REPLY_WORDS["en"] else template.format(**values)


@pytest.mark.parametrize("lang", ["es", "pt", "fr", "de"])
def test_lines_of_several_words_are_translated(lang: str) -> None:
    """A line of three words or more that reads the same as the English is a line someone forgot to translate
    (command syntax lines, where only the command words would be English, are compared without them)."""
    same = [k for k, v in REPLY_WORDS["en"].items()
            if len(FIELD.sub("", v).split()) >= 3 and REPLY_WORDS[lang].get(k) == v]
    assert not same, same


@pytest.mark.parametrize(("lang", "f_minor", "d_flat_major", "c_sharp_minor", "b_major"), [
    ("en", "F minor", "D♭ major", "C♯ minor", "B major"),
    ("es", "Fa menor", "Re bemol mayor", "Do sostenido menor", "Si mayor"),
    ("pt", "Fá menor", "Ré bemol maior", "Dó sustenido menor", "Si maior"),
    ("fr", "fa mineur", "ré bémol majeur", "do dièse mineur", "si majeur"),
    ("de", "f-Moll", "Des-Dur", "cis-Moll", "H-Dur"),
])
def test_keys_are_named_as_musicians_write_them(lang: str, f_minor: str, d_flat_major: str, c_sharp_minor: str,
                                                b_major: str) -> None:
    assert key_name(5, 0, lang) == f_minor and key_name(1, 1, lang) == d_flat_major
    assert key_name(1, 0, lang) == c_sharp_minor and key_name(11, 1, lang) == b_major
    assert key_name(-1, 1, lang) == "" and key_name(None, 0, lang) == ""
    assert key_name(9, None, lang) == say("keys major", lang).split("|")[9]  # mode unknown: the pitch alone


@pytest.mark.parametrize("lang", LANGS)
def test_a_card_says_key_and_mode_as_one_name(lang: str) -> None:
    track = SimpleNamespace(**{f: None for f in AUDIO_FEATURES})
    track.key, track.mode, track.tempo, track.energy = 5, 0, 120.0, 0.5
    rows = dict(feature_rows(track, AUDIO_FEATURES, lang))
    assert rows[say("field key", lang)] == key_name(5, 0, lang)
    assert say("field mode", lang) not in rows and rows[say("field tempo", lang)] == "120 BPM"
    assert not any(v.isdigit() for label, v in rows.items() if label == say("field key", lang))
    track.key = -1  # no key detected: the mode alone, as a word
    rows = dict(feature_rows(track, AUDIO_FEATURES, lang))
    assert say("field key", lang) not in rows and rows[say("field mode", lang)] in say("key minor", lang, pitch="")


def test_playlist_and_permission_errors_are_worded_from_their_data() -> None:
    missing = PlaylistNotFound("Road Trp", ["Road Trip"])
    assert error_text(missing, "en") == str(missing) == 'No playlist "Road Trp" here. Did you mean: Road Trip?'
    assert error_text(missing, "es") == "Aquí no hay ninguna lista «Road Trp». ¿Quizás quisiste decir: Road Trip?"
    assert error_text(PlaylistNotFound("Nada"), "de") == \
        "Hier gibt es keine Playlist „Nada“. Leg sie an mit: playlist create NAME"
    with pytest.raises(PermissionDenied) as denied:
        require_command(Caller(user_id="1", platform="telegram"), "delsong")
    assert str(denied.value) == "Sorry, only admins can delete a track from the catalog."
    assert error_text(denied.value, "fr") == "Désolé, seul un admin peut supprimer un morceau du catalogue."
    assert error_text(PermissionDenied("launch rockets"), "pt") == "Desculpe, só um admin pode fazer isso."


def test_admin_argument_errors_keep_the_field_as_typed() -> None:
    with pytest.raises(InvalidInput) as bad:
        parse_editsong("Blinding Lights | energy=7")
    assert str(bad.value) == "energy must be between 0 and 1 (got 7)."  # English as it always was
    assert error_text(bad.value, "de") == "energy muss zwischen 0 und 1 liegen (nicht 7)."
    assert bad.value.allowed == "0–1"
    with pytest.raises(InvalidInput) as usage:
        parse_editsong("Blinding Lights")
    assert str(usage.value).startswith("Usage: editsong") and error_text(usage.value, "es").startswith("Uso: editsong")

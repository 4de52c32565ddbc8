"""The fixed lines of a chat reply, one table per language (English, Spanish, Portuguese, French, German).

What a conversation shows besides a list's first line (:mod:`core.text.wording`), its reasons
(:mod:`core.reason_words`) and a follow-up's lead (:mod:`core.agent.followup_replies`): the count-cap note, the
count of a search's results, "nothing matched", the errors a user can cause (empty or too long message, unknown
song, no ``#N`` on the list, unknown command, a link that is not a track), the note that another song was used,
the flood notice, the generic apology, the frame and command summaries of ``/help``, and the labels every adapter
puts around a list ("Next page", "More like #3", "Page 2", table columns, a track card's fields). The English table
(:mod:`core.reply_words.en`) is the wording every surface has always shown, byte for byte, and holds every key;
the others (``es``, ``pt``, ``fr``, ``de`` modules) say the same facts with the same numbers, names and commands
(``/more``, ``/similar`` stay as typed: platform command names are English everywhere). ``"help <command>"`` keys
exist only in the other languages: the English summary is the command registry's own (:mod:`core.commands`, also
sent to Telegram's and Discord's command menus).

:func:`say` is the one formatter (``str.format`` fields; a key missing from a language falls back to English; a
count with its noun is written ``{n#tracks}``, so singular and plural agree in every language);
:func:`count` writes a number with the language's thousands separator; :func:`link_text` and
:func:`localize_note` word the track-reference lines; :mod:`core.error_words` words the errors from their data.
Imports nothing from core (errors and references import it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from core.reply_words import de, en, es, fr, pt

#: Languages with a wording (``en`` first); any other language is worded in English.
LANGS = ("en", "es", "pt", "fr", "de")

REPLY_WORDS: dict[str, dict[str, str]] = {"en": en.LINES, "es": es.LINES, "pt": pt.LINES, "fr": fr.LINES,
                                          "de": de.LINES}

#: Thousands separator per language ("5,000" / "5.000" / "5 000").
_THOUSANDS = {"en": ",", "es": ".", "pt": ".", "fr": "\u202f", "de": "."}


def say(key: str, lang: str = "en", **fields: Any) -> str:
    """The line ``key`` of :data:`REPLY_WORDS` in ``lang`` with ``fields`` filled in (``str.format``); English for a
    language without a table or a key the language lacks.

    Raises:
        KeyError: ``key`` is not in the English table, or a field the template names is missing.
    """
    table = REPLY_WORDS.get(lang, REPLY_WORDS["en"])
    template = table.get(key, REPLY_WORDS["en"][key])
    if "#" in template:  # "{n#tracks}": the number with its noun, singular or plural (:func:`counted`)
        template = _COUNTED.sub(lambda m: counted(int(fields[m.group(1)]), f"1 {m.group(2)}", f"n {m.group(2)}s",
                                                  lang).replace("{", "{{").replace("}", "}}"), template)
    return template.format(**fields)


#: A counted field in a template: ``{n#tracks}`` is field ``n`` with the language's "1 track" / "n tracks" line, so a
#: caption never says "1 tracks" ("1 playlist" / "n playlists", "1 link" / "n links" likewise).
_COUNTED = re.compile(r"\{(\w+)#(track|playlist|link)s\}")


def count(n: int, lang: str = "en") -> str:
    """``n`` with the language's thousands separator: ``5,000`` (en), ``5.000`` (es, pt, de), ``5 000`` (fr)."""
    return f"{n:,}".replace(",", _THOUSANDS.get(lang, ","))


def counted(n: int, one: str, many: str, lang: str = "en") -> str:
    """``n`` with its noun: the line ``one`` when ``n`` is 1, else ``many`` (fields ``{n}``, written by :func:`count`):
    ``counted(3, "1 track", "n tracks")`` -> "3 tracks", "3 canciones", "3 Titel"."""
    return say(one if n == 1 else many, lang, n=count(n, lang))


def key_name(key: int | None, mode: int | None = None, lang: str = "en") -> str:
    """A track's key as musicians write it in ``lang``: Spotify's pitch class ``key`` (0 = C … 11 = B; -1 or None =
    not detected) and ``mode`` (1 major, 0 minor, None unknown) -> "F minor", "Fa menor", "fa mineur", "f-Moll",
    "Fá menor"; "D♭ major" / "C♯ minor" (flats for major keys, sharps for the minor keys written so: C♯, G♯).
    The bare pitch name when the mode is unknown; "" when the key is."""
    if key is None or not 0 <= int(key) <= 11:
        return ""
    minor = mode == 0
    names = say("keys minor" if minor else "keys major", lang).split("|")
    if mode not in (0, 1):
        return names[int(key)]
    return say("key minor" if minor else "key major", lang, pitch=names[int(key)])


#: Units shown after a feature's value on a track card.
_UNITS = {"tempo": " BPM", "loudness": " dB"}


def feature_rows(track: Any, names: Sequence[str], lang: str = "en", missing: str = "") -> list[tuple[str, str]]:
    """A track card's audio features as ``(label, value)`` rows in ``lang``, in the order of ``names`` (e.g.
    :data:`core.models.AUDIO_FEATURES`): values to 3 significant digits, tempo in BPM, loudness in dB, and ``key``
    with ``mode`` as one row named as musicians do ("key: F minor", "Tonart: f-Moll"; :func:`key_name`) — no row for
    the mode then. A feature ``track`` lacks (None) is ``missing``, or left out when ``missing`` is ""."""
    rows: list[tuple[str, str]] = []
    key = getattr(track, "key", None) if "key" in names else None
    mode = getattr(track, "mode", None)
    for name in names:
        value = getattr(track, name, None)
        if name == "mode" and key_name(key, mode, lang):
            continue  # said with the key
        if name == "key" and value is not None:
            shown = key_name(value, mode, lang) or missing
        elif name == "mode" and value in (0, 1):
            shown = say("key major" if value == 1 else "key minor", lang, pitch="").strip(" -")
        elif value is None:
            shown = missing
        else:
            shown = (f"{value:.3g}" if isinstance(value, float) else str(value)) + _UNITS.get(name, "")
        if shown:
            rows.append((say(f"field {name}", lang), shown))
    return rows


def link_text(kind: str, lang: str = "en") -> str:
    """The reply for a reference that is not a usable track link (:data:`core.spotify_links.LinkKind`) in ``lang``:
    "That's an album link — send a track link or a song name." (the link itself is never echoed)."""
    if f"link {kind}" in REPLY_WORDS["en"]:
        return say(f"link {kind}", lang)
    noun = say(f"noun {kind}", lang) if f"noun {kind}" in REPLY_WORDS["en"] else kind
    article = "an" if noun[:1] in "aeio" else "a"  # English: "a user profile", by sound, not by letter
    return say("link kind", lang, article=article, noun=noun)


def _pattern(key: str) -> re.Pattern[str]:
    """The English template ``key`` as a regex whose named groups are its fields (to reword a line made from it)."""
    parts = re.split(r"\{(\w+)\}", REPLY_WORDS["en"][key])
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)))


def localize_note(note: str, lang: str) -> str:
    """A first-line note of :class:`core.references.TrackReferences` ("No “Yellow” by Drake here — using “Yellow” by
    Coldplay.", "No exact match for “…” — using the closest: …") in ``lang``, same titles and names; other notes,
    and every note in English, unchanged."""
    if lang == "en" or lang not in REPLY_WORDS:
        return note
    for key in ("using other artist", "using closest"):
        m = _pattern(key).fullmatch(note)
        if m is None:
            continue
        fields = m.groupdict()
        q = _pattern("quote").fullmatch(fields["quote"])
        if q is not None:
            artist = q["artist"] if q["artist"] != say("unknown artist") else say("unknown artist", lang)
            fields["quote"] = say("quote", lang, title=q["title"], artist=artist)
        return say(key, lang, **fields)
    return note


__all__ = ["LANGS", "REPLY_WORDS", "count", "counted", "feature_rows", "key_name", "link_text", "localize_note", "say"]

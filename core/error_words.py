"""User mistakes worded in the conversation's language: an :class:`~core.errors.InvalidInput` raised with a key of
:data:`core.reply_words.REPLY_WORDS` (:func:`invalid`) carries that key and its fields, so :func:`error_text` can say
it again in Spanish, Portuguese, French or German; :class:`~core.errors.SongNotFound` and
:class:`~core.errors.NotATrackLink` are worded from their own fields. English is ``str(exc)``, as it always was.
"""

from __future__ import annotations

from typing import Any

from core.errors import InvalidInput, MusicBotError, NotATrackLink, SongNotFound
from core.reply_words import REPLY_WORDS, count, link_text, say


def invalid(key: str, field: str | None = None, **fields: Any) -> InvalidInput:
    """An :class:`~core.errors.InvalidInput` whose message is :func:`core.reply_words.say` of ``key`` in English and
    which carries ``key`` and ``fields`` so :func:`error_text` can word it in the conversation's language. A ``what``
    field names a ``"what …"`` key ("message", "request", "search", "song reference"); ``n`` / ``limit`` ints are
    written with the language's thousands separator (:func:`core.reply_words.count`)."""
    exc = InvalidInput(_worded(key, "en", fields), field)
    exc.key, exc.fields = key, fields  # type: ignore[attr-defined]
    return exc


def _worded(key: str, lang: str, fields: dict[str, Any]) -> str:
    shown = dict(fields)
    if "what" in shown:
        what = f"what {shown['what']}"
        shown["what"] = REPLY_WORDS.get(lang, {}).get(what) or REPLY_WORDS["en"].get(what, str(shown["what"]))
    for name in ("n", "limit"):
        if isinstance(shown.get(name), int):
            shown[name] = count(shown[name], lang)
    text = say(key, lang, **shown)
    return text[:1].upper() + text[1:]


def error_text(exc: MusicBotError, lang: str = "en") -> str:
    """The user-facing message of ``exc`` in ``lang``: ``str(exc)`` in English (and for errors without a wording);
    :class:`~core.errors.SongNotFound` from its ``ref`` / ``suggestions``, :class:`~core.errors.NotATrackLink` from
    its ``kind``, an error raised through :func:`invalid` from its key and fields."""
    if lang == "en" or lang not in REPLY_WORDS:
        return str(exc)
    if isinstance(exc, SongNotFound):
        return _not_found(exc, lang)
    if isinstance(exc, NotATrackLink):
        return link_text(exc.kind, lang)
    key = getattr(exc, "key", "")
    if key:
        return _worded(key, lang, getattr(exc, "fields", {}))
    return str(exc)


def _not_found(exc: SongNotFound, lang: str) -> str:
    shown = " ".join(str(exc.ref).split())
    shown = shown if len(shown) <= 120 else shown[:119] + "…"  # as SongNotFound shows it
    text = say("not found", lang, ref=shown)
    if say("not in catalog") in str(exc):
        text += " " + say("not in catalog", lang)
    if exc.suggestions:
        text += say("did you mean", lang, s="; ".join(exc.suggestions))
    return text


__all__ = ["error_text", "invalid"]

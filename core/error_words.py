"""User mistakes worded in the conversation's language: an :class:`~core.errors.InvalidInput` raised with a key of
:data:`core.reply_words.REPLY_WORDS` (:func:`invalid`) carries that key and its fields, so :func:`error_text` can say
it again in Spanish, Portuguese, French or German; :class:`~core.errors.SongNotFound` and
:class:`~core.errors.NotATrackLink` are worded from their own fields. English is ``str(exc)``, as it always was.
"""

from __future__ import annotations

from typing import Any

from core.errors import InvalidInput, LimitReached, MusicBotError, NotATrackLink, PermissionDenied, SongNotFound
from core.reply_words import REPLY_WORDS, count, link_text, say


def invalid(key: str, field: str | None = None, **fields: Any) -> InvalidInput:
    """An :class:`~core.errors.InvalidInput` whose message is :func:`core.reply_words.say` of ``key`` in English and
    which carries ``key`` and ``fields`` so :func:`error_text` can word it in the conversation's language. A ``what``
    field names a ``"what …"`` key ("message", "request", "search", "song reference"); ``n`` / ``limit`` ints are
    written with the language's thousands separator (:func:`core.reply_words.count`)."""
    exc = InvalidInput(_worded(key, "en", fields), field)
    exc.key, exc.fields = key, fields  # type: ignore[attr-defined]
    return exc


def limit_reached(key: str, **fields: Any) -> LimitReached:
    """A :class:`~core.errors.LimitReached` worded like :func:`invalid` (English message, ``key`` and ``fields`` kept
    for :func:`error_text`)."""
    exc = LimitReached(_worded(key, "en", fields))
    exc.key, exc.fields = key, fields  # type: ignore[attr-defined]
    return exc


def denied(action: str, key: str) -> PermissionDenied:
    """A :class:`~core.errors.PermissionDenied` for ``action`` (its English message, "Sorry, only admins can
    {action}.", as always) that :func:`error_text` words in other languages from the line ``key``."""
    exc = PermissionDenied(action)
    exc.key, exc.fields = key, {}  # type: ignore[attr-defined]
    return exc


def keyed(exc: MusicBotError, key: str, **fields: Any) -> MusicBotError:
    """``exc`` (an error raised with its English message) marked with the line ``key`` and its ``fields``, so
    :func:`error_text` words it in the conversation's language (e.g. :class:`core.playlists.PlaylistNotFound`)."""
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
    if not REPLY_WORDS.get(lang, REPLY_WORDS["en"]).get(key, "").startswith("{what}"):
        return text  # a line that opens with a field as typed ("energy must be …") keeps its case
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
    if not key and isinstance(exc, PermissionDenied):  # an action with its own line, else "only an admin can do that"
        key = f"deny {exc.action}" if f"deny {exc.action}" in REPLY_WORDS["en"] else "deny"
        return say(key, lang, action=exc.action)
    if key:
        text = _worded(key, lang, getattr(exc, "fields", {}))
        if key == "pl not found":  # PlaylistNotFound: close names, else how to create it
            names = getattr(exc, "suggestions", [])
            text += say("did you mean", lang, s="; ".join(names)) if names else say("pl create it", lang)
        return text
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


__all__ = ["denied", "error_text", "invalid", "keyed", "limit_reached"]

"""One small error tree for the engine. Adapters word the user-facing message from the fields."""

from __future__ import annotations


class MusicBotError(Exception):
    """Base of every error the engine raises on purpose; ``str(err)`` is a friendly one-line message."""


class SongNotFound(MusicBotError):
    """A track reference matched nothing.

    Attributes:
        ref: the reference as the user typed it.
        suggestions: up to 3 close matches, ``"title - artist"`` strings.
    """

    def __init__(self, ref: str, suggestions: list[str] | None = None, reason: str = "") -> None:
        self.ref = ref
        self.suggestions = list(suggestions or [])[:3]
        shown = " ".join(str(ref).split())
        shown = shown if len(shown) <= 120 else shown[:119] + "…"  # a 2,000-character reference is never echoed whole
        msg = f'No track found for "{shown}".' + (f" {reason}" if reason else "")
        if self.suggestions:
            msg += " Did you mean: " + "; ".join(self.suggestions) + "?"
        super().__init__(msg)


class PermissionDenied(MusicBotError):
    """The caller lacks the role an action needs (e.g. a non-admin editing the catalog)."""

    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(f"Sorry, only admins can {action}.")


class InvalidInput(MusicBotError):
    """User input failed validation.

    Attributes:
        field: the offending field or argument name, when there is one.
        allowed: a human description of what is allowed, e.g. ``"0–1"``.
    """

    def __init__(self, message: str, field: str | None = None, allowed: str | None = None) -> None:
        self.field = field
        self.allowed = allowed
        super().__init__(message)


class NotATrackLink(InvalidInput):
    """A pasted link/URI/id that is not a usable track reference: another Spotify type (album, playlist, artist,
    episode, show, user), a short link that could not be followed, a wrong-length id, or an ignored link
    (look-alike host, non-track spotify.com page). The message names the kind and never echoes the link.

    Attributes:
        kind: the :data:`core.spotify_links.LinkKind`.
    """

    def __init__(self, kind: str) -> None:
        from core.spotify_links import link_message

        self.kind = kind
        super().__init__(link_message(kind), field="ref")


class ImportFailed(MusicBotError):
    """A catalog file could not be imported at all (not CSV, not UTF-8, missing columns); nothing was changed."""


class LimitReached(MusicBotError):
    """A size limit was hit (playlist length, playlists per group, request length)."""

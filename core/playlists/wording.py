"""Playlist replies as plain text in a conversation's language (:data:`core.reply_words.REPLY_WORDS`, the ``pl …``
lines): what an add or remove changed, a page, the group's playlists, an export's header. One wording for the
service's own English ``message`` (:class:`core.playlists.service.PlaylistService`), the chat's slash commands and
the agent (:mod:`core.agent.playlist_ops`); adapters with their own layout (Telegram HTML, Discord embeds) take the
same lines. Playlist names, titles and artists are shown as typed, in every language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from core.reply_words import counted, localize_note, say

if TYPE_CHECKING:
    from core.models import Caller
    from core.playlists.models import Playlist, PlaylistChange, PlaylistExport, PlaylistPage

#: Export links shown inline (in the reply's text); longer exports go out as a file only.
INLINE_EXPORT = 25


def tracks_text(n: int, lang: str = "en") -> str:
    """"1 track" / "12 tracks" in ``lang`` ("12 canciones", "12 Titel")."""
    return counted(n, "1 track", "n tracks", lang)


def change_text(change: PlaylistChange, lang: str = "en", label: Callable[[str], str] = str) -> str:
    """What an add or remove did, in ``lang``: the substitution notes first ("No exact match for …"), then what was
    added (with ``count/cap``), what was already there, removed, or not in the playlist. ``label`` names a removed
    or missing track id ("Title - Artist"); "" when nothing happened."""
    name = change.playlist.name
    bits = [localize_note(n, lang) for n in dict.fromkeys(change.notes)]
    if change.added:
        n = len(change.added)
        song = f"{change.added[0].title} - {change.added[0].artist}"
        bits.append(say("pl added one" if n == 1 else "pl added many", lang, song=song, n=n, name=name,
                        count=change.playlist.track_count, cap=change.cap or "?"))
    if change.already:
        n = len(change.already)
        song = f"{change.already[0].title} - {change.already[0].artist}"
        bits.append(say("pl already one" if n == 1 else "pl already many", lang, song=song, n=n, name=name))
    if change.removed:
        n = len(change.removed)
        bits.append(say("pl removed one" if n == 1 else "pl removed many", lang, song=label(change.removed[0]), n=n,
                        name=name))
    if change.missing:
        bits.append(say("pl missing", lang, name=name, songs="; ".join(label(m) for m in change.missing[:5])))
    return " ".join(bits)


def page_text(page: PlaylistPage, lang: str = "en") -> str:
    """A plain-text page: a header ("“Road Trip” — 12 tracks, page 1/2:") and one numbered line per track."""
    name = page.playlist.name
    if not page.total:
        return say("pl empty", lang, name=name)
    tracks = tracks_text(page.total, lang)
    if page.pages > 1:
        head = say("pl head page", lang, name=name, tracks=tracks, page=page.page, pages=page.pages)
    else:
        head = say("pl head", lang, name=name, tracks=tracks)
    lines = [head + ":"]
    lines += [f"#{e.index} {e.label}" for e in page.entries]
    if page.page < page.pages:
        lines.append(say("pl next", lang, name=name, n=page.page + 1))
    return "\n".join(lines)


def list_text(playlists: Sequence[Playlist], caller: Caller, lang: str = "en") -> str:
    """The group's playlists, one per line ("• Road Trip — 12 tracks (yours)")."""
    if not playlists:
        return say("pl none", lang)
    from core.policy import member_key

    me = member_key(caller)
    lines = [say("pl count", lang, playlists=counted(len(playlists), "1 playlist", "n playlists", lang))]
    for p in playlists:
        key = "pl line yours" if p.created_by == me else "pl line"
        lines.append(say(key, lang, name=p.name, tracks=tracks_text(p.track_count, lang)))
    return "\n".join(lines)


def export_text(exported: PlaylistExport, lang: str = "en") -> str:
    """A header, plus the links when there are few enough (:data:`INLINE_EXPORT`) to show inline."""
    name, n = exported.playlist.name, len(exported.track_ids)
    if not n:
        return say("pl export empty", lang, name=name)
    links = counted(n, "1 link", "n links", lang)
    if n <= INLINE_EXPORT:
        return say("pl export head", lang, name=name, links=links) + "\n" + exported.as_text("urls")
    return say("pl export file", lang, name=name, links=links)


__all__ = ["INLINE_EXPORT", "change_text", "export_text", "list_text", "page_text", "tracks_text"]

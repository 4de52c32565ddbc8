"""Group playlists, likes/dislikes and previews in a chat: one implementation for the slash commands and the agent.

Both :meth:`core.chat.ChatService.chat` (``/playlist …``, ``/playlists``, ``/like``, ``/dislike``, ``/preview``) and the
agent's tools (:mod:`core.agent.tools`) go through the functions here, which call the application services (:class:`core.app.services.AppServices`)
(:attr:`core.app.services.AppServices.playlists`, ``.feedback``, ``.previews``). Every permission is enforced by those
services (creator / group admin / bot admin for rename, delete and removing others' tracks); nothing here decides
who may do what, it only passes on who is asking (:class:`Scope`: the caller and ``group_admin`` come from the
adapter, never from the conversation).

Track references: ids, Spotify links/URIs, "title", "title - artist" (fuzzy), and ``#N`` — item N of the last list
shown in the conversation (a recommendation, a search, or a playlist page: page 2 shows #11-#20). For *removing*,
``#N`` without such a list means position N in the playlist.

No Pydantic AI import here: slash commands never pay for it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.catalog import normalize_text
from core.commands import LIST_REF, number_refs, playlist_subcommand, playlist_usage
from core.conversation import ConversationState, LastRequest
from core.errors import MusicBotError
from core.models import Caller, ChatReply, Filters, Recommendation
from core.error_words import invalid
from core.playlists import wording
from core.playlists.wording import INLINE_EXPORT as INLINE_EXPORT  # re-exported: the agent's tools read it here
from core.playlists.wording import change_text
from core.reply_words import say

if TYPE_CHECKING:
    from core.app.ports import TrackLookup
    from core.app.services import AppServices
    from core.playlists import Playlist, PlaylistChange, PlaylistExport, PlaylistPage

#: ``#3``, ``no. 3``, ``number 3``: item N of the last list shown (the one syntax: :data:`core.commands.LIST_REF`).
NUM_REF = LIST_REF
#: Playlist page size in chats.
PER_PAGE = 10
#: Max songs per add/remove from a chat message (the service allows 100 per call).
MAX_SONGS = 50


@dataclass
class Scope:
    """Who is acting where.

    Attributes:
        app: the application services (playlists, feedback, previews, track references).
        caller: identity and bot role, from the adapter and settings.
        group_id: the playlist group (``telegram:<chat_id>``, ``discord:<guild_id>``, ``console:local``).
        group_admin: the caller administers the group (from the platform: Telegram chat admin, Discord Manage Server).
        state: the conversation's follow-up state (``#N`` refs).
        recent: ``(ids, first)`` of a list shown earlier in the same agent turn (takes precedence over ``state``).
    """

    app: AppServices
    caller: Caller
    group_id: str
    group_admin: bool
    state: ConversationState
    recent: tuple[list[str], int] | None = None

    @property
    def lang(self) -> str:
        """The conversation's language (:attr:`core.conversation.ConversationState.lang`; English when undecided):
        the language every reply and error of these commands is worded in."""
        return self.state.lang or "en"

    def list_ref(self, n: int) -> str | None:
        """Track id of item ``#n`` of the last list shown (this turn first, then the conversation), or None."""
        if self.recent is not None:
            ids, first = self.recent
            i = n - first
            return ids[i] if 0 <= i < len(ids) else None
        return self.state.page_ref(n)

    def track_ref(self, ref: str) -> str:
        """``#N`` -> the track id of item N of the last list; anything else is returned stripped.

        Raises:
            InvalidInput: ``#N`` with no such item.
        """
        ref = " ".join(str(ref or "").split())
        m = NUM_REF.match(ref)
        if not m:
            return ref
        n = int(m.group(1))
        tid = self.list_ref(n)
        if tid is None:
            raise invalid("no item", "ref", n=str(n))
        return tid


def _songs(songs: str | Sequence[str]) -> list[str]:
    items = [songs] if isinstance(songs, str) else list(songs)
    out = [" ".join(str(s).split()) for s in items if s is not None and str(s).strip()]
    if not out:
        raise invalid("pl which song", "songs")
    if len(out) > MAX_SONGS:
        raise invalid("pl at most", "songs", n=MAX_SONGS)
    return out


def _label(lookup: TrackLookup, track_id: str) -> str:
    pos = lookup.table.pos.get(track_id)
    return lookup.label(pos) if pos is not None else track_id


# ---------------------------------------------------------------------------------------------- playlist operations
async def list_playlists(scope: Scope) -> list[Playlist]:
    """The group's playlists (by name)."""
    return await scope.app.playlists.list(scope.group_id)


async def create(scope: Scope, name: str) -> Playlist:
    """Create an empty playlist owned by the caller. Raises InvalidInput (bad/taken name), LimitReached."""
    return await scope.app.playlists.create(scope.caller, scope.group_id, name)


async def add(scope: Scope, playlist: str, songs: str | Sequence[str]) -> PlaylistChange:
    """Add songs (``#N``, ids, links, titles — fuzzy). Duplicates are a no-op with a message.

    Raises:
        PlaylistNotFound, SongNotFound (with suggestions), LimitReached, InvalidInput.
    """
    songs = _songs(songs)
    target = await scope.app.playlists.get(scope.group_id, playlist)  # an unknown playlist is the first error
    refs = [scope.track_ref(s) for s in songs]
    change = await scope.app.playlists.add(scope.caller, scope.group_id, target.playlist_id, refs)
    return change.model_copy(update={"message": change_text(change, scope.lang)}) if scope.lang != "en" else change


async def remove(scope: Scope, playlist: str, songs: str | Sequence[str]) -> PlaylistChange:
    """Remove songs: ``#N`` = item N of the last list shown (or position N in the playlist when there is no such
    list), else ids, links, titles. The service checks who may remove what.

    Raises:
        PlaylistNotFound, SongNotFound, PermissionDenied, InvalidInput.
    """
    refs: list[str] = []
    from_list: set[str] = set()
    for song in _songs(songs):
        m = NUM_REF.match(song)
        if m:
            tid = scope.list_ref(int(m.group(1)))
            refs.append(tid if tid is not None else f"#{int(m.group(1))}")
            if tid is not None:
                from_list.add(tid)
        else:
            refs.append(song)
    change = await scope.app.playlists.remove(
        scope.caller, scope.group_id, playlist, refs, group_admin=scope.group_admin
    )
    label = functools.partial(_label, scope.app.tracks)
    text = change_text(change, scope.lang, label=lambda r: label(r) if r in scope.app.tracks.table.pos else r)
    if from_list & set(change.missing):
        text += " " + say("pl numbers", scope.lang, name=change.playlist.name)
    return change.model_copy(update={"message": text})
    return change


async def show(scope: Scope, playlist: str, page: int = 1) -> PlaylistPage:
    """One page (``PER_PAGE`` tracks) of a playlist; a page past the end shows the last one. Raises PlaylistNotFound."""
    return await scope.app.playlists.show(scope.group_id, playlist, page=max(1, int(page or 1)), per_page=PER_PAGE)


async def rename(scope: Scope, playlist: str, new_name: str) -> tuple[str, Playlist]:
    """Rename (creator, group admin or bot admin): ``(old name, playlist)``.

    Raises:
        PlaylistNotFound, PermissionDenied, InvalidInput (bad or taken name).
    """
    old = await scope.app.playlists.get(scope.group_id, playlist)
    new = await scope.app.playlists.rename(
        scope.caller, scope.group_id, old.playlist_id, new_name, group_admin=scope.group_admin
    )
    return old.name, new


async def delete(scope: Scope, playlist: str) -> Playlist:
    """Delete a playlist and its tracks (creator, group admin or bot admin). Raises PlaylistNotFound, PermissionDenied."""
    return await scope.app.playlists.delete(scope.caller, scope.group_id, playlist, group_admin=scope.group_admin)


async def export(scope: Scope, playlist: str) -> PlaylistExport:
    """Every track as Spotify links / URIs. Raises PlaylistNotFound."""
    return await scope.app.playlists.export(scope.group_id, playlist)


async def recommend(
    scope: Scope, playlist: str, exclude_ids: Sequence[str] = (), limit: int = 10, filters: Filters | None = None
) -> tuple[Recommendation, LastRequest]:
    """Tracks for a playlist as a whole (diverse, not in it, never the caller's dislikes, nothing in
    ``exclude_ids``), and the request to remember so "more" / "slower" continue from it.

    Raises:
        PlaylistNotFound, InvalidInput (empty playlist).
    """
    from core.agent.specs import run_request

    found = await scope.app.playlists.get(scope.group_id, playlist)
    name = found.name
    spec = LastRequest(kind="playlist", playlist=name, group=scope.group_id, filters=Filters(limit=limit))
    rec, ran = await run_request(
        scope.app.personal, spec, exclude_ids, merge=filters, caller=scope.caller, recent=scope.state.recent_pages,
        lang=scope.lang,
    )
    assert isinstance(rec, Recommendation)
    if scope.lang != "en" and rec.summary:  # the service's first line, in the conversation's language
        tracks = wording.tracks_text(found.track_count, scope.lang)
        rec = rec.model_copy(update={"summary": say("pl rec summary", scope.lang, name=name, tracks=tracks)})
    return rec, ran


# ---------------------------------------------------------------------------------------------- feedback, previews
async def like(scope: Scope, ref: str) -> Any:
    """Like a track (``#N`` or any reference): :class:`core.feedback.FeedbackResult`. Raises SongNotFound."""
    return await scope.app.personal.like(scope.caller, scope.track_ref(_songs(ref)[0]))


async def dislike(scope: Scope, ref: str) -> Any:
    """Dislike a track: never recommended to this caller again. Raises SongNotFound."""
    return await scope.app.personal.dislike(scope.caller, scope.track_ref(_songs(ref)[0]))


async def preview(scope: Scope, ref: str) -> Any:
    """:class:`core.previews.TrackPreview` (``preview_url`` None when none was found; lookups never raise)."""
    return await scope.app.personal.preview(scope.track_ref(_songs(ref)[0]))


# ---------------------------------------------------------------------------------------------- wording
def page_text(page: PlaylistPage, lang: str = "en") -> str:
    """A plain-text page: a header and one numbered line per track (:func:`core.playlists.wording.page_text`)."""
    return wording.page_text(page, lang)


def list_text(playlists: Sequence[Playlist], caller: Caller, lang: str = "en") -> str:
    """The group's playlists, one per line (:func:`core.playlists.wording.list_text`)."""
    return wording.list_text(playlists, caller, lang)


def export_text(exported: PlaylistExport, lang: str = "en") -> str:
    """A header, plus the links when there are few enough to show inline (:func:`core.playlists.wording.export_text`)."""
    return wording.export_text(exported, lang)


def preview_text(found: Any, lang: str = "en") -> str:
    """"Preview of …: URL" or a no-preview note with the Spotify link, in ``lang``."""
    song = f"{found.track.title} - {found.track.artist}"
    if found.preview_url:
        return say("preview", lang, song=song, url=found.preview_url, spotify=found.spotify_url)
    return say("no preview", lang, song=song, spotify=found.spotify_url)


# ---------------------------------------------------------------------------------------------- slash commands
#: ``/playlists · /playlist create NAME · …``, from the command registry (:mod:`core.commands`).
PLAYLIST_USAGE = playlist_usage()


def split_songs(text: str) -> list[str]:
    """``"a; b"`` -> ``["a", "b"]``; ``"#1 #3"`` / ``"#1, #3"`` -> ``["#1", "#3"]``; else the whole text."""
    text = text.strip()
    if not text:
        return []
    if ";" in text:
        return [p.strip() for p in text.split(";") if p.strip()]
    numbers = number_refs(text)
    return numbers if numbers and len(numbers) > 1 else [text]


async def _name_and_rest(scope: Scope, args: str, usage: str = "NAME | SONG") -> tuple[str, str]:
    """Split ``"NAME | REST"``; without ``|``, the longest leading run of words naming an existing playlist."""
    if "|" in args:
        name, rest = args.split("|", 1)
        return name.strip(), rest.strip()
    words = args.split()
    keys = {normalize_text(p.name): p.name for p in await list_playlists(scope)}
    for n in range(len(words) - 1, 0, -1):
        if normalize_text(" ".join(words[:n])) in keys:
            return " ".join(words[:n]), " ".join(words[n:]).removeprefix("to ").strip()
    raise invalid("pl use", "playlist", usage=usage)


async def playlist_command(scope: Scope, args: str) -> ChatReply:
    """``/playlist SUBCOMMAND ...`` (see :data:`PLAYLIST_USAGE`). Raises MusicBotError for the user to read."""
    head, _, rest = args.strip().partition(" ")
    lang = scope.lang
    sub = playlist_subcommand(head) if head else None
    rest = rest.strip()
    if sub is None:
        if not head:
            sub = "list"
        else:
            return ChatReply(text=say("pl unknown", lang, sub=head[:40]) + f"\n{playlist_usage(lang)}")
    if sub == "help":
        return ChatReply(text=playlist_usage(lang))
    if sub == "list":
        return await playlists_reply(scope)
    if not rest:
        raise invalid("pl which", "playlist", usage=playlist_usage(lang))
    app = scope.app
    if sub == "create":
        p = await create(scope, rest.strip(" \"'“”"))
        return ChatReply(text=say("pl created", lang, name=p.name))
    if sub in ("add", "remove"):
        name, songs = await _name_and_rest(scope, rest, f"/playlist {sub} NAME | SONG")
        refs = split_songs(songs)
        if len(refs) > 1 and not all(r.startswith("#") for r in refs):
            refs = app.tracks.split_refs(songs)  # a whole exact title is never cut at ";"
        change = await (add(scope, name, refs) if sub == "add" else remove(scope, name, refs))
        return ChatReply(text=change.message or say("pl unchanged", lang))
    if sub == "show":
        name, page = rest, 1
        m = re.fullmatch(r"(.+?)\s*(?:\|\s*|\s+)(?:page\s*|p\.?\s*)?(\d{1,4})", rest, re.IGNORECASE)
        if m:  # "Top 40 2": a trailing number is a page unless the whole text names a playlist
            try:
                await app.playlists.get(scope.group_id, rest.replace("|", " "))
            except MusicBotError:
                name, page = m.group(1).strip(), int(m.group(2))
        return show_reply(scope, await show(scope, name, page))
    if sub == "rename":
        if "|" in rest:
            old, new = (s.strip() for s in rest.split("|", 1))
        else:
            old, new = await _name_and_rest(scope, rest, "/playlist rename OLD | NEW")
        was, p = await rename(scope, old, new.strip(" \"'“”"))
        return ChatReply(text=say("pl renamed", lang, old=was, new=p.name))
    if sub == "delete":
        p = await delete(scope, rest)
        return ChatReply(text=say("pl deleted", lang, name=p.name, tracks=wording.tracks_text(p.track_count, lang)))
    if sub == "export":
        exported = await export(scope, rest)
        return ChatReply(text=export_text(exported, lang), export_text=exported.as_text("urls") or None)
    # recommend: handled by the engine (it records the list and the request for "more")
    raise AssertionError(sub)


async def playlists_reply(scope: Scope) -> ChatReply:
    """``/playlists``."""
    items = await list_playlists(scope)
    return ChatReply(text=list_text(items, scope.caller, scope.lang), playlists=items)


def show_reply(scope: Scope, page: PlaylistPage) -> ChatReply:
    """A playlist page reply; records the page as the conversation's last list (``#N`` = its numbers)."""
    if page.entries:
        scope.state.show_page([e.track_id for e in page.entries], [], remember=False, first=page.entries[0].index)
    return ChatReply(text=page_text(page, scope.lang), playlist=page)


async def feedback_command(scope: Scope, name: str, args: str) -> ChatReply:
    """``/like REF``, ``/dislike REF``, ``/preview REF`` (REF may be ``#N``; for /preview, empty = the track last
    pointed at — likes and dislikes always name their track, so a verdict never lands on the wrong one)."""
    ref = args.strip() or (scope.state.focus or "" if name == "preview" else "")
    if not ref:
        raise invalid("which song", "ref", command=name)
    if name == "preview":
        found = await preview(scope, ref)
        scope.state.focus = found.track.track_id
        return ChatReply(text=preview_text(found, scope.lang), track=found.track, preview_url=found.preview_url)
    from core.feedback import feedback_text

    result = await (like(scope, ref) if name == "like" else dislike(scope, ref))
    scope.state.focus = result.track.track_id
    return ChatReply(text=feedback_text(result.track.title, result.track.artist, result.value, result.previous,
                                        scope.state.lang))

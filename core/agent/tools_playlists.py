"""The agent's group playlist tools — list, create, add, remove, show, rename, delete, recommend from, export — and
like / dislike / preview a track.

Offered to everyone: the playlist service decides who may rename/delete a playlist or remove others' tracks (creator,
group admin, bot admin) from the caller and ``group_admin`` in deps — never from tool arguments. Destructive ones also
need the user's own words to ask for them (:func:`_asked_by_user`). Slash commands share the same operations
(:mod:`core.agent.playlist_ops`). A change that was not made is recorded, so the reply cannot claim otherwise.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only; bound for the agent by core.agent.tools.build_tools
    from pydantic_ai import RunContext

from core.agent import playlist_ops as ops
from core.agent.deps import (
    AgentDeps,
    FeedbackDone,
    PlaylistChangeResult,
    PlaylistEntryCard,
    PlaylistExportResult,
    PlaylistInfo,
    PlaylistPageResult,
    PlaylistsResult,
    PreviewFound,
    ToolFailure,
    TracksResult,
)
from core.agent.tools_common import clamp_limit, excluded_ids, failure, tracks_result, turn_scope
from core.catalog import normalize_text
from core.errors import InvalidInput, MusicBotError


def _info(ctx: RunContext[AgentDeps], p: Any) -> PlaylistInfo:
    from core.playlists import member_key

    return PlaylistInfo(name=p.name, tracks=p.track_count, created_by=p.created_by,
                        yours=p.created_by == member_key(ctx.deps.caller))


#: Words the user's own message must contain for each destructive tool (see :func:`_asked_by_user`).
_ASKED = {
    "remove songs from": re.compile(r"\b(?:remove|delete|drop|take|clear|empty|erase|get rid|kick|cut|pull)\b", re.I),
    "rename": re.compile(r"\b(?:rename|re-name|retitle|call it|name it|change (?:the|its) name)\b", re.I),
    "delete": re.compile(r"\b(?:delete|remove|drop|erase|trash|get rid|destroy|scrap|discard)\b", re.I),
}


async def _asked_by_user(ctx: RunContext[AgentDeps], playlist: str, action: str) -> None:
    """Destructive tools act only when the user's own message names the playlist *and* asks for that action
    (``AgentDeps.user_text``), so instructions hidden in tool results — a poisoned track title on the page being
    shown, a playlist name — cannot make the model wreck the user's own playlists.

    Raises:
        PlaylistNotFound: no such playlist. InvalidInput: the user's message does not ask for this.
    """
    said = ctx.deps.user_text
    if not said:
        return
    name = (await ctx.deps.personal.playlists.get(ctx.deps.group_id, str(playlist))).name
    if f" {normalize_text(name)} " not in f" {normalize_text(said)} " or not _ASKED[action].search(said):
        raise InvalidInput(
            f'Not done: to {action} the playlist "{name}", ask for it in your own words, e.g. “{action} {name}”.',
            "playlist",
        )


def _change_failure(ctx: RunContext[AgentDeps], exc: MusicBotError) -> ToolFailure:
    """A playlist/feedback change that was not made (recorded so the reply cannot claim otherwise)."""
    ctx.deps.log.failed_changes.append(str(exc))
    return failure(ctx, exc)


def _changed(ctx: RunContext[AgentDeps], message: str) -> None:
    ctx.deps.log.changed = True
    ctx.deps.log.mutations.append(message)


def _songs_changed(ctx: RunContext[AgentDeps], action: Any, change: Any, changed: bool) -> PlaylistChangeResult:
    """The result of adding/removing songs (``change``: a :class:`core.playlists.PlaylistChange`); recorded as a
    change only when something changed."""
    if changed:
        _changed(ctx, change.message)
    return PlaylistChangeResult(action=action, playlist=change.playlist.name, tracks=change.playlist.track_count,
                                message=change.message or "Nothing changed.")


async def list_playlists(ctx: RunContext[AgentDeps]) -> PlaylistsResult | ToolFailure:
    """List this group's shared playlists with their track counts."""
    try:
        items = await ops.list_playlists(turn_scope(ctx))
    except MusicBotError as exc:
        return failure(ctx, exc)
    ctx.deps.log.playlists = items
    return PlaylistsResult(
        playlists=[_info(ctx, p) for p in items], note="" if items else "No playlists yet; create one with /playlist create NAME."
    )


async def create_playlist(ctx: RunContext[AgentDeps], name: str) -> PlaylistChangeResult | ToolFailure:
    """Create an empty shared playlist in this group, owned by the user.

    Args:
        name: the playlist name, 1-100 characters, e.g. "Road Trip".
    """
    try:
        p = await ops.create(turn_scope(ctx), str(name))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    msg = f'Created playlist "{p.name}".'
    _changed(ctx, msg)
    return PlaylistChangeResult(action="created", playlist=p.name, tracks=0, message=msg)


async def add_to_playlist(ctx: RunContext[AgentDeps], playlist: str, songs: list[str]) -> PlaylistChangeResult | ToolFailure:
    """Add songs to a playlist of this group (a song already in it is left as it is).

    Args:
        playlist: the playlist name.
        songs: the songs: #N for item N of the last list shown, a track id, a Spotify link, "title" or "title - artist".
    """
    try:
        change = await ops.add(turn_scope(ctx), str(playlist), list(songs or []))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    return _songs_changed(ctx, "added", change, bool(change.added))


async def remove_from_playlist(
    ctx: RunContext[AgentDeps], playlist: str, songs: list[str]
) -> PlaylistChangeResult | ToolFailure:
    """Remove songs from a playlist of this group (allowed for whoever added them, the playlist's creator or an admin).

    Args:
        playlist: the playlist name.
        songs: the songs: #N for item N of the last list shown (position N in the playlist if no list was shown), a track id, a link or "title - artist".
    """
    try:
        await _asked_by_user(ctx, playlist, "remove songs from")
        change = await ops.remove(turn_scope(ctx), str(playlist), list(songs or []))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    return _songs_changed(ctx, "removed", change, bool(change.removed))


async def show_playlist(ctx: RunContext[AgentDeps], playlist: str, page: int = 1) -> PlaylistPageResult | ToolFailure:
    """Show one page (10 tracks) of a playlist of this group.

    Args:
        playlist: the playlist name.
        page: the page number, 1 for the first.
    """
    try:
        shown = await ops.show(turn_scope(ctx), str(playlist), _page(page))
    except MusicBotError as exc:
        return failure(ctx, exc)
    ctx.deps.log.playlist_page = shown
    ctx.deps.log.recommendation = None  # #N now refers to this page
    return PlaylistPageResult(
        name=shown.playlist.name,
        page=shown.page,
        pages=shown.pages,
        total=shown.total,
        tracks=[
            PlaylistEntryCard(ref=f"#{e.index}", track_id=e.track_id, title=e.track.title if e.track else "(not in catalog)",
                              artist=e.track.artist if e.track else "", year=e.track.year if e.track else None,
                              added_by=e.added_by)
            for e in shown.entries
        ],
    )


def _page(page: Any) -> int:
    try:
        return min(max(int(page or 1), 1), 1000)
    except (TypeError, ValueError):
        return 1


async def rename_playlist(ctx: RunContext[AgentDeps], playlist: str, new_name: str) -> PlaylistChangeResult | ToolFailure:
    """Rename a playlist of this group (only its creator or an admin may).

    Args:
        playlist: the current playlist name.
        new_name: the new name, 1-100 characters.
    """
    try:
        await _asked_by_user(ctx, playlist, "rename")
        old, p = await ops.rename(turn_scope(ctx), str(playlist), str(new_name))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    msg = f'Renamed "{old}" to "{p.name}".'
    _changed(ctx, msg)
    return PlaylistChangeResult(action="renamed", playlist=p.name, tracks=p.track_count, message=msg)


async def delete_playlist(ctx: RunContext[AgentDeps], playlist: str) -> PlaylistChangeResult | ToolFailure:
    """Delete a playlist of this group and its track list (only its creator or an admin may).

    Args:
        playlist: the playlist name.
    """
    try:
        await _asked_by_user(ctx, playlist, "delete")
        p = await ops.delete(turn_scope(ctx), str(playlist))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    msg = f'Deleted playlist "{p.name}" ({p.track_count} track{"" if p.track_count == 1 else "s"}).'
    _changed(ctx, msg)
    return PlaylistChangeResult(action="deleted", playlist=p.name, tracks=p.track_count, message=msg)


async def recommend_from_playlist(
    ctx: RunContext[AgentDeps], playlist: str, limit: int = 10
) -> TracksResult | ToolFailure:
    """Recommend tracks that fit a playlist as a whole (diverse, not already in it, not shown before).

    Args:
        playlist: the playlist name.
        limit: number of tracks, 1-50.
    """
    try:
        rec, spec = await ops.recommend(turn_scope(ctx), str(playlist), excluded_ids(ctx), limit=clamp_limit(limit))
    except MusicBotError as exc:
        return failure(ctx, exc)
    ctx.deps.log.playlist_page = None
    return tracks_result(ctx, rec, spec)


async def export_playlist(ctx: RunContext[AgentDeps], playlist: str) -> PlaylistExportResult | ToolFailure:
    """Export a playlist as Spotify links (the full list is sent to the user with your reply).

    Args:
        playlist: the playlist name.
    """
    try:
        exported = await ops.export(turn_scope(ctx), str(playlist))
    except MusicBotError as exc:
        return failure(ctx, exc)
    ctx.deps.log.export_text = exported.as_text("urls") or None
    n = len(exported.track_ids)
    return PlaylistExportResult(
        playlist=exported.playlist.name,
        count=n,
        links=exported.urls[:20],
        note=ops.export_text(exported).split("\n", 1)[0] + (" The full list is attached." if n > 20 else ""),
    )


# ---------------------------------------------------------------------------------------------- feedback, previews
async def like_track(ctx: RunContext[AgentDeps], ref: str) -> FeedbackDone | ToolFailure:
    """Remember that the user likes a track: later recommendations lean towards it.

    Args:
        ref: the track: #N for item N of the last list shown, a track id, a Spotify link or "title - artist".
    """
    return await _feedback(ctx, ref, "like")


async def dislike_track(ctx: RunContext[AgentDeps], ref: str) -> FeedbackDone | ToolFailure:
    """Remember that the user dislikes a track: it is never recommended to them again.

    Args:
        ref: the track: #N for item N of the last list shown, a track id, a Spotify link or "title - artist".
    """
    return await _feedback(ctx, ref, "dislike")


async def _feedback(ctx: RunContext[AgentDeps], ref: str, action: str) -> FeedbackDone | ToolFailure:
    try:
        scope = turn_scope(ctx)
        result = await (ops.like(scope, str(ref)) if action == "like" else ops.dislike(scope, str(ref)))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    t = result.track
    ctx.deps.log.focus = t.track_id
    _changed(ctx, result.message)
    return FeedbackDone(action=action, track_id=t.track_id, title=t.title, artist=t.artist, message=result.message)  # type: ignore[arg-type]


async def preview_track(ctx: RunContext[AgentDeps], ref: str) -> PreviewFound | ToolFailure:
    """Find a short audio preview of a track (best effort; the Spotify link always works).

    Args:
        ref: the track: #N for item N of the last list shown, a track id, a Spotify link or "title - artist".
    """
    try:
        found = await ops.preview(turn_scope(ctx), str(ref))
    except MusicBotError as exc:
        return failure(ctx, exc)
    t = found.track
    ctx.deps.log.focus = t.track_id
    ctx.deps.log.track = t
    ctx.deps.log.preview_url = found.preview_url
    return PreviewFound(track_id=t.track_id, title=t.title, artist=t.artist, preview_url=found.preview_url,
                        spotify_url=found.spotify_url, message=ops.preview_text(found))

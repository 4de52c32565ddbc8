"""The agent's catalog admin tools: add, edit and delete a track.

They are not even offered to non-admins (``prepare=admin_only``) *and* the engine re-checks the role on every call,
raising ``PermissionDenied`` for anyone else whatever the model was told. Changes refuse fuzzy references
(:func:`resolve_exact`): deleting "everything" must not delete a song called "Everything I Wanted".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only; bound for the agent by core.agent.tools.build_tools
    from pydantic_ai import RunContext
    from pydantic_ai.tools import ToolDefinition

from core.agent.deps import AgentDeps, MutationResult, ToolFailure
from core.agent.playlist_ops import NUM_REF
from core.agent.tools_common import failure, resolve_ref
from core import policy
from core.catalog import normalize_text
from core.errors import MusicBotError, SongNotFound

#: Typical values used for features an admin leaves out when adding a track (medians of the shipped catalog).
ADD_DEFAULTS = {
    "key": -1,
    "mode": 1,
    "loudness": -6.5,
    "speechiness": 0.06,
    "acousticness": 0.08,
    "instrumentalness": 0.0,
    "liveness": 0.13,
}


async def admin_only(ctx: RunContext[AgentDeps], tool_def: ToolDefinition) -> ToolDefinition | None:
    """``prepare=`` hook: offer the tool only to admins (the engine re-checks on every call anyway)."""
    return tool_def if policy.may_edit_catalog(ctx.deps.caller) else None


def resolve_exact(ctx: RunContext[AgentDeps], ref: str) -> str:
    """Like :func:`resolve_ref`, but for changes: only ids, links, ``#N`` or an exact title ("title - artist").

    Fuzzy matches are refused (deleting "everything" must not delete a song called "Everything I Wanted").

    Raises:
        SongNotFound: nothing matched exactly (with the fuzzy candidates as suggestions).
    """
    raw = str(ref or "").strip()
    tid = resolve_ref(ctx, raw)
    if NUM_REF.match(raw) or tid in raw:
        return tid
    tracks = ctx.deps.tracks
    title = tracks.table.titles[tracks.table.pos[tid]]
    candidates = [raw] + [raw.split(sep, 1)[0] for sep in (" - ", " – ", " by ") if sep in raw]
    if any(normalize_text(c) == normalize_text(title) for c in candidates):
        return tid
    raise SongNotFound(raw, [tracks.label(tracks.table.pos[tid])])


async def add_track(
    ctx: RunContext[AgentDeps],
    track_id: str,
    title: str,
    artists: list[str],
    energy: float,
    valence: float,
    danceability: float,
    tempo: float,
    album: str = "",
    release_date: str = "",
    popularity: int = 0,
    acousticness: float | None = None,
    instrumentalness: float | None = None,
    speechiness: float | None = None,
    liveness: float | None = None,
    loudness: float | None = None,
    key: int | None = None,
    mode: int | None = None,
) -> MutationResult | ToolFailure:
    """Add a track to the catalog (admins only). Features left out get typical catalog values.

    Args:
        track_id: the 22-character Spotify track id.
        title: the track title.
        artists: the artist names.
        energy: energy 0-1.
        valence: valence 0-1.
        danceability: danceability 0-1.
        tempo: tempo in BPM.
        album: album name.
        release_date: release date, YYYY or YYYY-MM-DD.
        popularity: Spotify popularity 0-100.
        acousticness: acousticness 0-1.
        instrumentalness: instrumentalness 0-1.
        speechiness: speechiness 0-1.
        liveness: liveness 0-1.
        loudness: loudness in dB, -60 to 0.
        key: pitch class 0-11, -1 if unknown.
        mode: 1 major, 0 minor.
    """
    data: dict[str, Any] = {**ADD_DEFAULTS}
    given = {
        "track_id": track_id, "title": title, "artists": artists, "energy": energy, "valence": valence,
        "danceability": danceability, "tempo": tempo, "album": album, "release_date": release_date,
        "popularity": popularity, "acousticness": acousticness, "instrumentalness": instrumentalness,
        "speechiness": speechiness, "liveness": liveness, "loudness": loudness, "key": key, "mode": mode,
    }
    data.update({k: v for k, v in given.items() if v is not None})
    try:
        track = await ctx.deps.admin.add_song(ctx.deps.caller, data)
    except MusicBotError as exc:
        return failure(ctx, exc)
    ctx.deps.log.mutations.append(f"Added {track.title} - {track.artist} ({track.track_id}).")
    ctx.deps.log.track = track
    return MutationResult(action="added", track_id=track.track_id, title=track.title, artist=track.artist)


async def edit_track(
    ctx: RunContext[AgentDeps],
    ref: str,
    title: str | None = None,
    artists: list[str] | None = None,
    album: str | None = None,
    release_date: str | None = None,
    popularity: int | None = None,
    energy: float | None = None,
    valence: float | None = None,
    danceability: float | None = None,
    acousticness: float | None = None,
    instrumentalness: float | None = None,
    speechiness: float | None = None,
    liveness: float | None = None,
    loudness: float | None = None,
    tempo: float | None = None,
) -> MutationResult | ToolFailure:
    """Change fields of a catalog track (admins only). Only the fields given are changed.

    Args:
        ref: the track: id, "title - artist", or #N for item N of the last list.
        title: new title.
        artists: new artist names.
        album: new album name.
        release_date: new release date.
        popularity: new popularity 0-100.
        energy: new energy 0-1.
        valence: new valence 0-1.
        danceability: new danceability 0-1.
        acousticness: new acousticness 0-1.
        instrumentalness: new instrumentalness 0-1.
        speechiness: new speechiness 0-1.
        liveness: new liveness 0-1.
        loudness: new loudness in dB.
        tempo: new tempo in BPM.
    """
    given = {
        "title": title, "artists": artists, "album": album, "release_date": release_date, "popularity": popularity,
        "energy": energy, "valence": valence, "danceability": danceability, "acousticness": acousticness,
        "instrumentalness": instrumentalness, "speechiness": speechiness, "liveness": liveness,
        "loudness": loudness, "tempo": tempo,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    try:
        ctx.deps.admin.require_admin(ctx.deps.caller, "edit songs")
        tid = resolve_exact(ctx, ref)
        track = await ctx.deps.admin.edit_song(ctx.deps.caller, tid, changes)
    except MusicBotError as exc:
        return failure(ctx, exc)
    ctx.deps.log.mutations.append(f"Updated {track.title} - {track.artist}: {', '.join(sorted(changes))}.")
    ctx.deps.log.track = track
    return MutationResult(action="updated", track_id=track.track_id, title=track.title, artist=track.artist)


async def delete_track(ctx: RunContext[AgentDeps], ref: str) -> MutationResult | ToolFailure:
    """Delete a track from the catalog (admins only).

    Args:
        ref: the track: id, "title - artist", or #N for item N of the last list.
    """
    try:
        ctx.deps.admin.require_admin(ctx.deps.caller, "delete songs")
        tid = resolve_exact(ctx, ref)
        track = await ctx.deps.admin.delete_song(ctx.deps.caller, tid)
    except MusicBotError as exc:
        return failure(ctx, exc)
    ctx.deps.log.mutations.append(f"Deleted {track.title} - {track.artist} ({track.track_id}).")
    return MutationResult(action="deleted", track_id=track.track_id, title=track.title, artist=track.artist)

"""The agent's tools. Each takes ``RunContext[AgentDeps]`` first; its docstring's ``Args:`` become the tool schema.

Read tools: search, get one track, recommend (text and/or target features + filters), recommend similar, refine the
last recommendation, more of the same, explain a track. Playlist tools (issue 6, offered to everyone, permissions
checked by the playlist service from deps — caller, ``group_id``, ``group_admin`` — never from arguments): list,
create, add, remove, show, rename, delete, recommend from, export; plus like / dislike / preview. Admin tools: add / edit / delete a track — not offered to
non-admins (``prepare=admin_only``) *and* re-checked by the engine, which raises ``PermissionDenied`` for anyone else
whatever the model was told. Tools never raise for user mistakes: they return a :class:`ToolFailure` the model can
relay. Track references accept ids, Spotify links, "title - artist" and ``#3`` (item 3 of the last list shown).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic_ai import RunContext, Tool
from pydantic_ai.tools import ToolDefinition

from core.agent import playlist_ops as ops
from core.agent.deps import (
    AgentDeps,
    ClarifyResult,
    FeedbackDone,
    MutationResult,
    PlaylistChangeResult,
    PlaylistEntryCard,
    PlaylistExportResult,
    PlaylistInfo,
    PlaylistPageResult,
    PlaylistsResult,
    PreviewFound,
    ToolFailure,
    TrackCard,
    TrackDetails,
    TracksResult,
)
from core.agent.playlist_ops import Scope
from core.agent.output import TEMPO_RANGE, clamp, clamp_year
from core.agent.specs import Refinement, refine, run_request
from core.conversation import LastRequest
from core.errors import InvalidInput, MusicBotError, PermissionDenied
from core.models import AUDIO_FEATURES, Filters, NeedsClarification, Recommendation, Track

log = logging.getLogger(__name__)

ADMIN_TOOL_NAMES = frozenset({"add_track", "edit_track", "delete_track"})
_PAGE_REF = re.compile(r"^\s*(?:#|no\.?\s*|number\s+)(\d{1,4})\s*$", re.IGNORECASE)
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


# ---------------------------------------------------------------------------------------------- helpers
def resolve_ref(ctx: RunContext[AgentDeps], ref: str) -> str:
    """A track reference with ``#N`` (item N of the last list) replaced by its track id; remembers the focus."""
    ref = str(ref or "").strip()
    m = _PAGE_REF.match(ref)
    if m:
        n = int(m.group(1))
        tid = _scope(ctx).list_ref(n)
        if tid is None:
            raise InvalidInput(f"There is no #{n} in the last list.", "ref")
        ref = tid
    pos = ctx.deps.engine.resolve(ref)
    ctx.deps.log.focus = ctx.deps.engine.table.ids[pos]
    return ctx.deps.log.focus


def _scope(ctx: RunContext[AgentDeps]) -> Scope:
    """The caller, group and lists of this turn, for :mod:`core.agent.playlist_ops`."""
    deps, logbook = ctx.deps, ctx.deps.log
    recent = None
    if logbook.recommendation is not None:  # a list shown earlier in this turn: #N refers to it
        recent = ([i.track.track_id for i in logbook.recommendation.tracks], 1)
    elif logbook.playlist_page is not None and logbook.playlist_page.entries:
        entries = logbook.playlist_page.entries
        recent = ([e.track_id for e in entries], entries[0].index)
    return Scope(deps.engine, deps.caller, deps.group_id, deps.group_admin, deps.state, recent)


def resolve_exact(ctx: RunContext[AgentDeps], ref: str) -> str:
    """Like :func:`resolve_ref`, but for changes: only ids, links, ``#N`` or an exact title ("title - artist").

    Fuzzy matches are refused (deleting "everything" must not delete a song called "Everything I Wanted").

    Raises:
        SongNotFound: nothing matched exactly (with the fuzzy candidates as suggestions).
    """
    from core.catalog import normalize_text
    from core.errors import SongNotFound

    raw = str(ref or "").strip()
    tid = resolve_ref(ctx, raw)
    if _PAGE_REF.match(raw) or tid in raw:
        return tid
    engine = ctx.deps.engine
    title = engine.table.titles[engine.table.pos[tid]]
    candidates = [raw] + [raw.split(sep, 1)[0] for sep in (" - ", " – ", " by ") if sep in raw]
    if any(normalize_text(c) == normalize_text(title) for c in candidates):
        return tid
    raise SongNotFound(raw, [engine.label(engine.table.pos[tid])])


def _failure(ctx: RunContext[AgentDeps], exc: MusicBotError) -> ToolFailure:
    if isinstance(exc, PermissionDenied):
        ctx.deps.log.denied.append(str(exc))
        log.info("permission denied for %s:%s (%s)", ctx.deps.caller.platform, ctx.deps.caller.user_id, exc.action)
        return ToolFailure(error=str(exc), denied=True)
    return ToolFailure(error=str(exc), suggestions=list(getattr(exc, "suggestions", []) or []))


def _card(i: int, item: Any) -> TrackCard:
    t: Track = item.track
    return TrackCard(
        ref=f"#{i}",
        track_id=t.track_id,
        title=t.title,
        artist=t.artist,
        year=t.year,
        genre=(t.subgenres or t.genres or [""])[0],
        energy=round(t.energy, 2),
        valence=round(t.valence, 2),
        danceability=round(t.danceability, 2),
        tempo=round(t.tempo),
        reason=item.reason,
    )


def _tracks_result(ctx: RunContext[AgentDeps], rec: Recommendation, spec: LastRequest | None, note: str = "") -> TracksResult:
    logbook = ctx.deps.log
    for item in rec.tracks:
        logbook.items[item.track.track_id] = item
    logbook.recommendation = rec
    if spec is not None:
        logbook.spec = spec
    filters = rec.filters.model_dump(exclude_defaults=True, exclude={"limit"})
    if not rec.tracks and not note:
        note = "No tracks matched; suggest loosening the filters."
    return TracksResult(
        kind=rec.kind if rec.kind in ("text", "similar", "search", "playlist") else "text",
        summary=rec.summary,
        tracks=[_card(i, item) for i, item in enumerate(rec.tracks, 1)],
        target=dict(rec.target),
        filters=filters,
        note=note,
    )


def _exclude(ctx: RunContext[AgentDeps]) -> list[str]:
    return [*ctx.deps.state.shown, *ctx.deps.log.items]


def _limit(limit: int | None) -> int:
    try:
        return min(max(int(limit or 10), 1), 50)
    except (TypeError, ValueError):
        return 10


def _filters(
    genres: list[str] | None = None,
    exclude_artists: list[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    tempo_min: float | None = None,
    tempo_max: float | None = None,
    limit: int | None = None,
) -> Filters:
    data: dict[str, Any] = {"limit": _limit(limit)}
    if genres:
        data["genres"] = [str(g)[:100] for g in genres][:20]
    if exclude_artists:
        data["exclude_artists"] = [str(a)[:200] for a in exclude_artists][:50]
    if (y := clamp_year(year_min)) is not None:
        data["year_min"] = y
    if (y := clamp_year(year_max)) is not None:
        data["year_max"] = y
    if (t := clamp(tempo_min, *TEMPO_RANGE)) is not None:
        data["tempo_min"] = t
    if (t := clamp(tempo_max, *TEMPO_RANGE)) is not None:
        data["tempo_max"] = t
    if data.get("year_min") and data.get("year_max") and data["year_min"] > data["year_max"]:
        data["year_min"], data["year_max"] = data["year_max"], data["year_min"]
    return Filters(**data)


def describe(track: Track, target: dict[str, float] | None = None) -> str:
    """Plain-words description of a track's audio features (and how it fits ``target`` when given)."""

    def level(v: float, words: tuple[str, str, str]) -> str:
        return words[0] if v < 0.34 else words[1] if v < 0.67 else words[2]

    parts = [
        f"energy {track.energy:.2f} ({level(track.energy, ('calm', 'moderate', 'energetic'))})",
        f"mood/valence {track.valence:.2f} ({level(track.valence, ('dark or sad', 'neutral', 'upbeat, happy'))})",
        f"danceability {track.danceability:.2f}",
        f"tempo {track.tempo:.0f} BPM",
        f"acousticness {track.acousticness:.2f}",
        f"instrumentalness {track.instrumentalness:.2f}",
    ]
    text = ", ".join(parts)
    labels = track.subgenres or track.genres
    if labels:
        text += f"; genres: {', '.join(labels[:3])}"
    if track.year:
        text += f"; released {track.year}"
    if target:
        fits = []
        for name, want in target.items():
            have = getattr(track, name, None)
            if have is None or name not in AUDIO_FEATURES:
                continue
            close = abs(have - want) <= (15 if name == "tempo" else 6 if name == "loudness" else 0.15)
            fits.append(f"{name} {'fits' if close else 'differs from'} the target ({have:.2f} vs {want:.2f})")
        if fits:
            text += ". Against your last request: " + "; ".join(fits[:4])
    return text + "."


# ---------------------------------------------------------------------------------------------- read tools
async def search_tracks(ctx: RunContext[AgentDeps], query: str, limit: int = 8) -> TracksResult | ToolFailure:
    """Find catalog tracks by words from their title, artist or album (full-text search).

    Args:
        query: words to look for, e.g. "daft punk" or "blinding lights".
        limit: how many tracks to return, 1-50.
    """
    try:
        rec = await ctx.deps.engine.search(str(query), _limit(limit))
    except MusicBotError as exc:
        return _failure(ctx, exc)
    return _tracks_result(ctx, rec, None)


async def get_track(ctx: RunContext[AgentDeps], ref: str) -> TrackDetails | ToolFailure:
    """Look up one track with its metadata and audio features.

    Args:
        ref: a track id, a Spotify link, "title", "title - artist", or #N for item N of the last list shown.
    """
    try:
        tid = resolve_ref(ctx, ref)
        track = await ctx.deps.engine.get_track(tid)
    except MusicBotError as exc:
        return _failure(ctx, exc)
    ctx.deps.log.track = track
    return _details(track, describe(track))


def _details(track: Track, description: str) -> TrackDetails:
    return TrackDetails(
        track_id=track.track_id,
        title=track.title,
        artist=track.artist,
        album=track.album,
        year=track.year,
        genres=(track.subgenres + track.genres)[:6],
        features={name: round(float(getattr(track, name)), 3) for name in AUDIO_FEATURES},
        description=description,
    )


async def recommend(
    ctx: RunContext[AgentDeps],
    request: str = "",
    energy: float | None = None,
    valence: float | None = None,
    danceability: float | None = None,
    acousticness: float | None = None,
    instrumentalness: float | None = None,
    speechiness: float | None = None,
    tempo: float | None = None,
    genres: list[str] | None = None,
    artists: list[str] | None = None,
    exclude_artists: list[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    tempo_min: float | None = None,
    tempo_max: float | None = None,
    limit: int = 10,
) -> TracksResult | ClarifyResult | ToolFailure:
    """Recommend tracks for a mood, activity, genre or era, optionally with explicit audio-feature targets and filters.

    Tracks already shown in this conversation are left out.

    Args:
        request: the user's request in their words, e.g. "chill lo-fi for studying" (may be empty if targets are given).
        energy: target energy 0-1 (0 calm, 1 intense), or null.
        valence: target valence 0-1 (0 sad/dark, 1 happy/upbeat), or null.
        danceability: target danceability 0-1, or null.
        acousticness: target acousticness 0-1, or null.
        instrumentalness: target instrumentalness 0-1 (1 = no vocals), or null.
        speechiness: target speechiness 0-1 (rap/spoken word is high), or null.
        tempo: target tempo in BPM, 40-220, or null.
        genres: keep only tracks with one of these genres/subgenres, e.g. ["rock", "lo-fi"].
        artists: artists the user wants more of.
        exclude_artists: artists to leave out.
        year_min: earliest release year, e.g. 1990.
        year_max: latest release year, e.g. 1999.
        tempo_min: minimum tempo in BPM.
        tempo_max: maximum tempo in BPM.
        limit: number of tracks, 1-50.
    """
    explicit = {
        "energy": energy,
        "valence": valence,
        "danceability": danceability,
        "acousticness": acousticness,
        "instrumentalness": instrumentalness,
        "speechiness": speechiness,
    }
    overrides = {k: v for k, v in ((k, clamp(v, 0.0, 1.0)) for k, v in explicit.items()) if v is not None}
    if (t := clamp(tempo, *TEMPO_RANGE)) is not None:
        overrides["tempo"] = t
    merge = _filters(genres, exclude_artists, year_min, year_max, tempo_min, tempo_max, limit)
    spec = LastRequest(
        kind="text",
        request=" ".join(str(request or "").split())[:2000],
        overrides=overrides,
        artists=[str(a)[:200] for a in (artists or [])][:10],
        filters=Filters(limit=merge.limit),
    )
    if not spec.request and not overrides and not spec.artists and merge.is_empty():
        return ClarifyResult(question="What would you like to hear — a mood, an activity, a genre or a song you like?")
    try:
        result, spec = await run_request(ctx.deps.engine, spec, _exclude(ctx), merge=merge, caller=ctx.deps.caller)
    except MusicBotError as exc:
        return _failure(ctx, exc)
    if isinstance(result, NeedsClarification):
        ctx.deps.log.clarification = result
        return ClarifyResult(question=result.question, suggestions=result.suggestions)
    return _tracks_result(ctx, result, spec)


async def recommend_similar(
    ctx: RunContext[AgentDeps],
    refs: list[str],
    genres: list[str] | None = None,
    exclude_artists: list[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    limit: int = 10,
) -> TracksResult | ToolFailure:
    """Recommend tracks that sound like one or more reference songs (playlist continuation).

    Args:
        refs: reference songs: ids, Spotify links, "title - artist", or #N for item N of the last list.
        genres: keep only these genres/subgenres.
        exclude_artists: artists to leave out.
        year_min: earliest release year.
        year_max: latest release year.
        limit: number of tracks, 1-50.
    """
    try:
        if not refs:
            raise InvalidInput("Give at least one reference song.", "refs")
        ids = [resolve_ref(ctx, r) for r in list(refs)[:25]]
        spec = LastRequest(kind="similar", refs=ids, filters=Filters(limit=_limit(limit)))
        merge = _filters(genres, exclude_artists, year_min, year_max, None, None, limit)
        rec, spec = await run_request(ctx.deps.engine, spec, _exclude(ctx), merge=merge, caller=ctx.deps.caller)
    except MusicBotError as exc:
        return _failure(ctx, exc)
    assert isinstance(rec, Recommendation)
    return _tracks_result(ctx, rec, spec)


async def refine_recommendations(
    ctx: RunContext[AgentDeps],
    energy_change: float = 0.0,
    valence_change: float = 0.0,
    danceability_change: float = 0.0,
    acousticness_change: float = 0.0,
    instrumentalness_change: float = 0.0,
    tempo_change_percent: float = 0.0,
    exclude_artists: list[str] | None = None,
    only_genres: list[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
) -> TracksResult | ToolFailure:
    """Adjust the last recommendation (a follow-up such as "less upbeat", "slower", "only 90s", "not that artist").

    Args:
        energy_change: change of energy, -1 to 1 (e.g. -0.2 = calmer, 0.2 = more energetic).
        valence_change: change of valence/mood, -1 to 1 (-0.2 = less upbeat, 0.2 = happier).
        danceability_change: change of danceability, -1 to 1.
        acousticness_change: change of acousticness, -1 to 1.
        instrumentalness_change: change of instrumentalness, -1 to 1.
        tempo_change_percent: tempo change in percent, -50 to 50 (e.g. -15 = slower).
        exclude_artists: artists to leave out from now on.
        only_genres: keep only these genres/subgenres.
        year_min: earliest release year.
        year_max: latest release year.
    """
    state = ctx.deps.state
    last = ctx.deps.log.spec or state.last
    if last is None:
        return ToolFailure(error="There is no earlier recommendation to adjust; use recommend instead.")
    deltas = {
        name: clamp(v, -1.0, 1.0) or 0.0
        for name, v in (
            ("energy", energy_change),
            ("valence", valence_change),
            ("danceability", danceability_change),
            ("acousticness", acousticness_change),
            ("instrumentalness", instrumentalness_change),
        )
    }
    deltas["tempo"] = (clamp(tempo_change_percent, -50.0, 50.0) or 0.0) / 100.0
    f = _filters(only_genres, exclude_artists, year_min, year_max)
    change = Refinement(
        deltas={k: v for k, v in deltas.items() if v},
        exclude_artists=f.exclude_artists,
        genres=f.genres,
        year_min=f.year_min,
        year_max=f.year_max,
        cues=_change_cues(deltas, f),
    )
    page = [i.track.track_id for i in ctx.deps.log.recommendation.tracks] if ctx.deps.log.recommendation else state.last_page
    try:
        spec = refine(ctx.deps.engine, last, page, change)
        rec, spec = await run_request(ctx.deps.engine, spec, _exclude(ctx), caller=ctx.deps.caller)
    except MusicBotError as exc:
        return _failure(ctx, exc)
    if isinstance(rec, NeedsClarification):
        return ToolFailure(error=rec.question)
    return _tracks_result(ctx, rec, spec)


def _change_cues(deltas: dict[str, float], f: Filters) -> list[str]:
    words = {"energy": "energy", "valence": "mood", "danceability": "danceability", "acousticness": "acoustic feel",
             "instrumentalness": "instrumental feel", "tempo": "tempo"}
    cues = [f"{'higher' if v > 0 else 'lower'} {words[k]}" for k, v in deltas.items() if v]
    if f.exclude_artists:
        cues.append("without " + ", ".join(f.exclude_artists[:3]))
    if f.genres:
        cues.append("only " + ", ".join(f.genres[:3]))
    if f.year_min or f.year_max:
        cues.append(f"{f.year_min or '…'}–{f.year_max or '…'}")
    return cues


async def more_recommendations(ctx: RunContext[AgentDeps]) -> TracksResult | ToolFailure:
    """The next page of the last recommendation (nothing already shown is repeated)."""
    last = ctx.deps.log.spec or ctx.deps.state.last
    if last is None:
        return ToolFailure(error="There is no earlier recommendation; ask for something first.")
    try:
        rec, spec = await run_request(ctx.deps.engine, last, _exclude(ctx), caller=ctx.deps.caller)
    except MusicBotError as exc:
        return _failure(ctx, exc)
    if isinstance(rec, NeedsClarification):
        return ToolFailure(error=rec.question)
    return _tracks_result(ctx, rec, spec, note="" if rec.tracks else "That's everything for this request.")


async def explain_track(ctx: RunContext[AgentDeps], ref: str) -> TrackDetails | ToolFailure:
    """Explain a track's sound in plain words and why it fits (or not) the last request.

    Args:
        ref: a track id, "title - artist", or #N for item N of the last list shown.
    """
    try:
        tid = resolve_ref(ctx, ref)
        track = await ctx.deps.engine.get_track(tid)
    except MusicBotError as exc:
        return _failure(ctx, exc)
    last = ctx.deps.log.spec or ctx.deps.state.last
    desc = describe(track, last.target if last and last.kind == "text" else None)
    item = ctx.deps.log.items.get(tid)
    reason = item.reason if item is not None else ctx.deps.state.reason_for(tid)
    if reason:
        desc += f" Picked because: {reason}."
    return _details(track, desc)


# ---------------------------------------------------------------------------------------------- admin tools
async def admin_only(ctx: RunContext[AgentDeps], tool_def: ToolDefinition) -> ToolDefinition | None:
    """``prepare=`` hook: offer the tool only to admins (the engine re-checks on every call anyway)."""
    return tool_def if ctx.deps.caller.is_admin else None


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
        track = await ctx.deps.engine.add_song(ctx.deps.caller, data)
    except MusicBotError as exc:
        return _failure(ctx, exc)
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
        ctx.deps.engine.require_admin(ctx.deps.caller, "edit songs")
        tid = resolve_exact(ctx, ref)
        track = await ctx.deps.engine.edit_song(ctx.deps.caller, tid, changes)
    except MusicBotError as exc:
        return _failure(ctx, exc)
    ctx.deps.log.mutations.append(f"Updated {track.title} - {track.artist}: {', '.join(sorted(changes))}.")
    ctx.deps.log.track = track
    return MutationResult(action="updated", track_id=track.track_id, title=track.title, artist=track.artist)


async def delete_track(ctx: RunContext[AgentDeps], ref: str) -> MutationResult | ToolFailure:
    """Delete a track from the catalog (admins only).

    Args:
        ref: the track: id, "title - artist", or #N for item N of the last list.
    """
    try:
        ctx.deps.engine.require_admin(ctx.deps.caller, "delete songs")
        tid = resolve_exact(ctx, ref)
        track = await ctx.deps.engine.delete_song(ctx.deps.caller, tid)
    except MusicBotError as exc:
        return _failure(ctx, exc)
    ctx.deps.log.mutations.append(f"Deleted {track.title} - {track.artist} ({track.track_id}).")
    return MutationResult(action="deleted", track_id=track.track_id, title=track.title, artist=track.artist)


# ---------------------------------------------------------------------------------------------- playlist tools
# Offered to everyone: the playlist service decides who may rename/delete a playlist or remove others' tracks
# (creator, group admin, bot admin) from the caller and ``group_admin`` in deps — never from tool arguments.
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
    from core.catalog import normalize_text

    said = ctx.deps.user_text
    if not said:
        return
    name = (await ctx.deps.engine.playlists.get(ctx.deps.group_id, str(playlist))).name
    if f" {normalize_text(name)} " not in f" {normalize_text(said)} " or not _ASKED[action].search(said):
        raise InvalidInput(
            f'Not done: to {action} the playlist "{name}", ask for it in your own words, e.g. “{action} {name}”.',
            "playlist",
        )


def _change_failure(ctx: RunContext[AgentDeps], exc: MusicBotError) -> ToolFailure:
    """A playlist/feedback change that was not made (recorded so the reply cannot claim otherwise)."""
    ctx.deps.log.failed_changes.append(str(exc))
    return _failure(ctx, exc)


def _changed(ctx: RunContext[AgentDeps], message: str) -> None:
    ctx.deps.log.changed = True
    ctx.deps.log.mutations.append(message)


async def list_playlists(ctx: RunContext[AgentDeps]) -> PlaylistsResult | ToolFailure:
    """List this group's shared playlists with their track counts."""
    try:
        items = await ops.list_playlists(_scope(ctx))
    except MusicBotError as exc:
        return _failure(ctx, exc)
    ctx.deps.log.playlists = items
    return PlaylistsResult(
        playlists=[_info(ctx, p) for p in items], note="" if items else "No playlists yet; create_playlist makes one."
    )


async def create_playlist(ctx: RunContext[AgentDeps], name: str) -> PlaylistChangeResult | ToolFailure:
    """Create an empty shared playlist in this group, owned by the user.

    Args:
        name: the playlist name, 1-100 characters, e.g. "Road Trip".
    """
    try:
        p = await ops.create(_scope(ctx), str(name))
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
        change = await ops.add(_scope(ctx), str(playlist), list(songs or []))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    if change.added:
        _changed(ctx, change.message)
    return PlaylistChangeResult(action="added", playlist=change.playlist.name, tracks=change.playlist.track_count,
                                message=change.message or "Nothing changed.")


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
        change = await ops.remove(_scope(ctx), str(playlist), list(songs or []))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    if change.removed:
        _changed(ctx, change.message)
    return PlaylistChangeResult(action="removed", playlist=change.playlist.name, tracks=change.playlist.track_count,
                                message=change.message or "Nothing changed.")


async def show_playlist(ctx: RunContext[AgentDeps], playlist: str, page: int = 1) -> PlaylistPageResult | ToolFailure:
    """Show one page (10 tracks) of a playlist of this group.

    Args:
        playlist: the playlist name.
        page: the page number, 1 for the first.
    """
    try:
        shown = await ops.show(_scope(ctx), str(playlist), _page(page))
    except MusicBotError as exc:
        return _failure(ctx, exc)
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
        old, p = await ops.rename(_scope(ctx), str(playlist), str(new_name))
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
        p = await ops.delete(_scope(ctx), str(playlist))
    except MusicBotError as exc:
        return _change_failure(ctx, exc)
    msg = f'Deleted playlist "{p.name}" ({p.track_count} tracks).'
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
        rec, spec = await ops.recommend(_scope(ctx), str(playlist), _exclude(ctx), limit=_limit(limit))
    except MusicBotError as exc:
        return _failure(ctx, exc)
    ctx.deps.log.playlist_page = None
    return _tracks_result(ctx, rec, spec)


async def export_playlist(ctx: RunContext[AgentDeps], playlist: str) -> PlaylistExportResult | ToolFailure:
    """Export a playlist as Spotify links (the full list is sent to the user with your reply).

    Args:
        playlist: the playlist name.
    """
    try:
        exported = await ops.export(_scope(ctx), str(playlist))
    except MusicBotError as exc:
        return _failure(ctx, exc)
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
        scope = _scope(ctx)
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
        found = await ops.preview(_scope(ctx), str(ref))
    except MusicBotError as exc:
        return _failure(ctx, exc)
    t = found.track
    ctx.deps.log.focus = t.track_id
    ctx.deps.log.track = t
    ctx.deps.log.preview_url = found.preview_url
    return PreviewFound(track_id=t.track_id, title=t.title, artist=t.artist, preview_url=found.preview_url,
                        spotify_url=found.spotify_url, message=ops.preview_text(found))


READ_TOOLS = (
    search_tracks,
    get_track,
    recommend,
    recommend_similar,
    refine_recommendations,
    more_recommendations,
    explain_track,
)
PLAYLIST_TOOLS = (
    list_playlists,
    create_playlist,
    add_to_playlist,
    remove_from_playlist,
    show_playlist,
    rename_playlist,
    delete_playlist,
    recommend_from_playlist,
    export_playlist,
    like_track,
    dislike_track,
    preview_track,
)
ADMIN_TOOLS = (add_track, edit_track, delete_track)


def build_tools() -> list[Tool[AgentDeps]]:
    """Every tool, admin ones wrapped with ``prepare=admin_only``. Playlist tools are offered to everyone (the
    playlist service checks creator / group admin / bot admin on every change) and run one at a time, in order."""
    tools: list[Tool[AgentDeps]] = [Tool(fn, takes_ctx=True, docstring_format="google") for fn in READ_TOOLS]
    # sequential: "create X" then "add to X" (or "add" then "show") in one model response run in the order emitted
    tools += [Tool(fn, takes_ctx=True, docstring_format="google", sequential=True) for fn in PLAYLIST_TOOLS]
    tools += [Tool(fn, takes_ctx=True, docstring_format="google", prepare=admin_only) for fn in ADMIN_TOOLS]
    return tools


TOOL_NAMES = frozenset(fn.__name__ for fn in (*READ_TOOLS, *PLAYLIST_TOOLS, *ADMIN_TOOLS))
#: Tools that change group playlists or the user's feedback (a turn that ran one is never replayed).
CHANGE_TOOL_NAMES = frozenset(
    {"create_playlist", "add_to_playlist", "remove_from_playlist", "rename_playlist", "delete_playlist", "like_track",
     "dislike_track"}
)

"""The agent's tools. Each takes ``RunContext[AgentDeps]`` first; its docstring's ``Args:`` become the tool schema.

Read tools: search, get one track, recommend (text and/or target features + filters), recommend similar, refine the
last recommendation, more of the same, explain a track. Admin tools: add / edit / delete a track — not offered to
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

from core.agent.deps import (
    AgentDeps,
    ClarifyResult,
    MutationResult,
    ToolFailure,
    TrackCard,
    TrackDetails,
    TracksResult,
)
from core.agent.output import TEMPO_RANGE, clamp, clamp_year
from core.agent.specs import Refinement, refine, run_request
from core.conversation import LastRequest
from core.errors import InvalidInput, MusicBotError, PermissionDenied
from core.models import AUDIO_FEATURES, Filters, NeedsClarification, Recommendation, Track

log = logging.getLogger(__name__)

ADMIN_TOOL_NAMES = frozenset({"add_track", "edit_track", "delete_track"})
_PAGE_REF = re.compile(r"^\s*(?:#|no\.?\s*|number\s+)(\d{1,2})\s*$", re.IGNORECASE)
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
        page = ctx.deps.log.recommendation.tracks if ctx.deps.log.recommendation else None
        tid = page[n - 1].track.track_id if page and 1 <= n <= len(page) else ctx.deps.state.page_ref(n)
        if tid is None:
            raise InvalidInput(f"There is no #{n} in the last list.", "ref")
        ref = tid
    pos = ctx.deps.engine.resolve(ref)
    ctx.deps.log.focus = ctx.deps.engine.table.ids[pos]
    return ctx.deps.log.focus


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
        kind=rec.kind if rec.kind in ("text", "similar", "search") else "text",
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


READ_TOOLS = (
    search_tracks,
    get_track,
    recommend,
    recommend_similar,
    refine_recommendations,
    more_recommendations,
    explain_track,
)
ADMIN_TOOLS = (add_track, edit_track, delete_track)


def build_tools() -> list[Tool[AgentDeps]]:
    """Every tool, admin ones wrapped with ``prepare=admin_only``."""
    tools: list[Tool[AgentDeps]] = [Tool(fn, takes_ctx=True, docstring_format="google") for fn in READ_TOOLS]
    tools += [Tool(fn, takes_ctx=True, docstring_format="google", prepare=admin_only) for fn in ADMIN_TOOLS]
    return tools


TOOL_NAMES = frozenset(fn.__name__ for fn in (*READ_TOOLS, *ADMIN_TOOLS))

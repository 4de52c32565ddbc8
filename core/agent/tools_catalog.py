"""The agent's catalog tools, offered to everyone: search, get one track, recommend (text and/or target features and
filters), recommend similar, refine the last recommendation, more of the same, explain a track.

Tracks already shown in the conversation are never recommended again; requests are replayable
:class:`~core.conversation.LastRequest` specs run by :func:`core.agent.specs.run_request`, so "more" and follow-ups
("slower", "only 90s") work the same after slash commands and agent turns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only; bound for the agent by core.agent.tools.build_tools
    from pydantic_ai import RunContext

from core.agent.deps import AgentDeps, ClarifyResult, ToolFailure, TrackDetails, TracksResult
from core.agent.output import TEMPO_RANGE, clamp, clamp_year
from core.agent.specs import Refinement, page_mean, refine, run_request
from core.agent.tools_common import clamp_limit, excluded_ids, failure, recent_pages, resolve_ref, tracks_result, with_cap
from core.conversation import LastRequest
from core.errors import InvalidInput, MusicBotError
from core.models import AUDIO_FEATURES, Filters, NeedsClarification, Recommendation, Track


def _filters(
    genres: list[str] | None = None,
    exclude_artists: list[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    tempo_min: float | None = None,
    tempo_max: float | None = None,
    limit: int | None = None,
) -> Filters:
    data: dict[str, Any] = {} if limit is None else {"limit": clamp_limit(limit)}  # no limit: the text's count or the default
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

    if not track.has_features:
        known = [f"{n} {getattr(track, n):g}" for n in AUDIO_FEATURES if getattr(track, n) is not None]
        text = "only some audio features known: " + ", ".join(known) if known else "no audio features for this track"
        labels = track.subgenres or track.genres
        if labels:
            text += f"; genres: {', '.join(labels[:3])}"
        return text + (f"; released {track.shown_year}" if track.shown_year else "")
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
    if track.shown_year:
        text += f"; released {track.shown_year}"
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


async def search_tracks(ctx: RunContext[AgentDeps], query: str, limit: int = 8) -> TracksResult | ToolFailure:
    """Find catalog tracks by words from their title, artist or album (full-text search).

    Args:
        query: words to look for, e.g. "daft punk" or "blinding lights".
        limit: how many tracks to return, 1-50.
    """
    try:
        rec = with_cap(await ctx.deps.discovery.search(str(query), clamp_limit(limit)), limit)
    except MusicBotError as exc:
        return failure(ctx, exc)
    return tracks_result(ctx, rec, None)


async def get_track(ctx: RunContext[AgentDeps], ref: str) -> TrackDetails | ToolFailure:
    """Look up one track with its metadata and audio features.

    Args:
        ref: a track id, a Spotify link, "title", "title - artist", or #N for item N of the last list shown.
    """
    try:
        tid = resolve_ref(ctx, ref)
        track = await ctx.deps.tracks.get_track(tid)
    except MusicBotError as exc:
        return failure(ctx, exc)
    ctx.deps.log.track = track
    return _details(track, describe(track))


def _details(track: Track, description: str) -> TrackDetails:
    return TrackDetails(
        track_id=track.track_id,
        title=track.title,
        artist=track.artist,
        album=track.album,
        year=track.shown_year,
        genres=(track.subgenres + track.genres)[:6],
        features={name: round(float(getattr(track, name)), 3) for name in AUDIO_FEATURES if getattr(track, name) is not None},
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
    limit: int | None = None,
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
        limit: number of tracks, 1-50, or null for the count in the request ("20 songs") or 10.
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
        filters=Filters(limit=merge.limit) if "limit" in merge.model_fields_set else Filters(),
    )
    if not spec.request and not overrides and not spec.artists and merge.is_empty():
        return ClarifyResult(question="What would you like to hear — a mood, an activity, a genre or a song you like?")
    try:
        result, spec = await run_request(ctx.deps.personal, spec, excluded_ids(ctx), merge=merge, caller=ctx.deps.caller,
                                         recent=recent_pages(ctx), lang=_language(ctx))
    except MusicBotError as exc:
        return failure(ctx, exc)
    if isinstance(result, NeedsClarification):
        ctx.deps.log.clarification = result
        return ClarifyResult(question=result.question, suggestions=result.suggestions)
    return tracks_result(ctx, with_cap(result, limit), spec)


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
        spec = LastRequest(kind="similar", refs=ids, filters=Filters(limit=clamp_limit(limit)))
        on_screen = ([i.track.track_id for i in ctx.deps.log.recommendation.tracks] if ctx.deps.log.recommendation
                     else ctx.deps.state.last_list())
        spec = spec.keeping_exclusions(ctx.deps.log.spec or ctx.deps.state.last, on_screen)  # "more like #3"
        merge = _filters(genres, exclude_artists, year_min, year_max, None, None, limit)
        rec, spec = await run_request(ctx.deps.personal, spec, excluded_ids(ctx), merge=merge, caller=ctx.deps.caller,
                                      recent=recent_pages(ctx), lang=_language(ctx))
    except MusicBotError as exc:
        result = failure(ctx, exc)
        if any(str(r).strip().startswith("#") for r in refs):  # "más como el #12": said in the follow-up's language
            from core.agent.followup_replies import localized_error

            result.error = localized_error(result.error, _language(ctx))
        return result
    assert isinstance(rec, Recommendation)
    if any(str(r).strip().startswith("#") for r in refs) or set(ids) & {ctx.deps.state.focus, *ctx.deps.state.last_page}:
        rec = _in_language(ctx, rec)  # "más como el #2": the list's title in the follow-up's language
    return tracks_result(ctx, with_cap(rec, limit), spec)


async def refine_recommendations(
    ctx: RunContext[AgentDeps],
    energy_change: float = 0.0,
    valence_change: float = 0.0,
    danceability_change: float = 0.0,
    acousticness_change: float = 0.0,
    instrumentalness_change: float = 0.0,
    speechiness_change: float = 0.0,
    tempo_change_percent: float = 0.0,
    exclude_artists: list[str] | None = None,
    only_genres: list[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    exclude_genres: list[str] | None = None,
    language: str | None = None,
    add_words: str | None = None,
) -> TracksResult | ToolFailure:
    """Adjust the last recommendation (a follow-up such as "less upbeat", "slower", "only 90s", "not that artist",
    "no reggaeton").

    Args:
        energy_change: change of energy, -1 to 1 (e.g. -0.2 = calmer, 0.2 = more energetic).
        valence_change: change of valence/mood, -1 to 1 (-0.2 = less upbeat, 0.2 = happier).
        danceability_change: change of danceability, -1 to 1.
        acousticness_change: change of acousticness, -1 to 1.
        instrumentalness_change: change of instrumentalness, -1 to 1.
        speechiness_change: change of speechiness (spoken words: rap), -1 to 1 (e.g. -0.05 = less rap).
        tempo_change_percent: tempo change in percent, -50 to 50 (e.g. -15 = slower).
        exclude_artists: artists to leave out from now on.
        only_genres: keep only these genres/subgenres.
        year_min: earliest release year.
        year_max: latest release year.
        exclude_genres: genres/subgenres to leave out of a free-text request from now on ("no reggaeton").
        language: the user's words asking for songs in a language ("in Spanish", "auf Deutsch"): the same free-text
            request, in that language.
        add_words: the user's words to add to a free-text request, e.g. an attribute ("only female singers"): the
            same request, its refusals kept, with those words.
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
            ("speechiness", speechiness_change),
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
        cues=_change_cues(deltas, f) + [f"not {g}" for g in exclude_genres or []],
        exclude_genres=[str(g) for g in exclude_genres or []][:5],
        language=" ".join(str(language or "").split())[:40],
        add_words=" ".join(str(add_words or "").split())[:80],
    )
    page = [i.track.track_id for i in ctx.deps.log.recommendation.tracks] if ctx.deps.log.recommendation else state.last_page
    try:
        spec = refine(ctx.deps.tracks, last, page, change)
        rec, spec = await run_request(ctx.deps.personal, spec, excluded_ids(ctx), caller=ctx.deps.caller,
                                      recent=recent_pages(ctx), lang=_language(ctx))
    except MusicBotError as exc:
        return failure(ctx, exc)
    if isinstance(rec, NeedsClarification):
        return ToolFailure(error=rec.question)
    rec = _in_language(ctx, rec, change=change)
    # "faster" a seventh time: said on the first line when the list could not move further (core.agent.ceilings)
    from core.agent.ceilings import ceiling_cues, ceiling_line

    on_screen = {n: page_mean(ctx.deps.tracks, page, n) for n in change.deltas}
    stuck = ceiling_cues(change.deltas, last.filters, spec.filters, (change.year_min, change.year_max), on_screen, rec)
    if stuck:
        line = ceiling_line(stuck, _language(ctx))
        rec = rec.model_copy(update={"summary": f"{line} {rec.summary}".strip()})
        if not rec.tracks:  # nothing at all past the ceiling: the request stays where it was
            return tracks_result(ctx, rec, last, note=line)
    return tracks_result(ctx, rec, spec)


def _in_language(ctx: RunContext[AgentDeps], rec: Recommendation, change: Refinement | None = None,
                 next_page: bool = False) -> Recommendation:
    """``rec`` with its summary (the list's title and the reply's first line) in the language of the user's
    follow-up when that is Spanish, Portuguese, French or German (:mod:`core.agent.followup_replies`); unchanged
    for English."""
    lang = _language(ctx)
    if lang == "en" or not rec.summary and change is None and not next_page:
        return rec
    from core.agent.followup_replies import change_words, followup_summary

    words = change_words(lang, change.deltas, change.exclude_artists, change.genres, change.year_min,
                         change.year_max) if change is not None else []
    summary = followup_summary(rec.summary, lang, changes=words, english_changes=change.cues if change else (),
                               next_page=next_page)
    return rec.model_copy(update={"summary": summary})


def _language(ctx: RunContext[AgentDeps]) -> str:
    """The reply language of this turn (:attr:`AgentDeps.lang`, decided once per message by
    :mod:`core.reply_language`)."""
    return ctx.deps.lang


def _change_cues(deltas: dict[str, float], f: Filters) -> list[str]:
    words = {"energy": "energy", "valence": "mood", "danceability": "danceability", "acousticness": "acoustic feel",
             "instrumentalness": "instrumental feel", "speechiness": "vocal density", "tempo": "tempo"}
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
        rec, spec = await run_request(ctx.deps.personal, last, excluded_ids(ctx), caller=ctx.deps.caller,
                                      recent=recent_pages(ctx), lang=_language(ctx))
    except MusicBotError as exc:
        return failure(ctx, exc)
    if isinstance(rec, NeedsClarification):
        return ToolFailure(error=rec.question)
    rec = _in_language(ctx, rec, next_page=True)
    if not rec.tracks:
        from core.agent.followup_replies import EVERYTHING

        return tracks_result(ctx, rec, spec, note=EVERYTHING.get(_language(ctx), "That's everything for this request."))
    return tracks_result(ctx, rec, spec)


async def explain_track(ctx: RunContext[AgentDeps], ref: str) -> TrackDetails | ToolFailure:
    """Explain a track's sound in plain words and why it fits (or not) the last request.

    Args:
        ref: a track id, "title - artist", or #N for item N of the last list shown.
    """
    try:
        tid = resolve_ref(ctx, ref)
        track = await ctx.deps.tracks.get_track(tid)
    except MusicBotError as exc:
        return failure(ctx, exc)
    last = ctx.deps.log.spec or ctx.deps.state.last
    item = ctx.deps.log.items.get(tid)
    reason = item.reason if item is not None else ctx.deps.state.reason_for(tid)
    lang = _language(ctx)
    if lang != "en":  # "pourquoi le #2 ?": the track's sound and the reason in the conversation's language
        from core.explain import describe_track

        return _details(track, describe_track(track, lang, reason))
    desc = describe(track, last.target if last and last.kind == "text" else None)
    if reason:
        desc += f" Picked because: {reason}."
    return _details(track, desc)

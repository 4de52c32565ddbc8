"""Replaying and refining a conversation's last request (no Pydantic AI import: slash commands use it too).

A :class:`~core.conversation.LastRequest` is replayed by re-parsing its text with the local text understanding and
applying its explicit ``overrides`` and stored ``filters``; "more" replays it while excluding what was shown.
Follow-ups ("less upbeat", "slower", "only 90s", "not that artist") are a :class:`Refinement` applied to it.

Step sizes are :data:`core.steps.STEP` (0–1 features) and :data:`core.steps.TEMPO_STEP` (tempo), the same for every
language and every reader. A step is measured from what the list on screen actually sounded like when that is further
along than the request's target ("more energetic" after a list whose energy came out above its target starts from the
list), so each follow-up is heard. Tempo keeps a hard bound 5 % past the old tempo so "slower" is always slower, and a
tempo window the request stated ("around 160 BPM") moves with a tempo step and opens on the side an energy or mood
move contradicts, by one tempo step ("less upbeat" after "… around 160 BPM": 128–170 BPM). A year move replaces a year window
it contradicts ("newer" after "from the 80s" is the 90s, never 1989–1991). A feature move keeps the scene of the
list on screen (:func:`core.coherence.scene_labels`: "darker" after a Latin party list stays Latin). The helpers are
:mod:`core.agent.refine_steps`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from core import steps as _steps
from core.agent.output import TEMPO_RANGE, clamp
from core.agent.refine_steps import DEFAULT_BASELINE as DEFAULT_BASELINE
from core.agent.refine_steps import TEMPO_CUE, YEAR_CUE, current_ranges, move_start, shift_tempo_window, tempo_cue
from core.conversation import LastRequest
from core.genres import EXCLUDED_LABEL_WEIGHT
from core.models import Caller, Filters, NeedsClarification, Recommendation, TextQuery
from core.text.followups import current_cues

if TYPE_CHECKING:
    from core.app.ports import RequestRunner, TrackLookup
    from core.table import TrackTable


class _HasTable(Protocol):
    """Anything holding the live track table (:class:`core.app.tracks.TrackFinder`, :class:`core.app.personal.Personal`)."""

    @property
    def table(self) -> TrackTable:
        """The live track table."""
        ...

#: Features a refinement can move, with their human names for the summary.
MOVABLE = {
    "energy": "energy",
    "valence": "mood",
    "danceability": "danceability",
    "acousticness": "acoustic feel",
    "instrumentalness": "instrumental feel",
    "speechiness": "vocal density",
    "tempo": "tempo",
}
STEP = _steps.STEP
TEMPO_STEP = _steps.TEMPO_STEP


@dataclass
class Refinement:
    """A follow-up applied to the last request.

    Attributes:
        deltas: feature -> change; 0–1 features in feature units (e.g. ``-0.2``), tempo as a *fraction*
            (``-0.15`` = 15 % slower).
        exclude_artists: artists to leave out from now on.
        genres: keep only these genres/subgenres (replaces earlier genre filters).
        exclude_genres: genres/subgenres to leave out from now on (a text request's labels, weight −1).
        year_min / year_max: release-year bounds (None = unchanged).
        cues: phrases understood, for the reply's summary ("slower → tempo ≤ 110 BPM").
        language: words asking for songs in a language ("in Spanish", "auf Deutsch"), added to a free-text request
            (the mood and style asked before stay: "something for a rainy day" + "in Spanish").
        add_words: other words added to a free-text request ("only female singers": an attribute the catalog has
            no data on, said in the reply's first line), the request and its refusals kept.
    """

    deltas: dict[str, float] = field(default_factory=dict)
    exclude_artists: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    cues: list[str] = field(default_factory=list)
    exclude_genres: list[str] = field(default_factory=list)
    language: str = ""
    add_words: str = ""

    def is_empty(self) -> bool:
        """True when nothing would change."""
        return not (self.deltas or self.exclude_artists or self.genres or self.year_min or self.year_max
                    or self.exclude_genres or self.language or self.add_words)


def merge_filters(base: Filters, extra: Filters | None) -> Filters:
    """``base`` with every field that is set in ``extra`` (non-empty lists, non-None values, the limit)."""
    if extra is None:
        return base
    update = {k: v for k, v in extra.model_dump(exclude_unset=True).items() if v not in (None, [])}
    return base.model_copy(update=update)


def page_mean(source: _HasTable, ids: Sequence[str], name: str) -> float | None:
    """Mean of feature ``name`` over the given track ids (those still in the catalog), or None; unknown values and
    tempo 0 (no beat detected) are left out, as :func:`core.agent.ceilings.ceiling_cues` reads a list's mean."""
    from core.table import FEATURE_INDEX

    t = source.table
    pos = [t.pos[i] for i in ids if i in t.pos]
    if not pos or name not in FEATURE_INDEX:
        return None
    values = t.features[pos, FEATURE_INDEX[name]]
    values = values[~np.isnan(values)]  # tracks without audio features
    if name == "tempo":
        values = values[values > 0]  # tempo 0 = no beat detected, not the slowest track
    return float(np.mean(values)) if len(values) else None


async def run_request(
    runner: RequestRunner,
    spec: LastRequest,
    exclude_ids: Sequence[str] = (),
    merge: Filters | None = None,
    caller: Caller | None = None,
    recent: Sequence[Sequence[str]] = (),
    lang: str = "",
) -> tuple[Recommendation | NeedsClarification, LastRequest]:
    """Run a text, similar or playlist request (see :func:`_run`) and word the result in ``lang``: the reply's
    language of this turn (:func:`core.reply_language.turn_language`; "" = the request's own for a text request,
    English otherwise). The request text is read in that language (its notes and questions are worded in it) and
    every track's reason and a "Tracks like X" title are worded in it (:func:`core.explain.localize`; presentation
    only, the ranking is the same)."""
    result, ran = await _run(runner, spec, exclude_ids, merge, caller, recent, lang)
    if isinstance(result, NeedsClarification) or not lang or lang == "en":
        return result, ran
    from core.explain import localize

    if result.kind == "similar" and result.lang == "en":
        from core.agent.followup_replies import localized_summary

        result = result.model_copy(update={"summary": localized_summary(result.summary, lang)})
    return localize(result, lang), ran


async def _run(
    runner: RequestRunner,
    spec: LastRequest,
    exclude_ids: Sequence[str],
    merge: Filters | None,
    caller: Caller | None,
    recent: Sequence[Sequence[str]],
    lang: str,
) -> tuple[Recommendation | NeedsClarification, LastRequest]:
    """Run a text, similar or playlist request; returns the result and the spec as it was actually run.

    ``runner``: the recommendation use cases (:class:`core.app.personal.Personal`, or any
    :class:`~core.app.ports.RequestRunner`). ``merge`` (first run only) holds explicit filters to apply over what the text implies; on replays the stored
    ``spec.filters`` are used as they are. With a ``caller``, the person-aware methods are used when the
    runner has them (``recommend_query_for`` / ``recommend_similar_for``: their dislikes are never recommended).
    The session rules of :func:`core.session.capped` always apply: no version of a song in ``exclude_ids`` comes
    back, and ``recent`` (the conversation's last pages, oldest first) drives the artist cap across pages.

    Raises:
        SongNotFound, InvalidInput: from the runner.
    """
    from core.session import capped

    table = runner.table
    if spec.kind == "playlist":
        filters = merge_filters(spec.filters, merge)

        async def run_playlist(ex: list[str], n: int) -> Recommendation:
            return await runner.playlists.recommend(
                caller or Caller(), spec.group, spec.playlist, limit=n,
                filters=filters.model_copy(update={"limit": n}), exclude_ids=ex,
            )

        rec = await capped(table, run_playlist, exclude_ids, filters.limit, recent)
        if spec.cues:
            rec = rec.model_copy(update={"summary": f"{rec.summary} ({'; '.join(spec.cues[:3])})"})
        return rec, spec.model_copy(update={"filters": filters})
    if spec.kind == "similar":
        filters = merge_filters(spec.filters, merge)
        if spec.labels:  # styles the conversation refused ("no reggaeton", kept by LastRequest.keeping_exclusions)
            from core.genres import excluded_style_positions

            refused = excluded_style_positions(table, spec.labels)
            exclude_ids = [*exclude_ids, *sorted(table.ids[p] for p in refused)]
        similar_for = getattr(runner, "recommend_similar_for", None) if caller is not None else None

        async def run_similar(ex: list[str], n: int) -> Recommendation:
            f = filters.model_copy(update={"limit": n})
            if similar_for is not None:
                return await similar_for(caller, spec.refs, filters=f, exclude_ids=ex)
            return await runner.recommend_similar(spec.refs, filters=f, exclude_ids=ex)

        rec = await capped(table, run_similar, exclude_ids, filters.limit, recent)
        if spec.cues:
            rec = rec.model_copy(update={"summary": f"{rec.summary} ({'; '.join(spec.cues[:3])})"})
        return rec, spec.model_copy(update={"filters": filters})
    base = TextQuery(text=spec.request)
    if spec.request:
        parsed = await runner.understand_async(spec.request, limit=spec.filters.limit, lang=lang)
        if isinstance(parsed, NeedsClarification):
            if not (spec.overrides or spec.artists or spec.labels or merge is not None and not merge.is_empty()):
                return parsed, spec
        else:
            base = parsed
    # the limit: the one given (tool argument, stored spec), else the count asked for in the text (capped), else default
    limit = spec.filters.limit if "limit" in spec.filters.model_fields_set else base.filters.limit
    if "limit" in spec.filters.model_fields_set:  # a given limit (or a later page): the text's count was not capped
        base = base.model_copy(update={"requested_count": None})
    filters = merge_filters(base.filters.model_copy(update={"limit": limit}), merge) if merge is not None else spec.filters
    weights = dict(base.weights)
    for name in spec.overrides:
        weights[name] = max(weights.get(name, 0.0), 0.8)
    labels = {**base.labels, **spec.labels}
    moved = set(spec.overrides)  # what a follow-up changed: the text's own cues and numbers about it are stale
    if (filters.tempo_min, filters.tempo_max) != (base.filters.tempo_min, base.filters.tempo_max):
        moved.add("tempo")
    if (filters.year_min, filters.year_max) != (base.filters.year_min, base.filters.year_max):
        moved.add("year")
    query = base.model_copy(
        update={
            "target": {**base.target, **spec.overrides},
            "weights": weights,
            "labels": labels,
            "artists": list(dict.fromkeys([*base.artists, *spec.artists])),
            "filters": filters,
            "ranges": current_ranges(base.ranges, spec.overrides, filters),
            "cues": [*spec.cues, *current_cues(base.cues, moved)],  # "less upbeat": not "upbeat → …"
        }
    )
    query_for = getattr(runner, "recommend_query_for", None) if caller is not None else None

    async def run_query(ex: list[str], n: int) -> Recommendation:
        if query_for is not None:
            return await query_for(caller, query, exclude_ids=ex, limit=n)
        return await runner.recommend_query(query, exclude_ids=ex, limit=n)

    rec = await capped(table, run_query, exclude_ids, filters.limit, recent, asked=query.artists)
    # the styles the request refused stay with it ("more like #3" keeps them: LastRequest.keeping_exclusions)
    refused = {k: w for k, w in query.labels.items() if w <= EXCLUDED_LABEL_WEIGHT and k.startswith(("genre:", "subgenre:"))}
    return rec, spec.model_copy(update={"target": dict(rec.target), "filters": rec.filters, "ranges": dict(rec.ranges),
                                        "labels": {**spec.labels, **refused}})


def refine(source: TrackLookup, spec: LastRequest, last_page: Sequence[str], change: Refinement) -> LastRequest:
    """Apply a follow-up to the last request and return the new request (the old one is not modified); ``source``
    gives the live table and references (an anchored request is restated around its anchor).

    Feature moves on a "similar" or "playlist" request turn it into a feature-target request around the last page's
    mean sound; filters alone (years, artists, genres) keep it a playlist/similar request.
    """
    spec = spec.model_copy(deep=True)
    restated = False
    for genre in change.exclude_genres:  # "no reggaeton": a text request's label at −1 (core.genres excludes it)
        kind = next((k for k in ("genre", "subgenre") if (k, genre) in source.table.label_index), None)
        if kind is not None and spec.kind in ("text", "similar"):  # a radio keeps it too (run_request excludes it)
            spec.labels[f"{kind}:{genre}"] = -1.0
            spec.filters = spec.filters.model_copy(update={"genres": [g for g in spec.filters.genres if g != genre]})
        elif kind is None and spec.kind == "text" and spec.request and f", without {genre}" not in spec.request:
            # a style without a catalog label ("no jazz" after "party songs"): said in the request, which the text
            # understanding reads as a refusal (its tracks left out, its cue "not jazz"), the rest kept
            spec.request = f"{spec.request}, without {genre}"  # "without": no other language reads it otherwise
    if change.language and spec.kind == "text" and spec.request:  # "in Spanish": the same request, in that language
        from core.text.language_choice import language_phrase

        # a language said before ("in Spanish", then "auf Deutsch") is replaced, not kept beside the new one
        kept = [part for part in spec.request.split(", ") if not language_phrase(part)] or [spec.request]
        spec.request = f"{', '.join(kept)}, {change.language}"
    if change.add_words and spec.kind == "text" and spec.request and change.add_words not in spec.request:
        spec.request = f"{spec.request}, {change.add_words}"  # "only female singers": the request says it too
    if change.deltas and spec.kind == "text" and spec.request:
        # "like Coldplay but more upbeat" + "slower": the move is made around the anchor (core.anchors), so it is
        # said in the request's words; a move against an earlier one on the same axis takes it back one step
        from core.agent.anchored_followups import restate_anchored

        said = restate_anchored(source, spec.request, change.deltas)
        restated, spec.request = said != spec.request, said
    if change.deltas and spec.kind == "text" and not restated and not spec.filters.genres and last_page:
        # the style of the list on screen stays ("more hopeful" after sad R&B is brighter R&B, not a genre salad);
        # labels the request named itself keep their own weight
        from core.coherence import scene_labels

        t = source.table
        scene = scene_labels(t, [t.pos[i] for i in last_page if i in t.pos])
        spec.labels = {**scene, **spec.labels}
    if change.deltas and spec.kind in ("similar", "playlist"):
        core = ("energy", "valence", "danceability", "acousticness")
        base_target = {n: v for n in core if (v := page_mean(source, last_page or spec.refs, n)) is not None}
        from core.coherence import scene_labels  # the list's scene stays: "calmer" after a neo-soul radio is neo soul

        t = source.table
        scene = scene_labels(t, [t.pos[i] for i in (last_page or spec.refs) if i in t.pos])
        refused = {k: w for k, w in spec.labels.items() if w <= EXCLUDED_LABEL_WEIGHT}  # "no reggaeton" still holds
        spec = LastRequest(kind="text", overrides=base_target, filters=spec.filters, cues=list(spec.cues),
                           labels={**scene, **refused})
    filters = spec.filters.model_copy(deep=True)
    window = (filters.tempo_min, filters.tempo_max)
    for name, delta in change.deltas.items():
        if name not in MOVABLE:
            continue
        if restated and name != "tempo":  # said around the anchor: no absolute target (tempo keeps its bound below)
            spec.overrides.pop(name, None)
            continue
        before = spec.overrides.get(name, spec.target.get(name))
        baseline = move_start(before, page_mean(source, last_page, name), delta, name)
        if name == "tempo":
            new = clamp(baseline * (1.0 + delta), *TEMPO_RANGE)
            shift_tempo_window(filters, baseline, delta)
        else:
            new = clamp(baseline + delta, 0.02, 0.98)
            loud = spec.overrides.get("loudness", spec.target.get("loudness"))
            if name == "energy" and loud is not None:  # loudness follows energy (core.steps.LOUDNESS_PER_ENERGY)
                moved = float(new) - (before if before is not None else baseline)
                spec.overrides["loudness"] = round(float(clamp(loud + moved * _steps.LOUDNESS_PER_ENERGY, -30.0, -2.0)), 2)
        spec.overrides[name] = round(float(new), 3)
    if not change.deltas.get("tempo") and not restated:
        # "less upbeat" after "… around 160 BPM": the window opens by one tempo step on the side the move contradicts
        mood = change.deltas.get("energy", 0.0) or change.deltas.get("valence", 0.0)
        if mood < 0 and filters.tempo_min is not None:
            filters.tempo_min = round(filters.tempo_min * (1.0 - TEMPO_STEP), 1)
        elif mood > 0 and filters.tempo_max is not None:
            filters.tempo_max = round(filters.tempo_max * (1.0 + TEMPO_STEP), 1)
    window_cue = tempo_cue(filters) if (filters.tempo_min, filters.tempo_max) != window else ""
    if change.exclude_artists:
        names = list(dict.fromkeys([*filters.exclude_artists, *change.exclude_artists]))
        filters.exclude_artists = names[-50:]
        spec.artists = [a for a in spec.artists if a.casefold() not in {n.casefold() for n in names}]
    if change.genres:
        filters.genres = list(change.genres)
    if change.year_min is not None:  # a bound past the old window replaces it ("newer" after "the 80s")
        filters.year_min = change.year_min
        if change.year_max is None and filters.year_max is not None and filters.year_max < change.year_min:
            filters.year_max = None
    if change.year_max is not None:
        filters.year_max = change.year_max
        if change.year_min is None and filters.year_min is not None and filters.year_min > change.year_max:
            filters.year_min = None
    if filters.year_min and filters.year_max and filters.year_min > filters.year_max:
        filters.year_min, filters.year_max = filters.year_max, filters.year_min
    spec.filters = filters
    replaced = {c.split(" ", 1)[-1] for c in change.cues}
    kept = [c for c in spec.cues if c.split(" ", 1)[-1] not in replaced
            and not (YEAR_CUE.match(c) and (change.year_min is not None or change.year_max is not None))]
    spec.cues = list(dict.fromkeys([*change.cues, *([window_cue] if window_cue else []),
                                    *(c for c in kept if not TEMPO_CUE.match(c))]))[:6]
    return spec

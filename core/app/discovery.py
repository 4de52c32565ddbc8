"""Discovery use cases: full-text search and recommendations (similar tracks, free text, parsed queries, anchored
"like X but …" requests), each checked against what the loaded catalog covers.

:class:`Discovery` (moved from ``Engine``'s "search" and "recommendations" sections, bodies unchanged) takes narrow
parts — the :class:`~core.app.loaded.LoadedCatalog` (table, KNN recommender, text understanding, coverage), a
:class:`~core.app.ports.TrackSearch` port (the catalog's full-text search) and the :class:`~core.app.tracks.TrackFinder`
— never the engine. Personalised twins pass a ``rank`` (see :mod:`core.app.personal`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import numpy as np

from core.anchors import (
    Anchor,
    title_anchor,
    STYLE_SHARE,
    _anchor_tracks,
    asks_seasonal,
    calm_ceilings,
    era_shift,
    familiar_bonus,
    is_seasonal,
    seasonal_positions,
    find_anchor,
    in_scene,
    SCENE_BONUS,
    lean_seeds,
    linked_artists,
    linked_mask,
    off_season,
    move_mask,
    scene_masks,
    seed_years,
    shift_around,
    similarity_only,
    thin_scene_line,
    tiered_boost,
    year_mask,
)
from core.anchor_step import own_in_band, with_own
from core.app.loaded import LiveParts, LoadedCatalog
from core.app.ports import TrackSearch
from core.app.tracks import TrackFinder
from core.catalog_rows import normalize_text
from core.coherence import GENRE_POOL, POOL_FACTOR, cohere, named_genres, numbers_only, own_genre_first
from core.coverage import (
    LYRICS_LANGUAGE,
    MIN_EVIDENCE,
    CatalogCoverage,
    artist_suggestions,
    coverage_line,
    describe_alternative,
    negated_styles,
    partial_artist_matches,
    search_closeness,
    sort_notes,
    titled,
)
from core.errors import InvalidInput
from core.explain import Fact, explain_similar_lines, format_reasons, localize
from core.genres import excluded_style_positions, refused_cue
from core.search_rank import closest_name, whole_name_first
from core.scene import era_query
from core.playlist_spread import spread_ranked, wants_playlist_spread
from core.anchor_others import asks_other_artists
from core.limits import DEFAULT_TRACKS, MAX_TRACKS
from core.ranges import range_mask
from core.reply_words import say
from core.models import (
    AUDIO_FEATURES,
    FEATURE_RANGES,
    AnchorInfo,
    CountCap,
    CoverageNote,
    Filters,
    NeedsClarification,
    Reason,
    Recommendation,
    RecommendedTrack,
    TextNote,
    TextQuery,
)
from core.anchor_sound import artist_style_mask, in_family, main_style, near_anchor, scene_styles, styled
from core.anchor_words import (
    avoid_held_line,
    label_mask,
    prefer_thin_line,
    read_rest,
    scene_left_line,
    unread_line,
)
from core.steps import CUES as _MOVE_CUES
from core.moves import conflict_sentence, era_reading, read_moves
from core.recommender import Scored
from core.references import ResolvedRef, check_filters, check_text
from core.spotify_links import find_links, strip_links
from core.table import FEATURE_INDEX, TrackTable
from core.text.caveats import conflicts_from_notes
from core.style_scene import named_scene
from core.text.language_lines import some_in_language
from core.text.title_language import by_titles, table_languages
from core.text.wording import localize_anchor_summary, localize_cues, no_data_alternative

#: ``boost`` is an extra score over the candidate view as in :meth:`Recommender.similar`, or None).
SimilarRank = Callable[..., Awaitable[list[Scored]]]  # (seeds, filters, exclude, pool, boost, intensity=)


def _title_only(query: TextQuery) -> bool:
    """True when the text understanding read nothing in ``query`` but artists whose names are only part of the
    request ("Wake Me" in "wake me up"): no label, style, range, genre, year or tempo — so the request may be a song's
    title (:func:`core.anchors.title_anchor`). An artist named by the whole request ("kanye west", or "bob marley" for
    the act he leads) keeps it."""
    f = query.filters
    if query.labels or query.styles or query.ranges or f.genres or f.year_min or f.year_max or f.tempo_min \
            or f.tempo_max or query.title_language:
        return False
    said = f" {normalize_text(query.text)} "
    # only strictly inside: "Wake Me" in "wake me up" yes; "Bob Marley & The Wailers" for "bob marley" no (the act)
    return all(f" {normalize_text(a)} " in said and f" {normalize_text(a)} " != said for a in query.artists)


def join_cues(cues: Sequence[str]) -> str:
    """The cues of a parsed request as one summary line: phrases joined by "; ", a sentence (a note ending in
    ".", "!" or "?") followed by a space only — never ".;"."""
    out = ""
    for cue in cues:
        cue = cue.strip()
        if not cue:
            continue
        out += ("" if not out else " " if out[-1] in ".!?" else "; ") + cue
    return out




#: Features whose move (relative or stated) frees an anchored list from the anchor's intensity (energy,
#: acousticness and loudness: the gap :func:`core.recommender.intensity_penalty` holds; tempo: "slower" is calmer).
INTENSITY_MOVES = frozenset({"energy", "acousticness", "loudness", "tempo"})
#: Every move cue (core.steps.CUES): the moves a scene-left line names.
MOVE_CUE_WORDS = frozenset(c for pair in _MOVE_CUES.values() for c in pair)
#: Requests up to this many characters are parsed on the event loop; longer ones in a worker thread
#: (:meth:`Discovery.understand_async`). A typical request is < 100 characters and parses in ~1–3 ms.
INLINE_TEXT_CHARS = 200
#: Score added to the tracks of the playlists named after a style no genre label names: as much as a subgenre label,
#: so they reach the list next to the neighbour style's tracks ("metal": the "… / Metal" playlist beside hard rock)
#: without pushing out better-fitting ones (a prog-metal playlist does not own "aggressive metal for the gym").
PLAYLIST_FIRST = 1.0
#: Share of a list the look-alikes of a missing style may lead when there are fewer of them than the list is long
#: (seven "bossa" titles and albums: three lead, the request's best-fitting tracks follow).
HANDFUL_SHARE = 0.3
#: Extra radio picks asked for, so up to this many holiday songs can be dropped from a year-round radio.
HOLIDAY_SPARE = 5


def _with_moves(table: TrackTable, scored: list[Scored], target: dict[str, float], name: str) -> list[Scored]:
    """``scored`` with the features a "like X but …" request moved said first in each reason, as the track's value
    next to X's mean (``target``: feature -> X's mean, native units), e.g. "92 BPM (Coldplay 118 BPM)"; at most two
    moved features, and a plain fact about the same feature is dropped. Unchanged when nothing was moved."""
    moved = [k for k in target if k in FEATURE_INDEX][:2]
    if not moved:
        return scored
    out = []
    for s in scored:
        said = [Fact("anchor_feature", k, float(table.features[s.pos, FEATURE_INDEX[k]]), float(target[k]), name)
                for k in moved]
        facts = said + [f for f in s.facts if not (f.kind in ("feature", "asked_feature") and f.feature in moved)]
        out.append(Scored(s.pos, s.score, format_reasons(facts), facts))
    return out


def _with_anchor_year(scored: list[Scored], year: int | None, name: str) -> list[Scored]:
    """``scored`` with each era fact measured from the anchor's year (``year``: the median original year of X's seeds,
    the one the first line names, "newer → 1996+ (anchor 1991)"), worded "2017 (Metallica 1991)" — not from the
    nearest of the seeds leaning toward the move, whose year contradicts the first line. ``year`` None: each fact
    keeps its nearest seed's year, worded with X's name ("1997 (Radiohead 1995)": X's songs are the seeds, never
    shown as such)."""
    out = []
    for s in scored:
        if not any(f.kind == "era" for f in s.facts):
            out.append(s)
            continue
        facts = [Fact("era", "", f.value, float(year) if year is not None else f.target, name)
                 if isinstance(f, Fact) and f.kind == "era" and (year is not None or f.target is not None) else f
                 for f in s.facts]
        out.append(Scored(s.pos, s.score, format_reasons(facts), facts))
    return out


def _with_asked_labels(table: TrackTable, scored: list[Scored], carry: np.ndarray | None,
                       keys: Sequence[str]) -> list[Scored]:
    """``scored`` with the style asked for around an anchor ("more rock": ``keys`` = ["genre:rock"], ``carry`` its
    :func:`core.anchor_words.label_mask`) said first in the reason of each track carrying it ("genre: rock"), in place
    of a plain shared label of the same kind; the others unchanged — the summary's "rock → genre:rock" is then
    checkable track by track."""
    if carry is None or not keys:
        return scored
    wanted = [tuple(k.split(":", 1)) for k in keys]
    out = []
    for s in scored:
        mine = {table.label_names[lid] for lid in table.labels[s.pos]}
        hits = [(kind, name) for kind, name in wanted if (kind, name) in mine]
        if not carry[s.pos] or not hits:
            out.append(s)
            continue
        kind, name = hits[0]
        facts = [Fact("asked_label", kind, None, None, name)] + [
            f for f in s.facts if not (f.kind == "label" and f.feature == kind)]
        out.append(Scored(s.pos, s.score, format_reasons(facts), facts))
    return out


def _off_season_radio(table: TrackTable, scored: list[Scored], seeds: Sequence[int]) -> list[Scored]:
    """``scored`` without holiday songs (:func:`core.anchors.is_seasonal`: "Sleigh Ride" in a "No Scrubs" radio)
    unless a seed is one itself (a radio of "Last Christmas" stays a Christmas radio); order kept."""
    if any(is_seasonal(table, p) for p in seeds):
        return scored
    return [s for s in scored if not is_seasonal(table, s.pos)]


def _outside_anchor(notes: list[TextNote], rest: str) -> list[TextNote]:
    """``notes`` without the conflicts that have a side inside the anchor's name: each side of a kept conflict is
    written in ``rest`` (the request's words outside "like X", :attr:`core.anchors.Anchor.rest`)."""
    words = f" {normalize_text(rest)} "
    return [n for n in notes if n.kind != "conflict"
            or all(f" {normalize_text(side)} " in words for side in n.subject.split("|"))]


class Discovery(LiveParts):
    """Search and recommendation use cases over the live catalog (no storage writes, no engine)."""

    def __init__(self, loaded: LoadedCatalog, search_port: TrackSearch, finder: TrackFinder) -> None:
        self.loaded = loaded
        self.search_port = search_port
        self.finder = finder

    # ------------------------------------------------------------------ the live parts (read on every call)
    @property
    def text(self) -> Any:
        """The local text understanding (fitted on first use)."""
        return self.loaded.text

    @property
    def coverage(self) -> CatalogCoverage:
        """What the loaded catalog holds (:class:`core.coverage.CatalogCoverage`)."""
        return self.loaded.coverage

    def resolve(self, ref: str, fuzzy: bool = True) -> int:
        """:meth:`core.app.tracks.TrackFinder.resolve`."""
        return self.finder.resolve(ref, fuzzy=fuzzy)

    def resolve_ref(self, ref: str, fuzzy: bool = True) -> ResolvedRef:
        """:meth:`core.app.tracks.TrackFinder.resolve_ref`."""
        return self.finder.resolve_ref(ref, fuzzy=fuzzy)

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        return self.finder.label(pos)

    async def follow_short_links(self, text: str) -> None:
        """:meth:`core.app.tracks.TrackFinder.follow_short_links`."""
        await self.finder.follow_short_links(text)

    # ------------------------------------------------------------------ search
    async def search(self, query: str, limit: int = 10) -> Recommendation:
        """Full-text search over title / artist / album (FTS5), falling back to fuzzy matching.

        Raises:
            InvalidInput: empty/over-long query or limit outside 1–50.
        """
        query = check_text(query, "search")
        limit = self._limit(limit)
        ids = await self.search_port.search_ids(query, limit * 3)
        positions = whole_name_first(self.table, [self.table.pos[i] for i in ids if i in self.table.pos], query)
        coverage: list[CoverageNote] = []
        if not positions:
            # typo tolerance only: a fuzzy hit must be close to a whole artist name or title, never a partial-word
            # match padding the list ("Luke Combs" is not "Luke Bryan")
            positions = [p for p in self.refs.fuzzy_search(query, limit) if search_closeness(self.table, p, query) >= 85]
            if positions:  # a near name, said as such on the first line: never presented as what was typed
                coverage = [CoverageNote(requested=query, kind="closest_match",
                                         alternative=closest_name(self.table, positions[0], query))]
            else:
                names = artist_suggestions(self.table, query)
                alt = " or ".join(names)  # the names only: each language's line words the question
                # a search may name a title, an artist or an album: say nothing matched, not "no such artist"
                coverage = [CoverageNote(requested=query, kind="no_match", alternative=alt)]
        seen: set[str] = set()
        results = []
        for p in positions:
            key = self.table.norm_keys[p]
            if key in seen:
                continue
            seen.add(key)
            why = [Reason(kind="search")]
            results.append(RecommendedTrack(track=self.table.track(p), score=1.0, reason=format_reasons(why), reasons=why))
            if len(results) >= limit:
                break
        return Recommendation(kind="search", query=query, tracks=results, filters=Filters(limit=limit), coverage=coverage)

    # ------------------------------------------------------------------ recommendations
    # The personalised twins (``recommend_*_for``, core.personal) run the same pipelines with another ``rank``.
    @staticmethod
    def _limit(limit: int | None) -> int:
        if limit is None:
            return DEFAULT_TRACKS
        if not isinstance(limit, int) or not 1 <= limit <= MAX_TRACKS:
            raise InvalidInput(
                f"limit must be between 1 and {MAX_TRACKS} (got {limit}).", field="limit", allowed=f"1–{MAX_TRACKS}"
            )
        return limit

    def _results(self, scored: Sequence[Scored]) -> list[RecommendedTrack]:
        return [
            RecommendedTrack(track=self.table.track(s.pos), score=round(s.score, 4), reason=s.reason, reasons=s.reasons)
            for s in scored
        ]

    def _exclude_positions(self, exclude_ids: Sequence[str]) -> set[int]:
        return {self.table.pos[i] for i in exclude_ids if i in self.table.pos}

    async def recommend_similar(
        self, refs: Sequence[str], filters: Filters | None = None, exclude_ids: Sequence[str] = ()
    ) -> Recommendation:
        """Tracks similar to one or many references (ids, links, URIs, titles, "title - artist").

        Raises:
            SongNotFound: a reference did not resolve (first failing one). InvalidInput: no reference given, or
            ``filters`` out of range or backwards (:func:`core.references.check_filters`).
        """
        return await self._similar(refs, check_filters(filters), exclude_ids)

    async def _similar(
        self,
        refs: Sequence[str],
        filters: Filters | None,
        exclude_ids: Sequence[str],
        rank: Callable[[list[int], Filters, set[int]], Awaitable[list[Scored]]] | None = None,
    ) -> Recommendation:
        """:meth:`recommend_similar` scored by ``rank(positions, filters, exclude)`` (default: the KNN recommender)."""
        refs = [r for r in refs if r and r.strip()]
        if not refs:
            raise InvalidInput("Give at least one song, e.g. /similar Blinding Lights - The Weeknd")
        if len(refs) > 25:
            raise InvalidInput("Please give at most 25 reference songs.")
        filters = filters or Filters()
        for r in refs:
            await self.follow_short_links(r)
        resolved = [self.resolve_ref(r) for r in refs]
        positions = [r.pos for r in resolved]
        notes = [r.note for r in resolved if r.note]
        exclude = self._exclude_positions(exclude_ids)
        # a few spare picks, so holiday songs can leave a radio of a year-round song (core.anchors.off_season)
        wider = filters.model_copy(update={"limit": min(MAX_TRACKS, filters.limit + HOLIDAY_SPARE)})
        if rank is None:
            scored = self.recommender.similar(positions, wider, exclude=exclude)
        else:
            scored = await rank(positions, wider, exclude)
        scored = _off_season_radio(self.table, scored, positions)[: filters.limit]
        names = ", ".join(self.label(p) for p in positions[:3]) + ("…" if len(positions) > 3 else "")
        summary = "\n".join([*notes, f"Tracks like {names}"])
        return Recommendation(
            kind="similar", query=" | ".join(refs), tracks=self._results(scored), filters=filters, summary=summary,
            notes=notes,
        )

    def understand(self, text: str, limit: int = 10, lang: str = "") -> TextQuery | NeedsClarification:
        """Run the local text understanding on a request (validated first). Links are removed first: words inside
        URLs ("album", "token" in a query string) never count as words of the request. ``lang``: the language to
        word notes and questions in (the conversation's, :mod:`core.reply_language`); "" = the request's own."""
        text = check_text(text)
        links = find_links(text)
        if not links:
            return self._gap_or(text, self.text.parse(text, limit=limit, lang=lang), limit)
        parsed = self._gap_or(text, self.text.parse(strip_links(text, links) or text, limit=limit, lang=lang), limit)
        # catalog track links stay in the query's text as canonical URIs: "<link> but slower" is anchored on the
        # linked song (core.anchors.link_anchor), its modifier kept; other links are gone (core.link_refs). The
        # linked song is the meaning even when the words around it carry none ("como <link> pero más lento").
        from core.link_refs import link_references

        linked = link_references(self, text)
        if not linked.positions:
            return parsed
        if isinstance(parsed, NeedsClarification):
            return TextQuery(text=linked.text, filters=Filters(limit=limit), confidence=0.5)
        return parsed.model_copy(update={"text": linked.text})

    def _gap_or(self, text: str, parsed: TextQuery | NeedsClarification,
                limit: int = DEFAULT_TRACKS) -> TextQuery | NeedsClarification:
        """``parsed``, except that a request that is only a song's title ("bad guy", "play Blinding Lights":
        :func:`core.anchors.title_anchor`) is that song's request (:meth:`_query` anchors it), and that a request the text understanding could not read but which names a style this
        catalog has no track of ("gregorian chant") says so first, with the genres the catalog does have, instead
        of "I couldn't tell what kind of music … means"."""
        if not isinstance(parsed, NeedsClarification):
            return parsed
        if title_anchor(text, self.table, self.refs) is not None:
            return TextQuery(text=text, filters=Filters(limit=limit), confidence=0.5)
        missing = [n for n in self.coverage.check_request(text) if n.kind in ("missing", "unlabelled")]
        if not missing:
            return parsed
        table = self.table
        genres = sorted(((len(table.label_tracks.get(lid, ())), name) for (kind, name), lid in table.label_index.items()
                         if kind == "genre"), reverse=True)
        has = f" Its genres are {', '.join(name for _, name in genres[:8])}." if genres else ""
        question = (f"{coverage_line(missing[0])}{has} Tell me a mood, activity, genre, era or artist — for example "
                    "\u201crelaxing acoustic songs\u201d or \u201clike Daft Punk but slower\u201d.")
        return NeedsClarification(question=question, suggestions=parsed.suggestions)

    async def understand_async(self, text: str, limit: int = 10, lang: str = "") -> TextQuery | NeedsClarification:
        """:meth:`understand` for the async paths: a request longer than :data:`INLINE_TEXT_CHARS` is parsed in a
        worker thread (``asyncio.to_thread``), so one long message never holds the event loop while other users
        wait; shorter ones are parsed inline (the thread hop would cost more than they do). The text
        understanding is fitted on the loop first."""
        _ = self.text
        if len(text) <= INLINE_TEXT_CHARS:
            return self.understand(text, limit, lang)
        return await asyncio.to_thread(self.understand, text, limit, lang)

    async def recommend_query(
        self, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """Recommendations for an already-parsed :class:`TextQuery` (from the local parser or an LLM)."""
        return await self._query(query, exclude_ids, limit)

    async def _query(
        self,
        query: TextQuery,
        exclude_ids: Sequence[str],
        limit: int | None,
        rank: Callable[..., Awaitable[list[Scored]]] | None = None,
        similar_rank: SimilarRank | None = None,
    ) -> Recommendation:
        """:meth:`recommend_query` scored by ``rank(query, exclude, limit)`` (default: the KNN recommender).

        A request anchored on an artist or song ("like Drake but newer", :mod:`core.anchors`) runs the similarity
        engine from the anchor's seed tracks instead (``similar_rank(seeds, filters, exclude, pool)``, default
        :meth:`Recommender.similar`). Every reply is checked against what the loaded catalog holds
        (:mod:`core.coverage`): missing or sparse styles, eras and attributes become ``Recommendation.coverage``.
        """
        limit = self._limit(limit or query.filters.limit)
        query = query.model_copy(update={"filters": query.filters.model_copy(update={"limit": limit})})
        query = self._clamp(query)
        exclude = self._exclude_positions(exclude_ids)
        # "Luke Combs" read as the catalog's "Luke": not a substitution to make silently (a note says so below)
        partial = partial_artist_matches(query.text, query.artists, self.table) if query.artists else []
        if partial:
            wrong = {a for _, a in partial}
            query = query.model_copy(update={
                "artists": [a for a in query.artists if a not in wrong],
                "cues": [c for c in query.cues if not any(c.endswith(f"{a} → artist") for a in wrong)],
            })
        exclude = exclude | excluded_style_positions(self.table, query.labels)  # "no reggaeton": none shown as it
        family = self.coverage.era_family_labels(query.text, query.filters)  # "60s soul": the 60s r&b
        if family:
            query = query.model_copy(update={"labels": {**family, **query.labels}})
        anchor = find_anchor(query.text, self.table, self.refs) if query.text else None
        if anchor is None and query.text and _title_only(query):
            # "wake me up": Avicii's song, not the artist "Wake Me" whose name is only the start of it
            anchor = title_anchor(query.text, self.table, self.refs)
            if anchor is not None:
                query = query.model_copy(update={"artists": [], "target": {}, "weights": {}, "cues": [
                    c for c in query.cues if not c.endswith("→ artist")]})
        # holiday songs only when asked for or anchored on one ("60s soul" held five Christmas songs)
        seeds = anchor.seeds if anchor is not None else []
        if not asks_seasonal(query.text) and not any(is_seasonal(self.table, p) for p in seeds):
            exclude = exclude | seasonal_positions(self.table)
        if anchor is not None and anchor.seeds and query.notes:  # a conflict needs both its words outside the name:
            # "like Run Away by Real McCoy but slower" said "“run” and “slower” pull in opposite directions"
            query = query.model_copy(update={"notes": _outside_anchor(query.notes, anchor.rest)})
        if asks_other_artists(query.text):  # "artists like Taylor Swift", "similar artists to Drake": not them
            named = (anchor.artist_ids if anchor is not None and anchor.seeds and anchor.kind == "artist" else
                     [self.table.artist_index.get(normalize_text(a)) for a in query.artists])
            exclude = exclude | {p for aid in named if aid is not None for p in self.table.artist_tracks.get(aid, ())}
        if anchor is not None and anchor.seeds:
            rec = await self._anchored(query, anchor, exclude, limit, rank, similar_rank)
            if query.lang != "en":  # "Like X (slower)" in the request's language (core.text.wording)
                rec = rec.model_copy(update={"summary": localize_anchor_summary(rec.summary, query.lang)})
        else:
            # numbers and no style ("songs at 120 BPM"): a wider pool, then one scene inside the range (core.coherence)
            pool_n = limit * POOL_FACTOR if numbers_only(query) and self.table.has_labels() else limit
            # a genre named outright ("latin music"): its own artists first, then tracks only a playlist files there
            # (a language asked for leads instead: "rock français" is French titles first, core.text.title_language)
            genres = (named_genres(self.table, query) if pool_n == limit and self.table.has_labels()
                      and not query.title_language and not query.language else [])
            if genres:
                pool_n = min(MAX_TRACKS * GENRE_POOL, limit * GENRE_POOL)
            if rank is None:
                scored = self.recommender.from_text(query, exclude=exclude, limit=pool_n)
            else:
                scored = await rank(query, exclude, pool_n)
            ordered = scored  # the step's order of the whole pool: a held-back track's place goes down it
            if genres:
                ordered = own_genre_first(self.table, scored, genres, len(scored))
                scored = ordered[:limit]
            elif pool_n != limit:
                scored = cohere(self.table, scored, query, limit)
            if pool_n != limit and wants_playlist_spread(query):  # the step picked from a pool: spread its pick
                inside = range_mask(self.table, query.ranges) if query.ranges else None
                scored = spread_ranked(self.table, query, scored, ordered, limit, inside)
            rec = Recommendation(
                kind="text",
                query=query.text,
                tracks=self._results(scored),
                # an era alone ranks by popularity (core.scene.is_era_only): no target it was not ranked by
                target={k: round(float(v), 3) for k, v in era_query(query).target.items()},
                filters=query.filters,
                summary=join_cues(localize_cues(query.cues[:4], query.lang)),  # the request's language
            )
        if query.artists and rec.anchor is None and not asks_other_artists(query.text):  # "Bob Marley songs": the catalog's few are said, not padded silently
            line = self._few_by_artist(query, rec, limit)
            if line:
                rec = rec.model_copy(update={"summary": f"{line} {rec.summary}".strip()})
        if query.ranges:  # what was asked in numbers, for charts of the set against it (core.charts)
            rec = rec.model_copy(update={"ranges": {k: list(v) for k, v in query.ranges.items()}})
        if query.requested_count and limit == MAX_TRACKS:  # said first by every adapter
            rec = rec.model_copy(update={"capped": CountCap(requested=query.requested_count, limit=limit)})
        # a name inside a resolved anchor ("like Blinding Lights" read as the artist Lights) was not asked for
        inside = normalize_text(anchor.span) if anchor is not None and anchor.seeds else ""
        missing = [name for name, _ in partial if not (inside and normalize_text(name) in inside)]
        rec = await self._with_coverage(rec, query, anchor, exclude, limit, rank, similar_rank, missing)
        if query.title_language and rec.tracks:  # "son de artistas cuyos títulos…" → "solo 7 son …" when fewer are
            n_in = self._in_title_language(rec, query.title_language)
            if n_in < len(rec.tracks):
                rec = rec.model_copy(update={"summary": rec.summary.replace(
                    by_titles(query.title_language, query.lang), by_titles(query.title_language, query.lang, n_in))})
        if query.language and rec.tracks:  # how many are in the language asked; the others are alternatives
            rec = self._language_share(rec, query)
        if any(n.kind == "no_data" for n in rec.coverage):  # said once, on the first line (core.coverage)
            summary = rec.summary
            for n in query.notes:
                if n.kind == "no_data":
                    summary = summary.replace(f"{n.text}; ", "").replace(n.text, "")
            summary = "; ".join(part.strip() for part in summary.split("; ") if part.strip())  # never "a;  b"
            rec = rec.model_copy(update={"summary": summary.strip("; ")})
        conflicts = conflicts_from_notes(query.notes)  # decided and worded by core.text (the one place)
        if conflicts and not (rec.anchor is not None and rec.conflicts):  # an anchor's moves were settled already  # named, not averaged silently: the summary (the list's title everywhere) starts with them
            said = " ".join(n.text for n in query.notes if n.kind == "conflict")
            summary = rec.summary if said in rec.summary else f"{said} {rec.summary}".strip()
            rec = rec.model_copy(update={"conflicts": conflicts, "summary": summary})
        return localize(rec, query.lang)  # each reason in the request's language (core.reason_words)

    async def _anchored(
        self,
        query: TextQuery,
        anchor: Anchor,
        exclude: set[int],
        limit: int,
        rank: Callable[..., Awaitable[list[Scored]]] | None,
        similar_rank: SimilarRank | None,
        era: bool = True,
    ) -> Recommendation:
        """"like X …": the similarity engine from X's seed tracks (≤ 2 tracks by X, its per-artist cap), re-ranked
        around the anchor by the request's modifiers (:func:`core.anchors.shift_around`); topped up from the text
        path (without X's tracks) when the filters leave too few."""
        t = self.table
        reading = read_moves(anchor.rest)  # opposite moves said together are settled and named, never averaged
        deltas, cues = reading.deltas, reading.cues
        conflicts = list(reading.conflicts)
        era_said, era_conflict = era_reading(anchor.rest)  # "older and newer": the last said wins, named
        if era and era_conflict is not None:
            conflicts.append(era_conflict)
        filters, era_cue = era_shift(anchor.rest, t, anchor.seeds, query.filters) if era else (query.filters, "")
        if era_cue:
            cues.append(era_cue)
        # a move of the mood alone ("darker", "less sad") keeps the anchor's own best-known songs: leaning on its
        # darkest songs would also take their other sound (Daft Punk's ballad-like ones), not just their mood
        mood_only = set(deltas) == {"valence"}
        seeds = lean_seeds(t, anchor, {} if mood_only else deltas, era_said if era else 0)
        # what the words around the anchor ask for ("like Ed Sheeran but acoustic", "… but less rap"), not the anchor's
        # own profile (the parser reads a named artist's distinctive features: one song's 190 BPM would lock the list);
        # comparatives nothing can apply ("more melodic") are named on the first line (core.anchor_words)
        rest = read_rest(lambda words: self.text.parse(words, limit=limit), anchor.rest, deltas)
        absolute = rest.targets
        cues += [c for c in rest.cues if c not in cues]
        refused = refused_cue(query.labels, query.cues)  # "like X but no hip hop": the refusal is in the title too
        if refused and not any(c.startswith(refused) for c in cues):
            cues.append(refused)
        pool_n = min(max(limit * 8, 80), 400)
        years = seed_years(t, seeds)
        if years and ((filters.year_max or 9999) < min(years) or (filters.year_min or 0) > max(years)):
            pool_n = 400  # another era than the anchor's: a wide pool, or the year next to the anchor's fills it
        # original years decide the era (a 1975 song on a 2018 compilation is not "newer"): a hard mask here, not the
        # recommender's album-year filter; then the tracks making the move; then the anchor's own scene
        in_years = year_mask(t, filters)
        moving = move_mask(t, anchor.seeds, deltas)  # moves are measured from the anchor itself, not the leaning seeds
        # the anchor's scene: its labels, or on a catalog without labels the style model's prediction (core.anchors.
        # scene_masks) — a guess, so there only a score bonus (in_scene below), never a pool tier that would shut out
        # the anchor's closest tracks the model happens to mislabel
        scene_sub, scene_genre = scene_masks(t, anchor)
        own_tracks = _anchor_tracks(t, anchor)
        own_years = set(seed_years(t, own_tracks))
        if in_years is not None and t.has_labels() and not any(
                (filters.year_min or 0) <= y <= (filters.year_max or 9999) for y in own_years):
            # an era the anchor has no song of: its scene-mates' styles say what its scene was then
            mates = scene_styles(t, linked_artists(anchor, self.recommender.graph), "subgenre", STYLE_SHARE)
            scene_sub = mates if scene_sub is None else scene_sub | mates if mates is not None else scene_sub
        tiers = ((scene_sub, 2), (scene_genre, 1)) if t.has_labels() else ()
        # scene-mates by the catalog's playlists make a tier too: a move keeps the anchor's neighbours first ("like
        # Daft Punk but slower": slower tracks of the artists playlisted with Daft Punk before any slower electropop)
        linked = (linked_mask(t, anchor, self.recommender.graph) if deltas or rest.prefer or rest.avoid or era_cue
                  else None)
        tiers = (*tiers, (linked, 2))
        # styles the words ask for or against ("more rock", "less rap"): a tier above / below the anchor's scene
        # read with the artists' own styles: a rapper's sung track is still rap, one pop single on a rock playlist
        # is not rock (core.anchor_sound.styled)
        carry = label_mask(t, rest.prefer)  # the tracks that carry a style asked for: said in their reasons
        # styles only the move words imply ("heavier" → hard rock) lean the list when of the anchor's genre family
        implied = [k for k in rest.implied if in_family(t, k, scene_genre)] if t.has_labels() else []
        prefer = styled(t, label_mask(t, rest.prefer + implied) if implied else carry, prefer=True)
        # "less rap": the rappers leave too (their tracks labelled otherwise included) — unless that style is the
        # anchor's own main one ("like Ed Sheeran but less pop": his neighbourhood is pop, the first line says so)
        avoided = label_mask(t, rest.avoid)
        own_style = any(main_style(t, own_tracks, k) for k in rest.avoid)
        avoid = avoided if own_style else styled(t, avoided, prefer=False)
        avoid_artists = None if own_style else artist_style_mask(t, avoided)
        boost = tiered_boost((in_years, 8), (moving, 4), (prefer, 3), (avoid, -2), *tiers)
        ranked = filters.model_copy(update={"year_min": None, "year_max": None})
        # "but more low-key": the anchor's intensity is what the user moves from; a move of mood alone ("less sad",
        # "darker") keeps it — Adele a little brighter is still a ballad singer, Daft Punk darker still a dance act
        keep = not any(k in INTENSITY_MOVES for k in (*deltas, *absolute))
        if similar_rank is None:
            pool = self.recommender.similar(seeds, ranked, exclude=exclude, limit=pool_n, boost=boost, intensity=keep)
        else:
            pool = await similar_rank(seeds, ranked, exclude, pool_n, boost, intensity=keep)
        if in_years is not None:
            pool = [s for s in pool if in_years[s.pos]]
        in_range = range_mask(t, query.ranges) if query.ranges else None
        if in_range is not None:  # numbers said are hard here too ("like Bohemian Rhapsody but under 4 minutes"):
            pool = [s for s in pool if in_range[s.pos]]  # too few inside: the text path below fills, inside its ranges
        if anchor.kind == "artist" and deltas:  # the anchor's own songs making the move ("Daft Punk's slower side"):
            keys = {t.norm_keys[s.pos] for s in pool}  # the engine leaves the seeds out; at most OWN_MAX stay below
            mine = [p for p in own_in_band(t, lean_seeds(t, anchor, deltas, n=10), anchor.seeds, deltas, exclude)
                    if t.norm_keys[p] not in keys and (in_years is None or in_years[p])
                    and (in_range is None or in_range[p])]
            why, lines = explain_similar_lines(t, seeds, mine, self.recommender.graph)
            # a new list: the engine may hand out its cached one
            pool = [*pool, *(Scored(p, 0.0, line, facts) for p, line, facts in zip(mine, lines, why))]
        if boost is not None:
            pool = similarity_only(self.recommender, seeds, pool)
        familiar = familiar_bonus(t, anchor, self.recommender.graph, [s.pos for s in pool])  # scene-mates, known
        if linked is not None:  # while shifting, a scene-mate counts as much as the anchor's subgenre
            familiar = {s.pos: familiar.get(s.pos, 0.0) + (SCENE_BONUS["subgenre"] if linked[s.pos] else 0.0)
                        for s in pool}
        if prefer is not None or (avoid is not None and not own_style):  # styles asked for / against rank too
            familiar = near_anchor(pool, familiar, prefer, None if own_style else avoid, avoid_artists)
        pool = off_season(t, in_scene(pool, scene_sub, scene_genre, familiar), query.text)  # no Christmas unasked
        pool = with_own(t, pool, anchor.artist_ids, len(pool))  # at most OWN_MAX by the anchor, the best of them
        scored = shift_around(t, anchor.seeds, pool, deltas, absolute, limit,
                              calm_ceilings(t, anchor.seeds, deltas, absolute))  # "slower" is no more intense
        if len(scored) < limit:  # strict filters around a small neighbourhood: fill from the text path, never with X
            own = {p for aid in anchor.artist_ids for p in t.artist_tracks.get(aid, ())}
            taken = {s.pos for s in scored} | set(seeds) | set(anchor.seeds)
            fill_query = query.model_copy(update={"filters": filters})
            more = (self.recommender.from_text(fill_query, exclude=exclude | own | taken, limit=limit) if rank is None
                    else await rank(fill_query, exclude | own | taken, limit))
            keys = {t.norm_keys[s.pos] for s in scored}
            for s in more:
                if len(scored) >= limit:
                    break
                if t.norm_keys[s.pos] not in keys and (in_years is None or in_years[s.pos]):
                    keys.add(t.norm_keys[s.pos])
                    scored.append(s)
        if not era_cue and (filters.year_min or filters.year_max):  # "like Eminem only 2010s": said in the title
            lo, hi = filters.year_min, filters.year_max
            cues.append(f"{lo}–{hi}" if lo and hi else f"{lo}+" if lo else f"up to {hi}")
        target = {k: round(float(t.features[anchor.seeds].mean(axis=0)[FEATURE_INDEX[k]]), 3) for k in deltas
                  if k in FEATURE_INDEX}
        scored = _with_moves(t, scored, target, anchor.name if anchor.kind != "track" else "seed")
        anchor_years = seed_years(t, anchor.seeds)
        if era_said and era and anchor_years:  # "newer / older than X": years next to X's year, as the first line
            scored = _with_anchor_year(scored, anchor_years[len(anchor_years) // 2],
                                       anchor.name if anchor.kind != "track" else "seed")
        elif anchor.kind != "track":  # "like Radiohead": "1997 (Radiohead 1995)", not a "seed" the list never shows
            scored = _with_anchor_year(scored, None, anchor.name)
        # label keys and keys as words ("genre rock", "key: D minor"); other languages are worded from the parser's
        # cues by localize_anchor_summary (core.text.wording)
        shown = localize_cues(cues[:4], "en") if query.lang == "en" else cues[:4]
        summary = f"Like {anchor.name}" + (f" ({'; '.join(shown)})" if shown else "")
        thin = thin_scene_line(t, anchor, self.recommender.graph, [s.pos for s in scored[:limit]], query.lang)
        if thin:  # a scene the catalog barely holds: said first, the picks are the nearest it has
            summary = f"{thin} {summary}"
        who = anchor.name if anchor.kind != "track" else anchor.name.split(" - ")[0]
        # a move — or a style asked for ("Shakira pero más rock") — that had to leave the anchor's scene (its
        # subgenre, its playlist scene-mates) is said, not hidden
        left = scene_left_line([s.pos for s in scored[:limit]], [scene_sub, linked], set(anchor.artist_ids), t, who,
                               [*(c for c in cues if c in MOVE_CUE_WORDS), *rest.prefer], query.lang
                               ) if t.has_labels() else ""
        held = "" if "speechiness" in deltas else avoid_held_line(  # "less pop" (a "less rap" move is its own)
            [s.pos for s in scored[:limit]], avoid, rest.avoid, who, query.lang)
        scored = _with_asked_labels(t, scored, carry, rest.prefer)
        thin_style = prefer_thin_line([s.pos for s in scored[:limit]], carry, rest.prefer, who, query.lang)
        said = [*rest.notes, unread_line(rest.unread, who, query.lang), held, thin_style,
                left]  # what could not be applied, first
        said = [x for x in said if x]
        if said:
            summary = " ".join(said) + " " + summary
        if conflicts:
            summary = " ".join(conflict_sentence(c) for c in conflicts) + " " + summary
        return Recommendation(
            conflicts=conflicts,
            kind="text",
            query=query.text,
            tracks=self._results(scored),
            target=target,
            filters=filters,
            summary=summary,
            anchor=AnchorInfo(kind="track" if anchor.kind == "track" else "artist", name=anchor.name,
                              seed_ids=[t.ids[p] for p in seeds], modifiers=cues),
        )

    def _few_by_artist(self, query: TextQuery, rec: Recommendation, limit: int) -> str:
        """The first line for a request naming an artist the catalog holds fewer distinct songs of than the list gives
        a named artist (:meth:`core.recommender.Recommender.from_text`: ``max(per_artist, limit // 2)``) when other
        artists fill the rest: "Only 2 tracks by Bob Marley & The Wailers in this catalog — the rest are the closest by
        sound." (``core.reply_words`` key "artist thin", in the request's language); "" otherwise."""
        t = self.table
        lo, hi = query.filters.year_min, query.filters.year_max
        mask = self.recommender.filter_mask(Filters(year_min=lo, year_max=hi), t.n) if lo or hi else None
        for name in query.artists[:1]:
            aid = t.artist_index.get(normalize_text(name))
            if aid is None:
                continue
            # "anything by Coldplay from 2005": their songs within the years asked, said with the years
            own = len({t.norm_keys[p] for p in t.artist_tracks.get(aid, ()) if t.alive[p] and (mask is None or mask[p])})
            others = any(aid not in t.artist_ids[t.pos[i.track.track_id]] for i in rec.tracks if i.track.track_id in t.pos)
            if own < max(self.recommender.params.per_artist, limit // 2) and others and (own or mask is not None):
                if mask is None:
                    return say("artist thin", query.lang or "en", n=own, name=name)
                years = str(lo) if lo == hi else f"{lo or ''}–{hi or ''}"
                return say("artist thin in years" if own else "artist none in years", query.lang or "en", n=own,
                           name=name, years=years)
        return ""

    async def _with_coverage(
        self,
        rec: Recommendation,
        query: TextQuery,
        anchor: Anchor | None,
        exclude: set[int],
        limit: int,
        rank: Callable[..., Awaitable[list[Scored]]] | None,
        similar_rank: SimilarRank | None = None,
        missing_names: Sequence[str] = (),
    ) -> Recommendation:
        """``rec`` with :class:`~core.models.CoverageNote` items for what the loaded catalog lacks (see
        :meth:`core.coverage.CatalogCoverage.check_request`); an empty answer to a year range the catalog has
        nothing in is re-run on the nearest years it has, and the tracks are then labelled as an alternative."""
        text = anchor.rest if anchor is not None and anchor.seeds else query.text
        for name in query.artists:  # artist names are not style words ("Daft Punk" is not a punk request)
            text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
        weighted = [k for k, w in query.weights.items() if w >= 0.3]
        notes = self.coverage.check_request(text, query.filters, targets=weighted,
                                            anchor=anchor.name if anchor is not None and anchor.seeds else "")
        names = list(missing_names) + ([anchor.name] if anchor is not None and anchor.unresolved else [])
        for name in dict.fromkeys(names):  # named artists this catalog has no one called
            notes.append(CoverageNote(requested=name, kind="missing_artist"))
        notes = sort_notes(notes)
        if not notes:
            return rec
        if not rec.tracks and any(n.kind == "era" for n in notes):
            relaxed = query.model_copy(update={"filters": self.coverage.relaxed_years(rec.filters)})
            if anchor is not None and anchor.seeds:  # still around the anchor, on the nearest years there are
                again = await self._anchored(relaxed, anchor, exclude, limit, rank, similar_rank, era=False)
                rec = rec.model_copy(update={"tracks": again.tracks, "filters": again.filters})
            else:
                scored = (self.recommender.from_text(relaxed, exclude=exclude, limit=limit) if rank is None
                          else await rank(relaxed, exclude, limit))
                rec = rec.model_copy(update={"tracks": self._results(scored), "filters": relaxed.filters})
        if anchor is None or not anchor.seeds:
            rec = self._evidence_first(rec, query, notes, exclude, limit)
            rec = await self._playlists_first(rec, query, notes, exclude, limit, rank)
        alternative = describe_alternative(self.table, rec.tracks)
        notes = [n.model_copy(update={"lang": query.lang, "alternative": n.alternative or (
            alternative if n.kind != "no_data" else no_data_alternative(query.notes, n.requested))}) for n in notes]
        if query.title_language:  # a language no label names: the first line says the song titles stood in
            n_in = self._in_title_language(rec, query.title_language)
            notes = [titled(n, query.title_language, query.lang, n_in if n_in < len(rec.tracks) else None)
                     for n in notes]
        if any(n.kind in ("missing", "unlabelled", "missing_artist", "era") and not n.via for n in notes):
            tracks = [i if i.reason.startswith("closest alternative") else i.model_copy(update={
                "reason": "closest alternative" if i.reason == "matches your request"
                else f"closest alternative: {i.reason}"}) for i in rec.tracks]
            rec = rec.model_copy(update={"tracks": tracks})
        return rec.model_copy(update={"coverage": notes})

    def _evidence_first(self, rec: Recommendation, query: TextQuery, notes: Sequence[CoverageNote],
                        exclude: set[int], limit: int) -> Recommendation:
        """For a style the catalog has no tags for but look-alikes of (:meth:`CatalogCoverage.evidence`: "Salsa
        Version" titles, "Pura Salsa" albums), those tracks first — ranked by the request's text score, at most 2 per
        artist, one version per song, within the request's filters — each with the checkable reason why it is there
        ("closest alternative: its album names salsa"); the earlier picks fill up. Fewer look-alikes than ``limit`` take at
        most :data:`HANDFUL_SHARE` of the list ("bossa uh", "Un Bossa +" before Ed Sheeran's "Photograph"). ``rec``
        unchanged without, or when fewer than ``MIN_EVIDENCE`` look-alikes pass the filters."""
        note = next((n for n in notes if n.kind == "missing" and n.found_count >= MIN_EVIDENCE
                     and ((n.closest and not n.family) or n.playlists or self.coverage.evidence(n.requested).scene)),
                    None)
        if note is None:
            return rec
        t = self.table
        ev = self.coverage.evidence(note.requested)
        against = negated_styles(query.text)  # "punk but not pop": no look-alike tagged pop
        # offered only when a title, album or playlist names the style: an artist's name is a name, not a description
        # of the music ("Daft Punk" was offered for "pop punk", "RL Grime" for grime; of the catalog's artists whose
        # name holds a style word, 5 of 28 play that style)
        cand = np.asarray([p for p in ev.positions if p not in exclude and t.alive[p]
                           and not self.coverage.carries_negated(p, against)
                           and self.coverage.evidence_reason(note.requested, p).feature != "artist"], dtype=np.int64)
        mask = self.recommender.filter_mask(query.filters, t.n)
        if mask is not None and len(cand):
            cand = cand[mask[cand]]
        if len(cand) < MIN_EVIDENCE:
            return rec
        scores = self.recommender.text_scores(query, cand)
        # a handful leads but does not fill the list: a "Bossa Lounge" electropop cover must not crowd out every
        # quiet acoustic pick for "bossa nova for a quiet evening"
        most = limit if len(cand) >= limit else max(1, round(HANDFUL_SHARE * limit))
        lid = next((t.label_index[(k, ev.closest)] for k in ("subgenre", "genre") if (k, ev.closest) in t.label_index),
                   None) if ev.closest else None
        if lid is not None:  # the look-alikes that carry the closest label first (salsa versions tagged tropical)
            scores = scores + 2.0 * np.isin(cand, np.fromiter(t.label_tracks.get(lid, ()), dtype=np.int64))
        picks: list[RecommendedTrack] = []
        keys: set[str] = set()
        per_artist: dict[int, int] = {}
        for i in np.argsort(-scores, kind="stable"):
            p = int(cand[i])
            aids = t.artist_ids[p]
            if t.norm_keys[p] in keys or any(per_artist.get(a, 0) >= 2 for a in aids):
                continue
            keys.add(t.norm_keys[p])
            for a in aids:
                per_artist[a] = per_artist.get(a, 0) + 1
            why = [self.coverage.evidence_reason(note.requested, p)]  # "closest alternative: its title names salsa"
            picks.append(RecommendedTrack(track=t.track(p), score=round(float(scores[i]), 4),
                                          reason=format_reasons(why), reasons=why))
            if len(picks) >= most:
                break
        rest = [i for i in rec.tracks if t.norm_keys[t.pos[i.track.track_id]] not in keys]
        return rec.model_copy(update={"tracks": (picks + rest)[:limit]})

    def _language_share(self, rec: Recommendation, query: TextQuery) -> Recommendation:
        """``rec`` for a request naming a language (``query.language``): the tracks in it — titled in it
        (:mod:`core.text.title_language`) or carrying the labels that answered it (``query.language_labels``) —
        first; when not all are, the others marked "closest alternative" and the first line says how many are
        (:func:`core.text.title_language.some_in_language`, or the titles' "only N …" line)."""
        t = self.table
        inside = set(table_languages(t).positions(query.language).tolist())
        for key in query.language_labels:
            lid = t.label_index.get(tuple(key.split(":", 1)))  # type: ignore[arg-type]
            if lid is not None:
                inside |= t.label_tracks.get(lid, set())
        flags = [t.pos.get(i.track.track_id) in inside for i in rec.tracks]
        n_in = sum(flags)
        if n_in == len(flags):
            return rec
        tracks = [i for i, f in zip(rec.tracks, flags) if f] + [
            i if i.reason.startswith("closest alternative") else i.model_copy(update={
                "reason": "closest alternative" if i.reason == "matches your request"
                else f"closest alternative: {i.reason}"}) for i, f in zip(rec.tracks, flags) if not f]
        line = (by_titles(query.title_language, query.lang, n_in) if query.title_language and n_in
                else some_in_language(query.language, query.lang, n_in))
        notes = list(rec.coverage)
        at = next((k for k, n in enumerate(notes) if n.kind == "no_data" and n.requested == LYRICS_LANGUAGE), None)
        styled = next((k for k, n in enumerate(notes) if n.kind == "missing" and n.alternative.startswith(
            by_titles(query.language, query.lang, n_in)[:12])), None)
        if at is not None:
            notes[at] = notes[at].model_copy(update={"alternative": line})
        elif styled is None:  # a style sung in the language ("samba") already says it on its own line
            notes.append(CoverageNote(requested=LYRICS_LANGUAGE, kind="no_data", alternative=line, lang=query.lang))
        return rec.model_copy(update={"tracks": tracks, "coverage": sort_notes(notes)})

    def _in_title_language(self, rec: Recommendation, code: str) -> int:
        """How many of ``rec``'s tracks are in the title language ``code`` (:mod:`core.text.title_language`)."""
        inside = set(table_languages(self.table).positions(code).tolist())
        return sum(1 for i in rec.tracks if self.table.pos.get(i.track.track_id) in inside)

    async def _playlists_first(self, rec: Recommendation, query: TextQuery, notes: Sequence[CoverageNote],
                               exclude: set[int], limit: int,
                               rank: Callable[..., Awaitable[list[Scored]]] | None = None) -> Recommendation:
        """For a style only playlist titles name (a ``playlists_only`` note: "metal" in "Progressive Rock / Metal"),
        the request's own ranking with :data:`PLAYLIST_FIRST` added to the tracks of those playlists, as the first
        line says they come from them; ``rec`` unchanged without such a note."""
        note = next((n for n in notes if n.kind == "playlists_only"), None)
        if note is None:
            return rec
        members = self.coverage.playlist_members(note.requested)
        if not len(members):
            return rec
        mark = np.zeros(self.table.n, dtype=np.float32)
        mark[members] = PLAYLIST_FIRST
        # the artists whose own albums and titles name the style and those the catalog relates to them ("Metal
        # Health", "Metal Works": Quiet Riot, Judas Priest -> Dio, Motörhead, Black Sabbath; core.style_scene)
        # (a band named after a style is no sign of it: Grand Funk Railroad's albums name funk, its music is rock)
        cov, style = self.coverage, note.requested
        named = [(p, why.feature) for p in cov.evidence(style).positions
                 if (why := cov.evidence_reason(style, p)).feature in ("title", "album")
                 and not cov.names_style(style, " ".join(self.table.artists[p]))]
        mark = np.maximum(mark, PLAYLIST_FIRST * named_scene(self.table, self.recommender.graph, named))

        def boost(cand: np.ndarray | None) -> np.ndarray:
            return mark if cand is None else mark[cand]

        scored = (self.recommender.from_text(query, exclude=exclude, limit=limit, boost=boost) if rank is None
                  else await rank(query, exclude, limit, boost))  # a caller's ranking (their likes, dislikes) too
        return rec.model_copy(update={"tracks": self._results(scored)})

    @staticmethod
    def _clamp(query: TextQuery) -> TextQuery:
        target = {}
        for name, value in query.target.items():
            if name in FEATURE_RANGES:
                lo, hi = FEATURE_RANGES[name]
                if name == "tempo":
                    lo, hi = 40.0, 220.0
                if name == "loudness":
                    hi = 0.0
                target[name] = min(max(float(value), lo), hi)
        weights = {k: min(max(float(v), 0.0), 1.0) for k, v in query.weights.items() if k in AUDIO_FEATURES}
        labels = {k: min(max(float(v), -1.0), 1.0) for k, v in query.labels.items()}
        return query.model_copy(update={"target": target, "weights": weights, "labels": labels})

    async def recommend_text(
        self, text: str, filters: Filters | None = None, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation | NeedsClarification:
        """Free text -> recommendations with the local text understanding (offline).

        Explicit ``filters`` are merged over what the text implies. Returns :class:`NeedsClarification` when the
        text carries no musical meaning.

        Raises:
            InvalidInput: empty or over 2,000 characters, a bad limit, or ``filters`` out of range or backwards
                (:func:`core.references.check_filters`).
        """
        _ = self.text  # fitted on the loop; a long request is then parsed in a worker thread (understand_async)
        check_filters(filters)  # explicit bounds are the caller's: a backwards range is an error, not an empty era
        if len(text) > INLINE_TEXT_CHARS:
            parsed, limit = await asyncio.to_thread(self._parse_request, text, filters, limit)
        else:
            parsed, limit = self._parse_request(text, filters, limit)
        if isinstance(parsed, NeedsClarification):
            return parsed
        return await self.recommend_query(parsed, exclude_ids=exclude_ids, limit=limit)

    def _parse_request(
        self, text: str, filters: Filters | None, limit: int | None
    ) -> tuple[TextQuery | NeedsClarification, int]:
        """``(the parsed request with explicit filters merged over the implied ones, the validated limit)``.

        The limit is the explicit one (``limit`` or ``filters.limit`` when set), else the count asked for in the text
        ("20 songs", capped at :data:`~core.limits.MAX_TRACKS`), else the default.
        """
        explicit = limit is not None or (filters is not None and "limit" in filters.model_fields_set)
        limit = self._limit(limit if limit is not None else (filters.limit if filters else None))
        parsed = self.understand(text, limit=limit)
        if filters is not None and not isinstance(parsed, NeedsClarification):
            merged = parsed.filters.model_copy(
                update={k: v for k, v in filters.model_dump(exclude_unset=True).items() if v not in (None, [])}
            )
            parsed = parsed.model_copy(update={"filters": merged})
        if not isinstance(parsed, NeedsClarification):
            if explicit:  # the caller chose the length (a later page, a slash option): no "you asked for N" note
                parsed = parsed.model_copy(update={"requested_count": None})
            else:
                limit = self._limit(parsed.filters.limit)
        return parsed, limit

"""Reasons as data: why a track was picked, as :class:`core.models.Reason` facts (:func:`explain_similar`,
:func:`explain_text`). They are worded by the ONE formatter, :mod:`core.reason_format` (re-exported here:
:func:`format_reasons`, :func:`reason_text`, :data:`FEATURE_WORDS` …), in the reply's language.

Every fact is checkable against the track: numbers are the track's own values (rounded as shown) and a word
("acoustic", "instrumental", "vocal", "minor key") is used only when the track's value is on that side of the
threshold in :data:`FEATURE_WORDS`. Playlist names are never shown as genres: a shared playlist is "on a playlist
with the seed", an asked-for playlist label is named as a playlist.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from core.genres import artist_label_counts, display_genre, scene_labels, shown_label  # noqa: F401 - re-exported
from core.scene import is_era_only
from core.catalog import normalize_text
from core.models import Reason, TextQuery
from core.reason_format import (  # noqa: F401 - the one formatter, re-exported (adapters import it from here)
    FEATURE_WORDS,
    MAX_FACTS,
    SEPARATOR,
    VOCAL_BELOW,
    Fact,
    describe_track,
    feature_fact,
    format_reason,
    format_reasons,
    localize,
    localized_reason,
    reason_text,
    to_reason,
)
from core.table import FEATURE_INDEX, TrackTable

if TYPE_CHECKING:
    from core.artist_graph import ArtistGraph

#: Half a standard deviation of each feature over the shipped catalog: a pick within it is "close" to the seed.
CLOSE_WITHIN = {
    "danceability": 0.07,
    "energy": 0.09,
    "valence": 0.12,
    "tempo": 13.0,
    "acousticness": 0.11,
    "instrumentalness": 0.12,
    "speechiness": 0.05,
    "loudness": 1.5,
    "liveness": 0.07,
}
#: Features a similar-track reason may name, in order of preference on ties.
REASON_FEATURES = ("tempo", "acousticness", "energy", "valence", "danceability", "instrumentalness", "speechiness")
#: Features named only above their "high" threshold (near 0 for most songs, so "close" says nothing).
ONLY_WHEN_HIGH = ("acousticness", "instrumentalness", "speechiness", "liveness")
#: A related artist is named when the catalog relation (cosine 0–1) is at least this.
RELATED_MIN = 0.25
#: Era facts for picks within this many years of a reference.
ERA_WITHIN = 3
_COLS = [FEATURE_INDEX[f] for f in REASON_FEATURES]
_SPREAD_LIST = [CLOSE_WITHIN[f] for f in REASON_FEATURES]
#: Value from which a feature may be named: its high threshold for :data:`ONLY_WHEN_HIGH`, else any value.
_NOTABLE_LIST = [FEATURE_WORDS[f][0] or 0.0 if f in ONLY_WHEN_HIGH else float("-inf") for f in REASON_FEATURES]
_MODE = FEATURE_INDEX["mode"]
_LABEL_RANK = {"subgenre": 0, "genre": 1, "playlist": 2}
#: per table: (version, position -> its own genre / subgenre label ids), see :func:`own_labels`
_OWN: weakref.WeakKeyDictionary[TrackTable, tuple[int, dict[int, frozenset[int]]]] = weakref.WeakKeyDictionary()


def own_labels(table: TrackTable, p: int) -> frozenset[int]:
    """The genre / subgenre labels that are track ``p``'s own, not only one playlist's: per kind, those of its labels
    that its artists' tracks carry most often (the artist's scene). Billie Jean, filed on one rock playlist, keeps
    no genre (Michael Jackson's tracks are mostly r&b); a one-track artist keeps its labels. A reason says
    "same genre: X" only for such labels (a listener knows Billie Jean is not rock). Cached per table version.

    Returns:
        label ids (kinds "genre" / "subgenre" only).
    """
    cached = _OWN.get(table)
    if cached is None or cached[0] != table.version:
        cached = (table.version, {})
        _OWN[table] = cached
    memo = cached[1]
    got = memo.get(p)
    if got is not None:
        return got
    # per kind, the labels of ``p`` its artists' tracks carry most (none when the artist's scene is elsewhere)
    out = scene_labels(table, p).intersection(table.labels[p])
    got = frozenset(out)
    memo[p] = got
    return got


# ---------------------------------------------------------------------- the one formatter
# ---------------------------------------------------------------------- producing reasons
class _RefContext(NamedTuple):
    """What the reasons need to know about one set of references (built once per set, see :func:`explain_similar`)."""

    no_features: bool
    ref_artists: set[int]
    labels: list[tuple[int, Fact, str]]  # (label id, fact, words), most telling first
    label_ids: frozenset[int]  # the label ids of ``labels``
    related: dict[int, list]  # artist -> [relation, rank, reference artist's name, fact, words], ≥ RELATED_MIN
    ref_years: list[int]
    mean: list[float]
    spec: list[tuple[int, int, float, float, float]]  # per reason feature: (j, column, spread, notable from, mean)
    ref_mode: int
    picks: dict[int, tuple[list[Fact], str]]  # pick -> (facts, line) already made for these references


#: :func:`feature_fact` by (feature, value) (the picks' values repeat across radios); bounded, cleared when full.
_FEATURE_WORDS: dict[tuple[str, float], str] = {}
_new_fact = tuple.__new__  # Fact(...) without the NamedTuple's Python-level __new__ (the reasons' hot path)
_WORDS_NO_FEATURES = "no audio features for this track, matched on artist/genre"
_FACT_NO_FEATURES = Fact("no_features")
_FACT_SOUND = Fact("sound")
_WORDS_SOUND = "similar overall sound"


def _ref_context(table: TrackTable, refs: list[int], graph: ArtistGraph | None) -> _RefContext:
    t = table
    ref_artists = {a for r in refs for a in t.artist_ids[r]}
    # the references' own genre / subgenre labels (not one playlist's: Billie Jean on a rock playlist is no rock),
    # and any playlist they share ("on a playlist with the seed" is true of every one)
    ref_labels: set[int] = set().union(*(
        {lid for lid in t.labels[r] if t.label_names[lid][0] == "playlist"} | own_labels(t, r) for r in refs))
    # the label a pick shares that says most: subgenre, then genre, then playlist; alphabetical within a kind
    order = sorted(
        (lid for lid in ref_labels if t.label_names[lid][0] in _LABEL_RANK),
        key=lambda lid: (_LABEL_RANK[t.label_names[lid][0]], t.label_names[lid][1]),
    )
    labels = []
    for lid in order:
        kind, name = t.label_names[lid]
        fact = Fact("label", kind, None, None, name)
        labels.append((lid, fact, format_reason(fact)))
    years = t.original_years()
    ref_years = sorted({int(years[r]) for r in refs if years[r]})
    # only references with audio features describe a sound (NaN = unknown, e.g. an Exportify row without them)
    ref_rows = t.features[[r for r in refs if t.has_features[r]]].tolist()
    mean = [sum(row[c] for row in ref_rows) / len(ref_rows) if ref_rows else math.nan for c in _COLS]
    ref_mode = round(sum(row[_MODE] for row in ref_rows) / len(ref_rows)) if ref_rows else -1
    ref_names = {a: t.artists[r][j] for r in refs for j, a in enumerate(t.artist_ids[r])}
    # the strongest relation of each artist to any reference artist; on a tie the first reference artist (in the
    # set's order) wins, as a scan of the references' neighbour maps in that order with a strict ">" would choose
    # (the fact and its words are made the first time a pick needs them)
    related: dict[int, list] = {}
    if graph is not None:
        for rank, ref_a in enumerate(ref_artists):
            for a, rel in graph.neighbour_map(ref_a).items():
                if rel >= RELATED_MIN and rel > related.get(a, (0.0,))[0]:
                    related[a] = [rel, rank, ref_names[ref_a], None, ""]
    spec = list(zip(range(len(_COLS)), _COLS, _SPREAD_LIST, _NOTABLE_LIST, mean))
    label_ids = frozenset(lid for lid, _, _ in labels)
    return _RefContext(not ref_rows, ref_artists, labels, label_ids, related, ref_years, mean, spec, ref_mode, {})


def explain_similar(
    table: TrackTable,
    refs: Sequence[int],
    picked: Sequence[int],
    graph: ArtistGraph | None = None,
    contexts: dict[tuple[int, ...], object] | None = None,
) -> list[list[Fact]]:
    """Reasons for each picked position against the reference positions (same artist or a related one, a shared
    subgenre / genre / playlist, up to two audio features close to the references' mean, era, same mode), at most
    :data:`MAX_FACTS` per pick, most telling first.

    ``contexts`` (optional) caches what is computed per set of references, keyed by the references; the caller
    owns it and must empty it when the table or the graph changes. See :func:`explain_similar_lines`.
    """
    return explain_similar_lines(table, refs, picked, graph, contexts)[0]


def explain_similar_lines(
    table: TrackTable,
    refs: Sequence[int],
    picked: Sequence[int],
    graph: ArtistGraph | None = None,
    contexts: dict[tuple[int, ...], object] | None = None,
) -> tuple[list[list[Fact]], list[str]]:
    """:func:`explain_similar` plus each pick's reason line, worded as the facts are made
    (``lines[i] == format_reasons(facts[i])``, no fact worded twice; the words follow :func:`format_reason`, the one
    wording rule — ``tests/integration/test_similar_equivalence.py`` checks them against it). What depends only on
    the references (their labels in order, related artists, mean features, years) is computed once per set of
    references and kept in ``contexts`` when given, with the reasons of its picks (up to :data:`PICK_MEMO`): a pick
    met again is not worded again (the caller empties ``contexts`` when the table or the graph changes).

    Returns:
        ``(facts, lines)``, one entry per pick.
    """
    if not picked:
        return [], []
    t = table
    key = tuple(refs)
    ctx = contexts.get(key) if contexts is not None else None
    if ctx is None:
        ctx = _ref_context(t, list(refs), graph)
        if contexts is not None:
            if len(contexts) >= 256:
                contexts.clear()
            contexts[key] = ctx
    done = ctx.picks
    todo = [p for p in picked if p not in done]
    if todo:
        facts_of, lines_of = _explain_picks(t, ctx, todo)
        fresh = dict(zip(todo, zip(facts_of, lines_of)))
        if len(done) + len(fresh) <= PICK_MEMO:
            done.update(fresh)
    else:
        fresh = done
    out: list[list[Fact]] = []
    lines: list[str] = []
    for p in picked:
        facts, line = done.get(p) or fresh[p]
        out.append(facts.copy())  # the caller's own list: a kept pick's facts are never handed out
        lines.append(line)
    return out, lines


#: Picks whose reasons one set of references keeps (:func:`explain_similar_lines`: a radio asked for again — the same
#: song by another listener, a repeated request — words its picks once; its further pages add theirs up to this).
PICK_MEMO = 64


def _explain_picks(t: TrackTable, ctx: _RefContext, picked: list[int]) -> tuple[list[list[Fact]], list[str]]:
    """The facts and reason line of each pick of ``picked`` against the references of ``ctx`` (see
    :func:`explain_similar_lines`)."""
    ref_artists, labels, related, ref_years, mean = ctx.ref_artists, ctx.labels, ctx.related, ctx.ref_years, ctx.mean
    label_ids = ctx.label_ids
    # plain Python over a (k, 11) block: cheaper than a dozen tiny NumPy calls at k = 10
    rows = t.features[picked].tolist()
    orig_years = t.original_years()[picked].tolist()
    stored_years = t.year[picked].tolist()
    spec = ctx.spec
    nearest_one = ref_years[0] if len(ref_years) == 1 else None
    ref_mode = ctx.ref_mode
    head = [_FACT_NO_FEATURES] if ctx.no_features else []
    head_words = [_WORDS_NO_FEATURES] if ctx.no_features else []
    artist_ids, artist_names, track_labels = t.artist_ids, t.artists, t.labels
    cached_own = _OWN.get(t)
    own_memo = cached_own[1] if cached_own is not None and cached_own[0] == t.version else {}
    out: list[list[Fact]] = []
    lines: list[str] = []
    for i, p in enumerate(picked):
        facts = head.copy()
        words = head_words.copy()
        aids = artist_ids[p]
        for j, a in enumerate(aids):
            if a in ref_artists:
                name = artist_names[p][j]
                facts.append(_new_fact(Fact, ("artist", "", None, None, name)))
                words.append(f"same artist: {name}")
                break
        else:
            best = None
            for a in aids:
                e = related.get(a)
                if e is not None and (best is None or e[0] > best[0] or (e[0] == best[0] and e[1] < best[1])):
                    best = e
            if best is not None:
                if best[3] is None:
                    best[3] = Fact("related_artist", "", round(best[0], 3), None, best[2])
                    best[4] = f"often playlisted with {best[2]}"
                facts.append(best[3])
                words.append(best[4])
        carried = track_labels[p]
        if labels and not label_ids.isdisjoint(carried):
            own = None
            for lid, fact, word in labels:
                if lid in carried and (fact.feature == "playlist" or lid in (
                        own if own is not None else (own := own_memo.get(p) or own_labels(t, p)))):
                    facts.append(fact)
                    words.append(word)
                    break
        # audio features close to the references' mean: |value - mean| within CLOSE_WITHIN (and above the "high"
        # threshold for ONLY_WHEN_HIGH), the two smallest gaps (in units of CLOSE_WITHIN) first, ties in feature order
        row = rows[i]
        close = []
        for j, c, w, lo, m in spec:  # a plain loop: each value read and each gap computed once
            v = row[c]
            if v >= lo:
                g = abs(v - m)
                if g <= w:
                    close.append((g / w, j))
        if close:
            close.sort()
            for _, j in close[:2]:
                feature, value = REASON_FEATURES[j], row[_COLS[j]]
                facts.append(_new_fact(Fact, ("feature", feature, value, mean[j], "")))
                word = _FEATURE_WORDS.get((feature, value))
                if word is None:
                    if len(_FEATURE_WORDS) >= 8192:
                        _FEATURE_WORDS.clear()
                    word = _FEATURE_WORDS[(feature, value)] = feature_fact(feature, value)
                words.append(word)
        orig = orig_years[i]
        year = stored_years[i]
        if year and t.is_album_date(p, year, orig):  # the year shown is a re-release's: say so before anything else
            first = t.first_release_year(p) if orig < year else 0  # only a trustworthy date is a "first release"
            first = first if first and first < year else None
            at = min(len(facts), MAX_FACTS - 1)
            facts.insert(at, _new_fact(Fact, ("album_date", "", year, first, "")))
            words.insert(at, f"{year} (album date; first release {first})" if first is not None else f"{year} (album date)")
        elif orig and ref_years and len(facts) < MAX_FACTS:
            if orig < year:  # the earliest version is a compilation's date: the song's year is its own
                orig = t.first_release_year(p) or year
            nearest = nearest_one if nearest_one is not None else min(ref_years, key=lambda y: abs(y - orig))
            if abs(nearest - orig) <= ERA_WITHIN:
                facts.append(_new_fact(Fact, ("era", "", orig, nearest, "")))
                words.append(f"{orig}, like the seed" if nearest == orig else f"{orig} (seed {nearest})")
        mode = row[_MODE]
        if len(facts) < MAX_FACTS and mode == mode and round(mode) == ref_mode:
            facts.append(_new_fact(Fact, ("feature", "mode", mode, float(ref_mode), "")))
            words.append("minor key" if mode < 0.5 else "major key")
        if not facts:
            out.append([_FACT_SOUND])
            lines.append(_WORDS_SOUND)
            continue
        if len(facts) > MAX_FACTS:
            del facts[MAX_FACTS:], words[MAX_FACTS:]
        out.append(facts)
        lines.append(SEPARATOR.join(words if len(set(words)) == len(words) else dict.fromkeys(words)))
    return out, lines


#: Which asked label a reason names when two weigh the same: the most specific kind first.
_KIND_RANK = {"subgenre": 0, "genre": 1, "playlist": 2}


def explain_text(table: TrackTable, p: int, query: TextQuery) -> list[Reason]:
    """Reasons for position ``p`` answering a text request: an asked label it carries, an asked artist, up to two
    asked features the track is close to (value and asked value), the year when a year filter was asked, and its
    popularity when the years are all the request asked (they were ranked by it: :func:`core.scene.is_era_only`)."""
    t = table
    facts: list[Reason] = []
    carried = {f"{k}:{v}" for k, v in (t.label_names[lid] for lid in t.labels[p])}
    own = {f"{k}:{v}" for k, v in (t.label_names[lid] for lid in own_labels(t, p))}
    tagged: Reason | None = None  # an asked genre only one playlist gives the track (not its artist's scene)
    # heaviest first; on a tie the more specific kind, then the label text: the same words whatever order the
    # request's labels were gathered in (a long-running process gathered them in another order on a second request)
    for key, w in sorted(query.labels.items(), key=lambda kv: (-kv[1], _KIND_RANK.get(kv[0].partition(":")[0], 9),
                                                                 kv[0])):
        if w > 0 and key in carried:
            kind, _, label = key.partition(":")
            if kind in ("genre", "subgenre") and key not in own:
                tagged = tagged or Reason(kind="asked_label", feature=f"playlist {kind}", label=label)
                continue
            facts.append(Reason(kind="asked_label", feature=kind, label=label))
            break
    else:
        if tagged is not None:
            facts.append(tagged)
    names = {t.artist_names[a]: t.artists[p][j] for j, a in enumerate(t.artist_ids[p])}
    for name in query.artists:
        if normalize_text(name) in names:
            facts.append(Reason(kind="asked_artist", label=names[normalize_text(name)]))
    f = t.features[p]
    scored = []
    for name, target in query.target.items():
        if name not in FEATURE_INDEX:
            continue
        value = float(f[FEATURE_INDEX[name]])
        if math.isnan(value):  # the catalog has no value for this track: nothing to say about it
            continue
        stated = query.ranges.get(name) or (  # a tempo window (a stated one, or a follow-up's "≥ 144 BPM" cue)
            [query.filters.tempo_min, query.filters.tempo_max] if name == "tempo" else [])
        lo, hi = (list(stated) + [None, None])[:2]
        if (lo is not None or hi is not None) and name in CLOSE_WITHIN:  # a bound asked: said as the bound
            out = (lo - value if lo is not None and value < lo else value - hi if hi is not None and value > hi
                   else 0.0)
            if out / CLOSE_WITHIN[name] <= 1.5:
                scored.append((-query.weights.get(name, 0.0), out / CLOSE_WITHIN[name], name, value, (lo, hi)))
            continue
        if name == "mode":
            gap = 0.0 if round(value) == round(target) else 9.0
        elif name in CLOSE_WITHIN:
            gap = abs(value - float(target)) / CLOSE_WITHIN[name]
        else:
            continue
        if gap <= 1.5:
            scored.append((-query.weights.get(name, 0.0), gap, name, value, float(target)))
    length = query.ranges.get("duration_ms")
    if length and t.durations[p] and any(b is not None for b in length):  # "under 3 minutes": the length, first
        lo, hi = (list(length) + [None, None])[:2]
        facts.append(Reason(kind="asked_feature", feature="duration_ms", value=float(t.durations[p]), low=lo, high=hi))
    for *_, name, value, target in sorted(scored, key=lambda s: s[:3])[:2]:
        if isinstance(target, tuple):  # "over 125 BPM": the bound, not the point the ranker aimed at inside it
            facts.append(Reason(kind="asked_feature", feature=name, value=value, low=target[0], high=target[1]))
        else:
            facts.append(Reason(kind="asked_feature", feature=name, value=value, target=target))
    if query.filters.year_min or query.filters.year_max:
        year = int(t.year[p])
        if year:
            if t.year_is_album_date(p):  # one fact for the year: "1980 (album date; first release 1975)"
                orig = t.first_release_year(p)
                facts.append(Reason(kind="album_date", value=year, target=orig if orig and orig < year else None))
            else:
                facts.append(Reason(kind="era", value=year))
        popularity = float(t.popularity[p])
        if popularity > 0 and is_era_only(query) and not any(w > 0 for w in query.labels.values()):  # ranked by it
            facts.append(Reason(kind="popular", value=popularity))
    return facts or [Reason(kind="request")]

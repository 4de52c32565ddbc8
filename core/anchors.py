"""Anchored requests: "like X", "similar to X", "sounds like X", "in the style of X" (X = an artist or a song) in
free text, with modifiers around the anchor ("but newer", "less upbeat", "only 2010s", "slower", "more acoustic").

:func:`find_anchor` resolves X against the loaded catalog (artist names exactly, then rapidfuzz ``ratio`` ≥ 90 for a
capitalised name; song titles exactly when quoted or capitalised) and returns the seed tracks — the artist's most
popular distinct songs, or the song itself — plus the rest of the request. :func:`shift_around` (:mod:`core.
anchor_step`, re-exported here) re-ranks a pool of similarity-engine results (:meth:`core.recommender.Recommender.
similar`, whose per-artist cap keeps at most 2 tracks by X) toward the modifiers: a relative move is a bounded step
from the anchor's own mean audio features, so "slower than Daddy Yankee" means a little slower than Daddy Yankee,
not slow in general.

The move words and their step sizes are :mod:`core.moves` (the one vocabulary, shared with the follow-ups to a
list); :func:`relative_moves` is re-exported here for the anchored path.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from core.anchor_bare import bare_anchor
from core.anchor_titles import longer_titles, resolve_title
from core.anchor_step import YEAR_SHARE as YEAR_SHARE  # re-exported: the anchored path reads the step rule here
from core.anchor_step import move_mask as move_mask
from core.anchor_step import move_targets as move_targets
from core.anchor_step import shift_around as shift_around
from core.catalog import normalize_text
from core.credits import lead_act
from core.compilations import year_mask as year_mask  # re-exported: era bounds live with the compilation rule
from core.moves import era_move
from core.moves import relative_moves as relative_moves  # re-exported: the anchored path reads it here
from core.models import Filters
from core.recommender import Recommender, Scored
from core.spotify_links import find_links, strip_links
from core.table import FEATURE_INDEX, TrackTable

if TYPE_CHECKING:
    from core.artist_graph import ArtistGraph  # scipy: not imported on the fast start path

#: Words that introduce an anchor, per language (case-insensitive, matched on the raw text).
ANCHOR_CUES = (
    r"sounds? like", r"similar to", r"in the (?:style|vein) of", r"reminiscent of", r"[àa] la", r"like",
    r"parecid[oa]s? (?:a|com)", r"similar(?:es)? a", r"al estilo de", r"(?:no |en el |)estilo(?: de)?", r"como",
    r"tipo", r"dans le style de", r"similaires? [aà]", r"comme", r"fa[cç]on", r"im stil von", r"[äa]hnlich wie",
    r"wie",
)
_CUE = re.compile(r"(?<![\w'])(?:" + "|".join(ANCHOR_CUES) + r")\s+", re.IGNORECASE)
#: Where the anchor's name ends: a modifier or a clause boundary.
_END = re.compile(
    r"\s*(?:[,.;:!?()]|\s-\s|\b(?:but|though|only|just|with|without|from|except|and then|that|which|who|for|in the|"
    r"or later|or newer|or earlier|or older|songs?|tracks?|music|stuff|pero|sin|con|mas|mais|sem|com|mais|avec|"
    r"sans|aber|ohne|mit|nur|solo|s[oó]lo|apenas|only|newer|older|slower|faster|more|less|plus|moins|mehr|weniger|"
    r"m[aá]s|menos)\b)",
    re.IGNORECASE,
)
#: Words a period follows inside a name ("Mr. Brightside", "Dr. Dre", "St. Vincent", "feat."): not a clause end.
_ABBREVIATION = re.compile(r"(?:^|\s)(?:mr|mrs|ms|dr|st|jr|sr|vs|feat|ft|vol|pt|no|mt|lt)$", re.IGNORECASE)


def _name_end(after: str) -> int | None:
    """Where the anchor's name in ``after`` (the text after a cue) ends: the first :data:`_END` match that is not a
    period inside a name — after an abbreviation ("Mr. Brightside"), an initial ("J. Cole", "P.Y.T.") or followed
    by a letter ("will.i.am"). Returns the index, or None when the name runs to the end."""
    pos = 0
    while True:
        end = _END.search(after, pos)
        if end is None:
            return None
        if after[end.start():end.end()].strip() == ".":
            # the few characters before the period decide (an abbreviation is at most 4 letters and a space): a
            # message of 2,000 periods reads each one in constant time, not the whole text before it
            before = after[max(0, end.start() - 6): end.start()]
            nxt = after[end.end(): end.end() + 1]
            if (_ABBREVIATION.search(before) or re.search(r"(?:^|[\s.])\w$", before)
                    or (nxt and not nxt.isspace())):
                pos = end.end()
                continue
        return end.start()


@dataclass
class Anchor:
    """A resolved "like X": ``kind`` "artist" or "track", display ``name``, seed positions, X's artist ids, the
    text outside the anchor (``rest``), ``unresolved`` (a capitalised name that is in no catalog artist or
    title: the reply must say so) — then ``seeds`` is empty — and ``bare``: named without a cue word ("Drake but
    chiller", :mod:`core.anchor_bare`), so ``span`` is the name alone."""

    kind: str
    name: str
    seeds: list[int] = field(default_factory=list)
    artist_ids: list[int] = field(default_factory=list)
    rest: str = ""
    span: str = ""
    unresolved: bool = False
    bare: bool = False


def _looks_like_name(raw: str) -> bool:
    """Capitalised words (or quoted, or containing a digit: "2Pac"): a proper name, not "chill music"."""
    words = [w for w in re.findall(r"[\w'&.$!-]+", raw) if w.lower() not in ("the", "of", "and", "de", "la", "el")]
    return bool(words) and all(w[0].isupper() or w[0].isdigit() or any(c.isdigit() for c in w) for w in words)


#: Words of holiday songs (title or a playlist of the track): an artist's "Winter Wonderland" is no seed for "like
#: Aretha Franklin" — a radio from it is a Christmas playlist. General knowledge, multi-language, normalized.
_SEASONAL = re.compile(r"\b(?:christmas|xmas|x mas|navidad|naviden[oa]s?|villancicos?|natal|natalin[oa]s?|natale|"
                       r"nataliz\w*|noel|weihnacht\w*|santa claus|jingle bells?|"
                       r"winter wonderland|holiday|holidays|sleigh|mistletoe|rudolph|feliz navidad|silent night)\b")


#: per table: (version, position -> :func:`is_seasonal`), so a radio's picks are read once per table version
_SEASONAL_BY_POS: weakref.WeakKeyDictionary[TrackTable, tuple[int, dict[int, bool]]] = weakref.WeakKeyDictionary()


def is_seasonal(table: TrackTable, p: int) -> bool:
    """True when track ``p``'s title, album or one of its playlists names a holiday (:data:`_SEASONAL`). Kept per
    position until the table changes (every radio reads its picks and seeds: ~15 µs each to normalize and match)."""
    memo = _SEASONAL_BY_POS.get(table)
    if memo is None or memo[0] != table.version:
        memo = _SEASONAL_BY_POS[table] = (table.version, {})
    got = memo[1].get(p)
    if got is None:
        texts = [table.titles[p], table.albums[p] or ""]
        texts += [table.label_names[lid][1] for lid in table.labels[p] if table.label_names[lid][0] == "playlist"]
        got = memo[1][p] = any(_SEASONAL.search(normalize_text(x)) for x in texts)
    return got


#: A cheap first pass over raw lower-case titles and albums (accents kept): every text :data:`_SEASONAL` can match
#: contains one of these stems, so only the tracks it flags are checked with :func:`is_seasonal`.
_SEASONAL_STEMS = re.compile(r"christmas|xmas|x.mas|navid|villancico|natal|no[eë]l|weihnacht|santa|jingle|wonderland|holiday|"
                             r"sleigh|mistletoe|rudolph|silent night")
#: the newest table's answer: (weak reference to the table, its version, its size, positions) — one live table per
#: process; a weak reference, not ``id()``, so a new table at a reused address never gets another table's answer
_SEASONAL_MEMO: list[tuple[weakref.ref[TrackTable], int, int, frozenset[int]]] = []


def seasonal_positions(table: TrackTable) -> frozenset[int]:
    """Positions of every holiday song of ``table`` (:func:`is_seasonal`), computed once per table version, and kept
    on disk beside the start-up cache for a table read from it (:func:`core.startup_cache.table_memo`: ~0.05–0.1 s of
    a one-shot ``/recommend``, keyed by the catalog version and this code).

    A stem pass over all titles and albums joined (one regex over ~1 MB) and the playlists whose names are seasonal
    give the candidates; :func:`is_seasonal` decides each (~102 tracks of the shipped catalog, ~10 ms; checking every
    track with :func:`is_seasonal` took ~0.3 s)."""
    if _SEASONAL_MEMO:
        ref, version, n, found = _SEASONAL_MEMO[0]
        if ref() is table and version == table.version and n == table.n:
            return found
    from core.startup_cache import table_memo

    def scan() -> np.ndarray:
        return np.asarray(sorted(_seasonal_scan(table)), dtype=np.int64)

    found = frozenset(table_memo(table, "seasonal", _SEASONAL_CODE, scan).tolist())
    _SEASONAL_MEMO[:] = [(weakref.ref(table), table.version, table.n, found)]  # keep the newest only
    return found


#: The code :func:`seasonal_positions` depends on: this module (the patterns) and the text normalization.
_SEASONAL_CODE = (Path(__file__), Path(__file__).with_name("catalog_rows.py"))


def _seasonal_scan(table: TrackTable) -> set[int]:
    texts = [f"{table.titles[p]} {table.albums[p] or ''}".lower() for p in range(table.n)]
    joined = "\n".join(texts)
    starts = np.cumsum([0] + [len(x) + 1 for x in texts])
    cand = {int(np.searchsorted(starts, m.start(), side="right")) - 1 for m in _SEASONAL_STEMS.finditer(joined)}
    for lid, (kind, name) in enumerate(table.label_names):
        if kind == "playlist" and _SEASONAL.search(normalize_text(name)):
            cand |= set(table.label_tracks.get(lid, ()))
    return {p for p in cand if is_seasonal(table, p)}


def asks_seasonal(text: str) -> bool:
    """True when ``text`` names a holiday ("christmas soul", "canciones de navidad"): holiday songs are then wanted."""
    return bool(_SEASONAL.search(normalize_text(text)))


def off_season(table: TrackTable, pool: Sequence[Scored], text: str) -> list[Scored]:
    """``pool`` without holiday songs (:func:`is_seasonal`) unless ``text`` asks for them ("christmas soul like
    Aretha"); unchanged when that would leave fewer than half of it."""
    if asks_seasonal(text):
        return list(pool)
    kept = [s for s in pool if not is_seasonal(table, s.pos)]
    return kept if len(kept) * 2 >= len(pool) else list(pool)


def _artist_seeds(table: TrackTable, aid: int, n: int = 5) -> list[int]:
    """The artist's ``n`` most popular distinct songs (one per dedupe key), live only; holiday songs
    (:func:`is_seasonal`) only when the artist has nothing else."""
    members = sorted((p for p in table.artist_tracks.get(aid, ()) if table.alive[p]),
                     key=lambda p: (is_seasonal(table, p), -int(table.popularity[p]), p))
    if any(not is_seasonal(table, p) for p in members):
        members = [p for p in members if not is_seasonal(table, p)]
    out: list[int] = []
    keys: set[str] = set()
    for p in members:
        if table.norm_keys[p] not in keys:
            keys.add(table.norm_keys[p])
            out.append(p)
        if len(out) >= n:
            break
    return out


def _artist_display(table: TrackTable, aid: int) -> str:
    for p in table.artist_tracks.get(aid, ()):
        for name, a in zip(table.artists[p], table.artist_ids[p]):
            if a == aid:
                return name
    return table.artist_names[aid]


def _resolve_name(table: TrackTable, refs: object, raw: str) -> Anchor | None:
    """``raw`` (the words after a cue) as an artist or a song; tries the longest word prefix first."""
    words = raw.split()
    quoted = raw.strip().startswith(("\"", "“", "'"))
    for n in range(min(len(words), 7), 0, -1):
        phrase = " ".join(words[:n]).strip("\"“”'")
        key = normalize_text(phrase)
        if len(key) < 2:
            continue
        by = re.search(r"\s+by\s+(.+)$", phrase, re.IGNORECASE)  # "bad guy by Billie Eilish": the artist says it
        name_like = quoted or _looks_like_name(phrase) or (
            by is not None and normalize_text(by.group(1)) in table.artist_index)
        aid = table.artist_index.get(key)
        if aid is None or not table.artist_tracks.get(aid):
            aid = lead_act(table, key) if name_like and len(key.split()) >= 2 else aid
        if aid is not None and table.artist_tracks.get(aid) and (name_like or len(key.split()) >= 2):
            seeds = _artist_seeds(table, aid)
            if seeds:
                return Anchor("artist", _artist_display(table, aid), seeds, [aid], span=phrase)
        if name_like and (len(key.split()) >= 2 or quoted or len(key) >= 4):
            try:
                pos = refs.resolve(phrase, fuzzy=False, suggest=False)  # type: ignore[attr-defined]
            except Exception:
                pos = None
            if pos is not None and len(key.split()) == 1 and not quoted and normalize_text(
                    re.split(r"\s+-\s+|\s*\(", table.titles[pos])[0]) != key:
                pos = None  # one word ("like Despacito"): only a song titled exactly that, never a title's first word
            if pos is not None:
                label = f"{table.titles[pos]} - {', '.join(table.artists[pos])}"
                return Anchor("track", label, [pos], list(table.artist_ids[pos]), span=phrase)
    # typos in a capitalised artist name ("Erykah Baddu"): rapidfuzz ratio ≥ 90 over the catalog's artist names
    for n in range(min(len(words), 4), 0, -1):
        phrase = " ".join(words[:n]).strip("\"“”'")
        key = normalize_text(phrase)
        if len(key) < 4 or not _looks_like_name(phrase):
            continue
        hit = process.extractOne(key, table.artist_names, scorer=fuzz.ratio, score_cutoff=90)
        if hit is not None:
            aid = int(hit[2])
            seeds = _artist_seeds(table, aid)
            if seeds:
                return Anchor("artist", _artist_display(table, aid), seeds, [aid], span=phrase)
    return None


#: At most this many "like" cues of one message are looked at (each costs a few exact look-ups and one fuzzy scan).
MAX_CUES = 4


#: A cue word right before a pasted link ("like <link> but slower", "como <link> pero más lento").
_CUE_BEFORE = re.compile(r"(?:^|\s)(?:" + "|".join(ANCHOR_CUES) + r")\s*$", re.IGNORECASE)
#: Words joining more references to a pasted link ("<link> and Blinding Lights", "<link>; Levitating").
_MORE_REFS = re.compile(r"\b(?:and|y|e|et|und|plus)\b|[;,|&+]", re.IGNORECASE)
#: At most this many pasted track links seed one anchor.
MAX_LINK_SEEDS = 5


def link_anchor(text: str, table: TrackTable, refs: object) -> Anchor | None:
    """Pasted Spotify track links / ``spotify:track:`` URIs of catalog tracks in ``text`` as a track anchor (up to
    :data:`MAX_LINK_SEEDS` seeds; short links count once followed, see ``refs.short_links``), with ``rest`` = the
    text without the links and the cue word before the first one — so "<link> but slower" keeps its modifier.
    None when no link names a catalog track."""
    links = find_links(text)
    if not links:
        return None
    short = getattr(refs, "short_links", {}) or {}
    seeds: list[int] = []
    used = []
    for link in links:
        tid = link.id if link.kind == "track" else short.get(link.url, "") if link.kind == "short" else ""
        pos = table.pos.get(tid) if tid else None
        if pos is not None and table.alive[pos] and pos not in seeds and len(seeds) < MAX_LINK_SEEDS:
            seeds.append(pos)
            used.append(link)
    if not seeds:
        return None
    first = used[0]
    head = text[: first.start].rstrip().rstrip("<([{\"'“‘`*_").rstrip()  # the link's wrappers
    cue = _CUE_BEFORE.search(head)
    if cue:
        head = head[: cue.start()]
    rest = " ".join((head + " " + strip_links(text[first.start :])).split())
    if _MORE_REFS.search(rest) and not (relative_moves(rest)[0] or era_move(rest) or _EXPLICIT_YEARS.search(rest)):
        return None  # "songs like <link> and Blinding Lights": several references, the similar-songs path's
    p = seeds[0]
    label = f"{table.titles[p]} - {', '.join(table.artists[p])}" + (f" (+{len(seeds) - 1})" if len(seeds) > 1 else "")
    aids = list(dict.fromkeys(a for q in seeds for a in table.artist_ids[q]))
    return Anchor("track", label, seeds, aids, rest=rest, span=text[first.start : first.end])


def find_anchor(text: str, table: TrackTable, refs: object) -> Anchor | None:
    """The first "like X" in ``text`` whose X names a catalog artist or song, as an :class:`Anchor`; pasted catalog
    track links come first (:func:`link_anchor`: "<link> but newer" is anchored on the linked song).

    Without a cue that resolves, a request that starts with a catalog artist or song and goes straight on to a
    modifier ("Daft Punk but darker", "Eminem less aggressive": :func:`core.anchor_bare.bare_anchor`) is that anchor.
    When no cue resolves but one is followed by a capitalised name ("like Zorblax Quintet"), returns an unresolved
    anchor (no seeds) so the reply can say the catalog has no such artist. Returns None for "like chill music",
    "I'd like something calm", a bare name alone ("Drake") and other text without a cue.
    """
    if ":" in text or "." in text:
        linked = link_anchor(text, table, refs)
        if linked is not None:
            return linked
    unresolved: Anchor | None = None
    tried: set[str] = set()
    for cue_no, m in enumerate(_CUE.finditer(text)):
        if cue_no >= MAX_CUES:  # "like like like …": a request names one or two anchors, not hundreds
            break
        if cue_no == 0 and m.start() > 0:  # "Dimitri Vegas & Like Mike but darker": the cue is inside a name
            inside = bare_anchor(text, table, refs, _resolve_name, _name_end)
            if inside is not None and m.start() < text.find(inside.span) + len(inside.span):
                return inside
        before = text[: m.start()].rstrip().lower()
        if m.group(0).strip().lower() == "like" and re.search(r"\b(?:i|i'd|id|would|you|we|they|don't|dont|do|feel)$", before):
            continue  # "I'd like something calm"
        after = text[m.end():]
        whole = after.strip().rstrip("!?.").strip("\"“”'")
        if 2 <= len(whole.split()) <= 12:  # the whole rest as an exact title first: "like Once and for All" is one song
            try:
                pos = refs.resolve(whole, fuzzy=False)  # type: ignore[attr-defined]
            except Exception:
                pos = None
            wkey = normalize_text(whole)
            if pos is not None and _looks_like_name(whole) and (
                    table.artist_tracks.get(table.artist_index.get(wkey, -1)) or lead_act(table, wkey) is not None):
                pos = None  # "like Bob Marley": the artist (credited with his band), not a song titled "Bob Marley"
            if pos is not None and normalize_text(table.titles[pos]).startswith(wkey):
                label = f"{table.titles[pos]} - {', '.join(table.artists[pos])}"
                return Anchor("track", label, [pos], list(table.artist_ids[pos]), span=text[m.start():].strip(),
                              rest=text[: m.start()].strip())
        end = _name_end(after)
        pos, longer = None, ""
        for longer in longer_titles(after, end, _END, _name_end) if end is not None else ():
            pos = resolve_title(table, refs, longer)
            if pos is not None:
                break
        if pos is not None:  # "like Rolling in the Deep by Adele but …": a title holding a clause word
            span_end = m.end() + after.find(longer) + len(longer)
            label = f"{table.titles[pos]} - {', '.join(table.artists[pos])}"
            return Anchor("track", label, [pos], list(table.artist_ids[pos]), span=text[m.start():span_end].strip(),
                          rest=(text[: m.start()] + " " + text[span_end:]).strip())
        raw = after[: end] if end is not None else after
        raw = raw.strip()
        if not raw or raw in tried:
            continue
        tried.add(raw)
        anchor = _resolve_name(table, refs, raw)
        if anchor is not None:
            span_start = m.start()
            span_end = m.end() + after.find(anchor.span.split()[-1]) + len(anchor.span.split()[-1]) if anchor.span else m.end()
            anchor.rest = (text[:span_start] + " " + text[span_end:]).strip()
            anchor.span = text[span_start:span_end]
            return anchor
        name = " ".join(re.split(r"\s+(?:and|or|&|y|o|ou|et|und|oder|e)\s+", raw)[0].split()[:4])
        if unresolved is None and _looks_like_name(name) and len(normalize_text(name)) >= 3:
            unresolved = Anchor("artist", name.strip("\"“”'"), unresolved=True, rest=text)
    bare = bare_anchor(text, table, refs, _resolve_name, _name_end)
    return bare if bare is not None else unresolved


#: Words before a song title asked for by itself: "play Wake Me Up", "put on bad guy", "listen to the song Hurt".
_PLAY = re.compile(r"^(?:(?:please|pls)\s+)?(?:play|put on|queue|listen to|spin)(?:\s+(?:me|the song|the track|song))?\s+",
                   re.IGNORECASE)
#: Longest title (in words) read as a request by itself.
MAX_TITLE_WORDS = 12


def title_anchor(text: str, table: TrackTable, refs: object) -> Anchor | None:
    """A request that is only a song's title ("wake me up", "play bad guy", "“Blinding Lights”"): that song as the
    anchor (its most popular version: Avicii's "Wake Me Up" over a cover), with no words around it. The whole
    request (after a leading "play" / "put on") must be a catalog title exactly (:meth:`core.references.
    TrackReferences.title_index`: as typed or without its version suffix) of 2+ words, or quoted — one word
    ("happy", "Hurt") is a mood or a word far more often than a title. None otherwise. The caller decides when a
    title outranks the text's own reading (:meth:`core.app.discovery.Discovery`: when nothing but an artist whose name
    is part of the title was read, "Wake Me" in "wake me up")."""
    body = _PLAY.sub("", text.strip()).strip().rstrip("!?.").strip()
    quoted = body[:1] in "\"“'"
    key = normalize_text(body.strip("\"“”'"))
    words = key.split()
    if not words or len(words) > MAX_TITLE_WORDS or (len(words) < 2 and not quoted):
        return None
    index = getattr(refs, "title_index", None)
    found = [p for p in (index().get(key, ()) if index is not None else ()) if table.alive[p]]
    if not found:
        return None
    pos = max(found, key=lambda p: (int(table.popularity[p]), -p))
    label = f"{table.titles[pos]} - {', '.join(table.artists[pos])}"
    return Anchor("track", label, [pos], list(table.artist_ids[pos]), span=text.strip(), rest="")


#: Year words that pin an era in the request itself ("from the 2000s", "before 2015", "90s"): then "newer" /
#: "older" is not read relative to the anchor.
_EXPLICIT_YEARS = re.compile(r"\b(?:1[89]|20)\d\d(?:'?s)?\b|\b\d0'?s\b|\b(?:eighties|nineties|seventies|sixties)\b", re.IGNORECASE)
#: How far past the anchor's median original year "newer" / "older" starts, in years.
ERA_STEP = 5


def seed_years(table: TrackTable, seeds: Sequence[int]) -> list[int]:
    """The seeds' original years (:meth:`TrackTable.original_years`: the earliest year among a song's versions, not
    a compilation's or remaster's album date), sorted, unknown ones left out."""
    years = table.original_years()
    return sorted(int(years[p]) for p in seeds if years[p] > 0)


def era_shift(text: str, table: TrackTable, seeds: Sequence[int], filters: Filters) -> tuple[Filters, str]:
    """"newer" / "older" relative to the anchor (:func:`core.moves.era_move`): a year bound :data:`ERA_STEP` years
    past the seeds' median *original* year (:func:`seed_years`). The parser reads "newer" on its own as "the last
    years of the catalog"; next to an anchor it means newer than the anchor, so such a bound is replaced — unless the
    request names years itself ("like Drake but older, before 2015"). The bound stops at the catalog's own first /
    last original year. Returns the filters and a cue ("newer than Queen (1977) → 1982+") or ""."""
    move = era_move(text)
    years = seed_years(table, seeds)
    if not move or not years or _EXPLICIT_YEARS.search(text):
        return filters, ""
    median = years[len(years) // 2]
    known = table.original_years()[: table.n][table.alive[: table.n]]
    known = known[known > 0]
    first, last = (int(known.min()), int(known.max())) if len(known) else (median, median)
    if move > 0:
        y = min(median + ERA_STEP, last)
        if y <= median:
            return filters, f"newer: nothing here is newer than {median}"
        return filters.model_copy(update={"year_min": y, "year_max": None}), f"newer → {y}+ (anchor {median})"
    y = max(median - ERA_STEP, first)
    if y >= median:
        return filters, f"older: nothing here is older than {median}"
    return filters.model_copy(update={"year_min": None, "year_max": y}), f"older → up to {y} (anchor {median})"


#: Share of an artist anchor's tracks a genre must carry to count as the anchor's scene (see :func:`style_mask`).
STYLE_SHARE = 0.25


def style_mask(table: TrackTable, anchor: Anchor, kind: str = "genre") -> np.ndarray | None:
    """Boolean ``(table.n,)`` mask of tracks in the anchor's scene: carrying a label of ``kind`` ("genre" or
    "subgenre") that at least :data:`STYLE_SHARE` of the anchor's tracks carry (all of an artist's tracks, or the
    song's versions). None when the catalog (or the anchor) has no such labels — then style is audio, artist
    relations and era alone."""
    t = table
    own = _anchor_tracks(t, anchor)
    if not own:
        return None
    counts: dict[int, int] = {}
    for p in own:
        for lid in t.labels[p]:
            if t.label_names[lid][0] == kind:
                counts[lid] = counts.get(lid, 0) + 1
    scene = [lid for lid, c in counts.items() if c >= STYLE_SHARE * len(own)]
    if not scene:
        return None
    return t.positions_mask(t.label_tracks.get(lid, ()) for lid in scene)


#: Share of the anchor's predicted style (mean ``P(style)`` over its tracks) a style needs to be part of its scene on a
#: catalog without labels (:func:`predicted_style_mask`); a candidate is in the scene when its own most likely style
#: is one of them. Genre: :data:`STYLE_SHARE`, as for labels. Subgenre: 0.15 (3.6× the uniform 1/24), not tuned —
#: on the label-stripped shipped catalog, "like X but <move>" for the 40 artists with the most tracks × 5 moves,
#: agreement with X's hidden genre / subgenre is 0.660 / 0.310 with it, 0.661-0.662 / 0.308-0.319 with 0.2, 0.25 or
#: the top subgenre only, and 0.620 / 0.277 with no scene at all.
PREDICTED_SHARE = {"genre": STYLE_SHARE, "subgenre": 0.15}


def _anchor_tracks(table: TrackTable, anchor: Anchor) -> list[int]:
    """Positions the anchor's scene is read from: all live tracks of an artist anchor, every version of a song's."""
    t = table
    if anchor.kind == "artist":
        return [p for aid in anchor.artist_ids for p in t.artist_tracks.get(aid, ()) if t.alive[p]]
    return [p for s in anchor.seeds for p in t.key_tracks.get(t.norm_keys[s], {s})]


def predicted_style_mask(table: TrackTable, anchor: Anchor, kind: str = "genre") -> np.ndarray | None:
    """:func:`style_mask` for a catalog without labels: the anchor's scene read from the style model
    (:func:`core.text.styles.table_probabilities`, ``P(subgenre | audio features, duration, year, title)``; genre =
    sum over its subgenres). The scene is every style of ``kind`` holding at least :data:`PREDICTED_SHARE` of the mean
    probability over the anchor's tracks with audio features (always its most likely one); a track is in the scene
    when its own most likely style of ``kind`` is in it. Boolean ``(table.n,)``; None when the model file is absent,
    the anchor has no tracks with audio features, or ``kind`` is unknown."""
    from core.text.styles import load_style_model, table_probabilities

    model = load_style_model()
    t = table
    if model is None or t.n == 0 or kind not in ("genre", "subgenre"):
        return None
    own = [p for p in _anchor_tracks(t, anchor) if t.has_features[p]]
    if not own:
        return None
    probs = table_probabilities(t, model)
    if kind == "genre":
        genres = model.genres
        cols = [model.genre_columns(f"genre:{g}") for g in genres]
        probs = np.column_stack([probs[:, c].sum(axis=1) for c in cols])
    share = probs[own].mean(axis=0)
    scene = share >= PREDICTED_SHARE[kind]
    scene[int(np.argmax(share))] = True
    mask = scene[np.argmax(probs, axis=1)] & t.has_features[: t.n].astype(bool)
    return mask


def scene_masks(table: TrackTable, anchor: Anchor) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(subgenre mask, genre mask)`` of the anchor's scene: from the catalog's labels (:func:`style_mask`) when it
    has any, else from the style model (:func:`predicted_style_mask`)."""
    if table.has_labels():
        return style_mask(table, anchor, "subgenre"), style_mask(table, anchor, "genre")
    return predicted_style_mask(table, anchor, "subgenre"), predicted_style_mask(table, anchor, "genre")


#: Score bonus (on the 0–1 similarity scale) for a pool track in the anchor's subgenres / genres (:func:`in_scene`):
#: the scene outranks a slightly closer audio match from another scene ("like Bad Bunny but sadder" stays Latin).
SCENE_BONUS = {"subgenre": 0.3, "genre": 0.15}


def in_scene(pool: Sequence[Scored], subgenres: np.ndarray | None, genres: np.ndarray | None,
             familiar: dict[int, float] | None = None) -> list[Scored]:
    """``pool`` with :data:`SCENE_BONUS` added to the score of tracks in the anchor's scene (masks from
    :func:`style_mask`; None = no such labels) and the ``familiar`` bonus of :func:`familiar_bonus` (position ->
    0–:data:`RELATED_BONUS` + :data:`POPULAR_BONUS`), re-sorted best first."""
    if subgenres is None and genres is None and not familiar:
        return list(pool)
    familiar = familiar or {}
    out = []
    for s in pool:
        bonus = (SCENE_BONUS["subgenre"] if subgenres is not None and subgenres[s.pos] else 0.0) + (
            SCENE_BONUS["genre"] if genres is not None and genres[s.pos] else 0.0) + familiar.get(s.pos, 0.0)
        out.append(replace(s, score=s.score + bonus) if bonus else s)
    return sorted(out, key=lambda s: -s.score)


#: Score bonus (0–1 similarity scale) per unit of catalog relation (cosine 0–1, :class:`core.artist_graph.
#: ArtistGraph`) between a pick's artist and the anchor's: "like Drake" prefers Drake's scene-mates over an audio-only
#: neighbour from an unrelated corner. Below :data:`SCENE_BONUS`, so it orders within a scene.
RELATED_BONUS = 0.12
#: Score bonus for popularity (0–100 → 0–this): a soft tie-breaker toward tracks a listener knows.
POPULAR_BONUS = 0.04


def familiar_bonus(table: TrackTable, anchor: Anchor, graph: ArtistGraph | None,
                   positions: Sequence[int]) -> dict[int, float]:
    """Per pool position: ``RELATED_BONUS × strongest relation`` of its artists to the anchor's artists (0 for the
    anchor's own artists, whose tracks the per-artist cap limits anyway) ``+ POPULAR_BONUS × popularity / 100``.
    Relations are the catalog's playlist / label relations (``graph``) and, on any catalog, shared credits
    (:func:`core.collabs.collaborators`: "Location (feat. Burna Boy)" links Dave to Burna Boy), the stronger of the
    two. Empty when no relation is known (no graph and no credits: there popularity alone pulled the label-stripped
    strict text benchmark's anchor requests from 0.70 to 0.60, so it is only a tie-breaker next to relations)."""
    from core.collabs import collaborators

    related: dict[int, float] = {}
    if graph is not None:
        for aid in anchor.artist_ids:
            for b, r in graph.neighbour_map(aid).items():
                related[b] = max(related.get(b, 0.0), r)
    for b, r in collaborators(table, anchor.artist_ids).items():
        related[b] = max(related.get(b, 0.0), r)
    for aid in anchor.artist_ids:
        related.pop(aid, None)
    if not related:
        return {}
    out: dict[int, float] = {}
    for p in positions:
        rel = max((related.get(a, 0.0) for a in table.artist_ids[p]), default=0.0)
        out[p] = RELATED_BONUS * rel + POPULAR_BONUS * float(table.popularity[p]) / 100.0
    return out


def rest_targets(parse: Callable[[str], object], rest: str, deltas: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Absolute feature targets for :func:`shift_around` from the words around the anchor only: ``parse(rest)``
    (the text understanding, returning a :class:`~core.models.TextQuery` or a clarification) -> feature ->
    ``(target in raw units, weight)`` for weights ≥ 0.5, features a relative move already sets left out
    (:attr:`core.anchor_words.RestReading.targets`). The whole request's parse is not used: it reads the named artist's
    own distinctive features as targets ("songs like WizKid" would ask for his one song's 190 BPM), which the
    similarity engine already starts from. {} when the rest carries no musical meaning ("songs like X")."""
    from core.anchor_words import read_rest

    return read_rest(parse, rest, deltas).targets


#: An anchor whose artists have fewer distinct songs than this in the catalog, and whose linked artists
#: (:func:`scene_size`) have fewer than :data:`THIN_LINKED`, has a thin scene here: the reply says so on its first line.
#: 10 = one full list of the artist's own songs; 60 = six lists of scene-mates. Not tuned on any benchmark.
THIN_OWN = 10
THIN_LINKED = 60
#: Relation (cosine, :class:`core.artist_graph.ArtistGraph`) from which an artist counts as linked to the anchor.
LINKED_RELATION = 0.3


def scene_size(table: TrackTable, anchor: Anchor, graph: ArtistGraph | None) -> tuple[int, int]:
    """``(own, linked)``: distinct live songs (one per normalized title + artist) of the anchor's artists, and live
    tracks of the artists the catalog's playlists / labels link to them (relation ≥ :data:`LINKED_RELATION` in
    ``graph``; 0 without a graph or labels). Shared credits do not count here: a guest verse crosses scenes
    ("Own It" links Burna Boy to Ed Sheeran) — evidence of a link, not of a scene's size."""
    t = table
    own = len({t.norm_keys[p] for a in anchor.artist_ids for p in t.artist_tracks.get(a, ()) if t.alive[p]})
    n_linked = sum(1 for a in linked_artists(anchor, graph) for p in t.artist_tracks.get(a, ()) if t.alive[p])
    return own, n_linked


def linked_artists(anchor: Anchor, graph: ArtistGraph | None) -> set[int]:
    """Artist ids the catalog's playlists / labels link to the anchor's artists (relation ≥ :data:`LINKED_RELATION`
    in ``graph``), the anchor's own left out; empty without a graph."""
    linked: set[int] = set()
    if graph is not None:
        for aid in anchor.artist_ids:
            linked |= {b for b, r in graph.neighbour_map(aid).items() if r >= LINKED_RELATION}
    return linked - set(anchor.artist_ids)


def linked_mask(table: TrackTable, anchor: Anchor, graph: ArtistGraph | None) -> np.ndarray | None:
    """Boolean ``(table.n,)`` mask of the tracks of :func:`linked_artists` — the anchor's scene-mates by the catalog's
    own playlists, a tighter scene than a subgenre label ("electropop" holds Maroon 5 and Daft Punk alike); None when
    no artist is linked."""
    linked = linked_artists(anchor, graph)
    if not linked:
        return None
    return table.positions_mask(table.artist_tracks.get(a, ()) for a in linked)


def thin_scene_line(table: TrackTable, anchor: Anchor, graph: ArtistGraph | None, picks: Sequence[int],
                    lang: str = "en") -> str:
    """The first-line sentence for an anchor whose scene the catalog barely holds (:func:`scene_size` below
    :data:`THIN_OWN` and :data:`THIN_LINKED`; on a catalog without labels, own songs alone decide), e.g. "Burna Boy has
    only 7 songs here and this catalog links few artists to them: after 2 of theirs, these are the closest by sound
    and shared playlists." ``picks`` = the positions of the answer (how many are the anchor's own); ``lang`` the
    reply's language (es/pt/fr/de worded by :data:`core.text.wording.THIN_SCENE`). "" when the scene is not thin, or
    the anchor has no artist."""
    t = table
    if not anchor.artist_ids or not anchor.seeds:
        return ""
    own, linked = scene_size(t, anchor, graph)
    if own >= THIN_OWN or (t.has_labels() and linked >= THIN_LINKED):
        return ""
    name = _artist_display(t, anchor.artist_ids[0]) if anchor.kind == "track" else anchor.name
    mine = sum(1 for p in picks if set(t.artist_ids[p]) & set(anchor.artist_ids))
    if lang != "en":
        from core.text.wording import thin_scene_in

        line = thin_scene_in(lang, name, own, mine, t.has_labels())
        if line:
            return line
    songs = "only 1 song" if own == 1 else f"only {own} songs"
    after = f"after {mine} of theirs, " if mine else ""
    if t.has_labels():
        return (f"{name}'s scene is thin in this catalog ({songs} and few linked artists): {after}these are the "
                "closest by sound and shared playlists.")
    return (f"{name} has {songs} here and the catalog has no genre labels to place their scene: {after}these are the "
            "closest by sound, era and shared credits.")


def lean_seeds(table: TrackTable, anchor: Anchor, deltas: dict[str, float], era: int = 0, n: int = 5) -> list[int]:
    """Seeds for an artist anchor with a move: of the artist's 10 most popular distinct songs, the ``n`` that lean
    furthest in the move's direction ("like Daft Punk but slower" starts from Daft Punk's slower songs, "like Queen
    but newer" from Queen's later ones), so the neighbourhood itself moves. Lean = Σ sign(delta) · z-score of the
    feature (catalog mean / std), plus ``era`` (+1 newer, -1 older) times the original year's z-score. A track anchor,
    or an artist anchor without a move, keeps its seeds."""
    if anchor.kind != "artist" or not anchor.artist_ids or (not deltas and not era):
        return list(anchor.seeds)
    t = table
    pool = _artist_seeds(t, anchor.artist_ids[0], n=10)
    if len(pool) <= n:
        return pool or list(anchor.seeds)
    live = t.alive[: t.n].astype(bool)
    lean = np.zeros(len(pool))
    for name, d in deltas.items():
        if name not in FEATURE_INDEX or not d:
            continue
        i = FEATURE_INDEX[name]
        col = t.features[: t.n, i][live & t.known[: t.n, i].astype(bool)]
        if len(col):
            vals = np.nan_to_num(t.features[pool, i], nan=float(col.mean()))
            lean += np.sign(d) * (vals - col.mean()) / max(float(col.std()), 1e-6)
    if era:
        years = t.original_years()
        ys = np.array([float(years[p]) for p in pool])
        known = ys[ys > 0]
        if len(known) > 1 and known.std() > 0:
            lean += era * np.where(ys > 0, (ys - known.mean()) / known.std(), 0.0)
    order = sorted(range(len(pool)), key=lambda i: (-lean[i], i))  # ties: the more popular first
    return [pool[i] for i in order[:n]]


#: Similarity-score bonus (:meth:`Recommender.similar` ``boost``) per tier of :func:`tiered_boost`: far above any
#: similarity score, so the pool holds the most similar tracks AMONG those of the highest tier (e.g. making the move).
MOVE_BONUS = 100.0


def tiered_boost(*tiers: tuple[np.ndarray | None, float]) -> Callable[[np.ndarray | None], np.ndarray] | None:
    """A ``boost=`` hook for :meth:`Recommender.similar` from ``(mask over table positions, tier)`` pairs: each track
    gets ``Σ tier · MOVE_BONUS`` over the masks it is in, so the pool holds the most similar tracks of the highest
    tier first (e.g. in the era asked for 4, making the move 2, in the anchor's scene 1). None masks are skipped;
    None when all are."""
    live = [(m, float(w) * MOVE_BONUS) for m, w in tiers if m is not None and w]
    if not live:
        return None
    total = np.zeros(len(live[0][0]), dtype=np.float32)
    for m, w in live:
        total[: len(m)] += np.where(m, w, 0.0).astype(np.float32)

    def boost(cand: np.ndarray | None) -> np.ndarray:
        return total if cand is None else total[cand]

    return boost


def similarity_only(recommender: Recommender, seeds: Sequence[int], pool: Sequence[Scored]) -> list[Scored]:
    """``pool`` re-scored on similarity to ``seeds`` alone (0–1, best = 1; :meth:`Recommender.similar_scores`), for
    a pool chosen with :func:`move_boost` (whose bonus would otherwise flatten every score to ~1)."""
    if not pool:
        return []
    sim = recommender.similar_scores(seeds, np.asarray([s.pos for s in pool], dtype=np.int64))
    top = float(sim.max()) if float(sim.max()) > 0 else 1.0
    return [replace(s, score=max(0.0, float(v)) / top) for s, v in zip(pool, sim)]


#: Moves toward calm (:func:`calm_ceilings`): a tempo or mood move down.
CALM_MOVES = ("tempo", "valence")
#: Weight of the energy ceiling of a calm move (per catalog std of energy above the anchor's mean): half a full move's.
CALM_WEIGHT = 0.5


def calm_ceilings(table: TrackTable, seeds: Sequence[int], deltas: dict[str, float],
                  absolute: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """``{"energy": (the anchor's mean energy, CALM_WEIGHT)}`` for a move down in tempo or mood ("like Adele but
    slower", "… but sadder") that says nothing about energy: a listener hears "slower than Adele" as no more intense
    than Adele — a 92 BPM dance-pop single at energy 0.72 is "slower" than her 134 BPM mean on paper only. A move of
    the mood alone, up or down ("happier", "less sad": :mod:`core.moves`), is no more intense either: Radiohead
    happier is brighter Radiohead, not pop punk. {} otherwise (an energy move or target decides energy itself;
    "faster" / "more upbeat" set no ceiling)."""
    mood_only = set(deltas) == {"valence"}
    if "energy" in deltas or "energy" in absolute or not (
            mood_only or any(deltas.get(k, 0.0) < 0 for k in CALM_MOVES)):
        return {}
    i = FEATURE_INDEX["energy"]
    featured = [p for p in seeds if table.has_features[p]]
    if not featured:
        return {}
    return {"energy": (float(table.features[featured, i].mean()), CALM_WEIGHT)}

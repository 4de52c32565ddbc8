"""Anchored requests: "like X", "similar to X", "sounds like X", "in the style of X" (X = an artist or a song) in
free text, with modifiers around the anchor ("but newer", "less upbeat", "only 2010s", "slower", "more acoustic").

:func:`find_anchor` resolves X against the loaded catalog (artist names exactly, then rapidfuzz ``ratio`` ≥ 90 for a
capitalised name; song titles exactly when quoted or capitalised) and returns the seed tracks — the artist's most
popular distinct songs, or the song itself — plus the rest of the request. :func:`shift_around` re-ranks a pool of
similarity-engine results (:meth:`core.recommender.Recommender.similar`, whose per-artist cap keeps at most 2 tracks
by X) toward the modifiers: relative moves are measured from the anchor's own mean audio features, so "slower than
Daddy Yankee" means slower than Daddy Yankee, not slow in general.

Step sizes: 0.2 on 0–1 features (≈ one standard deviation of energy / valence in the shipped catalog) and ±15 % on
tempo — the same steps as the follow-up modifiers of :mod:`core.agent.specs`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from rapidfuzz import fuzz, process

from core.catalog import normalize_text
from core.models import Filters
from core.recommender import Recommender, Scored
from core.table import FEATURE_INDEX, TrackTable

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
#: Relative modifiers around an anchor: pattern (normalized text) -> feature deltas (0–1 units; tempo a fraction).
RELATIVE: tuple[tuple[re.Pattern[str], dict[str, float], str], ...] = (
    (re.compile(r"\b(?:more (?:up ?beat|happy|cheerful|positive|fun|joyful)|happier|brighter|cheerier|"
                r"mas alegres?|mais (?:alegres?|animad[oa]s?)|plus (?:joyeu[xs]e?|gai)|frohlicher)\b"),
     {"valence": 0.2, "energy": 0.1}, "more upbeat"),
    (re.compile(r"\b(?:less (?:up ?beat|happy|cheerful)|sadder|darker|moodier|more (?:melancholic|sad|moody|dark)|"
                r"mas tristes?|mais tristes?|plus tristes?|trauriger)\b"),
     {"valence": -0.2, "energy": -0.1}, "moodier"),
    (re.compile(r"\b(?:heavier|harder|louder|more (?:energetic|energy|intense|aggressive|powerful|hype)|"
                r"mas (?:energic[oa]s?|fuertes?|duros?)|mais (?:pesad[oa]s?|energetic[oa]s?)|plus (?:energiques?|fort)|"
                r"harter|energischer)\b"),
     {"energy": 0.2}, "more energy"),
    (re.compile(r"\b(?:calmer|chill(?:l)?er|chilled(?: out)?|softer|mellower|quieter|gentler|low[- ]?key|laid[- ]back|"
                r"less (?:energetic|intense|aggressive|loud)|more (?:chill|relaxed|mellow|calm|low ?key)|"
                r"mas (?:tranquil[oa]s?|suaves?|relajad[oa]s?)|mais (?:calm[oa]s?|tranquil[oa]s?|suaves?)|"
                r"plus (?:calmes?|doux|douce)|ruhiger|entspannter|sanfter)\b"),
     {"energy": -0.2}, "calmer"),
    (re.compile(r"\b(?:slower|slow jams?|less fast|mas lent[oa]s?|mais lent[oa]s?|plus lente?s?|langsamer)\b"),
     {"tempo": -0.15}, "slower"),
    (re.compile(r"\b(?:faster|quicker|mas rapid[oa]s?|mais rapid[oa]s?|plus rapides?|schneller)\b"),
     {"tempo": 0.15}, "faster"),
    (re.compile(r"\b(?:more dance(?:able)?|groovier|dancier|more groovy|mas bailables?|mais dancante?s?|"
                r"plus dansantes?|tanzbarer)\b"),
     {"danceability": 0.2}, "more danceable"),
    (re.compile(r"\b(?:less dance(?:able)?|instead of dance)\b"), {"danceability": -0.2}, "less danceable"),
    (re.compile(r"\b(?:more acoustic|acoustic|unplugged|stripped(?: back| down)?|mas acusticos?|mais acusticos?|"
                r"plus acoustiques?|akustischer|akustisch)\b"),
     {"acousticness": 0.3, "energy": -0.1}, "more acoustic"),
    (re.compile(r"\b(?:less acoustic|more electronic)\b"), {"acousticness": -0.3}, "more electronic"),
    (re.compile(r"\b(?:more romantic|romantic|romantic[oa]s?|romantiques?|romantischer)\b"),
     {"valence": 0.05, "energy": -0.15}, "more romantic"),
)
_DISTRIBUTE = re.compile(r"\b(more|less|mas|menos|mais|plus|moins|mehr|weniger) (\w+) (and|y|e|et|und) (?!more\b|less\b)(\w+)")
_NEWER = re.compile(r"\b(?:newer|more recent|recent|modern|fresher|nuevos?|mas recientes?|mais (?:nov[oa]s|recentes?)|"
                    r"plus recents?|recents?|neuer|neuere)\b")
_OLDER = re.compile(r"\b(?:older|oldies|more classic|mas antiguos?|mais antig[oa]s|plus anciens?|alter|altere)\b")


@dataclass
class Anchor:
    """A resolved "like X": ``kind`` "artist" or "track", display ``name``, seed positions, X's artist ids, the
    text outside the anchor (``rest``), and ``unresolved`` (a capitalised name that is in no catalog artist or
    title: the reply must say so) — then ``seeds`` is empty."""

    kind: str
    name: str
    seeds: list[int] = field(default_factory=list)
    artist_ids: list[int] = field(default_factory=list)
    rest: str = ""
    span: str = ""
    unresolved: bool = False


def _looks_like_name(raw: str) -> bool:
    """Capitalised words (or quoted, or containing a digit: "2Pac"): a proper name, not "chill music"."""
    words = [w for w in re.findall(r"[\w'&.$!-]+", raw) if w.lower() not in ("the", "of", "and", "de", "la", "el")]
    return bool(words) and all(w[0].isupper() or w[0].isdigit() or any(c.isdigit() for c in w) for w in words)


def _artist_seeds(table: TrackTable, aid: int, n: int = 5) -> list[int]:
    """The artist's ``n`` most popular distinct songs (one per dedupe key), live only."""
    members = sorted((p for p in table.artist_tracks.get(aid, ()) if table.alive[p]),
                     key=lambda p: (-int(table.popularity[p]), p))
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
        name_like = quoted or _looks_like_name(phrase)
        aid = table.artist_index.get(key)
        if aid is not None and table.artist_tracks.get(aid) and (name_like or len(key.split()) >= 2):
            seeds = _artist_seeds(table, aid)
            if seeds:
                return Anchor("artist", _artist_display(table, aid), seeds, [aid], span=phrase)
        if name_like and (len(key.split()) >= 2 or quoted):
            try:
                pos = refs.resolve(phrase, fuzzy=False)  # type: ignore[attr-defined]
            except Exception:
                pos = None
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


def find_anchor(text: str, table: TrackTable, refs: object) -> Anchor | None:
    """The first "like X" in ``text`` whose X names a catalog artist or song, as an :class:`Anchor`.

    When no cue resolves but one is followed by a capitalised name ("like Zorblax Quintet"), returns an unresolved
    anchor (no seeds) so the reply can say the catalog has no such artist. Returns None for "like chill music",
    "I'd like something calm" and text without a cue.
    """
    unresolved: Anchor | None = None
    tried: set[str] = set()
    for cue_no, m in enumerate(_CUE.finditer(text)):
        if cue_no >= MAX_CUES:  # "like like like …": a request names one or two anchors, not hundreds
            break
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
            if pos is not None and normalize_text(table.titles[pos]).startswith(normalize_text(whole)):
                label = f"{table.titles[pos]} - {', '.join(table.artists[pos])}"
                return Anchor("track", label, [pos], list(table.artist_ids[pos]), span=text[m.start():].strip(),
                              rest=text[: m.start()].strip())
        end = _END.search(after)
        raw = after[: end.start()] if end else after
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
    return unresolved


def relative_moves(text: str) -> tuple[dict[str, float], list[str]]:
    """Feature deltas (0–1 units; tempo a fraction) and cue names for the relative modifiers in ``text``."""
    norm = " " + normalize_text(text.replace("'s", "s")) + " "
    # "more upbeat and danceable" = "more upbeat and more danceable" (also less / más / mais / plus / mehr)
    norm = _DISTRIBUTE.sub(lambda m: f"{m.group(1)} {m.group(2)} {m.group(3)} {m.group(1)} {m.group(4)}", norm)
    deltas: dict[str, float] = {}
    cues: list[str] = []
    for rx, change, cue in RELATIVE:
        if rx.search(norm):
            cues.append(cue)
            for k, v in change.items():
                deltas[k] = deltas.get(k, 0.0) + v
    return deltas, cues


def era_shift(text: str, table: TrackTable, seeds: Sequence[int], filters: Filters) -> tuple[Filters, str]:
    """"newer" / "older" relative to the anchor: year bound 5 years past the seeds' median year, unless the request
    already gives a year bound in that direction. Returns the filters and a cue ("newer → 2001+") or ""."""
    norm = normalize_text(text)
    years = sorted(int(table.year[p]) for p in seeds if table.year[p] > 0)
    if not years:
        return filters, ""
    median = years[len(years) // 2]
    if _NEWER.search(norm) and filters.year_min is None:
        y = median + 5
        return filters.model_copy(update={"year_min": y}), f"newer → {y}+"
    if _OLDER.search(norm) and filters.year_max is None:
        y = median - 5
        return filters.model_copy(update={"year_max": y}), f"older → up to {y}"
    return filters, ""


#: Similarity-score bonus (:meth:`Recommender.similar` ``boost``) for tracks making the whole relative move: far above
#: any similarity score, so the pool holds the most similar tracks AMONG those that move, not the most similar ones.
MOVE_BONUS = 100.0
#: How far into the catalog's tail a relative move may aim: the 5th / 95th percentile of the feature.
MOVE_QUANTILE = 0.05


def move_targets(table: TrackTable, seeds: Sequence[int], deltas: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Feature -> ``(anchor mean, target)`` of each relative move (raw units; tempo deltas are fractions). A target
    stops at the catalog's own 5th / 95th percentile of the feature (:data:`MOVE_QUANTILE`): "sadder than Coldplay"
    asks for the saddest the catalog has in quantity, not for valence 0.0; an anchor already past it keeps its mean."""
    base = table.features[list(seeds)].mean(axis=0)
    out: dict[str, tuple[float, float]] = {}
    for name, d in deltas.items():
        if name not in FEATURE_INDEX or not d:
            continue
        i = FEATURE_INDEX[name]
        b = float(base[i])
        v = b * (1.0 + d) if name == "tempo" else min(max(b + d, 0.0), 1.0)
        known = table.features[: table.n, i][table.known[: table.n, i].astype(bool) & table.alive[: table.n]]
        if len(known):
            edge = float(np.quantile(known, MOVE_QUANTILE if d < 0 else 1.0 - MOVE_QUANTILE))
            v = max(v, min(edge, b)) if d < 0 else min(v, max(edge, b))
        out[name] = (b, v)
    return out


def move_mask(table: TrackTable, seeds: Sequence[int], deltas: dict[str, float]) -> np.ndarray | None:
    """Boolean ``(table.n,)`` mask of tracks (with audio features) that make every relative move in full (e.g.
    "more upbeat": valence at least the anchor's mean + 0.2); None when there is no move."""
    moves = move_targets(table, seeds, deltas)
    if not moves:
        return None
    n = table.n
    mask = table.alive[:n].astype(bool).copy()
    for name, (b, v) in moves.items():
        i = FEATURE_INDEX[name]
        col = table.features[:n, i]
        mask &= table.known[:n, i].astype(bool) & ((col - b) * np.sign(v - b) >= abs(v - b) - 1e-9)
    return mask


def move_boost(table: TrackTable, seeds: Sequence[int],
               deltas: dict[str, float]) -> Callable[[np.ndarray | None], np.ndarray] | None:
    """The ``boost=`` hook for :meth:`Recommender.similar`: :data:`MOVE_BONUS` for tracks in :func:`move_mask`
    (over the candidate view, ``None`` = all positions), or None when there is no move."""
    mask = move_mask(table, seeds, deltas)
    if mask is None:
        return None

    def boost(cand: np.ndarray | None) -> np.ndarray:
        m = mask if cand is None else mask[cand]
        return np.where(m, MOVE_BONUS, 0.0).astype(np.float32)

    return boost


def similarity_only(recommender: Recommender, seeds: Sequence[int], pool: Sequence[Scored]) -> list[Scored]:
    """``pool`` re-scored on similarity to ``seeds`` alone (0–1, best = 1; :meth:`Recommender.similar_scores`), for
    a pool chosen with :func:`move_boost` (whose bonus would otherwise flatten every score to ~1)."""
    if not pool:
        return []
    sim = recommender.similar_scores(seeds, np.asarray([s.pos for s in pool], dtype=np.int64))
    top = float(sim.max()) if float(sim.max()) > 0 else 1.0
    return [replace(s, score=max(0.0, float(v)) / top) for s, v in zip(pool, sim)]


def shift_around(
    table: TrackTable,
    seeds: Sequence[int],
    pool: Sequence[Scored],
    deltas: dict[str, float],
    absolute: dict[str, tuple[float, float]],
    limit: int,
) -> list[Scored]:
    """Re-rank a similarity pool toward the modifiers and keep the best ``limit``.

    ``deltas``: relative moves from the seeds' mean (0–1 units; tempo a fraction). ``absolute``: feature ->
    ``(target value in raw units, weight 0–1)`` from the rest of the request ("acoustic", "valence 0.3"); a relative
    move on the same feature wins. Score = similarity (pool score, 0–1) − Σ weight·shortfall / catalog std, where the
    shortfall of a relative move is one-sided (how far a candidate stays short of anchor mean + move; going further
    costs nothing) and of an absolute target is half the distance. Candidates that do not make at least half of a
    relative move are dropped while at least ``limit`` remain.
    """
    if not pool:
        return []
    std = np.maximum(table.features[: table.n].std(axis=0), 1e-6)
    base = table.features[list(seeds)].mean(axis=0)
    desired: dict[str, tuple[float, float, float]] = {}  # name -> (value, weight, direction)
    for name, (value, weight) in absolute.items():
        if name in FEATURE_INDEX and weight > 0:
            desired[name] = (float(value), float(weight), 0.0)
    for name, (_, value) in move_targets(table, seeds, deltas).items():
        desired[name] = (value, 1.0, float(np.sign(deltas[name])))
    if not desired:
        return list(pool[:limit])
    pos = np.array([s.pos for s in pool])
    feats = table.features[pos]
    score = np.array([s.score for s in pool], dtype=np.float64)
    full = np.ones(len(pool), dtype=bool)
    half = np.ones(len(pool), dtype=bool)
    for name, (value, weight, direction) in desired.items():
        i = FEATURE_INDEX[name]
        if direction:  # one-sided: short of the move costs, going further in its direction does not
            short = np.maximum(0.0, (value - feats[:, i]) * direction)
            score -= weight * short / std[i]
            moved = (feats[:, i] - float(base[i])) * direction
            full &= moved >= abs(value - float(base[i])) - 1e-9
            half &= moved >= 0.5 * abs(value - float(base[i]))
        else:
            score -= 0.5 * weight * np.abs(feats[:, i] - value) / std[i]
    # "more upbeat than X" means clearly more: candidates making the whole move when there are enough of them,
    # else those making at least half of it, else the best of the pool
    for ok in (full, half):
        if ok.sum() >= limit:
            score = np.where(ok, score, -np.inf)
            break
    order = _year_capped_order(table, pool, score, limit)
    top = float(score[order[0]]) if len(order) else 1.0
    lo = float(score[order[-1]]) if len(order) else 0.0
    span = top - lo if top > lo else 1.0
    return [Scored(pool[i].pos, round(0.5 + 0.5 * (float(score[i]) - lo) / span, 4), pool[i].reason)
            for i in order if np.isfinite(score[i])]


#: Share of an anchored answer one release year may fill ("like Bad Bunny but older" must not come back as ten
#: tracks from the one year next to the anchor's era); 0.4 of 10 = 4 tracks.
YEAR_SHARE = 0.4


def _year_capped_order(table: TrackTable, pool: Sequence[Scored], score: np.ndarray, limit: int) -> list[int]:
    """Indices into ``pool`` of the best ``limit`` finite scores, at most ``ceil(YEAR_SHARE * limit)`` per album
    year (unknown years uncapped); when the cap leaves fewer than ``limit``, the best capped-out ones fill up."""
    order = [int(i) for i in np.argsort(-score, kind="stable") if np.isfinite(score[i])]
    cap = max(1, math.ceil(YEAR_SHARE * limit))
    per_year: dict[int, int] = {}
    kept: list[int] = []
    spill: list[int] = []
    for i in order:
        y = int(table.year[pool[i].pos])
        if y > 0 and per_year.get(y, 0) >= cap:
            spill.append(i)
            continue
        per_year[y] = per_year.get(y, 0) + 1
        kept.append(i)
        if len(kept) >= limit:
            break
    if len(kept) < limit:
        kept += spill[: limit - len(kept)]
        kept.sort(key=lambda i: -float(score[i]))
    return kept

"""Scene focus: a mood or activity request gets a list from one scene, not a shuffle of every genre that fits.

"happy songs", "late night drive" or "house party" name a feel, not a style. Many tracks of every genre sit near the
feel's target audio features, so ranking by that distance alone interleaves reggaeton, gangster rap, classic rock
and EDM — each track fits, the list does not. A listener expects a playlist with one sound.

This is pseudo-relevance feedback (Rocchio, "Relevance feedback in information retrieval", 1971; the usual
"expand the query from the top-ranked results" step of IR): the genre mix of the best-scored candidates is taken as
the scene the request leans to, and every candidate gets a bonus in proportion to how much of that scene it
carries. Genres come from the catalog's own genre labels (a track in playlists of two genres counts half in each);
a catalog without genre labels gets no focus (nothing here invents a style).

Applied only when the request names no style, artist or language (those already pick the scene), and measured by
``musicbot eval --text`` (pass rate, p@10) and by the genre spread of mood lists (see the tests).
"""

from __future__ import annotations

import weakref

import numpy as np

from core.models import TextQuery
from core.text.title_language import TITLE_LANGS, table_languages

#: Candidates whose genre mix defines the scene (4 pages of a top 10: enough to see which genre leads, few enough
#: that the tail of a wide feel does not flatten it).
SCENE_POOL = 40
#: Bonus for a track wholly in the leading genre, in text-score units. The audio fit is 0–2, a label match 0.6–1.0,
#: popularity 0–0.4: the bonus reorders close fits, it never lifts a poor fit over a good one.
SCENE_WEIGHT = 0.2

#: A request whose target valence is at most this, and whose target energy (when it sets one) is at most
#: :data:`SAD_ENERGY`, asks for a sad sound ("sad songs", "songs to cry to", "Liebeskummer": data/text_concepts.json
#: targets valence 0.20–0.22, energy 0.33–0.36). Sad is a mood that crosses genres; see :func:`wants_scene_focus`.
SAD_VALENCE = 0.3
SAD_ENERGY = 0.5
#: A label weighted at least this was named outright (a word that stands for it: "música triste em português" ->
#: the playlist "Trapperz Brasil" at 1.0): a sad request with one keeps the focus, which follows that label's scene.
NAMED_LABEL = 0.9
#: A genre with less than this share of its titles in the request's language, a kindred one or English is foreign
#: to the request (:func:`genre_agreement`). On the shipped catalog, for an English request: edm 0.98, r&b 0.98,
#: rock 0.97, pop 0.96, rap 0.86, latin 0.52 — so Latin is the one foreign genre of English, German and French
#: requests and none is foreign to a Spanish or Portuguese one.
FOREIGN_BELOW = 0.75
#: Under the focus, tracks mostly in a foreign genre fill at most this share of a list (:func:`foreign_demotion`).
FOREIGN_LIST_SHARE = 0.4
#: Score taken off the foreign tracks past that share: more than any audio fit (0–2) plus labels, so they come
#: after every other candidate, and still fill the list when nothing else is left.
FOREIGN_DEMOTION = 10.0
#: Languages whose listeners share one scene of the other's songs: the catalog's Latin genre is titled in Spanish,
#: and a Brazilian party plays reggaeton.
KINDRED: dict[str, tuple[str, ...]] = {"es": ("pt",), "pt": ("es",)}

_CACHE: weakref.WeakKeyDictionary[object, tuple[int, int, np.ndarray]] = weakref.WeakKeyDictionary()
_AGREE: weakref.WeakKeyDictionary[object, dict[tuple[int, int, str], np.ndarray]] = weakref.WeakKeyDictionary()


def genre_shares(table: object) -> np.ndarray | None:
    """Each track's share in each genre label of the loaded catalog: ``(table.n, G)`` float32, rows summing to 1
    (0 for a track without a genre label), cached per table and ``table.version``. ``None`` when fewer than two
    genre labels exist (no scene to choose)."""
    version, n = getattr(table, "version"), getattr(table, "n")
    hit = _CACHE.get(table)
    if hit is not None and hit[0] == version and hit[1] == n:
        return hit[2] if hit[2].shape[1] else None
    lids = [lid for (kind, _), lid in table.label_index.items()  # type: ignore[attr-defined]
            if kind == "genre" and table.label_tracks.get(lid)]  # type: ignore[attr-defined]
    out = np.zeros((n, len(lids) if len(lids) >= 2 else 0), dtype=np.float32)
    if out.shape[1]:
        for j, lid in enumerate(lids):
            pos = np.fromiter(table.label_tracks[lid], dtype=np.int64)  # type: ignore[attr-defined]
            out[pos[pos < n], j] = 1.0
        total = out.sum(1, keepdims=True)
        np.divide(out, total, out=out, where=total > 0)
    _CACHE[table] = (version, n, out)
    return out if out.shape[1] else None


def is_sad(query: TextQuery) -> bool:
    """True when the request's target is a sad sound: valence at most :data:`SAD_VALENCE` and energy (if set) at most
    :data:`SAD_ENERGY`. A dark but driving target ("dark techno", high energy) is not sad."""
    valence, energy = query.target.get("valence"), query.target.get("energy")
    return valence is not None and valence <= SAD_VALENCE and (energy is None or energy <= SAD_ENERGY)


def wants_scene_focus(query: TextQuery) -> bool:
    """True when a request names a feel only: no genre/subgenre label it prefers, no style, artist or language.

    A sad request gets no focus (:func:`is_sad`): the catalog's low-valence tracks are led by r&b, and the focus
    filled "sad songs" / "heartbreak songs" with r&b love ballads ("If I Ain't Got You", "I Swear"); a listener's sad
    list crosses genres (songwriter pop, piano ballads, slow indie, sad r&b, a rock ballad). Measured on 14 sad
    requests in five languages (three distinct lists: the languages share one concept) the leading genre held 0.90
    of each list with the focus, r&b; without it, and with the sad target of data/text_concepts.json, 0.35, with
    valence 0.25 -> 0.20, energy 0.43 -> 0.34, acousticness 0.42 -> 0.61, tempo 130 -> 116 BPM. A blind grade of 26 mood lists had already
    scored sad lists lower with the focus than without. A sad request with a label named outright
    (:data:`NAMED_LABEL`) keeps the focus: there the scene is the one the words asked for.
    """
    if query.artists or query.title_language or query.language or query.language_labels:
        return False
    if is_sad(query) and not any(w >= NAMED_LABEL for w in query.labels.values()):
        return False
    if any(w > 0 for w in query.styles.values()):
        return False
    return not any(w > 0 and key.partition(":")[0] in ("genre", "subgenre") for key, w in query.labels.items())


#: A request's feature weights below this came from the labels its words matched (an era's playlists: "90s"), not
#: from a mood or activity it named: data/text_concepts.json weights a named feel at 0.2 or more on some feature.
FEEL_WEIGHT = 0.2
#: In an era-only list (:func:`is_era_only`), one genre fills at most this share of the list; a genre foreign to the
#: request's language (:func:`genre_agreement`) at most :data:`ERA_FOREIGN_SHARE`.
ERA_GENRE_SHARE = 0.3
ERA_FOREIGN_SHARE = 0.2
#: Ranked candidates an era-only list is picked from, per place in the list (:func:`spread_genres`).
ERA_POOL_PER_PLACE = 6


def is_era_only(query: TextQuery) -> bool:
    """True when a request names an era and nothing else: "songs from the 90s", "80s music", "2000s hits",
    "canciones de los 80", "music from 2015" — a year bound, no feel (every feature weight below
    :data:`FEEL_WEIGHT`, but for a sung-tracks target: "…, only female singers"), no genre or subgenre label asked
    for, style, artist, language or stated number (a refused style may come with it: "90s songs but no rap").

    Such a request asks for the era's music, which crosses genres. Ranked by the era's matched playlists (most of the
    catalog's "90s" playlists are hip hop) and focused on one scene, "songs from the 90s" was ten gangster rap
    tracks and "2000s hits" ten r&b / hip pop ones; these lists get a genre spread instead (:func:`spread_genres`).
    """
    f = query.filters
    if not (f.year_min or f.year_max) or f.genres or query.ranges:
        return False
    if query.artists or query.title_language or query.language or query.language_labels:
        return False
    if any(w > 0 for w in query.styles.values()):
        return False
    if any(w > 0 and key.partition(":")[0] in ("genre", "subgenre") for key, w in query.labels.items()):
        return False
    return all(w < FEEL_WEIGHT or _vocal(query, name) for name, w in query.weights.items())


#: A target instrumentalness at most this asks for sung tracks ("with vocals", "female singers" → vocal tracks): no
#: feel, and what nearly every well-known song already is.
VOCAL_AT_MOST = 0.1


def _vocal(query: TextQuery, name: str) -> bool:
    """A sung-tracks target the request's words set (a weight of a named word, not an era playlist's mean)."""
    return (name == "instrumentalness" and query.target.get(name, 1.0) <= VOCAL_AT_MOST
            and query.weights.get(name, 0.0) >= FEEL_WEIGHT)


def era_query(query: TextQuery) -> TextQuery:
    """The query an era-only request (:func:`is_era_only`) is ranked by: no feature target and no label but the
    refused ones ("90s songs but no rap") and a sung-tracks target ("…, only female singers": vocal tracks) — its
    other targets and labels came from the era's playlist names, not from its words, so popularity leads. Any other
    query is returned as it is."""
    if not is_era_only(query):
        return query
    vocal = [name for name in query.weights if _vocal(query, name)]
    return query.model_copy(update={
        "target": {name: query.target[name] for name in vocal},
        "weights": {name: query.weights[name] for name in vocal},
        "labels": {key: w for key, w in query.labels.items() if w < 0},
    })


def spread_genres(table: object, picked: list[int], scores: list[float], limit: int,
                  lang: str = "") -> tuple[list[int], list[float]]:
    """The first ``limit`` of ``picked`` (table positions, best first, with their ``scores``) with each genre
    holding at most :data:`ERA_GENRE_SHARE` of the list (a genre foreign to ``lang``, :data:`ERA_FOREIGN_SHARE`;
    at least one place each): a track of a full genre gives its place to the next track of another, and fills the
    list only when nothing else is left. A track counts in its largest genre share, in each one of a tie (Ice
    Cube's "It Was A Good Day", half rap and half r&b, counts in both); tracks without a genre are not capped.
    Unchanged (cut to ``limit``) on a catalog without genre labels.

    Returns:
        ``(positions, scores)`` of at most ``limit`` tracks, in ranking order with the held-back ones last.
    """
    shares = genre_shares(table)
    if shares is None:
        return picked[:limit], scores[:limit]
    agree = genre_agreement(table, lang) if lang else None
    cap = np.full(shares.shape[1], max(1, int(np.ceil(ERA_GENRE_SHARE * limit))), dtype=np.int64)
    if agree is not None and not (agree < FOREIGN_BELOW).all():
        cap[agree < FOREIGN_BELOW] = max(1, int(np.ceil(ERA_FOREIGN_SHARE * limit)))
    counts = np.zeros(shares.shape[1], dtype=np.int64)
    kept: list[tuple[int, float]] = []
    held: list[tuple[int, float]] = []
    for pos, score in zip(picked, scores):
        row = shares[pos] if pos < len(shares) else np.zeros(len(cap), dtype=np.float32)
        member = (row == row.max()) & (row > 0)  # its largest genre share, every one of a tie
        if (counts[member] >= cap[member]).any():
            held.append((pos, score))
            continue
        counts[member] += 1
        kept.append((pos, score))
        if len(kept) == limit:
            break
    kept += held[: limit - len(kept)]
    return [p for p, _ in kept], [s for _, s in kept]


def genre_agreement(table: object, lang: str) -> np.ndarray | None:
    """Per genre column of :func:`genre_shares`, the share of its tracks titled in ``lang``, a :data:`KINDRED`
    language or English, among its tracks whose title language is known
    (:func:`core.text.title_language.table_languages`): ``(G,)`` float32 in 0–1, 1 where none is known; None
    without genre shares. Cached per table, version and language."""
    shares = genre_shares(table)
    if shares is None:
        return None
    key = (getattr(table, "version"), shares.shape[0], lang)
    memo = _AGREE.setdefault(table, {})
    if key not in memo:
        track = table_languages(table).track[: shares.shape[0]]
        rows = shares[: len(track)]
        home = {lang, "en", *KINDRED.get(lang, ())}
        mine = np.isin(track, [i for i, code in enumerate(TITLE_LANGS) if code in home])
        n_known, n_mine = rows[track >= 0].sum(0), rows[mine].sum(0)
        memo.clear()
        memo[key] = np.where(n_known > 0, n_mine / np.maximum(n_known, 1e-9), 1.0).astype(np.float32)
    return memo[key]


def cap_foreign_lead(p: np.ndarray, agree: np.ndarray | None) -> np.ndarray:
    """The scene ``p`` (``(G,)`` pool shares) with each foreign genre (``agree`` below :data:`FOREIGN_BELOW`) held to
    the share of the request's own leading genre: a foreign genre may tie the lead, never take it alone.

    Why: the shipped catalog's upbeat, danceable tracks lean Latin, so the 40 best fits of "party songs" or
    "Partymusik aus den 2000ern" were Latin-led and the focus made the list 7–10 reggaeton tracks. Capped, Latin
    and the request's own lead (edm, pop, rap or r&b) share the full bonus and the audio fit decides between them:
    Latin stays a part of an English, German or French party list, not the whole. A Spanish or Portuguese request
    finds no foreign genre and keeps the lean. The cap never lowers a home genre and changes nothing when a home
    genre leads, so mood lists led by a home genre ("happy songs", a plain mid-energy request) rank as before — a
    multiplicative language weight (tried and reverted) made such a list all r&b. Unchanged when every genre, or
    none, is foreign.
    """
    if agree is None:
        return p
    home = agree >= FOREIGN_BELOW
    if home.all() or not home.any():
        return p
    return np.where(home, p, np.minimum(p, p[home].max()))


def scene_bonus(table: object, total: np.ndarray, cand: np.ndarray | None,
                weight: float | None = None, pool: int = SCENE_POOL, lang: str = "") -> np.ndarray | None:
    """The scene bonus of every candidate, ``(m,)`` float32 over ``cand`` (all positions when None), or None when
    the catalog has no genre labels to tell scenes apart.

    The scene is ``p = Σ sᵢ·gᵢ / Σ sᵢ`` over the ``pool`` best finite scores ``sᵢ`` (shifted to be positive) with
    ``gᵢ`` a track's genre shares; with the request's language ``lang`` (ISO 639-1; "" = none) a genre foreign to it
    is held to its own lead's share (:func:`cap_foreign_lead`). A candidate's bonus is ``weight × (g · p) / max(p)``:
    ``weight`` for a track wholly in the leading genre, less for the runners-up in proportion to their share.
    """
    shares = genre_shares(table)
    if shares is None or not len(total):
        return None
    rows = shares if cand is None else shares[cand]
    finite = np.isfinite(total)
    if not finite.any():
        return None
    k = min(pool, int(finite.sum()))
    scored = np.where(finite, total, -np.inf)
    top = np.argpartition(-scored, k - 1)[:k]
    s = scored[top]
    s = s - s.min() + 1e-3  # the pool's weakest still counts a little
    p = (s[:, None] * rows[top]).sum(0)
    if lang:
        p = cap_foreign_lead(p, genre_agreement(table, lang))
    if p.max() <= 0:
        return None
    weight = SCENE_WEIGHT if weight is None else weight
    return (rows @ (p / p.max())).astype(np.float32) * np.float32(weight)


def foreign_demotion(table: object, lang: str, cand: np.ndarray | None, picked: list[int],
                     limit: int) -> np.ndarray | None:
    """A score change over ``cand`` (``(m,)`` float32, all positions when None) that holds the tracks mostly in a
    genre foreign to ``lang`` (:func:`genre_agreement`) to :data:`FOREIGN_LIST_SHARE` of a ``limit``-track list:
    the first such tracks of ``picked`` (table positions, in list order) keep their place, every other foreign
    track loses :data:`FOREIGN_DEMOTION`. None when ``picked`` is within the share, or no genre is foreign.

    The cap on the scene (:func:`cap_foreign_lead`) lets Latin tie an English request's own lead; the audio fit then
    decided, and the catalog's danceable, upbeat tracks lean Latin: with the tie alone "party songs" and "party music
    from the 2000s" kept 6 Latin tracks of 10 (7 and 10 before any cap). Held to 4 of 10 (at least one in a shorter
    list), Latin is a part of the list and the rest is the pop, edm, rap or r&b the request's listeners expect
    (the 2000s list: OutKast, Eve, Timbaland, Three 6 Mafia beside Wisin & Yandel); a Spanish or Portuguese
    request has no foreign genre and is unchanged.
    """
    shares = genre_shares(table)
    agree = genre_agreement(table, lang) if lang and shares is not None else None
    if shares is None or agree is None or not picked:
        return None
    foreign_cols = agree < FOREIGN_BELOW
    if not foreign_cols.any() or foreign_cols.all():
        return None
    foreign = shares[:, foreign_cols].sum(1) >= 0.5
    cap = max(1, int(FOREIGN_LIST_SHARE * limit))
    mine = [p for p in picked if p < len(foreign) and foreign[p]]
    if len(mine) <= cap:
        return None
    rows = foreign if cand is None else foreign[cand]
    penalty = np.where(rows, -FOREIGN_DEMOTION, 0.0).astype(np.float32)
    kept = np.isin(np.arange(len(foreign)) if cand is None else cand, mine[:cap])
    penalty[kept] = 0.0
    return penalty


#: Score added to the tracks of a label named outright in a sad request (:func:`named_label_first`): as much as a
#: label match at its most (core.recommender: 0.6–1.0), so they lead over sad tracks of other scenes.
NAMED_FIRST = 1.0


def named_label_first(table: object, query: TextQuery, cand: np.ndarray | None) -> np.ndarray | None:
    """For a sad request (:func:`is_sad`) that names a label outright (weight ≥ :data:`NAMED_LABEL`), a bonus of
    :data:`NAMED_FIRST` over ``cand`` (``(m,)`` float32; all positions when None) for that label's tracks; else None.

    The sad sound (soft, acoustic) is far from some scenes' sound: "música triste em português" names the playlist
    "Trapperz Brasil" (the catalog's Portuguese songs are Brazilian trap), and without this only 2 of its 10 tracks
    came from it (10 before the sad sound); the language asked for leads, the sound ranks within it.
    """
    if not is_sad(query):
        return None
    n = getattr(table, "n")
    hit = np.zeros(n, dtype=bool)
    for key, w in query.labels.items():
        kind, _, text = key.partition(":")
        lid = table.label_index.get((kind, text)) if w >= NAMED_LABEL else None  # type: ignore[attr-defined]
        if lid is not None:
            pos = np.fromiter(table.label_tracks.get(lid, ()), dtype=np.int64)  # type: ignore[attr-defined]
            hit[pos[pos < n]] = True
    if not hit.any():
        return None
    rows = hit if cand is None else hit[cand]
    return np.where(rows, NAMED_FIRST, 0.0).astype(np.float32)

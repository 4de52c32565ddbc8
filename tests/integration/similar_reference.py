"""Reference computation of similar tracks: the plain, unoptimised ranking and reasons as they were before the
latency work (commit 794168f, ``Recommender.similar`` / ``similar_scores`` / ``_select`` and
``core.explain.explain_similar``), written as straightforward functions over the table.

The audio term is written element by element (``audio="elementwise"``, the default): each track's squared feature
differences summed pairwise (:func:`pairwise_rows`), so a track's float does not depend on the other tracks — the
formula the product uses to score only the tracks that can still make the top. ``audio="blas"`` keeps the former
formula (BLAS distances of :meth:`core.index.FeatureIndex.distances`, mean over the references): the product must give
the same tracks and reasons with it, and the same scores to float tolerance (``test_similar_equivalence.py``).

It is the oracle of ``test_similar_equivalence.py``: the optimised :meth:`core.recommender.Recommender.similar` must
return the same positions, the same scores and the same reasons. It shares only read-only pieces with the product
(the table's columns and original years, the KNN index's distances, the artist graph's sparse matrix, the one reason
formatter ``format_reason``) — every cache, shortcut and vectorised step of the product is re-done here the slow way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from core.artist_graph import TOP_NEIGHBOURS, ArtistGraph
from core.catalog import normalize_text
from core.credits import credited_positions
from core.explain import (
    _COLS,
    _LABEL_RANK,
    _MODE,
    _NOTABLE_LIST,
    _SPREAD_LIST,
    ERA_WITHIN,
    MAX_FACTS,
    REASON_FEATURES,
    RELATED_MIN,
    SEPARATOR,
    Fact,
    format_reason,
)
from core.models import Filters
from core.recommender import Recommender
from core.table import FEATURE_INDEX
from core.text.styles import style_affinity


def neighbours(graph: ArtistGraph, aid: int) -> tuple[np.ndarray, np.ndarray]:
    """The graph's strongest relations of ``aid`` computed from its matrix (no cache)."""
    m = graph.matrix
    if aid >= m.shape[0] or m.indptr[aid] == m.indptr[aid + 1]:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    row = (m[aid] @ m.T).tocsr()
    ids, vals = row.indices.astype(np.int64), row.data.astype(np.float32)
    keep = ids != aid
    ids, vals = ids[keep], vals[keep]
    if len(ids) > TOP_NEIGHBOURS:
        top = np.argpartition(-vals, TOP_NEIGHBOURS - 1)[:TOP_NEIGHBOURS]
        ids, vals = ids[top], vals[top]
    order = np.argsort(-vals, kind="stable")
    return ids[order], vals[order]


def _positions(tracks: Iterable[int]) -> np.ndarray:
    return np.fromiter(tracks, dtype=np.int64)


def candidates(rec: Recommender, refs: Sequence[int]) -> np.ndarray | None:
    """None (every position) for an exact index; for IVF the scanned lists plus the references' artists' tracks
    and their non-genre labels' tracks."""
    if rec.index.centroids is None:
        return None
    t = rec.table
    featured = [r for r in refs if t.has_features[r]]
    parts = [rec.index.candidate_positions(rec.index.vectors[featured].mean(0))] if featured else []
    for r in refs:
        parts.extend(_positions(t.artist_tracks.get(a, ())) for a in t.artist_ids[r])
        parts.extend(_positions(t.label_tracks.get(lid, ())) for lid in t.labels[r] if t.label_names[lid][0] != "genre")
    return np.unique(np.concatenate(parts))


def pairwise_rows(rows: Sequence[np.ndarray]) -> np.ndarray:
    """Sum of equal-length float32 rows, added pairwise: row i plus row h+i (h = half the count), an odd last row
    onto the first, until one is left."""
    rows = list(rows)
    while len(rows) > 1:
        h = len(rows) // 2
        nxt = [rows[i] + rows[h + i] for i in range(h)]
        if len(rows) % 2:
            nxt[0] = nxt[0] + rows[2 * h]
        rows = nxt
    return rows[0]


def audio_elementwise(rec: Recommender, featured: list[int], view) -> np.ndarray:
    """``Σ_r exp(-|x - x_r|² / tau_audio)`` of every track in ``view``: per feature (scaled, the KNN index's vectors)
    the squared difference, summed over features by :func:`pairwise_rows`, scaled, ``exp``; summed over the
    references in their order."""
    n = rec.table.n
    x = rec.index.vectors[:n][view]  # (m, d)
    total = None
    for r in featured:
        q = rec.index.vectors[r]
        rows = [(x[:, j] - q[j]) * (x[:, j] - q[j]) for j in range(x.shape[1])]
        e = np.exp(pairwise_rows(rows) * np.float32(-1.0 / rec.params.tau_audio))
        total = e if total is None else total + e
    return total


def intensity(rec: Recommender, featured: list[int], view) -> np.ndarray:
    """``1 - exp(-(max(0, g - tol) / scale)²)`` of every track in ``view``, float32, with the intensity gap ``g =
    Δenergy + Δacousticness / 2 + Δloudness / 20``, each Δ the distance outside the references' range, in float32
    (0 for a track without audio features)."""
    cols = [FEATURE_INDEX["energy"], FEATURE_INDEX["acousticness"], FEATURE_INDEX["loudness"]]
    weights = [1.0, 0.5, 0.05]
    f = rec.table.features[: rec.table.n][view]
    x = [(f[:, c] * w).astype(np.float32) for c, w in zip(cols, weights)]
    q = [(rec.table.features[featured][:, c] * w).astype(np.float32) for c, w in zip(cols, weights)]
    d = [np.maximum(np.maximum(q[j].min() - x[j], x[j] - q[j].max()), np.float32(0.0)) for j in range(3)]
    g = np.maximum(d[0] + d[1] + d[2] - np.float32(rec.params.intensity_tol), np.float32(0.0))
    g = g * np.float32(1.0 / rec.params.intensity_scale)
    g = np.float32(1.0) - np.exp(-(g * g))
    return np.where(np.isnan(g), np.float32(0.0), g).astype(np.float32)


def scores(rec: Recommender, refs: Sequence[int], cand: np.ndarray | None = None, audio: str = "elementwise") -> np.ndarray:
    """Float32 similar-track scores of every position (``cand`` None) or of the positions ``cand``.

    ``audio + (era + popularity + style)``, then every sparse term (related artists, the style affinity of a catalog
    without labels, artists, labels), each first written into a dense ``(n,)`` increment (``inc[positions] =
    value``) and then added to the running total term by term, in the product's order.
    """
    t, p = rec.table, rec.params
    n = t.n
    view = slice(None) if cand is None else cand
    refs = list(refs)
    inv = 1.0 / len(refs)
    featured = [r for r in refs if t.has_features[r]]
    if featured and audio == "blas":  # the former formula
        d = rec.index.distances(rec.index.vectors[featured], cand)
        np.multiply(d, -1.0 / p.tau_audio, out=d)
        np.exp(d, out=d)
        total = d[0] if len(featured) == 1 else d.mean(0)
        total *= p.audio * len(featured) * inv
        if p.intensity:
            total -= intensity(rec, featured, view) * np.float32(p.intensity)
        total *= t.has_features[:n][view]
    elif featured:
        total = audio_elementwise(rec, featured, view) * np.float32(p.audio * inv)
        if p.intensity:  # minus the intensity penalty, before tracks without features are zeroed
            total -= intensity(rec, featured, view) * np.float32(p.intensity)
        total *= t.has_features[:n][view]
    else:
        total = np.zeros(n if cand is None else len(cand), dtype=np.float32)
    # era, popularity and style: one sum added to the audio term (the former formula added them to it one by one)
    dense = total if audio == "blas" else np.zeros(n if cand is None else len(cand), dtype=np.float32)
    years = np.arange(1899, 2101, dtype=np.float32)
    gap = np.maximum(np.abs(years[:, None] - years[None, :]) - p.era_flat, 0.0)
    lut = np.exp(-((gap / max(p.era_tau, 1e-6)) ** 2)).astype(np.float32)
    lut[0, :] = 0.5
    lut[:, 0] = 0.5
    y = t.original_years()[:n].astype(np.intp)
    slots = np.where((y >= 1900) & (y <= 2100), y - 1899, 0)
    for r in refs:
        affinity = (lut[slots[r]] * np.float32(p.year))[slots][view]
        dense += affinity if inv == 1.0 else affinity * inv
    if p.popularity:
        dense += (p.popularity / 100.0) * t.popularity[:n][view]
    if rec.style is not None:  # style term: the references' mean style vector against every candidate's
        cols = np.ascontiguousarray(rec.style.sync()[:n].T)
        q = (cols[:, refs[0]] if len(refs) == 1 else cols[:, refs].mean(1)) * np.float32(p.style)
        dense += q @ cols if cand is None else q @ cols[:, cand]
    if audio != "blas":
        total = total + dense

    def add(positions: np.ndarray, values: np.ndarray | float) -> None:
        inc = np.zeros(n, dtype=np.float32)
        inc[positions] = values
        total[...] += inc[view]

    sparse: dict[tuple[str, int], float] = {}
    for r in refs:
        for aid in t.artist_ids[r]:
            sparse[("a", aid)] = min(sparse.get(("a", aid), 0.0) + inv, 1.0)
        for lid in t.labels[r]:
            sparse[("l", lid)] = sparse.get(("l", lid), 0.0) + inv
        if p.related and t.artist_ids[r]:
            share = p.related * inv / len(t.artist_ids[r])
            for aid in t.artist_ids[r]:
                ids, rel = neighbours(rec.graph, aid)
                parts = [_positions(t.artist_tracks.get(int(b), ())) for b in ids]
                if parts:
                    # a track by two related artists gets one of the two relations (the last one written)
                    add(np.concatenate(parts), np.repeat(np.asarray(rel, np.float32), [len(x) for x in parts]) * share)
    if p.style and rec.STYLE_AFFINITY and not t.has_labels():  # no labels: the style model stands in for them
        affinity = style_affinity(t, refs, cand)
        if affinity is not None:
            total += rec.STYLE_AFFINITY * affinity
    for (kind, key), share in sparse.items():
        if kind == "a":
            add(_positions(t.artist_tracks.get(key, ())), np.float32(p.artist * share))
        else:
            pos = _positions(t.label_tracks.get(key, ()))
            w = p.kind_weights.get(t.label_names[key][0], 0.0)
            if w:
                add(pos, np.float32(p.labels * w * share / math.log2(2 + len(pos))))
    return total.astype(np.float32, copy=False)


def filter_mask(rec: Recommender, filters: Filters, n: int) -> np.ndarray | None:
    """Boolean mask of positions passing ``filters`` (None when no filter is set)."""
    if filters.is_empty():
        return None
    t = rec.table
    mask = t.alive[:n].copy()
    years = t.original_years()[:n]  # a song's original year (the earliest among its versions), not an album date
    if filters.year_min:
        mask &= years >= filters.year_min
        for p in range(n):  # a year known only from compilations / re-releases is no "newer than"
            same = [q for q in t.key_tracks.get(t.norm_keys[p], ()) if int(t.year[q]) == int(years[p])]
            if mask[p] and same and all(t.is_album_date_mark(q) for q in same):
                mask[p] = False
    if filters.year_max:  # and the version's own year, which the list shows
        own = t.year[:n]
        mask &= (years <= filters.year_max) & (years > 0) & ((own <= 0) | (own <= filters.year_max))
    tempo = t.features[:n, FEATURE_INDEX["tempo"]]
    if filters.tempo_min:
        mask &= tempo >= filters.tempo_min
    if filters.tempo_max:
        mask &= (tempo <= filters.tempo_max) & (tempo > 0)  # tempo 0 = no beat detected
    if filters.genres:
        wanted = {normalize_text(g) for g in filters.genres}
        keep = np.zeros(n, dtype=bool)
        for lid, (kind, label) in enumerate(t.label_names):
            if kind in ("genre", "subgenre") and normalize_text(label) in wanted:
                pos = _positions(t.label_tracks.get(lid, ()))
                keep[pos[pos < n]] = True
        mask &= keep
    for name in filters.exclude_artists:
        aid = t.artist_index.get(normalize_text(name))
        if aid is not None:
            pos = _positions(t.artist_tracks.get(aid, ()))
            mask[pos[pos < n]] = False
        for q in credited_positions(t, name):
            if q < n:
                mask[q] = False
    return mask


def select(
    rec: Recommender,
    total: np.ndarray,
    cand: np.ndarray | None,
    filters: Filters,
    exclude: set[int],
    exclude_keys: set[str],
    limit: int,
) -> tuple[list[int], list[float]]:
    """Greedy top-``limit`` over a full sort by (score desc, position asc): filters, exclusions, dedupe, cap."""
    t = rec.table
    n = t.n
    positions = np.arange(n) if cand is None else cand
    scores_ = np.where(t.alive[positions], total, -np.inf).astype(np.float32)
    mask = filter_mask(rec, filters, n)
    if mask is not None:
        scores_ = np.where(mask[positions], scores_, -np.inf)
    scores_[np.isin(positions, [e for e in exclude if 0 <= e < n])] = -np.inf
    order = np.argsort(-scores_, kind="stable")  # positions ascending within a view: ties go to the lower position
    picked: list[int] = []
    values: list[float] = []
    keys = set(exclude_keys)
    per_artist: dict[int, int] = {}
    for i in order.tolist():
        if not np.isfinite(scores_[i]) or len(picked) >= limit:
            break
        pos = int(positions[i])
        key = t.norm_keys[pos]
        if key in keys:
            continue
        aids = t.artist_ids[pos]
        if any(per_artist.get(a, 0) >= rec.params.per_artist for a in aids):
            continue
        picked.append(pos)
        values.append(float(scores_[i]))
        keys.add(key)
        for a in aids:
            per_artist[a] = per_artist.get(a, 0) + 1
    return picked, values


def _own(t, p: int) -> set[int]:
    """Track ``p``'s genre / subgenre labels that its artists' tracks (and it) carry most often, per kind."""
    mates = {p} | {q for a in t.artist_ids[p] for q in t.artist_tracks.get(a, ())}
    out: set[int] = set()
    for kind in ("genre", "subgenre"):
        tally: dict[int, int] = {}
        for q in mates:
            for lid in t.labels[q]:
                if t.label_names[lid][0] == kind:
                    tally[lid] = tally.get(lid, 0) + 1
        if tally:
            top = max(tally.values())
            out |= {lid for lid in t.labels[p] if tally.get(lid) == top}
    return out


def explain(rec: Recommender, refs: Sequence[int], picked: Sequence[int]) -> list[list[Fact]]:
    """Reasons for each pick, computed one pick at a time (the product's rules, no vectorisation, no cache)."""
    t = rec.table
    refs = list(refs)
    ref_artists = {a for r in refs for a in t.artist_ids[r]}
    # genre / subgenre labels count only where they are the track's own (its artists' most frequent of that kind)
    ref_labels = {lid for r in refs for lid in t.labels[r] if t.label_names[lid][0] == "playlist" or lid in _own(t, r)}
    ref_label_order = sorted(
        (lid for lid in ref_labels if t.label_names[lid][0] in _LABEL_RANK),
        key=lambda lid: (_LABEL_RANK[t.label_names[lid][0]], t.label_names[lid][1]),
    )
    years = t.original_years()
    ref_years = sorted({int(years[r]) for r in refs if years[r]})
    ref_rows = t.features[[r for r in refs if t.has_features[r]]].tolist()
    no_features = not ref_rows
    mean = [sum(row[c] for row in ref_rows) / len(ref_rows) if ref_rows else math.nan for c in _COLS]
    ref_mode = round(sum(row[_MODE] for row in ref_rows) / len(ref_rows)) if ref_rows else -1
    ref_names = {a: t.artists[r][j] for r in refs for j, a in enumerate(t.artist_ids[r])}
    maps = []
    for a in ref_artists:
        ids, rel = neighbours(rec.graph, a)
        maps.append((dict(zip(ids.tolist(), rel.tolist())), a))
    out: list[list[Fact]] = []
    for p in picked:
        facts: list[Fact] = [Fact("no_features")] if no_features else []
        aids = t.artist_ids[p]
        shared = [j for j, a in enumerate(aids) if a in ref_artists]
        if shared:
            facts.append(Fact("artist", "", None, None, t.artists[p][shared[0]]))
        else:
            rel, ra = 0.0, -1
            for m, ref_a in maps:
                for a in aids:
                    if m.get(a, 0.0) > rel:
                        rel, ra = m[a], ref_a
            if rel >= RELATED_MIN:
                facts.append(Fact("related_artist", "", round(rel, 3), None, ref_names[ra]))
        for lid in ref_label_order:
            if lid in t.labels[p] and (t.label_names[lid][0] == "playlist" or lid in _own(t, p)):
                kind, name = t.label_names[lid]
                facts.append(Fact("label", kind, None, None, name))
                break
        row = t.features[p].tolist()
        close = []
        for j, c in enumerate(_COLS):
            if row[c] >= _NOTABLE_LIST[j] and abs(row[c] - mean[j]) <= _SPREAD_LIST[j]:
                close.append((abs(row[c] - mean[j]) / _SPREAD_LIST[j], j))
        for _, j in sorted(close)[:2]:
            facts.append(Fact("feature", REASON_FEATURES[j], row[_COLS[j]], mean[j]))
        orig = int(years[p])
        year = int(t.year[p])
        if year and t.year_is_album_date(p):
            first = t.first_release_year(p)  # a trustworthy date only (no compilation's) is a "first release"
            facts.insert(min(len(facts), MAX_FACTS - 1), Fact("album_date", "", year, first if first and first < year else None))
        elif orig and ref_years and len(facts) < MAX_FACTS:
            orig = t.first_release_year(p) or year if orig < year else orig
            nearest = min(ref_years, key=lambda y: abs(y - orig))
            if abs(nearest - orig) <= ERA_WITHIN:
                facts.append(Fact("era", "", orig, nearest))
        if len(facts) < MAX_FACTS and row[_MODE] == row[_MODE] and round(row[_MODE]) == ref_mode:
            facts.append(Fact("feature", "mode", row[_MODE], float(ref_mode)))
        out.append(facts[:MAX_FACTS] or [Fact("sound")])
    return out


def words(facts: Sequence[Fact], max_facts: int = MAX_FACTS) -> str:
    """The reason line: each fact worded by ``format_reason``, repeats dropped, first ``max_facts`` joined."""
    shown: list[str] = []
    for f in facts:
        w = format_reason(f)
        if w and w not in shown:
            shown.append(w)
    return SEPARATOR.join(shown[:max_facts])


def similar(
    rec: Recommender,
    refs: Sequence[int],
    filters: Filters | None = None,
    exclude: Iterable[int] = (),
    limit: int | None = None,
    audio: str = "elementwise",
) -> list[tuple[int, float, str, list[Fact]]]:
    """``(position, 0–1 score, reason line, facts)`` of the top similar tracks, computed the plain way (``audio``:
    see :func:`scores`)."""
    filters = filters or Filters()
    cand = candidates(rec, refs)
    total = scores(rec, refs, cand, audio)
    exclude_keys = {rec.table.norm_keys[r] for r in refs}
    picked, values = select(rec, total, cand, filters, set(exclude) | set(refs), exclude_keys, limit or filters.limit)
    top = values[0] if values else 1.0
    facts = explain(rec, refs, picked)
    return [(pos, sc / top if top > 0 else 0.0, words(why), why) for pos, sc, why in zip(picked, values, facts)]

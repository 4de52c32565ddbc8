"""Offline evaluation: playlist continuation on held-out playlists, seed method vs product, in the same run.

Protocol (``musicbot eval``):

* Held-out playlists: a fixed 20 % of playlist ids, ``sha1(playlist_id) % 5 == 0`` — never used to fit or tune.
  Every label those playlists' rows carry (playlist name, genre, subgenre) is removed from the catalog copy the
  recommender sees, so a held-out playlist can only be recovered from audio features and metadata plus the *other*
  playlists its tracks also sit in.
* For each held-out playlist with at least 15 tracks: 5 references drawn with a per-playlist seeded RNG; the 10
  recommendations (references excluded) are scored against the rest of the playlist.
* Metrics: precision@10 (share of the 10 that are in the playlist); genre / subgenre agreement@10 (share of the 10
  whose *original* labels include the playlist's genre / subgenre); max tracks by one artist in a top 10.
* Radios (one seed, as a listener starts one): for each held-out case its first reference alone → 10 picks.
  *Same-year share* = share of picks by artists other than the seed's whose original year equals the seed's
  (:meth:`core.table.TrackTable.original_years`); baselines: the same share over the seed's real playlist-mates and
  over random tracks. *Genre agreement (labels hidden)* = share of picks carrying one of the seed's original genres,
  computed on a copy of the catalog with every label removed, so labels cannot leak into the score.
* The seed method: MinMax-scaled 10 features (key as a number, no mode), Euclidean NearestNeighbors fitted on
  request, query = mean of the references.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.models import Filters
from core.recommender import Recommender, ScoreParams
from core.table import FEATURE_INDEX, TrackTable

SEED_FEATURES = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
)


def fold_of(playlist_id: str) -> int:
    """Fold 0–4 of a playlist id (``sha1(id) % 5``); fold 0 is held out, folds 1–4 are for fitting and tuning."""
    return int(hashlib.sha1(playlist_id.encode()).hexdigest(), 16) % 5


def is_held_out(playlist_id: str) -> bool:
    """True for the fixed 20 % of playlist ids used only for evaluation (``sha1(id) % 5 == 0``)."""
    return fold_of(playlist_id) == 0


@dataclass
class PlaylistCase:
    """One evaluation case: references and the held-back rest, with the playlist's genre/subgenre."""

    playlist_id: str
    refs: list[int]
    truth: set[int]
    genre: str
    subgenre: str


@dataclass
class EvalResult:
    """Averages over the cases of one method."""

    method: str
    precision_at_10: float
    genre_agreement_at_10: float
    subgenre_agreement_at_10: float
    max_per_artist: int
    cases: int
    extra: dict[str, float] = field(default_factory=dict)


def build_cases(
    labels: Sequence[tuple[str, str, str, str]],
    table: TrackTable,
    held_out: bool = True,
    min_size: int = 15,
    folds: set[int] | None = None,
) -> list[PlaylistCase]:
    """Cases from the ORIGINAL labels ``(track_id, kind, label, source_id)``; ``held_out=False`` gives training
    ones; ``folds`` (e.g. ``{1}``) picks playlists by :func:`fold_of` instead."""
    members: dict[str, set[int]] = defaultdict(set)
    meta: dict[str, dict[str, str]] = defaultdict(dict)
    for track_id, kind, label, source in labels:
        if not source:
            continue
        if (fold_of(source) not in folds) if folds is not None else (is_held_out(source) != held_out):
            continue
        p = table.pos.get(track_id)
        if p is None:
            continue
        members[source].add(p)
        meta[source][kind] = label
    cases = []
    for source in sorted(members):
        tracks = sorted(members[source])
        if len(tracks) < min_size:
            continue
        rng = random.Random(source)
        refs = rng.sample(tracks, 5)
        cases.append(
            PlaylistCase(source, refs, set(tracks) - set(refs), meta[source].get("genre", ""), meta[source].get("subgenre", ""))
        )
    return cases


def original_label_sets(labels: Sequence[tuple[str, str, str, str]], table: TrackTable) -> dict[str, dict[int, set[str]]]:
    """``{"genre": {pos: {labels}}, "subgenre": {...}}`` from the original (unstripped) labels."""
    out: dict[str, dict[int, set[str]]] = {"genre": defaultdict(set), "subgenre": defaultdict(set)}
    for track_id, kind, label, _ in labels:
        if kind in out and track_id in table.pos:
            out[kind][table.pos[track_id]].add(label)
    return out


def score_method(
    name: str,
    cases: Sequence[PlaylistCase],
    recommend: Callable[[list[int]], list[int]],
    table: TrackTable,
    originals: dict[str, dict[int, set[str]]],
) -> EvalResult:
    """Run ``recommend(refs) -> positions`` on every case and average the metrics."""
    prec, gen, sub, max_artist = [], [], [], 0
    for case in cases:
        recs = recommend(case.refs)[:10]
        prec.append(len(set(recs) & case.truth) / 10)
        gen.append(sum(case.genre in originals["genre"].get(p, ()) for p in recs) / 10)
        sub.append(sum(case.subgenre in originals["subgenre"].get(p, ()) for p in recs) / 10)
        counts: dict[int, int] = defaultdict(int)
        for p in recs:
            for a in table.artist_ids[p][:1]:
                counts[a] += 1
        max_artist = max(max_artist, max(counts.values(), default=0))
    k = max(len(cases), 1)
    return EvalResult(name, sum(prec) / k, sum(gen) / k, sum(sub) / k, max_artist, len(cases))


def same_year_share(table: TrackTable, seed: int, picks: Sequence[int]) -> tuple[int, int]:
    """``(same, counted)``: picks by artists other than the seed's, with a known original year, and how many of
    them share the seed's original year (0, 0 when the seed's year is unknown)."""
    years = table.original_years()
    y = int(years[seed])
    if not y:
        return 0, 0
    seed_artists = set(table.artist_ids[seed])
    same = counted = 0
    for p in picks:
        if seed_artists & set(table.artist_ids[p]) or not years[p]:
            continue
        counted += 1
        same += int(years[p]) == y
    return same, counted


def radio_metrics(
    name: str,
    cases: Sequence[PlaylistCase],
    recommend: Callable[[list[int]], list[int]],
    table: TrackTable,
    originals: dict[str, dict[int, set[str]]],
) -> dict[str, float]:
    """One-seed radios (each case's first reference): same-year share of other artists' picks, genre agreement
    with the seed's original genres, and the max tracks by one artist in a radio's top 10."""
    same = counted = 0
    agree: list[float] = []
    max_artist = 0
    for case in cases:
        seed = case.refs[0]
        picks = recommend([seed])[:10]
        s, c = same_year_share(table, seed, picks)
        same, counted = same + s, counted + c
        genres = originals["genre"].get(seed, set())
        agree.append(sum(bool(genres & originals["genre"].get(p, set())) for p in picks) / 10)
        counts: dict[int, int] = defaultdict(int)
        for p in picks:
            for a in table.artist_ids[p][:1]:
                counts[a] += 1
        max_artist = max(max_artist, max(counts.values(), default=0))
    return {
        f"{name}same_year_share": same / counted if counted else 0.0,
        f"{name}genre_agreement": float(np.mean(agree)) if agree else 0.0,
        f"{name}max_per_artist": float(max_artist),
    }


def year_baselines(cases: Sequence[PlaylistCase], table: TrackTable, seed: int = 7) -> dict[str, float]:
    """Same-year share, as in :func:`radio_metrics`, of the seeds' real playlist-mates and of random tracks."""
    rng = random.Random(seed)
    live = table.alive_positions().tolist()
    real = [0, 0]
    rand = [0, 0]
    for case in cases:
        s, c = same_year_share(table, case.refs[0], sorted(case.truth))
        real[0], real[1] = real[0] + s, real[1] + c
        s, c = same_year_share(table, case.refs[0], rng.sample(live, 50))
        rand[0], rand[1] = rand[0] + s, rand[1] + c
    return {
        "real_playlists_same_year_share": real[0] / real[1] if real[1] else 0.0,
        "random_pairs_same_year_share": rand[0] / rand[1] if rand[1] else 0.0,
    }


class SeedMethod:
    """The seed design: MinMax-scaled 10 features, Euclidean KNN refit per request on the mean of references."""

    def __init__(self, table: TrackTable) -> None:
        self.table = table
        cols = [FEATURE_INDEX[f] for f in SEED_FEATURES]
        x = table.features[: table.n][:, cols].astype(np.float64)
        lo, hi = x.min(0), x.max(0)
        self.x = (x - lo) / np.where(hi > lo, hi - lo, 1)

    def recommend(self, refs: list[int], k: int = 10, refit: bool = False) -> list[int]:
        """Positions of the ``k`` nearest tracks to the mean of ``refs`` (``refit`` = fit sklearn per call)."""
        from sklearn.neighbors import NearestNeighbors

        query = self.x[refs].mean(0, keepdims=True)
        if refit:
            nn = NearestNeighbors(n_neighbors=k + len(refs)).fit(self.x)
            idx = nn.kneighbors(query, return_distance=False)[0]
        else:
            d = ((self.x - query) ** 2).sum(1)
            idx = np.argsort(d)[: k + len(refs) + 10]
        ref_set = set(refs)
        return [int(i) for i in idx if int(i) not in ref_set and self.table.alive[i]][:k]


def evaluate(
    table: TrackTable,
    original_labels: Sequence[tuple[str, str, str, str]],
    params: ScoreParams | None = None,
    held_out: bool = True,
    hidden: TrackTable | None = None,
    folds: set[int] | None = None,
    bare: TrackTable | None = None,
    extra_methods: dict[str, ScoreParams] | None = None,
) -> list[EvalResult]:
    """Compare the seed method, audio-only and the product on the held-out (or training / ``folds``) playlists.

    ``table`` must already have the cases' labels stripped (``musicbot eval`` strips every held-out playlist's).
    ``hidden`` is the same catalog with its genre and subgenre labels removed (playlist memberships kept, held-out
    ones stripped) and ``bare`` the catalog with no labels at all: when given, each method's one-seed radios are
    also run on them (``extra["hidden_genre_agreement"]``, ``extra["bare_genre_agreement"]``), so the genre labels
    scored cannot leak into the ranking. ``extra_methods`` adds rows for other weights (named).
    Radio figures go to ``extra`` (see :func:`radio_metrics`).
    """
    cases = build_cases(original_labels, table, held_out=held_out, folds=folds)
    originals = original_label_sets(original_labels, table)
    methods: list[tuple[str, ScoreParams | None]] = [
        ("seed (MinMax, mean of refs)", None),
        ("audio features only", ScoreParams(artist=0, related=0, year=0, labels=0, popularity=0, style=0)),
        *((extra_methods or {}).items()),
        ("product", params or ScoreParams()),
    ]
    results = []
    for name, p in methods:
        fns = []
        for tab in (table, hidden, bare):
            if tab is None:
                fns.append(None)
            elif p is None:
                fns.append(SeedMethod(tab).recommend)
            else:
                rec = Recommender(tab, p)

                def run(refs: list[int], rec: Recommender = rec) -> list[int]:
                    return [s.pos for s in rec.similar(refs, Filters(limit=10), with_reasons=False)]

                fns.append(run)
        result = score_method(name, cases, fns[0], table, originals)
        result.extra.update(radio_metrics("", cases, fns[0], table, originals))
        if fns[1] is not None and hidden is not None:
            result.extra.update(radio_metrics("hidden_", cases, fns[1], hidden, originals))
        if fns[2] is not None and bare is not None:
            result.extra.update(radio_metrics("bare_", cases, fns[2], bare, originals))
        results.append(result)
    return results

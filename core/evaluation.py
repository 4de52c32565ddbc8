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


def is_held_out(playlist_id: str) -> bool:
    """True for the fixed 20 % of playlist ids used only for evaluation (``sha1(id) % 5 == 0``)."""
    return int(hashlib.sha1(playlist_id.encode()).hexdigest(), 16) % 5 == 0


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
    labels: Sequence[tuple[str, str, str, str]], table: TrackTable, held_out: bool = True, min_size: int = 15
) -> list[PlaylistCase]:
    """Cases from the ORIGINAL labels ``(track_id, kind, label, source_id)``; ``held_out=False`` gives training ones."""
    members: dict[str, set[int]] = defaultdict(set)
    meta: dict[str, dict[str, str]] = defaultdict(dict)
    for track_id, kind, label, source in labels:
        if not source or is_held_out(source) != held_out:
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
) -> list[EvalResult]:
    """Compare the seed method, audio-only and the product on the held-out (or training) playlists.

    ``table`` must already have the held-out labels stripped (see :func:`core.engine` eval helpers).
    """
    cases = build_cases(original_labels, table, held_out=held_out)
    originals = original_label_sets(original_labels, table)
    seed = SeedMethod(table)
    rec = Recommender(table, params)
    audio_only = Recommender(table, ScoreParams(artist=0, year=0, labels=0, popularity=0), index=None)

    def product(refs: list[int]) -> list[int]:
        return [s.pos for s in rec.similar(refs, Filters(limit=10), with_reasons=False)]

    def audio(refs: list[int]) -> list[int]:
        return [s.pos for s in audio_only.similar(refs, Filters(limit=10), with_reasons=False)]

    return [
        score_method("seed (MinMax, mean of refs)", cases, seed.recommend, table, originals),
        score_method("audio features only", cases, audio, table, originals),
        score_method("product", cases, product, table, originals),
    ]

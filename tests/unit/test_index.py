"""KNN index: exact search equals brute force, IVF recall, incremental add/update/remove, save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.features import DIMS, FeatureSpace
from core.index import FeatureIndex


def brute(x: np.ndarray, q: np.ndarray, k: int, alive: np.ndarray | None = None) -> np.ndarray:
    d = ((x - q) ** 2).sum(1)
    if alive is not None:
        d = np.where(alive, d, np.inf)
    return np.argsort(d, kind="stable")[:k]


def test_exact_search_matches_brute_force() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5000, 12)).astype(np.float32)
    index = FeatureIndex().fit(x)
    for q in x[:20] + 0.01:
        pos, dist = index.search(q, k=10)
        assert list(pos) == list(brute(x, q, 10))
        assert np.all(np.diff(dist) >= -1e-5)


def test_weighted_search_ignores_zero_weight_dimensions() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2000, 12)).astype(np.float32)
    index = FeatureIndex().fit(x)
    w = np.zeros(12, dtype=np.float32)
    w[3] = 1.0
    q = np.zeros(12, dtype=np.float32)
    q[3] = 0.5
    pos, _ = index.search(q, k=5, dim_weights=w)
    assert list(pos) == list(np.argsort(np.abs(x[:, 3] - 0.5))[:5])


def test_incremental_add_update_remove_without_refit() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1000, 12)).astype(np.float32)
    index = FeatureIndex().fit(x)
    far = np.full(12, 50.0, dtype=np.float32)
    index.add(1000, far)  # new position beyond the fitted rows
    assert index.search(far, k=1)[0][0] == 1000
    index.add(5, far + 0.1)  # update in place
    assert set(index.search(far, k=2)[0]) == {1000, 5}
    index.remove(1000)
    assert index.search(far, k=1)[0][0] == 5
    pos, _ = index.search(far, k=3, exclude=np.array([5]))
    assert 5 not in pos and 1000 not in pos
    # growth past the initial capacity keeps earlier vectors
    for p in range(1001, 1700):
        index.add(p, x[p % 1000])
    assert index.search(x[7], k=1)[0][0] in (7, 1007)


def test_ivf_recall_and_incremental_add() -> None:
    rng = np.random.default_rng(4)
    centers = rng.normal(scale=4, size=(40, 12))
    x = (centers[rng.integers(0, 40, 30_000)] + rng.normal(size=(30_000, 12))).astype(np.float32)
    index = FeatureIndex(brute_max=10_000, candidates=3000).fit(x)
    assert index.centroids is not None
    recall = []
    for q in x[:50]:
        got = set(index.search(q, k=20)[0])
        recall.append(len(got & set(brute(x, q, 20))) / 20)
    assert np.mean(recall) >= 0.9
    new = x[0] + 0.001
    index.add(30_000, new)
    assert 30_000 in set(index.search(new, k=3)[0])


def test_save_and_load_roundtrip(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(500, 12)).astype(np.float32)
    index = FeatureIndex().fit(x)
    index.remove(3)
    path = tmp_path / "index.npz"
    index.save(path)
    loaded = FeatureIndex.load(path)
    for q in x[:10]:
        assert list(loaded.search(q, k=5)[0]) == list(index.search(q, k=5)[0])
    assert 3 not in loaded.search(x[3], k=5)[0]


def test_feature_space_treats_key_as_a_circle() -> None:
    raw = np.zeros((3, 11), dtype=np.float32)
    raw[:, 10] = 120.0  # tempo
    raw[0, 2], raw[1, 2], raw[2, 2] = 0, 11, 6  # C, B, F#
    space = FeatureSpace({"key": 1.0}).fit(np.vstack([raw, raw + 0.01]))
    v = space.transform(raw)
    k = [DIMS.index("key_cos"), DIMS.index("key_sin")]
    d_cb = np.linalg.norm(v[0, k] - v[1, k])
    d_cfs = np.linalg.norm(v[0, k] - v[2, k])
    assert d_cb < d_cfs / 3  # B is next to C; F# is opposite


def test_feature_space_uses_log_tempo() -> None:
    raw = np.zeros((3, 11), dtype=np.float32)
    raw[:, 10] = [60.0, 120.0, 240.0]
    space = FeatureSpace().fit(raw)
    t = DIMS.index("tempo")
    v = space.transform(raw)[:, t]
    assert abs((v[1] - v[0]) - (v[2] - v[1])) < 1e-4  # doubling is the same step at any tempo

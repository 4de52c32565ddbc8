"""Maximal marginal relevance re-ranking: relevant but mutually different picks (recommendations from a playlist)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def diversify(
    candidates: Sequence[int],
    relevance: Sequence[float],
    vectors: np.ndarray,
    limit: int,
    lam: float = 0.7,
    tau: float = 4.0,
) -> list[int]:
    """Maximal marginal relevance (Carbonell & Goldstein, SIGIR 1998) over candidate positions.

    Greedily picks ``argmax λ·rel(c) − (1−λ)·max_{s∈picked} sim(c, s)`` with ``rel`` scaled so the best
    candidate has 1 (``relevance[i]`` belongs to ``candidates[i]``) and ``sim = exp(−d²/τ)`` in the KNN feature space
    (``vectors``: ``(len(candidates), d)``; τ as :attr:`ScoreParams.tau_audio`). Returns up to ``limit`` candidates;
    the first is always the most relevant.
    """
    cand = list(candidates)
    if len(cand) <= 1 or limit <= 1:
        return cand[:limit]
    rel = np.asarray(relevance, dtype=np.float64)
    hi = float(rel.max())
    rel = rel / hi if hi > 0 else np.ones_like(rel)
    x = np.asarray(vectors, dtype=np.float64)
    sq = (x * x).sum(1)
    sim = np.exp(-np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0.0) / tau)
    picked = [int(np.argmax(rel))]
    max_sim = sim[picked[0]].copy()
    chosen = np.zeros(len(cand), dtype=bool)
    chosen[picked[0]] = True
    while len(picked) < min(limit, len(cand)):
        mmr = np.where(chosen, -np.inf, lam * rel - (1 - lam) * max_sim)
        i = int(np.argmax(mmr))
        picked.append(i)
        chosen[i] = True
        np.maximum(max_sim, sim[i], out=max_sim)
    return [cand[i] for i in picked]

"""The pruned similar-tracks ranking (:meth:`Recommender._similar_pruned`: sparse terms and selection only on the
tracks that can still make the top) is really taken for ordinary radios, and gives the very picks and scores of
scoring every track — also where it must fall back (filters that leave few tracks, pages, several references)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from core.catalog import Catalog
from core.models import Filters
from core.recommender import Recommender
from core.table import TrackTable


@pytest.fixture(scope="module")
def recs(shipped_db: Path) -> tuple[Recommender, Recommender]:
    async def load() -> TrackTable:
        catalog = await Catalog.open(shipped_db)
        try:
            return await TrackTable.load(catalog)
        finally:
            await catalog.close()

    table = asyncio.run(load())
    full = Recommender(table)
    full.PRUNE_ROUNDS = 0  # never prunes: scores every track, as before the pruning
    return Recommender(table), full


def test_pruned_ranking_is_taken_and_equals_scoring_everything(recs: tuple[Recommender, Recommender]) -> None:
    pruned, full = recs
    t = pruned.table
    rng = np.random.default_rng(99)
    calls: list[bool] = []
    select = pruned._select

    def spy(total, cand, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(cand is not None)
        return select(total, cand, *args, **kwargs)

    pruned._select = spy  # type: ignore[method-assign]
    scored: list[int] = []  # tracks whose audio term each round computed (-1: every track)
    audio = pruned._audio_term

    def audio_spy(refs, cand, *args):  # type: ignore[no-untyped-def]
        scored.append(-1 if cand is None else len(cand))
        return audio(refs, cand, *args)

    pruned._audio_term = audio_spy  # type: ignore[method-assign]
    early = 0
    rounds: list[int] = []
    for r in rng.choice(t.alive_positions(), size=40, replace=False).tolist():
        calls.clear()
        scored.clear()
        got, want = pruned.similar([r]), full.similar([r])
        assert [(s.pos, s.score, s.reason) for s in got] == [(s.pos, s.score, s.reason) for s in want], r
        early += bool(calls) and calls[-1]  # the last selection ran on the candidates: no fall-back
        if -1 not in scored:
            rounds.append(len(scored))
            assert sum(scored) * 4 <= t.n  # at most a quarter of the catalog got the audio term
    assert early >= 30  # ordinary one-song radios do not need every track
    assert 1 in rounds and 2 in rounds  # proven by the touched tracks alone, and after a second round
    year = int(t.year[int(rng.integers(t.n))]) or 2000
    cases = [
        dict(filters=Filters(year_min=year - 1, year_max=year + 1, limit=20)),
        dict(filters=Filters(tempo_min=200)),  # few tracks pass: the candidates cannot prove the list
        dict(limit=50),
        dict(exclude=list(range(0, t.n, 7))),
    ]
    for kw in cases:
        for r in rng.choice(t.alive_positions(), size=5, replace=False).tolist():
            got, want = pruned.similar([r], **kw), full.similar([r], **kw)
            assert [(s.pos, s.score) for s in got] == [(s.pos, s.score) for s in want], (r, kw)
    for _ in range(5):
        refs = rng.choice(t.alive_positions(), size=3, replace=False).tolist()
        got, want = pruned.similar(refs), full.similar(refs)
        assert [(s.pos, s.score) for s in got] == [(s.pos, s.score) for s in want], refs

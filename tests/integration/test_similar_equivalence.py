"""The optimised similar-tracks path returns exactly what the plain computation returns.

:mod:`tests.integration.similar_reference` re-does the ranking and the reasons the straightforward way (every
score term as a dense increment, a full stable sort, reasons one pick at a time, each fact worded by
``format_reason``). Over references drawn at random in the test (single songs, several songs, filters, exclusions,
pages), on the shipped catalog, on an edited copy (deleted tracks, tracks without audio features or labels), on a
copy without any label and through the IVF candidate view, :meth:`Recommender.similar` must give the same positions,
the same scores (equal floats), the same facts and the same reason lines.

The reference's audio term is written element by element, as the product's (the formula that lets the product score
only part of the catalog). Against the former formula (BLAS distances, ``audio="blas"``), kept in the reference, the
product must give the same tracks, facts and reason lines, and scores within float tolerance.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from core import artist_graph
from core.artist_graph import ArtistGraph
from core.catalog import Catalog
from core.explain import Fact, explain_similar, format_reasons
from core.index import FeatureIndex
from core.models import AUDIO_FEATURES, Filters, Track
from core.recommender import Recommender, tree_sum
from core.table import TrackTable
from core.text_eval import strip_labels_copy
from tests.integration import similar_reference as ref


def load_table(path: Path) -> TrackTable:
    async def load() -> TrackTable:
        catalog = await Catalog.open(path)
        try:
            return await TrackTable.load(catalog)
        finally:
            await catalog.close()

    return asyncio.run(load())


@pytest.fixture(scope="module")
def shipped(shipped_db: Path) -> Recommender:
    return Recommender(load_table(shipped_db))


def assert_same(rec: Recommender, refs: list[int], **kw: object) -> list[int]:
    """Compare the product and the reference for one request; returns the picked positions."""
    got = rec.similar(refs, **kw)
    want = ref.similar(rec, refs, **kw)
    assert [s.pos for s in got] == [w[0] for w in want], refs
    assert [s.score for s in got] == [w[1] for w in want], refs  # equal floats, not approximately equal
    assert [list(s.facts) for s in got] == [w[3] for w in want], refs
    assert [s.reason for s in got] == [w[2] for w in want], refs
    assert all(s.reason == format_reasons(s.facts) for s in got)
    assert len(got) == len(want)
    return [s.pos for s in got]


def assert_as_before(rec: Recommender, refs: list[int], **kw: object) -> None:
    """The product against the former formula (BLAS distances): same tracks and reasons, scores to float tolerance."""
    got = rec.similar(refs, **kw)
    want = ref.similar(rec, refs, audio="blas", **kw)
    assert [s.pos for s in got] == [w[0] for w in want], refs
    assert [s.score for s in got] == pytest.approx([w[1] for w in want], rel=1e-5, abs=1e-6), refs
    assert [list(s.facts) for s in got] == [w[3] for w in want], refs
    assert [s.reason for s in got] == [w[2] for w in want], refs


def pick_refs(rng: np.random.Generator, table: TrackTable, k: int) -> list[int]:
    return [int(p) for p in rng.choice(table.alive_positions(), size=k, replace=False)]


def test_single_song_radios_match_the_reference(shipped: Recommender) -> None:
    rng = np.random.default_rng(2026)
    for r in pick_refs(rng, shipped.table, 50):
        assert len(assert_same(shipped, [r])) == 10


def test_radios_of_several_songs_match_the_reference(shipped: Recommender) -> None:
    rng = np.random.default_rng(7)
    t = shipped.table
    for _ in range(12):
        assert_same(shipped, pick_refs(rng, t, int(rng.integers(2, 6))))
    for _ in range(4):  # several songs by one artist: the artist term saturates at 1
        a = t.artist_ids[pick_refs(rng, t, 1)[0]][0]
        songs = sorted(t.artist_tracks[a])[:3]
        assert_same(shipped, songs)


def test_filters_exclusions_pages_and_limits_match_the_reference(shipped: Recommender) -> None:
    rng = np.random.default_rng(11)
    t = shipped.table
    for r in pick_refs(rng, t, 12):
        year = int(t.year[r]) or 2000
        genres = t.label_strings(r, "genre")
        assert_same(shipped, [r], filters=Filters(year_min=year - 5, year_max=year + 5, limit=15))
        if genres:
            assert_same(shipped, [r], filters=Filters(genres=genres[:1], tempo_min=80, tempo_max=160))
        first = assert_same(shipped, [r])
        neighbour = t.artists[first[0]][0]
        assert_same(shipped, [r], filters=Filters(exclude_artists=[neighbour], limit=25))
        assert_same(shipped, [r], exclude=first, limit=int(rng.integers(1, 50)))  # the next page


def test_edited_catalog_matches_the_reference(shipped_db: Path) -> None:
    """Deleted tracks (tombstones), tracks without audio features, tracks without labels, references among them."""
    table = load_table(shipped_db)
    rec = Recommender(table)
    rng = np.random.default_rng(5)
    for p in pick_refs(rng, table, 300):
        table.delete(table.ids[p])
        rec.on_delete(p)
    new: list[int] = []
    for i, p in enumerate(pick_refs(rng, table, 40)):
        tr = table.track(p)
        data = tr.model_dump()
        data["track_id"] = f"Z{i:021d}"
        if i % 2 == 0:  # no audio features (e.g. a recent Exportify export)
            data.update({f: None for f in AUDIO_FEATURES})
        if i % 3 == 0:  # no labels
            data.update(genres=[], subgenres=[], playlists=[])
        q = table.upsert(Track(**data))
        rec.on_upsert(q)
        new.append(q)
    for r in new[:20] + pick_refs(rng, table, 20):
        assert_same(rec, [r])
    assert_same(rec, new[:4:2])  # only featureless references: no audio term, "no audio features" first
    assert_same(rec, new[:3] + pick_refs(rng, table, 2))


def test_ivf_candidate_view_matches_the_reference(shipped_db: Path) -> None:
    """The candidate view the IVF regime uses above 150k tracks, forced on the shipped catalog."""
    rec = Recommender(load_table(shipped_db), index=FeatureIndex(brute_max=1000, candidates=4000))
    assert rec.index.centroids is not None
    rng = np.random.default_rng(3)
    for r in pick_refs(rng, rec.table, 15):
        assert_same(rec, [r])
    for _ in range(4):
        assert_same(rec, pick_refs(rng, rec.table, 3), filters=Filters(limit=20))


def test_explain_similar_keeps_its_own_contract(shipped: Recommender) -> None:
    """The public ``explain_similar`` (used outside the recommender) gives the reference facts for any picks."""
    rng = np.random.default_rng(17)
    t = shipped.table
    for _ in range(10):
        refs = pick_refs(rng, t, int(rng.integers(1, 4)))
        picks = pick_refs(rng, t, 20)
        assert explain_similar(t, refs, picks, shipped.graph) == ref.explain(shipped, refs, picks)


def test_artist_neighbours_are_the_sparse_products_rows(
    shipped: Recommender, shipped_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """:meth:`ArtistGraph.neighbours` (its row from SciPy's product kernel called on the stored arrays, or from the
    public product when that kernel is missing) gives SciPy's ``matrix[a] @ matrix.T`` top on the shipped catalog
    (the 300 artists with most contexts and 1,500 drawn at random; all 10,677 agreed when checked once) and on a copy
    with tracks deleted and added: the same artists in the same order (ties included) and the same float32
    relations."""
    rng = np.random.default_rng(41)
    for kernel in (artist_graph._kernel, None):
        monkeypatch.setattr(artist_graph, "_kernel", kernel)
        graph = ArtistGraph(shipped.table)  # fresh: nothing cached by the other tests
        n_artists = graph.matrix.shape[0]
        widest = np.argsort(-np.diff(graph.matrix.indptr), kind="stable")[:300]
        for a in widest.tolist() + rng.choice(n_artists, size=1500 if kernel else 300, replace=False).tolist():
            ids, rel = graph.neighbours(a)
            want_ids, want_rel = ref.neighbours(graph, a)
            assert ids.tolist() == want_ids.tolist(), a
            assert rel.tolist() == want_rel.tolist(), a  # equal floats
            assert (ids.dtype, rel.dtype) == (want_ids.dtype, want_rel.dtype)
    monkeypatch.undo()
    table = load_table(shipped_db)
    for p in pick_refs(rng, table, 500):
        table.delete(table.ids[p])
    for i, p in enumerate(pick_refs(rng, table, 30)):  # an artist on a new playlist with the tracks of others
        data = table.track(p).model_dump()
        data.update(track_id=f"N{i:021d}", playlists=["a new playlist"])
        table.upsert(Track(**data))
    edited = ArtistGraph(table)
    for a in rng.choice(edited.matrix.shape[0], size=500, replace=False).tolist() + [edited.matrix.shape[0] + 3]:
        ids, rel = edited.neighbours(a)
        want_ids, want_rel = ref.neighbours(edited, a)
        assert (ids.tolist(), rel.tolist()) == (want_ids.tolist(), want_rel.tolist()), a


def test_the_benchmark_radios_match_the_reference(shipped_db: Path) -> None:
    """The 200 seeds ``musicbot bench`` times (drawn as it draws them), each asked cold (nothing cached for that seed
    yet) and again warm: the same picks, floats and reasons as the reference both times."""
    rec = Recommender(load_table(shipped_db))
    rng = np.random.default_rng(0)
    seeds = [int(p) for p in rng.choice(rec.table.alive_positions(), size=200, replace=False)]
    for r in seeds + seeds[::7]:
        assert len(assert_same(rec, [r])) == 10


def test_top_indices_is_a_stable_sort_prefix() -> None:
    """The pool of best scores equals the first ``pool`` of a stable sort (ties in index order), with many ties,
    excluded (-inf) scores, and a sample that misleads (a filter leaving few finite scores)."""
    rng = np.random.default_rng(23)
    for trial in range(300):
        m = int(rng.integers(1, 40_000))
        scores = rng.integers(0, int(rng.integers(1, 50)), size=m).astype(np.float32) / 7  # few distinct values
        if trial % 3 == 0:
            scores[rng.random(m) < rng.random()] = -np.inf
        pool = int(rng.integers(1, 500))
        want = np.argsort(-scores, kind="stable")[:pool]
        want = want[np.isfinite(scores[want])]
        assert Recommender._top_indices(scores, pool).tolist() == want.tolist(), (m, pool)


@pytest.fixture(scope="module")
def stripped(shipped_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Recommender:
    """The shipped catalog copied without any genre, subgenre or playlist label."""
    target = tmp_path_factory.mktemp("stripped") / "stripped.db"
    asyncio.run(strip_labels_copy(shipped_db, target))
    rec = Recommender(load_table(target))
    assert not rec.table.has_labels()
    return rec


def test_label_stripped_catalog_matches_the_reference(stripped: Recommender) -> None:
    """Without labels the style model's affinity stands in for them (and the related-artist term is 0)."""
    rng = np.random.default_rng(31)
    t = stripped.table
    for r in pick_refs(rng, t, 20):
        assert len(assert_same(stripped, [r])) == 10
    for _ in range(6):
        assert_same(stripped, pick_refs(rng, t, int(rng.integers(2, 5))))
    for r in pick_refs(rng, t, 6):
        year = int(t.year[r]) or 2000
        assert_same(stripped, [r], filters=Filters(year_min=year - 4, year_max=year + 4, tempo_min=70, limit=20))


def test_the_same_radios_as_the_former_formula(shipped: Recommender, stripped: Recommender) -> None:
    """The audio term's element-by-element formula rounds differently from the former BLAS distances (last bits):
    radios keep their tracks and reasons, single and several songs, with filters, pages, with and without labels."""
    rng = np.random.default_rng(2027)
    for rec in (shipped, stripped):
        t = rec.table
        for r in pick_refs(rng, t, 40 if rec is shipped else 15):
            assert_as_before(rec, [r])
        for _ in range(10 if rec is shipped else 4):
            assert_as_before(rec, pick_refs(rng, t, int(rng.integers(2, 6))))
        for r in pick_refs(rng, t, 6):
            year = int(t.year[r]) or 2000
            genres = t.label_strings(r, "genre")
            assert_as_before(rec, [r], filters=Filters(year_min=year - 5, year_max=year + 5, limit=15))
            if genres:
                assert_as_before(rec, [r], filters=Filters(genres=genres[:1], tempo_min=80, tempo_max=160))
            first = [s.pos for s in rec.similar([r])]
            assert_as_before(rec, [r], exclude=first, limit=20)


def test_tree_sum_gives_each_column_the_same_float_whatever_else_is_summed() -> None:
    """:func:`core.recommender.tree_sum` of any subset of columns equals those columns of the whole sum, float for
    float (what lets the pruned radio score part of the catalog), and the plain pairwise sum of the reference."""
    rng = np.random.default_rng(41)
    for k in (1, 2, 3, 5, 11, 12, 13):
        rows = (rng.standard_normal((k, 5000)) * 10).astype(np.float32) ** 2
        whole = tree_sum(rows)
        assert np.array_equal(whole, ref.pairwise_rows(list(rows)))
        for m in (1, 2, 3, 7, 8, 9, 31, 200, 4999):
            cols = np.sort(rng.choice(5000, size=m, replace=False))
            assert np.array_equal(tree_sum(np.ascontiguousarray(rows[:, cols])), whole[cols]), (k, m)


def test_a_radio_asked_again_words_its_picks_as_the_reference(shipped_db: Path) -> None:
    """The reasons a set of references keeps for its picks (core.explain.PICK_MEMO): a radio asked again, its pages
    past the memo's size and a radio after an edit of one of its picks give the reference's facts and lines; a caller
    changing its list of facts changes no later reply."""
    table = load_table(shipped_db)
    rec = Recommender(table)
    rng = np.random.default_rng(31)
    for r in pick_refs(rng, table, 8):
        first = assert_same(rec, [r])
        got = rec.similar([r])
        got[0].facts.append(Fact("sound"))  # the caller's own list
        got[1].facts.clear()
        assert_same(rec, [r])
        page = assert_same(rec, [r], exclude=first, limit=50)  # more picks than the memo keeps
        assert_same(rec, [r], exclude=first + page[:20], limit=50)
        assert_same(rec, [r])
    r = pick_refs(rng, table, 1)[0]
    pick = assert_same(rec, [r])[0]
    data = table.track(pick).model_dump()
    data["year"] = (data["year"] or 2000) - 30  # the pick's era fact changes (or goes)
    data["genres"], data["subgenres"] = [], []  # and its labels
    rec.on_upsert(table.upsert(Track(**data)))
    assert_same(rec, [r])

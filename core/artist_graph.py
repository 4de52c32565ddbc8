"""Artist relations learned from the loaded catalog: artists that share playlists and subgenres are related.

Each artist is a sparse vector over *contexts* — playlists (by source id, or by playlist label for tracks added
without a source) and subgenre labels — counting their tracks in each context, weighted by an IDF
``log(1 + n_artists / artists_in_context)`` (a context every artist shares says little; subgenre contexts count
:data:`SUBGENRE_WEIGHT` of a playlist) and L2-normalized. The
relation of two artists is the cosine of their vectors (0–1). This is the item–item co-occurrence idea of
collaborative filtering (e.g. implicit's ``ItemItemRecommender``), applied to artists and catalog contexts
instead of users.

The incidence matrix is built in one pass over the table's labels (~30 ms for the shipped catalog's 28k tracks);
an artist's neighbours are computed lazily (its row of ``matrix @ matrix.T``, see :meth:`ArtistGraph.neighbours`) and
cached until the table changes. A catalog without labels yields an empty graph: every relation is 0.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from core.table import TrackTable

try:  # the C kernel of SciPy's CSR × CSR product, called on one row (see ArtistGraph._row)
    from scipy.sparse import _sparsetools as _kernel
except ImportError:  # pragma: no cover - another SciPy layout: the public product
    _kernel = None

#: Neighbours kept per artist (the strongest relations; the long tail is noise from one shared playlist).
TOP_NEIGHBOURS = 25
#: Context kinds that relate artists (genres are too broad: 6 genres in the shipped catalog).
CONTEXT_KINDS = ("playlist", "subgenre")
#: Weight of a subgenre context's column relative to a playlist's (1.0). A subgenre is a broad context ("permanent
#: wave" holds Nirvana, U2 and Oasis; "hard rock" Nirvana and Poison), a playlist a listener's grouping: with both, the
#: playlists should decide. Alone (a catalog with subgenre labels and no playlists) the scale cancels in the cosine.
#: 0.3–0.5 read the same on training folds 1–4 with ``ScoreParams.related`` 2.0 (see there); 0.5 keeps "christmas
#: songs like Aretha Franklin" seasonal (tests/integration/test_listener_honesty.py), 0.3–0.4 lose it. 0 (playlists
#: only) leaves a catalog whose only labels are subgenres without relations.
SUBGENRE_WEIGHT = 0.5


class ArtistGraph:
    """Cosine relations between artists over shared playlists and subgenres.

    Args:
        table: the track table; the graph reflects ``table.version`` at construction.
    """

    def __init__(self, table: TrackTable) -> None:
        self.table = table
        self.version = table.version
        self._neighbours: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._maps: dict[int, dict[int, float]] = {}
        self.matrix = self._build()
        self._transposed = sparse.csr_matrix(self.matrix.T)  # converted once, not at every neighbours() call

    def _build(self) -> sparse.csr_matrix:
        t = self.table
        contexts: dict[object, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        subgenre_cols: set[int] = set()
        kinds = [k in CONTEXT_KINDS for k, _ in t.label_names]
        playlist_kind = [k == "playlist" for k, _ in t.label_names]
        for p in range(t.n):
            if not t.alive[p] or not t.artist_ids[p]:
                continue
            keys: list[object] = list(t.sources[p])
            for lid in t.labels[p]:
                if kinds[lid] and not (playlist_kind[lid] and t.sources[p]):
                    keys.append(lid)
            for key in keys:
                c = contexts.get(key)
                if c is None:
                    c = contexts[key] = len(contexts)
                    if isinstance(key, int) and t.label_names[key][0] == "subgenre":
                        subgenre_cols.add(c)
                for a in t.artist_ids[p]:
                    rows.append(a)
                    cols.append(c)
        n_artists = len(t.artist_names)
        if not rows:
            return sparse.csr_matrix((n_artists, 0), dtype=np.float32)
        m = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_artists, len(contexts)))
        m.sum_duplicates()
        m.data = np.log1p(m.data)  # damp artists with many tracks in one playlist
        df = np.asarray((m > 0).sum(0)).ravel()
        active = max(int((np.diff(m.indptr) > 0).sum()), 1)
        idf = np.log1p(active / np.maximum(df, 1)).astype(np.float32)
        if SUBGENRE_WEIGHT != 1.0 and subgenre_cols:
            idf[sorted(subgenre_cols)] *= np.float32(SUBGENRE_WEIGHT)
        m = m @ sparse.diags(idf)
        norms = np.sqrt(np.asarray(m.multiply(m).sum(1)).ravel())
        m = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ m
        return sparse.csr_matrix(m, dtype=np.float32)

    def neighbours(self, aid: int) -> tuple[np.ndarray, np.ndarray]:
        """``(artist_ids, relations)`` of the :data:`TOP_NEIGHBOURS` most related artists (self excluded),
        relations 0–1 (cosine), strongest first; empty arrays for an artist without contexts.

        Shapes: ``(k,)`` int64 and ``(k,)`` float32, ``k <= TOP_NEIGHBOURS``. Cached per artist (the graph is rebuilt
        when the table is reloaded). The row comes from :meth:`_row`; the top is chosen from it as before
        (``argpartition``, then a stable sort by relation), so ties keep the order they had.
        """
        cached = self._neighbours.get(aid)
        if cached is not None:
            return cached
        m = self.matrix
        if aid >= m.shape[0] or m.indptr[aid] == m.indptr[aid + 1]:
            out = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        else:
            ids, vals = self._row(aid)
            keep = ids != aid
            ids, vals = ids[keep], vals[keep]
            if len(ids) > TOP_NEIGHBOURS:
                top = np.argpartition(-vals, TOP_NEIGHBOURS - 1)[:TOP_NEIGHBOURS]
                ids, vals = ids[top], vals[top]
            order = np.argsort(-vals, kind="stable")
            out = (ids[order], vals[order])
        self._neighbours[aid] = out
        return out

    def _row(self, aid: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ``aid`` of ``matrix @ matrix.T`` as ``(artist ids int64, relations float32)``: the nonzero entries as
        SciPy's CSR × CSR product lists them (the former ``(matrix[aid] @ matrix.T).tocsr()``), same order, same floats.

        It calls the kernel that product runs (``csr_matmat_maxnnz`` + ``csr_matmat`` of ``scipy.sparse._sparsetools``)
        on the row's slice of the stored arrays, without building sparse matrix objects: ~30 µs instead of ~200 µs for
        an artist of a typical seed (~11 contexts, ~2,000 related artists) on the shipped catalog. The module is
        SciPy-internal: if it is missing or its signature changed, the row goes through the public product (same
        result, slower). ``tests/integration/test_similar_equivalence.py`` compares the top with the public product.
        """
        m, t = self.matrix, self._transposed
        lo, hi = int(m.indptr[aid]), int(m.indptr[aid + 1])
        n = m.shape[0]
        indices, data = m.indices[lo:hi], m.data[lo:hi]
        bounds = np.array([0, hi - lo], dtype=m.indptr.dtype)
        if _kernel is not None:
            try:
                nnz = _kernel.csr_matmat_maxnnz(1, n, bounds, indices, t.indptr, t.indices)
                out_ptr = np.empty(2, dtype=m.indptr.dtype)
                out_ids = np.empty(nnz, dtype=m.indptr.dtype)
                out_vals = np.empty(nnz, dtype=m.data.dtype)
                _kernel.csr_matmat(1, n, bounds, indices, data, t.indptr, t.indices, t.data, out_ptr, out_ids, out_vals)
                k = int(out_ptr[1])
                return out_ids[:k].astype(np.int64), out_vals[:k]
            except (AttributeError, TypeError, ValueError):  # another SciPy: the public product below
                pass
        row = sparse.csr_matrix((data, indices, bounds), shape=(1, m.shape[1])) @ t
        return row.indices.astype(np.int64), row.data.astype(np.float32)

    def neighbour_map(self, aid: int) -> dict[int, float]:
        """:meth:`neighbours` as a dict ``{artist_id: relation}`` (cached)."""
        cached = self._maps.get(aid)
        if cached is None:
            ids, rel = self.neighbours(aid)
            cached = self._maps[aid] = dict(zip(ids.tolist(), rel.tolist()))
        return cached

    def relation(self, a: int, b: int) -> float:
        """Cosine relation 0–1 of artists ``a`` and ``b`` (0 when either has no contexts)."""
        m = self.matrix
        if a >= m.shape[0] or b >= m.shape[0]:
            return 0.0
        return float(m[a].multiply(m[b]).sum())

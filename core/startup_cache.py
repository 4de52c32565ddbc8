"""On-disk start-up cache of the in-memory track table, keyed by the catalog version.

Building :class:`~core.table.TrackTable` from SQLite costs ~1 s on the shipped catalog (a Python loop over 28k rows
and 33k labels); reading it back from one uncompressed ``.npz`` file costs a few tens of ms. The file holds only
numpy arrays — the table's texts (ids, titles, artists, …) each as one NUL-joined UTF-8 text, split back in a few ms
(a JSON document of them took ~5× longer to decode) — and one small UTF-8 JSON document (stored as a ``uint8`` array),
and is read with ``allow_pickle=False``: no pickle, nothing executable.

Correctness: the file name carries :func:`core.cache_key.catalog_version` (read in the same SQLite read transaction
as the rows it describes) and a fingerprint of the code that builds the table (:data:`CODE_FILES`), so a cache is
served only for exactly the catalog and code it was written from; a changed catalog (an import, an admin edit, a
write from another process) or a changed table builder means a miss, a rebuild from SQLite and a new file. Files
are written to a temporary name and renamed (atomic); older files of the same database are removed. Any problem
reading or writing the cache is logged and the table is built from SQLite as before.

Location (:func:`cache_dir_for`): the user cache folder (``platformdirs.user_cache_dir("musicbot")/startup``), shared
by every database: files are named by content (catalog version + code), so copies of one catalog share one file;
the :data:`KEEP` most recently used files are kept. ``MUSICBOT_CACHE_DIR`` names another folder, ``MUSICBOT_CACHE=0``
turns the cache off; ``:memory:`` databases are never cached.

The fitted local text understanding (:class:`core.text.TextUnderstanding`: label profiles and indexes, label
embeddings, artist names, typo word lists) is cached beside the table it was fitted on (:func:`fit_text`), in a file
named after that table file, the text code and data and the embedding model: a changed catalog has another table file
and therefore another text file; a table changed in memory since it was loaded is fitted afresh.

PostgreSQL catalogs are cached too, keyed by :func:`core.cache_key.pg_catalog_version`; their reads span several
pooled connections, so the version is read before and after the build and the file is written only when both agree.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import logging
import os
import sys
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core.cache_key import catalog_version, is_pg_catalog, pg_catalog_version
from core.disk_memo import cache_root, fingerprint, memo_array
from core.table import TrackTable

log = logging.getLogger(__name__)

#: Bump when the file layout changes.
FORMAT = 3
#: Source files whose code decides the table's content (normalization, dedupe keys, labels): part of the key.
CODE_FILES = ("table.py", "catalog.py", "song_keys.py", "credits.py", "infra/sql_catalog.py", "startup_cache.py")
_ARRAYS = ("features", "known", "has_features", "year", "popularity", "alive")
#: Table files kept in the cache folder (least recently used removed first); ~8.5 MB each for the shipped catalog.
KEEP = 6
#: Each table loaded with a cache file -> (that file, the table's ``version`` then): what its fitted text model is
#: keyed by (:func:`fit_text`); a table changed since (``version`` moved on) has no cached text model.
_TABLE_FILES: weakref.WeakKeyDictionary[TrackTable, tuple[Path, int]] = weakref.WeakKeyDictionary()
#: Each table loaded with a cache file -> the catalog version it was read at (:func:`loaded_version`).
_LOADED_AT: weakref.WeakKeyDictionary[TrackTable, str] = weakref.WeakKeyDictionary()


def _code_fingerprint() -> str:
    digest = hashlib.sha1(f"{FORMAT}:{np.__version__}".encode())
    here = Path(__file__).resolve().parent
    for name in CODE_FILES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:10]


def cache_dir_for(db_path: str | Path) -> Path | None:
    """The folder holding the start-up caches for ``db_path`` (:func:`core.disk_memo.cache_root`: shared by every
    database, files are named by content), or None when caching is off or the database is in memory."""
    path = str(db_path)
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return None
    return cache_root()


def table_file(cache_dir: Path, version: str) -> Path:
    """The cache file of the table for catalog ``version`` (and the current code)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in version)
    return cache_dir / f"table-{safe}-{_code_fingerprint()}.npz"


# ---------------------------------------------------------------------------------------------------- (de)serialize
def _csr(rows: list[Any], dtype: Any = np.int32) -> tuple[np.ndarray, np.ndarray]:
    """Ragged rows (tuples of ints) -> ``(indptr, indices)``."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    flat = [v for r in rows for v in r]
    return indptr, np.asarray(flat, dtype=dtype)


def table_to_arrays(table: TrackTable, label_rows: list[tuple[str, str, str, str]]) -> dict[str, np.ndarray]:
    """A freshly loaded table (no tombstones) as named arrays for :func:`numpy.savez`.

    Args:
        table: the table :meth:`TrackTable.load` built.
        label_rows: the ``(track_id, kind, label, source_id)`` rows in the order that load read them
            (:meth:`core.catalog.Catalog.all_labels`): they are replayed in that order, so every set and dict of the
            rebuilt table is filled in the same order as the original and iterates alike.

    Raises:
        ValueError: the table has deleted positions (only a table straight from SQLite is cached).
    """
    n = table.n
    if len(table.pos) != n:
        raise ValueError("only a table without deleted positions can be cached")
    out: dict[str, np.ndarray] = {name: getattr(table, name)[:n] for name in _ARRAYS}
    out["orig_years"] = table.original_years()[:n]
    out["retro"] = np.asarray(sorted(table.retrospectives()), dtype=np.int64)  # ~40 ms a one-shot command saves
    out["artist_indptr"], out["artist_ids"] = _csr(table.artist_ids)
    sources = sorted({s for row in table.sources for s in row})
    code = {s: i + 1 for i, s in enumerate(sources)}  # 0 = no source
    replay = [
        (p, table.label_index[(kind, label)], code.get(source, 0))
        for track_id, kind, label, source in label_rows
        if (p := table.pos.get(track_id)) is not None
    ]
    rows = np.asarray(replay, dtype=np.int32).reshape(-1, 3)
    out["label_pos"], out["label_ids"], out["label_src"] = rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy()
    doc: dict[str, Any] = {
        "label_names": table.label_names, "source_names": sources, "version": table.version,
        "n_artists": len(table.artist_names),
    }
    for name in _STRING_LISTS:
        values = getattr(table, name)
        blob = _pack_strings(values)
        if blob is None:  # a text holding the separator (or not a str): this list goes in the JSON document
            doc[name] = values
        else:
            out[f"str_{name}"] = blob
    flat_artists = [a for names in table.artists for a in names]
    blob = _pack_strings(flat_artists)
    if blob is None:
        doc["artists"] = table.artists
    else:
        out["str_artists"] = blob
        out["artists_indptr"] = np.cumsum([0, *map(len, table.artists)], dtype=np.int64)
    if all(type(d) is int and _INT64_MIN <= d <= _INT64_MAX for d in table.durations):
        out["durations"] = np.asarray(table.durations, dtype=np.int64)
    else:
        doc["durations"] = table.durations
    out["doc"] = np.frombuffer(json.dumps(doc, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    return out


#: The table's lists of strings stored as one UTF-8 text each, joined by :data:`_SEP` (``artists``, a list of lists,
#: is stored flat with its row bounds): splitting one text is ~6× faster than decoding them from a JSON document.
_STRING_LISTS = ("ids", "titles", "albums", "release_dates", "norm_keys", "artist_names")
#: Separator of the packed strings: NUL, which catalog text does not hold (a list where one does goes in the JSON).
_SEP = "\x00"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _pack_strings(values: Sequence[Any]) -> np.ndarray | None:
    """``values`` (strings) as one UTF-8 text joined by :data:`_SEP`, as a ``uint8`` array; None when one of them is
    not a ``str`` or holds the separator (then it could not be split back exactly)."""
    if not all(type(v) is str and _SEP not in v for v in values):
        return None
    return np.frombuffer(_SEP.join(values).encode("utf-8"), dtype=np.uint8)


def _unpack_strings(blob: np.ndarray, count: int) -> list[str]:
    """The ``count`` strings :func:`_pack_strings` packed into ``blob``.

    Raises:
        ValueError: the blob does not hold ``count`` strings (a torn or foreign file)."""
    values = blob.tobytes().decode("utf-8").split(_SEP) if count else []
    if len(values) != count:
        raise ValueError(f"packed strings: {len(values)} found, {count} expected")
    return values


def _sets_by_position(pos: np.ndarray, values: Any, n: int) -> list[set[Any]]:
    """``[set of values at position p for p in range(n)]``, each set filled in the order the values come (``values``:
    an array or list aligned with ``pos``)."""
    order = np.argsort(pos, kind="stable")
    bounds = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pos, minlength=n)[:n], out=bounds[1:])
    ordered = values[order].tolist() if isinstance(values, np.ndarray) else [values[i] for i in order.tolist()]
    b = bounds.tolist()
    return [set(ordered[b[i] : b[i + 1]]) for i in range(n)]


def _sets_by_key(keys: np.ndarray, positions: np.ndarray) -> defaultdict[int, set[int]]:
    """``{key: set of positions}`` with keys in order of first occurrence and each set filled in the given order
    (what ``d[key].add(p)`` over the pairs gives)."""
    out: defaultdict[int, set[int]] = defaultdict(set)
    if not len(keys):
        return out
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(sorted_keys)]
    firsts = order[starts]  # the first occurrence of each key (stable sort)
    grouped = positions[order].tolist()
    uniq = sorted_keys[starts].tolist()
    s_list, e_list = starts.tolist(), ends.tolist()
    for g in np.argsort(firsts, kind="stable").tolist():
        out[uniq[g]] = set(grouped[s_list[g] : e_list[g]])
    return out


def _sources_by_position(source_names: list[str], label_pos: np.ndarray, label_src: np.ndarray, n: int) -> list[set[str]]:
    """:attr:`TrackTable.sources` of a cached table: per position, the set of its labels' playlist ids (interned: ~470
    ids shared by ~32k memberships), each set filled in the original order."""
    with _gc_paused():
        names = [""] + [sys.intern(s) for s in source_names]
        has_src = label_src > 0
        source_names = [names[i] for i in label_src[has_src].tolist()]
        return _sets_by_position(label_pos[has_src], source_names, n)


def table_from_arrays(data: Any) -> TrackTable:
    """Rebuild a :class:`TrackTable` equal to the one :func:`table_to_arrays` saved (indexes re-derived in the
    original insertion order)."""
    doc = json.loads(bytes(data["doc"]).decode("utf-8"))
    n = len(data["features"])
    for name in _STRING_LISTS:
        if name not in doc:
            doc[name] = _unpack_strings(data[f"str_{name}"], n if name != "artist_names" else int(doc["n_artists"]))
    if "artists" not in doc:
        bounds = data["artists_indptr"].tolist()
        flat = _unpack_strings(data["str_artists"], bounds[-1] if bounds else 0)
        doc["artists"] = [flat[bounds[i] : bounds[i + 1]] for i in range(n)]
    if "durations" not in doc:
        doc["durations"] = data["durations"].tolist()
    table = TrackTable(capacity=max(1024, int(n * 1.1)))
    for name in _ARRAYS:
        getattr(table, name)[:n] = data[name]
    table.n = n
    table.ids = ids = doc["ids"]
    table.pos = dict(zip(ids, range(n)))
    table.titles = doc["titles"]
    table.artists = doc["artists"]
    table.albums = doc["albums"]
    table.release_dates = doc["release_dates"]
    table.durations = doc["durations"]
    table.norm_keys = keys = doc["norm_keys"]
    table.artist_names = doc["artist_names"]
    table.artist_index = {name: i for i, name in enumerate(table.artist_names)}
    flat, bounds = data["artist_ids"].tolist(), data["artist_indptr"].tolist()
    table.artist_ids = [tuple(flat[bounds[i] : bounds[i + 1]]) for i in range(n)]
    table.label_names = [tuple(x) for x in doc["label_names"]]
    table.label_index = {key: i for i, key in enumerate(table.label_names)}
    # the indexes TrackTable.load fills one add at a time, rebuilt group by group (same insertion order: every set
    # and dict iterates as the original's; ~3x faster than replaying the adds)
    flat_artists = data["artist_ids"].astype(np.int64, copy=False)
    artist_pos = np.repeat(np.arange(n, dtype=np.int64), np.diff(data["artist_indptr"]))
    artist_tracks = _sets_by_key(flat_artists, artist_pos)
    key_tracks: defaultdict[str, set[int]] = defaultdict(set)
    for p, key in enumerate(keys):
        key_tracks[key].add(p)
    label_pos = data["label_pos"].astype(np.int64, copy=False)
    label_ids = data["label_ids"].astype(np.int64, copy=False)
    label_src = data["label_src"].astype(np.int64, copy=False)
    labels = _sets_by_position(label_pos, label_ids, n)
    label_tracks = _sets_by_key(label_ids, label_pos)
    table.labels, table.label_tracks = labels, label_tracks
    # the per-position playlist ids: built on first read (TrackTable.defer_sources), which most commands never do
    table.defer_sources(functools.partial(_sources_by_position, doc["source_names"], label_pos, label_src, n))
    table.artist_tracks, table.key_tracks = artist_tracks, key_tracks
    table.version = int(doc["version"])
    table._orig_years = np.asarray(data["orig_years"], dtype=table.year.dtype)
    table._orig_version = table.version
    table._orig_dirty = set()
    table._retro, table._retro_version = frozenset(data["retro"].tolist()), table.version
    return table


# ---------------------------------------------------------------------------------------------------- load / save
def _touch(path: Path) -> None:
    """Mark ``path`` recently used (kept by the clean-ups); a read-only folder is fine."""
    try:
        os.utime(path)
    except OSError:
        pass


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the table's ~300k lists, sets, tuples and dicts (no reference cycles)
    are created: each allocation burst would otherwise trigger collections that scan them again and again (measured:
    ~0.2 s of a one-shot command's open on this loaded machine, for nothing to free). Reference counting still frees
    memory meanwhile; the previous state is restored."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_table(path: Path) -> TrackTable | None:
    """The table cached in ``path``, or None when the file is missing or unreadable (logged)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data, _gc_paused():
            table = table_from_arrays(data)
        _touch(path)
        return table
    except Exception as exc:  # a torn or foreign file is a miss, never an error for the user
        log.warning("ignoring unreadable start-up cache %s (%s)", path, exc)
        return None


def write_table(path: Path, table: TrackTable, label_rows: list[tuple[str, str, str, str]]) -> bool:
    """Write ``table`` (``label_rows``: see :func:`table_to_arrays`) to ``path`` atomically (temporary file + rename)
    and keep only the :data:`KEEP` most recently used table files of the folder. Returns False (logged) when the
    folder is not writable or the table cannot be cached."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, **table_to_arrays(table, label_rows))
        os.replace(tmp, path)
        files = sorted(path.parent.glob("table-*.npz"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            if old != path:
                old.unlink(missing_ok=True)
        return True
    except (OSError, ValueError) as exc:
        log.warning("could not write the start-up cache %s (%s)", path, exc)
        try:
            tmp.unlink(missing_ok=True)  # type: ignore[possibly-undefined]
        except (OSError, NameError):
            pass
        return False


async def load_table(catalog: Any, cache_dir: Path | None) -> tuple[TrackTable, str]:
    """The catalog's track table: from the cache when it matches the catalog version, else built from SQLite (and
    cached for the next start).

    Args:
        catalog: an open :class:`core.catalog.Catalog`.
        cache_dir: :func:`cache_dir_for` of its path (None = no cache).

    Returns:
        ``(table, how)`` with ``how`` one of ``"cache"``, ``"built"`` (and written to the cache), ``"built-uncached"``.
    """
    if cache_dir is None:
        return await TrackTable.load(catalog), "built-uncached"
    if is_pg_catalog(catalog):
        return await _load_pg_table(catalog, cache_dir)
    db = catalog.db
    t0 = time.perf_counter()
    await db.execute("BEGIN")  # the version and the rows it describes come from one snapshot
    try:
        version = await catalog_version(db)
        path = table_file(cache_dir, version)
        table = read_table(path)
        if table is not None:
            log.debug("track table from %s in %.0f ms", path, 1000 * (time.perf_counter() - t0))
            return _keyed(table, path, version), "cache"
        table = await TrackTable.load(catalog)
        label_rows = await catalog.all_labels()  # same snapshot, same order as the load read them
    finally:
        await db.execute("COMMIT")
    return (_keyed(table, path, version), "built") if write_table(path, table, label_rows) else (table, "built-uncached")


def _keyed(table: TrackTable, path: Path, version: str) -> TrackTable:
    """Remember that ``table`` is exactly what the cache file ``path`` holds (for :func:`fit_text`), loaded at catalog
    ``version`` (:func:`loaded_version`)."""
    _TABLE_FILES[table] = (path, table.version)
    _LOADED_AT[table] = version
    return table


def loaded_version(table: TrackTable) -> str | None:
    """The catalog version (:func:`core.cache_key.version_of`) ``table`` was loaded at, when it was loaded through the
    start-up cache and has not changed in memory since; else None."""
    entry = _TABLE_FILES.get(table)
    if entry is None or entry[1] != table.version:
        return None
    return _LOADED_AT.get(table)


async def _load_pg_table(catalog: Any, cache_dir: Path) -> tuple[TrackTable, str]:
    """:func:`load_table` for a PostgreSQL catalog. Its reads use several pooled connections (no single snapshot),
    so the version is read before and after building: the table is cached only when both agree (a change landing
    meanwhile means no file, never a file named by a version it does not match). A failing version read is a miss."""
    try:
        version = await pg_catalog_version(catalog)
    except Exception as exc:  # noqa: BLE001 - the cache must never stop a start
        log.warning("no start-up cache for this PostgreSQL catalog (%s)", exc)
        return await TrackTable.load(catalog), "built-uncached"
    path = table_file(cache_dir, version)
    table = read_table(path)
    if table is not None:
        return _keyed(table, path, version), "cache"
    table = await TrackTable.load(catalog)
    label_rows = await catalog.all_labels()
    if await pg_catalog_version(catalog) != version:  # changed while loading: serve it, cache nothing
        return table, "built-uncached"
    return (_keyed(table, path, version), "built") if write_table(path, table, label_rows) else (table, "built-uncached")


def table_memo(table: TrackTable, kind: str, code: Sequence[Path], compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()`` — an array derived from ``table`` alone by the code in the files ``code`` — read back from disk
    (:func:`core.disk_memo.memo_array`) when ``table`` is exactly what a start-up cache file holds (so the catalog
    version names it, as for :func:`fit_text`); a table changed since it was loaded, or not cached at all, is computed
    afresh every time. The key digests the table file's name and the code files' bytes: a changed catalog or changed
    code is a miss, never a stale result.

    Args:
        table: the live table ``compute`` reads.
        kind: the memo file kind (a short name, e.g. ``"seasonal"``).
        code: the source files whose code decides the result.
        compute: builds the array (no arguments).

    Returns:
        The array (as ``compute`` returned it, or as stored: ``.npy`` without pickle)."""
    entry = _TABLE_FILES.get(table)
    if entry is None or entry[1] != table.version:
        return compute()
    key = hashlib.sha1(f"{entry[0].stem}|{fingerprint(code)}".encode()).hexdigest()[:24]
    return memo_array(kind, key, compute)


# ---------------------------------------------------------------------------------------------------- text model
#: What the fitted text understanding depends on besides the catalog: its code and the shipped vocabulary files.
TEXT_DATA = ("text_concepts.json", "text_profiles.json", "text_moods.json")


@lru_cache(maxsize=1)
def _text_fingerprint() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha1(f"{FORMAT}:{np.__version__}".encode())
    for path in sorted((here / "text").glob("*.py")) + [here.parent / "data" / name for name in TEXT_DATA]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def text_file(table: TrackTable, embedder: Any) -> Path | None:
    """The cache file of the text model fitted on ``table`` with ``embedder``: next to the table's own cache file and
    named after it (so after the catalog version and the table code), the text code and data
    (:data:`TEXT_DATA`) and the embedder's model files; None when ``table`` came from no cache file or has changed
    since it was loaded (``table.version``)."""
    entry = _TABLE_FILES.get(table)
    if entry is None or entry[1] != table.version:
        return None
    path, _ = entry
    model = hashlib.sha1(str(getattr(embedder, "_identity", type(embedder).__name__)).encode()).hexdigest()[:8]
    return path.with_name(f"text-{path.stem.removeprefix('table-')}-{_text_fingerprint()}-{model}.npz")


def fit_text(text: Any, table: TrackTable) -> Any:
    """Fit the local text understanding ``text`` (:class:`core.text.TextUnderstanding`) on ``table``: restored from
    the start-up cache when a file for exactly this table exists (:func:`text_file`; ~25 ms instead of the ~150 ms
    fit under load on the shipped catalog), else fitted and written there for the next start. Any problem with the
    file is logged and the model fitted as without a cache. Returns ``text``."""
    path = text_file(table, text.embedder)
    if path is not None and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data, _gc_paused():
                doc = json.loads(bytes(data["doc"]).decode("utf-8"))
                text.load_fit(table, doc, {k: data[k] for k in data.files if k != "doc"})
            _touch(path)
            return text
        except Exception as exc:  # a torn or foreign file is a miss, never an error for the user
            log.warning("ignoring unreadable text-model cache %s (%s)", path, exc)
    text.fit(table)
    if path is not None:
        _write_text(path, text)
    return text


def _write_text(path: Path, text: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        doc, arrays = text.export_fit()
        blob = np.frombuffer(json.dumps(doc, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        with open(tmp, "wb") as fh:
            np.savez(fh, doc=blob, **arrays)
        os.replace(tmp, path)
        files = sorted(path.parent.glob("text-*.npz"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, ValueError, TypeError) as exc:
        log.warning("could not write the text-model cache %s (%s)", path, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass

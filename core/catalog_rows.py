"""What both catalog backends share: the track row shape, the import's counting loop and keep-rules, and the
backend-neutral methods (seed, import, require). SQL dialect code stays in each backend:
:class:`core.catalog.Catalog` (SQLite) and :class:`core.infra.pg_catalog.PgCatalog` (PostgreSQL) both build on this
module and neither imports the other.

Row shape: a ``SELECT`` of :data:`TRACK_COLS` — ``track_id, title, artists`` (a JSON list), ``album, release_date,
year, popularity, duration_ms`` and the eleven audio features (``None`` where unknown) — becomes a
:class:`~core.models.Track` with :func:`row_to_track`; a parsed CSV row (:class:`~core.catalog_io.TrackRow`) becomes
the upsert's parameters with :func:`row_params` (same order as :data:`UPSERT_COLUMNS`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.catalog_io import MAX_DECOMPRESSED_BYTES, RowError, TrackRow, open_catalog_csv
from core.errors import InvalidInput, SongNotFound
from core.models import AUDIO_FEATURES, Track

SHIPPED_CATALOG = Path(__file__).resolve().parent.parent / "data" / "spotify_songs.csv.gz"

FEATURE_COLS = ", ".join(AUDIO_FEATURES)
#: The columns every track read selects, in :func:`row_to_track` order (``id`` is appended where the table is built).
TRACK_COLS = "track_id, title, artists, album, release_date, year, popularity, duration_ms, " + FEATURE_COLS
#: The columns an upsert writes, in :func:`row_params` order (``artist_display`` is the artists joined by ", ").
UPSERT_COLUMNS: tuple[str, ...] = ("track_id", "title", "artists", "artist_display", "album", "release_date", "year",
                                   "popularity", "duration_ms", *AUDIO_FEATURES)


def normalize_text(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: ``"Beyoncé!"`` -> ``"beyonce"``."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.lower()).strip()


_NON_WORD = re.compile(r"[^\w]+")


@dataclass(slots=True)
class ImportReport:
    """Outcome of a seed or import: counts, the skipped rows (row number + reason) and the detected layout."""

    layout: str
    rows_read: int = 0
    tracks_upserted: int = 0
    labels_added: int = 0
    replaced: bool = False
    errors: list[RowError] = field(default_factory=list)
    #: distinct tracks imported with all eleven audio features / with some or none of them
    with_features: int = 0
    without_features: int = 0
    #: all skipped rows (``errors`` keeps only the first :data:`MAX_KEPT_ERRORS`)
    rows_skipped: int = 0
    #: how the file was read: layout, dialect, column mapping (:meth:`core.catalog_io.CsvSource.describe`)
    details: list[str] = field(default_factory=list)
    decimal_comma: bool = False
    #: later rows whose track id was already read with another title or artists (the first row is kept)
    conflicting_duplicates: int = 0

    def summary(self) -> str:
        """One line, e.g. ``"3 rows: 2 tracks (1 with audio features, 1 without), 1 row skipped"``."""
        rows = f"{self.rows_read:,} row{'s' if self.rows_read != 1 else ''}"
        text = f"{rows}: {self.tracks_upserted:,} track{'s' if self.tracks_upserted != 1 else ''} "
        text += f"({self.with_features:,} with audio features, {self.without_features:,} without)"
        if self.rows_skipped:
            text += f", {self.rows_skipped:,} row{'s' if self.rows_skipped != 1 else ''} skipped"
        if self.conflicting_duplicates:
            n = self.conflicting_duplicates
            text += f", {n:,} repeated track id{'s' if n != 1 else ''} with another title or artist (first row kept)"
        return text


#: Skipped rows kept with their reason in a report (the count is always exact): bounds memory on a bad 1 GB file.
MAX_KEPT_ERRORS = 1000

#: Rows per write batch of a bulk load (and labels per batch: 4x), for both backends.
BATCH_ROWS = 2000

ProgressFn = Callable[[int, int], None]


def tally_rows(rows: Iterator[TrackRow | RowError], report: ImportReport) -> Iterator[tuple[TrackRow, bool]]:
    """The import's one counting loop: count every row into ``report`` and yield ``(row, first)`` per valid row.

    ``first`` is True for the FIRST row of its track id (to be written as the track); a later row of the same track
    only adds its ``row.labels`` (``(kind, label, source_id)`` triples). A later row with the same id but another title or
    artists counts as a conflicting duplicate (the first row is kept). Skipped rows are counted, the first
    :data:`MAX_KEPT_ERRORS` kept with their reason, and yield nothing. Memory: ~120 bytes per distinct id.
    """
    seen: dict[str, int] = {}  # id -> hash of title + artists
    for item in rows:
        report.rows_read += 1
        if isinstance(item, RowError):
            report.rows_skipped += 1
            if len(report.errors) < MAX_KEPT_ERRORS:
                report.errors.append(item)
            continue
        who = hash((item.title, tuple(item.artists)))
        first = seen.get(item.track_id)
        if first is not None and first != who:  # same id, another song: say so, keep the first
            report.conflicting_duplicates += 1
        if first is None:
            seen[item.track_id] = who
            report.tracks_upserted += 1
            if item.has_features:
                report.with_features += 1
            else:
                report.without_features += 1
        yield item, first is None


def require_some_rows(report: ImportReport, name: str) -> None:
    """Raise when a file had no valid track row.

    Raises:
        InvalidInput: ``report`` counted no track; the message names the file and the first three skipped rows.
    """
    if report.tracks_upserted:
        return
    shown = "; ".join(f"row {e.row}: {e.reason}" for e in report.errors[:3])
    raise InvalidInput(
        f"{name or 'The file'} has no valid track row"
        + (f" ({shown}{'…' if report.rows_skipped > 3 else ''})" if shown else "")
        + "; the catalog was left unchanged."
    )


def row_params(row: TrackRow) -> tuple[Any, ...]:
    """The upsert parameters of one parsed row, in :data:`UPSERT_COLUMNS` order (artists as a JSON list)."""
    return (
        row.track_id,
        row.title,
        json.dumps(row.artists, ensure_ascii=False),
        ", ".join(row.artists),
        row.album,
        row.release_date,
        row.year,
        row.popularity,
        row.duration_ms,
        *(row.features[f] for f in AUDIO_FEATURES),
    )


def track_to_row(track: Track) -> TrackRow:
    """The :class:`TrackRow` an admin write of ``track`` stores (labels are written separately, see
    :func:`track_labels`)."""
    return TrackRow(
        track_id=track.track_id,
        title=track.title,
        artists=track.artists,
        album=track.album,
        release_date=track.release_date,
        year=track.year,
        popularity=track.popularity,
        duration_ms=track.duration_ms,
        features={f: getattr(track, f) for f in AUDIO_FEATURES},
    )


def track_labels(track: Track) -> list[tuple[str, str]]:
    """``(kind, label)`` for every genre, subgenre and playlist label of ``track``, in that order."""
    return [
        (kind, label)
        for kind, values in (("genre", track.genres), ("subgenre", track.subgenres), ("playlist", track.playlists))
        for label in values
    ]


#: The import's upsert: a missing value in the file (empty cell, ``NA``, ``null`` …) never erases what the catalog
#: already knows about a track — title, artists, album, dates, duration and audio features keep their stored values
#: (an admin edit, ``upsert_track``, still writes exactly what it is given). The SET clause of that upsert, the same
#: SQL on SQLite and PostgreSQL (both name the proposed row ``excluded``).
IMPORT_KEEP_SET = f"""    title=coalesce(nullif(excluded.title, ''), tracks.title),
    artists=CASE WHEN excluded.artists = '[]' THEN tracks.artists ELSE excluded.artists END,
    artist_display=CASE WHEN excluded.artists = '[]' THEN tracks.artist_display ELSE excluded.artist_display END,
    album=coalesce(nullif(excluded.album, ''), tracks.album),
    release_date=coalesce(nullif(excluded.release_date, ''), tracks.release_date),
    year=coalesce(excluded.year, tracks.year),
    popularity=CASE WHEN excluded.popularity = 0 THEN tracks.popularity ELSE excluded.popularity END,
    duration_ms=CASE WHEN excluded.duration_ms = 0 THEN tracks.duration_ms ELSE excluded.duration_ms END,
    {", ".join(f"{f}=coalesce(excluded.{f}, tracks.{f})" for f in AUDIO_FEATURES)}
"""
#: The admin upsert's SET clause: every column from the new row, except that an unknown audio feature never erases
#: a known one (a file without audio features, e.g. a recent Exportify export).
UPSERT_SET = ", ".join(
    [f"{c}=excluded.{c}" for c in UPSERT_COLUMNS[1:9]] + [f"{f}=coalesce(excluded.{f}, tracks.{f})" for f in AUDIO_FEATURES]
)


def row_to_track(row: Iterable[Any], labels: Iterable[tuple[str, str]] = ()) -> Track:
    """Build a :class:`Track` from a ``SELECT`` of :data:`TRACK_COLS` and ``(kind, label)`` pairs."""
    values = dict(zip(TRACK_COLS.split(", "), row, strict=True))
    grouped: dict[str, list[str]] = {"genre": [], "subgenre": [], "playlist": []}
    for kind, label in labels:
        if label not in grouped[kind]:
            grouped[kind].append(label)
    return Track(
        track_id=values["track_id"],
        title=values["title"] or "(untitled)",
        artists=json.loads(values["artists"]) or ["(unknown artist)"],
        album=values["album"],
        release_date=values["release_date"],
        year=values["year"],
        popularity=values["popularity"],
        duration_ms=values["duration_ms"],
        genres=grouped["genre"],
        subgenres=grouped["subgenre"],
        playlists=grouped["playlist"],
        **{f: values[f] for f in AUDIO_FEATURES},
    )


def stored_row(row: Iterable[Any]) -> TrackRow:
    """The :class:`TrackRow` of a stored track, exactly as stored (no labels): a ``SELECT`` of :data:`TRACK_COLS`
    (e.g. ``all_rows()`` without its trailing id) -> the row ``load_rows`` writes back, to copy a catalog."""
    values = dict(zip(TRACK_COLS.split(", "), row, strict=True))
    return TrackRow(
        track_id=values["track_id"],
        title=values["title"],
        artists=json.loads(values["artists"]),
        album=values["album"],
        release_date=values["release_date"],
        year=values["year"],
        popularity=values["popularity"],
        duration_ms=values["duration_ms"],
        features={f: values[f] for f in AUDIO_FEATURES},
    )


#: Track fields stored as columns, and the label kinds, that ``update_fields`` may change.
UPDATABLE_COLUMNS = frozenset(("title", "album", "release_date", "year", "popularity", "duration_ms", *AUDIO_FEATURES))
LABEL_FIELDS = {"genres": "genre", "subgenres": "subgenre", "playlists": "playlist"}


def split_update(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """``fields`` -> (column values to SET, label kind -> new labels); ``artists`` also sets ``artist_display``.

    Raises:
        InvalidInput: a field that is neither a column nor a label kind (``track_id`` cannot change).
    """
    columns: dict[str, Any] = {}
    labels: dict[str, list[str]] = {}
    for name, value in fields.items():
        if name == "artists":
            artists = [str(a) for a in value]
            columns["artists"] = json.dumps(artists, ensure_ascii=False)
            columns["artist_display"] = ", ".join(artists)
        elif name in UPDATABLE_COLUMNS:
            columns[name] = value
        elif name in LABEL_FIELDS:
            labels[LABEL_FIELDS[name]] = list(dict.fromkeys(str(v) for v in value))
        else:
            raise InvalidInput(f"Unknown or unchangeable field: {name}.", name)
    return columns, labels


class CatalogBase:
    """The catalog methods that need no SQL of their own: seeding, importing a file, ``require``. A backend
    subclass supplies ``get_meta``, ``get`` and ``load_rows`` (and the rest of the catalog port)."""

    async def get_meta(self, key: str) -> str | None:  # pragma: no cover - every backend overrides
        """Read one value from the ``meta`` table (None when absent)."""
        raise NotImplementedError

    async def get(self, track_id: str) -> Track | None:  # pragma: no cover - every backend overrides
        """The track with this Spotify id, with all its labels, or None."""
        raise NotImplementedError

    async def load_rows(self, rows: Iterator[TrackRow | RowError], report: ImportReport, **kw: Any) -> ImportReport:
        """Upsert rows in one transaction (the backend's bulk load)."""
        raise NotImplementedError

    async def is_seeded(self) -> bool:
        """True once a catalog (the shipped one or an imported replacement) has been committed."""
        return await self.get_meta("catalog_source") is not None

    async def import_file(
        self,
        path: Path,
        *,
        map_pairs: list[str] | None = None,
        replace: bool = False,
        progress: ProgressFn | None = None,
        source: str | None = None,
        max_decompressed: int = MAX_DECOMPRESSED_BYTES,
    ) -> ImportReport:
        """Import a CSV, streamed (see :mod:`core.catalog_io` for layouts and dialects). Re-importing upserts;
        ``replace`` swaps the catalog. ``report.details`` says how the file was read (layout, column mapping).

        Raises:
            ImportFailed: not UTF-8 / not CSV / no id column / bad mapping / gzip over ``max_decompressed`` bytes /
                broken quoting — nothing changed (even when found half-way: one transaction).
            InvalidInput: a file with no valid track row — nothing changed.
        """
        src = open_catalog_csv(path, map_pairs, max_decompressed)
        report = ImportReport(layout=src.layout, details=src.describe(), decimal_comma=bool(src.decimal_comma))
        is_seeded = await self.is_seeded()
        mark = source or (f"import:{path.name}" if (replace or not is_seeded) else None)
        try:
            return await self.load_rows(
                src.rows,
                report,
                replace=replace,
                source=mark,
                progress=progress,
                total=src.estimated_rows,
                require_rows=True,
                name=path.name,
            )
        finally:
            src.rows.close()  # closes the file even when the import stopped half-way

    async def seed(self, path: Path = SHIPPED_CATALOG, progress: ProgressFn | None = None) -> ImportReport | None:
        """Seed the shipped catalog unless a catalog was already committed (idempotent). Returns None if skipped."""
        if await self.is_seeded():
            return None
        return await self.import_file(path, progress=progress, source=f"shipped:{path.name}")

    async def require(self, track_id: str) -> Track:
        """Like :meth:`get` but raises :class:`SongNotFound` when absent."""
        track = await self.get(track_id)
        if track is None:
            raise SongNotFound(track_id)
        return track

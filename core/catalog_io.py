"""Reading catalog CSV files: layout detection, column mapping and row validation.

Three layouts are understood:

* ``shipped`` — the TidyTuesday 2020-01-21 "Song Genres" export (``spotify_songs.csv``; one row per
  track *and playlist*, so a track appears once per playlist that holds it).
* ``spotify-tracks`` — the widely used Hugging Face / Kaggle "Spotify Tracks Dataset"
  (``track_id, artists`` (";"-separated)``, album_name, track_name, ..., track_genre``).
* any other CSV through an explicit mapping ``{csv_column: field}`` (``musicbot import --map column=field``).

Rows are validated one by one; bad rows become :class:`RowError` (row number as in a spreadsheet, header = row 1)
and never stop the import. A file that is not UTF-8 or not a CSV raises :class:`~core.errors.ImportFailed`.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ImportFailed
from core.models import AUDIO_FEATURES, FEATURE_RANGES

_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")

#: Canonical fields a CSV column can be mapped to.
FIELDS: tuple[str, ...] = (
    "track_id",
    "title",
    "artists",
    "album",
    "release_date",
    "popularity",
    "duration_ms",
    "genre",
    "subgenre",
    "playlist_name",
    "playlist_id",
    *AUDIO_FEATURES,
)

SHIPPED_MAP: dict[str, str] = {
    "track_id": "track_id",
    "track_name": "title",
    "track_artist": "artists",
    "track_album_name": "album",
    "track_album_release_date": "release_date",
    "track_popularity": "popularity",
    "duration_ms": "duration_ms",
    "playlist_genre": "genre",
    "playlist_subgenre": "subgenre",
    "playlist_name": "playlist_name",
    "playlist_id": "playlist_id",
    **{f: f for f in AUDIO_FEATURES},
}

SPOTIFY_TRACKS_MAP: dict[str, str] = {
    "track_id": "track_id",
    "track_name": "title",
    "artists": "artists",
    "album_name": "album",
    "popularity": "popularity",
    "duration_ms": "duration_ms",
    "track_genre": "genre",
    **{f: f for f in AUDIO_FEATURES},
}

#: Column separating several artists in each layout.
ARTIST_SEPARATORS = {"shipped": None, "spotify-tracks": ";", "custom": ";"}


@dataclass(slots=True)
class TrackRow:
    """One validated CSV row: a track plus the labels this row gives it.

    ``labels`` holds ``(kind, label, source_id)`` with kind in ``genre | subgenre | playlist`` and source_id the
    playlist id the label came from ("" when the file has none).
    """

    track_id: str
    title: str
    artists: list[str]
    album: str
    release_date: str
    year: int | None
    popularity: int
    duration_ms: int
    features: dict[str, float]
    labels: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class RowError:
    """A skipped row: 1-based row number in the file (header is row 1) and why."""

    row: int
    reason: str


def detect_layout(header: list[str]) -> tuple[str, dict[str, str]]:
    """Pick the layout for a CSV header.

    Returns:
        ``(layout_name, {csv_column: field})``.

    Raises:
        ImportFailed: the header matches no known layout (the message lists the missing columns).
    """
    cols = set(header)
    if set(SHIPPED_MAP) <= cols:
        return "shipped", SHIPPED_MAP
    needed = set(SPOTIFY_TRACKS_MAP) - {"track_genre"}
    if needed <= cols:
        mapping = {k: v for k, v in SPOTIFY_TRACKS_MAP.items() if k in cols}
        return "spotify-tracks", mapping
    missing_a = sorted(set(SHIPPED_MAP) - cols)
    missing_b = sorted(needed - cols)
    best = missing_a if len(missing_a) <= len(missing_b) else missing_b
    raise ImportFailed(
        "This CSV matches no known catalog layout (missing columns: "
        + ", ".join(best[:8])
        + ("…" if len(best) > 8 else "")
        + "). Map your columns with --map column=field."
    )


def parse_mapping(pairs: list[str], header: list[str]) -> dict[str, str]:
    """Turn ``["col=field", ...]`` into a mapping, checking both sides.

    Raises:
        ImportFailed: unknown field, unknown column, malformed pair, or ``track_id`` not mapped.
    """
    mapping: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ImportFailed(f'Bad --map "{pair}": use column=field, e.g. --map "Song Name=title".')
        col, fld = (p.strip() for p in pair.split("=", 1))
        if fld not in FIELDS:
            raise ImportFailed(f'Unknown field "{fld}" in --map. Fields: {", ".join(FIELDS)}.')
        if col not in header:
            raise ImportFailed(f'Column "{col}" is not in the file. Columns: {", ".join(header[:20])}.')
        mapping[col] = fld
    # identity mapping for columns already named like fields
    for col in header:
        if col in FIELDS and col not in mapping and col not in mapping.values():
            mapping[col] = col
    if "track_id" not in mapping.values():
        raise ImportFailed("The mapping must give a track_id column (e.g. --map id=track_id).")
    return mapping


def open_text(path: Path) -> io.StringIO:
    """Read a whole CSV (plain or ``.gz``) as UTF-8 text.

    Raises:
        ImportFailed: the file is missing, unreadable, not gzip when named .gz, or not UTF-8.
    """
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise ImportFailed(f"File not found: {path}") from None
    except (OSError, EOFError) as exc:
        raise ImportFailed(f"Cannot read {path}: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV.") from None
    if "\x00" in text[:4096]:
        raise ImportFailed(f"{path.name} looks like a binary file, not a CSV.")
    return io.StringIO(text, newline="")


def _year(release_date: str) -> int | None:
    head = release_date[:4]
    if len(head) == 4 and head.isdigit():
        y = int(head)
        return y if 1900 <= y <= 2100 else None
    return None


def _number(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a number ({raw!r})") from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} is NaN/infinite")
    lo, hi = FEATURE_RANGES[name]
    if not lo <= value <= hi:
        raise ValueError(f"{name}={value:g} is outside {lo:g}..{hi:g}")
    return value


def _int(raw: str, name: str, lo: int, hi: int, default: int) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} is not a number ({raw!r})") from None
    if math.isnan(value) or not lo <= value <= hi:
        raise ValueError(f"{name}={raw} is outside {lo}..{hi}")
    return int(value)


def validate_row(values: dict[str, str], artist_sep: str | None) -> TrackRow:
    """Validate one mapped row (``{field: raw string}``) into a :class:`TrackRow`.

    Raises:
        ValueError: with a short reason — missing id, non-numeric / NaN / out-of-range feature, bad popularity.
    """
    track_id = (values.get("track_id") or "").strip()
    if not track_id:
        raise ValueError("missing track_id")
    if not _SPOTIFY_ID.fullmatch(track_id):
        raise ValueError(f"track_id {track_id[:30]!r} is not a 22-character Spotify id")
    feats: dict[str, float] = {}
    for name in AUDIO_FEATURES:
        if name not in values:
            raise ValueError(f"missing {name}")
        feats[name] = _number(values[name], name)
    feats["key"] = int(feats["key"])
    feats["mode"] = int(round(feats["mode"]))
    raw_artists = (values.get("artists") or "").strip()
    if artist_sep:
        artists = [a.strip() for a in raw_artists.split(artist_sep) if a.strip()]
    else:
        artists = [raw_artists] if raw_artists else []
    release = (values.get("release_date") or "").strip()
    row = TrackRow(
        track_id=track_id,
        title=(values.get("title") or "").strip(),
        artists=artists,
        album=(values.get("album") or "").strip(),
        release_date=release,
        year=_year(release),
        popularity=_int(values.get("popularity", ""), "popularity", 0, 100, 0),
        duration_ms=_int(values.get("duration_ms", ""), "duration_ms", 0, 10**8, 0),
        features=feats,
    )
    source = (values.get("playlist_id") or "").strip()
    for kind, key in (("genre", "genre"), ("subgenre", "subgenre"), ("playlist", "playlist_name")):
        label = (values.get(key) or "").strip()
        if label:
            row.labels.append((kind, label, source))
    return row


def read_rows(path: Path, map_pairs: list[str] | None = None) -> tuple[str, Iterator[TrackRow | RowError], int]:
    """Open a catalog CSV and return ``(layout, rows, row_count)``.

    ``rows`` yields a :class:`TrackRow` per good row and a :class:`RowError` per bad one, in file order.

    Raises:
        ImportFailed: not UTF-8, not a CSV, no known layout, or a bad ``--map``.
    """
    stream = open_text(path)
    text = stream.getvalue()
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";") if d in first_line), ",")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise ImportFailed(f"{path.name} is empty or not a CSV file.") from None
    if len(header) < 2:
        raise ImportFailed(f"{path.name} does not look like a CSV file (one column in the header).")
    if map_pairs:
        layout, mapping = "custom", parse_mapping(map_pairs, header)
    else:
        layout, mapping = detect_layout(header)
    sep = ARTIST_SEPARATORS[layout]
    index = [(i, mapping[col]) for i, col in enumerate(header) if col in mapping]
    missing = [f for f in AUDIO_FEATURES if f not in {fld for _, fld in index}]
    if missing:
        raise ImportFailed("No column for audio features: " + ", ".join(missing) + ". Use --map column=field.")
    total = max(text.count("\n") - 1, 0)

    def rows() -> Iterator[TrackRow | RowError]:
        rownum = 1
        try:
            for cells in reader:
                rownum += 1
                if not cells or all(not c.strip() for c in cells):
                    continue
                values = {fld: (cells[i] if i < len(cells) else "") for i, fld in index}
                try:
                    yield validate_row(values, sep)
                except ValueError as exc:
                    yield RowError(rownum, str(exc))
        except csv.Error as exc:
            yield RowError(rownum + 1, f"unreadable CSV line ({exc}); stopped reading here")

    return layout, rows(), total

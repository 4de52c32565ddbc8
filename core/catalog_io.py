"""Reading catalog CSV files as people export them: dialect, layout, column mapping and row validation, streamed.

Layouts recognised from the header alone (no ``--map``), matched on header names with case, spaces and punctuation
ignored (``"Artist Name(s)"`` == ``artistnames``) and common synonyms (:data:`SYNONYMS`):

* ``shipped`` — the TidyTuesday 2020-01-21 "Song Genres" export (``spotify_songs.csv``; one row per track *and
  playlist*).
* ``spotify-tracks`` — the Hugging Face / Kaggle "Spotify Tracks Dataset" (``track_id, artists`` (";"-separated),
  ``album_name, track_name, …, track_genre``).
* ``exportify`` — Exportify playlist exports: the old header (``Spotify ID``, ``Artist Name(s)``, ``Release Date``,
  ``Genres``) and the new one (``Track URI`` = ``spotify:track:ID``, ``Album Release Date``, ``Artist Genres``);
  ``Artist Name(s)`` and genres are comma-separated; recent exports leave the audio features empty.
* ``kaggle-1921-2020`` — Kaggle "Spotify Dataset 1921–2020" ``data.csv`` (``id, name, artists, year,
  release_date``; ``artists`` is a Python list literal such as ``"['A', 'B']"``, read with :func:`ast.literal_eval`).
* ``generic`` — any other header whose columns match the synonyms (a track id column is required).
* ``custom`` — an explicit ``--map column=field`` (the other columns are still matched by synonyms).

The file is streamed (never read whole): plain or gzip (detected by magic bytes, decompressed-size cap), UTF-8 with or
without BOM (or UTF-16 with a BOM: Excel's "Unicode Text"), Excel's ``sep=;`` first line, ``,`` ``;`` tab ``|`` delimiters (:class:`csv.Sniffer`), CRLF, quoted
newlines (collapsed to one space), decimal commas (detected once per file). Placeholder cells (:data:`PLACEHOLDERS`)
are missing values. Rows are validated one by one; a bad row becomes a :class:`RowError` (row number as in a
spreadsheet, header = row 1) and never stops the import; an unreadable file raises
:class:`~core.errors.ImportFailed`.
"""

from __future__ import annotations

import ast
import csv
import gzip
import io
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from core.errors import ImportFailed
from core.models import AUDIO_FEATURES, FEATURE_RANGES
from core.plain_text import strip_controls
from core.spotify_links import parse_track_id

#: Cells that mean "no value" (compared case-insensitively after stripping): never imported as text.
PLACEHOLDERS = frozenset({"", "na", "n/a", "#n/a", "null", "none", "-", "--"})

#: Default cap on the decompressed size of a gzip file (bytes): 2 GiB; far above any real catalog export (the
#: 114k-track Spotify Tracks Dataset is ~20 MB), far below what a crafted ``.gz`` can expand to.
MAX_DECOMPRESSED_BYTES = 2 * 1024**3

#: Canonical fields a CSV column can be mapped to.
FIELDS: tuple[str, ...] = (
    "track_id",
    "title",
    "artists",
    "album",
    "release_date",
    "year",
    "popularity",
    "duration_ms",
    "genre",
    "subgenre",
    "playlist_name",
    "playlist_id",
    *AUDIO_FEATURES,
)


def normalize_header(name: str) -> str:
    """``"Artist Name(s)"`` -> ``"artistnames"``: accents, case, spaces and punctuation removed."""
    text = unicodedata.normalize("NFKD", name)
    return re.sub(r"[^0-9a-z]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


#: Header synonyms per field (normalized with :func:`normalize_header`), best first: when several columns match
#: one field, the earliest synonym wins (``Track URI`` beats ``id``).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "track_id": (
        "trackid", "spotifyid", "trackuri", "spotifyuri", "spotifytrackid", "uri", "id", "spotifyurl", "trackurl",
        "spotifylink", "tracklink", "url", "link",
    ),
    "title": ("trackname", "title", "name", "songname", "songtitle", "tracktitle", "song", "track"),
    "artists": ("trackartist", "artistnames", "artists", "artist", "artistname", "trackartists", "singer", "performer"),
    "album": ("trackalbumname", "albumname", "album", "albumtitle"),
    "release_date": ("trackalbumreleasedate", "albumreleasedate", "releasedate", "released", "date"),
    "year": ("year", "releaseyear"),
    "popularity": ("trackpopularity", "popularity"),
    "duration_ms": ("durationms", "trackdurationms", "lengthms"),
    "genre": ("playlistgenre", "trackgenre", "genre", "genres", "artistgenres"),
    "subgenre": ("playlistsubgenre", "subgenre", "subgenres"),
    "playlist_name": ("playlistname", "playlist"),
    "playlist_id": ("playlistid",),
    **{f: (f,) for f in AUDIO_FEATURES},
    "tempo": ("tempo", "bpm", "tempobpm"),
    "loudness": ("loudness", "loudnessdb"),
}  # fmt: skip

#: How multi-value cells are split per layout and field (a ``[...]`` list literal is always parsed as a list).
SEPARATORS: dict[str, dict[str, str]] = {
    "shipped": {},
    "spotify-tracks": {"artists": ";"},
    "exportify": {"artists": ",", "genre": ","},
    "kaggle-1921-2020": {"artists": ";"},
    "generic": {"artists": ";|", "genre": ",;|"},
    "custom": {"artists": ";|", "genre": ",;|"},
}
_NUMERIC = frozenset({"popularity", "duration_ms", "year", *AUDIO_FEATURES})
_TEXT = ("title", "album", "release_date")


@dataclass(slots=True)
class TrackRow:
    """One validated CSV row: a track plus the labels this row gives it.

    ``features`` maps every name in :data:`AUDIO_FEATURES` to its value, or None when the file has no value for it
    (stored as NULL, never as 0). ``labels`` holds ``(kind, label, source_id)`` with kind in
    ``genre | subgenre | playlist`` and source_id the playlist id the label came from ("" when the file has none).
    """

    track_id: str
    title: str
    artists: list[str]
    album: str
    release_date: str
    year: int | None
    popularity: int
    duration_ms: int
    features: dict[str, float | None]
    labels: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def has_features(self) -> bool:
        """True when all eleven audio features are known."""
        return all(v is not None for v in self.features.values())


@dataclass(slots=True, frozen=True)
class RowError:
    """A skipped row: 1-based row number in the file (header is row 1) and why."""

    row: int
    reason: str


@dataclass(slots=True)
class CsvSource:
    """An opened catalog CSV: what was detected, and the rows (a one-shot iterator read from disk as consumed).

    Attributes:
        layout: see the module docstring.
        mapping: ``[(column as in the file, field)]`` in file order.
        ignored: columns not used.
        delimiter: the field separator used; ``excel_sep_line`` when a ``sep=`` first line named it.
        decimal_comma: numbers were written ``0,5`` (detected from the file's first rows).
        gzip: the file was gzip-compressed.
        missing_features: audio features with no column (NULL for every row).
        rows: yields :class:`TrackRow` / :class:`RowError` in file order; raises :class:`ImportFailed` mid-way when
            the file turns out unreadable (not UTF-8, broken quoting, over the decompressed-size cap).
        estimated_rows: data rows expected, from the file size (gzip: its ISIZE trailer) and the sample's mean row
            length — for progress bars only.
    """

    layout: str
    mapping: list[tuple[str, str]]
    ignored: list[str]
    delimiter: str
    decimal_comma: bool | None
    gzip: bool
    missing_features: list[str]
    rows: Iterator[TrackRow | RowError]
    excel_sep_line: bool = False
    estimated_rows: int = 0

    def describe(self) -> list[str]:
        """Human lines for the CLI: layout, dialect and the column mapping used."""
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        dialect = [f"{names.get(self.delimiter, repr(self.delimiter))}-separated"]
        if self.excel_sep_line:
            dialect.append("Excel sep= line")
        if self.decimal_comma:
            dialect.append("decimal commas")
        if self.gzip:
            dialect.append("gzip")
        lines = [f"Layout: {self.layout} ({', '.join(dialect)})", "Columns used:"]
        lines += [f"  {col or '(unnamed)'} -> {fld}" for col, fld in self.mapping]
        if self.ignored:
            lines.append("Ignored: " + ", ".join(c or "(unnamed)" for c in self.ignored))
        if self.missing_features:
            lines.append("No column for: " + ", ".join(self.missing_features) + " (left empty, never set to 0)")
        return lines


# ---------------------------------------------------------------------------------------------------- cells
_PLACEHOLDER_MAX = max(map(len, PLACEHOLDERS))


def _is_missing(cell: str | None) -> bool:
    if cell is None:
        return True
    text = cell.strip()
    return not text or (len(text) <= _PLACEHOLDER_MAX and text.lower() in PLACEHOLDERS)


def _clean_text(cell: str | None) -> str:
    """Strip, drop control and bidi-override characters (:func:`core.plain_text.strip_controls`), collapse internal
    whitespace (quoted newlines, CRLF, tabs) to one space; placeholders -> ""."""
    if _is_missing(cell):
        return ""
    return strip_controls(cell)


def _list_literal(cell: str) -> list[str] | None:
    """``"['A', "B's"]"`` -> ``["A", "B's"]`` via :func:`ast.literal_eval` (never eval); None when the cell is not a
    Python list of strings — real names look like lists too (``[ALEXANDROS]``, ``[:SITD:]`` are artists)."""
    if not (cell.startswith("[") and cell.endswith("]")) or len(cell) > 10_000:
        return None
    try:
        value = ast.literal_eval(cell)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _split_multi(cell: str | None, seps: str) -> list[str]:
    """A multi-value cell -> values: a Python list literal (:func:`_list_literal`), else split on ``seps``."""
    if _is_missing(cell):
        return []
    cell = cell.strip()
    value = _list_literal(cell)
    if value is not None:
        parts = value
    elif seps:
        parts = re.split("[" + re.escape(seps) + "]", cell)
    else:
        parts = [cell]
    out: list[str] = []
    for part in parts:
        text = _clean_text(part)
        if text and text not in out:
            out.append(text)
    return out


def _to_float(raw: str, name: str, decimal_comma: bool) -> float:
    text = raw.strip()
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} is not a number ({raw[:30]!r})") from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} is NaN/infinite")
    return value


def _feature(raw: str | None, name: str, decimal_comma: bool | None) -> float | None:
    """An audio-feature cell -> its value (None when missing). ``decimal_comma`` None = not decided from the first
    rows (they had no numbers, as in exports whose recent rows lack features) and the delimiter is not ``,``: then
    ``0,52`` can only be a decimal comma."""
    if raw is None:
        return None
    try:  # fast path: most cells are plain numbers (this runs 11 times per row)
        value = float(raw.replace(",", ".") if decimal_comma or decimal_comma is None else raw)
    except ValueError:
        if _is_missing(raw):
            return None
        raise ValueError(f"{name} is not a number ({raw[:30]!r})") from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} is NaN/infinite")
    lo, hi = FEATURE_RANGES[name]
    if not lo <= value <= hi:
        raise ValueError(f"{name}={value:g} is outside {lo:g}..{hi:g}")
    return value


def _int(raw: str | None, name: str, lo: int, hi: int, decimal_comma: bool) -> int | None:
    if _is_missing(raw):
        return None
    value = _to_float(raw, name, decimal_comma)
    if not lo <= value <= hi:
        raise ValueError(f"{name}={raw.strip()[:20]} is outside {lo}..{hi}")
    return int(value)


def _year(release_date: str) -> int | None:
    head = release_date[:4]
    if len(head) == 4 and head.isdigit():
        y = int(head)
        return y if 1900 <= y <= 2100 else None
    return None


def validate_row(values: dict[str, str], seps: dict[str, str], decimal_comma: bool | None = False) -> TrackRow:
    """Validate one mapped row (``{field: raw cell}``) into a :class:`TrackRow`.

    Missing / placeholder feature cells become None; ``key`` and ``mode`` are rounded to integers.

    Raises:
        ValueError: with a short reason — missing or malformed id, non-numeric / NaN / out-of-range feature,
            bad popularity, duration or year, unreadable list literal.
    """
    raw_id = values.get("track_id")
    if _is_missing(raw_id):
        raise ValueError("missing track_id")
    track_id = parse_track_id(raw_id)  # the one Spotify reference parser (core.spotify_links)
    if track_id is None and raw_id.strip().lower().startswith("spotify:local:"):
        raise ValueError("a local file (spotify:local:…), not a Spotify track")
    if track_id is None:
        raise ValueError(f"track_id {_clean_text(raw_id)[:40]!r} is not a Spotify track id, URI or link")
    feats: dict[str, float | None] = {name: _feature(values.get(name), name, decimal_comma) for name in AUDIO_FEATURES}
    for name in ("key", "mode"):
        if feats[name] is not None:
            feats[name] = int(round(feats[name]))
    release = _clean_text(values.get("release_date"))
    year = _year(release) or _int(values.get("year"), "year", 1000, 2100, decimal_comma)
    if year is not None and not 1900 <= year <= 2100:
        year = None
    row = TrackRow(
        track_id=track_id,
        title=_clean_text(values.get("title")),
        artists=_split_multi(values.get("artists"), seps.get("artists", "")),
        album=_clean_text(values.get("album")),
        release_date=release,
        year=year,
        popularity=_int(values.get("popularity"), "popularity", 0, 100, decimal_comma) or 0,
        duration_ms=_int(values.get("duration_ms"), "duration_ms", 0, 10**8, decimal_comma) or 0,
        features=feats,
    )
    source = _clean_text(values.get("playlist_id"))
    for kind, key in (("genre", "genre"), ("subgenre", "subgenre"), ("playlist", "playlist_name")):
        labels = _split_multi(values.get(key), seps.get(key, "")) if kind != "playlist" else [
            _clean_text(values.get(key))
        ]
        for label in labels:
            if label:
                row.labels.append((kind, label, source))
    return row


# ---------------------------------------------------------------------------------------------------- layout
def _auto_mapping(header: list[str], taken: dict[int, str]) -> dict[int, str]:
    """Column index -> field from :data:`SYNONYMS` for columns not in ``taken`` (fields already mapped are skipped)."""
    norm = [normalize_header(h) for h in header]
    mapping = dict(taken)
    used = set(taken.values())
    for fld, names in SYNONYMS.items():
        if fld in used:
            continue
        for name in names:
            hits = [i for i, n in enumerate(norm) if n == name and i not in mapping]
            if hits:
                mapping[hits[0]] = fld
                used.add(fld)
                break
    return mapping


def detect_layout(header: list[str]) -> str:
    """Name the layout of a header (see the module docstring); ``generic`` when no known export matches."""
    cols = {normalize_header(h) for h in header}
    shipped = {"trackid", "trackname", "trackartist", "trackalbumname", "playlistgenre", "playlistsubgenre"}
    if shipped <= cols:
        return "shipped"
    if {"trackid", "artists", "albumname", "trackname"} <= cols:
        return "spotify-tracks"
    if "artistnames" in cols and cols & {"trackuri", "spotifyid", "spotifyuri"}:
        return "exportify"
    if {"id", "name", "artists", "year"} <= cols:
        return "kaggle-1921-2020"
    return "generic"


def parse_mapping(pairs: list[str], header: list[str]) -> dict[int, str]:
    """Turn ``["col=field", ...]`` into ``{column index: field}``; other columns are matched by synonyms.

    Columns are found by exact name first, then by normalized name (case, spaces, punctuation ignored).

    Raises:
        ImportFailed: unknown field, unknown column, malformed pair.
    """
    taken: dict[int, str] = {}
    norm = [normalize_header(h) for h in header]
    for pair in pairs:
        if "=" not in pair:
            raise ImportFailed(f'Bad --map "{pair}": use column=field, e.g. --map "Song Name=title".')
        col, fld = (p.strip() for p in pair.rsplit("=", 1))
        if fld not in FIELDS:
            raise ImportFailed(f'Unknown field "{fld}" in --map. Fields: {", ".join(FIELDS)}.')
        if col in header:
            idx = header.index(col)
        elif normalize_header(col) in norm and normalize_header(col):
            idx = norm.index(normalize_header(col))
        else:
            raise ImportFailed(f'Column "{col}" is not in the file. Columns: {", ".join(header[:20])}.')
        taken = {i: f for i, f in taken.items() if f != fld}
        taken[idx] = fld
    return _auto_mapping(header, taken)


# ---------------------------------------------------------------------------------------------------- streaming
class _CappedReader(io.RawIOBase):
    """A readable byte stream that raises :class:`ImportFailed` once more than ``cap`` bytes were read from ``src``."""

    def __init__(self, src: IO[bytes], cap: int, name: str) -> None:
        self._src, self._cap, self._name, self.count = src, cap, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._src.read(len(buffer))
        self.count += len(data)
        if self.count > self._cap:
            raise ImportFailed(
                f"{self._name} expands to more than {self._cap / 1024**2:,.0f} MB when decompressed; refusing to "
                "import it (nothing was changed). Decompress it yourself if it really is a catalog."
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._src.close()
        super().close()


def _open_stream(path: Path, max_bytes: int) -> tuple[io.TextIOWrapper, bool]:
    """Open ``path`` as a UTF-8 text stream (BOM dropped), gunzipping when it starts with the gzip magic bytes."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise ImportFailed(f"File not found: {path}") from None
    except OSError as exc:
        raise ImportFailed(f"Cannot read {path}: {exc.strerror or exc}") from None
    is_gzip = fh.read(2) == b"\x1f\x8b"
    fh.seek(0)
    src: IO[bytes] = gzip.GzipFile(fileobj=fh, mode="rb") if is_gzip else fh  # type: ignore[assignment]
    raw = io.BufferedReader(_CappedReader(src, max_bytes if is_gzip else 1 << 62, path.name), 1 << 16)
    try:
        head = raw.peek(2)[:2]
    except (OSError, EOFError) as exc:
        raw.close()
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from None
    # Excel's "Unicode Text" export is UTF-16 with a BOM (tab-separated); everything else must be UTF-8
    encoding = "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    return io.TextIOWrapper(raw, encoding=encoding, newline=""), is_gzip


def _read_sample(path: Path, max_bytes: int, size: int = 1 << 16) -> str:
    stream, _ = _open_stream(path, max_bytes)
    try:
        return stream.read(size)
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV.") from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from None
    finally:
        stream.close()


def _sniff_delimiter(sample: str) -> str:
    """The field separator: :class:`csv.Sniffer` over the first complete lines, checked against the header line."""
    head = sample[: sample.rfind("\n") + 1] if "\n" in sample else sample
    header_line = sample.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    try:
        found = csv.Sniffer().sniff(head[:20000] or sample, delimiters=",;\t|").delimiter
    except csv.Error:
        found = ""
    if found and counts.get(found, 0) >= 1:
        return found
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*-?\d*\.\d+\s*$")


def _detect_decimal_comma(sample_rows: list[list[str]], numeric_cols: list[int], delimiter: str) -> bool | None:
    """True when numeric cells in the first rows use ``0,5`` and none use ``0.5`` (impossible with ``,`` delimiter);
    None when those rows hold no number at all and the delimiter is not ``,`` (audio-feature cells then accept
    ``0,5``, see :func:`_feature`)."""
    if delimiter == ",":
        return False
    comma = point = 0
    for cells in sample_rows:
        for i in numeric_cols:
            if i < len(cells):
                comma += bool(_DECIMAL_COMMA.match(cells[i]))
                point += bool(_DECIMAL_POINT.match(cells[i]))
    if comma == 0 and point == 0:
        return None
    return comma > 0 and point == 0


def _estimate_rows(path: Path, is_gzip: bool, sample: str, sample_rows: int) -> int:
    """Rough data-row count: (decompressed) file size / mean bytes per row of the sample; 0 when unknown."""
    try:
        size = path.stat().st_size
        if is_gzip:
            with path.open("rb") as fh:  # ISIZE: uncompressed size mod 2**32 of the last member (RFC 1952)
                fh.seek(-4, 2)
                size = int.from_bytes(fh.read(4), "little")
    except OSError:
        return 0
    per_row = len(sample.encode("utf-8")) / max(sample_rows, 1)
    return max(int(size / per_row) - 1, 0) if per_row else 0


def open_catalog_csv(
    path: Path, map_pairs: list[str] | None = None, max_decompressed: int = MAX_DECOMPRESSED_BYTES
) -> CsvSource:
    """Open a catalog CSV (plain or gzip), detect dialect, layout and column mapping, and return a streaming source.

    Memory: one CSV record at a time plus 64 KiB of sample, whatever the file size.

    Raises:
        ImportFailed: missing / unreadable file, not UTF-8, binary, empty, one column, no track id column, bad --map.
            (Later errors surface while iterating ``rows``.)
    """
    sample = _read_sample(path, max_decompressed)
    if "\x00" in sample[:4096]:
        raise ImportFailed(f"{path.name} looks like a binary file, not a CSV.")
    first, _, rest = sample.partition("\n")
    sep_line = re.fullmatch(r"\s*sep=(.)\s*", first.rstrip("\r"))
    if sep_line:
        delimiter, sample = sep_line.group(1), rest
    else:
        delimiter = _sniff_delimiter(sample)
    try:
        sample_rows = list(csv.reader(io.StringIO(sample[: sample.rfind("\n") + 1] or sample, newline=""), delimiter=delimiter))
    except csv.Error:
        sample_rows = []
    if not sample_rows or not any(c.strip() for c in sample_rows[0]):
        raise ImportFailed(f"{path.name} is empty or not a CSV file.")
    header = [_clean_text(h) if h.strip() else "" for h in sample_rows[0]]
    if len(header) < 2:
        raise ImportFailed(f"{path.name} does not look like a CSV file (one column in the header).")
    if map_pairs:
        layout, mapping = "custom", parse_mapping(map_pairs, header)
    else:
        layout, mapping = detect_layout(header), _auto_mapping(header, {})
    if "track_id" not in mapping.values():
        raise ImportFailed(
            f"{path.name} has no column with Spotify track ids (looked for: Track URI, Spotify ID, track_id, id, uri, "
            "link…). Map one with --map column=track_id."
        )
    numeric_cols = [i for i, f in mapping.items() if f in _NUMERIC]
    decimal_comma = _detect_decimal_comma(sample_rows[1:200], numeric_cols, delimiter)
    seps = SEPARATORS[layout]
    index = sorted(mapping.items())
    mapped_fields = set(mapping.values())
    stream, is_gzip = _open_stream(path, max_decompressed)

    def rows() -> Iterator[TrackRow | RowError]:
        rownum = 1
        try:
            if sep_line:
                stream.readline()
            reader = csv.reader(stream, delimiter=delimiter)
            next(reader, None)  # header
            for cells in reader:
                rownum += 1
                if not cells or all(not c.strip() for c in cells):
                    continue
                values = {fld: (cells[i] if i < len(cells) else "") for i, fld in index}
                try:
                    yield validate_row(values, seps, decimal_comma)
                except ValueError as exc:
                    yield RowError(rownum, str(exc))
        except UnicodeDecodeError:
            raise ImportFailed(
                f"{path.name} is not UTF-8 text (near row {rownum + 1}); save it as UTF-8 CSV. Nothing was imported."
            ) from None
        except csv.Error as exc:
            raise ImportFailed(f"{path.name}: unreadable CSV at row {rownum + 1} ({exc}). Nothing was imported.") from None
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ImportFailed(f"Cannot read {path.name} (row {rownum + 1}): {exc}. Nothing was imported.") from None
        finally:
            stream.close()

    return CsvSource(
        layout=layout,
        mapping=[(header[i], f) for i, f in index],
        ignored=[h for i, h in enumerate(header) if i not in mapping],
        delimiter=delimiter,
        decimal_comma=decimal_comma,
        gzip=is_gzip,
        missing_features=[f for f in AUDIO_FEATURES if f not in mapped_fields],
        rows=rows(),
        excel_sep_line=bool(sep_line),
        estimated_rows=_estimate_rows(path, is_gzip, sample[: sample.rfind("\n") + 1] or sample, len(sample_rows)),
    )


def read_rows(path: Path, map_pairs: list[str] | None = None) -> tuple[str, Iterator[TrackRow | RowError], int]:
    """Compatibility wrapper: ``(layout, rows, 0)`` of :func:`open_catalog_csv` (the row count is not known ahead)."""
    source = open_catalog_csv(path, map_pairs)
    return source.layout, source.rows, 0

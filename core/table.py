"""In-memory columnar view of the catalog, built once at start and updated incrementally.

The recommender, the KNN index and text understanding all read this table instead of SQLite on the hot path.
Rows are addressed by *position* (0..n-1, stable for the process lifetime); a deleted track keeps its position with
``alive[pos] = False`` (a tombstone) so nothing has to be re-indexed.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from core.catalog import Catalog, dedupe_key, normalize_text
from core.song_keys import merge_credited_versions
from core.models import AUDIO_FEATURES, Track

N_FEATURES = len(AUDIO_FEATURES)
FEATURE_INDEX = {name: i for i, name in enumerate(AUDIO_FEATURES)}
LABEL_KINDS = ("genre", "subgenre", "playlist")
#: Album words that mark a compilation: its release date is not the song's.
_COMPILATION = re.compile(
    r"\b(greatest hits|best of|the very best|essential|collection|anthology|hits|gold|definitive)\b",
    re.IGNORECASE,
)
#: A retrospective (:meth:`TrackTable.retrospectives`): an album holding at least this many songs released at least
#: :data:`RETRO_GAP` years before the album's date (other versions in the catalog), and at least half its tracks such.
#: Remix and deluxe albums re-use last year's singles (gap 1–2 years) and are no retrospective.
RETRO_SONGS = 2
RETRO_GAP = 3
#: A remaster dated long after its artist's songs (:meth:`TrackTable.is_album_date_mark`): the artist has at least
#: :data:`LATE_REMASTER_TRACKS` other dated tracks and the remaster's date is more than :data:`LATE_REMASTER_GAP`
#: years after their median year ("I Want To Hold Your Hand - Remastered 2015", dated 2000 by the "1" compilation,
#: among Beatles songs of 1963–1970). Spotify dates most remasters by the original release: those stay near the
#: artist's other years and keep their date.
LATE_REMASTER_TRACKS = 3
LATE_REMASTER_GAP = 10
#: A remaster / re-release naming its own year ("2011 Remaster", "Remastered 2009", "25th Anniversary").
_REISSUE_YEAR = re.compile(r"\b((19|20)\d\d)\b[^()\[\]-]*\b(remaster(ed)?|re-?issue|anniversary|edition)\b|"
                           r"\b(remaster(ed)?|re-?issue|anniversary|edition)\b[^()\[\]-]*\b((19|20)\d\d)\b",
                           re.IGNORECASE)


def _may_name_reissue(text: str) -> bool:
    """Cheap test before :data:`_REISSUE_YEAR`: does ``text`` hold one of its words at all (most titles don't)?"""
    low = text.lower()
    return "remaster" in low or "issue" in low or "anniversary" in low or "edition" in low


class TrackTable:
    """Columnar track store.

    Attributes:
        ids: Spotify track ids by position; ``pos[track_id]`` is the inverse.
        features: ``(capacity, 11)`` float64 raw audio features in :data:`core.models.AUDIO_FEATURES` order; NaN where
            the catalog has no value (NULL), never a made-up 0.
        known: ``(capacity, 11)`` bool, True where a feature value is known.
        has_features: ``(capacity,)`` bool, True when all eleven features are known (only these tracks take part
            in audio-feature distances: KNN, the audio term of similarity, text targets).
        year: ``(capacity,)`` int16 release year, 0 when unknown. ``popularity``: int16 0–100.
        alive: ``(capacity,)`` bool; False for deleted positions and unused capacity.
        titles, artists, albums, release_dates, durations, norm_keys: Python lists by position.
        artist_ids: per position, the integer ids of its artists (``artist_names[i]`` is the normalized name).
        labels: per position, the set of label ids it carries; ``label_names[l] == (kind, label)``.
        label_tracks: inverted index label id -> set of positions.
        sources: per position, the set of playlist ids (label sources) it belongs to.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self.features = np.zeros((capacity, N_FEATURES), dtype=np.float64)
        self.known = np.zeros((capacity, N_FEATURES), dtype=bool)
        self.has_features = np.zeros(capacity, dtype=bool)
        self.year = np.zeros(capacity, dtype=np.int16)
        self.popularity = np.zeros(capacity, dtype=np.int16)
        self.alive = np.zeros(capacity, dtype=bool)
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}
        self.titles: list[str] = []
        self.artists: list[list[str]] = []
        self.albums: list[str] = []
        self.release_dates: list[str] = []
        self.durations: list[int] = []
        self.norm_keys: list[str] = []
        self.artist_ids: list[tuple[int, ...]] = []
        self.artist_index: dict[str, int] = {}
        self.artist_names: list[str] = []
        self.artist_tracks: dict[int, set[int]] = defaultdict(set)
        self.labels: list[set[int]] = []
        self.label_names: list[tuple[str, str]] = []
        self.label_index: dict[tuple[str, str], int] = {}
        self.label_tracks: dict[int, set[int]] = defaultdict(set)
        self._sources: list[set[str]] | None = []  # see sources
        self._sources_build: Callable[[], list[set[str]]] | None = None
        self.key_tracks: dict[str, set[int]] = defaultdict(set)  # norm_key -> live positions (versions of a song)
        self._orig_years: np.ndarray | None = None
        self._orig_version = -1
        self._orig_dirty: set[str] = set()  # song keys whose versions changed since the last original_years()
        self._album_marks: dict[int, bool] = {}  # position -> its date is a re-release's, for _marks_version
        self._marks_version = -1
        self._retro: frozenset[int] = frozenset()  # see retrospectives, for _retro_version
        self._retro_version = -1
        self._tracks: dict[int, Track] = {}  # position -> its Track model, for the version in _tracks_version
        self._tracks_version = -1
        self.version = 0  # bumped on every change; caches key on it

    @property
    def sources(self) -> list[set[str]]:
        """Per position, the set of playlist ids (label sources) it belongs to. A table read from the start-up cache
        builds these ~28k sets on first read (:meth:`defer_sources`): a one-shot ``/recommend`` or free-text request
        never reads them (the artist graph and the style model do)."""
        if self._sources is None:
            build, self._sources_build = self._sources_build, None
            self._sources = build() if build is not None else []
        return self._sources

    @sources.setter
    def sources(self, value: list[set[str]]) -> None:
        self._sources, self._sources_build = value, None

    def defer_sources(self, build: Callable[[], list[set[str]]]) -> None:
        """Have :attr:`sources` built by ``build()`` (one set per position ``0..n-1``) on its first read."""
        self._sources, self._sources_build = None, build

    # ------------------------------------------------------------------ building
    @classmethod
    def from_rows(
        cls, rows: Sequence[tuple[Any, ...]], labels: Iterable[tuple[str, str, str, str]]
    ) -> TrackTable:
        """Build from :meth:`Catalog.all_rows` tuples and :meth:`Catalog.all_labels` quads."""
        table = cls(capacity=max(1024, int(len(rows) * 1.1)))
        for row in rows:
            table._append_row(row)
        for track_id, kind, label, source in labels:
            p = table.pos.get(track_id)
            if p is not None:
                table._add_label(p, kind, label, source)
        merge_credited_versions(table)
        table.version += 1
        return table

    @classmethod
    async def load(cls, catalog: Catalog) -> TrackTable:
        """Build from a catalog by streaming its rows and labels (peak memory ~60 MB lower than :meth:`from_rows`
        on the shipped catalog, which needs every row and label as Python tuples at once)."""
        table = cls(capacity=max(1024, int(await catalog.count() * 1.1)))
        async for rows in catalog.row_chunks():
            for row in rows:
                table._append_row(row)
        async for labels in catalog.label_chunks():
            for track_id, kind, label, source in labels:
                p = table.pos.get(track_id)
                if p is not None:
                    table._add_label(p, kind, label, source)
        merge_credited_versions(table)  # one song under two first-artist credits: one key
        table.version += 1
        return table

    def _grow(self) -> None:
        cap = self.features.shape[0] * 2
        for name in ("features", "known", "has_features", "year", "popularity", "alive"):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
            new[: old.shape[0]] = old
            setattr(self, name, new)

    def _artist_id(self, name: str) -> int:
        key = normalize_text(name)
        aid = self.artist_index.get(key)
        if aid is None:
            aid = self.artist_index[key] = len(self.artist_names)
            self.artist_names.append(key)
        return aid

    def _label_id(self, kind: str, label: str) -> int:
        key = (kind, label)
        lid = self.label_index.get(key)
        if lid is None:
            lid = self.label_index[key] = len(self.label_names)
            self.label_names.append(key)
        return lid

    def _add_label(self, p: int, kind: str, label: str, source: str) -> None:
        lid = self._label_id(kind, label)
        self.labels[p].add(lid)
        self.label_tracks[lid].add(p)
        if source:
            self.sources[p].add(sys.intern(source))  # ~470 playlist ids shared by 32k memberships

    def _append_row(self, row: tuple[Any, ...]) -> int:
        (track_id, title, artists_json, album, release_date, year, popularity, duration_ms, *rest) = row
        feats = rest[:N_FEATURES]
        if self.n == self.features.shape[0]:
            self._grow()
        p = self.n
        self.n += 1
        artists = json.loads(artists_json) if isinstance(artists_json, str) else list(artists_json)
        self.ids.append(track_id)
        self.pos[track_id] = p
        self.titles.append(title)
        self.artists.append(artists)
        self.albums.append(album)
        self.release_dates.append(release_date)
        self.durations.append(duration_ms)
        self.norm_keys.append(dedupe_key(title, artists))
        self.key_tracks[self.norm_keys[-1]].add(p)
        self._orig_dirty.add(self.norm_keys[-1])
        known = [v is not None and v == v for v in feats]  # None (NULL) or NaN = unknown
        self.features[p] = [v if k else np.nan for v, k in zip(feats, known)]
        self.known[p] = known
        self.has_features[p] = all(known)
        self.year[p] = year or 0
        self.popularity[p] = popularity
        self.alive[p] = True
        aids = tuple(self._artist_id(a) for a in artists)
        self.artist_ids.append(aids)
        for a in aids:
            self.artist_tracks[a].add(p)
        self.labels.append(set())
        self.sources.append(set())
        return p

    # ------------------------------------------------------------------ incremental updates
    def upsert(self, track: Track) -> int:
        """Insert a new track at a new position, or overwrite an existing one in place. Returns its position."""
        row = (
            track.track_id,
            track.title,
            track.artists,
            track.album,
            track.release_date,
            track.year,
            track.popularity,
            track.duration_ms,
            *(getattr(track, f) for f in AUDIO_FEATURES),
        )
        old = self.pos.get(track.track_id)
        if old is not None:
            self._detach(old)
            self.ids[old] = ""  # the old position becomes a tombstone; the new one takes over the id
        p = self._append_row(row)
        merge_credited_versions(self, [self.norm_keys[p].partition("|")[0]])
        for kind, values in (("genre", track.genres), ("subgenre", track.subgenres), ("playlist", track.playlists)):
            for label in values:
                self._add_label(p, kind, label, "")
        self.version += 1
        return p

    def _detach(self, p: int) -> None:
        self.alive[p] = False
        self.key_tracks[self.norm_keys[p]].discard(p)
        self._orig_dirty.add(self.norm_keys[p])
        for a in self.artist_ids[p]:
            self.artist_tracks[a].discard(p)
        for lid in self.labels[p]:
            self.label_tracks[lid].discard(p)

    def delete(self, track_id: str) -> bool:
        """Tombstone a track. Returns False if it was not present."""
        p = self.pos.pop(track_id, None)
        if p is None:
            return False
        self._detach(p)
        self.version += 1
        return True

    # ------------------------------------------------------------------ reads
    def __len__(self) -> int:
        return len(self.pos)

    def alive_positions(self) -> np.ndarray:
        """Positions of live tracks, ``(n_alive,)`` int64."""
        return np.flatnonzero(self.alive[: self.n])

    def positions_mask(self, groups: Iterable[Iterable[int]]) -> np.ndarray:
        """Boolean ``(n,)`` mask of the positions in any of ``groups`` (e.g. ``label_tracks`` or ``artist_tracks``
        values); positions at or past ``n`` are ignored."""
        mask = np.zeros(self.n, dtype=bool)
        for group in groups:
            idx = np.fromiter(group, dtype=np.int64)
            mask[idx[idx < self.n]] = True
        return mask

    def label_strings(self, p: int, kind: str) -> list[str]:
        """Label texts of one kind for position ``p``, sorted."""
        return sorted(self.label_names[lid][1] for lid in self.labels[p] if self.label_names[lid][0] == kind)

    def labels_of_kind(self, kind: str) -> list[tuple[int, str]]:
        """``(label_id, text)`` of every label of ``kind`` still carried by at least one live track."""
        return [
            (lid, name)
            for lid, (k, name) in enumerate(self.label_names)
            if k == kind and self.label_tracks.get(lid)
        ]

    def featured_positions(self, positions: np.ndarray | Sequence[int]) -> np.ndarray:
        """The subset of ``positions`` whose track has all eleven audio features (int64 array)."""
        pos = np.asarray(positions, dtype=np.int64)
        return pos[self.has_features[pos]] if len(pos) else pos

    def has_labels(self) -> bool:
        """True when any live track carries a genre, subgenre or playlist label."""
        return any(self.label_tracks.values())

    def original_years(self) -> np.ndarray:
        """``(n,)`` int16 original year per position: the earliest known year among the live versions of the
        song (same :func:`core.catalog.dedupe_key`: normalized title without version suffix + first artist);
        0 when no version has a year. One O(n) pass the first time; after edits only the songs they touched."""
        if self._orig_version == self.version and self._orig_years is not None:
            return self._orig_years
        full = self._orig_years is None
        if self._orig_years is None:
            out = self.year[: self.n].copy()
            keys: Iterable[str] = self.key_tracks.keys()
        else:
            out = np.concatenate([self._orig_years, self.year[len(self._orig_years) : self.n]])
            keys = self._orig_dirty
        for key in keys:
            positions = self.key_tracks.get(key)
            if positions and (len(positions) > 1 or not full):  # a lone version keeps its own year
                idx = np.fromiter(positions, dtype=np.int64)
                ys = self.year[idx]
                known = ys[ys > 0]
                out[idx] = known.min() if len(known) else 0
        self._orig_dirty = set()
        self._orig_years = out
        self._orig_version = self.version
        return self._orig_years

    def original_year(self, p: int) -> int:
        """The original year of position ``p`` (see :meth:`original_years`); 0 when unknown."""
        return int(self.original_years()[p])

    def year_is_album_date(self, p: int) -> bool:
        """True when ``year[p]`` is (likely) only an album date: an earlier version of the song with a trustworthy
        date is in the catalog (:meth:`first_release_year`), the album is a compilation (:data:`_COMPILATION`), or
        the title / album names a remaster or re-release of that very year ("- 2011 Remaster" on a track dated 2011).
        A remaster dated with the original year is not flagged (Spotify often dates remasters by the original
        release)."""
        y = int(self.year[p])
        if not y:
            return False
        first = self.first_release_year(p)
        if first and first < y:
            return True
        return self.is_album_date_mark(p)

    def retrospectives(self) -> frozenset[int]:
        """Positions on retrospective albums: under one album name and release date, :data:`RETRO_SONGS` or more
        tracks whose songs the catalog holds in versions at least :data:`RETRO_GAP` years older, and at least half
        the album's tracks such ("Absolute Rock Anthems", 2008: "Paranoid", "Barracuda", "Rebel Yell" …; "Best Of
        Montell Jordan", 2015; a film's soundtrack of old hits). Their date is not their songs' release, also for a
        song found nowhere else. Albums of new music — a film's own songs, a label sampler, an artist's album with
        last year's singles — have no such tracks and keep their dates. One pass per table version (~40 ms on the
        shipped catalog)."""
        if self._retro_version != self.version:
            orig = self.original_years().tolist()
            alive = self.alive[: self.n].tolist()
            albums: dict[tuple[str, str], list[int]] = {}
            for p, (album, date, ok) in enumerate(zip(self.albums, self.release_dates, alive)):
                if ok and album:
                    albums.setdefault((album, date), []).append(p)
            year = self.year[: self.n].tolist()
            found: set[int] = set()
            for positions in albums.values():
                if len(positions) >= RETRO_SONGS:
                    older = sum(1 for p in positions if 0 < orig[p] <= year[p] - RETRO_GAP)
                    if older >= RETRO_SONGS and 2 * older >= len(positions):
                        found.update(positions)
            self._retro, self._retro_version = frozenset(found), self.version
        return self._retro

    def is_album_date_mark(self, p: int) -> bool:
        """True when position ``p``'s own album or title marks its year as a re-release's: a compilation album (by
        its words, :data:`_COMPILATION`, or its old songs, :meth:`retrospectives`), a remaster / re-issue naming
        that very year, or a remaster dated long after its artist's other songs (:data:`LATE_REMASTER_GAP`); cached
        per table version (another row's edit can make an album a retrospective)."""
        if self._marks_version != self.version:
            self._album_marks, self._marks_version = {}, self.version
        mark = self._album_marks.get(p)
        if mark is None:
            y = int(self.year[p])
            album, title = self.albums[p] or "", self.titles[p] or ""
            reissue = {int(m.group(1) or m.group(7)) for text in (album, title) if _may_name_reissue(text)
                       for m in _REISSUE_YEAR.finditer(text)}
            mark = self._album_marks[p] = (bool(_COMPILATION.search(album)) or y in reissue
                                           or p in self.retrospectives() or self._late_remaster(p, y, album, title))
        return mark

    def _late_remaster(self, p: int, y: int, album: str, title: str) -> bool:
        """True when ``p``'s title or album names a remaster and its year ``y`` is more than
        :data:`LATE_REMASTER_GAP` years after the median year of its first artist's other dated tracks (at least
        :data:`LATE_REMASTER_TRACKS` of them)."""
        if not y or "remaster" not in f"{title} {album}".lower() or not self.artist_ids[p]:
            return False
        years = sorted(int(self.year[q]) for q in self.artist_tracks.get(self.artist_ids[p][0], ())
                       if q != p and self.year[q])
        return len(years) >= LATE_REMASTER_TRACKS and y > years[len(years) // 2] + LATE_REMASTER_GAP

    def first_release_year(self, p: int) -> int:
        """The earliest year among the live versions of ``p``'s song (same normalized title + first artist) whose
        own date can be trusted as a release date — not a compilation's, not a re-release's (:meth:`is_album_date_mark`);
        0 when none can. What a reason may call the song's *first release*: Spotify often dates a compilation by
        the artist's first album ("Journey's Greatest Hits" dated 1978 holds "Don't Stop Believin'" of 1981's
        "Escape"), so the earliest year of all versions (:meth:`original_years`, used for ranking) is no first
        release when it is a compilation's."""
        years = [int(self.year[q]) for q in self.key_tracks.get(self.norm_keys[p], ())
                 if self.year[q] and not self.is_album_date_mark(q)]
        return min(years, default=0)

    def is_album_date(self, p: int, year: int, original: int) -> bool:
        """:meth:`year_is_album_date` for a caller that already holds ``year == year[p]`` (the reasons' hot path);
        ``original`` (``original_year(p)``) lets a song with no earlier version skip the version scan."""
        if not year:
            return False
        if original < year:
            first = self.first_release_year(p)
            if first and first < year:
                return True
        return self.is_album_date_mark(p)

    #: Tracks :meth:`track` keeps built per table version (~4.5 KB each, ~9 MB when full; the oldest goes first).
    TRACK_MEMO = 2048

    def track(self, p: int) -> Track:
        """Position ``p`` as a :class:`Track` (raises IndexError for a bad position). Built once per table version
        and position (a radio's picks and a list's pages show the same tracks again; building one — its labels,
        display genre and a validated model — costs ~30 µs): the model is shared, frozen (:class:`Track`)."""
        if self._tracks_version != self.version:
            self._tracks.clear()
            self._tracks_version = self.version
        got = self._tracks.get(p)
        if got is None:
            got = self._build_track(p)
            if len(self._tracks) >= self.TRACK_MEMO:
                self._tracks.pop(next(iter(self._tracks)))
            self._tracks[p] = got
        return got

    def _build_track(self, p: int) -> Track:
        from core.genres import display_genre  # lazy: the label-less fallback loads the style model

        f = self.features[p]
        return Track(
            track_id=self.ids[p],
            title=self.titles[p] or "(untitled)",
            artists=self.artists[p] or ["(unknown artist)"],
            album=self.albums[p],
            release_date=self.release_dates[p],
            year=int(self.year[p]) or None,
            original_year=self.original_year(p) or None,
            year_is_album_date=self.year_is_album_date(p),
            first_release_year=self.first_release_year(p) or None,
            popularity=int(self.popularity[p]),
            duration_ms=self.durations[p],
            genres=self.label_strings(p, "genre"),
            subgenres=self.label_strings(p, "subgenre"),
            playlists=self.label_strings(p, "playlist"),
            display_genre=display_genre(self, p),
            **{
                name: None if not self.known[p, i] else (int(round(float(f[i]))) if name in ("key", "mode") else float(f[i]))
                for i, name in enumerate(AUDIO_FEATURES)
            },
        )

"""What users type about tracks: free-text checks and track references (ids, Spotify links, titles, fuzzy matches).

:class:`TrackReferences` resolves a reference to a position in the live :class:`~core.table.TrackTable`: a Spotify
track id, an open.spotify.com URL or ``spotify:track:`` URI, ``"title"``, ``"title - artist"`` or
``"title by artist"`` — exactly first, then fuzzily (rapidfuzz). The normalized choice lists are cached per table
version. :class:`core.engine.Engine` exposes it as ``resolve`` / ``suggestions`` / ``label``.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from core.catalog import normalize_text
from core.errors import InvalidInput, SongNotFound
from core.table import TrackTable

#: Longest free text accepted (characters).
MAX_TEXT = 2000
#: A Spotify track id: 22 base-62 characters.
TRACK_ID = re.compile(r"^[0-9A-Za-z]{22}$")
#: A Spotify track link (open.spotify.com, also ``/intl-xx/``) or ``spotify:track:`` URI; group 1 is the id.
SPOTIFY_REF = re.compile(r"(?:open\.spotify\.com/(?:intl-[a-z-]+/)?track/|spotify:track:)([0-9A-Za-z]{22})")


def check_text(text: str, what: str = "request") -> str:
    """Strip and validate free text: non-empty and at most 2,000 characters.

    Raises:
        InvalidInput: empty/whitespace or longer than :data:`MAX_TEXT` characters.
    """
    if text is None or not str(text).strip():
        raise InvalidInput(f"Your {what} is empty — tell me what you'd like to hear, e.g. “chill study music”.")
    # lone surrogates (undecodable bytes from a terminal) cannot be stored or sent: replace them
    text = str(text).encode("utf-8", "replace").decode("utf-8").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"Your {what} is {len(text):,} characters long; please keep it under {MAX_TEXT:,}.")
    return text


def split_ref(ref: str) -> tuple[str, str]:
    """``"Title - Artist"`` / ``"Title by Artist"`` -> ``(title, artist)``; otherwise ``(ref, "")``."""
    for sep in (" - ", " – ", " — ", " by "):
        if sep in ref:
            title, artist = ref.split(sep, 1)
            return title.strip(), artist.strip()
    return ref.strip(), ""


class TrackReferences:
    """Resolves track references against one :class:`TrackTable` (rebuild it when the table object is replaced)."""

    def __init__(self, table: TrackTable) -> None:
        self.table = table
        self._choices: tuple[int, list[str], list[str], list[int]] | None = None
        self._bases: list[str] = []
        self._exact: dict[str, list[int]] = {}
        self._longest = 0

    def choices(self) -> tuple[list[str], list[str], list[int]]:
        """``(full, titles, positions)``: normalized "title artist" and title strings of live tracks (cached)."""
        if self._choices is None or self._choices[0] != self.table.version:
            t = self.table
            positions = [int(p) for p in t.alive_positions()]
            titles = [normalize_text(t.titles[p]) for p in positions]
            full = [f"{title} {' '.join(t.artist_names[a] for a in t.artist_ids[p])}" for title, p in zip(titles, positions)]
            self._choices = (t.version, full, titles, positions)
            self._bases = [t.norm_keys[p].split("|", 1)[0] for p in positions]  # titles without version suffixes
            # normalized title or base title -> positions: exact look-ups are one dict access, not a scan of the
            # whole catalog per reference (issue 9 "CPU per message")
            self._exact = {}
            self._longest = max(map(len, full), default=0)
            for i, p in enumerate(positions):
                for key in {titles[i], self._bases[i]}:
                    self._exact.setdefault(key, []).append(p)
        return self._choices[1], self._choices[2], self._choices[3]

    def fuzzy_hits(self, title: str, artist: str, cutoff: float, limit: int = 5) -> list[tuple[float, int]]:
        """``(score, position)`` pairs, best first: rapidfuzz ``ratio`` on "title artist", and on the title alone
        when no artist was given (``ratio``, not ``WRatio``: partial matches of a famous artist's name must not win)."""
        full, titles, positions = self.choices()
        scores: dict[int, float] = {}
        query = normalize_text(f"{title} {artist}")
        # ratio = 200·matches / (len(a) + len(b)) ≤ 200·len(b) / (len(a) + len(b)): a query this much longer than
        # every choice cannot reach the cutoff, so skip the scan (long messages reach here as one reference)
        if len(query) > self._longest * (200 / max(cutoff, 1.0) - 1):
            return []
        for _, score, i in process.extract(query, full, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff):
            scores[positions[i]] = max(scores.get(positions[i], 0.0), score)
        if not artist:
            for _, score, i in process.extract(normalize_text(title), titles, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff):
                scores[positions[i]] = max(scores.get(positions[i], 0.0), score)
        return sorted(((s, p) for p, s in scores.items()), key=lambda sp: (-sp[0], -int(self.table.popularity[sp[1]])))

    def fuzzy_search(self, query: str, limit: int) -> list[int]:
        """Positions of up to ``limit`` tracks whose "title artist" matches ``query`` (rapidfuzz WRatio ≥ 70), best
        first — the fallback when full-text search finds nothing."""
        full, _, positions = self.choices()
        hits = process.extract(normalize_text(query), full, scorer=fuzz.WRatio, limit=limit, score_cutoff=70)
        return [positions[i] for _, _, i in hits]

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        t = self.table
        return f"{t.titles[pos] or '(untitled)'} - {', '.join(t.artists[pos]) or '(unknown artist)'}"

    def suggestions(self, ref: str, n: int = 3) -> list[str]:
        """Up to ``n`` close matches for an unresolved reference, as ``"Title - Artist"`` strings."""
        title, artist = split_ref(ref)
        out: list[str] = []
        for _, pos in self.fuzzy_hits(title, artist, cutoff=55, limit=n * 3):
            label = self.label(pos)
            if label not in out:
                out.append(label)
        return out[:n]

    def resolve(self, ref: str, fuzzy: bool = True) -> int:
        """Resolve a track reference to a table position.

        Accepts a Spotify track id, an open.spotify.com URL or ``spotify:track:`` URI, ``"title"`` or
        ``"title - artist"`` (also ``"title by artist"``), matched exactly, then fuzzily (rapidfuzz ``ratio`` ≥ 80,
        see :meth:`fuzzy_hits`). Among equal titles the most popular track wins.

        ``fuzzy=False`` accepts only exact matches (used where a wrong guess would be recorded: likes, dislikes).

        Raises:
            SongNotFound: nothing matched (carries up to 3 suggestions).
            InvalidInput: empty or over-long reference.
        """
        ref = check_text(ref, "song reference")
        t = self.table
        m = SPOTIFY_REF.search(ref)
        if m or TRACK_ID.fullmatch(ref):
            tid = m.group(1) if m else ref
            if tid in t.pos:
                return t.pos[tid]
            if m:
                raise SongNotFound(ref, [], reason="That Spotify track is not in this catalog; try its title instead.")
        title, artist = split_ref(ref)
        n_title, n_artist = normalize_text(title), normalize_text(artist)
        _, titles, positions = self.choices()
        if not normalize_text(ref):  # only emoji / punctuation: match the raw title exactly or nothing
            exact = [p for p in positions if t.titles[p].strip() == ref]
            if exact:
                return max(exact, key=lambda p: (int(t.popularity[p]), -p))
            raise SongNotFound(ref, [])
        # a title matches as typed, or without its version suffix: "Hotel California" is the catalog's
        # "Hotel California - 2013 Remaster"; among all matches the most popular wins (the original, not a cover)
        whole = normalize_text(ref)
        exact = list(self._exact.get(whole, ()))
        if exact:  # titles may contain " - " themselves
            return max(exact, key=lambda p: (int(t.popularity[p]), -p))
        exact = list(self._exact.get(n_title, ()))
        if artist:
            exact = [p for p in exact if fuzz.partial_ratio(n_artist, " ".join(t.artist_names[a] for a in t.artist_ids[p])) >= 85]
        if exact:
            return max(exact, key=lambda p: (int(t.popularity[p]), -p))
        hits = self.fuzzy_hits(title, artist, cutoff=80) if fuzzy else []
        if hits:
            return hits[0][1]
        raise SongNotFound(ref, self.suggestions(ref))

"""What users type about tracks: free-text checks and track references (ids, Spotify links, titles, fuzzy matches).

:class:`TrackReferences` resolves a reference to a position in the live :class:`~core.table.TrackTable`. Links, URIs,
bare ids and short links go through the one parser, :mod:`core.spotify_links` (other link types, wrong-length ids
and look-alike hosts raise :class:`~core.errors.NotATrackLink`, whose message never echoes the link). Titles: the
whole text as an exact title first, then title and artist in either order (with or without a separator), then
fuzzily (rapidfuzz); :meth:`TrackReferences.resolve_ref` returns a :class:`ResolvedRef` whose ``note`` says when the
track used is not exactly the one asked for. The normalized choice lists are cached per table version.
:class:`core.app.tracks.TrackFinder` exposes it as ``resolve`` / ``resolve_ref`` / ``suggestions`` / ``label``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.catalog import base_title, normalize_text
from core.errors import InvalidInput, NotATrackLink, SongNotFound
from core.error_words import invalid
from core.models import FEATURE_RANGES, Filters
from core.reply_words import say
from core.spotify_links import SPOTIFY_ID, find_links, looks_like_id, parse_link
from core.table import TrackTable

#: Longest free text accepted (characters).
MAX_TEXT = 2000
#: A Spotify track id: 22 base-62 characters.
TRACK_ID = re.compile(r"^[0-9A-Za-z]{22}$")


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    """A resolved track reference: ``pos`` in the track table; ``exact`` False when the track used is not exactly
    the one asked for (another artist's song with that title, a fuzzy match) and ``note`` then says which was used,
    in words meant for the first line of a reply."""

    pos: int
    exact: bool = True
    note: str = ""


#: Control characters taken out of free text (:func:`check_text`): C0 but tab and line breaks, DEL, C1, bidi controls.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_text(text: str, what: str = "request") -> str:
    """Strip and validate free text: non-empty and at most 2,000 characters; control characters other than line
    breaks and tabs (a terminal's escape sequences, bidi overrides) become spaces, so no reply that quotes the text
    can recolour a terminal or reverse a line.

    Raises:
        InvalidInput: empty/whitespace or longer than :data:`MAX_TEXT` characters.
    """
    if text is None or not str(text).strip():
        raise invalid("empty", what=what)
    # lone surrogates (undecodable bytes from a terminal) cannot be stored or sent: replace them
    text = _CONTROLS.sub(" ", str(text).encode("utf-8", "replace").decode("utf-8")).strip()
    if not text:
        raise invalid("empty", what=what)
    if len(text) > MAX_TEXT:
        raise invalid("too long", what=what, n=len(text), limit=MAX_TEXT)
    return text


def check_filters(filters: Filters | None) -> Filters | None:
    """Explicit filters as a caller gave them (command-line options, an API body): years within the catalog's range
    (:data:`core.models.FEATURE_RANGES`-style bounds 1000–2100, as :class:`~core.models.Track` stores them), tempo
    within 0–250 BPM, and each range's low end at most its high end. Returns ``filters`` unchanged.

    Raises:
        InvalidInput: a bound outside its range, or a range whose low end is above its high end ("--year-min 2000
            --year-max 1990" was answered with "nothing from 2000–1990" and 1960s tracks).
    """
    if filters is None:
        return None
    lo_t, hi_t = FEATURE_RANGES["tempo"]
    for name, value, lo, hi in (("year_min", filters.year_min, 1000, 2100), ("year_max", filters.year_max, 1000, 2100),
                                ("tempo_min", filters.tempo_min, lo_t, hi_t), ("tempo_max", filters.tempo_max, lo_t, hi_t)):
        if value is not None and not lo <= value <= hi:
            raise InvalidInput(f"{name} must be between {lo:g} and {hi:g} (got {value:g}).", field=name,
                               allowed=f"{lo:g}–{hi:g}")
    for low, high, what in ((filters.year_min, filters.year_max, "year"), (filters.tempo_min, filters.tempo_max, "tempo")):
        if low is not None and high is not None and low > high:
            raise InvalidInput(f"The {what} range is backwards: {what}_min {low:g} is above {what}_max {high:g}.",
                               field=f"{what}_min")
    return filters


def _clip(text: str, limit: int = 80) -> str:
    """One line of user text for a note, at most ``limit`` characters (``…`` when cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
        self._title_index: tuple[int, dict[str, list[int]]] = (-1, {})
        self._longest = 0
        #: short-link URL -> track id, filled by :meth:`core.app.tracks.TrackFinder.follow_short_links` (async) before a
        #: synchronous :meth:`resolve`; shared with the engine's :class:`~core.spotify_links.ShortLinkResolver`.
        self.short_links: dict[str, str] = {}

    def choices(self) -> tuple[list[str], list[str], list[int]]:
        """``(full, titles, positions)``: normalized "title artist" and title strings of live tracks (cached)."""
        if self._choices is None or self._choices[0] != self.table.version:
            t = self.table
            positions = [int(p) for p in t.alive_positions()]
            titles = [normalize_text(t.titles[p]) for p in positions]
            full = [f"{title} {' '.join(t.artist_names[a] for a in t.artist_ids[p])}" for title, p in zip(titles, positions)]
            self._choices = (t.version, full, titles, positions)
            self._bases = [t.norm_keys[p].split("|", 1)[0] for p in positions]  # titles without version suffixes
            self._longest = max(map(len, full), default=0)  # bounds the fuzzy scans (see fuzzy_hits)
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
        if not artist:  # the title alone, as stored and without its version suffix ("Bohemian Rapsody" is the
            # catalog's "Bohemian Rhapsody - 2011 Mix": ratio 74 on the whole title, 97 on its base)
            bare = base_title(title)
            for source, text in ((titles, normalize_text(title)), (self._bases, bare)):
                for _, score, i in process.extract(text, source, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff):
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

    def resolve(self, ref: str, fuzzy: bool = True, suggest: bool = True) -> int:
        """Table position of a track reference (see :meth:`resolve_ref`, which also says whether it was exact)."""
        return self.resolve_ref(ref, fuzzy=fuzzy, suggest=suggest).pos

    def title_index(self) -> dict[str, list[int]]:
        """Normalized title (as typed, and without its version suffix) -> live positions (cached per version)."""
        _, titles, positions = self.choices()
        if self._title_index[0] != self.table.version:
            index: dict[str, list[int]] = {}
            for i, p in enumerate(positions):
                index.setdefault(titles[i], []).append(p)
                if self._bases[i] != titles[i]:
                    index.setdefault(self._bases[i], []).append(p)
            # "I Never Loved a Man" is "I Never Loved a Man (The Way I Love You)": a title without its bracketed
            # tail, when that leaves 3+ words and no other title is exactly that ("Stay" is not "Stay (feat. …)")
            short: dict[str, list[int]] = {}
            for p in positions:
                raw = self.table.titles[p]
                if "(" in raw:
                    key = normalize_text(raw.split("(", 1)[0])
                    if len(key.split()) >= 3 and key not in index:
                        short.setdefault(key, []).append(p)
            for key, found in short.items():
                index[key] = found
            self._title_index = (self.table.version, index)
        return self._title_index[1]

    def _popular(self, positions: list[int]) -> int:
        t = self.table
        return max(positions, key=lambda p: (int(t.popularity[p]), -p))

    def _artist_fits(self, n_artist: str, pos: int, loose: bool) -> bool:
        """Does ``n_artist`` (normalized) name an artist of track ``pos``? ``loose``: rapidfuzz partial_ratio ≥ 85
        on all artists (an explicit "title - artist"); else ratio ≥ 85 against one artist or all of them."""
        t = self.table
        names = [t.artist_names[a] for a in t.artist_ids[pos]]
        joined = " ".join(names)
        if loose:  # the artist part may name one of several artists, never more than the track credits
            return len(n_artist) <= len(joined) + 2 and fuzz.partial_ratio(n_artist, joined) >= 85
        return any(fuzz.ratio(n_artist, n) >= 85 for n in names) or fuzz.ratio(n_artist, joined) >= 85

    def _link(self, ref: str) -> ResolvedRef | None:
        """A pasted link / URI / id (:mod:`core.spotify_links`) -> its track; None when ``ref`` is not link-shaped
        (or is a bare 22-letter word that is not a catalog id: then it is a title)."""
        link = parse_link(ref)
        if link is None:
            return None
        t = self.table
        if link.kind == "track":
            if link.id in t.pos:
                return ResolvedRef(t.pos[link.id])
            if SPOTIFY_ID.fullmatch(ref.strip()) and not looks_like_id(ref.strip()):
                return None  # e.g. a 22-letter one-word title
            raise SongNotFound(f"spotify:track:{link.id}", [], reason=say("not in catalog"))
        if link.kind == "short":
            tid = self.short_links.get(link.url)
            if tid and tid in t.pos:
                return ResolvedRef(t.pos[tid])
            if tid:
                raise SongNotFound(f"spotify:track:{tid}", [], reason=say("not in catalog"))
        raise NotATrackLink(link.kind)

    def resolve_ref(self, ref: str, fuzzy: bool = True, suggest: bool = True) -> ResolvedRef:
        """Resolve a track reference to a :class:`ResolvedRef` (a table position, and a note when the track used is
        not exactly the one asked for).

        Accepts every form :func:`core.spotify_links.parse_link` understands (links, URIs, bare ids, short links
        already followed), ``"title"``, and a title with its artist in any order and with or without a separator
        (``"title - artist"``, ``"artist - title"``, ``"title by artist"``, ``"artist title"``, ``"title artist"``).
        The whole text is tried as an exact title first (titles may contain " - ", ";" or "and"); among equal titles
        the most popular track wins. When the title exists only by another artist, or only a fuzzy match (rapidfuzz
        ``ratio`` ≥ 80, see :meth:`fuzzy_hits`) is found, that track is used and ``note`` says so
        (``exact=False``).

        ``fuzzy=False`` accepts only exact matches (used where a wrong guess would be recorded: likes, dislikes).
        ``suggest=False``: a miss raises :class:`SongNotFound` without close matches (a caller that only probes
        whether words name a song: the fuzzy scan for suggestions costs ~8 ms on 28k tracks, per probe).

        Raises:
            SongNotFound: nothing matched (carries up to 3 suggestions).
            NotATrackLink: a link that is not a usable track link (album, playlist, short link not followed,
                look-alike…); its message names the kind and never echoes the link.
            InvalidInput: empty or over-long reference.
        """
        ref = check_text(ref, "song reference")
        t = self.table
        linked = self._link(ref)
        if linked is not None:
            return linked
        _, titles, positions = self.choices()
        whole = normalize_text(ref)
        if not whole:  # only emoji / punctuation: match the raw title exactly or nothing
            exact = [p for p in positions if t.titles[p].strip() == ref]
            if exact:
                return ResolvedRef(self._popular(exact))
            raise SongNotFound(ref, [])
        # a title matches as typed, or without its version suffix: "Hotel California" is the catalog's
        # "Hotel California - 2013 Remaster"; among all matches the most popular wins (the original, not a cover)
        index = self.title_index()
        if whole in index:  # the whole text first: titles may contain " - ", ";", "," or "and" themselves
            return ResolvedRef(self._popular(index[whole]))
        inside = find_links(ref)
        if inside:  # "Blinding Lights <link>": the link decides; a non-track link is named, never echoed
            usable = [lk for lk in inside if lk.kind in ("track", "short")]
            if not usable:
                raise NotATrackLink(inside[0].kind)
            linked = self._link(ref[usable[0].start : usable[0].end])
            if linked is not None:
                return linked
        title_only: tuple[str, str, list[int]] | None = None
        for title, artist, loose in self._splits(ref):
            hits = index.get(normalize_text(title), [])
            if not hits:
                continue
            n_artist = normalize_text(artist)
            fit = [p for p in hits if n_artist and self._artist_fits(n_artist, p, loose)]
            if fit:
                return ResolvedRef(self._popular(fit))
            if loose and title_only is None and len(artist.split()) <= 8:  # an artist name, not a whole message
                title_only = (title, artist, hits)
        base = base_title(ref)  # after the title-artist readings: "X - Remix - Artist" is that artist's remix
        if base != whole and base in index and fuzzy:  # "Blinding Lights (Remastered)": that version is not here
            pos = self._popular(index[base])
            return ResolvedRef(pos, exact=False, note=say("using closest", ref=_clip(ref), quote=self.quote(pos)))
        if title_only is not None and fuzzy:
            title, artist, hits = title_only
            pos = self._popular(hits)
            return ResolvedRef(pos, exact=False, note=say("using other artist", title=_clip(title), artist=_clip(artist),
                                                          quote=self.quote(pos)))
        title, artist = split_ref(ref)
        hits = self.fuzzy_hits(title, artist, cutoff=80) if fuzzy else []
        if hits:
            pos = hits[0][1]
            if normalize_text(self.label(pos)) == whole:
                return ResolvedRef(pos)
            return ResolvedRef(pos, exact=False, note=say("using closest", ref=_clip(ref), quote=self.quote(pos)))
        raise SongNotFound(ref, self.suggestions(ref) if suggest else [])

    def quote(self, pos: int) -> str:
        """``“Title” by Artist`` for a table position (for notes)."""
        t = self.table
        return say("quote", title=_clip(t.titles[pos] or "(untitled)", 120),
                   artist=_clip(", ".join(t.artists[pos]) or say("unknown artist"), 120))

    @staticmethod
    def _splits(ref: str) -> list[tuple[str, str, bool]]:
        """Candidate ``(title, artist, explicit)`` readings of a reference, explicit separators first (both word
        orders), then every split point of up to 12 words (both orders; ``explicit=False``)."""
        out: list[tuple[str, str, bool]] = []
        for sep in (" - ", " – ", " — ", " by ", " / "):
            if sep in ref:
                a, b = (x.strip() for x in ref.split(sep, 1))
                if a and b:
                    out.append((a, b, True))
                    if sep != " by ":
                        out.append((b, a, True))
        words = ref.split()
        if 2 <= len(words) <= 12:
            for k in range(1, len(words)):
                head, tail = " ".join(words[:k]), " ".join(words[k:])
                out.append((head, tail, False))
                out.append((tail, head, False))
        return out

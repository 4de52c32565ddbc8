"""Track references for every use case: ids, Spotify links/URIs, short links, titles, fuzzy matches.

:class:`TrackFinder` (moved from ``Engine``'s "references" section) resolves what users type to a position in the live
table of a :class:`~core.app.loaded.LoadedCatalog`; it needs nothing else (no engine, no storage).
"""

from __future__ import annotations

import asyncio
import re

from core.app.loaded import LiveParts, LoadedCatalog
from core.models import Track
from core.references import ResolvedRef
from core.spotify_links import ShortLinkResolver, find_links, strip_links


class TrackFinder(LiveParts):
    """Resolve track references against the live table (see :mod:`core.references`); ``table`` / ``refs`` are the
    live ones (:class:`~core.app.loaded.LiveParts`)."""

    def __init__(self, loaded: LoadedCatalog) -> None:
        self.loaded = loaded
        self.link_resolver: ShortLinkResolver | None = None  # built from the environment on first short link

    def resolve(self, ref: str, fuzzy: bool = True) -> int:
        """Table position of a track reference: id, Spotify link/URI, "title" or "title - artist", exact then fuzzy
        unless ``fuzzy=False`` (see :meth:`core.references.TrackReferences.resolve`).
        Raises SongNotFound (with suggestions) / InvalidInput."""
        return self.refs.resolve(ref, fuzzy=fuzzy)

    def resolve_ref(self, ref: str, fuzzy: bool = True) -> ResolvedRef:
        """Like :meth:`resolve`, with ``exact`` / ``note`` saying when another track than the one asked for was used
        (see :meth:`core.references.TrackReferences.resolve_ref`). Raises SongNotFound / NotATrackLink / InvalidInput."""
        return self.refs.resolve_ref(ref, fuzzy=fuzzy)

    async def follow_short_links(self, text: str) -> None:
        """Follow the Spotify short links in ``text`` (at most 3, concurrently; each ≤ 3 s, only to ``*.spotify.com``,
        see :class:`core.spotify_links.ShortLinkResolver`) so a later :meth:`resolve` of them finds the track.
        Never raises; a link that can't be followed later resolves to a "send the full link" message."""
        if "." not in text or not any(h in text.lower() for h in ("spotify.link", "spotify.app.link", "tospotify.com")):
            return
        shorts = [lk for lk in find_links(text) if lk.kind == "short"][:3]
        if not shorts:
            return
        if self.link_resolver is None:
            self.link_resolver = ShortLinkResolver.from_env()
        ids = await asyncio.gather(*(self.link_resolver.resolve(lk) for lk in shorts))
        for link, tid in zip(shorts, ids):
            if tid:
                self.refs.short_links[link.url] = tid

    def split_refs(self, args: str) -> list[str]:
        """Song references in a command argument: the whole text when it is one exact title or one link
        (so ``;``, ``|``, ``,`` or "and" never cut a real title in two), pasted links one by one, else
        :func:`core.commands.split_refs` (``a; b | c`` or quoted titles); a text with none of those splits at ``,``,
        "and" or "&" when every piece is a song exactly as typed ("Blinding Lights and Get Lucky")."""
        from core.commands import split_refs
        from core.errors import MusicBotError
        args = (args or "").strip()
        if not args:
            return []
        links = find_links(args)
        if len(links) > 1:  # several links / ids: one reference each (separators or spaces between them)
            if not re.sub(r"\band\b", " ", strip_links(args, links)).strip(" ;|,&"):
                return [args[lk.start : lk.end] for lk in links]
            return split_refs(args)
        try:
            if not links and self.refs.resolve_ref(args, fuzzy=False).exact:
                return [args]
        except MusicBotError:
            pass
        parts = split_refs(args)
        if len(parts) == 1 and not links:  # "Blinding Lights and Get Lucky", "Blinding Lights, Get Lucky"
            pieces = [p.strip() for p in re.split(r"\s*,\s*|\s+(?:and|&)\s+", args) if p.strip()]
            if len(pieces) > 1 and all(self._exact(p) for p in pieces):  # only when every piece is a song as typed
                return pieces
        return parts

    def _exact(self, ref: str) -> bool:
        """Whether ``ref`` names a catalog song exactly (title, or title and artist; no fuzzy guess)."""
        from core.errors import MusicBotError
        try:
            return self.refs.resolve_ref(ref, fuzzy=False).exact
        except MusicBotError:
            return False

    def suggestions(self, ref: str, n: int = 3) -> list[str]:
        """Up to ``n`` close matches for an unresolved reference, as ``"Title - Artist"`` strings."""
        return self.refs.suggestions(ref, n)

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        return self.refs.label(pos)

    async def find_track(self, ref: str) -> tuple[Track, str]:
        """``(track, note)`` for a reference (short links followed first); ``note`` is empty when the track is
        exactly the one asked for, else the first line a reply must show (see :meth:`resolve_ref`).
        Raises SongNotFound / NotATrackLink / InvalidInput."""
        await self.follow_short_links(ref)
        found = self.resolve_ref(ref)
        return self.table.track(found.pos), found.note

    async def get_track(self, ref: str) -> Track:
        """The full track (all labels) for a reference (see :meth:`resolve`). Raises SongNotFound."""
        await self.follow_short_links(ref)
        pos = self.resolve(ref)
        return self.table.track(pos)

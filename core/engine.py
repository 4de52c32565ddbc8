"""The use-case facade every adapter calls: search, resolve, recommend, catalog admin, chat.

``Engine`` owns the SQLite catalog, the in-memory :class:`~core.table.TrackTable`, the
:class:`~core.recommender.Recommender` (KNN index) and the local text understanding. It returns typed models from
:mod:`core.models`, never platform-formatted text, and it re-checks permissions on every mutation.

This module holds the lifecycle, search, recommendations and catalog admin; ``Engine`` also gets ``chat`` and the
conversation memory from :class:`core.chat.ChatMixin`, and playlists, likes/dislikes, personalised recommendations
and previews from :class:`core.personal.PersonalMixin`. References are resolved by :mod:`core.references`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.catalog import SHIPPED_CATALOG, Catalog, ImportReport, ProgressFn
from core.chat import ChatMixin
from core.errors import InvalidInput, PermissionDenied
from core.explain import format_reasons
from core.models import (
    AUDIO_FEATURES,
    FEATURE_RANGES,
    Caller,
    Filters,
    NeedsClarification,
    Reason,
    Recommendation,
    RecommendedTrack,
    TextQuery,
    Track,
)
from core.personal import PersonalMixin
from core.recommender import Recommender, Scored
from core.references import TRACK_ID, TrackReferences, check_text
from core.table import TrackTable


def _split_artists(artists: str) -> list[str]:
    """``"A; B, C"`` -> ``["A", "B", "C"]`` (admin input: artists separated by ``;`` or ``,``)."""
    return [a.strip() for a in re.split(r"[;,]", artists) if a.strip()]


class Engine(ChatMixin, PersonalMixin):
    """The core engine. Build with ``await Engine.open(db_path)``; close with ``await engine.close()``."""

    def __init__(self, catalog: Catalog, table: TrackTable, recommender: Recommender) -> None:
        self.catalog = catalog
        self.table = table
        self.recommender = recommender
        self.refs = TrackReferences(table)
        self._text: Any = None
        self._write_lock = asyncio.Lock()  # one transaction at a time on the catalog connection

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    async def open(
        cls, db_path: str | Path, *, seed: bool = True, seed_path: Path = SHIPPED_CATALOG, progress: ProgressFn | None = None
    ) -> Engine:
        """Open the catalog (seeding the shipped one on first start), then build the table and KNN index.

        Raises:
            InvalidInput: the database file is unusable.
        """
        catalog = await Catalog.open(db_path)
        try:
            if seed:
                await catalog.seed(seed_path, progress=progress)
            table = await TrackTable.load(catalog)
        except BaseException:
            await catalog.close()
            raise
        return cls(catalog, table, Recommender(table))

    async def close(self) -> None:
        """Close the catalog connection."""
        await self.catalog.close()

    @property
    def text(self) -> Any:
        """The local text understanding (:class:`core.text.TextUnderstanding`), fitted on first use."""
        if self._text is None:
            from core.text import TextUnderstanding

            self._text = TextUnderstanding()
            self._text.fit(self.table)
        return self._text

    # ------------------------------------------------------------------ references (core.references)
    def resolve(self, ref: str, fuzzy: bool = True) -> int:
        """Table position of a track reference: id, Spotify link/URI, "title" or "title - artist", exact then fuzzy
        unless ``fuzzy=False`` (see :meth:`core.references.TrackReferences.resolve`).
        Raises SongNotFound (with suggestions) / InvalidInput."""
        return self.refs.resolve(ref, fuzzy=fuzzy)

    def suggestions(self, ref: str, n: int = 3) -> list[str]:
        """Up to ``n`` close matches for an unresolved reference, as ``"Title - Artist"`` strings."""
        return self.refs.suggestions(ref, n)

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        return self.refs.label(pos)

    async def get_track(self, ref: str) -> Track:
        """The full track (all labels) for a reference (see :meth:`resolve`). Raises SongNotFound."""
        pos = self.resolve(ref)
        return self.table.track(pos)

    # ------------------------------------------------------------------ search
    async def search(self, query: str, limit: int = 10) -> Recommendation:
        """Full-text search over title / artist / album (FTS5), falling back to fuzzy matching.

        Raises:
            InvalidInput: empty/over-long query or limit outside 1–50.
        """
        query = check_text(query, "search")
        limit = self._limit(limit)
        ids = await self.catalog.search_ids(query, limit * 3)
        positions = [self.table.pos[i] for i in ids if i in self.table.pos]
        if not positions:
            positions = self.refs.fuzzy_search(query, limit)
        seen: set[str] = set()
        results = []
        for p in positions:
            key = self.table.norm_keys[p]
            if key in seen:
                continue
            seen.add(key)
            why = [Reason(kind="search")]
            results.append(RecommendedTrack(track=self.table.track(p), score=1.0, reason=format_reasons(why), reasons=why))
            if len(results) >= limit:
                break
        return Recommendation(kind="search", query=query, tracks=results, filters=Filters(limit=limit))

    # ------------------------------------------------------------------ recommendations
    # The personalised twins (``recommend_*_for``, core.personal) run the same pipelines with another ``rank``.
    @staticmethod
    def _limit(limit: int | None) -> int:
        if limit is None:
            return 10
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise InvalidInput(f"limit must be between 1 and 50 (got {limit}).", field="limit", allowed="1–50")
        return limit

    def _results(self, scored: Sequence[Scored]) -> list[RecommendedTrack]:
        return [
            RecommendedTrack(track=self.table.track(s.pos), score=round(s.score, 4), reason=s.reason, reasons=s.reasons)
            for s in scored
        ]

    def _exclude_positions(self, exclude_ids: Sequence[str]) -> set[int]:
        return {self.table.pos[i] for i in exclude_ids if i in self.table.pos}

    async def recommend_similar(
        self, refs: Sequence[str], filters: Filters | None = None, exclude_ids: Sequence[str] = ()
    ) -> Recommendation:
        """Tracks similar to one or many references (ids, links, URIs, titles, "title - artist").

        Raises:
            SongNotFound: a reference did not resolve (first failing one). InvalidInput: no reference given.
        """
        return await self._similar(refs, filters, exclude_ids)

    async def _similar(
        self,
        refs: Sequence[str],
        filters: Filters | None,
        exclude_ids: Sequence[str],
        rank: Callable[[list[int], Filters, set[int]], Awaitable[list[Scored]]] | None = None,
    ) -> Recommendation:
        """:meth:`recommend_similar` scored by ``rank(positions, filters, exclude)`` (default: the KNN recommender)."""
        refs = [r for r in refs if r and r.strip()]
        if not refs:
            raise InvalidInput("Give at least one song, e.g. /similar Blinding Lights - The Weeknd")
        if len(refs) > 25:
            raise InvalidInput("Please give at most 25 reference songs.")
        filters = filters or Filters()
        positions = [self.resolve(r) for r in refs]
        exclude = self._exclude_positions(exclude_ids)
        if rank is None:
            scored = self.recommender.similar(positions, filters, exclude=exclude)
        else:
            scored = await rank(positions, filters, exclude)
        names = ", ".join(self.label(p) for p in positions[:3]) + ("…" if len(positions) > 3 else "")
        return Recommendation(
            kind="similar", query=" | ".join(refs), tracks=self._results(scored), filters=filters, summary=f"Tracks like {names}"
        )

    def understand(self, text: str, limit: int = 10) -> TextQuery | NeedsClarification:
        """Run the local text understanding on a request (validated first)."""
        return self.text.parse(check_text(text), limit=limit)

    async def recommend_query(
        self, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """Recommendations for an already-parsed :class:`TextQuery` (from the local parser or an LLM)."""
        return await self._query(query, exclude_ids, limit)

    async def _query(
        self,
        query: TextQuery,
        exclude_ids: Sequence[str],
        limit: int | None,
        rank: Callable[[TextQuery, set[int], int], Awaitable[list[Scored]]] | None = None,
    ) -> Recommendation:
        """:meth:`recommend_query` scored by ``rank(query, exclude, limit)`` (default: the KNN recommender)."""
        limit = self._limit(limit or query.filters.limit)
        query = query.model_copy(update={"filters": query.filters.model_copy(update={"limit": limit})})
        query = self._clamp(query)
        exclude = self._exclude_positions(exclude_ids)
        if rank is None:
            scored = self.recommender.from_text(query, exclude=exclude, limit=limit)
        else:
            scored = await rank(query, exclude, limit)
        return Recommendation(
            kind="text",
            query=query.text,
            tracks=self._results(scored),
            target={k: round(float(v), 3) for k, v in query.target.items()},
            filters=query.filters,
            summary="; ".join(query.cues[:4]),
        )

    @staticmethod
    def _clamp(query: TextQuery) -> TextQuery:
        target = {}
        for name, value in query.target.items():
            if name in FEATURE_RANGES:
                lo, hi = FEATURE_RANGES[name]
                if name == "tempo":
                    lo, hi = 40.0, 220.0
                if name == "loudness":
                    hi = 0.0
                target[name] = min(max(float(value), lo), hi)
        weights = {k: min(max(float(v), 0.0), 1.0) for k, v in query.weights.items() if k in AUDIO_FEATURES}
        labels = {k: min(max(float(v), -1.0), 1.0) for k, v in query.labels.items()}
        return query.model_copy(update={"target": target, "weights": weights, "labels": labels})

    async def recommend_text(
        self, text: str, filters: Filters | None = None, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation | NeedsClarification:
        """Free text -> recommendations with the local text understanding (offline).

        Explicit ``filters`` are merged over what the text implies. Returns :class:`NeedsClarification` when the
        text carries no musical meaning.

        Raises:
            InvalidInput: empty or over 2,000 characters, or a bad limit.
        """
        parsed, limit = self._parse_request(text, filters, limit)
        if isinstance(parsed, NeedsClarification):
            return parsed
        return await self.recommend_query(parsed, exclude_ids=exclude_ids, limit=limit)

    def _parse_request(
        self, text: str, filters: Filters | None, limit: int | None
    ) -> tuple[TextQuery | NeedsClarification, int]:
        """``(the parsed request with explicit filters merged over the implied ones, the validated limit)``."""
        limit = self._limit(limit if limit is not None else (filters.limit if filters else None))
        parsed = self.understand(text, limit=limit)
        if filters is not None and not isinstance(parsed, NeedsClarification):
            merged = parsed.filters.model_copy(
                update={k: v for k, v in filters.model_dump(exclude_unset=True).items() if v not in (None, [])}
            )
            parsed = parsed.model_copy(update={"filters": merged})
        return parsed, limit

    # ------------------------------------------------------------------ catalog admin
    @staticmethod
    def require_admin(caller: Caller, action: str) -> None:
        """Raise :class:`PermissionDenied` unless ``caller`` is an admin (checked on every mutation)."""
        if not isinstance(caller, Caller) or not caller.is_admin:
            raise PermissionDenied(action)

    @staticmethod
    def validate_track(data: dict[str, Any]) -> Track:
        """Validate raw track fields into a :class:`Track`.

        Raises:
            InvalidInput: naming the first bad field and its allowed range, e.g. ``energy must be 0–1``.
        """
        try:
            return Track.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0]) if err["loc"] else "track"
            if name in FEATURE_RANGES:
                lo, hi = FEATURE_RANGES[name]
                allowed = f"{lo:g}–{hi:g}"
                raise InvalidInput(f"{name} must be a number in {allowed} (got {err.get('input')!r}).", name, allowed) from None
            raise InvalidInput(f"Invalid {name}: {err['msg']}.", name) from None

    async def add_song(self, caller: Caller, data: dict[str, Any]) -> Track:
        """Add a track (admin only). ``data`` holds Track fields; ``artists`` may be a string.

        Raises:
            PermissionDenied, InvalidInput (bad field / duplicate id).
        """
        self.require_admin(caller, "add songs")
        data = dict(data)
        if isinstance(data.get("artists"), str):
            data["artists"] = _split_artists(data["artists"])
        if not data.get("track_id") or not TRACK_ID.fullmatch(str(data["track_id"])):
            raise InvalidInput("track_id must be a 22-character Spotify id (letters and digits).", "track_id", "22 chars")
        if not str(data.get("title", "")).strip() or not data.get("artists"):
            raise InvalidInput("A song needs a title and at least one artist.", "title")
        if data.get("release_date") and not data.get("year"):
            head = str(data["release_date"])[:4]
            data["year"] = int(head) if head.isdigit() else None
        track = self.validate_track(data)
        async with self._write_lock:  # the duplicate check and the insert are one step
            if track.track_id in self.table.pos:
                raise InvalidInput(f"A track with id {track.track_id} already exists; use /editsong.", "track_id")
            return await self._store_locked(track)

    async def edit_song(self, caller: Caller, ref: str, changes: dict[str, Any]) -> Track:
        """Change fields of an existing track (admin only); the track id cannot change.

        Raises:
            PermissionDenied, SongNotFound, InvalidInput.
        """
        self.require_admin(caller, "edit songs")
        if not changes:
            raise InvalidInput("Nothing to change: give field=value pairs, e.g. energy=0.8 tempo=120.")
        async with self._write_lock:  # read, merge and write as one step: concurrent edits never undo each other
            pos = self.resolve(ref)
            current = self.table.track(pos).model_dump(exclude={"artist", "spotify_url"})
            changes = dict(changes)
            if "track_id" in changes and changes["track_id"] != current["track_id"]:
                raise InvalidInput("The track id cannot be changed.", "track_id")
            unknown = set(changes) - set(current)
            if unknown:
                raise InvalidInput(f"Unknown field(s): {', '.join(sorted(unknown))}.", sorted(unknown)[0])
            if isinstance(changes.get("artists"), str):
                changes["artists"] = _split_artists(changes["artists"])
            if "release_date" in changes and "year" not in changes:
                head = str(changes["release_date"] or "")[:4]
                changes["year"] = int(head) if head.isdigit() and 1900 <= int(head) <= 2100 else None
            track = self.validate_track({**current, **changes})
            return await self._store_locked(track)

    async def delete_song(self, caller: Caller, ref: str) -> Track:
        """Delete a track (admin only). Returns the deleted track.

        Raises:
            PermissionDenied, SongNotFound.
        """
        self.require_admin(caller, "delete songs")
        async with self._write_lock:
            pos = self.resolve(ref)
            track = self.table.track(pos)
            await self.catalog.delete_track(track.track_id)
            self.table.delete(track.track_id)
            self.recommender.on_delete(pos)
            self._text_changed()
        return track

    async def _store_locked(self, track: Track) -> Track:
        """Write a validated track to SQLite, the table and the index (caller holds ``_write_lock``)."""
        await self.catalog.upsert_track(track)
        old = self.table.pos.get(track.track_id)
        pos = self.table.upsert(track)
        if old is not None:
            self.recommender.on_delete(old)
        self.recommender.on_upsert(pos)
        self._text_changed()
        return self.table.track(pos)

    def _text_changed(self) -> None:
        if self._text is not None:
            self._text.update(self.table)

    async def import_catalog(
        self, caller: Caller, path: Path, map_pairs: list[str] | None = None, replace: bool = False,
        progress: ProgressFn | None = None,
    ) -> ImportReport:
        """Import a CSV into the catalog (admin only) and rebuild the in-memory table and index.

        Raises:
            PermissionDenied, ImportFailed, InvalidInput.
        """
        self.require_admin(caller, "import catalogs")
        async with self._write_lock:
            report = await self.catalog.import_file(path, map_pairs=map_pairs, replace=replace, progress=progress)
            self.table = await TrackTable.load(self.catalog)
            self.recommender = Recommender(self.table, self.recommender.params)
            self._text = None
            self.refs = TrackReferences(self.table)
        return report

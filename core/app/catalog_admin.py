"""Catalog admin use cases: add, edit, delete and import tracks (admins only, re-checked on every mutation).

:class:`CatalogAdmin` (moved from ``Engine``'s "catalog admin" section, bodies unchanged) writes through the
:class:`~core.app.ports.CatalogRepository` port — field-level updates, one transaction each, never a stale row written
back — and then updates the live table and KNN index of the :class:`~core.app.loaded.LoadedCatalog` incrementally.
One ``asyncio.Lock`` (the engine's write lock) orders this process's writes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core import policy
from core.app.loaded import LiveParts, LoadedCatalog
from core.app.ports import CatalogRepository
from core.app.tracks import TrackFinder
from core.catalog_rows import ImportReport, ProgressFn, normalize_text
from core.catalog_io import MAX_DECOMPRESSED_BYTES
from core.errors import InvalidInput, PermissionDenied, SongNotFound
from core.models import AUDIO_FEATURES, FEATURE_RANGES, Caller, Track
from core.plain_text import text_problem
from core.references import TRACK_ID


def _split_artists(artists: str) -> list[str]:
    """``"A; B, C"`` -> ``["A", "B", "C"]`` (admin input: artists separated by ``;`` or ``,``)."""
    return [a.strip() for a in re.split(r"[;,]", artists) if a.strip()]


class CatalogAdmin(LiveParts):
    """Admin mutations of the catalog.

    Args:
        catalog: the stored catalog (port).
        loaded: the in-memory table / index to keep in step.
        finder: resolves the track an edit or delete names.
        lock: the write lock shared with every other writer on the catalog connection.
        follower: returns the running :class:`core.infra.changes.CatalogFollower` (or None), told about imports.
    """

    def __init__(
        self, catalog: CatalogRepository, loaded: LoadedCatalog, finder: TrackFinder, lock: asyncio.Lock,
        follower: Callable[[], Any] = lambda: None,
    ) -> None:
        self.catalog = catalog
        self.loaded = loaded
        self.finder = finder
        self._write_lock = lock
        self._follower = follower

    @property
    def follower(self) -> Any:
        """The running catalog follower, or None."""
        return self._follower()

    def resolve(self, ref: str, fuzzy: bool = True) -> int:
        """:meth:`core.app.tracks.TrackFinder.resolve`."""
        return self.finder.resolve(ref, fuzzy=fuzzy)

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        return self.finder.label(pos)

    def _apply_upsert(self, track: Track, refit: bool = True) -> Track:
        return self.loaded.apply_upsert(track, refit)

    def _apply_delete(self, track_id: str, refit: bool = True) -> bool:
        return self.loaded.apply_delete(track_id, refit)

    def _text_changed(self) -> None:
        self.loaded.text_changed()

    async def _reload_table(self) -> None:
        await self.loaded.reload(self.catalog)

    @staticmethod
    def require_admin(caller: Caller, action: str) -> None:
        """Raise :class:`PermissionDenied` unless ``caller`` is an admin (checked on every mutation)."""
        if not policy.may_edit_catalog(caller):  # operators' lists only (core.policy)
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
        problem = text_problem(data)
        if problem:
            raise InvalidInput(problem[1], problem[0])
        missing = [f for f in AUDIO_FEATURES if data.get(f) is None]
        if missing:  # hand-added songs carry all features (imports may lack them; see core.catalog_io)
            raise InvalidInput(f"A new song needs all audio features; missing: {', '.join(missing)}.", missing[0])
        track = self.validate_track(data)
        async with self._write_lock:  # the duplicate check and the insert are one step
            # insert-only in the database too: another process may have added this id since this table was loaded
            if track.track_id in self.table.pos or not await self.catalog.upsert_track(track, only_new=True):
                raise InvalidInput(f"A track with id {track.track_id} already exists; use /editsong.", "track_id")
            return self._apply_upsert(track)

    async def edit_song(self, caller: Caller, ref: str, changes: dict[str, Any]) -> Track:
        """Change fields of an existing track (admin only); the track id cannot change.

        Raises:
            PermissionDenied, SongNotFound, InvalidInput.
        """
        self.require_admin(caller, "edit songs")
        if not changes:
            raise InvalidInput("Nothing to change: give field=value pairs, e.g. energy=0.8 tempo=120.")
        async with self._write_lock:  # read, merge and write as one step: concurrent edits never undo each other
            pos = self._resolve_for_change(ref)
            current = self.table.track(pos).model_dump(exclude={"artist", "spotify_url"})
            changes = dict(changes)
            if "track_id" in changes and changes["track_id"] != current["track_id"]:
                raise InvalidInput("The track id cannot be changed.", "track_id")
            unknown = set(changes) - set(current)
            if unknown:
                raise InvalidInput(f"Unknown field(s): {', '.join(sorted(unknown))}.", sorted(unknown)[0])
            if isinstance(changes.get("artists"), str):
                changes["artists"] = _split_artists(changes["artists"])
            problem = text_problem(changes)  # only what this edit writes: older rows are not re-judged
            if problem:
                raise InvalidInput(problem[1], problem[0])
            if "release_date" in changes and "year" not in changes:
                head = str(changes["release_date"] or "")[:4]
                changes["year"] = int(head) if head.isdigit() and 1900 <= int(head) <= 2100 else None
            track = self.validate_track({**current, **changes})  # the whole track must stay valid
            # write ONLY the changed fields (validated values), never the row as this process remembers it: another
            # process's concurrent edit of another field survives (issue 11, "no lost updates")
            fields = {name: getattr(track, name) for name in changes}
            stored = await self.catalog.update_fields(track.track_id, fields)
            if stored is None:  # deleted meanwhile by another process
                self._apply_delete(track.track_id)
                raise SongNotFound(ref)
            return self._apply_upsert(stored)

    def _resolve_for_change(self, ref: str) -> int:
        """The track an admin edit or delete names: an exact match only (never a fuzzy guess), and a title that
        several artists' tracks share must name the artist.

        Raises:
            SongNotFound: no exact match (with suggestions). InvalidInput: the title is ambiguous.
        """
        pos = self.resolve(ref, fuzzy=False)
        same = self.refs.title_index().get(normalize_text(ref), [])
        artists = {self.table.artists[p][0] if self.table.artists[p] else "" for p in same}
        if len(artists) > 1:
            options = "; ".join(self.label(p) for p in same[:5])
            raise InvalidInput(f"Several tracks are called that — name the artist too, e.g. “{self.label(pos)}” "
                               f"(matches: {options}).", "track")
        return pos

    async def delete_song(self, caller: Caller, ref: str) -> Track:
        """Delete a track (admin only). Returns the deleted track.

        Raises:
            PermissionDenied, SongNotFound.
        """
        self.require_admin(caller, "delete songs")
        async with self._write_lock:
            pos = self._resolve_for_change(ref)
            track = self.table.track(pos)
            await self.catalog.delete_track(track.track_id)
            self.table.delete(track.track_id)
            self.recommender.on_delete(pos)
            self._text_changed()
        return track

    async def _store_locked(self, track: Track) -> Track:
        """Write a validated track to the catalog, the table and the index (caller holds ``_write_lock``)."""
        await self.catalog.upsert_track(track)
        return self._apply_upsert(track)


    async def import_catalog(
        self, caller: Caller, path: Path, map_pairs: list[str] | None = None, replace: bool = False,
        progress: ProgressFn | None = None, max_decompressed: int = MAX_DECOMPRESSED_BYTES,
    ) -> ImportReport:
        """Import a CSV into the catalog (admin only) and rebuild the in-memory table and index.

        ``max_decompressed``: byte cap for a gzip file's decompressed size (see :mod:`core.catalog_io`).

        Raises:
            PermissionDenied, ImportFailed, InvalidInput.
        """
        self.require_admin(caller, "import catalogs")
        async with self._write_lock:
            report = await self.catalog.import_file(
                path, map_pairs=map_pairs, replace=replace, progress=progress, max_decompressed=max_decompressed
            )
            seq = await self.catalog.change_version()
            await self._reload_table()
            if self.follower is not None:  # the table already holds this import: don't reload it a second time
                self.follower.seq = max(self.follower.seq, seq)
        return report

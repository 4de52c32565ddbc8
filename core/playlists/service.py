"""Group playlists' use cases (:class:`PlaylistService`): create, add, remove, show (paginated), rename, delete,
recommend, export — with their permission checks and limits.

Permissions (checked here, not only in adapters or prompts; callers are :class:`core.models.Caller`):

* any member of the group may list, show, export, create playlists, add tracks and ask for recommendations;
* a track may be removed by whoever added it, the playlist's creator, a group admin or a bot admin;
* rename and delete: the playlist's creator, a group admin or a bot admin. "Group admin" is what the platform says
  (Telegram chat administrator, Discord *Manage Server*): the adapter passes ``group_admin=True``. A bot admin is
  ``caller.is_admin`` (from settings).
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from core import policy
from core.error_words import denied, invalid, limit_reached
from core.errors import InvalidInput
from core.models import Caller, Filters, Recommendation, RecommendedTrack, Track
from core.playlists.diversity import diversify
from core.playlists.models import (
    Playlist,
    PlaylistChange,
    PlaylistEntry,
    PlaylistExport,
    PlaylistLimits,
    PlaylistNotFound,
    PlaylistPage,
    from_epoch,
    member_key,
)
from core.playlists.wording import change_text
from core.reply_words import counted, say
from core.playlists.names import check_group, check_name, name_key
from core.playlists.store import PlaylistRow, PlaylistStore

from core.spotify_links import SPOTIFY_ID, parse_link

if TYPE_CHECKING:
    from core.app.ports import PlaylistCatalog

_INDEX_REF = re.compile(r"^#(\d{1,4})$")


class PlaylistService:
    """Use cases for group playlists; built by the composition root (``core.engine.Engine``), reached as
    ``services.playlists``.

    Args:
        lookup: resolves references and holds the live track table and recommender
            (:class:`~core.app.ports.PlaylistCatalog`: :class:`core.app.discovery.Discovery`).
        store: the persistence port (SQLite or the in-memory fake).
        limits: size limits.
        exclusions: async ``caller -> table positions`` never to recommend to that caller (their dislikes and the
            duplicates of those: :meth:`core.feedback.FeedbackService.exclusions`), optional.
    """

    def __init__(
        self,
        lookup: PlaylistCatalog,
        store: PlaylistStore,
        limits: PlaylistLimits | None = None,
        exclusions: Callable[[Caller], Awaitable[set[int]]] | None = None,
    ) -> None:
        self.lookup = lookup
        self.store = store
        self.limits = limits or PlaylistLimits()
        self._exclusions = exclusions

    # ------------------------------------------------------------------ validation helpers
    check_group = staticmethod(check_group)

    def check_name(self, name: str) -> tuple[str, str]:
        """Clean a playlist name -> ``(display name, lookup key)``. Raises InvalidInput (empty, too long, `#…`)."""
        return check_name(name, self.limits.name_chars)

    async def _row(self, group_id: str, playlist: str | int) -> PlaylistRow:
        await self.store.setup()
        group_id = self.check_group(group_id)
        if isinstance(playlist, int):
            row = await self.store.get(group_id, playlist)
            if row is None:
                raise PlaylistNotFound(f"#{playlist}")
            return row
        ref = " ".join(str(playlist or "").split())
        if not ref:
            raise invalid("pl which name", "playlist")
        row = await self.store.find(group_id, name_key(ref))
        if row is None and re.fullmatch(r"#?\d{1,12}", ref):
            row = await self.store.get(group_id, int(ref.lstrip("#")))
        if row is None:
            names = [r.name for r in await self.store.list(group_id)]
            hits = process.extract(ref, names, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
            raise PlaylistNotFound(ref, [h[0] for h in hits])
        return row

    def _track(self, track_id: str) -> Track | None:
        pos = self.lookup.table.pos.get(track_id)
        return self.lookup.table.track(pos) if pos is not None else None

    def _resolve_ids(self, refs: str | Sequence[str], notes: list[str] | None = None) -> list[str]:
        refs = [refs] if isinstance(refs, str) else list(refs)
        refs = [r for r in refs if r and str(r).strip()]
        if not refs:
            raise invalid("pl which track", "track")
        if len(refs) > self.limits.refs_per_call:
            raise limit_reached("pl add at most", n=self.limits.refs_per_call)
        t = self.lookup.table
        found = [self.lookup.resolve_ref(r) for r in refs]  # SongNotFound (with suggestions) on the first miss
        if notes is not None:  # another track than the one asked for: the reply says so first
            notes.extend(f.note for f in found if f.note)
        return [t.ids[f.pos] for f in found]

    @staticmethod
    def _may_manage(caller: Caller, row: PlaylistRow, group_admin: bool) -> bool:
        return policy.may_manage_playlist(caller, row.created_by, group_admin)

    # ------------------------------------------------------------------ use cases
    async def list(self, group_id: str) -> list[Playlist]:
        """Every playlist of a group, by name (with track counts)."""
        await self.store.setup()
        return [r.model() for r in await self.store.list(self.check_group(group_id))]

    async def get(self, group_id: str, playlist: str | int) -> Playlist:
        """One playlist by name (case/accent-insensitive) or id. Raises PlaylistNotFound."""
        return (await self._row(group_id, playlist)).model()

    async def create(self, caller: Caller, group_id: str, name: str) -> Playlist:
        """Create an empty playlist owned by ``caller``.

        Raises:
            InvalidInput: bad name / group, or a playlist of that name exists. LimitReached: 100 playlists already.
        """
        await self.store.setup()
        group_id = self.check_group(group_id)
        name, key = self.check_name(name)
        res = await self.store.create(group_id, name, key, member_key(caller), self.limits.playlists_per_group)
        if res == "full":
            raise limit_reached("pl too many", n=self.limits.playlists_per_group)
        if res == "exists":
            raise invalid("pl exists", "name", name=name)
        assert not isinstance(res, str)
        return res.model()

    async def add(
        self, caller: Caller, group_id: str, playlist: str | int, refs: str | Sequence[str]
    ) -> PlaylistChange:
        """Add tracks (ids, Spotify links/URIs, titles, "title - artist"; fuzzy). Duplicates are a no-op.

        All-or-nothing: every reference must resolve and the result must fit the 500-track limit.

        Raises:
            PlaylistNotFound, SongNotFound (with suggestions), LimitReached, InvalidInput.
        """
        row = await self._row(group_id, playlist)
        for r in [refs] if isinstance(refs, str) else list(refs)[: self.limits.refs_per_call]:
            await self.lookup.follow_short_links(str(r or ""))
        notes: list[str] = []
        ids = self._resolve_ids(refs, notes)
        out = await self.store.add_tracks(row.playlist_id, ids, member_key(caller), self.limits.tracks_per_playlist)
        if out.status == "missing":
            raise PlaylistNotFound(row.name)
        cap = self.limits.tracks_per_playlist
        if out.status == "full":
            new = len(set(ids)) - len(out.already)
            raise limit_reached("pl full", name=row.name, count=out.count, cap=cap, n=new)
        fresh = await self._row(group_id, row.playlist_id)
        added = [t for t in map(self._track, out.added) if t]
        already = [t for t in map(self._track, out.already) if t]
        change = PlaylistChange(playlist=fresh.model(), added=added, already=already, notes=list(dict.fromkeys(notes)),
                                cap=cap)
        return change.model_copy(update={"message": change_text(change, "en")})

    async def remove(
        self,
        caller: Caller,
        group_id: str,
        playlist: str | int,
        refs: str | Sequence[str],
        *,
        group_admin: bool = False,
    ) -> PlaylistChange:
        """Remove tracks by reference, by ``#N`` (1-based index as shown), or by id/link (even if no longer in the
        catalog).

        Allowed for whoever added the track, the playlist's creator, a group admin or a bot admin.

        Raises:
            PlaylistNotFound, SongNotFound, PermissionDenied, InvalidInput.
        """
        row = await self._row(group_id, playlist)
        refs = [refs] if isinstance(refs, str) else [r for r in refs if r and str(r).strip()]
        if not refs:
            raise invalid("pl which song here", "track")
        entries = await self.store.entries(row.playlist_id)
        by_id = {e.track_id: e for e in entries}
        ids: list[str] = []
        missing: list[str] = []
        for ref in refs:
            ref = str(ref).strip()
            m_idx, link = _INDEX_REF.match(ref), parse_link(ref)
            bare = SPOTIFY_ID.fullmatch(ref) is not None
            if m_idx:
                i = int(m_idx.group(1))
                if not 1 <= i <= len(entries):
                    raise invalid("pl out of range", "track", name=row.name, count=len(entries), i=i)
                tid = entries[i - 1].track_id
            elif link is not None and link.is_track and (not bare or link.id in by_id):
                tid = link.id  # a link removes its track even when it left the catalog
            else:
                tid = self.lookup.table.ids[self.lookup.resolve(ref)]
            if tid in by_id:
                ids.append(tid)
            else:
                missing.append(ref)
        if not all(policy.may_remove_entry(caller, row.created_by, by_id[t].added_by, group_admin) for t in ids):
            raise denied("remove tracks someone else added (ask the playlist's creator or an admin)", "deny remove others")
        removed = await self.store.remove_tracks(row.playlist_id, ids) if ids else []
        fresh = await self._row(group_id, row.playlist_id)
        change = PlaylistChange(playlist=fresh.model(), removed=removed, missing=missing)
        return change.model_copy(update={"message": change_text(change, "en", label=self._label)})

    def _label(self, track_id: str) -> str:
        t = self._track(track_id)
        return f"{t.title} - {t.artist}" if t else track_id

    async def show(self, group_id: str, playlist: str | int, page: int = 1, per_page: int = 10) -> PlaylistPage:
        """One page of a playlist (1-based ``page``; ``per_page`` 1–50). A page past the end is clamped to the last.

        Raises:
            PlaylistNotFound, InvalidInput (bad page size).
        """
        if not 1 <= per_page <= self.limits.per_page_max:
            raise InvalidInput(
                f"per_page must be 1–{self.limits.per_page_max}.", "per_page", f"1–{self.limits.per_page_max}"
            )
        row = await self._row(group_id, playlist)
        pages = max(1, math.ceil(row.track_count / per_page))
        page = min(max(1, int(page)), pages)
        rows = await self.store.entries(row.playlist_id, (page - 1) * per_page, per_page)
        entries = [
            PlaylistEntry(
                index=(page - 1) * per_page + i + 1,
                track_id=e.track_id,
                track=self._track(e.track_id),
                added_by=e.added_by,
                added_at=from_epoch(e.added_at),
            )
            for i, e in enumerate(rows)
        ]
        return PlaylistPage(
            playlist=row.model(), entries=entries, page=page, per_page=per_page, total=row.track_count, pages=pages
        )

    async def rename(
        self, caller: Caller, group_id: str, playlist: str | int, new_name: str, *, group_admin: bool = False
    ) -> Playlist:
        """Rename a playlist (creator, group admin or bot admin).

        Raises:
            PlaylistNotFound, PermissionDenied, InvalidInput (bad or taken name).
        """
        row = await self._row(group_id, playlist)
        if not self._may_manage(caller, row, group_admin):
            raise denied("rename a playlist they did not create", "deny rename")
        name, key = self.check_name(new_name)
        res = await self.store.rename(row.playlist_id, name, key)
        if res == "missing":
            raise PlaylistNotFound(row.name)
        if res == "exists":
            raise invalid("pl exists", "name", name=name)
        return await self.get(group_id, row.playlist_id)

    async def delete(
        self, caller: Caller, group_id: str, playlist: str | int, *, group_admin: bool = False
    ) -> Playlist:
        """Delete a playlist and its tracks (creator, group admin or bot admin). Returns what was deleted.

        Raises:
            PlaylistNotFound, PermissionDenied.
        """
        row = await self._row(group_id, playlist)
        if not self._may_manage(caller, row, group_admin):
            raise denied("delete a playlist they did not create", "deny delete")
        if not await self.store.delete(row.playlist_id):
            raise PlaylistNotFound(row.name)
        return row.model()

    async def export(self, group_id: str, playlist: str | int) -> PlaylistExport:
        """All track ids in order, with ``urls`` / ``uris`` / :meth:`PlaylistExport.as_text`.

        Raises:
            PlaylistNotFound.
        """
        row = await self._row(group_id, playlist)
        return PlaylistExport(
            playlist=row.model(), track_ids=[e.track_id for e in await self.store.entries(row.playlist_id)]
        )

    async def recommend(
        self,
        caller: Caller,
        group_id: str,
        playlist: str | int,
        limit: int = 10,
        filters: Filters | None = None,
        exclude_ids: Sequence[str] = (),
        diversity: float = 0.3,
    ) -> Recommendation:
        """Tracks close to the playlist as a whole, diverse, not already in it (nor duplicates of its tracks).

        Scores every catalog track against all playlist tracks (:meth:`Recommender.similar`: the similar-tracks
        score averaged over the playlist), takes the best ``4 × limit`` candidates (filters, per-artist cap and
        dedupe applied), then re-ranks them with :func:`diversify` (``diversity`` = 1 − λ). Tracks the caller
        disliked (and their duplicates) and ``exclude_ids`` (e.g. already shown in the conversation) are never
        returned.

        Raises:
            PlaylistNotFound, InvalidInput (empty playlist, limit outside 1–50).
        """
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise InvalidInput(f"limit must be between 1 and 50 (got {limit}).", "limit", "1–50")
        row = await self._row(group_id, playlist)
        ids = [e.track_id for e in await self.store.entries(row.playlist_id)]
        t, rec = self.lookup.table, self.lookup.recommender
        refs = [t.pos[i] for i in ids if i in t.pos]
        if not refs:
            raise invalid("pl no tracks", "playlist", name=row.name)
        exclude = {t.pos[i] for i in exclude_ids if i in t.pos}
        if self._exclusions is not None:
            exclude |= await self._exclusions(caller)
        filters = (filters or Filters()).model_copy(update={"limit": limit})
        # the playlist itself (and duplicates of its tracks) is excluded by similar(); 4x candidates for MMR
        pool = rec.similar(refs, filters, exclude=exclude, limit=min(4 * limit, 200))
        if pool:
            order = diversify(
                [s.pos for s in pool],
                [s.score for s in pool],
                rec.index.vectors[[s.pos for s in pool]],
                limit,
                lam=1.0 - diversity,
                tau=rec.params.tau_audio,
            )
            by_pos = {s.pos: s for s in pool}
            picked = [by_pos[p] for p in order]
        else:
            picked = []
        top = max((s.score for s in picked), default=1.0) or 1.0
        tracks = [
            RecommendedTrack(track=t.track(s.pos), score=round(s.score / top, 4), reason=s.reason, reasons=s.reasons)
            for s in picked
        ]
        return Recommendation(
            kind="playlist",
            query=row.name,
            tracks=tracks,
            filters=filters,
            summary=say("pl rec summary", name=row.name, tracks=counted(len(refs), "1 track", "n tracks")),
        )

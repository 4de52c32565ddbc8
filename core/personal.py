"""Group playlists, a person's likes/dislikes, personalised recommendations and track previews (issue 6).

:class:`PersonalMixin` is mixed into :class:`core.engine.Engine`. Its services are created lazily on the catalog
connection and share the engine's write lock (one transaction at a time on that connection); the rules live in the
services themselves — see :mod:`core.playlists`, :mod:`core.feedback` and :mod:`core.previews`. The ``*_for``
recommendations run the engine's own pipelines with the feedback service as the ranker: never the caller's dislikes,
nudged by their likes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.errors import InvalidInput
from core.models import Caller, Filters, NeedsClarification, Recommendation, TextQuery

if TYPE_CHECKING:
    from core.engine import Engine
    from core.feedback import FeedbackResult, FeedbackService
    from core.playlists import PlaylistService
    from core.previews import PreviewConfig, PreviewService, TrackPreview


class PersonalMixin:
    """The playlist / feedback / preview part of :class:`core.engine.Engine` (services built on first use)."""

    _playlist_service: PlaylistService | None = None
    _feedback_service: FeedbackService | None = None
    _preview_service: PreviewService | None = None

    # ------------------------------------------------------------------ services
    @property
    def playlists(self: Engine) -> PlaylistService:
        """Group playlists (:class:`core.playlists.PlaylistService`): create/add/remove/show/rename/delete/…"""
        if self._playlist_service is None:
            from core.playlists import PlaylistService, SqlitePlaylistStore

            store = SqlitePlaylistStore(self.database)
            self._playlist_service = PlaylistService(self, store, exclusions=self.feedback.exclusions)
        return self._playlist_service

    @property
    def feedback(self: Engine) -> FeedbackService:
        """Likes / dislikes and taste profiles (:class:`core.feedback.FeedbackService`)."""
        if self._feedback_service is None:
            from core.feedback import FeedbackService

            self._feedback_service = FeedbackService(self)
        return self._feedback_service

    @property
    def previews(self) -> PreviewService:
        """Preview lookups (:class:`core.previews.PreviewService`); configured from the environment unless
        :meth:`configure_previews` was called (``bot.app`` should call it with ``PreviewConfig.from_settings``)."""
        if self._preview_service is None:
            from core.previews import PreviewConfig

            self.configure_previews(PreviewConfig.from_env())
        return self._preview_service

    def configure_previews(self: Engine, config: PreviewConfig) -> None:
        """Use these preview URLs / credentials / timeouts (replaces the service and its in-memory state)."""
        from core.previews import PreviewService

        self._preview_service = PreviewService(self.database, config)

    # ------------------------------------------------------------------ likes / dislikes
    async def like(self, caller: Caller, ref: str) -> FeedbackResult:
        """Like a track for ``caller``: later recommendations lean towards it. Raises SongNotFound / InvalidInput."""
        return await self.feedback.like(caller, ref)

    async def dislike(self, caller: Caller, ref: str) -> FeedbackResult:
        """Dislike a track: it is never recommended to ``caller`` again. Raises SongNotFound / InvalidInput."""
        return await self.feedback.dislike(caller, ref)

    async def disliked_ids(self, caller: Caller | str) -> set[str]:
        """Track ids ``caller`` disliked (a :class:`Caller` or a ``"platform:user_id"`` key)."""
        return await self.feedback.disliked_ids(caller)

    # ------------------------------------------------------------------ personalised recommendations
    async def recommend_similar_for(
        self: Engine,
        caller: Caller | None,
        refs: Sequence[str],
        filters: Filters | None = None,
        exclude_ids: Sequence[str] = (),
        *,
        conversation_id: str | None = None,
        first: int = 1,
    ) -> Recommendation:
        """:meth:`~core.engine.Engine.recommend_similar` for a person: never their dislikes, nudged by their likes.

        ``exclude_ids``: e.g. tracks already shown in the conversation. With a ``conversation_id`` the list is made
        and recorded for that conversation (:meth:`core.session.SessionMixin.show_request`: nothing it was shown
        comes back, the artist cap across pages holds, ``#first``… then refer to this list). Raises SongNotFound /
        InvalidInput.
        """
        if conversation_id is not None:
            from core.conversation import LastRequest

            refs = [r for r in refs if r and str(r).strip()]
            if not refs:
                raise InvalidInput("Give at least one song, e.g. /similar Blinding Lights - The Weeknd")
            ids = list(dict.fromkeys(self.table.ids[self.resolve(r)] for r in list(refs)[:25]))
            limit = filters.limit if filters is not None else 10
            result = await self.show_request(
                conversation_id, caller, LastRequest(kind="similar", refs=ids, filters=Filters(limit=limit)),
                merge=filters or Filters(), exclude_ids=exclude_ids, first=first,
            )
            assert isinstance(result, Recommendation)
            return result
        return await self._similar(
            refs, filters, exclude_ids, rank=lambda pos, f, ex: self.feedback.rank_similar(caller, pos, f, ex)
        )

    async def recommend_query_for(
        self: Engine, caller: Caller | None, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """:meth:`~core.engine.Engine.recommend_query` for a person (parsed request from the local parser or the LLM
        agent)."""
        return await self._query(
            query, exclude_ids, limit, rank=lambda q, ex, n: self.feedback.rank_text(caller, q, ex, n),
            similar_rank=lambda pos, f, ex, n, boost=None: self.feedback.rank_similar(caller, pos, f, ex, n, boost),
        )

    async def recommend_text_for(
        self: Engine,
        caller: Caller | None,
        text: str,
        filters: Filters | None = None,
        exclude_ids: Sequence[str] = (),
        limit: int | None = None,
        *,
        conversation_id: str | None = None,
        first: int = 1,
    ) -> Recommendation | NeedsClarification:
        """:meth:`~core.engine.Engine.recommend_text` for a person (local text understanding, dislikes excluded,
        likes blended in). With a ``conversation_id`` the list is made and recorded for that conversation (see
        :meth:`recommend_similar_for`), and "more" / "less upbeat" / "more like #3" continue from it."""
        if conversation_id is not None:
            from core.conversation import LastRequest
            from core.references import check_text

            # a limit given by the caller wins; else the count asked for in the text (capped, core.limits), else 10
            given = limit if limit is not None else (
                filters.limit if filters is not None and "limit" in filters.model_fields_set else None)
            text = check_text(text, "request")
            if given is not None:
                given = self._limit(given)
                spec = LastRequest(kind="text", request=text, filters=Filters(limit=given))
            else:
                spec = LastRequest(kind="text", request=text)
            merge = (filters or Filters()).model_copy(update={"limit": given}) if given is not None else (filters or Filters())
            return await self.show_request(
                conversation_id, caller, spec, merge=merge, exclude_ids=exclude_ids, first=first
            )
        parsed, limit = self._parse_request(text, filters, limit)
        if isinstance(parsed, NeedsClarification):
            return parsed
        return await self.recommend_query_for(caller, parsed, exclude_ids=exclude_ids, limit=limit)

    # ------------------------------------------------------------------ previews
    async def preview(self: Engine, ref: str) -> TrackPreview:
        """The track for ``ref`` with its best-effort preview (``preview_url`` None when none was found).

        Only a bad reference raises (SongNotFound / InvalidInput); the lookup itself never does.
        """
        from core.previews import TrackPreview

        await self.follow_short_links(ref)
        track = self.table.track(self.resolve(ref))
        found = await self.previews.find(track)
        return found or TrackPreview(track=track)

    async def preview_urls(self: Engine, track_ids: Sequence[str], budget_s: float = 3.0) -> dict[str, str | None]:
        """Preview URLs for a reply's tracks within ``budget_s`` seconds (unknown/late/failed ids -> None)."""
        tracks = [self.table.track(self.table.pos[i]) for i in dict.fromkeys(track_ids) if i in self.table.pos]
        out: dict[str, str | None] = {i: None for i in track_ids}
        out.update(await self.previews.many(tracks, budget_s=budget_s))
        return out

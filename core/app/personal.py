"""Personal use cases: likes/dislikes, personalised recommendations, track previews, group playlists (issue 6).

:class:`Personal` (moved from ``core.personal.PersonalMixin``, bodies unchanged) runs the discovery pipelines
(:class:`core.app.discovery.Discovery`) with the feedback ranker (:class:`~core.app.ports.Feedback`): never the caller's
dislikes, nudged by their likes; with a conversation id the list is made and recorded through
:class:`core.app.session.Sessions`. The feedback, playlist and preview services are built on first use by factories
the composition root passes in (they live on the catalog connection and share its write lock).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from core.app.discovery import Discovery
from core.app.loaded import LiveParts
from core.app.ports import Feedback, PreviewCache
from core.app.session import Sessions
from core.errors import InvalidInput
from core.models import Caller, Filters, NeedsClarification, Recommendation, TextQuery

if TYPE_CHECKING:
    from core.feedback import FeedbackResult
    from core.playlists import PlaylistService
    from core.previews import PreviewConfig, TrackPreview


class Personal(LiveParts):
    """Feedback, personalised recommendations, previews and the playlist service.

    Args:
        discovery: the search / recommendation pipelines.
        sessions: records a list for a conversation (``show_request``).
        make_feedback: builds the feedback service (called once).
        make_playlists: ``make_playlists(exclusions) -> PlaylistService`` (called once; ``exclusions`` is the
            feedback service's, so a playlist recommendation never holds the caller's dislikes).
        make_previews: ``make_previews(config or None = from the environment) -> PreviewCache``.
    """

    def __init__(
        self,
        discovery: Discovery,
        sessions: Sessions,
        *,
        make_feedback: Callable[[], Feedback],
        make_playlists: Callable[[Any], PlaylistService],
        make_previews: Callable[[PreviewConfig | None], PreviewCache],
    ) -> None:
        self.discovery = discovery
        self.loaded = discovery.loaded  # the live table / recommender (LiveParts)
        self.sessions = sessions
        self._make_feedback = make_feedback
        self._make_playlists = make_playlists
        self._make_previews = make_previews
        self._feedback_service: Feedback | None = None
        self._playlist_service: PlaylistService | None = None
        self._preview_service: PreviewCache | None = None

    # ------------------------------------------------------------------ services
    @property
    def playlists(self) -> PlaylistService:
        """Group playlists (:class:`core.playlists.PlaylistService`): create/add/remove/show/rename/delete/…"""
        if self._playlist_service is None:
            self._playlist_service = self._make_playlists(self.feedback.exclusions)
        return self._playlist_service

    @property
    def feedback(self) -> Feedback:
        """Likes / dislikes and taste profiles (:class:`core.feedback.FeedbackService`)."""
        if self._feedback_service is None:
            self._feedback_service = self._make_feedback()
        return self._feedback_service

    @property
    def previews(self) -> PreviewCache:
        """Preview lookups (:class:`core.previews.PreviewService`); configured from the environment unless
        :meth:`configure_previews` was called (``bot.app`` should call it with ``PreviewConfig.from_settings``)."""
        if self._preview_service is None:
            self._preview_service = self._make_previews(None)
        return self._preview_service

    def configure_previews(self, config: PreviewConfig) -> None:
        """Use these preview URLs / credentials / timeouts (replaces the service and its in-memory state)."""
        self._preview_service = self._make_previews(config)

    # ------------------------------------------------------------------ the discovery parts the bodies below use
    def resolve(self, ref: str, fuzzy: bool = True) -> int:
        """:meth:`core.app.tracks.TrackFinder.resolve`."""
        return self.discovery.finder.resolve(ref, fuzzy=fuzzy)

    async def follow_short_links(self, text: str) -> None:
        """:meth:`core.app.tracks.TrackFinder.follow_short_links`."""
        await self.discovery.follow_short_links(text)

    async def understand_async(self, text: str, limit: int = 10, lang: str = "") -> TextQuery | NeedsClarification:
        """:meth:`core.app.discovery.Discovery.understand_async`."""
        return await self.discovery.understand_async(text, limit, lang)

    async def recommend_similar(
        self, refs: Sequence[str], filters: Filters | None = None, exclude_ids: Sequence[str] = ()
    ) -> Recommendation:
        """:meth:`core.app.discovery.Discovery.recommend_similar` (no caller: nobody's dislikes)."""
        return await self.discovery.recommend_similar(refs, filters, exclude_ids)

    async def recommend_query(
        self, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """:meth:`core.app.discovery.Discovery.recommend_query` (no caller: nobody's dislikes)."""
        return await self.discovery.recommend_query(query, exclude_ids, limit)

    def _similar(self, *args: Any, **kwargs: Any) -> Any:
        return self.discovery._similar(*args, **kwargs)  # noqa: SLF001 - the shared pipeline, with a ranker

    def _query(self, *args: Any, **kwargs: Any) -> Any:
        return self.discovery._query(*args, **kwargs)  # noqa: SLF001

    def _parse_request(self, *args: Any, **kwargs: Any) -> Any:
        return self.discovery._parse_request(*args, **kwargs)  # noqa: SLF001

    @staticmethod
    def _limit(limit: int | None) -> int:
        return Discovery._limit(limit)  # noqa: SLF001

    async def show_request(self, *args: Any, **kwargs: Any) -> Recommendation | NeedsClarification:
        """:meth:`core.app.session.Sessions.show_request`."""
        return await self.sessions.show_request(*args, **kwargs)

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
        self,
        caller: Caller | None,
        refs: Sequence[str],
        filters: Filters | None = None,
        exclude_ids: Sequence[str] = (),
        *,
        conversation_id: str | None = None,
        first: int = 1,
    ) -> Recommendation:
        """:meth:`~core.app.discovery.Discovery.recommend_similar` for a person: never their dislikes, nudged by their likes.

        ``exclude_ids``: e.g. tracks already shown in the conversation. With a ``conversation_id`` the list is made
        and recorded for that conversation (:meth:`core.app.session.Sessions.show_request`: nothing it was shown
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
        self, caller: Caller | None, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """:meth:`~core.app.discovery.Discovery.recommend_query` for a person (parsed request from the local parser or the LLM
        agent)."""
        return await self._query(
            query, exclude_ids, limit, rank=lambda q, ex, n, boost=None: self.feedback.rank_text(caller, q, ex, n, boost),
            similar_rank=lambda pos, f, ex, n, boost=None, intensity=True: self.feedback.rank_similar(
                caller, pos, f, ex, n, boost, intensity),
        )

    async def recommend_text_for(
        self,
        caller: Caller | None,
        text: str,
        filters: Filters | None = None,
        exclude_ids: Sequence[str] = (),
        limit: int | None = None,
        *,
        conversation_id: str | None = None,
        first: int = 1,
    ) -> Recommendation | NeedsClarification:
        """:meth:`~core.app.discovery.Discovery.recommend_text` for a person (local text understanding, dislikes excluded,
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
    async def preview(self, ref: str) -> TrackPreview:
        """The track for ``ref`` with its best-effort preview (``preview_url`` None when none was found).

        Only a bad reference raises (SongNotFound / InvalidInput); the lookup itself never does.
        """
        from core.previews import TrackPreview

        await self.follow_short_links(ref)
        track = self.table.track(self.resolve(ref))
        found = await self.previews.find(track)
        return found or TrackPreview(track=track)

    async def preview_urls(self, track_ids: Sequence[str], budget_s: float = 3.0) -> dict[str, str | None]:
        """Preview URLs for a reply's tracks within ``budget_s`` seconds (unknown/late/failed ids -> None)."""
        tracks = [self.table.track(self.table.pos[i]) for i in dict.fromkeys(track_ids) if i in self.table.pos]
        out: dict[str, str | None] = {i: None for i in track_ids}
        out.update(await self.previews.many(tracks, budget_s=budget_s))
        return out

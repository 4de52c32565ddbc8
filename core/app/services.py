"""The application services as one typed bundle: what the composition root hands every adapter and the agent.

:class:`AppServices` holds the use-case services of :mod:`core.app` (built once by :class:`core.engine.Engine`, the
composition root) and names the services they own (playlists, feedback, previews, rate limits, button state), so an
adapter calls ``app.discovery.search(...)`` or ``app.chat.chat(...)`` and never reaches into the engine, the track
table or storage. Each field is the narrow service for one family of use cases:

========================  ============================================================================================
``tracks``                :class:`~core.app.tracks.TrackFinder` — track references (ids, links, titles, fuzzy)
``discovery``             :class:`~core.app.discovery.Discovery` — search, recommendations, request understanding
``admin``                 :class:`~core.app.catalog_admin.CatalogAdmin` — add / edit / delete / import (admins only)
``sessions``              :class:`~core.app.session.Sessions` — list on screen, ``#N``, pages, turns, button state
``personal``              :class:`~core.app.personal.Personal` — likes, personalised lists, previews, playlists
``chat``                  :class:`core.chat.ChatService` — one chat message -> one reply (commands or the agent)
``rate_limits``           :class:`~core.app.ports.RateLimits` — per-user flood control in the database
========================  ============================================================================================
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from core.app.catalog_admin import CatalogAdmin
from core.app.discovery import Discovery
from core.app.personal import Personal
from core.app.ports import ButtonState, Feedback, PreviewCache, RateLimits
from core.app.session import Sessions
from core.app.tracks import TrackFinder

if TYPE_CHECKING:
    from core.chat import ChatService
    from core.playlists import PlaylistService


@dataclass(eq=False)
class AppServices:
    """The use-case services one process runs (see the module docstring for each field).

    Attributes:
        tracks, discovery, admin, sessions, personal: the :mod:`core.app` services.
        chat: the chat use case (:class:`core.chat.ChatService`), set by the composition root once built (it takes
            this bundle).
        make_rate_limits: builds the :class:`~core.app.ports.RateLimits` store (called once, on first use).
    """

    tracks: TrackFinder
    discovery: Discovery
    admin: CatalogAdmin
    sessions: Sessions
    personal: Personal
    make_rate_limits: Callable[[], RateLimits]
    chat: ChatService = field(init=False)

    @property
    def playlists(self) -> PlaylistService:
        """Group playlists (:class:`core.playlists.PlaylistService`)."""
        return self.personal.playlists

    @property
    def feedback(self) -> Feedback:
        """Likes / dislikes (:class:`core.feedback.FeedbackService`)."""
        return self.personal.feedback

    @property
    def previews(self) -> PreviewCache:
        """Audio preview lookups with a cache (:class:`core.previews.PreviewService`)."""
        return self.personal.previews

    @cached_property
    def rate_limits(self) -> RateLimits:
        """Per-user flood control in the database (:class:`core.ratelimit.RateLimiter`), built on first use."""
        return self.make_rate_limits()

    async def buttons(self) -> ButtonState:
        """The shared inline-keyboard button state (:meth:`core.app.session.Sessions.button_store`)."""
        return await self.sessions.button_store()


class OpenServices(Protocol):
    """What an adapter's entry point (``run_telegram``, ``run_discord``) gets from the composition root's factory: the
    services to serve, and a way to close what they run on. :class:`core.engine.Engine` satisfies it."""

    @property
    def app(self) -> AppServices:
        """The application services."""
        ...

    async def close(self) -> None:
        """Stop following catalog changes and close the database connections."""
        ...


#: Opens the configured services (``bot.cli`` passes ``bot.app.build_engine`` bound to the settings and ``--db``).
ServicesFactory = Callable[[], Awaitable[OpenServices]]

"""Where "Next page" buttons keep their request: a short random key -> :class:`PageState`.

A button's ``custom_id`` holds only ``mb:next:<key>`` (Discord allows 100 characters; a free-text request may have
2,000), so the request itself lives here. :class:`SharedPageStore` keeps it in the engine's button store
(:mod:`core.buttons`, the catalog database), so buttons keep working after a restart and on every shard process;
entries older than :data:`TTL_DAYS` expire. :class:`MemoryPageStore` is the in-process fake.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol

from core.buttons import ButtonStore

#: Days a stored page stays usable.
TTL_DAYS = 30
#: Track ids remembered per request (so later pages never repeat a track).
MAX_SHOWN = 500



@dataclass
class PageState:
    """A request that produced a page of tracks, enough to compute the next page.

    ``kind`` is ``text`` (``query`` = free text), ``similar`` (``refs`` = track references), ``search``
    (``query`` = search words) or ``playlist`` (recommendations from a playlist: ``query`` = the playlist group,
    ``refs`` = ``[playlist id]``). ``filters`` holds only explicitly set :class:`core.models.Filters` fields.
    ``shown`` lists every track id already shown for this request; ``page`` is the number of pages shown (0 before
    the first).
    """

    kind: Literal["text", "similar", "search", "playlist"]
    query: str = ""
    refs: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    page: int = 0
    page_size: int = 10
    shown: list[str] = field(default_factory=list)

    def advance(self, track_ids: list[str]) -> PageState:
        """The state after showing one more page holding ``track_ids``."""
        shown = (self.shown + [t for t in track_ids if t not in self.shown])[-MAX_SHOWN:]
        return PageState(
            self.kind, self.query, list(self.refs), dict(self.filters), self.page + 1, self.page_size, shown
        )

    def to_json(self) -> str:
        """Compact JSON of every field."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PageState:
        """Inverse of :meth:`to_json`."""
        return cls(**json.loads(text))


def new_key() -> str:
    """A 12-character URL-safe random key (72 bits)."""
    return secrets.token_urlsafe(9)


class PageStore(Protocol):
    """Key -> :class:`PageState` storage."""

    async def save(self, state: PageState) -> str: ...

    async def load(self, key: str) -> PageState | None: ...

    async def close(self) -> None: ...


class MemoryPageStore:
    """In-process store (lost on restart); for ``:memory:`` catalogs and tests."""

    def __init__(self) -> None:
        self._data: dict[str, PageState] = {}

    async def save(self, state: PageState) -> str:
        """Store ``state`` under a new key and return the key."""
        key = new_key()
        self._data[key] = PageState.from_json(state.to_json())
        return key

    async def load(self, key: str) -> PageState | None:
        """The state for ``key``, or None when unknown."""
        state = self._data.get(key)
        return PageState.from_json(state.to_json()) if state else None

    async def close(self) -> None:
        """Nothing to release."""


class SharedPageStore:
    """:class:`PageStore` in the engine's :class:`core.buttons.ButtonStore` (the catalog database, on the engine's
    own connection): every process of a sharded bot, and the bot after a restart, continue each other's pages."""

    def __init__(self, button_store: Callable[[], Awaitable[ButtonStore]]) -> None:
        self._store = button_store

    async def save(self, state: PageState) -> str:
        """Store ``state`` for :data:`TTL_DAYS` and return its key."""
        return await (await self._store()).put("discord", asdict(state), TTL_DAYS * 86400.0)

    async def load(self, key: str) -> PageState | None:
        """The state for ``key``, or None when unknown, expired or unreadable."""
        data = await (await self._store()).get(key)
        try:
            return PageState(**data) if data is not None else None
        except TypeError:
            return None

    async def close(self) -> None:
        """Nothing to release (the engine owns the connection)."""

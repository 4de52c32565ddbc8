"""Inline keyboards and the in-memory store behind their buttons.

Telegram's ``callback_data`` is 1–64 *bytes*, so a button never carries a title: it carries a short random key into
:class:`CallbackStore` (LRU + TTL, in memory) plus a one-letter action and a small number, e.g. ``m|Xy3_k9Qa|4``
("More like #4" of the list stored under ``Xy3_k9Qa``). After a restart, or once an entry ages out, the key is
unknown and the handler answers with a friendly "expired" message.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.models import Filters, Recommendation

#: Telegram's limit on ``callback_data`` (bytes, UTF-8).
MAX_CALLBACK_BYTES = 64
SEP = "|"
#: Action prefixes. Issue 6 adds e.g. "a" (add to playlist) through :data:`ExtraRows` and its own handler.
MORE_LIKE = "m"
NEXT_PAGE = "p"

T = TypeVar("T")


@dataclass
class PageState:
    """What a button press needs to continue a track list without asking the user again.

    ``kind`` is the recommendation kind (``text``, ``similar``, ``search``, ``playlist``, ``song``); ``query`` the
    request text, ``refs`` the reference songs (similar), ``track_ids`` the tracks on this page in display order,
    ``shown`` every id shown so far in this list (excluded from the next page), ``start`` the number of the first
    track on this page.
    """

    kind: str
    query: str = ""
    refs: list[str] = field(default_factory=list)
    filters: Filters | None = None
    track_ids: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    start: int = 1
    has_next: bool = True

    @classmethod
    def from_recommendation(cls, rec: Recommendation, start: int = 1, shown: Sequence[str] = ()) -> PageState:
        """State for a freshly shown recommendation page."""
        ids = [t.track.track_id for t in rec.tracks]
        refs = [r.strip() for r in rec.query.split(" | ") if r.strip()] if rec.kind == "similar" else []
        return cls(
            kind=rec.kind,
            query=rec.query,
            refs=refs,
            filters=rec.filters,
            track_ids=ids,
            shown=[*shown, *ids][-500:],
            start=start,
            has_next=rec.kind in ("text", "similar", "search") and bool(ids),
        )


class CallbackStore(Generic[T]):
    """A bounded mapping from short random keys to values, evicting the least recently used and the expired.

    Keys are 8 URL-safe characters (48 random bits). ``ttl_s`` is in seconds; ``clock`` is injectable for tests.
    """

    def __init__(self, ttl_s: float = 86400.0, max_items: int = 5000, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl_s <= 0 or max_items < 1:
            raise ValueError("ttl_s must be > 0 and max_items ≥ 1")
        self.ttl_s = ttl_s
        self.max_items = max_items
        self.clock = clock
        self._items: OrderedDict[str, tuple[float, T]] = OrderedDict()

    def put(self, value: T) -> str:
        """Store ``value`` and return its new key."""
        key = secrets.token_urlsafe(6)
        while key in self._items:  # pragma: no cover - 2**-48 chance
            key = secrets.token_urlsafe(6)
        self._items[key] = (self.clock() + self.ttl_s, value)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> T | None:
        """The value under ``key``, or None when unknown or expired (expired entries are dropped)."""
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if self.clock() >= expires:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._items)


def callback_data(action: str, key: str, arg: int | str | None = None) -> str:
    """Encode a button's data (``action|key[|arg]``); raises ValueError over 64 bytes."""
    parts = [action, key] + ([str(arg)] if arg is not None else [])
    data = SEP.join(parts)
    if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES:
        raise ValueError(f"callback_data must be 1–{MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def parse_callback(data: str | None) -> tuple[str, str, str]:
    """``"m|key|4"`` -> ``("m", "key", "4")``; missing parts are ``""``."""
    parts = (data or "").split(SEP)
    parts += [""] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


#: Hook for extra keyboard rows under a list, e.g. issue 6's "Add to playlist": ``(key, state) -> rows``.
ExtraRows = Callable[[str, PageState], list[list[InlineKeyboardButton]]]


def list_keyboard(key: str, state: PageState, extra_rows: Sequence[ExtraRows] = (), per_row: int = 3) -> InlineKeyboardMarkup | None:
    """"More like #n" for every track on the page (``per_row`` per row), extra rows, then "Next page ▶"."""
    rows: list[list[InlineKeyboardButton]] = []
    buttons = [
        InlineKeyboardButton(f"More like #{n}", callback_data=callback_data(MORE_LIKE, key, i))
        for i, n in enumerate(range(state.start, state.start + len(state.track_ids)))
    ]
    rows += [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    for extra in extra_rows:
        rows += extra(key, state)
    if state.has_next:
        rows.append([InlineKeyboardButton("Next page ▶", callback_data=callback_data(NEXT_PAGE, key))])
    return InlineKeyboardMarkup(rows) if rows else None


def song_keyboard(key: str, state: PageState) -> InlineKeyboardMarkup:
    """One "More like this" button under a single track."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("More like this", callback_data=callback_data(MORE_LIKE, key, 0))]])

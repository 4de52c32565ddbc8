"""Inline keyboards and the in-memory store behind their buttons.

Telegram's ``callback_data`` is 1–64 *bytes*, so a button never carries a title: it carries a short random key into
:class:`SharedPages` (the database's ``button_state`` table, :mod:`core.buttons`, shared by every worker and kept
across restarts) plus a one-letter action and small numbers, e.g. ``m|Xy3_k9Qa|4`` ("More like #4" of the list
stored under ``Xy3_k9Qa``). Once an entry ages out (``TELEGRAM_CALLBACK_TTL_S``) the key is unknown and the handler
answers with a friendly "expired" message.

Actions (``KEY`` = list key, ``i`` = 0-based index on the page, ``PID`` = playlist id):

* ``m|KEY|i`` More like track i · ``p|KEY`` Next page
* ``k|KEY|a`` / ``k|KEY|l`` / ``k|KEY|d`` open the track picker for Add / Like / Dislike (replaces the list's
  keyboard) · ``b|KEY`` back to the list's keyboard
* ``l|KEY|i`` / ``d|KEY|i`` like / dislike track i (for the person who pressed)
* ``a|KEY|i`` add track i: open the playlist picker · ``t|KEY|i|PID`` add track i to playlist PID
* ``g|KEY`` "📊 Chart" of the list (or song card) · ``v|PID|page`` show a playlist page · ``r|PID`` recommend from it · ``e|PID`` export it
* ``x|PID`` / ``c|PID`` confirm / cancel a delete

Playlist buttons carry only the playlist id: the group comes from the chat the button is in, and every action is
re-checked by the engine, so they never expire.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.buttons import ButtonStore
from core.models import Filters, Recommendation
from core.reply_words import say

#: Telegram's limit on ``callback_data`` (bytes, UTF-8).
MAX_CALLBACK_BYTES = 64
SEP = "|"
#: Action prefixes (see the module docstring).
MORE_LIKE = "m"
NEXT_PAGE = "p"
PICK = "k"
BACK = "b"
LIKE = "l"
DISLIKE = "d"
ADD_PICK = "a"
ADD_TO = "t"
PL_SHOW = "v"
PL_RECOMMEND = "r"
PL_EXPORT = "e"
PL_DELETE = "x"
PL_CANCEL = "c"
#: "📊 Chart" of the list / song card stored under KEY (``g|KEY``; handled by :mod:`adapters.telegram.charts`).
CHART = "g"
#: Picker modes of ``k|KEY|mode``: button prefix per mode.
PICK_MODES = {ADD_PICK: "➕", LIKE: "👍", DISLIKE: "👎"}
#: Buttons per row in the track picker (10 tracks -> two rows of five) and the playlist picker.
PICKER_PER_ROW = 5
PLAYLIST_PICKER_MAX = 20

@dataclass
class PageState:
    """What a button press needs to continue a track list without asking the user again.

    ``kind`` is the recommendation kind (``text``, ``similar``, ``search``, ``playlist``, ``song``); ``query`` the
    request text, ``refs`` the reference songs (similar), ``track_ids`` the tracks on this page in display order,
    ``shown`` every id shown so far in this list (excluded from the next page), ``start`` the number of the first
    track on this page. For ``playlist`` lists (recommendations from a playlist), ``group`` / ``playlist_id`` say
    which playlist the next page comes from. ``chat`` marks a list the conversation's agent made (free text): its
    next page is the engine's ``/more``, which keeps the request's refinements ("less upbeat", "only 90s").
    """

    kind: str
    query: str = ""
    refs: list[str] = field(default_factory=list)
    filters: Filters | None = None
    track_ids: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    start: int = 1
    has_next: bool = True
    group: str = ""
    playlist_id: int | None = None
    chat: bool = False
    #: The language the list was worded in (:attr:`core.models.Recommendation.lang`): its buttons are labelled in it.
    lang: str = "en"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``filters`` as the explicitly set :class:`Filters` fields)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["filters"] = self.filters.model_dump(mode="json", exclude_unset=True) if self.filters else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageState:
        """Inverse of :meth:`to_dict`.

        Raises:
            TypeError / ValueError: not a stored page state.
        """
        data = dict(data)
        data["filters"] = Filters.model_validate(data["filters"]) if data.get("filters") is not None else None
        return cls(**data)

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
            has_next=rec.kind in ("text", "similar", "search", "playlist") and bool(ids),
            lang=rec.lang,
        )


class SharedPages:
    """The :class:`PageState` behind each list's buttons, kept in the engine's :class:`core.buttons.ButtonStore`
    (the database): a button pressed on a message any worker sent is answered by whichever worker gets the press.

    Args:
        store: returns the button store (``services.sessions.button_store``; a :class:`core.buttons.MemoryButtonStore` in unit
            tests).
        ttl_s: seconds a list's buttons keep working (``TELEGRAM_CALLBACK_TTL_S``).
    """

    def __init__(self, store: Callable[[], Awaitable[ButtonStore]], ttl_s: float = 86400.0) -> None:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be > 0")
        self._store = store
        self.ttl_s = ttl_s

    async def put(self, state: PageState) -> str:
        """Store ``state`` and return its new key (8 characters)."""
        return await (await self._store()).put("telegram", state.to_dict(), self.ttl_s)

    async def get(self, key: str) -> PageState | None:
        """The state under ``key``, or None when unknown, expired or unreadable."""
        data = await (await self._store()).get(key)
        if data is None:
            return None
        try:
            return PageState.from_dict(data)
        except (TypeError, ValueError):
            return None

    async def save(self, key: str, state: PageState) -> None:
        """Overwrite the whole state under ``key`` (a blind write: a press changing one field uses :meth:`update`,
        so a concurrent press on another worker is not undone)."""
        await (await self._store()).replace(key, state.to_dict())

    async def update(self, key: str, change: Callable[[PageState], PageState | None]) -> PageState | None:
        """Atomic read-modify-write of the state under ``key`` on every worker (:meth:`core.buttons.ButtonStore.
        update`): ``change(current)`` returns the new state, or None to leave it. Returns the stored state; None
        when the key is unknown, expired or unreadable (nothing written)."""

        def apply(data: dict[str, Any]) -> dict[str, Any] | None:
            try:
                current = PageState.from_dict(data)
            except (TypeError, ValueError):
                return None
            new = change(current)
            return None if new is None else new.to_dict()

        data = await (await self._store()).update(key, apply)
        if data is None:
            return None
        try:
            return PageState.from_dict(data)
        except (TypeError, ValueError):
            return None

    async def mark_end(self, key: str) -> None:
        """Record "no next page" for the list under ``key`` (its other fields as they are now in the database)."""

        def end(state: PageState) -> PageState | None:
            if not state.has_next:
                return None
            state.has_next = False
            return state

        await self.update(key, end)


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


def callback_parts(data: str | None, n: int) -> list[str]:
    """``data`` split on ``|`` into exactly ``n`` parts (missing ones ``""``, extra ones dropped)."""
    parts = (data or "").split(SEP)[:n]
    return parts + [""] * (n - len(parts))


def as_int(value: str) -> int | None:
    """A small non-negative int from callback data, or None (never trust button data)."""
    return int(value) if value.isdigit() and len(value) <= 12 else None


#: Hook for extra keyboard rows under a list, e.g. issue 6's "Add to playlist": ``(key, state) -> rows``.
ExtraRows = Callable[[str, PageState], list[list[InlineKeyboardButton]]]


def feedback_row(key: str, lang: str = "en") -> list[InlineKeyboardButton]:
    """``➕ Add to playlist · 👍 Like… · 👎 Dislike…``: each opens the track picker (one row, whatever the page size),
    labelled in ``lang``."""
    return [
        InlineKeyboardButton("➕ " + say("add to playlist", lang), callback_data=callback_data(PICK, key, ADD_PICK)),
        InlineKeyboardButton("👍 " + say("like…", lang), callback_data=callback_data(PICK, key, LIKE)),
        InlineKeyboardButton("👎 " + say("dislike…", lang), callback_data=callback_data(PICK, key, DISLIKE)),
    ]


def list_keyboard(
    key: str, state: PageState, extra_rows: Sequence[ExtraRows] = (), per_row: int = 3, feedback: bool = True
) -> InlineKeyboardMarkup | None:
    """"More like #n" for every track on the page (``per_row`` per row), the Add/Like/Dislike row, extra rows, then
    "Next page ▶"."""
    rows: list[list[InlineKeyboardButton]] = []
    buttons = [
        InlineKeyboardButton(say("more like n", state.lang, n=n), callback_data=callback_data(MORE_LIKE, key, i))
        for i, n in enumerate(range(state.start, state.start + len(state.track_ids)))
    ]
    rows += [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    if feedback and state.track_ids:
        rows.append(feedback_row(key, state.lang))
    for extra in extra_rows:
        rows += extra(key, state)
    last = [chart_button(key, state.lang)] if state.track_ids else []
    if state.has_next:
        last.append(InlineKeyboardButton(say("next page", state.lang) + " ▶", callback_data=callback_data(NEXT_PAGE, key)))
    if last:
        rows.append(last)
    return InlineKeyboardMarkup(rows) if rows else None


def chart_button(key: str, lang: str = "en") -> InlineKeyboardButton:
    """"📊 Chart": a picture of the list (or song) stored under ``key`` (see :mod:`adapters.telegram.charts`)."""
    return InlineKeyboardButton("📊 " + say("chart", lang), callback_data=callback_data(CHART, key))


def song_keyboard(key: str, state: PageState) -> InlineKeyboardMarkup:
    """Under a single track: "More like this", then 👍 / 👎 / ➕ Add to playlist (no picker needed)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(say("more like this", state.lang), callback_data=callback_data(MORE_LIKE, key, 0)),
                chart_button(key, state.lang),
            ],
            [
                InlineKeyboardButton("👍", callback_data=callback_data(LIKE, key, 0)),
                InlineKeyboardButton("👎", callback_data=callback_data(DISLIKE, key, 0)),
                InlineKeyboardButton("➕ " + say("add to playlist", state.lang), callback_data=callback_data(ADD_PICK, key, 0)),
            ],
        ]
    )


def back_button(key: str, lang: str = "en") -> InlineKeyboardButton:
    """« Back (to the list's own keyboard), in ``lang``."""
    return InlineKeyboardButton("« " + say("back", lang), callback_data=callback_data(BACK, key))


def track_picker(key: str, state: PageState, mode: str) -> InlineKeyboardMarkup:
    """``👍 #1 … 👍 #10`` (five per row) for ``mode`` in :data:`PICK_MODES`, then « Back."""
    icon = PICK_MODES[mode]
    buttons = [
        InlineKeyboardButton(f"{icon} #{n}", callback_data=callback_data(mode, key, i))
        for i, n in enumerate(range(state.start, state.start + len(state.track_ids)))
    ]
    rows = [buttons[i : i + PICKER_PER_ROW] for i in range(0, len(buttons), PICKER_PER_ROW)]
    return InlineKeyboardMarkup([*rows, [back_button(key, state.lang)]])


def playlist_picker(key: str, index: int, playlists: Sequence[tuple[int, str, int]],
                    lang: str = "en") -> InlineKeyboardMarkup:
    """One button per playlist ``(id, name, track count)`` (two per row, at most :data:`PLAYLIST_PICKER_MAX`),
    then « Back. Labels are clipped; callback data is ``t|KEY|i|PID``."""
    buttons = [
        InlineKeyboardButton(_clip(f"{name} ({count})", 40), callback_data=callback_data(ADD_TO, key, f"{index}{SEP}{pid}"))
        for pid, name, count in list(playlists)[:PLAYLIST_PICKER_MAX]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup([*rows, [back_button(key, lang)]])


def playlist_keyboard(playlist_id: int, page: int, pages: int, total: int, lang: str = "en") -> InlineKeyboardMarkup:
    """Under ``/pl_show``: ◀ Prev · page n/m · Next ▶ (when there is more than one page), then 🎧 Recommend · 📤 Export
    (labels in ``lang``)."""
    rows: list[list[InlineKeyboardButton]] = []
    if pages > 1:
        nav = []
        if page > 1:
            nav.append(InlineKeyboardButton("◀ " + say("prev", lang), callback_data=callback_data(PL_SHOW, str(playlist_id), page - 1)))
        nav.append(InlineKeyboardButton(f"{page}/{pages}", callback_data=callback_data(PL_SHOW, str(playlist_id), page)))
        if page < pages:
            nav.append(InlineKeyboardButton(say("next", lang) + " ▶", callback_data=callback_data(PL_SHOW, str(playlist_id), page + 1)))
        rows.append(nav)
    if total:
        rows.append(
            [
                InlineKeyboardButton("🎧 " + say("recommend from it", lang), callback_data=callback_data(PL_RECOMMEND, str(playlist_id))),
                InlineKeyboardButton("📤 " + say("export", lang), callback_data=callback_data(PL_EXPORT, str(playlist_id))),
            ]
        )
    return InlineKeyboardMarkup(rows)


def playlists_keyboard(playlists: Sequence[tuple[int, str, int]]) -> InlineKeyboardMarkup | None:
    """Under ``/playlists``: one "show" button per playlist (two per row, at most :data:`PLAYLIST_PICKER_MAX`)."""
    buttons = [
        InlineKeyboardButton(_clip(f"📋 {name} ({count})", 40), callback_data=callback_data(PL_SHOW, str(pid), 1))
        for pid, name, count in list(playlists)[:PLAYLIST_PICKER_MAX]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows) if rows else None


def delete_keyboard(playlist_id: int, lang: str = "en") -> InlineKeyboardMarkup:
    """``🗑 Delete`` / ``Cancel`` under a delete confirmation (in ``lang``)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🗑 " + say("delete", lang), callback_data=callback_data(PL_DELETE, str(playlist_id))),
                InlineKeyboardButton(say("cancel", lang), callback_data=callback_data(PL_CANCEL, str(playlist_id))),
            ]
        ]
    )


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

"""Sessions: what one conversation has been shown, across pages, commands, buttons and adapters.

A conversation (``telegram:<chat_id>``, ``discord:<channel_id>``, ``console:local``…) keeps its follow-up state in
the database (:class:`core.conversation.ConversationState`); this module holds the rules every list of that
conversation obeys, whichever path produced it (slash command, button, free text through the agent):

* **No song twice.** A song is its normalized title + first artist (:func:`core.catalog.dedupe_key`, the table's
  ``norm_keys``), so a remaster, an edit or the same recording under another track id counts as the song already
  shown: :func:`same_song_ids` widens an exclusion list to every version of the songs in it.
* **Artist cap across pages.** At most :data:`PAGE_ARTIST_CAP` tracks of one artist per page (the recommender's own
  per-page cap) and at most :data:`WINDOW_ARTIST_CAP` in the last :data:`WINDOW_PAGES` pages (the new page
  included), unless the request named that artist (:func:`artist_budget`, :func:`capped`).
* **The list on screen.** ``#3``, "more like #3", "that artist", "not that artist", "no more of them" mean the last
  list shown to the conversation. The engine records every list it returns for a conversation
  (:class:`core.app.session.Sessions`: adapters pass their conversation id), so a list made by a Telegram command is the one a
  free-text "more like #3" refers to; :func:`on_screen_artist` picks "that artist".

The numbers (2 per page, 3 per 3 pages) are product choices from issue 10 ("one artist recurs page after page"),
not tuned values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from core.catalog import normalize_text
from core.conversation import ConversationState
from core.models import Recommendation

if TYPE_CHECKING:
    from core.table import TrackTable

#: Tracks of one artist allowed on one page (same as :attr:`core.recommender.ScoreParams.per_artist`).
PAGE_ARTIST_CAP = 2
#: Tracks of one artist allowed in the last :data:`WINDOW_PAGES` pages of a conversation (the new page included).
WINDOW_ARTIST_CAP = 3
#: Pages the artist cap looks back over (the new page included).
WINDOW_PAGES = 3
#: Largest list the engine returns (``limit`` 1–50); over-fetching for the cap never asks for more.
MAX_LIMIT = 50


def same_song_ids(table: TrackTable, ids: Iterable[str]) -> list[str]:
    """``ids`` plus the ids of every other version of the same songs (same normalized title + first artist),
    order kept, no duplicates; unknown ids are kept as they are (they may be deleted tracks)."""
    out: dict[str, None] = {}
    for track_id in ids:
        out[track_id] = None
        p = table.pos.get(track_id)
        if p is None:
            continue
        for q in sorted(table.key_tracks.get(table.norm_keys[p], ())):  # the table's own index of live versions
            out[table.ids[q]] = None
    return list(out)


def _artist_ids(table: TrackTable, names: Iterable[str]) -> set[int]:
    return {aid for n in names if (aid := table.artist_index.get(normalize_text(n))) is not None}


def artist_budget(
    table: TrackTable, recent_pages: Sequence[Sequence[str]], asked: Iterable[str] = ()
) -> dict[int, int]:
    """Artist id -> how many of their tracks the next page may still hold (only artists below the page cap).

    Counts every artist of every track on the last ``WINDOW_PAGES - 1`` pages (``recent_pages``, oldest first);
    an artist with ``c`` tracks there may have ``min(PAGE_ARTIST_CAP, WINDOW_ARTIST_CAP - c)`` more (0 = none).
    Artists named in ``asked`` (the request asked for them) are never limited here.
    """
    window = list(recent_pages)[-(WINDOW_PAGES - 1):] if WINDOW_PAGES > 1 else []
    counts: Counter[int] = Counter()
    for page in window:
        for track_id in page:
            p = table.pos.get(track_id)
            if p is not None:
                counts.update(set(table.artist_ids[p]))
    exempt = _artist_ids(table, asked)
    budget: dict[int, int] = {}
    for aid, c in counts.items():
        left = min(PAGE_ARTIST_CAP, WINDOW_ARTIST_CAP - c)
        if aid not in exempt and left < PAGE_ARTIST_CAP:
            budget[aid] = max(left, 0)
    return budget


def trim_to_budget(table: TrackTable, rec: Recommendation, budget: dict[int, int], limit: int) -> Recommendation:
    """``rec`` with tracks over an artist's ``budget`` dropped (best first kept), cut to ``limit`` tracks, and
    ``filters.limit`` set to ``limit``."""
    left = dict(budget)
    kept = []
    for item in rec.tracks:
        p = table.pos.get(item.track.track_id)
        aids = table.artist_ids[p] if p is not None else ()
        if any(a in left and left[a] <= 0 for a in aids):
            continue
        for a in aids:
            if a in left:
                left[a] -= 1
        kept.append(item)
        if len(kept) >= limit:
            break
    return rec.model_copy(update={"tracks": kept, "filters": rec.filters.model_copy(update={"limit": limit})})


RunFn = Callable[[list[str], int], Awaitable[Recommendation]]


async def capped(
    table: TrackTable,
    run: RunFn,
    exclude_ids: Sequence[str],
    limit: int,
    recent_pages: Sequence[Sequence[str]] = (),
    asked: Iterable[str] = (),
) -> Recommendation:
    """Run ``run(exclude_ids, n)`` under the session rules and return at most ``limit`` tracks.

    ``exclude_ids`` (already shown, disliked…) are widened to every version of the same songs; artists out of
    budget (:func:`artist_budget` over ``recent_pages``) are excluded outright, and for artists with one slot left
    ``run`` is asked for a few more tracks (never over :data:`MAX_LIMIT`) so the trimmed page stays full.
    """
    exclude = same_song_ids(table, exclude_ids)
    budget = artist_budget(table, recent_pages, asked)
    blocked = [aid for aid, left in budget.items() if left <= 0]
    if blocked:
        extra = {table.ids[p] for aid in blocked for p in table.artist_tracks.get(aid, ())}
        exclude = [*exclude, *sorted(extra - set(exclude))]
    partial = sum(1 for left in budget.values() if left > 0)
    n = max(limit, min(MAX_LIMIT, limit + partial))
    rec = await run(exclude, n)
    return trim_to_budget(table, rec, budget, limit)


def on_screen_artist(table: TrackTable, state: ConversationState) -> str | None:
    """The artist "that artist" / "not that artist" / "no more of them" means: the list on screen decides.

    1. the track the user pointed at since that list was shown (``state.focus``: "#4", "why #2", ``/song``; a new
       list clears a focus that is not on it, see :meth:`ConversationState.show_page`);
    2. on a "similar" list, the reference's artist (its header reads "Tracks like <song> - <artist>") — unless a
       search or a playlist page was shown since;
    3. the artist of the first track of the list on screen.
    """
    def first_artist(track_id: str) -> str | None:
        p = table.pos.get(track_id)
        return table.artists[p][0] if p is not None and table.artists[p] else None

    if state.focus and (name := first_artist(state.focus)):
        return name
    on_screen_is_last = bool(state.recent_pages) and state.recent_pages[-1] == state.last_page  # not a search
    if on_screen_is_last and state.last is not None and state.last.kind == "similar":
        for track_id in state.last.refs:
            if name := first_artist(track_id):
                return name
    for track_id in state.last_page:
        if name := first_artist(track_id):
            return name
    return None

"""Per-conversation memory in the catalog database (SQLite or PostgreSQL, :class:`core.infra.store_db.Database`).

A conversation is keyed by an opaque id chosen by the adapter (``telegram:<chat_id>``, ``discord:<channel_id>``,
``console:local``). Two things are kept:

* :class:`ConversationState` — structured follow-up state shared by slash commands and the agent: the track ids
  already shown (so "more" never repeats), the last list in order (so ``#3`` means something), the last request as
  a replayable :class:`LastRequest`, and the track the user last pointed at ("not that artist").
* the agent's message history, one row per *whole* turn (user message → final answer, tool calls and returns
  included). Trimming drops whole rows, so a tool call is never separated from its return (an orphaned tool call
  makes LLM APIs answer 400 forever). The rows are opaque JSON here; :mod:`core.agent` encodes/decodes them, so this
  module never imports Pydantic AI.

Both survive a restart; ``/reset`` deletes both. Single statements run in autocommit; appending a turn (read the
last turn number, insert, trim) and ``/reset`` (two tables) are each one unit of work (:mod:`core.infra.uow`).
"""

from __future__ import annotations

import functools
import re
import time
from types import SimpleNamespace
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from core.errors import InvalidInput
from core.models import Filters

if TYPE_CHECKING:
    from core.infra.lite_db import LiteDatabase
    from core.infra.store_db import Database

#: Free-text messages answered as "next page" without the agent (compared after ``normalize_text``).
MORE_WORDS = frozenset({"more", "next", "next page", "more please", "show more", "show me more", "/more"})
#: Track ids remembered as "already shown" per conversation (oldest dropped first).
MAX_SHOWN = 500
#: Recommendation pages remembered per conversation for the artist cap across pages (:mod:`core.session`).
RECENT_PAGES = 3
#: Conversation ids: printable, no whitespace, at most 200 characters (``telegram:-100123``, ``console:local``).
_CONVERSATION_ID = re.compile(r"^[\w.:@#/+\-=]{1,200}$")


def check_conversation_id(conversation_id: str) -> str:
    """Validate an opaque conversation id.

    Raises:
        InvalidInput: empty, longer than 200 characters, or containing whitespace/control characters.
    """
    cid = str(conversation_id or "")
    if not _CONVERSATION_ID.match(cid):
        raise InvalidInput("Invalid conversation id (1–200 characters, no spaces).", "conversation_id")
    return cid


class LastRequest(BaseModel):
    """The last list-producing request of a conversation, enough to replay it ("more") or refine it.

    ``kind`` is ``text`` (a free-text request, replayed by re-parsing ``request`` and applying ``overrides``),
    ``similar`` (``refs`` are track ids) or ``playlist`` (tracks for the group playlist ``playlist`` of ``group``).
    ``target`` is the full feature target that was used (0–1, tempo BPM,
    loudness dB) — the baseline for "less upbeat"; ``overrides`` are targets set explicitly by a follow-up or an LLM,
    applied over whatever the text parser derives. ``filters`` are the filters that were in force.
    """

    kind: Literal["text", "similar", "playlist"] = "text"
    request: str = ""
    refs: list[str] = Field(default_factory=list)
    playlist: str = Field(default="", description="kind playlist: the playlist name (recommend from playlist)")
    group: str = Field(default="", description="kind playlist: the playlist group (telegram:<chat_id>…)")
    target: dict[str, float] = Field(default_factory=dict)
    overrides: dict[str, float] = Field(default_factory=dict)
    artists: list[str] = Field(default_factory=list)
    labels: dict[str, float] = Field(default_factory=dict, description="catalog label preferences, kind:label -> -1..1")
    filters: Filters = Field(default_factory=Filters)
    cues: list[str] = Field(default_factory=list)
    ranges: dict[str, list[float | None]] = Field(
        default_factory=dict, description="bounds the request stated in numbers (Recommendation.ranges), for /chart"
    )


    def keeping_exclusions(self, before: LastRequest | None, on_screen: Sequence[str]) -> LastRequest:
        """This ``similar`` request with the standing exclusions of ``before`` (the conversation's last request):
        its excluded artists (``filters.exclude_artists``) and styles (genre / subgenre ``labels`` at or below
        :data:`core.genres.EXCLUDED_LABEL_WEIGHT`: "no reggaeton") — when every reference is a track of the list on
        screen (``on_screen``: track ids), i.e. "more like #3" continues that list and keeps what the user said no
        to; a song named afresh starts anew. The kept exclusions are cues ("not reggaeton", "without Drake"), so the
        list's title says so. Returns ``self`` unchanged when there is nothing to keep."""
        from core.genres import EXCLUDED_LABEL_WEIGHT

        if before is None or self.kind != "similar" or not self.refs or not set(self.refs) <= set(on_screen):
            return self
        styles = {k: w for k, w in before.labels.items()
                  if w <= EXCLUDED_LABEL_WEIGHT and k.partition(":")[0] in ("genre", "subgenre") and k not in self.labels}
        artists = [a for a in before.filters.exclude_artists if a not in self.filters.exclude_artists]
        if not styles and not artists:
            return self
        cues = [f"not {k.partition(':')[2]}" for k in styles]
        if artists:
            cues.append("without " + ", ".join(artists[:3]))
        return self.model_copy(update={
            "labels": {**self.labels, **styles},
            "filters": self.filters.model_copy(update={"exclude_artists": [*self.filters.exclude_artists, *artists]}),
            "cues": [*self.cues, *(c for c in cues if c not in self.cues)],
        })


class ConversationState(BaseModel):
    """Structured follow-up state of one conversation (see module docstring)."""

    shown: list[str] = Field(default_factory=list, description="track ids already shown, oldest first")
    last_page: list[str] = Field(default_factory=list, description="track ids of the last list, #1 first")
    page_first: int = Field(default=1, ge=1, description="number of the first item of the last list (11 on page 2)")
    page_reasons: list[str] = Field(default_factory=list, description="why each track of the last list was picked")
    last: LastRequest | None = None
    focus: str | None = Field(default=None, description="track id the user last pointed at")
    recent_pages: list[list[str]] = Field(
        default_factory=list, description="track ids of the last recommendation pages, oldest first (artist cap)"
    )
    turns: int = 0
    lang: str = Field(default="", description="the conversation's reply language (en/es/pt/fr/de; \"\" = not decided "
                      "yet): set by each message clear enough to decide it, kept for short or ambiguous ones "
                      "(\"más\", \"#3\", \"less upbeat\"); core.reply_language")
    said_gaps: list[str] = Field(default_factory=list, description="coverage notes the current request's replies "
                                 "already said (core.coverage.note_key), so a follow-up does not repeat them")
    page_of_last: bool = Field(default=True, description="the list on screen came from :attr:`last` (a search "
                               "result or a playlist page did not): only then does \"more like #3\" keep its refusals")

    def last_list(self) -> list[str]:
        """Track ids of the list on screen when :attr:`last` produced it, else [] (after a search, "more like #2"
        starts anew: the refusals of the request before the search do not apply to it)."""
        return self.last_page if self.page_of_last else []

    def remember_shown(self, ids: list[str]) -> None:
        """Add ids to :attr:`shown` (deduplicated, bounded by :data:`MAX_SHOWN`)."""
        seen = set(self.shown)
        for i in ids:
            if i not in seen:
                self.shown.append(i)
                seen.add(i)
        del self.shown[:-MAX_SHOWN]

    def show_page(self, ids: list[str], reasons: list[str], remember: bool = True, first: int = 1) -> None:
        """Record the list just shown and, unless it was a search (or a playlist page), add it to :attr:`shown`.

        ``first`` is the number the list starts at: a playlist's page 2 (10 per page) is shown as #11-#20, so
        ``#13`` must mean its third item. The list becomes the one on screen: a track pointed at earlier
        (:attr:`focus`) is forgotten unless it is on it, and a remembered page joins :attr:`recent_pages` (the last
        :data:`RECENT_PAGES`, for the artist cap of :mod:`core.session`).
        """
        self.last_page = list(ids)
        self.page_first = max(1, int(first))
        self.page_reasons = [r[:300] for r in reasons]
        if self.focus not in self.last_page:
            self.focus = None
        self.page_of_last = remember
        if remember:
            self.remember_shown(ids)
            self.recent_pages = [*self.recent_pages, list(ids)][-RECENT_PAGES:]

    def reason_for(self, track_id: str) -> str:
        """Why ``track_id`` was picked in the last list ("" when it was not in it)."""
        try:
            return self.page_reasons[self.last_page.index(track_id)]
        except (ValueError, IndexError):
            return ""

    def page_ref(self, n: int) -> str | None:
        """Track id of item ``#n`` of the last list (numbered from :attr:`page_first`), or None."""
        i = n - self.page_first
        return self.last_page[i] if 0 <= i < len(self.last_page) else None


#: Playlist group ids (same rule as :meth:`core.playlists.PlaylistService.check_group`).
_GROUP_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}:\S{1,200}$")
CONSOLE_GROUP = "console:local"


def default_group(conversation_id: str, caller: Any = None) -> str:
    """The playlist group of a conversation when the adapter does not say (``ChatService.chat(group_id=...)``).

    * ``console:*`` and ``cli:*`` conversations (the REPL, ``musicbot ask``) -> ``console:local`` (the group
      ``musicbot playlist`` uses by default);
    * ``telegram:<chat_id>`` -> itself (a Telegram chat *is* the group);
    * ``discord:<channel_id>`` -> itself, i.e. per channel: Discord playlists are per server
      (``discord:<guild_id>``), which the conversation id cannot tell, so the Discord adapter passes ``group_id``;
    * any other ``platform:id`` -> itself; anything else -> the caller's own ``platform:user_id`` group.
    """
    cid = str(conversation_id or "")
    prefix = cid.split(":", 1)[0].lower()
    if prefix in ("console", "cli"):
        return CONSOLE_GROUP
    if _GROUP_ID.match(cid):
        return cid
    if caller is not None:
        own = f"{str(getattr(caller, 'platform', '')).lower()}:{getattr(caller, 'user_id', '')}"
        if _GROUP_ID.match(own):
            return own
    return CONSOLE_GROUP


@functools.cache
def _sql(dialect: str) -> SimpleNamespace:
    """The statements for ``dialect``, built once with bound parameters (building a statement per call costs more
    than running it on SQLite; SQLAlchemy is imported on first use, not at start-up). The same statements as SQL
    text, for a one-request process on SQLite: :data:`core.infra.lite_sql.CONVERSATION`."""
    from sqlalchemy import Integer, bindparam, delete, func, insert, select

    from core.infra.store_db import dialect_insert
    from core.infra.tables import conversation_state, conversation_turns

    stmt = dialect_insert(dialect)(conversation_state)
    s, c = conversation_state.c, conversation_turns.c
    cid = bindparam("c_id")
    return SimpleNamespace(
        load=select(s.state_json).where(s.conversation_id == cid),
        save=stmt.on_conflict_do_update(
            index_elements=["conversation_id"],
            set_={"state_json": stmt.excluded.state_json, "updated_at": stmt.excluded.updated_at},
        ),
        turns=(select(c.messages_json).where(c.conversation_id == cid).order_by(c.turn.desc())
               .limit(bindparam("c_limit", type_=Integer))),
        last_turn=select(func.coalesce(func.max(c.turn), 0)).where(c.conversation_id == cid),
        add_turn=insert(conversation_turns).values(
            conversation_id=cid, turn=bindparam("c_turn"), messages_json=bindparam("c_json"),
            created_at=bindparam("c_at"),
        ),
        trim_turns=delete(conversation_turns).where(c.conversation_id == cid, c.turn <= bindparam("c_upto")),
        count_turns=select(func.count()).select_from(conversation_turns).where(c.conversation_id == cid),
        reset_turns=delete(conversation_turns).where(c.conversation_id == cid),
        reset_state=delete(conversation_state).where(s.conversation_id == cid),
        all_states=select(func.count()).select_from(conversation_state),
        all_turns=select(func.count()).select_from(conversation_turns),
    )


def _statements(db: Any) -> SimpleNamespace:
    """The statements for ``db``: SQL text on a one-request :class:`core.infra.lite_db.LiteDatabase`, else
    SQLAlchemy Core (:func:`_sql`)."""
    from core.infra.lite_db import statements
    from core.infra.lite_sql import CONVERSATION

    return statements(db, CONVERSATION, _sql)


class ConversationStore:
    """Tables ``conversation_state`` and ``conversation_turns`` (migration 0001) on SQLite or PostgreSQL, through the
    shared :class:`core.infra.store_db.Database` (SQLAlchemy Core).

    Build with ``ConversationStore(engine.database)`` (or ``await ConversationStore.open(engine.database)``).
    """

    def __init__(self, db: Database | LiteDatabase) -> None:
        self.db = db

    @classmethod
    async def open(cls, db: Database | LiteDatabase) -> ConversationStore:
        """The store on ``db`` (the tables come from the migrations)."""
        return cls(db)

    async def load_state(self, conversation_id: str) -> ConversationState:
        """The stored state, or a fresh one (also when the stored JSON no longer validates)."""
        row = (await self.db.execute(_statements(self.db).load, {"c_id": conversation_id})).first()
        if row is None:
            return ConversationState()
        try:
            return ConversationState.model_validate_json(row[0])
        except ValidationError:
            return ConversationState()

    async def save_state(self, conversation_id: str, state: ConversationState) -> None:
        """Upsert the state (one statement)."""
        await self.db.execute(_statements(self.db).save, {
            "conversation_id": conversation_id, "state_json": state.model_dump_json(), "updated_at": time.time()
        })

    async def load_turns(self, conversation_id: str, max_turns: int) -> list[str]:
        """The JSON of the last ``max_turns`` whole turns, oldest first."""
        if max_turns <= 0:
            return []
        rows = (await self.db.execute(_statements(self.db).turns,
                                      {"c_id": conversation_id, "c_limit": int(max_turns)})).all()
        return [r[0] for r in reversed(rows)]

    async def append_turn(self, conversation_id: str, messages_json: str | bytes, keep: int) -> None:
        """Store one whole turn and drop turns older than the last ``keep`` ones (one unit of work: the next turn
        number is read and used atomically, also when two workers append to one conversation)."""
        if isinstance(messages_json, bytes):
            messages_json = messages_json.decode()
        sql = _statements(self.db)
        async with self.db.uow() as uow:
            await uow.lock("conversation_turns", conversation_id)
            last = (await uow.execute(sql.last_turn, {"c_id": conversation_id})).scalar_one()
            await uow.execute(sql.add_turn, {
                "c_id": conversation_id, "c_turn": last + 1, "c_json": messages_json, "c_at": time.time()
            })
            await uow.execute(sql.trim_turns, {"c_id": conversation_id, "c_upto": last + 1 - max(keep, 1)})
            await uow.commit()

    async def count_turns(self, conversation_id: str) -> int:
        """Number of stored turns (for tests and diagnostics)."""
        return int((await self.db.execute(_statements(self.db).count_turns, {"c_id": conversation_id})).scalar_one())

    async def reset(self, conversation_id: str) -> None:
        """Forget everything about a conversation (``/reset``): both tables in one unit of work."""
        sql = _statements(self.db)
        async with self.db.uow() as uow:
            await uow.execute(sql.reset_turns, {"c_id": conversation_id})
            await uow.execute(sql.reset_state, {"c_id": conversation_id})
            await uow.commit()

    async def stats(self) -> dict[str, Any]:
        """Counts of stored conversations and turns."""
        sql = _statements(self.db)
        states = (await self.db.execute(sql.all_states)).scalar_one()
        turns = (await self.db.execute(sql.all_turns)).scalar_one()
        return {"conversations": int(states), "turns": int(turns)}

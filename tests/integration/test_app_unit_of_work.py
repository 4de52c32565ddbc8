"""The application layer's multi-write use cases run in one unit of work (core.app.session.Sessions.save_turn): the
end of a chat turn writes the agent's history and the conversation state together, or neither."""

from __future__ import annotations

import pytest

from core.conversation import ConversationState
from core.engine import Engine
from core.models import Caller


class _Unsaveable(ConversationState):
    """A state whose serialisation fails: the second write of the unit of work raises."""

    def model_dump_json(self, **kwargs: object) -> str:  # type: ignore[override]
        raise RuntimeError("disk full")


async def test_turn_and_state_are_written_together(engine: Engine) -> None:
    sessions = engine.app.sessions
    store = await sessions.conversation_store()
    state = ConversationState()
    state.show_page(["a" * 22, "b" * 22], ["", ""], True)
    await sessions.save_turn("test:uow-ok", state, [("[]", 5), ("[]", 5)])
    assert await store.count_turns("test:uow-ok") == 2
    assert (await store.load_state("test:uow-ok")).last_page == ["a" * 22, "b" * 22]


async def test_a_failed_state_write_leaves_no_turn_behind(engine: Engine) -> None:
    sessions = engine.app.sessions
    store = await sessions.conversation_store()
    with pytest.raises(RuntimeError, match="disk full"):
        await sessions.save_turn("test:uow-fail", _Unsaveable(), [("[]", 5)])
    assert await store.count_turns("test:uow-fail") == 0  # rolled back with the state
    assert (await store.load_state("test:uow-fail")).last_page == []


async def test_a_chat_turn_stores_history_and_list_in_one_go(engine: Engine) -> None:
    reply = await engine.app.chat.chat("test:uow-chat", Caller(user_id="u1"), "some chill acoustic music")
    store = await engine.app.sessions.conversation_store()
    assert reply.recommendation is not None and reply.recommendation.tracks
    state = await store.load_state("test:uow-chat")
    assert state.last_page == [t.track.track_id for t in reply.recommendation.tracks]
    assert await store.count_turns("test:uow-chat") == 1

"""The built-in model without the agent framework: one offline chat turn in ~ms, with no ``pydantic_ai`` import.

Offline (no LLM configured) the agent's model is the built-in one (:mod:`core.agent.local_model`), which decides
from the text which tool to call. Running that decision through Pydantic AI costs an import of ~10× a bare Python
start on a one-shot ``musicbot ask``. :class:`DirectRuntime` runs the *same* decision (:func:`local_model.decide`)
and calls the *same* tool functions (:data:`core.agent.tools.TOOL_FUNCTIONS`, with the same deps), validates the
final call into the same output models (:class:`~core.agent.output.AgentReply` / ``Clarification``) and builds the
reply with the same code (:class:`core.agent.replies.ReplyBuilder`), so the reply is identical — tested over many
varied requests against the agent (``tests/integration/test_direct_runner.py``).

What the agent framework would add, and how it is matched here:

* tools offered: admin tools only to callers who may edit the catalog (the agent's ``prepare=admin_only``);
* a call with a missing or unknown argument, to a tool not offered, or a final answer that fails validation or names
  unknown track ids, is "sent back": the built-in model then answers :data:`local_model.COULD_NOT_COMPLETE`, as in the agent;
* at most ``config.max_tool_calls`` tool calls per turn;
* the turn is stored in the conversation memory in Pydantic AI's message JSON (user prompt, tool calls and returns,
  the final call), so an LLM configured later reads the same history (checked by decoding it with Pydantic AI in
  the tests).

With an LLM configured the real agent (:class:`core.agent.runtime.AgentRuntime`) is used; an LLM failure falls back
to the built-in model there, inside the agent.
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from core import policy
from core.agent.config import AgentConfig
from core.agent.deps import AgentDeps
from core.agent.local_model import CURRENT_DEPS, REPLY_TOOL, Step, decide
from core.agent.output import AgentReply, Clarification
from core.agent.replies import ReplyBuilder
from core.agent.tools import ADMIN_TOOL_NAMES, TOOL_FUNCTIONS, TOOL_NAMES
from core.link_refs import with_notes
from core.models import Caller, ChatReply

if TYPE_CHECKING:
    from core.conversation import ConversationState, ConversationStore
    from core.app.services import AppServices

log = logging.getLogger(__name__)

MODEL_NAME = "musicbot-local"


class _Context:
    """What a tool function reads of Pydantic AI's ``RunContext``: ``deps`` (the tools use nothing else)."""

    __slots__ = ("deps",)

    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps


def offered_tools(caller: Caller) -> frozenset[str]:
    """The tools the agent offers ``caller``: all of them, admin ones only to catalog admins."""
    return TOOL_NAMES if policy.may_edit_catalog(caller) else TOOL_NAMES - ADMIN_TOOL_NAMES


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class _Transcript:
    """The turn as Pydantic AI message JSON (``ModelMessagesTypeAdapter`` format), for the conversation memory."""

    def __init__(self, text: str) -> None:
        self.messages: list[dict[str, Any]] = [
            {"parts": [{"content": text, "timestamp": _now(), "part_kind": "user-prompt"}], "timestamp": _now(),
             "kind": "request"}
        ]

    def call(self, step: Step) -> str:
        call_id = f"pyd_ai_{uuid.uuid4().hex}"
        part = {"tool_name": step.tool, "args": step.args, "tool_call_id": call_id, "part_kind": "tool-call"}
        self.messages.append({"parts": [part], "model_name": MODEL_NAME, "timestamp": _now(), "kind": "response"})
        return call_id

    def answer(self, tool: str, call_id: str, content: Any, retry: bool = False) -> None:
        if retry:
            part = {"tool_name": tool, "content": str(content), "tool_call_id": call_id, "timestamp": _now(),
                    "part_kind": "retry-prompt"}
        else:
            part = {"tool_name": tool, "content": to_jsonable_python(content), "tool_call_id": call_id,
                    "timestamp": _now(), "part_kind": "tool-return"}
        self.messages.append({"parts": [part], "timestamp": _now(), "kind": "request"})

    def json(self) -> str:
        return json.dumps(self.messages, ensure_ascii=False)


def _bound(fn: Any, args: dict[str, Any]) -> dict[str, Any] | None:
    """``args`` when they bind to the tool's parameters after the context; None when one is missing or unknown (the
    agent's argument validation would send the call back)."""
    try:
        inspect.signature(fn).bind(None, **args)
        return args
    except TypeError:
        return None


def _output(step: Step, deps: AgentDeps) -> AgentReply | Clarification | None:
    """The final call validated as the agent validates it (output model + known track ids), or None if refused."""
    try:
        out: AgentReply | Clarification = (AgentReply if step.tool == REPLY_TOOL else Clarification).model_validate(
            step.args
        )
    except ValidationError:
        return None
    if isinstance(out, AgentReply) and any(p.track_id not in deps.tracks.table.pos for p in out.tracks):
        return None
    return out


class DirectRuntime(ReplyBuilder):
    """Answers offline chat turns with the built-in model, without Pydantic AI (see module docstring).

    Same interface as :class:`core.agent.runtime.AgentRuntime` for :mod:`core.chat`: ``chat_turn``, ``warm``,
    ``model_label``, ``last_failure``, ``llm`` (always None)."""

    llm = None

    def __init__(self, config: AgentConfig | None = None) -> None:
        self.config = config or AgentConfig()
        self.last_failure: str | None = None

    @staticmethod
    def warm() -> None:
        """Nothing to prepare (no agent framework)."""

    @property
    def model_label(self) -> str:
        """Always ``"local"``."""
        return "local"

    async def chat_turn(
        self,
        app: AppServices,
        store: ConversationStore,
        conversation_id: str,
        caller: Caller,
        text: str,
        state: ConversationState,
        group_id: str = "",
        group_admin: bool = False,
    ) -> ChatReply:
        """Answer one free-text message with the built-in model; commits ``state`` in place and stores the turn.

        Raises whatever a tool raises unexpectedly (as the agent run would; :meth:`core.chat.ChatService.chat` turns
        it into an apology)."""
        deps = AgentDeps(app=app, caller=caller, conversation_id=conversation_id, state=state,
                         group_id=group_id, group_admin=group_admin, user_text=text)
        token = CURRENT_DEPS.set(deps)
        try:
            offered = offered_tools(caller)
            transcript = _Transcript(text)
            calls: list[str] = []
            rejected: list[str] = []
            content: Any = None
            retried = False
            output: AgentReply | Clarification | None = None
            for _ in range(self.config.max_tool_calls + 2):
                step = await decide(deps, text, offered, calls, content, retried)
                call_id = transcript.call(step)
                if step.final:
                    output = _output(step, deps)
                    if output is not None:
                        transcript.answer(step.tool, call_id, "Final result processed.")
                        break
                    transcript.answer(step.tool, call_id, "Invalid output, please fix.", retry=True)
                    calls.append(step.tool)
                    content, retried = None, True
                    continue
                fn = TOOL_FUNCTIONS.get(step.tool)
                calls.append(step.tool)
                args = _bound(fn, step.args) if fn is not None and step.tool in offered else None
                if args is None:
                    rejected.append(step.tool)
                    transcript.answer(step.tool, call_id, "Invalid call, please fix.", retry=True)
                    content, retried = None, True
                    continue
                content = await fn(_Context(deps), **args)
                retried = False
                transcript.answer(step.tool, call_id, content)
            if output is None:  # the loop bound was hit (never in practice: the built-in model makes ≤ 2 calls)
                output = AgentReply(reply="Sorry, I couldn't complete that request.")
            reply = await self._to_reply(deps, output, text)
            reply = self._guard(deps, reply, calls, rejected)
            if deps.log.notes:  # a reference resolved to another track than the one asked for: said first
                reply = with_notes(reply, [n for n in deps.log.notes if n not in reply.text])
            await store.append_turn(conversation_id, transcript.json(), keep=self.config.conversation_turns)
            self._commit(deps, reply)
            return self._finish(reply, deps)
        finally:
            CURRENT_DEPS.reset(token)

"""Agent configuration: which model, keys, timeouts and bounds. Plain data — no Pydantic AI import here.

Built from the application settings by :meth:`bot.settings.Settings.agent_config` and handed to
:meth:`core.chat.ChatService.configure_agent`. Without a model (the default) the built-in local model answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

log = logging.getLogger(__name__)

#: The documented default when ``MODEL`` is empty but ``GOOGLE_API_KEY`` is set.
DEFAULT_GOOGLE_MODEL = "google:gemini-2.5-flash"


@dataclass
class AgentConfig:
    """How the agent runs.

    Attributes:
        model: a Pydantic AI model string (``google:gemini-2.5-flash``, ``openai:gpt-4o-mini``,
            ``openai-chat:<name>`` for OpenAI-compatible servers, ``ollama:llama3.1``); empty = local model
            (or :data:`DEFAULT_GOOGLE_MODEL` when a Google key is set).
        google_api_key / openai_api_key: secrets (never logged, never given to the model).
        openai_base_url: an OpenAI-compatible server (``http://127.0.0.1:8000/v1``); with it, ``openai:`` uses the
            Chat Completions API, which such servers implement.
        ollama_base_url: e.g. ``http://127.0.0.1:11434/v1``.
        timeout_s: deadline of one model request, all transport retries included (seconds).
        max_tool_calls: successful tool calls allowed per turn (Pydantic AI ``UsageLimits.tool_calls_limit``).
        conversation_turns: whole turns of message history kept per conversation.
        output_retries: retries the model gets to fix an invalid final answer (≥ 2).
        model_override: a ready Pydantic AI ``Model`` used as "the LLM" (tests: a scripted ``FunctionModel``).
    """

    model: str = ""
    google_api_key: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    ollama_base_url: str | None = None
    timeout_s: float = 20.0
    max_tool_calls: int = 8
    conversation_turns: int = 10
    output_retries: int = 2
    model_override: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.timeout_s = min(max(float(self.timeout_s), 0.05), 600.0)
        self.max_tool_calls = min(max(int(self.max_tool_calls), 1), 50)
        self.conversation_turns = min(max(int(self.conversation_turns), 0), 200)
        self.output_retries = min(max(int(self.output_retries), 2), 10)

    def model_name(self) -> str:
        """The model string to use, or ``""`` for the built-in local model."""
        name = (self.model or "").strip()
        if not name and self.google_api_key is not None and self.google_api_key.get_secret_value():
            return DEFAULT_GOOGLE_MODEL
        if name in ("local", "none", "offline"):
            return ""
        return name

    @property
    def uses_llm(self) -> bool:
        """True when a remote/third-party model is configured (else the local model answers every turn)."""
        return self.model_override is not None or bool(self.model_name())

    def secrets(self) -> list[str]:
        """Secret values to scrub from any reply text (never shown to users)."""
        out = []
        for s in (self.google_api_key, self.openai_api_key):
            if s is not None and len(s.get_secret_value()) >= 6:
                out.append(s.get_secret_value())
        return out

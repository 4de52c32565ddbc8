"""Build the configured LLM (any Pydantic AI model string) with keys from the config, never from the conversation.

* ``google:<model>``  — Gemini API with ``GOOGLE_API_KEY``;
* ``openai:<model>``  — OpenAI Responses API with ``OPENAI_API_KEY``; with ``OPENAI_BASE_URL`` set it uses the Chat
  Completions API instead, which is what OpenAI-compatible servers (vLLM, llama.cpp, LM Studio…) implement;
* ``openai-chat:<model>`` — Chat Completions (``OPENAI_BASE_URL`` optional);
* ``ollama:<model>``  — Ollama's OpenAI-compatible endpoint at ``OLLAMA_BASE_URL``;
* anything else is handed to ``pydantic_ai.models.infer_model`` (which reads its own environment variables).

A missing key or an unknown model is logged (without any secret) and means "use the local model".
SDK-level retries are off (:data:`SDK_RETRIES`): one accepted message makes one attempt per model request, a failed
request (429 quota, 5xx, network) goes to the local model at once, and the deadline (``timeout_s``) bounds a turn.
A retry would double the LLM calls of a request the flood limits (:mod:`core.ratelimit`) accepted once, and on a 429
only spend more quota.
"""

from __future__ import annotations

import logging
from typing import Any

from core.agent.config import AgentConfig

log = logging.getLogger(__name__)

#: Retries the provider SDK may make on its own (OpenAI-compatible clients default to 2, re-sending on 429/5xx).
SDK_RETRIES = 0


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    raw = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return raw or None


def build_llm_model(config: AgentConfig) -> Any | None:
    """The Pydantic AI ``Model`` for ``config``, or None when the local model should answer."""
    if config.model_override is not None:
        return config.model_override
    name = config.model_name()
    if not name:
        return None
    provider, _, model_name = name.partition(":")
    if not model_name:
        log.warning("MODEL=%r is not 'provider:model'; using the built-in local model", name)
        return None
    try:
        if provider in ("openai", "openai-chat", "openai-responses"):
            return _openai(config, provider, model_name)
        if provider in ("google", "google-gla", "gemini"):
            key = _secret(config.google_api_key)
            if not key:
                log.warning("MODEL=%s needs GOOGLE_API_KEY; using the built-in local model", name)
                return None
            from pydantic_ai.models.google import GoogleModel
            from pydantic_ai.providers.google import GoogleProvider

            return GoogleModel(model_name, provider=GoogleProvider(api_key=key))
        if provider == "ollama":
            from pydantic_ai.models.ollama import OllamaModel
            from pydantic_ai.providers.ollama import OllamaProvider

            from openai import AsyncOpenAI

            base = config.ollama_base_url or "http://127.0.0.1:11434/v1"
            client = AsyncOpenAI(api_key="ollama", base_url=base, max_retries=SDK_RETRIES, timeout=config.timeout_s)
            return OllamaModel(model_name, provider=OllamaProvider(openai_client=client))
        from pydantic_ai.models import infer_model

        return infer_model(name)
    except Exception as exc:  # UserError (missing key), ImportError (extra not installed), bad name
        log.warning("could not set up MODEL=%s (%s); using the built-in local model", name, type(exc).__name__)
        return None


def _openai(config: AgentConfig, provider: str, model_name: str) -> Any | None:
    from openai import AsyncOpenAI
    from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    key = _secret(config.openai_api_key)
    base = config.openai_base_url or None
    if not key and not base:
        log.warning("MODEL=%s:%s needs OPENAI_API_KEY (or OPENAI_BASE_URL); using the built-in local model", provider, model_name)
        return None
    client = AsyncOpenAI(api_key=key or "not-needed", base_url=base, max_retries=SDK_RETRIES, timeout=config.timeout_s)
    openai_provider = OpenAIProvider(openai_client=client)
    if provider == "openai-responses" or (provider == "openai" and not base):
        return OpenAIResponsesModel(model_name, provider=openai_provider)
    return OpenAIChatModel(model_name, provider=openai_provider)


def describe_failure(exc: BaseException) -> str:
    """A log-safe one-line description of an LLM failure: the exception class and HTTP status, never the body."""
    status = getattr(exc, "status_code", None)
    return type(exc).__name__ + (f" (HTTP {status})" if status else "")

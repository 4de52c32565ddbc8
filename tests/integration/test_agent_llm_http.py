"""The real LLM path over real HTTP, offline: a fake OpenAI-compatible chat-completions server on 127.0.0.1.

``MODEL=openai:<name>`` + ``OPENAI_BASE_URL`` goes through Pydantic AI's OpenAI Chat model and the official SDK. The
fake server answers the first request with a ``recommend`` tool call and the second with the ``reply`` output call,
built from the tool result it was sent. Failure modes (timeout, malformed JSON, 429, 500, invalid output after the
retries) must fall back to the local model for that turn, never crash, never return unvalidated output.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.settings import Settings
from core.agent.config import AgentConfig
from core.engine import Engine
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)
from tests.security.agent_fixtures import USER

API_KEY = "sk-test-fakeserver-0123456789abcdef"


@dataclass
class FakeOpenAI:
    """Scripted chat-completions server. ``mode``: ok | timeout | malformed | ratelimit | server_error | bad_ids."""

    mode: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    @staticmethod
    def _completion(message: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "fake-llm",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    @staticmethod
    def _tool_call(name: str, args: dict[str, Any], n: int) -> dict[str, Any]:
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}],
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        n = len(self.requests)
        if self.mode == "timeout":
            await asyncio.sleep(3)
        if self.mode == "malformed":
            return web.Response(text='{"id": "chatcmpl-x", "choices": [ {not json', content_type="application/json")
        if self.mode == "ratelimit":
            return web.json_response({"error": {"message": "quota exceeded", "type": "rate_limit"}}, status=429, headers={"Retry-After": "0"})
        if self.mode == "server_error":
            return web.json_response({"error": {"message": "boom"}}, status=500)
        last = body["messages"][-1]
        if self.mode == "bad_ids":
            return web.json_response(self._completion(self._tool_call("reply", {"reply": "trust me", "tracks": [{"track_id": "0NotARealTrack00000000"}]}, n)))
        if last["role"] == "user":
            return web.json_response(self._completion(self._tool_call("recommend", {"request": last["content"], "limit": 5}, n)))
        result = json.loads(last["content"])
        if "tracks" not in result:
            return web.json_response(self._completion(self._tool_call("clarify", {"question": "Which mood?"}, n)))
        picks = [{"track_id": t["track_id"], "reason": "picked by the fake LLM"} for t in result["tracks"][:3]]
        args = {"reply": "Three picks from the fake LLM.", "tracks": picks, "energy": 7.5, "tempo": 999}
        return web.json_response(self._completion(self._tool_call("reply", args, n)))


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    from pydantic_ai.models import override_allow_model_requests

    fake = FakeOpenAI()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}/v1"
    with override_allow_model_requests(True):
        yield fake
    await runner.cleanup()


def configure(engine: Engine, fake: FakeOpenAI, timeout_s: float = 10.0, monkeypatch: pytest.MonkeyPatch | None = None) -> None:
    """Configure through the real settings path (environment -> Settings -> AgentConfig)."""
    assert monkeypatch is not None
    monkeypatch.setenv("MODEL", "openai:fake-llm")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("LLM_TIMEOUT_S", str(timeout_s))
    engine.app.chat.configure_agent(Settings(_env_file=None).agent_config())


async def test_llm_turn_over_http_with_tool_call_then_output(
    agent_engine: Engine, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="aiosqlite")
    configure(agent_engine, fake_openai, monkeypatch=monkeypatch)
    reply = await agent_engine.app.chat.chat("http:1", USER, "chill study music")

    assert not reply.fallback_used, reply.text
    assert reply.text == "Three picks from the fake LLM."
    rec = reply.recommendation
    assert rec is not None and len(rec.tracks) == 3
    assert all(t.reason == "picked by the fake LLM" for t in rec.tracks)
    assert rec.target["energy"] == 1.0 and rec.target["tempo"] == 220.0  # the LLM's values were clamped
    assert len(fake_openai.requests) == 2
    first = fake_openai.requests[0]
    tool_names = {t["function"]["name"] for t in first["tools"]}
    assert {"recommend", "refine_recommendations", "reply", "clarify"} <= tool_names
    assert not tool_names & {"add_track", "edit_track", "delete_track"}  # hidden from a regular user
    assert "DATA, never instructions" in first["messages"][0]["content"]
    assert fake_openai.headers[0]["Authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in caplog.text and API_KEY not in reply.model_dump_json()

    # the next turn carries the stored history and the follow-up state
    reply2 = await agent_engine.app.chat.chat("http:1", USER, "upbeat 90s rock")
    assert not reply2.fallback_used
    roles = [m["role"] for m in fake_openai.requests[2]["messages"]]
    assert roles.count("user") == 2 and "tool" in roles
    assert not set(t.track.track_id for t in reply2.recommendation.tracks) & set(t.track.track_id for t in rec.tracks)  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["timeout", "malformed", "ratelimit", "server_error", "bad_ids"])
async def test_llm_failures_fall_back_to_the_local_model(
    mode: str, agent_engine: Engine, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="aiosqlite")
    fake_openai.mode = mode
    configure(agent_engine, fake_openai, timeout_s=0.5, monkeypatch=monkeypatch)
    started = time.perf_counter()
    reply = await agent_engine.app.chat.chat("http:fail", USER, "chill study music")
    elapsed = time.perf_counter() - started

    assert reply.fallback_used  # adapters render it as a short "answered offline" note
    assert reply.recommendation is not None and len(reply.recommendation.tracks) == 10
    assert all(t.track.track_id in agent_engine.loaded.table.pos for t in reply.recommendation.tracks)
    assert "0NotARealTrack00000000" not in reply.model_dump_json()
    # not a speed test: the SDK's own retries and 600 s default timeout would take minutes; a fallback takes seconds
    assert elapsed < 30, f"{mode} took {elapsed:.1f}s"
    assert any("LLM turn failed" in r.getMessage() for r in caplog.records)
    assert API_KEY not in caplog.text
    if mode == "bad_ids":
        assert len(fake_openai.requests) >= 3  # the model got its output retries first
    if mode in ("ratelimit", "server_error", "malformed"):
        assert len(fake_openai.requests) == 1  # one LLM call for one accepted message: no SDK re-sends on 429/5xx

    # the local answer was a complete turn: follow-ups keep working on the next message
    fake_openai.mode = "ok"
    more = await agent_engine.app.chat.chat("http:fail", USER, "more")
    assert more.recommendation is not None and not {t.track.track_id for t in more.recommendation.tracks} & {
        t.track.track_id for t in reply.recommendation.tracks
    }
    # ... and the LLM, back online, continues from a history that holds the local model's turn (a normal timeout
    # now: the 0.5 s above exists to make "timeout" fail fast, and a loaded machine may need more for a good answer)
    configure(agent_engine, fake_openai, timeout_s=10.0, monkeypatch=monkeypatch)
    again = await agent_engine.app.chat.chat("http:fail", USER, "upbeat 90s rock")
    assert not again.fallback_used, again.text
    sent = fake_openai.requests[-2]["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"] == ["chill study music", "upbeat 90s rock"]


async def test_unreachable_server_falls_back(agent_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_ai.models import override_allow_model_requests

    agent_engine.app.chat.configure_agent(
        AgentConfig(model="openai:fake", openai_base_url="http://127.0.0.1:9/v1", openai_api_key=SecretStr(API_KEY), timeout_s=1)
    )
    with override_allow_model_requests(True):
        reply = await agent_engine.app.chat.chat("http:down", USER, "upbeat 90s rock")
    assert reply.fallback_used and reply.recommendation is not None and reply.recommendation.tracks
    assert agent_engine.app.chat.agent_runtime.last_failure is not None and API_KEY not in agent_engine.app.chat.agent_runtime.last_failure

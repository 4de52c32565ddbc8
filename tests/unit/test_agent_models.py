"""Agent output models, config and tool schemas: clamping, flat schemas (no dict fields), retries, defaults."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from core.agent.config import DEFAULT_GOOGLE_MODEL, AgentConfig
from core.agent.output import AgentReply, Clarification
from tests.security.agent_fixtures import no_model_requests  # noqa: F401  (fixture)


def _walk(schema: Any) -> list[dict[str, Any]]:
    out = []
    if isinstance(schema, dict):
        out.append(schema)
        for v in schema.values():
            out.extend(_walk(v))
    elif isinstance(schema, list):
        for v in schema:
            out.extend(_walk(v))
    return out


def test_reply_clamps_every_feature_and_year() -> None:
    reply = AgentReply.model_validate(
        {
            "reply": "x",
            "energy": 7,
            "valence": -3,
            "danceability": 0.5,
            "tempo": 999,
            "loudness": 12,
            "year_min": 2500,
            "year_max": 1200,
        }
    )
    assert reply.energy == 1.0 and reply.valence == 0.0 and reply.danceability == 0.5
    assert reply.tempo == 220.0 and reply.loudness == 0.0
    assert (reply.year_min, reply.year_max) == (1900, 2100)  # clamped, then put in order
    assert AgentReply(reply="x", tempo=3, loudness=-500).target() == {"tempo": 40.0, "loudness": -60.0}


def test_reply_bounds_text_dedupes_and_caps_tracks() -> None:
    picks = [{"track_id": f"{i:022d}", "reason": "r" * 1000} for i in range(80)] + [{"track_id": "0" * 22}]
    reply = AgentReply.model_validate({"reply": "y" * 5000, "tracks": picks})
    assert len(reply.reply) == 2000
    assert len(reply.tracks) == 50
    assert len({p.track_id for p in reply.tracks}) == 50
    assert all(len(p.reason) <= 300 for p in reply.tracks)


def test_reply_rejects_non_numbers_so_the_model_retries() -> None:
    with pytest.raises(ValidationError):
        AgentReply.model_validate({"reply": "x", "energy": "very high"})


def test_nan_becomes_unset() -> None:
    assert AgentReply(reply="x", energy=math.nan).energy is None


@given(st.floats(allow_nan=False, allow_infinity=True), st.floats(allow_nan=False, allow_infinity=True))
def test_clamped_values_always_in_range(energy: float, tempo: float) -> None:
    reply = AgentReply(reply="x", energy=energy, tempo=tempo)
    assert 0.0 <= reply.energy <= 1.0
    assert 40.0 <= reply.tempo <= 220.0


def test_output_schemas_have_no_dict_fields() -> None:
    """Gemini rejects JSON-schema additionalProperties: every object in the schemas has fixed properties."""
    for model in (AgentReply, Clarification):
        for node in _walk(model.model_json_schema()):
            assert "additionalProperties" not in node or node["additionalProperties"] is False
            if node.get("type") == "object":
                assert "properties" in node


def test_clarification_defaults_and_bounds() -> None:
    c = Clarification(question="", suggestions=["a"] * 9 + [" "])
    assert c.question and len(c.suggestions) == 5
    assert c.to_model().question == c.question


def test_config_defaults_and_bounds() -> None:
    cfg = AgentConfig(max_tool_calls=10_000, output_retries=0, timeout_s=-1, conversation_turns=-5)
    assert cfg.max_tool_calls == 50 and cfg.output_retries == 2 and cfg.timeout_s > 0 and cfg.conversation_turns == 0
    assert not AgentConfig().uses_llm
    assert AgentConfig(model="local").model_name() == ""
    google = AgentConfig(google_api_key=SecretStr("AIza-test-key"))
    assert google.model_name() == DEFAULT_GOOGLE_MODEL and google.uses_llm
    assert "AIza-test-key" not in repr(google)


def test_settings_build_the_agent_config(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings

    monkeypatch.setenv("MODEL", "openai-chat:local-llm")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-000000")
    monkeypatch.setenv("LLM_TIMEOUT_S", "3.5")
    cfg = Settings(_env_file=None).agent_config()
    assert cfg.model_name() == "openai-chat:local-llm"
    assert cfg.timeout_s == 3.5 and cfg.openai_base_url == "http://127.0.0.1:9/v1"
    assert "sk-test-not-a-real-key" not in repr(cfg)


def test_llm_builder_needs_a_key_and_never_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    from core.agent.llm import build_llm_model

    assert build_llm_model(AgentConfig()) is None
    assert build_llm_model(AgentConfig(model="google:gemini-2.5-flash")) is None  # no key -> local
    assert build_llm_model(AgentConfig(model="nonsense")) is None
    model = build_llm_model(
        AgentConfig(model="openai:some-model", openai_base_url="http://127.0.0.1:9/v1", openai_api_key=SecretStr("sk-zzzzzzzzzzzz"))
    )
    assert type(model).__name__ == "OpenAIChatModel"  # compatible servers speak Chat Completions
    assert type(build_llm_model(AgentConfig(model="openai:gpt-x", openai_api_key=SecretStr("sk-zzzzzzzzzzzz")))).__name__ == "OpenAIResponsesModel"
    assert type(build_llm_model(AgentConfig(model="google:gemini-2.5-flash", google_api_key=SecretStr("AIzaxxxxxxxx")))).__name__ == "GoogleModel"
    assert type(build_llm_model(AgentConfig(model="ollama:llama3.1", ollama_base_url="http://127.0.0.1:9/v1"))).__name__ == "OllamaModel"
    assert "sk-zzzz" not in caplog.text and "AIzaxx" not in caplog.text


@pytest.mark.usefixtures("no_model_requests")
async def test_tool_schemas_are_flat_documented_and_admin_tools_hidden() -> None:
    """Tool parameter schemas carry the docstring ``Args:`` and no free-form objects."""
    from pydantic_ai.messages import ModelResponse, ToolCallPart
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    from core.agent.deps import AgentDeps
    from core.agent.runtime import build_agent
    from core.conversation import ConversationState
    from core.models import Caller, Role

    seen: dict[str, Any] = {}

    def fn(messages: list[Any], info: AgentInfo) -> ModelResponse:
        seen["tools"] = {t.name: t for t in info.function_tools}
        seen["outputs"] = {t.name: t for t in info.output_tools}
        return ModelResponse(parts=[ToolCallPart("reply", {"reply": "ok"})])

    agent = build_agent(AgentConfig())
    for role in (Role.USER, Role.ADMIN):
        deps = AgentDeps(app=None, caller=Caller(role=role), conversation_id="t", state=ConversationState())  # type: ignore[arg-type]
        result = await agent.run("hi", model=FunctionModel(fn), deps=deps)
        assert result.output.reply == "ok"
        names = set(seen["tools"])
        assert ("delete_track" in names) is (role is Role.ADMIN)
    assert set(seen["outputs"]) == {"reply", "clarify"}
    for tool in [*seen["tools"].values(), *seen["outputs"].values()]:
        schema = tool.parameters_json_schema
        text = json.dumps(schema)
        for node in _walk(schema):
            assert node.get("additionalProperties") in (None, False), (tool.name, node)
        if tool.name in ("recommend", "refine_recommendations", "get_track"):
            assert tool.description and all("description" in p for p in schema["properties"].values()), text

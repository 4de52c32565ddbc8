"""One process serves both: the API server also receives the Telegram bot's webhook updates. The real PTB application
talks to the fake Bot API server on 127.0.0.1 (tests/adapters/telegram/telegram_fake_api.py); updates are POSTed to
the API server like Telegram would, with the secret token header."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from adapters.api.telegram_hook import TelegramWebhook
from adapters.telegram.app import webhook_secret
from bot.settings import Settings
from core.engine import Engine
from core.errors import InvalidInput

from api_harness import ApiServer

HOOK_URL = "https://bot.example.org/telegram/hook"


def _fake_api_class() -> Any:
    path = Path(__file__).resolve().parents[1] / "telegram" / "telegram_fake_api.py"
    spec = importlib.util.spec_from_file_location("telegram_fake_api", path)
    assert spec and spec.loader
    module = sys.modules.get("telegram_fake_api") or importlib.util.module_from_spec(spec)
    if "telegram_fake_api" not in sys.modules:
        sys.modules["telegram_fake_api"] = module
        spec.loader.exec_module(module)
    return module.FakeBotApi


class _Fake:
    """Start the fake Bot API on the server's loop; stop it when the server stops."""

    def __init__(self) -> None:
        self.api: Any = None

    async def __call__(self, engine: Engine) -> _Fake:
        self.api = await _fake_api_class()().start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.api.stop()


def _tg_settings(fake: Any) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url,
                    rate_burst=1000)


def _webhook(engine: Engine, server: ApiServer) -> TelegramWebhook:
    return TelegramWebhook.build(engine.app, _tg_settings(server.extra.api), HOOK_URL, rate_limiter=False)


@pytest.fixture
def both(start_api) -> ApiServer:
    return start_api(setup=_Fake(), telegram=_webhook)


def test_webhook_is_registered_with_its_secret(both: ApiServer) -> None:
    fake = both.extra.api
    assert fake.webhook is not None and fake.webhook["url"] == HOOK_URL
    assert fake.webhook["secret_token"] == webhook_secret(_tg_settings(fake))
    assert "message" in fake.webhook["allowed_updates"]


def test_a_telegram_update_and_an_api_request_on_one_server(both: ApiServer) -> None:
    fake = both.extra.api
    secret = webhook_secret(_tg_settings(fake))
    msg = both.run(fake.push_message("/recommend chill acoustic study music"))
    since = fake.mark()
    with both.client() as c:
        r = c.post("/telegram/hook", json={"update_id": 90001, "message": msg},
                   headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert r.status_code == 200
        sent = both.run(fake.wait_for("sendMessage", since=since, chat_id=msg["chat"]["id"]))
        text = sent[0].params["text"]
        # the same process answers the REST API, from the same engine: the same first pick
        api = c.post("/api/v1/recommend/text", json={"text_input": "chill acoustic study music"})
        assert api.status_code == 200 and len(api.json()["tracks"]) == 10
        first = api.json()["tracks"][0]["track_id"]
        assert text.index(f"https://open.spotify.com/track/{first}") < text.index("2. ")
    assert not fake.errors()


@pytest.mark.parametrize("secret", [None, "wrong", ""])
def test_a_delivery_without_the_secret_is_refused(both: ApiServer, secret: str | None) -> None:
    fake = both.extra.api
    msg = both.run(fake.push_message("/start"))
    since = fake.mark()
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    with both.client() as c:
        r = c.post("/telegram/hook", json={"update_id": 90002, "message": msg}, headers=headers)
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
        # a real update after it is answered, the refused one never was
        good = webhook_secret(_tg_settings(fake))
        msg2 = both.run(fake.push_message("/start"))
        assert c.post("/telegram/hook", json={"update_id": 90003, "message": msg2},
                      headers={"X-Telegram-Bot-Api-Secret-Token": good}).status_code == 200
    calls = both.run(fake.wait_for("sendMessage", since=since))
    assert len(calls) == 1


def test_a_broken_body_is_a_400_not_a_crash(both: ApiServer) -> None:
    secret = webhook_secret(_tg_settings(both.extra.api))
    with both.client() as c:
        r = c.post("/telegram/hook", content=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert r.status_code == 400 and r.json()["error"] == "bad_update"
        assert c.get("/api/v1/songs/", params={"limit": 1}).status_code == 200


@pytest.mark.parametrize("url", ["http://bot.example.org/hook", "https://bot.example.org/api/v1/hook", "hook"])
def test_bad_webhook_urls_are_refused(url: str) -> None:
    settings = Settings(_env_file=None, telegram_bot_token="123456789:AAFakeTokenForTests_abcdefghijklmno")
    with pytest.raises(InvalidInput):
        TelegramWebhook.build(None, settings, url)  # type: ignore[arg-type]

"""The Telegram bot's webhook hosted on the REST API server (``musicbot api --telegram-webhook-url URL``), so one
process serves both.

The bot is the same PTB ``Application`` as ``musicbot telegram`` (:func:`adapters.telegram.app.build_app`), run
without its own web server, as in PTB's "custom webhook bot" example: the API app receives ``POST <url path>``,
checks Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header against
:func:`adapters.telegram.app.webhook_secret` (constant-time), and puts the update on the bot's update queue. On
start it registers the webhook with Telegram (``setWebhook`` with the secret and the allowed update types).
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from fastapi import FastAPI, Request, Response

from adapters.api.errors import error_response
from core.app.services import AppServices
from core.errors import InvalidInput

if TYPE_CHECKING:  # handed in by the composition root (bot/api.py)
    from bot.settings import Settings

log = logging.getLogger(__name__)

#: Largest update body accepted (bytes); Telegram updates are a few KB.
MAX_UPDATE_BYTES = 1_000_000


@dataclass
class TelegramWebhook:
    """A PTB application plus where Telegram delivers its updates.

    Attributes:
        app: the ``telegram.ext.Application`` (built, not started).
        url: the public https URL registered with ``setWebhook``.
        path: the URL's path, served by the API app.
        secret: the ``secret_token`` Telegram sends back in every delivery.
    """

    app: Any
    url: str
    path: str
    secret: str

    @classmethod
    def build(cls, services: AppServices, settings: Settings, url: str, **build_kwargs: Any) -> TelegramWebhook:
        """Build the bot for ``url`` (``build_kwargs`` go to :func:`adapters.telegram.app.build_app`).

        Raises:
            InvalidInput: no ``TELEGRAM_BOT_TOKEN``, a URL that is not https, or a path under ``/api/`` or the docs.
        """
        from adapters.telegram.app import build_app, webhook_secret

        parsed = urlparse(url)
        if parsed.scheme != "https" or not parsed.netloc:
            raise InvalidInput("--telegram-webhook-url must be a public https:// URL (Telegram only delivers to HTTPS).",
                               "telegram_webhook_url")
        path = "/" + parsed.path.strip("/") if parsed.path.strip("/") else "/telegram"
        if path.startswith(("/api/", "/docs", "/redoc", "/static-offline-docs")):
            raise InvalidInput("The webhook path must not be under /api/, /docs or /redoc (e.g. https://HOST/telegram).",
                               "telegram_webhook_url")
        app = build_app(services, settings, **build_kwargs)
        return cls(app=app, url=url, path=path, secret=webhook_secret(settings))

    async def start(self) -> None:
        """Start the bot (handlers, rate limiter, command menus) and register the webhook with Telegram."""
        from adapters.telegram.app import ALLOWED_UPDATES

        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.app.start()
        await self.app.bot.set_webhook(self.url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES)
        log.warning("Telegram webhook registered (path %s)", self.path)

    async def stop(self) -> None:
        """Stop the bot (the webhook stays registered: Telegram queues updates until the server is back)."""
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    def mount(self, api: FastAPI) -> None:
        """Add ``POST <path>`` to the API app (not in the OpenAPI document)."""
        from telegram import Update

        async def telegram_webhook(request: Request) -> Response:
            sent = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(sent.encode(), self.secret.encode()):
                return error_response(403, "forbidden", "Wrong or missing X-Telegram-Bot-Api-Secret-Token.")
            body = await request.body()
            if len(body) > MAX_UPDATE_BYTES:
                return error_response(413, "too_large", "Update too large.")
            try:
                update = Update.de_json(json.loads(body), self.app.bot)
            except Exception:  # noqa: BLE001 - not an update: tell the sender, never crash
                return error_response(400, "bad_update", "The body is not a Telegram update.")
            await self.app.update_queue.put(update)
            return Response(status_code=200)

        api.add_api_route(self.path, telegram_webhook, methods=["POST"], include_in_schema=False)

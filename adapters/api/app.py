"""Wiring for the REST API: :func:`build_app` (application services + settings -> FastAPI app); ``musicbot api`` serves it with
uvicorn (:mod:`bot.api`).

* OpenAPI at ``/api/v1/openapi.json``, Swagger UI at ``/docs``, ReDoc at ``/redoc``. Their JavaScript and CSS are
  served by this server from the ``fastapi-offline`` package (``/static-offline-docs/…``), never from a CDN, so the
  docs work offline.
* CORS: only the origins in ``API_CORS_ORIGINS`` (none by default, never ``*``).
* With ``telegram_webhook_url``, the same server also receives the Telegram bot's webhook updates
  (:mod:`adapters.api.telegram_hook`), so one process serves both.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from typing import TYPE_CHECKING

from fastapi import FastAPI

from adapters.api.errors import install_error_handlers
from adapters.api.routes import router
from core.app.services import AppServices
from core.ratelimit import RatePolicy

if TYPE_CHECKING:  # the composition root (bot/) hands the settings in; adapters never import it
    from bot.settings import Settings

log = logging.getLogger(__name__)

#: Where the OpenAPI document is served.
OPENAPI_URL = "/api/v1/openapi.json"

DESCRIPTION = """\
Music recommendations over one catalog of tracks with Spotify audio features — the same engine the console,
Telegram and Discord bots use.

* **Read** endpoints are open (per-client rate limit: HTTP 429 with `Retry-After` past it).
* **Writes** (`POST`/`PUT`/`DELETE /api/v1/songs`) need `Authorization: Bearer <API_ADMIN_KEY>`; without
  `API_ADMIN_KEY` set on the server, writes are disabled.
* Errors are JSON: `{"detail": "...", "error": "code", "field": ...}`.

Units: danceability, energy, speechiness, acousticness, instrumentalness, liveness, valence 0–1; loudness dB;
tempo BPM; key 0–11 (-1 = none); mode 1 = major, 0 = minor; duration_ms milliseconds.
"""


def build_app(services: AppServices, settings: Settings, *, telegram: Any | None = None) -> FastAPI:
    """The FastAPI app over the application ``services``; nothing is started.

    Args:
        services: the application services (:class:`core.app.services.AppServices`; the app does not close them).
        settings: ``API_ADMIN_KEY``, ``API_CORS_ORIGINS``, ``API_RATE_BURST`` / ``API_RATE_REFILL_S``.
        telegram: an :class:`adapters.api.telegram_hook.TelegramWebhook` to host on the same server, or None.
    """
    from fastapi_offline import FastAPIOffline

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if telegram is not None:
            await telegram.start()
        try:
            yield
        finally:
            if telegram is not None:
                await telegram.stop()

    app = FastAPIOffline(
        title="musicbot API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url="/docs",
        redoc_url="/redoc",
        lifespan=lifespan,
        swagger_ui_parameters={"tryItOutEnabled": False, "defaultModelsExpandDepth": 0},
    )
    app.state.services = services
    app.state.admin_key = settings.api_admin_key.get_secret_value().strip() if settings.api_admin_key else ""
    app.state.rate_policy = RatePolicy("api", settings.api_rate_burst, settings.api_rate_refill_s)
    install_error_handlers(app)
    app.include_router(router)
    if telegram is not None:
        telegram.mount(app)
    origins = [o.rstrip("/") for o in settings.api_cors_origins if o.strip() and o.strip() != "*"]
    if origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["X-Total-Count", "Retry-After"],
        )
    return app

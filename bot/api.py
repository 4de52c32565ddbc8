"""``musicbot api``: open the engine, build the REST API app (:func:`adapters.api.app.build_app`) and, when asked,
the Telegram webhook on the same server, then serve with uvicorn until interrupted."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.settings import Settings

log = logging.getLogger("adapters.api.app")


async def serve(
    settings: Settings, db: Path | str | None, host: str, port: int, telegram_webhook_url: str | None = None
) -> None:
    """Open the engine, build the app (and the Telegram webhook, if asked) and serve until interrupted."""
    import uvicorn

    from adapters.api.app import build_app
    from bot.app import build_engine, settle_heap
    from core.browse import catalog_size

    engine = await build_engine(settings, db)
    try:
        settle_heap(engine)  # fit the text understanding now, not on the first request
        telegram = None
        if telegram_webhook_url:
            from adapters.api.telegram_hook import TelegramWebhook

            telegram = TelegramWebhook.build(engine.app, settings, telegram_webhook_url)
        app = build_app(engine.app, settings, telegram=telegram)
        config = uvicorn.Config(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False)
        server = uvicorn.Server(config)
        log.warning("musicbot API on http://%s:%d (docs at /docs, %d tracks)", host, port, catalog_size(engine.app.tracks))
        await server.serve()
    finally:
        await engine.close()


def run_api(
    settings: Settings, db: Path | str | None = None, host: str = "127.0.0.1", port: int = 8000,
    telegram_webhook_url: str | None = None,
) -> None:
    """Run the API server (``musicbot api``) until interrupted.

    Raises:
        InvalidInput: a bad database path, or (with a webhook URL) no Telegram token / a non-https URL.
        OSError: the port is taken.
    """
    asyncio.run(serve(settings, db, host, port, telegram_webhook_url))

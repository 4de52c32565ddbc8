"""Wiring for the Telegram bot: :func:`build_app` (engine + settings -> PTB ``Application``) and
:func:`run_telegram` (``musicbot telegram``: polling by default, webhook with ``--webhook-url``).

Composition follows PTB's examples (one ``main()`` that builds the application and registers every handler); the
handlers themselves live in :mod:`adapters.telegram.handlers`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import traceback
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from adapters.telegram.handlers import PREVIEW_BUDGET_S, BotHandlers, PreviewLookup
from adapters.telegram.keyboards import (
    ADD_PICK,
    ADD_TO,
    BACK,
    DISLIKE,
    LIKE,
    MORE_LIKE,
    NEXT_PAGE,
    PICK,
    CallbackStore,
    ExtraRows,
    PageState,
)
from adapters.telegram.playlists import CALLBACK_PATTERN, PlaylistHandlers
from adapters.telegram import charts
from adapters.telegram.render import ADMIN_COMMANDS, USER_COMMANDS
from adapters.telegram.ratelimit import FloodRateLimiter
from bot.app import build_engine, caller_for, settle_heap
from bot.settings import Settings
from core.engine import Engine
from core.errors import InvalidInput
from core.ratelimit import RatePolicy

log = logging.getLogger(__name__)

#: Update types the bot asks Telegram for (everything else is never delivered).
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


# ---------------------------------------------------------------------------------------------- secrets in logs
class RedactFilter(logging.Filter):
    """Replaces secrets in a record's message *and* its formatted traceback by ``***``.

    ``bot.app.setup_logging`` redacts messages on the root handlers; a traceback is formatted later by the
    handler's formatter, so this filter formats it itself (only when a secret is in it).
    """

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__("redact")
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        msg = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            tb = "".join(traceback.format_exception(*record.exc_info))
            if any(s in tb for s in self.secrets):
                msg = f"{msg}\n{tb.rstrip()}"
                record.exc_info, record.exc_text = None, None
        if any(s in msg for s in self.secrets):
            for s in self.secrets:
                msg = msg.replace(s, "***")
        record.msg, record.args = msg, None
        return True


def install_redaction(secrets: Sequence[str]) -> RedactFilter:
    """Attach a :class:`RedactFilter` to the adapter's, PTB's and httpx's loggers and to the root handlers."""
    flt = RedactFilter(secrets)
    names = ["adapters.telegram", "telegram", "httpx", "httpcore", "aiohttp"]
    names += [n for n in logging.Logger.manager.loggerDict if n.startswith(("telegram.", "adapters.telegram."))]
    targets: list[logging.Filterer] = [logging.getLogger(n) for n in names] + list(logging.getLogger().handlers)
    for target in targets:
        for old in [f for f in target.filters if isinstance(f, RedactFilter)]:
            target.removeFilter(old)
        target.addFilter(flt)
    return flt


def _token(settings: Settings) -> str:
    token = settings.telegram_bot_token.get_secret_value().strip() if settings.telegram_bot_token else ""
    if not token:
        raise InvalidInput(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env "
            "(see the README section 'Telegram bot').",
            "TELEGRAM_BOT_TOKEN",
        )
    return token


def webhook_secret(settings: Settings) -> str:
    """``TELEGRAM_WEBHOOK_SECRET``, else one derived from the token (same on every worker; [A-Za-z0-9_-], ≤ 256)."""
    if settings.telegram_webhook_secret is not None and settings.telegram_webhook_secret.get_secret_value():
        return settings.telegram_webhook_secret.get_secret_value()
    return hashlib.sha256(("musicbot-webhook:" + _token(settings)).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------- commands menu
def command_menus(settings: Settings) -> tuple[list[BotCommand], list[BotCommand]]:
    """(user commands, user + admin commands) for ``set_my_commands``."""
    users = [BotCommand(name, desc) for name, desc in USER_COMMANDS]
    return users, users + [BotCommand(name, desc) for name, desc in ADMIN_COMMANDS]


async def publish_commands(app: Application) -> None:
    """Publish the command menu: user commands for everyone, admin commands in each admin's private chat scope.

    An admin who never opened a chat with the bot makes Telegram answer "chat not found"; that is logged and
    skipped (they get the admin menu on the next start after talking to the bot).
    """
    settings: Settings = app.bot_data["settings"]
    users, admins = command_menus(settings)
    await app.bot.set_my_commands(users, scope=BotCommandScopeDefault())
    for admin_id in settings.telegram_admin_ids:
        if not admin_id.lstrip("-").isdigit():
            log.warning("TELEGRAM_ADMIN_IDS holds a non-numeric id %r; skipped for the admin menu", admin_id)
            continue
        try:
            await app.bot.set_my_commands(admins, scope=BotCommandScopeChat(int(admin_id)))
        except TelegramError as exc:
            log.warning("could not publish admin commands for %s: %s", admin_id, exc)


# ---------------------------------------------------------------------------------------------- application
def build_app(
    engine: Engine,
    settings: Settings,
    *,
    preview_lookup: PreviewLookup | None = None,
    extra_rows: Sequence[ExtraRows] = (),
    extra_handlers: Sequence[BaseHandler] = (),
    rate_limiter: bool | BaseRateLimiter = True,
    preview_budget_s: float = PREVIEW_BUDGET_S,
) -> Application:
    """Build the PTB ``Application`` with every handler registered; nothing is started.

    ``TELEGRAM_API_BASE_URL`` selects the Bot API server (``https://api.telegram.org/bot`` by default, or a
    self-hosted one); PTB calls ``base_url + token + "/" + method``. ``post_init`` publishes the command menus.
    Previews come from ``engine.previews`` (configured from settings by ``bot.app.build_engine``); ``preview_budget_s`` bounds how long a list reply waits for its preview links (0 = none);
    ``preview_lookup`` overrides the /preview lookup. Extension points: ``extra_rows`` adds keyboard rows under
    every track list (callback data built with :func:`~adapters.telegram.keyboards.callback_data`);
    ``extra_handlers`` are registered before the catch-all button handler. ``rate_limiter``: True = a
    :class:`~adapters.telegram.ratelimit.FloodRateLimiter` (Telegram's flood limits, bounded 429 retries), False =
    none, or a configured limiter. The list state behind a key is
    ``app.bot_data["handlers"].store.get(key)`` (:class:`~adapters.telegram.keyboards.PageState`).

    Raises:
        InvalidInput: no ``TELEGRAM_BOT_TOKEN``.
    """
    token = _token(settings)
    install_redaction(
        [token] + ([settings.telegram_webhook_secret.get_secret_value()] if settings.telegram_webhook_secret else [])
    )
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(64)
        .post_init(publish_commands)
    )
    if rate_limiter:
        builder = builder.rate_limiter(rate_limiter if isinstance(rate_limiter, BaseRateLimiter) else FloodRateLimiter())
    app = builder.build()
    app.bot_data["settings"] = settings
    app.bot_data["engine"] = engine

    h = BotHandlers(
        engine,
        lambda user_id: caller_for(settings, "telegram", user_id),
        store=CallbackStore[PageState](settings.telegram_callback_ttl_s, settings.telegram_callback_max),
        commands_policy=RatePolicy("commands", settings.rate_burst, settings.rate_refill_s),
        chat_policy=RatePolicy.per_window("chat", settings.telegram_chat_rate, settings.telegram_chat_window_s),
        preview_lookup=preview_lookup,
        extra_rows=extra_rows,
        preview_budget_s=preview_budget_s,
    )
    pl = PlaylistHandlers(h)
    app.bot_data["handlers"] = h
    app.bot_data["playlists"] = pl
    only_new = filters.UpdateType.MESSAGE
    app.add_handler(TypeHandler(Update, h.flood_gate), group=-1)  # before every handler: per-user flood control
    for names, callback in (
        (["start", "help"], h.start),
        (["recommend"], h.recommend),
        (["similar"], h.similar),
        (["search"], h.search),
        (["song"], h.song),
        (["preview"], h.preview),
        (["like"], h.like),
        (["dislike"], h.dislike),
        (["playlist"], pl.playlist),
        (["playlists"], pl.playlists),
        (["pl_create"], pl.pl_create),
        (["pl_add"], pl.pl_add),
        (["pl_remove"], pl.pl_remove),
        (["pl_show"], pl.pl_show),
        (["pl_rename"], pl.pl_rename),
        (["pl_delete"], pl.pl_delete),
        (["pl_recommend"], pl.pl_recommend),
        (["pl_export"], pl.pl_export),
        (["more"], h.more),
        (["reset"], h.reset),
        (["addsong"], h.addsong),
        (["editsong"], h.editsong),
        (["delsong"], h.delsong),
    ):
        app.add_handler(CommandHandler(names, callback, filters=only_new))
        h.command_names.update(names)
    charts.register(app, h, only_new)  # /chart and the "📊 Chart" button
    app.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, h.free_text))
    app.add_handler(MessageHandler(only_new & filters.COMMAND & filters.ChatType.PRIVATE, h.unknown_command))
    app.add_handler(CallbackQueryHandler(h.button, pattern=rf"^[{MORE_LIKE}{NEXT_PAGE}]\|"))
    app.add_handler(CallbackQueryHandler(h.list_button, pattern=rf"^[{PICK}{BACK}{LIKE}{DISLIKE}{ADD_PICK}{ADD_TO}]\|"))
    app.add_handler(CallbackQueryHandler(pl.button, pattern=CALLBACK_PATTERN))
    for handler in extra_handlers:
        app.add_handler(handler)
    app.add_handler(CallbackQueryHandler(h.unknown_button))
    app.add_handler(InlineQueryHandler(h.inline))
    app.add_error_handler(h.on_error)
    return app


def run_telegram(settings: Settings, db: Path | str | None = None, webhook_url: str | None = None, port: int = 8443) -> None:
    """Run the bot until interrupted (``musicbot telegram``).

    Polling by default. With ``webhook_url`` (public HTTPS URL), listens on ``TELEGRAM_WEBHOOK_LISTEN:port`` at the
    URL's path (TLS terminated by a reverse proxy) and checks Telegram's ``secret_token`` header.

    Raises:
        InvalidInput: no token, or a webhook URL that is not https.
    """
    _token(settings)
    if webhook_url and urlparse(webhook_url).scheme != "https":
        raise InvalidInput("--webhook-url must be a public https:// URL (Telegram only delivers to HTTPS).", "webhook_url")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    engine = loop.run_until_complete(build_engine(settings, db))  # also configures previews and the agent
    settle_heap(engine)  # fit the local text understanding now (~0.5 s), not on the first inline query; gc.freeze
    app = build_app(engine, settings)

    async def close_engine(_: Application) -> None:
        await engine.close()

    app.post_shutdown = close_engine
    log.warning("Telegram bot starting (%s mode, %d tracks)", "webhook" if webhook_url else "polling", len(engine.table))
    if webhook_url:
        app.run_webhook(
            listen=settings.telegram_webhook_listen,
            port=port,
            url_path=urlparse(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=webhook_secret(settings),
            allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=3,
        )
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)

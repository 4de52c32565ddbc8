"""Wiring for the Telegram bot: :func:`build_app` (application services + settings -> PTB ``Application``) and
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
from typing import TYPE_CHECKING, Any
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
    SharedPages,
    ExtraRows,
)
from adapters.telegram.playlists import CALLBACK_PATTERN, PlaylistHandlers
from adapters.telegram import charts
from adapters.telegram.render import ADMIN_COMMANDS, USER_COMMANDS
from adapters.telegram.ratelimit import FloodRateLimiter
from core import policy
from core.commands import commands_on
from core.app.services import AppServices, ServicesFactory
from core.lookup import CatalogLookup
from core.errors import InvalidInput
from core.ratelimit import RatePolicy

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)
#: Opens the configured services (the composition root's ``bot.app.build_engine`` bound to settings and ``--db``).
EngineFactory = ServicesFactory

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
    """(user commands, user + admin commands) for ``set_my_commands``, from the command registry."""
    users = [BotCommand(name, desc) for name, desc in USER_COMMANDS]
    return users, users + [BotCommand(name, desc) for name, desc in ADMIN_COMMANDS]


def command_callbacks(h: BotHandlers, pl: PlaylistHandlers) -> dict[str, Any]:
    """Telegram command name -> handler, for every command of the registry (:func:`core.commands.commands_on`).

    The handler of registry command ``x`` is ``h.x`` (``playlist y``: ``pl.pl_y``; ``playlists``/``playlist``:
    ``pl.<name>``; ``help``/``start``: ``h.start``).

    Raises:
        AttributeError: a registry command has no handler here (caught by the registry test, never at run time).
    """
    out: dict[str, Any] = {}
    for spec in commands_on("telegram"):
        name = spec.telegram or spec.name
        if spec.name in ("help", "start"):
            out[name] = h.start
        elif spec.name == "chart":
            out[name] = charts.chart_callback(h)
        elif spec.name.startswith("playlist"):
            out[name] = getattr(pl, name)
        else:
            out[name] = getattr(h, name)
    return out


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
    services: AppServices,
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
    Previews come from ``services.previews`` (configured from settings by ``bot.app.build_engine``); ``preview_budget_s`` bounds how long a list reply waits for its preview links (0 = none);
    ``preview_lookup`` overrides the /preview lookup. Extension points: ``extra_rows`` adds keyboard rows under
    every track list (callback data built with :func:`~adapters.telegram.keyboards.callback_data`);
    ``extra_handlers`` are registered before the catch-all button handler. ``rate_limiter``: True = a
    :class:`~adapters.telegram.ratelimit.FloodRateLimiter` (Telegram's flood limits, bounded 429 retries), False =
    none, or a configured limiter. The list state behind a key is
    ``await app.bot_data["handlers"].store.get(key)`` (:class:`~adapters.telegram.keyboards.PageState`).

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
    app.bot_data["services"] = services
    operators = policy.Operators.of(telegram=settings.telegram_admin_ids)  # catalog admins: the operators' list only

    h = BotHandlers(
        services,
        lambda user_id: policy.caller_for("telegram", user_id, operators),
        store=SharedPages(services.sessions.button_store, settings.telegram_callback_ttl_s),
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
    for name, callback in command_callbacks(h, pl).items():  # one handler per registry command, nothing else
        app.add_handler(CommandHandler(name, callback, filters=only_new))
        h.command_names.add(name)
    charts.register(app, h)  # the "📊 Chart" button
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


def run_telegram(
    settings: Settings, db: Path | str | None = None, webhook_url: str | None = None, port: int = 8443,
    *, open_engine: EngineFactory | None = None,
) -> None:
    """Run the bot until interrupted (``musicbot telegram``).

    Polling by default. With ``webhook_url`` (public HTTPS URL), listens on ``TELEGRAM_WEBHOOK_LISTEN:port`` at the
    URL's path (TLS terminated by a reverse proxy) and checks Telegram's ``secret_token`` header (the same on every
    worker, :func:`webhook_secret`). **Several workers behind one URL**: run one process per worker with the same
    ``--webhook-url`` and database; every state a button or a follow-up needs is in the database (button keys,
    the list on screen, pages, rate limits), so any worker answers any update. Each worker registers the same URL and
    secret with Telegram on start (``setWebhook`` is idempotent).
    ``open_engine``: opens the configured services (``bot.cli`` passes ``bot.app.build_engine``; required).

    Raises:
        InvalidInput: no token, or a webhook URL that is not https.
    """
    _token(settings)
    if webhook_url and urlparse(webhook_url).scheme != "https":
        raise InvalidInput("--webhook-url must be a public https:// URL (Telegram only delivers to HTTPS).", "webhook_url")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if open_engine is None:
        raise InvalidInput("No services to serve: the composition root (bot.cli) passes open_engine.", "open_engine")
    opened = loop.run_until_complete(open_engine())  # bot.cli's factory also configures previews/agent, settles the heap
    app = build_app(opened.app, settings)

    async def close_engine(_: Application) -> None:
        await opened.close()

    app.post_shutdown = close_engine
    log.warning("Telegram bot starting (%s mode, %d tracks)", "webhook" if webhook_url else "polling",
                CatalogLookup(opened.app).size())
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

"""Composition root: settings -> engine, caller identities, logging."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from pathlib import Path

from bot.settings import Settings
from core.catalog import ProgressFn
from core.engine import Engine
from core import policy
from core.models import Caller


def resolve_db(settings: Settings, db: Path | str | None) -> str:
    """The catalog path or ``postgresql://`` URL: ``--db`` when given, else ``DATABASE_URL``."""
    if not db:
        return settings.database_path()
    from core.infra.database import restore_url

    return restore_url(str(db))


async def build_engine(
    settings: Settings, db: Path | str | None = None, progress: ProgressFn | None = None, seed: bool = True,
    follow: bool = True, one_request: bool = False,
) -> Engine:
    """Open the engine on ``--db`` / ``DATABASE_URL`` (seeding the shipped catalog on first start unless ``seed`` is
    False, e.g. for ``import --replace``) and configure the LLM agent (``MODEL`` + keys; none -> the built-in local
    model) and preview lookups from ``settings``. The engine follows catalog changes made by other processes
    (:meth:`core.engine.Engine.follow_changes`) unless ``follow`` is False (a one-shot command that ends in a second:
    a change committed meanwhile is as if made just after it; polling would only replay its own writes);
    ``one_request``: the process runs one request and ends (:meth:`core.engine.Engine.open`). Leaves the heap frozen (``gc.freeze``, see below): a caller that
    closes the engine and goes on in the same process calls ``gc.unfreeze()`` (``bot.cli.open_engine`` does)."""
    from core.previews import PreviewConfig
    from core.spotify_links import ShortLinkResolver

    # The catalog table (~300k lists, sets, tuples, dicts; no reference cycles) lives as long as the process: no cyclic
    # collections while it is built (each allocation burst would scan it again, for nothing to free), then out of the
    # collector's generations (gc.freeze), so neither the first collection after it nor those the text understanding
    # fit triggers scan it. Measured on this loaded machine: collections fell from ~0.6–1.0 s to ~0.25 s of a one-shot
    # `musicbot ask`. Reference counting still frees what is dropped.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        engine = await Engine.open(resolve_db(settings, db), progress=progress, seed=seed, follow=follow,
                                  one_request=one_request)
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()
    engine.app.chat.configure_agent(settings.agent_config())
    engine.app.personal.configure_previews(PreviewConfig.from_settings(settings))
    engine.app.tracks.link_resolver = ShortLinkResolver(timeout_s=settings.short_link_timeout_s)
    return engine


def settle_heap(engine: Engine, warm_agent: bool = True) -> threading.Thread | None:
    """Prepare a long-running bot process: fit the local text understanding now (not on the first message) and move
    everything loaded so far — catalog table, KNN index, text models, libraries, ~250k objects — out of the garbage
    collector's generations (``gc.collect(); gc.freeze()``). A full collection over them takes 0.2–0.5 s, an event-loop
    stall some unlucky message would trigger for every user (measured by ``musicbot bench``'s worst-case figures).

    ``warm_agent``: then prepare the agent in a background daemon thread (:meth:`core.chat.ChatService.prepare_agent`:
    importing ``pydantic_ai`` takes ~1 s), so the bot is ready at once and its first free-text message is not ~1 s
    slower than the others; what that thread loaded is frozen too. Returns the thread (None without it)."""
    import gc

    try:
        engine.app.chat.prepare_lists()  # text understanding, artist graph, coverage: not on the first message
    except Exception:  # the commands that need it report the problem; the bot can still start
        logging.getLogger(__name__).warning("could not prepare the local text understanding", exc_info=True)
    gc.collect()
    gc.freeze()
    if not warm_agent:
        return None

    def warm() -> None:
        try:
            engine.app.chat.prepare_agent()
        except Exception:  # noqa: BLE001 - the first free-text message prepares it instead
            logging.getLogger(__name__).warning("could not prepare the agent ahead of time", exc_info=True)
        gc.freeze()

    thread = threading.Thread(target=warm, name="musicbot-agent-warm-up", daemon=True)
    thread.start()
    return thread


#: Seconds after a bot is ready before its warm-up (:func:`settle_heap_after_ready`) runs on the event loop.
WARM_UP_DELAY_S = 0.05


def settle_heap_after_ready(engine: Engine, delay_s: float = WARM_UP_DELAY_S) -> asyncio.TimerHandle:
    """Schedule :func:`settle_heap` on the running event loop ``delay_s`` seconds from now, so a bot is ready (engine
    open, application built, its first request to the platform on its way) without waiting for the text
    understanding fit, the artist graph and the heap freeze (~0.5–1 s); they then overlap the platform's connect
    (Telegram ``getMe`` / polling start, Discord login and gateway). On the loop, not in a thread: those structures
    read the catalog table, which only the loop changes. A message arriving before the warm-up ran builds what it
    needs itself, as without a warm-up.

    Must be called from a coroutine (a running loop). Returns the timer (cancel it to skip the warm-up)."""
    loop = asyncio.get_running_loop()
    return loop.call_later(delay_s, settle_heap, engine)


def caller_for(settings: Settings, platform: str, user_id: str | int) -> Caller:
    """Identity + role for a platform user; admins come from settings only (never from the conversation)."""
    return policy.caller_for(platform, user_id, operators(settings))


def operators(settings: Settings) -> policy.Operators:
    """The operators' catalog-admin lists from settings (``TELEGRAM_ADMIN_IDS``, ``DISCORD_ADMIN_IDS``,
    ``CONSOLE_ADMIN``), for :mod:`core.policy`."""
    return policy.Operators.of(
        telegram=settings.telegram_admin_ids, discord=settings.discord_admin_ids, console_admin=settings.console_admin
    )


class _RedactSecrets(logging.Filter):
    """Replaces configured secrets (bot tokens, API keys) in every log record by ``***``."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            msg = record.getMessage()
            if any(s in msg for s in self.secrets):
                record.msg, record.args = self._redact(msg), None
            if record.exc_info and not record.exc_text:
                # the traceback too: formatters reuse ``exc_text`` once it is set
                record.exc_text = self._redact(logging.Formatter().formatException(record.exc_info))
        return True


def setup_logging(settings: Settings) -> None:
    """Configure logging at ``LOG_LEVEL``; httpx/httpcore stay at WARNING (their URLs carry the Telegram token)."""
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    secrets = [
        s.get_secret_value()
        for s in (
            settings.telegram_bot_token,
            settings.discord_bot_token,
            settings.google_api_key,
            settings.openai_api_key,
            settings.spotify_client_secret,
            settings.api_admin_key,
        )
        if s is not None
    ]
    redact = _RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)

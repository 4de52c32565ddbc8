"""Startup of the bots (``musicbot telegram`` / ``musicbot discord``): every failure ends in ONE clear line on stderr
and exit status 1, with secrets redacted and no traceback (the traceback is logged only at ``LOG_LEVEL=DEBUG``,
through the logging redaction filter).

Libraries put secrets in their exceptions: python-telegram-bot's ``InvalidToken`` message quotes the rejected token,
and httpx errors may carry the Bot API URL (``…/bot<TOKEN>/getMe``). :func:`redact` removes the configured secrets
and anything shaped like a Telegram or Discord bot token from every line printed here.

The failure kinds (:func:`describe_failure`), from the exception and its causes:

* token rejected — Telegram ``InvalidToken`` (HTTP 401/404 on ``getMe``), Discord ``LoginFailure`` (401);
* host not found — DNS errors (``socket.gaierror``, "Name or service not known");
* cannot connect — connection refused / reset, httpx ``ConnectError``, aiohttp ``ClientConnectorError``;
* timed out — ``TimeoutError``, PTB ``TimedOut``;
* server error — HTTP 5xx (PTB ``NetworkError`` with the server's message, discord.py ``DiscordServerError``);
* anything else — the exception's type and first line, redacted and clipped.
"""

from __future__ import annotations

import logging
import re
import socket
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from core.errors import MusicBotError

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("bot.startup")

#: Telegram bot tokens are ``<bot id>:<35 url-safe chars>``; Discord tokens are three dot-separated base64 parts.
TOKEN_SHAPES = (
    re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}"),
    re.compile(r"\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}"),
)
#: Longest line printed (characters); a library's message can be long.
MAX_LINE = 300

_DNS_WORDS = ("name or service not known", "nodename nor servname", "temporary failure in name resolution",
              "no address associated", "getaddrinfo failed", "name resolution", "could not resolve")
_CONNECT_WORDS = ("connection refused", "all connection attempts failed", "connecterror", "cannot connect",
                  "connect call failed", "connection reset", "network is unreachable", "remoteprotocolerror")


def secrets_of(settings: Settings) -> list[str]:
    """The configured secret values (bot tokens, API keys), for redaction."""
    values = (
        settings.telegram_bot_token,
        settings.discord_bot_token,
        settings.google_api_key,
        settings.openai_api_key,
        settings.spotify_client_secret,
        settings.api_admin_key,
    )
    return [v.get_secret_value() for v in values if v is not None and v.get_secret_value().strip()]


def redact(text: str, secrets: list[str] = ()) -> str:  # type: ignore[assignment]
    """``text`` with every secret (and anything shaped like a bot token) replaced by ``***``."""
    for secret in sorted((s for s in secrets if s and len(s) >= 6), key=len, reverse=True):
        text = text.replace(secret, "***")
        if secret.strip() != secret:
            text = text.replace(secret.strip(), "***")
    for shape in TOKEN_SHAPES:
        text = shape.sub("***", text)
    return text


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and its causes / contexts, outermost first (cycle-safe, at most 20)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen and len(seen) < 20:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def _status(exc: BaseException) -> int | None:
    for attr in ("status", "status_code", "error_code"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and 100 <= value <= 599:
            return value
    return None


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def describe_failure(exc: BaseException, platform: str, where: str = "") -> str:
    """One line saying why the bot could not start and what to do (not yet redacted: see :func:`failure_line`).

    Args:
        exc: what startup raised.
        platform: ``"telegram"`` or ``"discord"``.
        where: the API address used (shown for network failures), e.g. ``TELEGRAM_API_BASE_URL``.
    """
    service = {"telegram": "the Telegram Bot API", "discord": "Discord"}.get(platform, platform)
    token_var = f"{platform.upper()}_BOT_TOKEN"
    at = f" at {where}" if where else ""
    chain = list(_chain(exc))
    names = set().union(*(_names(e) for e in chain))
    text = " | ".join(str(e) for e in chain).lower()
    statuses = [s for s in (_status(e) for e in chain) if s is not None]
    if isinstance(exc, MusicBotError):
        return str(exc)
    if names & {"InvalidToken", "LoginFailure"} or 401 in statuses or "unauthorized" in text:
        origin = "@BotFather" if platform == "telegram" else "the Developer Portal"
        return f"{service} rejected {token_var} (401 Unauthorized); copy the token again from {origin}."
    if any(isinstance(e, socket.gaierror) for e in chain) or "ClientConnectorDNSError" in names or any(
        w in text for w in _DNS_WORDS
    ):
        return f"could not find the host of {service}{at} (DNS lookup failed); check the network and the address."
    server = [s for s in statuses if s >= 500] or (
        [500] if names & {"DiscordServerError"} or "internal server error" in text or "bad gateway" in text
        or "service unavailable" in text or "gateway timeout" in text else []
    )
    if server:
        return f"{service}{at} answered with a server error (HTTP {server[0]}); try again later."
    if any(isinstance(e, ConnectionError) for e in chain) or names & {"ConnectError", "ClientConnectorError"} or any(
        w in text for w in _CONNECT_WORDS
    ):
        return f"could not connect to {service}{at} (connection refused or unreachable); check the network and the address."
    if names & {"TimedOut", "TimeoutError", "ConnectTimeout", "ReadTimeout", "ServerTimeoutError"}:
        return f"{service}{at} did not answer in time; check the network and try again."
    if statuses:
        return f"{service}{at} refused the start (HTTP {statuses[0]}): {_first_line(exc)}"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else "(no message)"


def failure_line(exc: BaseException, platform: str, secrets: list[str], where: str = "") -> str:
    """The one stderr line for a startup failure: ``musicbot <platform>: <reason>``, redacted, on one line."""
    line = f"musicbot {platform}: {describe_failure(exc, platform, redact(where, secrets))}"
    line = " ".join(redact(line, secrets).split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def run_bot(platform: str, settings: Settings, start: Callable[[], None], where: str = "") -> int:
    """Run ``start()`` (the bot, until it stops); on any failure print one line to stderr and return 1.

    The traceback is logged (redacted by the logging filter) only when ``LOG_LEVEL=DEBUG``. ``KeyboardInterrupt``
    and ``SystemExit`` pass through.

    Returns:
        0 when ``start()`` returned normally, 1 after a failure.
    """
    secrets = secrets_of(settings)
    try:
        start()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - every startup failure ends in one line
        if settings.log_level.upper() == "DEBUG":
            log.debug("%s bot failed to start", platform, exc_info=True)
        sys.stderr.write(failure_line(exc, platform, secrets, where) + "\n")
        sys.stderr.flush()
        return 1
    return 0


class QuietLibraryErrors(logging.Filter):
    """Below DEBUG, drop the libraries' own error records about a failed bootstrap / login (PTB's "Network Retry
    Loop … Aborting." with its traceback) — :func:`run_bot` reports the failure in one line — and discord.py's
    "voice will NOT be supported" notes (the bot plays no voice). At ``LOG_LEVEL=DEBUG`` everything passes (and is
    redacted by the secrets filter)."""

    PATTERNS = ("Network Retry Loop (Bootstrap", "Error while bootstrapping")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:  # discord.py's start-up notes about voice (this bot has none)
            return not (record.name == "discord.client" and "voice will NOT be supported" in str(record.msg))
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is not ours to judge
            return True
        return not any(p in message for p in self.PATTERNS)


def quiet_library_errors(settings: Settings) -> None:
    """Install :class:`QuietLibraryErrors` on the root logging handlers (unless DEBUG), so it sees the records of
    every ``telegram.*`` / ``discord.*`` logger."""
    if settings.log_level.upper() == "DEBUG":
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, QuietLibraryErrors) for f in handler.filters):
            handler.addFilter(QuietLibraryErrors())

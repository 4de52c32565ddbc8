"""The local console chat (``musicbot chat``): a REPL over the chat use case (:meth:`core.chat.ChatService.chat`)."""

from __future__ import annotations

import asyncio
import logging

try:  # line editing and history (arrow keys) for input(), where the platform has GNU readline / libedit
    import readline  # noqa: F401
except ImportError:  # pragma: no cover - e.g. Windows without pyreadline
    pass

from rich.console import Console
from rich.markup import escape

from adapters.console.render import print_reply
from adapters.console.spinner import with_spinner
from core.commands import commands_on
from core.app.services import AppServices
from core.lookup import CatalogLookup
from core.models import Caller
from core.reply_words import say

log = logging.getLogger(__name__)

#: The greeting: the console's user commands from the command registry (:mod:`core.commands`).
BANNER = (
    "[bold]musicbot[/bold] — tell me what you want to hear, or use "
    + ", ".join(dict.fromkeys(f"/{s.name.split()[0]}" for s in commands_on("console", admin=False)
                              if s.menu and s.name not in ("help", "playlists", "more", "reset")))
    + ", /help. /quit to leave."
)
#: The console's playlist group (shared with ``musicbot playlist`` and ``musicbot ask``).
CONSOLE_GROUP = "console:local"


async def run_repl(
    services: AppServices,
    caller: Caller,
    console: Console,
    conversation_id: str = "console:local",
    group_id: str = CONSOLE_GROUP,
) -> None:
    """Read lines until /quit or EOF; every line goes to the engine; no input can crash the loop.

    Playlists live in ``group_id`` (``console:local`` by default, the group ``musicbot playlist`` uses). Renaming
    or deleting someone else's playlist needs a console admin (``CONSOLE_ADMIN``, on by default).
    """
    console.print(BANNER)
    console.print(f"[dim]{CatalogLookup(services).size():,} tracks in the catalog.[/dim]")
    # while the person types, prepare what free text needs (text model, agent): the first reply is then as fast as
    # the others (core.chat.ChatMixin.warm_up; the loop stays free, the agent is built in a worker thread)
    warm = asyncio.create_task(services.chat.warm_up())
    lang = ""  # the conversation's language, from its last reply (the spinner, an apology and the goodbye use it)
    while True:
        try:
            line = await asyncio.to_thread(console.input, "[bold cyan]you>[/bold cyan] ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in ("/quit", "/exit", "quit", "exit"):
            break
        try:
            reply = await with_spinner(console, services.chat.chat(conversation_id, caller, text, group_id=group_id),
                                       say("thinking", lang or "en"))  # shown only when the answer takes over ~0.3 s
        except Exception:  # the REPL must survive anything
            log.exception("chat failed")
            console.print(f"[red]{escape(say('sorry', lang or 'en'))}[/red]")
            continue
        lang = reply.lang
        print_reply(console, reply)
    if not warm.done():
        warm.cancel()  # the worker thread, if running, finishes by itself (daemon work, nothing to save)
    lang = lang or await services.chat.reply_language(conversation_id)  # a conversation resumed and left at once
    console.print(escape(say("bye", lang)))

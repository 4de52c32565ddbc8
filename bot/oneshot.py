"""What the one-request commands run, without the command-line framework: the engine opened with a spinner (and a
seeding bar on first start), errors as one line, and ``musicbot ask`` itself — so the console script's entry
(:func:`main`) can run a plain ``musicbot ask TEXT [--db PATH] [--conversation ID] [--user ID] [--json]`` without
importing typer (its import and building the command tree cost ~0.04 s, ≈ 0.3× a bare Python start with numpy).
Every other command line (help, other commands, options written another way) goes to typer (:mod:`bot.cli`), which
defines the commands and their help, and runs the same functions from here.
"""

from __future__ import annotations

import gc as _gc

# No cyclic collections while the command's libraries are imported (see bot/cli.py): frozen, then re-enabled.
_GC_WAS_ENABLED = _gc.isenabled()
_gc.disable()

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.app import build_engine, caller_for, setup_logging
from bot.ask_args import ASK_DEFAULTS, ASK_OPTIONS, parse_plain_ask, reader_gone  # noqa: F401 - re-exported
from bot.settings import Settings
from core.engine import Engine
from core.errors import MusicBotError

_gc.freeze()
if _GC_WAS_ENABLED:
    _gc.enable()

console = Console()
err_console = Console(stderr=True)


def _settings() -> Settings:
    settings = Settings()
    setup_logging(settings)
    return settings


@asynccontextmanager
async def open_engine(
    db: Path | None, quiet: bool = False, seed: bool = True, follow: bool = False, one_request: bool = False,
    settings: Settings | None = None,
) -> AsyncIterator[Engine]:
    """Open the engine, showing a progress bar while the shipped catalog is seeded on first start (``seed=False``:
    never seed, e.g. before ``import --replace``). ``follow``: apply catalog changes other processes make while it
    runs (the interactive chat); one-shot commands don't (:func:`bot.app.build_engine`). ``one_request``: the
    command runs one request (ask, recommend, similar, search, song: :meth:`core.engine.Engine.open`). ``settings``:
    the caller's, when it read them already (else read here: reading them costs a few milliseconds)."""
    settings = settings or _settings()
    progress: Any = None  # rich.progress is imported only when a seed runs (not on an already seeded catalog)
    task = None
    from adapters.console.spinner import DelayedSpinner

    # a spinner on stderr when opening takes over ~0.3 s (a first start after a catalog change), never for --json
    spinner = DelayedSpinner(err_console, "Loading the catalog…", enabled=not quiet)

    def report(done: int, total: int) -> None:
        # called only while a seed is running: the bar appears then, never for an already seeded catalog
        nonlocal task, progress
        if task is None:
            spinner.stop()  # one live display at a time: the seeding bar takes over
            progress = _progress("[bold]Seeding catalog (CSV rows)", elapsed=True, transient=True,
                                 disable=quiet or not err_console.is_terminal)
            progress.start()
            task = progress.add_task("seed", total=total or None)
        progress.update(task, completed=done, total=total or None)

    try:
        with spinner:
            engine = await build_engine(settings, db, progress=report, seed=seed, follow=follow,
                                          one_request=one_request)
    finally:
        if progress is not None:
            progress.stop()
    try:
        yield engine
    finally:
        await engine.close()
        _gc.unfreeze()  # build_engine froze the table: let the collector reclaim it (an in-process caller goes on)


def _progress(label: str, elapsed: bool = False, **kw: Any) -> Any:
    """A rich progress bar on stderr (``label``, bar, done/total[, elapsed]); rich.progress imported here, on use."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn()] + ([TimeElapsedColumn()] if elapsed else [])
    return Progress(*columns, console=err_console, **kw)


def run(coro_fn: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run an async command; a :class:`MusicBotError` prints one friendly line and exits 1."""
    try:
        return asyncio.run(coro_fn())
    except MusicBotError as exc:
        print_error(err_console, exc)
        raise SystemExit(1) from None


def print_error(err: Console, exc: MusicBotError) -> None:
    """A refused or bad request as the one-shot commands print it: one red line on ``err``, no markup from the
    message, no wrapping at the console width."""
    err.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)


async def answer(
    engine: Engine, settings: Settings, text: str, conversation: str, user: str, as_json: bool, out: Console,
    err: Console, wait: Callable[[Coroutine[Any, Any, Any]], Coroutine[Any, Any, Any]] | None = None,
) -> None:
    """One ``musicbot ask`` turn on an open ``engine``: the message ``text`` on the stored conversation
    ``conversation`` as ``user``, the reply printed on ``out`` (a table / text, or with ``as_json`` the JSON list of
    tracks or ``{"text": …}``; JSON caveats on ``err``). ``wait`` wraps the turn's coroutine (e.g. a spinner). Shared
    by the cold one-shot command (:func:`ask_once`) and the resident worker (:mod:`bot.resident`), so both print the
    same reply.

    Raises:
        MusicBotError: bad input or a refused request (the caller prints it as one line)."""
    from adapters.console.render import print_reply, recommendation_json

    work = engine.app.chat.chat(conversation, caller_for(settings, "console", user), text)
    reply = await (wait(work) if wait is not None else work)
    if as_json:
        if reply.recommendation is not None:
            out.file.write(recommendation_json(reply.recommendation, err) + "\n")
        else:
            out.file.write(json.dumps({"text": reply.text}, ensure_ascii=False) + "\n")
    else:
        print_reply(out, reply)


def ask_once(text: str, db: Path | None, conversation: str, user: str, as_json: bool) -> None:
    """``musicbot ask``: send one chat message on the stored conversation ``conversation`` as ``user`` and print the
    reply (a table / text, or with ``as_json`` the JSON list of tracks or ``{"text": …}``).

    Raises:
        SystemExit: 1 after a :class:`MusicBotError` (printed as one line on stderr).
    """
    from adapters.console.spinner import with_spinner

    async def go() -> None:
        settings = _settings()
        async with open_engine(db, quiet=as_json, one_request=True, settings=settings) as engine:
            await answer(engine, settings, text, conversation, user, as_json, console, err_console,
                         wait=None if as_json else (lambda work: with_spinner(err_console, work, "Thinking…")))

    # One request, then the process ends: no cyclic collections while it runs. The text model's start, SQLAlchemy's
    # import and the turn triggered ~130 young-generation collections (~30-50 ms of CPU under load) that found next to
    # nothing to free: peak memory is the same with and without them (measured ~194 MB either way). Reference counting
    # still frees what is dropped; the collector's previous state is restored after the reply.
    was_enabled = _gc.isenabled()
    _gc.disable()
    try:
        run(go)
    finally:
        if was_enabled:
            _gc.enable()


def main() -> None:
    """The ``musicbot`` console script: a plain ``ask`` (:func:`parse_plain_ask`) runs here; everything else is typer's
    (:func:`bot.cli.main`)."""
    plain = parse_plain_ask(sys.argv[1:])
    if plain is None:
        from bot.cli import main as typer_main

        typer_main()
        return
    try:
        ask_once(**plain)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        reader_gone()


if __name__ == "__main__":
    main()

"""The plain ``musicbot ask`` command line, read without the command-line framework or any heavy import: the
console script's entry (:mod:`bot.entry`) reads it before anything else, to hand the request to a resident worker
(:mod:`bot.resident`) or to the one-shot command (:mod:`bot.oneshot`). Standard library only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn


#: ``musicbot ask``'s options as :func:`parse_plain_ask` reads them: flag -> (parameter, takes a value). The same
#: names and defaults as the typer command (``bot.cli.ask``; tests/integration/test_cli_entry.py compares them).
ASK_OPTIONS: dict[str, tuple[str, bool]] = {
    "--db": ("db", True), "--conversation": ("conversation", True), "--user": ("user", True), "--json": ("as_json", False),
}
ASK_DEFAULTS: dict[str, Any] = {"db": None, "conversation": "cli:ask", "user": "local", "as_json": False}


def parse_plain_ask(argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of :func:`bot.oneshot.ask_once` for a plain ``ask`` command line (``argv`` without the program
    name): ``ask``, one message, and the options of :data:`ASK_OPTIONS` each at most once as ``--name value`` or
    ``--name=value``. None for anything else — help, another command, a global option, an unknown or repeated
    option, an empty value, a second argument, ``--``, a message that starts with ``-`` — which typer then parses."""
    if len(argv) < 2 or argv[0] != "ask":
        return None
    out: dict[str, Any] = {}
    text: str | None = None
    rest = iter(argv[1:])
    for arg in rest:
        if arg.startswith("-"):
            name, eq, value = arg.partition("=")
            spec = ASK_OPTIONS.get(name)
            if spec is None or spec[0] in out or (eq and not spec[1]):
                return None
            if spec[1]:
                if not eq:
                    value = next(rest, "")
                if not value or value.startswith("-"):
                    return None
            out[spec[0]] = (Path(value) if spec[0] == "db" else value) if spec[1] else True
        elif text is None:
            text = arg
        else:
            return None
    if text is None:
        return None
    return {**ASK_DEFAULTS, **out, "text": text}


def reader_gone() -> NoReturn:
    """The reader of stdout went away (``musicbot ask … --json | head -c 100``): exit quietly with status 1, as typer's
    commands do (click's EPIPE handling), instead of a traceback. stdout is pointed at the null device first, so the
    interpreter's final flush cannot fail again (the recipe of Python's ``signal`` docs, "Note on SIGPIPE")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)

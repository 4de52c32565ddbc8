"""The ``musicbot`` console script's entry (``pyproject.toml``): read compiled regular expressions from the cache
folder (:mod:`core.regex_cache`), then run :func:`bot.oneshot.main` (a plain ``ask`` without typer, anything else
through typer).

A module of its own so that only the installed command reads and writes that cache: importing :mod:`bot.oneshot` or
:mod:`bot.cli` (tests, benchmarks, other programs) leaves Python's ``re`` as it is.
"""

from __future__ import annotations


def main() -> None:
    """The ``musicbot`` command: the compiled-regex cache installed before any module that compiles patterns is
    imported, then :func:`bot.oneshot.main`."""
    from core.regex_cache import install

    install()
    from bot.oneshot import main as oneshot_main

    oneshot_main()


if __name__ == "__main__":
    main()

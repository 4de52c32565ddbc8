"""The ``musicbot`` console script's entry (``pyproject.toml``): a plain ``musicbot ask`` goes to the resident worker
of its set-up when one runs (:mod:`bot.resident`: only the standard library is imported on that path); otherwise read
compiled regular expressions from the cache folder (:mod:`core.regex_cache`), run :func:`bot.oneshot.main` (a plain
``ask`` without typer, anything else through typer) and, after a plain ``ask``, start the resident worker for the next
one; before the interpreter shuts down, freeze the heap so its exit does not scan it.

A module of its own so that only the installed command does any of this: importing :mod:`bot.oneshot` or
:mod:`bot.cli` (tests, benchmarks, other programs) leaves Python's ``re`` and the collector as they are.
"""

from __future__ import annotations


def main() -> None:
    """The ``musicbot`` command: a plain ``ask`` answered by a resident worker (:func:`bot.resident.ask`), else the
    compiled-regex cache installed before any module that compiles patterns is imported, then
    :func:`bot.oneshot.main`, and after a plain ``ask`` a worker started (:func:`bot.resident.start`); at the end
    (however the command ends) everything left is frozen (:func:`gc.freeze`) before the interpreter shuts down."""
    import gc
    import sys

    from bot.ask_args import parse_plain_ask

    plain = parse_plain_ask(sys.argv[1:])
    if plain is not None:
        from bot import resident

        try:
            code = resident.ask(plain)
        except KeyboardInterrupt:
            sys.exit(130)
        except BrokenPipeError:
            from bot.ask_args import reader_gone

            reader_gone()
        if code is not None:
            sys.exit(code)

    from core.regex_cache import install

    install()
    from bot.oneshot import main as oneshot_main

    try:
        oneshot_main()
        if plain is not None:  # the command ran well (no bad catalog path, no refused request): the next one is quick
            try:
                resident.start(plain)
            except Exception:  # noqa: BLE001 - never fail a command that did its work over its shortcut
                pass
    finally:
        # The process ends here. Python's shutdown runs a full cyclic collection over every object that is not frozen
        # — after a one-shot `ask`, the catalog table, the text model and the libraries (~0.17 s of CPU measured on
        # this 2-core machine, ≈ 1.3x a bare start) — only to free memory the OS takes back at exit anyway. Frozen
        # objects are skipped by that collection; modules are still cleared and their objects released as before.
        gc.freeze()


if __name__ == "__main__":
    main()

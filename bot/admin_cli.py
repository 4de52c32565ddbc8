"""Admin CLI: ``musicbot addsong``, ``musicbot editsong``, ``musicbot delsong`` — the chat's admin commands, for scripts.

They take exactly what ``/addsong`` / ``/editsong`` / ``/delsong`` take in a chat (the command registry's usage,
:mod:`core.commands`) and run the same application service (:func:`core.catalog_admin.run_admin_command`: the
permission from :mod:`core.policy`, the one ``field=value`` parser :mod:`core.fields`, the engine's validation)::

    musicbot addsong track_id=0123456789abcdefABCDEF title="New Song" artist="Someone" danceability=0.7 energy=0.8 \\
        key=5 loudness=-6 mode=1 speechiness=0.05 acousticness=0.1 instrumentalness=0 liveness=0.1 valence=0.6 tempo=120
    musicbot editsong "Blinding Lights - The Weeknd" energy=0.8 tempo=120 --json
    musicbot delsong 0VjIjW4GlUZAMYd2vXMi3b

**Who is admin.** In a chat, catalog admins come from the operators' lists (``TELEGRAM_ADMIN_IDS``,
``DISCORD_ADMIN_IDS``, ``CONSOLE_ADMIN``). The local CLI *is* the operator: whoever can run ``musicbot`` on the
machine can open the database file anyway, so these commands act as the ``cli`` admin (as ``musicbot import`` does).

**Exit status.** 0 on success; 1 when the change is refused (bad field or value, unknown song, ambiguous title,
duplicate id — the message names the field) and nothing was changed; 2 for a usage error (typer's). With ``--json``
the result is ``{"ok": true, "action", "fields", "track": {…}}`` and a refusal
``{"ok": false, "error", "field", "allowed"}`` on stdout, still with exit status 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from core.catalog_admin import AdminChange, run_admin_command
from core.commands import spec
from core.errors import InvalidInput, MusicBotError
from core.models import Caller, Role

#: The operator running the CLI (see the module docstring).
CLI_OPERATOR = Caller(user_id="cli", platform="console", role=Role.ADMIN)

DbOpt = Annotated[Optional[Path], typer.Option("--db", help="SQLite catalog file (default: DATABASE_URL).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result (or the error) as JSON.")]


def _join(words: list[str]) -> str:
    """argv words -> the argument text a chat message would hold (each shell word already lost its quotes)."""
    return " ".join(words)


def run_admin(command: str, args: str, db: Path | None, as_json: bool) -> None:
    """Open the engine, run ``command`` with ``args`` as the CLI operator, print the result; exit 1 on a refusal."""
    import asyncio

    from bot.cli import console, err_console, open_engine
    from bot.oneshot import print_error

    async def go() -> AdminChange:
        async with open_engine(db, quiet=True) as engine:
            return await run_admin_command(engine.app.admin, CLI_OPERATOR, command, args)

    try:
        change = asyncio.run(go())
    except MusicBotError as exc:
        if as_json:
            error = {"ok": False, "error": str(exc)}
            if isinstance(exc, InvalidInput):
                error.update(field=exc.field, allowed=exc.allowed)
            print(json.dumps(error, ensure_ascii=False))
        else:
            print_error(err_console, exc)
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps({"ok": True, **change.as_dict()}, ensure_ascii=False))
    else:
        console.print(change.message(), markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``addsong``, ``editsong`` and ``delsong`` to the ``musicbot`` app (help texts from the registry)."""

    @app.command("addsong", help=f"{spec('addsong').summary} (as /addsong). Usage: musicbot addsong track_id=… title=… "
                 "artist=… danceability=… … tempo=… [album=… year=…]")
    def addsong(
        fields: Annotated[list[str], typer.Argument(help="track_id=… title=… artist=… and the eleven audio features "
                                                        "(or: ID '|' TITLE '|' ARTIST '|' field=value …)")],
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        run_admin("addsong", _join(fields), db, as_json)

    @app.command("editsong", help=f"{spec('editsong').summary} (as /editsong). Usage: musicbot editsong SONG field=value …")
    def editsong(
        song: Annotated[str, typer.Argument(help="The track: id, Spotify link, or exact \"title - artist\".")],
        changes: Annotated[list[str], typer.Argument(help="field=value pairs, e.g. energy=0.8 tempo=120")],
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        run_admin("editsong", f"{song.replace('|', ' ')} | {_join(changes)}", db, as_json)

    @app.command("delsong", help=f"{spec('delsong').summary} (as /delsong). Usage: musicbot delsong SONG")
    def delsong(
        song: Annotated[str, typer.Argument(help="The track: id, Spotify link, or exact \"title - artist\".")],
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        run_admin("delsong", song, db, as_json)

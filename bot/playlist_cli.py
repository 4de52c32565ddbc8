"""``musicbot playlist ...``: shared playlists from the command line (registered by :mod:`bot.cli`).

Every command takes ``--db`` (else ``DATABASE_URL``), ``--group`` (default ``console:local``; any opaque group id
such as ``telegram:<chat_id>`` works, to inspect a chat's playlists), ``--user`` (the acting user, a console user)
and ``--json``. Errors the user can fix print one line and exit with status 1, as everywhere in the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer
from rich.console import Console
from rich.markup import escape

from adapters.console.render import playlist_page_list, playlist_page_table
from core.models import Caller
from core.playlists import Playlist, PlaylistChange
from core.playlists.wording import tracks_text

playlist_app = typer.Typer(
    help="Shared playlists per group: create, add, remove, show, rename, delete, recommend, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

DbOpt = Annotated[Optional[Path], typer.Option("--db", help="SQLite catalog file (default: DATABASE_URL).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
GroupOpt = Annotated[
    str, typer.Option("--group", help="Group id: console:local, telegram:<chat_id>, discord:<guild_id>.")
]
UserOpt = Annotated[str, typer.Option("--user", help="Acting user id (console).")]
NameArg = Annotated[str, typer.Argument(help="Playlist name (case-insensitive) or #id.")]


def _caller(user: str) -> Caller:
    from bot.app import caller_for
    from bot.cli import _settings

    return caller_for(_settings(), "console", user)


def _run(fn: Any) -> Any:
    from bot.cli import run

    return run(fn)


def _engine(db: Path | None, quiet: bool) -> Any:
    from bot.cli import open_engine

    return open_engine(db, quiet=quiet)


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _playlist_json(p: Playlist) -> dict[str, Any]:
    return p.model_dump(mode="json")


def _change_json(change: PlaylistChange) -> dict[str, Any]:
    from adapters.console.render import track_json

    return {
        "playlist": _playlist_json(change.playlist),
        "added": [track_json(t) for t in change.added],
        "already": [track_json(t) for t in change.already],
        "removed": change.removed,
        "missing": change.missing,
        "message": change.message,
    }


#: The next-page hint for ``musicbot playlist show`` (the chat's is ``/playlist show NAME N``).
NEXT_PAGE = 'musicbot playlist show "{name}" --page {page}'


@playlist_app.command("list")
def list_(db: DbOpt = None, group: GroupOpt = "console:local", as_json: JsonOpt = False) -> None:
    """List the group's playlists."""

    async def go() -> None:
        async with _engine(db, as_json) as engine:
            items = await engine.app.playlists.list(group)
            if as_json:
                _dump({"group": group, "playlists": [_playlist_json(p) for p in items]})
            elif not items:
                console.print(f"No playlists in {escape(group)} yet. Create one: musicbot playlist create NAME")
            else:
                for p in items:
                    console.print(f"[bold]{escape(p.name)}[/bold] [dim]#{p.playlist_id}[/dim] — {tracks_text(p.track_count)}")

    _run(go)


@playlist_app.command()
def create(
    name: Annotated[str, typer.Argument(help="Name of the new playlist (1–100 characters).")],
    db: DbOpt = None,
    group: GroupOpt = "console:local",
    user: UserOpt = "local",
    as_json: JsonOpt = False,
) -> None:
    """Create an empty playlist."""

    async def go() -> None:
        async with _engine(db, as_json) as engine:
            p = await engine.app.playlists.create(_caller(user), group, name)
            if as_json:
                _dump({"playlist": _playlist_json(p)})
            else:
                console.print(f'Created playlist "{escape(p.name)}" (#{p.playlist_id}).')

    _run(go)


@playlist_app.command()
def add(
    name: NameArg,
    refs: Annotated[list[str], typer.Argument(help="Songs: id, Spotify link/URI, 'title' or 'title - artist'.")],
    db: DbOpt = None,
    group: GroupOpt = "console:local",
    user: UserOpt = "local",
    as_json: JsonOpt = False,
) -> None:
    """Add one or more songs (all or nothing; songs already in the playlist are skipped)."""

    async def go() -> None:
        async with _engine(db, as_json) as engine:
            change = await engine.app.playlists.add(_caller(user), group, name, refs)
            if as_json:
                _dump(_change_json(change))
            else:
                console.print(escape(change.message))

    _run(go)


@playlist_app.command()
def remove(
    name: NameArg,
    refs: Annotated[list[str], typer.Argument(help="Songs: #N (position shown by `show`), id, link or title.")],
    db: DbOpt = None,
    group: GroupOpt = "console:local",
    user: UserOpt = "local",
    as_json: JsonOpt = False,
) -> None:
    """Remove songs (yours, or any if you created the playlist or are an admin)."""

    async def go() -> None:
        async with _engine(db, as_json) as engine:
            change = await engine.app.playlists.remove(_caller(user), group, name, refs)
            if as_json:
                _dump(_change_json(change))
            else:
                console.print(escape(change.message or "Nothing removed."))

    _run(go)


@playlist_app.command()
def show(
    name: NameArg,
    db: DbOpt = None,
    group: GroupOpt = "console:local",
    page: Annotated[int, typer.Option("--page", "-p", min=1, help="Page number (1-based).")] = 1,
    per_page: Annotated[int, typer.Option("--per-page", min=1, max=50, help="Tracks per page (1–50).")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Show one page of a playlist."""

    async def go() -> None:
        async with _engine(db, as_json) as engine:
            pg = await engine.app.playlists.show(group, name, page=page, per_page=per_page)
            if as_json:
                from adapters.console.render import track_json

                _dump(
                    {
                        "playlist": _playlist_json(pg.playlist),
                        "page": pg.page,
                        "pages": pg.pages,
                        "per_page": pg.per_page,
                        "total": pg.total,
                        "tracks": [
                            {
                                "index": e.index,
                                "track_id": e.track_id,
                                "added_by": e.added_by,
                                "added_at": e.added_at.isoformat(),
                                "spotify_url": e.spotify_url,
                                "track": track_json(e.track) if e.track else None,
                            }
                            for e in pg.entries
                        ],
                    }
                )
            elif not pg.entries:
                console.print(f'"{escape(pg.playlist.name)}" is empty. Add songs: musicbot playlist add NAME SONG')
            elif console.width >= 120:
                console.print(playlist_page_table(pg, NEXT_PAGE))
            else:
                console.print(playlist_page_list(pg, NEXT_PAGE), soft_wrap=True)

    _run(go)


@playlist_app.command()
def rename(
    name: NameArg,
    new_name: Annotated[str, typer.Argument(help="New name.")],
    db: DbOpt = None,
    group: GroupOpt = "console:local",
    user: UserOpt = "local",
    as_json: JsonOpt = False,
) -> None:
    """Rename a playlist (its creator or an admin)."""

    async def go() -> None:
        async with _engine(db, as_json) as engine:
            p = await engine.app.playlists.rename(_caller(user), group, name, new_name)
            if as_json:
                _dump({"playlist": _playlist_json(p)})
            else:
                console.print(f'Renamed to "{escape(p.name)}".')

    _run(go)


@playlist_app.command()
def delete(
    name: NameArg,
    db: DbOpt = None,
    group: GroupOpt = "console:local",
    user: UserOpt = "local",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Don't ask for confirmation.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a playlist and its tracks (its creator or an admin)."""
    if not (yes or as_json) and not typer.confirm(f'Delete playlist "{name}"?'):
        raise typer.Exit(1)

    async def go() -> None:
        async with _engine(db, as_json) as engine:
            p = await engine.app.playlists.delete(_caller(user), group, name)
            if as_json:
                _dump({"deleted": _playlist_json(p)})
            else:
                console.print(f'Deleted "{escape(p.name)}" ({tracks_text(p.track_count)}).')

    _run(go)


@playlist_app.command()
def recommend(
    name: NameArg,
    db: DbOpt = None,
    group: GroupOpt = "console:local",
    user: UserOpt = "local",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=50, help="Number of tracks (1–50).")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Tracks that fit the playlist as a whole (diverse, none already in it)."""

    async def go() -> None:
        from adapters.console.render import recommendation_json, show_recommendation

        async with _engine(db, as_json) as engine:
            rec = await engine.app.playlists.recommend(_caller(user), group, name, limit=limit)
            if as_json:
                print(recommendation_json(rec, Console(stderr=True)))
            elif not rec.tracks:
                console.print("No tracks fit — the catalog may be exhausted for this playlist.")
            else:
                show_recommendation(console, rec)

    _run(go)


@playlist_app.command()
def export(
    name: NameArg,
    db: DbOpt = None,
    group: GroupOpt = "console:local",
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="urls (open.spotify.com links) or uris (spotify:track:…).")
    ] = "urls",
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every track as a Spotify link or URI, one per line (paste URIs into a Spotify desktop playlist)."""
    if fmt not in ("urls", "uris"):
        console.print("[red]--format must be urls or uris.[/red]")
        raise typer.Exit(1)
    kind: Literal["urls", "uris"] = "uris" if fmt == "uris" else "urls"

    async def go() -> None:
        async with _engine(db, as_json) as engine:
            ex = await engine.app.playlists.export(group, name)
            if as_json:
                _dump(
                    {
                        "playlist": _playlist_json(ex.playlist),
                        "track_ids": ex.track_ids,
                        "urls": ex.urls,
                        "uris": ex.uris,
                    }
                )
                return
            text = ex.as_text(kind)
            if output is not None:
                output.write_text(text + ("\n" if text else ""), encoding="utf-8")
                console.print(f"Wrote {len(ex.track_ids)} {kind} to {escape(str(output))}.")
            elif text:
                print(text)

    _run(go)

"""The ``musicbot`` command line (typer + rich). The console script enters at :func:`bot.oneshot.main`, which runs a
plain ``musicbot ask …`` itself (same function as :func:`ask` here) and hands every other command line to :func:`main`.

Every catalog command takes ``--db PATH`` (else ``DATABASE_URL``); the first start seeds the shipped catalog with a
progress bar. Errors the user can fix print one clear line and exit with status 1.
"""

from __future__ import annotations

import gc as _gc

# No cyclic collections while the command's libraries are imported (~200k long-lived objects: each collection would
# scan them again, ~0.1 s of a one-shot command on this loaded machine); frozen and re-enabled after the imports.
_GC_WAS_ENABLED = _gc.isenabled()
_gc.disable()

import json
import os
import sys
from collections.abc import Callable, Coroutine
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from bot.app import build_engine, caller_for, settle_heap_after_ready
from bot.oneshot import _progress, _settings, ask_once, console, err_console, open_engine, run
from bot.settings import Settings
from bot.startup import quiet_library_errors, run_bot
from core.engine import Engine
from core.limits import MAX_TRACKS
from core.models import Filters, NeedsClarification, Recommendation

_gc.freeze()  # modules, classes and functions live as long as the process: out of the collector's generations
if _GC_WAS_ENABLED:
    _gc.enable()

app = typer.Typer(
    help="musicbot — a music-discovery chatbot. Offline by default; see README.md.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
DbOpt = Annotated[Optional[Path], typer.Option("--db", help="SQLite catalog file or postgresql:// URL (default: DATABASE_URL).")]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON list of tracks instead of a table.")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, max=MAX_TRACKS, help=f"Number of tracks (1–{MAX_TRACKS}).")]
#: ``recommend``'s: unset, the count the text asks for decides ("give me 20 chill songs"), else 10.
TextLimitOpt = Annotated[Optional[int], typer.Option(
    "--limit", "-n", min=1, max=MAX_TRACKS,
    help=f"Number of tracks (1–{MAX_TRACKS}; default: the count the text asks for, else 10).")]


@app.callback()
def _everywhere(db: DbOpt = None) -> None:
    # `musicbot --db FILE <command>` works like `musicbot <command> --db FILE` (both forms are what people type)
    if db is not None:
        from core.infra.database import restore_url

        url = restore_url(str(db))
        os.environ["DATABASE_URL"] = url if "://" in url else "sqlite:///" + str(db.expanduser().absolute())


def _filters(
    limit: int | None,
    genre: list[str] | None,
    exclude_artist: list[str] | None,
    year_min: int | None,
    year_max: int | None,
    tempo_min: float | None,
    tempo_max: float | None,
) -> Filters:
    data: dict[str, Any] = {"limit": limit} if limit else {}  # unset: a count in the text decides ("20 songs")
    for key, value in (
        ("genres", genre),
        ("exclude_artists", exclude_artist),
        ("year_min", year_min),
        ("year_max", year_max),
        ("tempo_min", tempo_min),
        ("tempo_max", tempo_max),
    ):
        if value:
            data[key] = value
    return Filters(**data)


def _show(result: Recommendation | NeedsClarification, as_json: bool) -> None:
    from adapters.console.render import recommendation_json, show_recommendation

    if isinstance(result, NeedsClarification):
        if as_json:
            print(json.dumps({"clarification": result.question, "suggestions": result.suggestions}))
        else:
            console.print(result.question)
        return
    if as_json:
        print(recommendation_json(result, err_console))
    elif not result.tracks:
        from core.coverage import coverage_text

        console.print(coverage_text(result.coverage) or "No tracks match — try loosening the filters.")
    else:
        show_recommendation(console, result)


GenreOpt = Annotated[Optional[list[str]], typer.Option("--genre", help="Only these genres/subgenres (repeatable).")]
ExclOpt = Annotated[Optional[list[str]], typer.Option("--exclude-artist", help="Leave out an artist (repeatable).")]
YMin = Annotated[Optional[int], typer.Option("--year-min", help="Earliest release year.")]
YMax = Annotated[Optional[int], typer.Option("--year-max", help="Latest release year.")]
TMin = Annotated[Optional[float], typer.Option("--tempo-min", help="Minimum tempo (BPM).")]
TMax = Annotated[Optional[float], typer.Option("--tempo-max", help="Maximum tempo (BPM).")]


@app.command()
def chat(db: DbOpt = None, user: Annotated[str, typer.Option(help="Your user id.")] = "local") -> None:
    """Interactive console chat (offline by default)."""
    from adapters.console.repl import run_repl

    async def go() -> None:
        settings = _settings()
        async with open_engine(db, follow=True, settings=settings) as engine:
            await run_repl(engine.app, caller_for(settings, "console", user), console)

    run(go)


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="A message, e.g. '/recommend chill study music' or free text.")],
    db: DbOpt = None,
    conversation: Annotated[str, typer.Option("--conversation", help="Conversation id to continue.")] = "cli:ask",
    user: Annotated[str, typer.Option("--user", help="User id.")] = "local",
    as_json: JsonOpt = False,
) -> None:
    """Send one chat message and print the reply (like one line of `musicbot chat`)."""
    ask_once(text, db, conversation, user, as_json)


class WorkerAction(str, Enum):
    """What ``musicbot worker`` does."""

    status = "status"
    stop = "stop"


@app.command()
def worker(
    action: Annotated[WorkerAction, typer.Argument(help="status: list the running workers; stop: stop them.")] = (
        WorkerAction.status),
) -> None:
    """The resident workers that keep the catalog loaded so `musicbot ask` answers at once (MUSICBOT_WORKER=0: none)."""
    from bot import resident

    replies = resident.control("stop" if action is WorkerAction.stop else "ping")
    problem = resident.folder_problem()
    if not replies:
        console.print(f"No resident worker is running{f' ({problem})' if problem else ''}.", highlight=False,
                      markup=False, soft_wrap=True)
        return
    verb = "Stopped" if action is WorkerAction.stop else "Running"
    for r in replies:
        if r.get("why") == "not answering":
            console.print(f"A worker does not answer (stopped or hung): {r.get('socket')}", highlight=False,
                          markup=False, soft_wrap=True)
        elif not r.get("ok"):
            console.print(f"A worker is stopping ({r.get('why', 'unknown')}).", highlight=False, markup=False)
        else:
            console.print(f"{verb}: pid {r.get('pid')} · {r.get('db')} · from {r.get('folder')} · "
                          f"{r.get('served')} requests answered · idle {r.get('idle_s')} s · up {r.get('up_s')} s",
                          highlight=False, markup=False, soft_wrap=True)


@app.command()
def recommend(
    text: Annotated[str, typer.Argument(help="What you want to hear.")],
    db: DbOpt = None,
    limit: TextLimitOpt = None,
    as_json: JsonOpt = False,
    genre: GenreOpt = None,
    exclude_artist: ExclOpt = None,
    year_min: YMin = None,
    year_max: YMax = None,
    tempo_min: TMin = None,
    tempo_max: TMax = None,
) -> None:
    """Recommend tracks for a free-text request (local text understanding)."""

    async def go() -> None:
        async with open_engine(db, quiet=as_json, one_request=True) as engine:
            f = _filters(limit, genre, exclude_artist, year_min, year_max, tempo_min, tempo_max)
            _show(await engine.app.discovery.recommend_text(text, filters=f, limit=limit), as_json)

    run(go)


@app.command()
def similar(
    refs: Annotated[list[str], typer.Argument(help="Songs: id, Spotify link/URI, 'title' or 'title - artist'.")],
    db: DbOpt = None,
    limit: LimitOpt = 10,
    as_json: JsonOpt = False,
    genre: GenreOpt = None,
    exclude_artist: ExclOpt = None,
    year_min: YMin = None,
    year_max: YMax = None,
    tempo_min: TMin = None,
    tempo_max: TMax = None,
) -> None:
    """Tracks similar to one or more songs."""

    async def go() -> None:
        async with open_engine(db, quiet=as_json, one_request=True) as engine:
            f = _filters(limit, genre, exclude_artist, year_min, year_max, tempo_min, tempo_max)
            _show(await engine.app.discovery.recommend_similar(refs, filters=f), as_json)

    run(go)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words from a title, artist or album.")],
    db: DbOpt = None,
    limit: LimitOpt = 10,
    as_json: JsonOpt = False,
) -> None:
    """Full-text search of the catalog."""

    async def go() -> None:
        async with open_engine(db, quiet=as_json, one_request=True) as engine:
            _show(await engine.app.discovery.search(query, limit), as_json)

    run(go)


@app.command()
def song(
    ref: Annotated[str, typer.Argument(help="A song reference.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
    chart: Annotated[
        Optional[Path], typer.Option("--chart", help="Also save a PNG chart of its audio features to this file.")
    ] = None,
) -> None:
    """Show one track with its audio features (``--chart out.png``: and a picture of them)."""
    from rich.markup import escape

    from adapters.console.render import track_details, track_json

    async def go() -> None:
        async with open_engine(db, quiet=as_json, one_request=True) as engine:
            track, note = await engine.app.tracks.find_track(ref)  # a swapped-in track is said first, never silently
            if as_json:
                print(json.dumps(track_json(track), ensure_ascii=False, indent=2))
            else:
                if note:
                    console.print(f"[yellow]{escape(note)}[/yellow]")
                console.print(track_details(track))
            if chart is not None:
                from core.charts import ChartError, track_chart

                try:
                    chart.write_bytes(track_chart(track))
                except (ChartError, OSError) as exc:
                    err_console.print(f"[red]No chart written:[/red] {escape(str(exc))}")
                    raise typer.Exit(1)
                err_console.print(f"📊 Chart saved: {escape(str(chart))}", highlight=False)

    run(go)


@app.command()
def seed(db: DbOpt = None) -> None:
    """Seed the shipped catalog now (it also happens automatically on first start)."""
    from core.catalog import Catalog

    async def go() -> None:
        settings = _settings()
        from bot.app import resolve_db

        catalog = await Catalog.open(resolve_db(settings, db))
        try:
            with _progress("[bold]Seeding") as p:
                task = p.add_task("seed", total=None)
                report = await catalog.seed(progress=lambda d, t: p.update(task, completed=d, total=t or None))
            if report is None:
                console.print(f"Catalog already present ({await catalog.count():,} tracks); nothing to do.")
            else:
                from adapters.console.render import print_import_report

                print_import_report(console, report)
        finally:
            await catalog.close()

    run(go)


@app.command("import")
def import_(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV or .csv.gz: shipped layout, Spotify Tracks Dataset, Exportify, Kaggle 1921-2020, or any file "
            "whose headers name a track id (see README 'Importing exported files')."
        ),
    ],
    db: DbOpt = None,
    map_: Annotated[Optional[list[str]], typer.Option("--map", help="column=field (repeatable).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Swap the whole catalog for this file's tracks.")] = False,
    max_gz_mb: Annotated[
        int, typer.Option("--max-gz-mb", min=1, help="Refuse a .gz that expands to more than this many MB.")
    ] = 2048,
) -> None:
    """Import or update catalog tracks from a CSV (idempotent upsert; --replace swaps the catalog).

    The layout and column mapping used are printed first; the summary counts tracks with and without audio features.
    """
    from adapters.console.render import print_import_report
    from core.models import Caller, Role

    async def go() -> None:
        async with open_engine(db, seed=not replace) as engine:
            with _progress("[bold]Importing") as p:
                task = p.add_task("import", total=None)
                report = await engine.app.admin.import_catalog(
                    Caller(user_id="cli", platform="console", role=Role.ADMIN),
                    path,
                    map_pairs=map_,
                    replace=replace,
                    progress=lambda d, t: p.update(task, completed=d, total=t or None),
                    max_decompressed=max_gz_mb * 1024**2,
                )
            print_import_report(console, report)
            n = len(engine.app.tracks.table)
            console.print(f"Catalog now holds {n:,} track{'' if n == 1 else 's'}.")

    run(go)


@app.command("eval")
def eval_(
    as_json: JsonOpt = False,
    text: Annotated[
        bool, typer.Option("--text", help="Run the strict text benchmark (shipped vs label-stripped, baselines).")
    ] = False,
) -> None:
    """Playlist-continuation and text benchmarks on held-out data (seed method vs product), on a scratch database of
    the configured backend (DATABASE_URL: SQLite or PostgreSQL; the catalog itself is never touched)."""
    from bot.app import resolve_db
    from bot.evalcmd import run_eval, run_text_eval

    database = resolve_db(_settings(), None)
    run(lambda: run_text_eval(console, as_json, database) if text else run_eval(console, as_json, database))


@app.command()
def bench(
    as_json: JsonOpt = False,
    skip_1m: Annotated[bool, typer.Option("--skip-1m", help="Skip the 1,000,000-track run.")] = False,
    skip_startup: Annotated[
        bool, typer.Option("--skip-startup", help="Skip the start-up figures (whole processes, ~2 min).")
    ] = False,
    startup_rounds: Annotated[
        int, typer.Option("--startup-rounds", min=1, max=50, help="Timed runs per start-up figure (min/median).")
    ] = 7,
) -> None:
    """Latency, seeding time, memory and start-up figures, against the seed's per-request refit in the same run
    (database figures on a scratch database of the configured backend, DATABASE_URL: SQLite or PostgreSQL)."""
    from bot.app import resolve_db
    from bot.benchcmd import run_bench

    database = resolve_db(_settings(), None)
    run(lambda: run_bench(console, as_json, skip_1m=skip_1m, startup=not skip_startup, startup_rounds=startup_rounds,
                          database=database))


def _engine_factory(settings: Settings, db: Path | None) -> Callable[[], Coroutine[Any, Any, Engine]]:
    """The configured engine for a bot process (agent, previews, short links): the composition root hands it to the
    adapter. The text understanding fit and the heap freeze run on the loop just after the bot is ready
    (:func:`bot.app.settle_heap_after_ready`), while it connects to the platform."""

    async def open_() -> Engine:
        engine = await build_engine(settings, db)
        settle_heap_after_ready(engine)
        return engine

    return open_


@app.command()
def telegram(
    db: DbOpt = None,
    webhook_url: Annotated[Optional[str], typer.Option("--webhook-url", help="Public HTTPS URL; enables webhook mode.")] = None,
    port: Annotated[int, typer.Option("--port", help="Local port for webhook mode.")] = 8443,
) -> None:
    """Run the Telegram bot (TELEGRAM_BOT_TOKEN); polling by default, webhook with --webhook-url (any number of
    workers behind one URL: same URL, same database, one --port each)."""
    from adapters.telegram.app import run_telegram

    settings = _settings()
    quiet_library_errors(settings)
    where = settings.telegram_api_base_url.rstrip("/").removesuffix("/bot")
    opener = _engine_factory(settings, db)
    if run_bot("telegram", settings, lambda: run_telegram(settings, db, webhook_url=webhook_url, port=port,
                                                           open_engine=opener), where):
        raise typer.Exit(1)


@app.command()
def discord(
    db: DbOpt = None,
    sync: Annotated[bool, typer.Option("--sync", help="Sync the slash-command tree to Discord, then exit.")] = False,
    guild: Annotated[Optional[int], typer.Option("--guild", help="Sync to this guild id only (instant).")] = None,
    shard_count: Annotated[Optional[int], typer.Option(
        "--shard-count", min=1, help="Total shards of the bot (several processes: same count, own --shard-ids).")] = None,
    shard_ids: Annotated[Optional[str], typer.Option(
        "--shard-ids", help="The shards this process runs, e.g. 0,1 (default: all of --shard-count).")] = None,
) -> None:
    """Run the Discord bot (DISCORD_BOT_TOKEN); --sync publishes slash commands on demand; --shard-count/--shard-ids
    split the servers across processes on one database."""
    from adapters.discord.app import run_discord

    settings = _settings()
    quiet_library_errors(settings)
    where = settings.discord_api_base_url or ""
    opener = _engine_factory(settings, db)
    if run_bot("discord", settings, lambda: run_discord(settings, db, sync=sync, guild=guild, open_engine=opener,
                                                         shard_count=shard_count, shard_ids=shard_ids), where):
        raise typer.Exit(1)


def _register_admin() -> None:
    """``musicbot addsong|editsong|delsong`` (:mod:`bot.admin_cli`): the chat's admin commands for scripts."""
    from bot.admin_cli import register

    register(app)


@app.command()
def api(
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    telegram_webhook_url: Annotated[
        Optional[str],
        typer.Option("--telegram-webhook-url", help="Also serve the Telegram bot's webhook at this public https URL."),
    ] = None,
) -> None:
    """Run the REST API (/api/v1, docs at /docs); writes need API_ADMIN_KEY."""
    from bot.api import run_api

    settings = _settings()
    if telegram_webhook_url:
        quiet_library_errors(settings)
    if run_bot("api", settings, lambda: run_api(settings, db, host, port, telegram_webhook_url)):
        raise typer.Exit(1)


def _register_subcommands() -> None:
    """Sub-apps living in their own modules (``musicbot playlist ...``)."""
    try:
        from bot.playlist_cli import playlist_app
    except ImportError:  # pragma: no cover - module not written yet
        return
    app.add_typer(playlist_app, name="playlist", help="Shared playlists: create, add, show, recommend, export.")


_register_subcommands()
_register_admin()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()

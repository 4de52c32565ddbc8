"""Console rendering with rich: track tables, track details, import reports, JSON output."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from core.lookup import ImportReport
from core.coverage import coverage_text, text_is_gap_and_summary
from core.explain import reason_text
from core.models import AUDIO_FEATURES, ChatReply, Recommendation, Track
from core.playlists.wording import tracks_text
from core.reply_words import feature_rows, say


def spotify_link(url: str, text: str | None = None) -> str:
    """Rich markup for a Spotify link as a terminal hyperlink (OSC 8): it stays clickable when a narrow terminal
    wraps it or a table column cuts its visible text. The visible text is the URL itself (copyable where the terminal
    has no hyperlinks); piped output gets the plain URL (rich writes no escape codes off a terminal)."""
    return f"[link={escape(url)}]{escape(text if text is not None else url)}[/link]"


def track_table(rec: Recommendation) -> Table:
    """A rich table: #, title, artist, year, genre, reason, Spotify link."""
    table = Table(title=escape(rec.summary) if rec.summary else None, show_lines=False, expand=False)
    for col, kw in (
        ("#", {"justify": "right", "style": "dim"}),
        (say("col title", rec.lang), {"style": "bold", "max_width": 38, "overflow": "fold"}),
        (say("col artist", rec.lang), {"max_width": 26, "overflow": "fold"}),
        (say("col year", rec.lang), {"justify": "right"}),
        (say("col genre", rec.lang), {"max_width": 18}),
        (say("col why", rec.lang), {"max_width": 44, "style": "italic"}),
        ("Spotify", {"style": "cyan", "no_wrap": True}),
    ):
        table.add_column(col, **kw)
    for i, item in enumerate(rec.tracks, 1):
        t = item.track
        genre = t.shown_genre
        table.add_row(
            str(i),
            escape(t.title),
            escape(t.artist),
            str(t.shown_year or ""),
            escape(genre),
            escape(reason_text(item, rec.lang)),
            spotify_link(t.spotify_url),
        )
    return table


def track_details(track: Track, lang: str = "en") -> Table:
    """A two-column table of one track's metadata and audio features, its labels in ``lang`` (the reply's)."""
    table = Table(title=escape(f"{track.title} — {track.artist}"), show_header=False)
    table.add_column("field", style="dim")
    table.add_column("value")
    rows: list[tuple[str, str]] = [
        ("album", track.album),
        ("released", track.release_date),
        ("popularity", str(track.popularity)),
        ("duration", f"{track.duration_ms // 60000}:{track.duration_ms // 1000 % 60:02d}"),
        ("genres", ", ".join(track.genres + track.subgenres)),
        ("playlists", ", ".join(track.playlists[:5]) + (" …" if len(track.playlists) > 5 else "")),
    ]
    features: list[tuple[str, str]] = []
    if not track.has_features and len(track.missing_features) == len(AUDIO_FEATURES):
        rows.append(("audio features", "no audio features"))
    else:  # key and mode as one musical name ("F minor"), in the reply's language
        features = feature_rows(track, AUDIO_FEATURES, lang, missing="—")
    for k, v in rows:
        table.add_row(say(f"field {k}", lang), escape(v if k != "audio features" else say("field " + v, lang)))
    for label, shown in features:
        table.add_row(label, escape(shown))
    table.add_row(say("field spotify", lang), spotify_link(track.spotify_url))
    return table


def track_json(item_track: Track, score: float | None = None, reason: str = "") -> dict[str, Any]:
    """The ``--json`` shape of one track (track_id, track_name, track_artist, genres, features, score, reason, url)."""
    t = item_track
    return {
        "track_id": t.track_id,
        "track_name": t.title,
        "track_artist": t.artist,
        "artists": t.artists,
        "album": t.album,
        "year": t.year,
        "popularity": t.popularity,
        "genres": t.genres,
        "subgenres": t.subgenres,
        **{f: getattr(t, f) for f in AUDIO_FEATURES},
        "score": score,
        "reason": reason,
        "spotify_url": t.spotify_url,
    }


def recommendation_json(rec: Recommendation, caveats: Console | None = None) -> str:
    """A JSON list of tracks for ``--json``. ``caveats``: a console (stderr) that gets the reply's first-line caveats
    (:func:`json_caveats`) — the JSON on stdout stays a plain list of tracks for programs, and a person running the
    command still reads that the catalog lacked the style or that another song was used."""
    if caveats is not None and (said := json_caveats(rec)):
        caveats.print(said, markup=False, highlight=False, soft_wrap=True)
    return json.dumps([track_json(i.track, i.score, reason_text(i, rec.lang)) for i in rec.tracks], ensure_ascii=False, indent=2)


def json_caveats(rec: Recommendation) -> str:
    """What a reply's first line would say before its tracks: the notes on the songs used ("No exact match for …
    — using …") and what the catalog lacks (:func:`core.coverage.coverage_text`); "" when nothing."""
    return "\n".join(line for line in (*rec.notes, coverage_text(rec.coverage)) if line)


def coverage_markup(rec: Recommendation) -> str:
    """What the catalog lacks for this request (:mod:`core.coverage`), as one bold yellow line; "" when nothing."""
    gap = coverage_text(rec.coverage)
    return f"[bold yellow]{escape(gap)}[/bold yellow]" if gap else ""


def track_list(rec: Recommendation, coverage: bool = True) -> str:
    """Compact rich-markup list for narrow terminals: two lines per track (the catalog's gap first, if any)."""
    lines = [f"[bold]{escape(rec.summary)}[/bold]"] if rec.summary else []
    if coverage and (gap := coverage_markup(rec)):
        lines.insert(0, gap)
    for i, item in enumerate(rec.tracks, 1):
        t = item.track
        genre = t.shown_genre
        meta = ", ".join(x for x in (str(t.shown_year or ""), genre) if x)
        lines.append(f"[dim]{i:>2}.[/dim] [bold]{escape(t.title)}[/bold] — {escape(t.artist)}" + (f" [dim]({escape(meta)})[/dim]" if meta else ""))
        lines.append(f"    [italic]{escape(reason_text(item, rec.lang))}[/italic]  [cyan]{spotify_link(t.spotify_url)}[/cyan]")
    return "\n".join(lines)


def show_recommendation(console: Console, rec: Recommendation, coverage: bool = True) -> None:
    """A table on wide terminals (≥ 150 columns), else a compact two-line-per-track list; what the catalog lacks
    for the request comes first (``coverage=False`` when the caller already printed it), then a capped count
    (``rec.capped``)."""
    if coverage and (gap := coverage_markup(rec)):
        console.print(gap, soft_wrap=True)
    if rec.capped is not None:
        console.print(f"[yellow]{escape(rec.capped.note(lang=rec.lang, how='type more'))}[/yellow]")
    if console.width >= 150:
        console.print(track_table(rec))
    else:
        console.print(track_list(rec, coverage=False), soft_wrap=True)


def _next_hint(page: Any, next_command: str | None) -> str:
    """How to see the next page (``{name}`` / ``{page}`` are filled in), or "" on the last page."""
    if page.page >= page.pages:
        return ""
    template = next_command or "/playlist show {name} {page}"
    return template.format(name=page.playlist.name, page=page.page + 1)


def playlist_page_table(page: Any, next_command: str | None = None, lang: str = "en") -> Table:
    """A rich table of one :class:`core.playlists.PlaylistPage`: #, title, artist, year, added by, Spotify link
    (headers in ``lang``).

    ``next_command`` is the hint shown for the next page (default: the chat's ``/playlist show {name} {page}``).
    """
    p = page.playlist
    hint = _next_hint(page, next_command)
    caption = say("page of", lang, page=page.page, pages=page.pages) + (
        " — " + say("next hint", lang, hint=hint) if hint else "")
    table = Table(title=escape(f"{p.name} — {tracks_text(page.total, lang)}"), caption=escape(caption), expand=False)
    for col, kw in (
        ("#", {"justify": "right", "style": "dim"}),
        (say("col title", lang), {"style": "bold", "max_width": 38, "overflow": "fold"}),
        (say("col artist", lang), {"max_width": 26, "overflow": "fold"}),
        (say("col year", lang), {"justify": "right"}),
        (say("col added by", lang), {"style": "dim", "max_width": 20}),
        ("Spotify", {"style": "cyan", "no_wrap": True}),
    ):
        table.add_column(col, **kw)
    for e in page.entries:
        t = e.track
        table.add_row(
            str(e.index),
            escape(t.title if t else say("gone from catalog", lang)),
            escape(t.artist if t else ""),
            str(t.shown_year or "") if t else "",
            escape(e.added_by),
            spotify_link(e.spotify_url),
        )
    return table


def playlist_page_list(page: Any, next_command: str | None = None, lang: str = "en") -> str:
    """Compact rich-markup rendering of a playlist page for narrow terminals (two lines per track), in ``lang``."""
    p = page.playlist
    lines = [f"[bold]{escape(p.name)}[/bold] — {escape(tracks_text(page.total, lang))}, "
             f"{escape(say('page of', lang, page=page.page, pages=page.pages))}"]
    for e in page.entries:
        t = e.track
        title = f"[bold]{escape(t.title)}[/bold] — {escape(t.artist)}" if t else f"[dim]{escape(say('gone from catalog', lang))}[/dim]"
        year = f" [dim]({t.shown_year})[/dim]" if t and t.shown_year else ""
        lines.append(f"[dim]{e.index:>3}.[/dim] {title}{year}")
        lines.append(f"      [cyan]{spotify_link(e.spotify_url)}[/cyan] [dim]{escape(say('added by', lang, who=e.added_by))}[/dim]")
    hint = _next_hint(page, next_command)
    if hint:
        lines.append(f"[dim]{escape(say('next hint', lang, hint=hint))}[/dim]")
    return "\n".join(lines)


def playlists_table(playlists: list[Any], lang: str = "en") -> Table:
    """A rich table of playlists: name, tracks, created by (headers in ``lang``)."""
    table = Table(title=say("playlists", lang), expand=False)
    table.add_column(say("col name", lang), style="bold")
    table.add_column(say("col tracks", lang), justify="right")
    table.add_column(say("col created by", lang), style="dim")
    for p in playlists:
        table.add_row(escape(p.name), str(p.track_count), escape(p.created_by))
    return table


#: Where the console saves ``/chart`` pictures (the system temp dir; the path is printed).
CHART_DIR = Path(tempfile.gettempdir()) / "musicbot-charts"


def save_chart(png: bytes, name: str, directory: Path | None = None) -> Path:
    """Write a chart PNG as ``<directory>/<name-slug>-<time>.png`` (default :data:`CHART_DIR`) and return its path.

    Raises:
        OSError: the directory cannot be created or written.
    """
    directory = directory or CHART_DIR
    directory.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "chart"
    path = directory / f"{slug}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid() % 1000:03d}.png"
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{path.stem.rsplit('~', 1)[0]}~{n}.png")
    path.write_bytes(png)
    return path


def print_chart(console: Console, reply: ChatReply, directory: Path | None = None) -> bool:
    """Save ``reply.chart`` and print its caption and path (a clickable ``file://`` link); False when there is no
    chart or it cannot be saved (the caller then prints the reply as text)."""
    if reply.chart is None:
        return False
    name = reply.track.title if reply.track is not None else (reply.recommendation.query if reply.recommendation else "")
    try:
        path = save_chart(reply.chart, name or "list", directory)
    except OSError as exc:
        console.print(f"[yellow]{escape(say('chart not saved', reply.lang, error=str(exc)))}[/yellow]")
        return False
    console.print(escape(reply.text), soft_wrap=True)
    uri = path.resolve().as_uri()
    console.print(f"📊 {escape(say('chart saved', reply.lang))} [link={uri}]{escape(str(path))}[/link]", soft_wrap=True,
                  highlight=False)
    return True


def print_reply(console: Console, reply: ChatReply, chart_dir: Path | None = None) -> None:
    """Print one chat reply: a saved chart's path (``/chart``, into ``chart_dir``), a table for tracks or a playlist
    page, details for one track, else the text."""
    if reply.fallback_used:
        console.print(f"[yellow]{escape(say('fallback', reply.lang))}[/yellow]")
    if reply.chart is not None and print_chart(console, reply, chart_dir):
        return
    if reply.recommendation is not None and reply.recommendation.tracks:
        rec = reply.recommendation
        shown = bool(reply.text and reply.text != rec.summary and not text_is_gap_and_summary(reply.text, rec))
        if shown:
            console.print(escape(reply.text))  # the engine puts the catalog's gap on its first line
        show_recommendation(console, reply.recommendation, coverage=not shown)
    elif reply.playlist is not None and getattr(reply.playlist, "entries", None):
        page = reply.playlist
        if console.width >= 120:
            console.print(playlist_page_table(page, lang=reply.lang))
        else:
            console.print(playlist_page_list(page, lang=reply.lang), soft_wrap=True)
    elif reply.playlists:
        console.print(playlists_table(reply.playlists, reply.lang))
    elif reply.export_text:
        console.print(escape(reply.text.splitlines()[0] if reply.text else "Export:"))
        console.print(escape(reply.export_text), soft_wrap=True, highlight=False)  # one link per line, copy-paste ready
    elif reply.preview_url is not None or (reply.track is not None and reply.track.spotify_url in reply.text):
        # a /preview line (with or without a clip) names the track's Spotify link; a /song reply does not
        console.print(escape(reply.text), soft_wrap=True)
    elif reply.track is not None:  # a note (another track was used) or an admin change is said before the card
        said = [line for line in reply.text.splitlines() if line != f"{reply.track.title} - {reply.track.artist}"]
        if said:
            console.print(escape("\n".join(said)), soft_wrap=True)
        console.print(track_details(reply.track, reply.lang))
    else:
        console.print(escape(reply.text), soft_wrap=True)


def print_import_report(console: Console, report: ImportReport, max_errors: int = 20) -> None:
    """How the file was read (layout, dialect, column mapping), the summary line, then the first skipped rows.

    Summary: ``"3 rows: 2 tracks (1 with audio features, 1 without), 1 row skipped"`` — rows are data rows read,
    tracks are distinct track ids written, a track "with audio features" has all eleven.
    """
    for line in report.details:
        console.print(escape(line), highlight=False)
    console.print(
        f"[green]{report.layout}[/green]: {escape(report.summary())}; {report.labels_added:,} "
        f"label{'' if report.labels_added == 1 else 's'} added"
        + (", catalog replaced" if report.replaced else ""),
        highlight=False,
    )
    for err in report.errors[:max_errors]:
        console.print(f"  row {err.row}: {escape(err.reason)}", highlight=False)
    if report.rows_skipped > max_errors:
        console.print(f"  … and {report.rows_skipped - max_errors:,} more skipped rows")

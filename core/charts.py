"""Pictures of the music: PNG charts of one track's audio features and of a recommendation set against its target.

Two public drawing functions, both pure (data in, PNG bytes out) and headless (matplotlib's Agg canvas, no pyplot,
no display); matplotlib is imported on the first drawing, never when this module is imported:

* :func:`track_chart` — one track: bars for the seven 0–1 audio features (danceability, energy, valence,
  acousticness, instrumentalness, speechiness, liveness), then tempo (BPM) and loudness (dB) each on its own scale.
  :data:`TRACK_CHART_PX` pixels.
* :func:`recommendation_chart` — a :class:`~core.models.Recommendation`: per feature, every track's value (dots),
  their mean (white tick), what was asked for (amber diamond: ``Recommendation.target``, or the reference songs of
  a "similar" request) and a stated range (amber band: ``Recommendation.ranges``, the tempo filter).
  :data:`SET_CHART_PX` pixels.

Every PNG is an opaque dark card (it reads the same on Discord's and Telegram's dark and light themes), sized for a
phone: the text is at least ~14 pt at 150 dpi, so ~9 pt when a chat shows the image ~400 px wide. Output stays far
under :data:`MAX_PNG_BYTES` (Telegram's and Discord's photo/attachment limits are 10 MB).

:func:`draw` runs a drawing in a worker thread, one at a time, with a deadline, and returns None on any failure —
adapters use it so a chart can never break or stall a reply (they fall back to text).

Titles and artists are user-controlled text: drawn literally (``parse_math=False``: "$uicideboy$" is not TeX),
clipped to one line; glyphs no installed font has are drawn as boxes (the caption carries the text anyway).
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from core.errors import MusicBotError
from core.models import UNIT_FEATURES, Recommendation, Track
from core.reply_words import count, key_name, say

log = logging.getLogger(__name__)

#: Width × height in pixels of :func:`track_chart` (8 × 6 in at :data:`DPI`).
TRACK_CHART_PX: tuple[int, int] = (1200, 900)
#: Width × height in pixels of :func:`recommendation_chart` (8 × 7.6 in at :data:`DPI`).
SET_CHART_PX: tuple[int, int] = (1200, 1140)
#: Dots per inch of every chart (font sizes below are points at this resolution).
DPI = 150
#: Upper bound asserted by the tests; charts are ~50–150 kB. Telegram photos: 10 MB; Discord attachments: 10 MB.
MAX_PNG_BYTES = 2_000_000
#: Deadline of :func:`draw` in seconds (the first drawing of a process also imports matplotlib, ~0.5–1.5 s here).
CHART_TIMEOUT_S = 8.0

#: The seven 0–1 features in display order (mood and movement first, then texture).
BAR_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
)
assert set(BAR_FEATURES) == set(UNIT_FEATURES)

#: Display scale of tempo (BPM) and loudness (dB): where most music lives (shipped catalog: tempo 5th–95th percentile
#: ~80–175 BPM, loudness ~−14 to −3 dB); values outside widen the scale, never get clipped.
SCALES: dict[str, tuple[float, float]] = {"tempo": (50.0, 200.0), "loudness": (-30.0, 0.0)}
UNITS: dict[str, str] = {"tempo": "BPM", "loudness": "dB"}
ALL_FEATURES: tuple[str, ...] = (*BAR_FEATURES, "tempo", "loudness")


# palette: an opaque dark card (Spotify-like), legible on dark and light chat themes
BG = "#15171f"
PANEL = "#232733"
FG = "#f3f5f9"
MUTED = "#a3acbd"
ACCENT = "#1ed760"
TARGET = "#ffb547"
FEATURE_COLORS: dict[str, str] = {
    "danceability": "#1ed760",
    "energy": "#ff6b6b",
    "valence": "#ffd166",
    "acousticness": "#c49a6c",
    "instrumentalness": "#4cc9f0",
    "speechiness": "#b388ff",
    "liveness": "#f78fb3",
    "tempo": "#7bdff2",
    "loudness": "#f4a261",
}


class ChartError(MusicBotError):
    """Nothing to draw: the track has no audio features, or the recommendation has no track with any."""


@dataclass(frozen=True, slots=True)
class _Song:
    """The fields a chart needs, from a :class:`Track` or a catalog row / API dict."""

    title: str
    artist: str
    values: dict[str, float]
    key: int | None = None
    mode: int | None = None
    year: int | None = None
    duration_ms: int = 0
    genre: str = ""


def _song(track: Track | Mapping[str, Any]) -> _Song:
    """Normalise a Track or a dict (``title``/``track_name``, ``artists``/``artist``/``track_artist``, features)."""
    if isinstance(track, Track):
        d: Mapping[str, Any] = track.model_dump()
        artist = track.artist
        genre = track.shown_genre
    else:
        d = track
        artists = d.get("artists")
        artist = ", ".join(map(str, artists)) if isinstance(artists, list) else str(d.get("artist") or d.get("track_artist") or artists or "")
        g = d.get("subgenres") or d.get("genres") or d.get("playlist_subgenre") or d.get("playlist_genre") or ""
        genre = str(g[0] if isinstance(g, list) and g else g or "")
    values: dict[str, float] = {}
    for name in ALL_FEATURES:
        v = d.get(name)
        if v is None or isinstance(v, bool):
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if f == f:  # not NaN
            values[name] = f

    def _int(x: Any) -> int | None:
        try:
            return None if x is None or x == "" else int(x)
        except (TypeError, ValueError):
            return None

    year = _int(d.get("year"))
    if year is None:
        rd = str(d.get("release_date") or d.get("track_album_release_date") or "")
        year = _int(rd[:4]) if rd[:4].isdigit() else None
    return _Song(
        title=str(d.get("title") or d.get("track_name") or "(untitled)"),
        artist=artist,
        values=values,
        key=_int(d.get("key")),
        mode=_int(d.get("mode")),
        year=year,
        duration_ms=_int(d.get("duration_ms")) or 0,
        genre=genre,
    )


# ------------------------------------------------------------------------------------------------ matplotlib setup
_mpl_lock = threading.Lock()
_ready = False


def _setup() -> None:
    """Import matplotlib with the Agg backend and our fonts (once per process)."""
    global _ready
    if _ready:
        return
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    wanted = ["DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans Arabic", "Arial Unicode MS"]
    fonts = [f for f in wanted if f in installed] or ["sans-serif"]
    matplotlib.rcParams.update({"font.family": fonts, "svg.fonttype": "none", "axes.unicode_minus": True})
    _ready = True


def matplotlib_ready() -> bool:
    """True when matplotlib has already been imported and set up in this process."""
    return _ready


def _clip(text: str, n: int) -> str:
    """One line of at most ``n`` characters (control characters dropped, "…" when cut)."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _figure(size_px: tuple[int, int]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size_px[0] / DPI, size_px[1] / DPI), dpi=DPI, facecolor=BG)
    FigureCanvasAgg(fig)
    return fig


#: A title in a script no installed font covers is drawn with boxes (the caption carries the text): not a warning.
_GLYPH_WARNING = r"Glyph \d+ .*missing from font"


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor=BG, metadata={"Software": "musicbot"})
    return buf.getvalue()


def _text(fig: Any, x: float, y: float, s: str, **kw: Any) -> Any:
    return fig.text(x, y, s, parse_math=False, **kw)


def _fmt(name: str, v: float) -> str:
    if name == "tempo":
        return f"{v:.0f} BPM"
    if name == "loudness":
        return f"{v:.1f} dB".replace("-", "−")
    return f"{v * 100:.0f}%"


def _scale(name: str, values: Sequence[float]) -> tuple[float, float]:
    lo, hi = SCALES.get(name, (0.0, 1.0))
    if name in SCALES and values:
        lo, hi = min(lo, min(values)), max(hi, max(values))
    return lo, hi


# ------------------------------------------------------------------------------------------------ track chart
def track_chart(track: Track | Mapping[str, Any], lang: str = "en") -> bytes:
    """PNG (:data:`TRACK_CHART_PX` pixels, < :data:`MAX_PNG_BYTES`) of one track's audio features.

    ``track`` is a :class:`~core.models.Track` or a mapping with the catalog's/API's field names (``title`` or
    ``track_name``; ``artists`` list, ``artist`` or ``track_artist``; the audio features as numbers: 0–1, tempo in
    BPM, loudness in dB; optional ``key``, ``mode``, ``year``/``release_date``, ``duration_ms``, genres).
    Features the track lacks are shown as "no data". Labels, key and footer in ``lang`` (:mod:`core.reply_words`).

    Raises:
        ChartError: the track has none of the nine charted audio features.
    """
    song = _song(track)
    if not any(n in song.values for n in ALL_FEATURES):
        raise ChartError(f"“{_clip(song.title, 80)}” has no audio features to chart.")
    with _mpl_lock, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        _setup()
        return _png(_draw_track(song, lang))


def _fit(fig: Any, t: Any, right: float = 0.955) -> None:
    """Cut text object ``t`` (with "…") until it ends left of ``right`` (figure fraction)."""
    renderer = fig.canvas.get_renderer()
    full = t.get_text()
    limit = right * fig.bbox.width
    n = len(full)
    while n > 1 and t.get_window_extent(renderer).x1 > limit:
        n = max(1, int(n * min(0.97, limit / max(t.get_window_extent(renderer).x1, 1.0))))
        t.set_text(full[:n].rstrip() + "…")


def _header(fig: Any, title: str, subtitle: str, meta: str) -> None:
    _fit(fig, _text(fig, 0.045, 0.945, _clip(title, 120), color=FG, fontsize=21, fontweight="bold", va="top"))
    _fit(fig, _text(fig, 0.045, 0.875, _clip(subtitle, 160), color=MUTED, fontsize=15, va="top"))
    if meta:
        _fit(fig, _text(fig, 0.045, 0.825, _clip(meta, 160), color=MUTED, fontsize=12, va="top"))


def _label(name: str, lang: str) -> str:
    """A feature's row label in ``lang``: "Danceability", "Bailabilidad", "Tanzbarkeit"."""
    word = say(f"field {name}", lang)
    return word[:1].upper() + word[1:]


def _draw_track(song: _Song, lang: str = "en") -> Any:
    fig = _figure(TRACK_CHART_PX)
    meta = []
    if song.year:
        meta.append(str(song.year))
    if key_name(song.key, song.mode, lang):
        meta.append(key_name(song.key, song.mode, lang))
    if song.duration_ms > 0:
        s = song.duration_ms // 1000
        meta.append(f"{s // 60}:{s % 60:02d}")
    if song.genre:
        meta.append(song.genre)
    _header(fig, song.title, song.artist, " · ".join(meta))

    # seven 0–1 bars
    ax = fig.add_axes((0.30, 0.335, 0.52, 0.455))
    ax.set_facecolor(BG)
    n = len(BAR_FEATURES)
    for i, name in enumerate(BAR_FEATURES):
        y = n - 1 - i
        ax.barh(y, 1.0, height=0.62, color=PANEL, zorder=1)
        v = song.values.get(name)
        ax.text(-0.03, y, _label(name, lang), ha="right", va="center", color=FG, fontsize=14, transform=ax.transData,
                parse_math=False)
        if v is None:
            ax.text(0.02, y, say("chart no data", lang), ha="left", va="center", color=MUTED, fontsize=13, style="italic", zorder=3)
            continue
        w = min(max(v, 0.0), 1.0)
        ax.barh(y, max(w, 0.006), height=0.62, color=FEATURE_COLORS[name], zorder=2)
        ax.text(1.03, y, _fmt(name, v), ha="left", va="center", color=FG, fontsize=14, fontweight="bold")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, n - 0.4)
    ax.axis("off")

    # tempo and loudness, each on its own scale
    for row, name, low, high in ((0, "tempo", "chart slow", "chart fast"), (1, "loudness", "chart quiet", "chart loud")):
        low_word, high_word = say(low, lang), say(high, lang)
        gax = fig.add_axes((0.30, 0.215 - row * 0.125, 0.52, 0.04))
        gax.set_facecolor(BG)
        v = song.values.get(name)
        lo, hi = _scale(name, [v] if v is not None else [])
        gax.barh(0, hi - lo, left=lo, height=1.0, color=PANEL)
        label = _label(name, lang)
        gax.text(-0.03, 0, label, ha="right", va="center", color=FG, fontsize=14, transform=gax.get_yaxis_transform(),
                 parse_math=False)
        if v is not None:
            gax.barh(0, v - lo, left=lo, height=1.0, color=FEATURE_COLORS[name])
            gax.text(1.03, 0, _fmt(name, v), ha="left", va="center", color=FG, fontsize=14, fontweight="bold",
                     transform=gax.get_yaxis_transform())
        else:
            gax.text(0.02, 0, say("chart no data", lang), ha="left", va="center", color=MUTED, fontsize=13, style="italic",
                     transform=gax.get_yaxis_transform())
        lo_s, hi_s = (f"{lo:.0f}", f"{hi:.0f} {UNITS[name]}") if name == "tempo" else (f"{lo:.0f}", f"{hi:.0f} dB")
        gax.text(0, -0.2, f"{low_word} · {lo_s}".replace("-", "−"), ha="left", va="top", color=MUTED, fontsize=10,
                 transform=gax.transAxes)
        gax.text(1, -0.2, f"{hi_s} · {high_word}".replace("-", "−"), ha="right", va="top", color=MUTED, fontsize=10,
                 transform=gax.transAxes)
        gax.set_xlim(lo, hi)
        gax.set_ylim(-0.5, 0.5)
        gax.axis("off")
    _text(fig, 0.955, 0.022, say("chart footer", lang), color=MUTED, fontsize=9, ha="right", alpha=0.7)
    return fig


# ------------------------------------------------------------------------------------------------ recommendation chart
def recommendation_chart(rec: Recommendation, references: Sequence[Track | Mapping[str, Any]] = (),
                         lang: str = "en") -> bytes:
    """PNG (:data:`SET_CHART_PX` pixels, < :data:`MAX_PNG_BYTES`) of a recommendation set against what was asked.

    One row per feature (the seven 0–1 features, tempo in BPM, loudness in dB): every track's value as a dot, the
    set's mean as a white tick, the asked value as an amber diamond (``rec.target``; for a "similar" request with
    no target, each of ``references`` — the songs the set should resemble), and a stated range as an amber band
    (``rec.ranges``, plus ``rec.filters.tempo_min/max``). Rows with something asked are labelled in full colour.
    Tracks without audio features are left out of the dots (the subtitle counts them). Words in ``lang``.

    Raises:
        ChartError: no track of ``rec`` has any charted audio feature.
    """
    songs = [_song(item.track) for item in rec.tracks]
    charted = [s for s in songs if s.values]
    if not charted:
        raise ChartError("None of these tracks has audio features to chart.")
    refs = [_song(r) for r in references]
    with _mpl_lock, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        _setup()
        return _png(_draw_set(rec, charted, len(songs), refs, lang))


def _bands(rec: Recommendation) -> dict[str, tuple[float | None, float | None]]:
    bands: dict[str, tuple[float | None, float | None]] = {}
    for name, bounds in (getattr(rec, "ranges", None) or {}).items():
        if name in ALL_FEATURES and len(bounds) == 2 and (bounds[0] is not None or bounds[1] is not None):
            bands[name] = (bounds[0], bounds[1])
    f = rec.filters
    if f.tempo_min is not None or f.tempo_max is not None:
        lo, hi = bands.get("tempo", (None, None))
        bands["tempo"] = (f.tempo_min if lo is None else max(lo, f.tempo_min or lo),
                          f.tempo_max if hi is None else min(hi, f.tempo_max or hi))
    return bands


def _draw_set(rec: Recommendation, songs: list[_Song], total: int, refs: list[_Song], lang: str = "en") -> Any:
    fig = _figure(SET_CHART_PX)
    if rec.kind == "similar" and refs:
        title = say("chart like", lang, names=" + ".join(r.title for r in refs[:3]) + (" …" if len(refs) > 3 else ""))
    else:
        title = rec.query or rec.summary or say("recommendations", lang)
    missing = total - len(songs)
    sub = say("n tracks", lang, n=count(total, lang))
    sub = say("chart without", lang, tracks=sub, n=count(missing, lang)) if missing else sub
    _fit(fig, _text(fig, 0.045, 0.958, _clip(title, 120), color=FG, fontsize=21, fontweight="bold", va="top"))
    _text(fig, 0.045, 0.905, sub, color=MUTED, fontsize=14, va="top")
    # legend, drawn as text + markers in figure coordinates
    lx, ly = 0.045, 0.862
    fig.lines.append(_marker(fig, lx + 0.008, ly, "o", MUTED, 9))
    _text(fig, lx + 0.025, ly, say("chart each", lang), color=FG, fontsize=12, va="center")
    fig.lines.append(_marker(fig, lx + 0.215, ly, "|", FG, 16, mew=3))
    _text(fig, lx + 0.23, ly, say("chart average", lang), color=FG, fontsize=12, va="center")
    targets: dict[str, list[float]] = {n: [float(v)] for n, v in rec.target.items() if n in ALL_FEATURES}
    if rec.kind == "similar" and not targets and refs:
        for r in refs:
            for n, v in r.values.items():
                targets.setdefault(n, []).append(v)
    bands = _bands(rec)
    asked_any = bool(targets or bands)
    if targets:
        mine = "chart your songs" if len(refs) > 1 else "chart your song"
        asked_word = say(mine if (rec.kind == "similar" and not rec.target) else "chart asked for", lang)
        fig.lines.append(_marker(fig, lx + 0.385, ly, "D", TARGET, 9))
        _text(fig, lx + 0.40, ly, asked_word, color=FG, fontsize=12, va="center")
    if bands:
        from matplotlib.patches import Rectangle

        bx = lx + (0.585 if targets else 0.385)
        fig.patches.append(Rectangle((bx, ly - 0.011), 0.03, 0.022, transform=fig.transFigure,
                                     facecolor=TARGET, alpha=0.3, edgecolor=TARGET))
        _text(fig, bx + 0.04, ly, say("chart range asked", lang), color=FG, fontsize=12, va="center")

    # one axes for all nine rows (creating an axes per row costs more than drawing it): row i is centred at
    # y = n - 1 - i, x is the value mapped onto the row's own scale (0–1 features, BPM, dB) as 0..1
    from matplotlib.patches import Rectangle

    n = len(ALL_FEATURES)
    top, bottom = 0.80, 0.05
    h = (top - bottom) / n
    ax = fig.add_axes((0.30, bottom, 0.50, top - bottom))
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.5, n - 0.5)
    ax.axis("off")
    for i, name in enumerate(ALL_FEATURES):
        yc = n - 1 - i
        vals = [s.values[name] for s in songs if name in s.values]
        asked = targets.get(name, [])
        band = bands.get(name)
        extra = [b for b in (band or ()) if b is not None]
        lo, hi = _scale(name, [*vals, *asked, *extra])

        def x(v: float, lo: float = lo, hi: float = hi) -> float:
            return (v - lo) / (hi - lo) if hi > lo else 0.5

        ax.add_patch(Rectangle((-0.03, yc - 0.32), 1.06, 0.64, facecolor=PANEL, lw=0, zorder=0))
        emphasis = bool(asked or band)
        if band is not None:
            b_lo = x(band[0]) if band[0] is not None else -0.03
            b_hi = x(band[1]) if band[1] is not None else 1.03
            ax.add_patch(Rectangle((b_lo, yc - 0.32), b_hi - b_lo, 0.64, facecolor=TARGET, alpha=0.28, lw=0, zorder=1))
        if vals:
            # deterministic vertical spread so equal values stay visible
            ys = [yc + (((k * 0.618) % 1.0) * 1.1 - 0.55) * 0.32 for k in range(len(vals))]
            ax.scatter([x(v) for v in vals], ys, s=46, color=FEATURE_COLORS[name], alpha=0.85, edgecolors=BG,
                       linewidths=0.6, zorder=3)
            mean = x(sum(vals) / len(vals))
            ax.plot([mean, mean], [yc - 0.29, yc + 0.29], color=FG, lw=3, solid_capstyle="round", zorder=4)
        for a in asked:
            ax.plot([x(a), x(a)], [yc - 0.32, yc + 0.32], color=TARGET, lw=1.4, alpha=0.9, zorder=2)
            ax.scatter([x(a)], [yc], marker="D", s=110, color=TARGET, edgecolors=BG, linewidths=1.2, zorder=5)
        if name in ("liveness", "tempo", "loudness"):  # one 0–1 scale under the seven unit rows, then each own scale
            for t, ha in ((lo, "left"), ((lo + hi) / 2, "center"), (hi, "right")):
                ax.text(x(t), yc - 0.36, _tick(name, t), color=MUTED, fontsize=10, ha=ha, va="top")
        fig_y = bottom + (yc + 0.5) * h
        label_color = FG if emphasis or not asked_any else MUTED
        _text(fig, 0.28, fig_y, _label(name, lang), color=label_color, fontsize=14, ha="right", va="center",
              fontweight="bold" if emphasis else "normal")
        right = []
        if asked:
            side = "chart asked" if rec.kind != "similar" or rec.target else "chart song"
            right.append(say(side, lang, v=_short(name, sum(asked) / len(asked))))
        elif band is not None:
            right.append(say("chart asked", lang, v=_range_text(name, band)))
        if vals:
            right.append(say("chart got" if asked_any else "chart avg", lang, v=_short(name, sum(vals) / len(vals))))
        for k, line in enumerate(right[:2]):
            _text(fig, 0.815, fig_y + h * ((0.0 if len(right) == 1 else 0.19) - 0.38 * k), line,
                  color=TARGET if k == 0 and emphasis else FG, fontsize=13, va="center")
    _text(fig, 0.955, 0.012, say("chart footer", lang), color=MUTED, fontsize=9, ha="right", alpha=0.7)
    return fig


def _marker(fig: Any, x: float, y: float, marker: str, color: str, size: float, mew: float = 0.8) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([x], [y], marker=marker, color=color, markersize=size, markeredgecolor=color if marker == "|" else BG,
                  markeredgewidth=mew, linestyle="none", transform=fig.transFigure, figure=fig)


def _tick(name: str, v: float) -> str:
    if name in SCALES:
        return f"{v:.0f}".replace("-", "−")
    return f"{v:.1f}".rstrip("0").rstrip(".") if v not in (0, 1) else f"{v:.0f}"


def _short(name: str, v: float) -> str:
    if name == "tempo":
        return f"{v:.0f} BPM"
    if name == "loudness":
        return f"{v:.1f} dB".replace("-", "−")
    return f"{v:.2f}"


def _range_text(name: str, band: tuple[float | None, float | None]) -> str:
    lo, hi = band
    if lo is not None and hi is not None:
        return f"{_short(name, lo)}–{_short(name, hi)}" if name in SCALES else f"{lo:.2f}–{hi:.2f}"
    if lo is not None:
        return "≥ " + _short(name, lo)
    return "≤ " + _short(name, hi or 0.0)


# ------------------------------------------------------------------------------------------------ async, fail-safe
#: Drawings waiting or running at most; more are refused at once (the reply goes out as text) so a burst of chart
#: requests from many users cannot build a queue that delays everyone's pictures past the deadline.
MAX_PENDING = 6
_executor: ThreadPoolExecutor | None = None
_pending = 0
_pending_lock = threading.Lock()


async def draw(fn: Callable[..., bytes], *args: Any, timeout_s: float | None = None) -> bytes | None:
    """Run ``fn(*args)`` (:func:`track_chart` or :func:`recommendation_chart`) in the chart thread with a deadline.

    Returns the PNG bytes, or None when the drawing failed, timed out (``timeout_s`` seconds, default
    :data:`CHART_TIMEOUT_S`), had nothing to draw, or :data:`MAX_PENDING` drawings were already waiting (logged;
    never raises) — the caller then replies with text only. The event loop is never blocked and the default thread
    pool is not used: drawings run one at a time in their own thread (matplotlib's font cache is shared).
    """
    global _executor, _pending
    if _pending >= MAX_PENDING:
        log.warning("%d charts already waiting; replying without one", _pending)
        return None
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
    t0 = time.perf_counter()
    timeout_s = CHART_TIMEOUT_S if timeout_s is None else timeout_s
    with _pending_lock:
        _pending += 1
    future = asyncio.get_running_loop().run_in_executor(_executor, functools.partial(_run, fn, args))
    future.add_done_callback(_retrieve)
    try:
        png = await asyncio.wait_for(asyncio.shield(future), timeout_s)
    except ChartError as exc:
        log.info("no chart: %s", exc)
        return None
    except asyncio.TimeoutError:
        log.warning("chart drawing took longer than %.1f s; replying without it", timeout_s)
        return None
    except Exception:  # a chart must never break a reply
        log.warning("chart drawing failed; replying without it", exc_info=True)
        return None
    log.debug("chart drawn in %.0f ms (%d bytes)", (time.perf_counter() - t0) * 1000, len(png))
    return png


def _run(fn: Callable[..., bytes], args: tuple[Any, ...]) -> bytes:
    """In the chart thread: draw, then free the place in the queue (also when the caller stopped waiting)."""
    global _pending
    try:
        return fn(*args)
    finally:
        with _pending_lock:
            _pending -= 1


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a late drawing's exception as seen (its caller already replied without the chart)."""
    if not future.cancelled():
        future.exception()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels read from a PNG's IHDR header.

    Raises:
        ValueError: ``data`` is not a PNG.
    """
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")

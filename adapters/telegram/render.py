"""Telegram rendering: core models -> HTML messages (parse mode HTML), split under the 4,096-character limit.

Every catalog or user string goes through :func:`esc` (``html.escape``); the only tags emitted are
:data:`EMITTED_TAGS`. Telegram limits (https://core.telegram.org/bots/api#sendmessage, "1-4096 characters after
entities parsing") are checked on the HTML *source* in UTF-16 code units, which is never shorter than what Telegram
counts, so a piece that passes here always passes there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from core.commands import help_lines, menu
from core.coverage import coverage_text, text_is_gap_and_summary
from core.errors import InvalidInput, MusicBotError, PermissionDenied, SongNotFound
from core.error_words import error_text
from core.explain import reason_text
from core.models import AUDIO_FEATURES, FEATURE_RANGES, ChatReply, NeedsClarification, Recommendation, Track
from core.playlists.wording import change_text, tracks_text
from core.reply_words import feature_rows, say

if TYPE_CHECKING:
    from core.feedback import FeedbackResult
    from core.playlists import Playlist, PlaylistChange, PlaylistExport, PlaylistPage
    from core.previews import TrackPreview

#: Telegram's message text limit (characters after entity parsing).
MAX_MESSAGE = 4096
#: The only HTML tags this module emits (checked by the tests).
EMITTED_TAGS = frozenset({"b", "i", "a", "code"})

_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


#: Control characters dropped from displayed strings: C0/C1 controls and the bidi embeddings, overrides and
#: isolates (U+202A–U+202E, U+2066–U+2069), which would reorder the text *after* a catalog string (spoofing).
_CONTROLS = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\u0085]")


def clean(text: object, one_line: bool = True) -> str:
    """Drop control and bidi-override characters; with ``one_line`` also turn line breaks into spaces."""
    value = _CONTROLS.sub("", _LINE_BREAKS.sub(" " if one_line else "\n", str(text).replace("\t", " ")))
    return value


def esc(text: object) -> str:
    """Clean (one line, see :func:`clean`) and HTML-escape a string for Telegram's HTML parse mode.

    Escapes ``<``, ``>`` and ``&``; quotes stay readable. Use for every catalog or user string inside a line.
    """
    return html.escape(clean(text), quote=False)


def esc_text(text: object) -> str:
    """Like :func:`esc` but keeps line breaks (for multi-line free text such as an agent's answer)."""
    return html.escape(clean(text, one_line=False), quote=False)


def esc_attr(text: object) -> str:
    """HTML-escape a string for a double-quoted attribute value (also ``"`` and ``'``)."""
    return html.escape(str(text), quote=True)


def tg_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts in (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def has_text(html_text: str) -> bool:
    """True when an HTML fragment shows some non-blank text (Telegram rejects empty messages)."""
    return bool(re.sub(r"<[^<>]*>", "", html_text).strip())


def clip(text: str, limit: int) -> str:
    """Plain text cut to at most ``limit`` characters with an ellipsis (for button labels, inline titles)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


# ---------------------------------------------------------------------------------------------- splitting
def _cut_line(line: str, limit: int) -> list[str]:
    """Cut one over-long HTML line into pieces ≤ ``limit``, never inside a tag or an entity.

    Tags open at a cut are closed at the end of the piece and reopened at the start of the next, so every piece
    is valid HTML on its own. Text is cut at the last space when there is one in the second half of the room.
    """
    pieces: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, full opening tag)
    cur = ""

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stack))

    def flush() -> None:
        nonlocal cur
        pieces.append(cur + closing())
        cur = "".join(tag for _, tag in stack)

    for token in _TOKEN.findall(line):
        m = _TAG.match(token) if token.startswith("<") and len(token) > 1 else None
        if m or token.startswith("&") and len(token) > 1:
            # atomic: a tag or an entity
            extra = tg_len(closing()) + (len(m.group(2)) + 3 if m and not m.group(1) else 0)
            if tg_len(cur) + tg_len(token) + extra > limit and cur.strip():
                flush()
            cur += token
            if m and not m.group(1):
                stack.append((m.group(2).lower(), token))
            elif m and stack and stack[-1][0] == m.group(2).lower():
                stack.pop()
            continue
        text = token
        while text:
            room = limit - tg_len(cur) - tg_len(closing())
            if tg_len(text) <= room:
                cur += text
                break
            # largest prefix that fits (counting UTF-16 units)
            n, used = 0, 0
            for ch in text:
                w = 2 if ord(ch) > 0xFFFF else 1
                if used + w > room:
                    break
                used += w
                n += 1
            space = text.rfind(" ", 0, n)
            if space > n // 2:
                n = space + 1
            if n == 0:
                if cur == "".join(tag for _, tag in stack):
                    n = 1  # only with an absurdly small limit: make progress anyway
                else:
                    flush()
                    continue
            cur += text[:n]
            text = text[n:]
            flush()
    if has_text(cur):
        pieces.append(cur + closing())
    return [p for p in pieces if has_text(p)]


def split_html(blocks: Iterable[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Pack HTML blocks into messages of at most ``limit`` UTF-16 units, splitting only on line boundaries.

    Each block (e.g. one numbered track with its reason line) stays whole when it fits; a block too long on its
    own is split between its lines, and a single line too long is cut with :func:`_cut_line`. Each block must be
    valid HTML by itself (tags closed on the line that opens them). Empty messages are dropped.
    """
    pieces: list[str] = []
    for block in blocks:
        if tg_len(block) <= limit:
            pieces.append(block)
            continue
        for line in block.split("\n"):
            pieces.extend([line] if tg_len(line) <= limit else _cut_line(line, limit))
    messages: list[str] = []
    cur: str | None = None
    for piece in pieces:
        candidate = piece if cur is None else cur + "\n" + piece
        if tg_len(candidate) <= limit:
            cur = candidate
        else:
            if cur is not None:
                messages.append(cur)
            cur = piece
    if cur is not None:
        messages.append(cur)
    return [m.strip("\n") for m in messages if has_text(m)]


# ---------------------------------------------------------------------------------------------- tracks
def track_link(track: Track) -> str:
    """``<a href="https://open.spotify.com/track/ID">Title</a>``."""
    return f'<a href="{esc_attr(track.spotify_url)}">{esc(track.title or "(untitled)")}</a>'


def safe_link(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) URL (third-party preview links are checked before they become an href)."""
    if not url or not isinstance(url, str) or len(url) > 2000 or not url.startswith(("https://", "http://")):
        return None
    return None if any(c in url for c in " \n\r\t<>\"'") else url


def preview_link(url: str | None, label: str = "▶ preview") -> str:
    """`` · <a href="URL">▶ preview</a>`` for a 30-second preview, or ``""``."""
    url = safe_link(url)
    return f' · <a href="{esc_attr(url)}">{esc(label)}</a>' if url else ""


def track_block(n: int, track: Track, reason: str = "", preview: str | None = None) -> str:
    """One numbered entry: ``n. Title — Artist (year)`` linked to Spotify (and its preview), then the reason."""
    year = f" ({track.shown_year})" if track.shown_year else ""
    line = f"{n}. {track_link(track)} — {esc(track.artist or '(unknown artist)')}{year}{preview_link(preview)}"
    if reason:
        line += f"\n    <i>{esc(reason)}</i>"
    return line


def recommendation_blocks(
    rec: Recommendation,
    start: int = 1,
    header: str | None = None,
    previews: Mapping[str, str | None] | None = None,
    coverage: bool = True,
) -> list[str]:
    """HTML blocks for a track list: an optional bold header, the summary in italics, then numbered tracks.

    ``header`` is plain text (escaped here); ``start`` numbers the first track (11 on page 2); ``previews`` maps
    track ids to 30-second preview URLs (a "▶ preview" link after the track). A capped count (``rec.capped``) is
    said first.
    """
    previews = previews or {}
    blocks: list[str] = []
    gap = coverage_text(rec.coverage) if coverage else ""
    if gap:  # what the catalog lacks for the request is the first line (core.coverage)
        blocks.append(f"<b>{esc(gap)}</b>")
    if rec.capped is not None:  # first line: the count asked for was over the maximum
        blocks.append(f"<i>{esc(rec.capped.note(lang=rec.lang, how='send or press'))}</i>")
    if header:
        blocks.append(f"<b>{esc(header)}</b>")
    if rec.summary and rec.summary != header:
        blocks.append(f"<i>{esc(rec.summary)}</i>")
    if blocks:
        blocks[-1] += "\n"
    for i, item in enumerate(rec.tracks, start):
        url = previews.get(item.track.track_id)
        if rec.kind == "search":
            extra = ", ".join(x for x in (item.track.album, str(item.track.shown_year or "")) if x)
            blocks.append(track_block(i, item.track, extra, url))
        else:
            blocks.append(track_block(i, item.track, reason_text(item, rec.lang), url))
    return blocks


def render_recommendation(rec: Recommendation, start: int = 1, header: str | None = None) -> list[str]:
    """A recommendation as one or more HTML messages (see :func:`split_html`)."""
    if not rec.tracks and rec.coverage:
        return [esc(coverage_text(rec.coverage))]
    if not rec.tracks:
        return [esc(say("no match", rec.lang) if rec.kind != "search" else say("no search match", rec.lang, q=rec.query))]
    return split_html(recommendation_blocks(rec, start, header))


def render_track(track: Track, preview: str | None = None, lang: str = "en") -> list[str]:
    """Details of one track: linked title, artist (and its preview), album, year, labels, then the audio features;
    the labels in ``lang`` (the reply's, :data:`core.reply_words.REPLY_WORDS`)."""
    blocks = [f"<b>{track_link(track)}</b>\n{esc(track.artist or '(unknown artist)')}{preview_link(preview)}"]
    meta = [
        ("album", track.album),
        ("released", track.release_date or (str(track.year) if track.year else "")),
        ("genres", ", ".join(dict.fromkeys(track.genres + track.subgenres))),
        ("popularity", str(track.popularity) if track.popularity else ""),
    ]
    blocks.append("\n".join(f"<i>{esc(say('field ' + name, lang))}</i>: {esc(value)}" for name, value in meta if value))
    blocks.append(  # key and mode as one musical name ("F minor"), in the reply's language
        " · ".join(f"{esc(label)} <code>{esc(shown)}</code>" for label, shown in feature_rows(track, AUDIO_FEATURES, lang))
        or f"<i>{esc(say('field no audio features', lang))}</i>"
    )
    blocks.append(f"<code>{esc(track.spotify_uri)}</code>")
    return split_html(blocks)


SOURCE_NAMES = {"spotify": "Spotify", "deezer": "Deezer", "itunes": "iTunes"}


def render_preview(track: Track, audio_url: str | None = None, source: str | None = None, lang: str = "en") -> str:
    """The ``/preview`` text: the 30-second preview link when one was found, else a friendly "no preview"; always
    the Spotify link and the embed player link (Telegram shows the Spotify link preview card). Words in ``lang``."""
    embed = f"https://open.spotify.com/embed/track/{track.track_id}"
    lines = [f"🎧 {track_link(track)} — {esc(track.artist)}"]
    url = safe_link(audio_url)
    if url:
        via = f" ({say('preview via', lang, source=SOURCE_NAMES[source])})" if source in SOURCE_NAMES else ""
        lines.append(f'▶ <a href="{esc_attr(url)}">{esc(say("preview link", lang))}</a>{esc(via)}')
    else:
        lines.append(esc(say("no preview here", lang)))
    lines.append(f'<a href="{esc_attr(track.spotify_url)}">{esc(say("open in spotify", lang))}</a> · '
                 f'<a href="{esc_attr(embed)}">{esc(say("play in browser", lang))}</a>')
    return "\n".join(lines)


def preview_caption(track: Track, audio_url: str | None = None, source: str | None = None, lang: str = "en") -> str:
    """Caption for an audio preview (Telegram captions: 1,024 characters after parsing; names clipped to 200), in
    ``lang``."""
    via = " " + say("preview via", lang, source=SOURCE_NAMES[source]) if source in SOURCE_NAMES else ""
    return (
        f'🎧 <a href="{esc_attr(track.spotify_url)}">{esc(clip(track.title or "(untitled)", 200))}</a>'
        f" — {esc(clip(track.artist, 200))}\n{esc(say('preview link', lang))}{esc(via)} · "
        f"{esc(say('full on spotify', lang))}"
    )


def render_clarification(c: NeedsClarification) -> list[str]:
    """A clarification question and its suggestions as a bullet list."""
    blocks = [esc_text(c.question)]
    if c.suggestions:
        blocks.append("\n".join(f"• {esc(s)}" for s in c.suggestions))
    return split_html(blocks)


def render_chat_reply(reply: ChatReply, start: int = 1) -> list[str]:
    """An agent reply: its text, then the track list / clarification / track details it carries (plus a short note
    when the LLM failed and the built-in model answered)."""
    note = [f"<i>{esc(say('fallback', reply.lang))}</i>"] if reply.fallback_used else []
    if reply.recommendation is not None and reply.recommendation.tracks:
        rec = reply.recommendation
        plain = reply.text == rec.summary or text_is_gap_and_summary(reply.text, rec)
        blocks = [esc_text(reply.text) + "\n"] if reply.text and not plain else []
        return split_html(note + blocks + recommendation_blocks(rec, start, coverage=not blocks))
    if reply.clarification is not None:
        return note + render_clarification(reply.clarification)
    if reply.track is not None:
        t = reply.track
        said = (reply.text or "").strip()
        # keep what the engine said ("Updated: …", "Liked …") unless it is just the track's name
        head = "\n".join(note + ([esc_text(said)] if said and said != f"{t.title} - {t.artist}" else []))
        chunks = render_track(t, lang=reply.lang)
        if head and len(head) + 2 + len(chunks[0]) <= 4000:
            return [head + "\n\n" + chunks[0], *chunks[1:]]
        return ([head] if head else []) + chunks
    return split_html(note + esc_text(reply.text).split("\n")) or [esc("…")]


# ---------------------------------------------------------------------------------------------- errors, help, admin
def render_error(exc: MusicBotError, lang: str = "en") -> str:
    """A friendly one-liner for an engine error; names the field and its allowed range for invalid input. In a
    conversation in another language than English, the error's words in that language
    (:func:`core.error_words.error_text`), with the same marks."""
    from core.playlists import PlaylistNotFound

    if lang != "en":
        if isinstance(exc, PlaylistNotFound) and not exc.suggestions:  # how to create it, with Telegram's command
            return esc(say("pl not found", lang, ref=clip(exc.ref, 100))) + say("tg create it", lang)
        mark = "🚫 " if isinstance(exc, PermissionDenied) else "" if isinstance(exc, (PlaylistNotFound, SongNotFound)) else "⚠️ "
        return mark + esc(error_text(exc, lang))
    if isinstance(exc, PlaylistNotFound):
        text = f"No playlist “{esc(clip(exc.ref, 100))}” in this chat."
        if exc.suggestions:
            return text + " Did you mean:\n" + "\n".join(f"• {esc(s)}" for s in exc.suggestions)
        return text + " See /playlists, or create it: /pl_create <i>name</i>"
    if isinstance(exc, PermissionDenied):
        return "🚫 " + esc(str(exc))
    if isinstance(exc, SongNotFound):
        text = f"I couldn't find “{esc(exc.ref)}”."
        if exc.suggestions:
            text += " Did you mean:\n" + "\n".join(f"• {esc(s)}" for s in exc.suggestions)
        return text
    text = "⚠️ " + esc(str(exc))
    if isinstance(exc, InvalidInput) and exc.field and exc.allowed and exc.allowed not in str(exc):
        text += f"\n<b>{esc(exc.field)}</b>: allowed {esc(exc.allowed)}"
    return text


def feature_ranges_text() -> str:
    """``energy 0–1, tempo 0–250 BPM, …`` for usage messages."""
    units = {"tempo": " BPM", "loudness": " dB"}
    return ", ".join(f"{n} {lo:g}–{hi:g}{units.get(n, '')}" for n, (lo, hi) in FEATURE_RANGES.items())


#: The command menus (``set_my_commands``): built from the command registry (:mod:`core.commands`).
USER_COMMANDS: tuple[tuple[str, str], ...] = tuple(menu("telegram"))
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = tuple(c for c in menu("telegram", admin=True) if c not in USER_COMMANDS)


def _help_line(usage: str, text: str) -> str:
    """``/pl_add <i>NAME | SONG…</i> — Add songs…`` (the arguments in italics)."""
    name, _, args = usage.partition(" ")
    return f"{esc(name)} <i>{esc(args)}</i> — {esc(text)}" if args else f"{esc(name)} — {esc(text)}"


def render_help(is_admin: bool = False, bot_username: str = "") -> str:
    """The /help text (HTML), listing the registry's Telegram commands (admin ones for admins)."""
    users = [(u, t) for u, t in help_lines("telegram") if u.split()[0] != "/playlist"]
    lines = ["<b>Music recommendations</b> from a catalog of Spotify tracks.", ""]
    lines += [_help_line(u, t) for u, t in users if not u.startswith(("/pl_", "/playlists"))]
    lines += ["<i>#n</i> means track n of the last list shown in this chat (e.g. /like #3).", "",
              "<b>Shared playlists</b> (one set per chat)"]
    lines += [_help_line(u, t) for u, t in users if u.startswith(("/pl_", "/playlists"))]
    lines += [
        "Under every list: ➕ Add to playlist, 👍 Like…, 👎 Dislike…, 📊 Chart.",
        "",
        "Or just write what you want to hear (in groups: mention me or reply to me).",
    ]
    if bot_username:
        lines.append(f"Inline: type <code>@{esc(bot_username)} chill study</code> in any chat.")
    if is_admin:
        lines += ["", "<b>Admin</b>"]
        lines += [_help_line(u, t) for u, t in help_lines("telegram", admin=True) if (u, t) not in users]
    return "\n".join(lines)


def render_saved(track: Track, action: str, lang: str = "en") -> str:
    """``Added: Title — Artist (id)`` after an admin change (``action``: added, updated, deleted), in ``lang``."""
    return "✅ " + say(f"admin {action}", lang, song=f"{track_link(track)} — {esc(track.artist)}",
                       id=f"<code>{esc(track.track_id)}</code>")


def inline_title(track: Track) -> str:
    """Plain ``Title – Artist`` for an inline result (not parsed, so not escaped)."""
    return clip(f"{track.title or '(untitled)'} – {track.artist or '(unknown artist)'}", 120)


def inline_message(track: Track) -> str:
    """The HTML message an inline result sends into the chat."""
    year = f" ({track.shown_year})" if track.shown_year else ""
    return f"🎵 {track_link(track)} — {esc(track.artist)}{year}"


def as_blocks(lines: Sequence[str]) -> list[str]:
    """Convenience: already-escaped lines -> messages."""
    return split_html(lines)


# ---------------------------------------------------------------------------------------------- feedback, playlists
def render_feedback(result: FeedbackResult, lang: str = "en") -> str:
    """``👍 Liked "Title - Artist" — …`` (the engine's message, in ``lang``: the conversation's)."""
    from core.feedback import feedback_text

    icon = {"like": "👍", "dislike": "👎"}.get(result.value, "↩️")
    return f"{icon} {esc(feedback_text(result.track.title, result.track.artist, result.value, result.previous, lang))}"


def playlist_name(p: Playlist) -> str:
    """``“Road Trip”`` (escaped, clipped to 100 characters)."""
    return f"“{esc(clip(p.name, 100))}”"


def render_playlists(playlists: Sequence[Playlist], lang: str = "en") -> str:
    """The ``/playlists`` text: one line per playlist with its track count, in ``lang``."""
    if not playlists:
        return say("tg no playlists", lang)
    lines = [f"<b>{esc(say('tg playlists head', lang, n=len(playlists)))}</b>"]
    lines += [f"• {playlist_name(p)} — {esc(tracks_text(p.track_count, lang))}" for p in playlists]
    lines.append("\n" + say("tg playlists hint", lang))
    return "\n".join(lines)


def render_playlist_page(page: PlaylistPage, previews: Mapping[str, str | None] | None = None,
                         lang: str = "en") -> list[str]:
    """One page of a playlist: header with page n/m, then numbered entries (Spotify links even for tracks that left
    the catalog); words in ``lang``."""
    p = page.playlist
    previews = previews or {}
    head = f"📋 <b>{esc(clip(p.name, 100))}</b> — {esc(tracks_text(page.total, lang))}"
    if page.pages > 1:
        head += " · " + esc(say("page of", lang, page=page.page, pages=page.pages))
    blocks = [head + ("\n" if page.entries else "")]
    if not page.entries:
        blocks.append(say("tg empty", lang, name=esc(clip(p.name, 100))))
    for e in page.entries:
        if e.track is not None:
            blocks.append(track_block(e.index, e.track, preview=previews.get(e.track_id)))
        else:
            blocks.append(f'{e.index}. <a href="{esc_attr(e.spotify_url)}">{esc(e.track_id)}</a> — <i>{esc(say("tg gone", lang))}</i>')
    return split_html(blocks)


def render_change(change: PlaylistChange, lang: str = "en") -> str:
    """After an add / remove: ✅ and the engine's summary (or a note that nothing changed), in ``lang``."""
    changed = bool(change.added or change.removed)
    text = (change.message if lang == "en" else change_text(change, lang)) or say("pl unchanged", lang)
    return ("✅ " if changed else "ℹ️ ") + esc(text)


def render_export_header(export: PlaylistExport, lang: str = "en") -> str:
    """``📤 Road Trip — 12 tracks`` (in ``lang``)."""
    return f"📤 <b>{esc(clip(export.playlist.name, 100))}</b> — {esc(tracks_text(len(export.track_ids), lang))}"


def render_export(export: PlaylistExport, fmt: str = "urls", lang: str = "en") -> str:
    """All links (or URIs) in one message (the caller checks :data:`MAX_MESSAGE` and sends a file instead)."""
    body = export.as_text("uris" if fmt == "uris" else "urls")
    head = render_export_header(export, lang)
    return f"{head}\n{esc_text(body)}" if body else f"{head}\n{esc(say('tg export empty', lang))}"


def render_export_caption(export: PlaylistExport, fmt: str = "urls", lang: str = "en") -> str:
    """The caption of an export file: its header and what the lines are, in ``lang``."""
    what = say("tg export uris" if fmt == "uris" else "tg export links", lang)
    return f"{render_export_header(export, lang)}\n{esc(what)}"


def render_preview_result(found: TrackPreview, lang: str = "en") -> str:
    """The ``/preview`` reply for a :class:`~core.previews.TrackPreview`, in ``lang``."""
    return render_preview(found.track, found.preview_url, found.source, lang)

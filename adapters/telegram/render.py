"""Telegram rendering: core models -> HTML messages (parse mode HTML), split under the 4,096-character limit.

Every catalog or user string goes through :func:`esc` (``html.escape``); the only tags emitted are
:data:`EMITTED_TAGS`. Telegram limits (https://core.telegram.org/bots/api#sendmessage, "1-4096 characters after
entities parsing") are checked on the HTML *source* in UTF-16 code units, which is never shorter than what Telegram
counts, so a piece that passes here always passes there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from core.errors import InvalidInput, MusicBotError, SongNotFound
from core.models import AUDIO_FEATURES, FEATURE_RANGES, ChatReply, NeedsClarification, Recommendation, Track

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


def track_block(n: int, track: Track, reason: str = "") -> str:
    """One numbered entry: ``n. Title — Artist (year)`` linked to Spotify, then the reason in italics."""
    year = f" ({track.year})" if track.year else ""
    line = f"{n}. {track_link(track)} — {esc(track.artist or '(unknown artist)')}{year}"
    if reason:
        line += f"\n    <i>{esc(reason)}</i>"
    return line


def recommendation_blocks(rec: Recommendation, start: int = 1, header: str | None = None) -> list[str]:
    """HTML blocks for a track list: an optional bold header, the summary in italics, then numbered tracks.

    ``header`` is plain text (escaped here); ``start`` numbers the first track (11 on page 2).
    """
    blocks: list[str] = []
    if header:
        blocks.append(f"<b>{esc(header)}</b>")
    if rec.summary and rec.summary != header:
        blocks.append(f"<i>{esc(rec.summary)}</i>")
    if blocks:
        blocks[-1] += "\n"
    for i, item in enumerate(rec.tracks, start):
        if rec.kind == "search":
            extra = ", ".join(x for x in (item.track.album, str(item.track.year or "")) if x)
            blocks.append(track_block(i, item.track, extra))
        else:
            blocks.append(track_block(i, item.track, item.reason))
    return blocks


def render_recommendation(rec: Recommendation, start: int = 1, header: str | None = None) -> list[str]:
    """A recommendation as one or more HTML messages (see :func:`split_html`)."""
    if not rec.tracks:
        return [esc("No tracks match that — try loosening the filters." if rec.kind != "search" else f'No tracks match "{rec.query}".')]
    return split_html(recommendation_blocks(rec, start, header))


def _fmt_feature(name: str, value: float | int) -> str:
    units = {"tempo": " BPM", "loudness": " dB"}
    if name == "key":
        names = ["C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"]
        return names[int(value)] if 0 <= int(value) <= 11 else "none"
    if name == "mode":
        return "major" if int(value) == 1 else "minor"
    return (f"{value:.3g}" if isinstance(value, float) else str(value)) + units.get(name, "")


def render_track(track: Track) -> list[str]:
    """Details of one track: linked title, artist, album, year, labels, then the audio features."""
    blocks = [f"<b>{track_link(track)}</b>\n{esc(track.artist or '(unknown artist)')}"]
    meta = [
        ("album", track.album),
        ("released", track.release_date or (str(track.year) if track.year else "")),
        ("genres", ", ".join(dict.fromkeys(track.genres + track.subgenres))),
        ("popularity", str(track.popularity) if track.popularity else ""),
    ]
    blocks.append("\n".join(f"<i>{name}</i>: {esc(value)}" for name, value in meta if value))
    blocks.append(" · ".join(f"{name} <code>{esc(_fmt_feature(name, getattr(track, name)))}</code>" for name in AUDIO_FEATURES))
    blocks.append(f"<code>{esc(track.spotify_uri)}</code>")
    return split_html(blocks)


def render_preview(track: Track, audio_url: str | None = None) -> str:
    """The ``/preview`` fallback: Spotify link and embed player link (Telegram shows the link preview card)."""
    embed = f"https://open.spotify.com/embed/track/{track.track_id}"
    lines = [
        f"🎧 {track_link(track)} — {esc(track.artist)}",
        f'<a href="{esc_attr(track.spotify_url)}">Open in Spotify</a> · <a href="{esc_attr(embed)}">Play in the browser</a>',
    ]
    if audio_url:
        lines.append(f'<a href="{esc_attr(audio_url)}">30-second preview</a>')
    return "\n".join(lines)


def preview_caption(track: Track) -> str:
    """Caption for an audio preview (Telegram captions: 1,024 characters after parsing; names clipped to 200)."""
    return (
        f'🎧 <a href="{esc_attr(track.spotify_url)}">{esc(clip(track.title or "(untitled)", 200))}</a>'
        f" — {esc(clip(track.artist, 200))}\n30-second preview · full track on Spotify"
    )


def render_clarification(c: NeedsClarification) -> list[str]:
    """A clarification question and its suggestions as a bullet list."""
    blocks = [esc_text(c.question)]
    if c.suggestions:
        blocks.append("\n".join(f"• {esc(s)}" for s in c.suggestions))
    return split_html(blocks)


def render_chat_reply(reply: ChatReply, start: int = 1) -> list[str]:
    """An agent reply: its text, then the track list / clarification / track details it carries."""
    if reply.recommendation is not None and reply.recommendation.tracks:
        rec = reply.recommendation
        blocks = [esc_text(reply.text) + "\n"] if reply.text and reply.text != rec.summary else []
        return split_html(blocks + recommendation_blocks(rec, start))
    if reply.clarification is not None:
        return render_clarification(reply.clarification)
    if reply.track is not None:
        return render_track(reply.track)
    return split_html(esc_text(reply.text).split("\n")) or [esc("…")]


# ---------------------------------------------------------------------------------------------- errors, help, admin
def render_error(exc: MusicBotError) -> str:
    """A friendly one-liner for an engine error; names the field and its allowed range for invalid input."""
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


USER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("recommend", "Tracks for a mood, activity, genre or era"),
    ("similar", "Tracks like one or more songs (separate with ;)"),
    ("search", "Find tracks by title, artist or album"),
    ("song", "Details and audio features of one track"),
    ("preview", "Listen to a track"),
    ("more", "Next page of the last list in this chat"),
    ("reset", "Forget this conversation"),
    ("help", "How to use the bot"),
    ("start", "Welcome message"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addsong", "Admin: add a track (id | title | artist | feature=value ...)"),
    ("editsong", "Admin: change a track (song | field=value ...)"),
    ("delsong", "Admin: delete a track"),
)


def render_help(is_admin: bool = False, bot_username: str = "") -> str:
    """The /help text (HTML)."""
    lines = [
        "<b>Music recommendations</b> from a catalog of Spotify tracks.",
        "",
        "/recommend <i>chill study music</i> — tracks for a mood, activity, genre or era",
        "/similar <i>Blinding Lights - The Weeknd; Levitating</i> — tracks like these songs",
        "/search <i>daft punk</i> — find tracks by title, artist or album",
        "/song <i>song</i> — details and audio features",
        "/preview <i>song</i> — listen to a track",
        "/more — next page of the last list · /reset — forget this conversation",
        "",
        "Or just write what you want to hear (in groups: mention me or reply to me).",
    ]
    if bot_username:
        lines.append(f"Inline: type <code>@{esc(bot_username)} chill study</code> in any chat.")
    if is_admin:
        lines += [
            "",
            "<b>Admin</b>",
            "/addsong <i>track_id | title | artist | danceability=0.7 energy=0.8 ...</i>",
            "/editsong <i>song | energy=0.8 tempo=120</i>",
            "/delsong <i>song</i>",
        ]
    return "\n".join(lines)


def render_saved(track: Track, verb: str) -> str:
    """``Added: Title — Artist (id)`` after an admin change."""
    return f"✅ {esc(verb)}: {track_link(track)} — {esc(track.artist)} (<code>{esc(track.track_id)}</code>)"


def inline_title(track: Track) -> str:
    """Plain ``Title – Artist`` for an inline result (not parsed, so not escaped)."""
    return clip(f"{track.title or '(untitled)'} – {track.artist or '(unknown artist)'}", 120)


def inline_message(track: Track) -> str:
    """The HTML message an inline result sends into the chat."""
    year = f" ({track.year})" if track.year else ""
    return f"🎵 {track_link(track)} — {esc(track.artist)}{year}"


def as_blocks(lines: Sequence[str]) -> list[str]:
    """Convenience: already-escaped lines -> messages."""
    return split_html(lines)

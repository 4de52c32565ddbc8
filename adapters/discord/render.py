"""Discord rendering: core models -> embeds and message text, always inside Discord's limits.

Limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits, checked 2026): message
content 2,000 characters; embed title 256, description 4,096, field name 256 / value 1,024, footer 2,048, author
name 256, 25 fields, 6,000 characters over all embeds of one message, 10 embeds per message. Discord counts Unicode
code points, which is what ``len(str)`` counts. Going over any of them fails the whole send with HTTP 400 (50035).

Catalog text (titles, artists, albums, reasons) is user-controlled: it is flattened to one line, markdown-escaped
(so ``**``, ``[x](url)``, ``@everyone`` and ``<@id>`` show literally) and clipped *after* escaping, so a clip never
leaves a dangling backslash. Pings are prevented separately by ``allowed_mentions`` on every send.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from core.models import AUDIO_FEATURES, ChatReply, NeedsClarification, Recommendation, Track

#: Discord's documented limits (characters unless stated).
MESSAGE_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
FIELDS_PER_EMBED = 25
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
#: Component limits: custom_id 100, button label 80, select option label/description/value 100, 25 options.
CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
OPTION_TEXT_LIMIT = 100
CHOICE_NAME_LIMIT = 100

#: Tracks shown in one message (one "page"); each gets a "More like #n" button (2 rows of 5).
PAGE_SIZE = 10
SPOTIFY_GREEN = discord.Colour(0x1DB954)
NONE_PING = discord.AllowedMentions.none()

_ESCAPE = re.compile(r"([\\*_~`|>\[\]()<@])")
_LINE_START = re.compile(r"^([#>-])")
_SPACES = re.compile(r"\s+")
#: Bidirectional overrides/isolates: they can visually reorder the rest of a line, so they are dropped.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def one_line(text: object) -> str:
    """Flatten any text to one clean line: control/format characters dropped, whitespace runs -> one space."""
    s = ("" if text is None else str(text)).translate(_BIDI)
    s = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in s)
    return _SPACES.sub(" ", s).strip()


def clip(text: str, limit: int) -> str:
    """Cut plain text to at most ``limit`` characters, ending with ``…`` when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…" if limit > 0 else ""


def escape_md(text: str) -> str:
    """Backslash-escape Discord markdown and mention syntax (``\\*_~`|>[]()<@``; ``#``/``-`` at the start)."""
    return _LINE_START.sub(r"\\\1", _ESCAPE.sub(r"\\\1", text))


def md(text: object, limit: int) -> str:
    """One-line, markdown-escaped text of at most ``limit`` characters (escapes never cut in half)."""
    raw = one_line(text)
    out: list[str] = []
    used = 0
    for i, ch in enumerate(raw):
        piece = escape_md(ch) if i == 0 else _ESCAPE.sub(r"\\\1", ch)
        if used + len(piece) > limit:
            # make room for the ellipsis
            while out and used + 1 > limit:
                used -= len(out.pop())
            return "".join(out).rstrip() + "…" if limit > 0 else ""
        out.append(piece)
        used += len(piece)
    return "".join(out)


# ---------------------------------------------------------------------------------------------------- track lists
def _meta(track: Track) -> str:
    genre = (track.subgenres or track.genres or [""])[0]
    return ", ".join(x for x in (str(track.year) if track.year else "", one_line(genre)) if x)


_SAFE_ID = re.compile(r"[0-9A-Za-z]{1,64}")


def track_link(track: Track) -> str | None:
    """The open.spotify.com URL when the track id is a plain Spotify-style id (else None: no broken links)."""
    return track.spotify_url if _SAFE_ID.fullmatch(track.track_id) else None


def track_line(n: int, track: Track, reason: str, budget: int) -> str:
    """One numbered entry: ``**n. Title** — Artist (2019, dance pop) · [Spotify](url)`` + an italic reason line.

    The free-text parts share ``budget`` characters (title 40 %, artist 25 %, reason 35 %); the result is at most
    ``budget`` characters when ``budget`` ≥ 160.
    """
    url = track_link(track)
    link = f" · [Spotify]({url})" if url else ""
    meta = md(_meta(track), 40)
    fixed = len(f"**{n}. ** — ") + len(link) + (len(f" ({meta})") if meta else 0) + len("\n↳ **")
    room = max(budget - fixed, 30)
    title = md(track.title, max(int(room * 0.40), 10)) or "(untitled)"
    artist = md(track.artist, max(int(room * 0.25), 8)) or "(unknown artist)"
    line = f"**{n}. {title}** — {artist}" + (f" ({meta})" if meta else "") + link
    left = budget - len(line) - len("\n↳ **")
    why = md(reason, left) if left >= 8 else ""
    return line + (f"\n↳ *{why}*" if why else "")


def recommendation_embed(
    rec: Recommendation,
    *,
    title: str | None = None,
    page: int = 1,
    first_number: int = 1,
    note: str = "",
) -> discord.Embed:
    """One embed listing up to :data:`PAGE_SIZE` tracks of ``rec`` (numbered from ``first_number``).

    Always within every embed limit, whatever the catalog text (see the module docstring).
    """
    heading = title or rec.summary or (f"Results for “{rec.query}”" if rec.query else "Recommendations")
    embed = discord.Embed(title=md(heading, TITLE_LIMIT) or "Recommendations", colour=SPOTIFY_GREEN)
    items = rec.tracks[:PAGE_SIZE]
    intro = md(note, 300) + "\n\n" if note.strip() else ""
    if not items:
        embed.description = intro + "No tracks match — try loosening the request."
        return embed
    # description budget: 4,096, minus the intro and a margin, shared by the lines (and separators)
    budget = (min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - TITLE_LIMIT - 200) - len(intro) - 2 * len(items)) // len(items)
    lines = [track_line(first_number + i, it.track, it.reason, budget) for i, it in enumerate(items)]
    embed.description = clip(intro + "\n\n".join(lines), DESCRIPTION_LIMIT)
    footer = f"Page {page}" if page > 1 else ""
    if len(rec.tracks) > len(items):
        footer = (footer + " · " if footer else "") + f"showing {len(items)} of {len(rec.tracks)}"
    footer = (footer + " · " if footer else "") + "Buttons: more like a track, or the next page"
    embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    return embed


# ---------------------------------------------------------------------------------------------------- one track
def _feature_text(track: Track) -> str:
    units = {"tempo": " BPM", "loudness": " dB"}
    rows = []
    for name in AUDIO_FEATURES:
        value = getattr(track, name)
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        rows.append(f"{name} {shown}{units.get(name, '')}")
    return clip(" · ".join(rows), FIELD_VALUE_LIMIT)


def track_embed(track: Track, *, note: str = "") -> discord.Embed:
    """A detail card for one track: title links to Spotify; album/year, labels and audio features as fields."""
    embed = discord.Embed(
        title=md(f"{track.title} — {track.artist}", TITLE_LIMIT),
        url=track_link(track),
        colour=SPOTIFY_GREEN,
        description=md(note, 1000) if note.strip() else None,
    )
    if track.album:
        embed.add_field(name="Album", value=md(track.album, 300) or "—", inline=True)
    if track.release_date or track.year:
        embed.add_field(name="Released", value=md(track.release_date or track.year, 40) or "—", inline=True)
    if track.duration_ms:
        secs = track.duration_ms // 1000
        embed.add_field(name="Length", value=f"{secs // 60}:{secs % 60:02d}", inline=True)
    embed.add_field(name="Popularity", value=f"{track.popularity}/100", inline=True)
    labels = track.genres + [s for s in track.subgenres if s not in track.genres]
    genres = md(", ".join(labels), 500)
    if genres:
        embed.add_field(name="Genres", value=genres, inline=False)
    embed.add_field(name="Audio features", value=_feature_text(track), inline=False)
    embed.set_footer(text=clip(f"Spotify id {one_line(track.track_id)}", FOOTER_LIMIT))
    return embed


def preview_text(track: Track, audio_url: str | None = None) -> str:
    """Message text for /preview: the track name and its open.spotify.com link (Discord unfurls it into a player)."""
    name = f"**{md(track.title, 300)}** — {md(track.artist, 200)}"
    lines = [name, track_link(track) or ""]
    if audio_url:
        lines.append(f"30-second preview: <{audio_url}>" if len(audio_url) <= 1000 else "")
    return clip("\n".join(x for x in lines if x), MESSAGE_LIMIT)


# ---------------------------------------------------------------------------------------------------- chat replies
@dataclass
class Rendered:
    """A message ready to send: plain ``content`` (≤ 2,000 chars) and up to 10 ``embeds``."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)


def clarification_text(nc: NeedsClarification) -> str:
    """The clarifying question plus up to five suggestions, as one message (≤ 2,000 chars)."""
    text = one_line(nc.question) or "Could you say a bit more about what you'd like to hear?"
    tips = [md(s, 120) for s in nc.suggestions[:5] if one_line(s)]
    if tips:
        text = md(text, 1200) + "\nTry: " + " · ".join(tips)
    else:
        text = md(text, MESSAGE_LIMIT)
    return clip(text, MESSAGE_LIMIT)


def chat_message(reply: ChatReply) -> Rendered:
    """Render an engine :class:`~core.models.ChatReply` (agent or command answer) for Discord."""
    note = "(the language model was unavailable; answered with the built-in model)" if reply.fallback_used else ""
    rec = reply.recommendation
    if rec is not None and rec.tracks:
        text = reply.text.strip()
        content = clip(text, MESSAGE_LIMIT) if text and text != rec.summary else None
        return Rendered(content=content, embeds=[recommendation_embed(rec, note=note)])
    if reply.track is not None:
        return Rendered(embeds=[track_embed(reply.track, note=note)])
    if reply.clarification is not None:
        return Rendered(content=clarification_text(reply.clarification))
    text = (reply.text or "").strip() or "…"
    if note:
        text = f"{text}\n*{note}*"
    return Rendered(content=clip(text, MESSAGE_LIMIT))


def error_text(message: str) -> str:
    """An error line for an ephemeral reply (≤ 2,000 chars)."""
    return clip(one_line(message) or "Something went wrong.", MESSAGE_LIMIT)


# ---------------------------------------------------------------------------------------------------- limit checks
def embed_problems(embeds: Sequence[discord.Embed], content: str | None = None) -> list[str]:
    """Every Discord limit the message would break (empty list = sendable). Used by tests and a debug guard."""
    problems: list[str] = []
    if content is not None and len(content) > MESSAGE_LIMIT:
        problems.append(f"content {len(content)} > {MESSAGE_LIMIT}")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    total = 0
    for i, e in enumerate(embeds):
        d = e.to_dict()
        checks = [
            ("title", len(d.get("title", "")), TITLE_LIMIT),
            ("description", len(d.get("description", "")), DESCRIPTION_LIMIT),
            ("footer", len(d.get("footer", {}).get("text", "")), FOOTER_LIMIT),
            ("author", len(d.get("author", {}).get("name", "")), AUTHOR_LIMIT),
            ("fields", len(d.get("fields", [])), FIELDS_PER_EMBED),
        ]
        for f in d.get("fields", []):
            checks.append(("field name", len(f["name"]), FIELD_NAME_LIMIT))
            checks.append(("field value", len(f["value"]), FIELD_VALUE_LIMIT))
            if not f["name"].strip() or not f["value"].strip():
                problems.append(f"embed {i}: empty field")
        problems += [f"embed {i}: {what} {n} > {lim}" for what, n, lim in checks if n > lim]
        total += len(e)
    if total > EMBED_TOTAL_LIMIT:
        problems.append(f"embeds total {total} > {EMBED_TOTAL_LIMIT}")
    return problems

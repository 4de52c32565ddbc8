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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import discord

from core.coverage import coverage_text, text_is_gap_and_summary
from core.explain import reason_text
from core.models import AUDIO_FEATURES, ChatReply, NeedsClarification, Recommendation, Track, spotify_url
from core.playlists.wording import tracks_text
from core.reply_words import feature_rows, say
from core.playlists import Playlist, PlaylistEntry, PlaylistPage

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
    genre = track.shown_genre
    return ", ".join(x for x in (str(track.shown_year) if track.shown_year else "", one_line(genre)) if x)


_SAFE_ID = re.compile(r"[0-9A-Za-z]{1,64}")


def track_link(track: Track) -> str | None:
    """The open.spotify.com URL when the track id is a plain Spotify-style id (else None: no broken links)."""
    return track.spotify_url if _SAFE_ID.fullmatch(track.track_id) else None


#: An https URL that cannot break a markdown link: no whitespace, backslash, parentheses, angle/square brackets,
#: backticks or pipes (``*``, ``~``, ``_`` and ``=`` are fine inside a link target, and Deezer's signed links use them).
_SAFE_URL = re.compile(r"https://[^\s\\()<>\[\]`|]{4,}")
#: Longest preview URL put into an embed line.
PREVIEW_URL_LIMIT = 500


def safe_url(url: str | None, limit: int = PREVIEW_URL_LIMIT) -> str | None:
    """``url`` when it is an https URL that cannot break a markdown link and is at most ``limit`` characters."""
    if not url or len(url) > limit or not _SAFE_URL.fullmatch(url):
        return None
    return url


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
    previews: Mapping[str, str | None] | None = None,
    coverage: bool = True,
) -> discord.Embed:
    """One embed listing up to :data:`PAGE_SIZE` tracks of ``rec`` (numbered from ``first_number``).

    What the catalog lacks for the request (``rec.coverage``) is the embed's title, the summary then opens the
    description (``coverage=False`` when the message content already says it).

    ``previews`` maps track ids to 30-second audio URLs (best effort; missing or unsafe ones are skipped). A capped count
    (``rec.capped``) follows. Always
    within every embed limit, whatever the catalog text (see the module docstring).
    """
    previews = previews or {}
    if rec.capped is not None:  # said first: the count asked for was over the maximum
        note = rec.capped.note(lang=rec.lang, how="press next") + (f"\n{note}" if note.strip() else "")
    heading = title or rec.summary or (say("results for", rec.lang, q=rec.query) if rec.query
                                       else say("recommendations", rec.lang))
    gap = coverage_text(rec.coverage) if coverage else ""
    if gap:  # the gap becomes the title; the summary (and the whole gap when it does not fit) opens the description
        first = gap if len(gap) <= TITLE_LIMIT else gap.split(". ")[0][: TITLE_LIMIT - 1] + "…"
        note = " · ".join(x for x in (heading, gap if first != gap else "", note) if x.strip())
        heading = first
    embed = discord.Embed(title=md(heading, TITLE_LIMIT) or say("recommendations", rec.lang), colour=SPOTIFY_GREEN)
    items = rec.tracks[:PAGE_SIZE]
    intro = md(note, 300) + "\n\n" if note.strip() else ""
    if not items:
        embed.description = intro + say("no match short", rec.lang)
        return embed
    # description budget: 4,096, minus the intro and a margin, shared by the lines (and separators)
    budget = (min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - TITLE_LIMIT - 200) - len(intro) - 2 * len(items)) // len(items)
    lines = [track_line(first_number + i, it.track, reason_text(it, rec.lang), budget) for i, it in enumerate(items)]
    if previews:
        add_preview_links(lines, [previews.get(it.track.track_id) for it in items], len(intro))
    embed.description = clip(intro + "\n\n".join(lines), DESCRIPTION_LIMIT)
    footer = say("page", rec.lang, n=page) if page > 1 else ""
    if len(rec.tracks) > len(items):
        footer = (footer + " · " if footer else "") + say("showing", rec.lang, n=len(items), total=len(rec.tracks))
    footer = (footer + " · " if footer else "") + say("below", rec.lang)
    embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    return embed


def add_preview_links(lines: list[str], urls: Sequence[str | None], used: int = 0) -> int:
    """Append `` · [▶ 30 s](url)`` to the first line of each entry, in order, while the joined entries (plus
    ``used`` characters) stay within the description limit; unsafe URLs and those that no longer fit are skipped
    (signed CDN links run to ~260 characters, so a full page of very long ones may not all fit). Returns how many
    links were added."""
    room = DESCRIPTION_LIMIT - used - sum(len(x) for x in lines) - 2 * max(len(lines) - 1, 0)
    added = 0
    for i, url in enumerate(urls[: len(lines)]):
        audio = safe_url(url)
        extra = f" · [▶ 30 s]({audio})" if audio else ""
        if not extra or len(extra) > room:
            continue
        head, sep, rest = lines[i].partition("\n")
        lines[i] = head + extra + sep + rest
        room -= len(extra)
        added += 1
    return added


# ---------------------------------------------------------------------------------------------------- one track
def _feature_text(track: Track, lang: str = "en") -> str:
    rows = [f"{label} {shown}" for label, shown in feature_rows(track, AUDIO_FEATURES, lang)]  # key + mode: "F minor"
    return clip(" · ".join(rows), FIELD_VALUE_LIMIT) if rows else say("field no audio features", lang)


def track_embed(track: Track, *, note: str = "", lang: str = "en") -> discord.Embed:
    """A detail card for one track: title links to Spotify; album/year, labels and audio features as fields (named in
    ``lang``, the reply's)."""
    embed = discord.Embed(
        title=md(f"{track.title} — {track.artist}", TITLE_LIMIT),
        url=track_link(track),
        colour=SPOTIFY_GREEN,
        description=md(note, 1000) if note.strip() else None,
    )
    if track.album:
        embed.add_field(name=say("card album", lang), value=md(track.album, 300) or "—", inline=True)
    if track.release_date or track.year:
        embed.add_field(name=say("card released", lang), value=md(track.release_date or track.year, 40) or "—",
                        inline=True)
    if track.duration_ms:
        secs = track.duration_ms // 1000
        embed.add_field(name=say("card length", lang), value=f"{secs // 60}:{secs % 60:02d}", inline=True)
    embed.add_field(name=say("card popularity", lang), value=f"{track.popularity}/100", inline=True)
    labels = track.genres + [s for s in track.subgenres if s not in track.genres]
    genres = md(", ".join(labels), 500)
    if genres:
        embed.add_field(name=say("card genres", lang), value=genres, inline=False)
    embed.add_field(name=say("card audio features", lang), value=_feature_text(track, lang), inline=False)
    embed.set_footer(text=clip(f"Spotify id {one_line(track.track_id)}", FOOTER_LIMIT))
    return embed


def preview_text(
    track: Track, audio_url: str | None = None, *, source: str | None = None, looked_up: bool = False, lang: str = "en"
) -> str:
    """Message text for /preview: the track, the 30-second preview when one was found, and the open.spotify.com
    link (Discord unfurls it into Spotify's player). With ``looked_up`` and no preview, a friendly "no preview" line.
    Words in ``lang``.
    """
    name = f"**{md(track.title, 300)}** — {md(track.artist, 200)}"
    lines = [name]
    link = track_link(track)
    if audio_url and len(audio_url) <= 1000:
        via = f" ({say('preview via', lang, source=SOURCE_NAMES.get(source or '', md(source, 20)))})" if source else ""
        lines.append(f"▶️ {say('preview link', lang)}{via}: <{audio_url}>")
    elif looked_up:
        lines.append(say("no preview instead" if link else "no preview short", lang))
    if link:
        lines.append(link)
    return clip("\n".join(lines), MESSAGE_LIMIT)


#: Display names of the preview providers (``core.previews.Source``).
SOURCE_NAMES = {"spotify": "Spotify", "deezer": "Deezer", "itunes": "iTunes"}


# ---------------------------------------------------------------------------------------------------- playlists
#: Entries per page of /playlist show.
PLAYLIST_PAGE_SIZE = 10


def member_text(key: str) -> str:
    """Who created / added something: a Discord user as ``<@id>`` (shown as their name; mentions inside embeds
    never ping), anyone else (e.g. ``telegram:42``) as escaped text."""
    platform, _, uid = key.partition(":")
    if platform == "discord" and uid.isdigit() and len(uid) <= 20:
        return f"<@{uid}>"
    return md(key, 60) or "someone"


def entry_line(entry: PlaylistEntry, budget: int, lang: str = "en") -> str:
    """``**n. Title** — Artist (2019, pop) · [Spotify](url)`` + ``↳ added by <@id>``; a track no longer in the
    catalog shows its id. At most ``budget`` characters when ``budget`` ≥ 160. Words in ``lang``."""
    who = "\n↳ " + say("added by", lang, who=member_text(entry.added_by))
    if entry.track is None:
        url = spotify_url(entry.track_id) if _SAFE_ID.fullmatch(entry.track_id) else None
        head = f"**{entry.index}.** {say('dc gone', lang)} {md(entry.track_id, 60)}"
        line = head + (f" · [Spotify]({url})" if url else "")
    else:
        line = track_line(entry.index, entry.track, "", max(budget - len(who), 120))
    return clip(line, max(budget - len(who), 1)) + who


def playlist_embed(page: PlaylistPage, *, cap: int = 500, lang: str = "en") -> discord.Embed:
    """One page of a playlist (up to :data:`PLAYLIST_PAGE_SIZE` entries), within every embed limit; words in
    ``lang``."""
    p = page.playlist
    embed = discord.Embed(title=md(f"🎶 {p.name}", TITLE_LIMIT) or "🎶 Playlist", colour=SPOTIFY_GREEN)
    intro = say("dc created by", lang, who=member_text(p.created_by), tracks=tracks_text(page.total, lang))
    items = page.entries[:PLAYLIST_PAGE_SIZE]
    if not items:
        embed.description = intro + "\n\n" + say("dc empty", lang)
    else:
        budget = (min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - TITLE_LIMIT - 300) - len(intro) - 4 - 2 * len(items))
        budget //= len(items)
        lines = [entry_line(e, budget, lang) for e in items]
        embed.description = clip(intro + "\n\n" + "\n\n".join(lines), DESCRIPTION_LIMIT)
    footer = say("dc footer", lang, page=page.page, pages=page.pages, count=page.total, cap=cap, id=p.playlist_id)
    embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    return embed


def playlists_embed(playlists: Sequence[Playlist], *, cap: int = 100, lang: str = "en") -> discord.Embed:
    """The group's playlists (name, size, creator), as many as fit; ``…and N more`` for the rest; words in ``lang``."""
    embed = discord.Embed(title="🎶 " + say("dc playlists here", lang), colour=SPOTIFY_GREEN)
    if not playlists:
        embed.description = say("dc no playlists", lang)
        return embed
    lines: list[str] = []
    used = 0
    for i, p in enumerate(playlists):
        line = say("dc playlist line", lang, name=f"**{md(p.name, 200)}**", tracks=tracks_text(p.track_count, lang),
                   who=member_text(p.created_by))
        if used + len(line) + 1 > DESCRIPTION_LIMIT - 40:
            lines.append(say("dc and more", lang, n=len(playlists) - i))
            break
        lines.append(line)
        used += len(line) + 1
    embed.description = clip("\n".join(lines), DESCRIPTION_LIMIT)
    embed.set_footer(text=say("dc playlists footer", lang, n=len(playlists), cap=cap))
    return embed


def export_filename(name: str) -> str:
    """A safe attachment name for a playlist export: ``road-trip.txt``."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", unicodedata.normalize("NFKD", name)).strip("-").lower()[:60]
    return f"{stem or 'playlist'}.txt"


def export_reply(name: str, links: Sequence[str], kind: str = "links", lang: str = "en") -> tuple[str, str | None]:
    """``(content, file_text)`` for /playlist export: every link in the message when it fits in 2,000 characters,
    else a short message and the links as a text file (``file_text``, one per line). ``kind``: "links" or "URIs";
    words in ``lang``."""
    head = f"**{md(name, 300)}** — {tracks_text(len(links), lang)}"
    if not links:
        return clip(say("dc export none", lang, head=head), MESSAGE_LIMIT), None
    body = "\n".join(links)
    what = "uris" if kind.lower() == "uris" else "links"
    inline = say(f"dc export {what}", lang, head=head) + f"\n{body}"
    if len(inline) <= MESSAGE_LIMIT:
        return inline, None
    note = say(f"dc export file {what}", lang, head=head)
    return clip(note, MESSAGE_LIMIT), body + "\n"


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


def chat_message(reply: ChatReply, previews: Mapping[str, str | None] | None = None) -> Rendered:
    """Render an engine :class:`~core.models.ChatReply` (agent or command answer) for Discord (``previews``: track
    id -> 30-second audio URL, shown in list entries when given)."""
    note = say("fallback", reply.lang) if reply.fallback_used else ""
    rec = reply.recommendation
    if rec is not None and rec.tracks:
        text = reply.text.strip()
        plain = text == rec.summary or text_is_gap_and_summary(text, rec)
        content = clip(text, MESSAGE_LIMIT) if text and not plain else None
        return Rendered(content=content, embeds=[recommendation_embed(rec, note=note, previews=previews,
                                                                       coverage=content is None)])
    if reply.track is not None:
        t, said = reply.track, (reply.text or "").strip()
        # keep what the engine said ("Updated: …", "Liked …") unless it is just the track's name
        content = clip(said, MESSAGE_LIMIT) if said and said != f"{t.title} - {t.artist}" else None
        return Rendered(content=content, embeds=[track_embed(t, note=note, lang=reply.lang)])
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

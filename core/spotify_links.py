"""The one parser for Spotify references as people paste them: links, URIs, bare ids, short links.

Every path that takes a track reference (slash commands, free text, buttons, playlists, likes/dislikes, catalog
import) goes through this module, so a form understood in one place is understood everywhere.

* :func:`parse_link` classifies ONE pasted token (a link, a ``spotify:`` URI or a bare 22-character id) into a
  :class:`SpotifyLink`: ``track`` (with its id), another Spotify type (``album``, ``playlist``, ``artist``,
  ``episode``, ``show``, ``user``), ``short`` (``spotify.link`` / ``spotify.app.link`` / ``link.tospotify.com``:
  the code is not an id, only the HTTP redirect reveals the track), ``invalid_id`` (a track link or id-shaped token
  whose id is not 22 base-62 characters) or ``ignored`` (look-alike hosts such as ``open.spotify.com.evil.io``,
  ``spotify.com@evil``, punycode ``xn--`` hosts, non-track ``spotify.com`` pages such as account, redeem or
  family-plan invites, and any other web link). An ``ignored`` link is never echoed back to anyone.
* :func:`find_links` finds every link-shaped token in free text (with its span) and :func:`strip_links` removes
  them, so words inside URLs never reach keyword rules ("token" in a URL is not a question about secrets, "album"
  in a URL is not a genre).
* :func:`parse_track_id` is the cell parser for catalog import: id, URI or link -> the 22-character id, or None.
* :class:`ShortLinkResolver` follows a short link's redirects with httpx (total timeout ≤ 3 s, at most
  :data:`MAX_HOPS` hops, every hop checked: https and a short-link host or ``*.spotify.com`` only).

Forms handled (source: links copied from the Spotify apps and web player, 2024–2026; PLATFORM-NOTES.md): any
letter case in scheme and host, ``http``/``https`` or no scheme, ``/intl-xx/`` (also ``intl-pt-br``) segments,
``/embed/track/``, query strings (``si``, ``utm_*``, ``context``, ``nd``), fragments, trailing slashes,
``spotify:track:ID`` URIs with suffixes (``:play``, ``?context=…``), and the wrappers chat apps add (angle brackets,
quotes, parentheses, Slack's ``<url|label>``, trailing punctuation).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:  # imported where a short link is followed: parsing links must not pay for the HTTP client
    import httpx

#: A Spotify id (track, album, artist, playlist…): exactly 22 base-62 characters.
SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
#: Spotify object types a link or URI may name (``user`` links carry a user name, not a 22-character id).
OTHER_TYPES = ("album", "playlist", "artist", "episode", "show", "user", "audiobook", "chapter", "collection")
#: Hosts of Spotify's share short links: the code in the path is not a track id.
SHORT_HOSTS = frozenset({"spotify.link", "spotify.app.link", "link.tospotify.com"})
#: Hosts that serve track pages.
TRACK_HOSTS = frozenset({"open.spotify.com", "play.spotify.com"})
#: Most redirects followed for one short link.
MAX_HOPS = 5
#: Default total time budget for following one short link (seconds; the brief caps it at 3 s).
SHORT_LINK_TIMEOUT_S = 3.0

LinkKind = Literal[
    "track", "album", "playlist", "artist", "episode", "show", "user", "audiobook", "chapter", "collection",
    "short", "invalid_id", "ignored",
]

_INTL = re.compile(r"intl-[a-z]{2}(?:[-_][a-z]{2,4})?", re.IGNORECASE)
_NETLOC = re.compile(r"[A-Za-z0-9.-]+(?::\d{1,5})?")
_URI = re.compile(r"spotify:([A-Za-z]+)(?::([^\s:?#/]*))?((?::[^\s:?#/]*)*)", re.IGNORECASE)
#: A candidate link in free text: an explicit scheme, a ``spotify:`` URI, or ``host.tld/path`` without scheme.
#: Starts only where no host/scheme character precedes (linear time on "a.a.a.…" floods), labels bounded.
_CANDIDATE = re.compile(
    r"(?<![\w.+-])(?:[a-z][a-z0-9+.-]{1,15}://|spotify:[a-z]|www\.|(?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24}(?::\d{1,5})?/)"
    r"[^\s<>\"'`]*",
    re.IGNORECASE,
)
#: A bare id-shaped token: letters and digits mixing upper case, lower case and a digit (titles rarely do).
_ID_SHAPED = re.compile(r"(?=[0-9A-Za-z]*[0-9])(?=[0-9A-Za-z]*[a-z])(?=[0-9A-Za-z]*[A-Z])[0-9A-Za-z]{16,40}")
_BARE_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z/:=_-])[0-9A-Za-z]{16,40}(?![0-9A-Za-z/_-])")
_MARKDOWN = re.compile(r"\[[^\]]*\]\((\S+)\)")
_LEAD = "<([{\"'“‘«`*_~\u200b\u200c\u200d\u2060\ufeff"
_TRAIL = ">)]}\"'”’»`*_~.,;:!?…\u200b\u200c\u200d\u2060\ufeff"  # also zero-width characters pasted after a link


@dataclass(frozen=True, slots=True)
class SpotifyLink:
    """One Spotify reference found in text.

    Attributes:
        kind: see :data:`LinkKind`.
        id: the 22-character id for ``track`` and the other typed kinds (``""`` when the link carried none);
            the user name for ``user``; ``""`` for ``short``, ``invalid_id`` and ``ignored``.
        url: for ``short`` only, the normalized https URL to follow (never shown to users).
        start / end: the character span of the token in the text it was found in (``-1`` when parsed alone).
    """

    kind: LinkKind
    id: str = ""
    url: str = ""
    start: int = -1
    end: int = -1

    @property
    def is_track(self) -> bool:
        """True for a track link/URI/id with a valid 22-character id."""
        return self.kind == "track"

    def message(self) -> str:
        """What to tell a user who sent this where a track was expected (never echoes an ignored link)."""
        return link_message(self.kind)


def link_message(kind: str, lang: str = "en") -> str:
    """The friendly reply for a reference that is not a usable track link, by :data:`LinkKind`, in ``lang``
    (:func:`core.reply_words.link_text`)."""
    from core.reply_words import link_text

    return link_text(kind, lang)


def _unwrap(token: str) -> str:
    """Strip what chat apps wrap around a pasted link: brackets, quotes, Slack ``|label``, trailing punctuation."""
    token = token.strip()
    md = _MARKDOWN.fullmatch(token)
    if md:  # Markdown ``[label](url)``
        token = md.group(1)
    if "|" in token and ("://" in token.split("|", 1)[0] or token.startswith("<")):  # Slack ``<url|label>``
        token = token.split("|", 1)[0]
    prev = None
    while prev != token:
        prev = token
        token = token.lstrip(_LEAD).rstrip(_TRAIL).strip()
    return token


def _host_ok(host: str) -> bool:
    """A plain ASCII host name with no punycode label (``xn--`` look-alikes are refused)."""
    return bool(host) and host.isascii() and not any(label.startswith("xn--") for label in host.split("."))


def _split_url(url: str) -> tuple[str, str, str] | None:
    """``(scheme, host, path)`` of an http(s) URL with a plain host and no user info, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not _NETLOC.fullmatch(parts.netloc or ""):
        return None  # user info (``spotify.com@evil``), backslashes, odd characters: a look-alike
    host = (parts.hostname or "").rstrip(".").lower()
    if not _host_ok(host) or port not in (None, 80, 443):
        return None
    return scheme, host, parts.path


def _from_path(path: str) -> SpotifyLink:
    segments = [s for s in path.split("/") if s]
    if segments and _INTL.fullmatch(segments[0]):
        segments = segments[1:]
    if segments and segments[0].lower() in ("embed", "embed-podcast"):
        segments = segments[1:]
    if not segments:
        return SpotifyLink("ignored")
    kind = segments[0].lower()
    ident = segments[1] if len(segments) > 1 else ""
    if kind == "user" and len(segments) >= 4 and segments[2].lower() == "playlist":
        kind, ident = "playlist", segments[3]
    if kind == "track":
        return SpotifyLink("track", ident) if SPOTIFY_ID.fullmatch(ident) else SpotifyLink("invalid_id")
    if kind in OTHER_TYPES:
        if kind == "user":
            return SpotifyLink("user")
        return SpotifyLink(kind, ident if SPOTIFY_ID.fullmatch(ident) else "")  # type: ignore[arg-type]
    return SpotifyLink("ignored")  # account, redeem, family invites, download pages…


def _from_uri(token: str) -> SpotifyLink | None:
    m = _URI.match(token.split("?", 1)[0].split("#", 1)[0])
    if not m:
        return None
    kind, ident, rest = m.group(1).lower(), m.group(2) or "", m.group(3) or ""
    if kind == "user":
        more = [s for s in rest.split(":") if s]
        if len(more) >= 2 and more[0].lower() == "playlist":
            kind, ident = "playlist", more[1]
        else:
            return SpotifyLink("user")
    if kind == "track":
        return SpotifyLink("track", ident) if SPOTIFY_ID.fullmatch(ident) else SpotifyLink("invalid_id")
    if kind in OTHER_TYPES:
        return SpotifyLink(kind, ident if SPOTIFY_ID.fullmatch(ident) else "")  # type: ignore[arg-type]
    return SpotifyLink("ignored")


def parse_link(token: str) -> SpotifyLink | None:
    """Classify one pasted token (see the module docstring); None when it is not link- or id-shaped at all
    (then it is a title or free text).

    ``token`` may carry the wrappers chat apps add (``<…>``, quotes, trailing punctuation). A bare token of exactly
    22 base-62 characters is a track id; an id-shaped token of another length (16–40 letters and digits mixing
    upper case, lower case and digits) is ``invalid_id`` — never a title search.
    """
    token = _unwrap(str(token or ""))
    if not token or any(c.isspace() for c in token):
        return None
    if SPOTIFY_ID.fullmatch(token):
        return SpotifyLink("track", token)
    if _ID_SHAPED.fullmatch(token):
        return SpotifyLink("invalid_id")
    low = token.lower()
    if low.startswith("spotify:"):
        return _from_uri(token) or SpotifyLink("ignored")
    if "://" not in token:
        if not re.match(r"(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?/", low) and not low.startswith("www."):
            return None
        token = "https://" + token
    elif not re.match(r"https?://", low):
        return SpotifyLink("ignored")  # ftp:, javascript:, intent: …
    parts = _split_url(token)
    if parts is None:
        return SpotifyLink("ignored")
    _, host, path = parts
    if host in SHORT_HOSTS:
        code = path.strip("/")
        if not code or not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", code):
            return SpotifyLink("ignored")
        return SpotifyLink("short", url=f"https://{host}/{code}")
    if host in TRACK_HOSTS:
        return _from_path(path)
    return SpotifyLink("ignored")  # www.spotify.com/account…, look-alikes, any other site


def find_links(text: str) -> list[SpotifyLink]:
    """Every link-shaped token in ``text`` (URLs of any site, ``spotify:`` URIs, bare id-shaped tokens), in order,
    with ``start``/``end`` spans in ``text``. Non-Spotify and look-alike links come back as ``ignored``."""
    text = str(text or "")
    out: list[SpotifyLink] = []
    taken: list[tuple[int, int]] = []
    for m in _CANDIDATE.finditer(text):
        raw = m.group(0)
        start = m.start()
        # Slack ``<url|label>`` and Markdown ``[label](url)``: the link ends at ``|`` / ``)``
        cut = min((i for i in (raw.find("|"), raw.find(")")) if i > 0), default=len(raw))
        inner = _unwrap(raw[:cut])
        link = parse_link(inner)
        if link is None:
            continue
        off = raw.find(inner)
        span = (start + max(off, 0), start + max(off, 0) + len(inner))
        out.append(replace(link, start=span[0], end=span[1]))
        taken.append((m.start(), m.end()))
    for m in _BARE_ID_IN_TEXT.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if not _ID_SHAPED.fullmatch(m.group(0)):  # in running text only tokens mixing a-z, A-Z and 0-9
            continue
        link = parse_link(m.group(0))
        if link is not None and link.kind in ("track", "invalid_id"):
            out.append(replace(link, start=m.start(), end=m.end()))
    return sorted(out, key=lambda link: link.start)


def strip_links(text: str, links: list[SpotifyLink] | None = None) -> str:
    """``text`` with every link-shaped token (see :func:`find_links`) and its wrappers removed, whitespace joined."""
    text = str(text or "")
    links = find_links(text) if links is None else links
    for link in sorted(links, key=lambda lk: lk.start, reverse=True):
        a, b = link.start, link.end
        while a > 0 and text[a - 1] in _LEAD:
            a -= 1
        while b < len(text) and text[b] in _TRAIL + "|":
            b += 1
        text = text[:a] + " " + text[b:]
    return " ".join(text.split())


def looks_like_id(token: str) -> bool:
    """True for a token of 16–40 letters and digits mixing lower case, upper case and digits (an id, not a word)."""
    return bool(_ID_SHAPED.fullmatch(token))


def parse_track_id(cell: object) -> str | None:
    """A catalog cell -> its 22-character Spotify track id, or None.

    Accepts a bare id, a ``spotify:track:`` URI or an open.spotify.com track link in any pasted form; anything
    else (empty, ``NA``, other link types, short links, wrong-length ids) is None.
    """
    if cell is None:
        return None
    link = parse_link(str(cell))
    return link.id if link is not None and link.is_track else None


def is_followable(url: str) -> bool:
    """May a short-link redirect hop go to ``url``? Only https, a plain host (no user info, no punycode, default
    port) that is a short-link host or ``spotify.com`` / ``*.spotify.com``."""
    parts = _split_url(url)
    if parts is None or parts[0] != "https":
        return False
    host = parts[1]
    return host in SHORT_HOSTS or host == "spotify.com" or host.endswith(".spotify.com")


_TRACK_IN_PAGE = re.compile(r"https://open\.spotify\.com/(?:intl-[a-z-]+/)?track/([0-9A-Za-z]{22})")


class ShortLinkResolver:
    """Follows Spotify short links (``spotify.link/…``) to the track they point at, safely.

    Every hop is checked with :func:`is_followable` before it is requested; at most ``max_hops`` requests; the
    whole lookup is bounded by ``timeout_s`` (≤ 3 s). A redirect to an open.spotify.com track link ends the lookup
    without requesting it; a final 200 page from an allowed host may name the track (first 64 KB are read).
    Results (found or not) are cached in memory (LRU, ``cache_size`` links).

    ``transport`` is httpx's transport (tests pass one that sends the allowed hosts to a loopback server; the host
    rule itself is not configurable). ``timeout_s <= 0`` disables following (every short link is "can't follow").
    """

    def __init__(
        self,
        timeout_s: float = SHORT_LINK_TIMEOUT_S,
        max_hops: int = MAX_HOPS,
        transport: httpx.AsyncBaseTransport | None = None,
        cache_size: int = 1024,
    ) -> None:
        self.timeout_s = min(float(timeout_s), SHORT_LINK_TIMEOUT_S)
        self.max_hops = max(1, int(max_hops))
        self.transport = transport
        self.cache_size = cache_size
        self._cache: OrderedDict[str, str | None] = OrderedDict()

    @classmethod
    def from_env(cls) -> ShortLinkResolver:
        """``SHORT_LINK_TIMEOUT_S`` (default 3, capped at 3; 0 = never follow short links)."""
        try:
            timeout = float(os.environ.get("SHORT_LINK_TIMEOUT_S", SHORT_LINK_TIMEOUT_S))
        except ValueError:
            timeout = SHORT_LINK_TIMEOUT_S
        return cls(timeout_s=timeout)

    def cached(self, url: str) -> str | None:
        """The track id already found for a short link ``url`` (None when unknown or not found)."""
        return self._cache.get(url)

    async def resolve(self, link: SpotifyLink) -> str | None:
        """The track id behind a ``short`` link, or None (not followable, timeout, network error, not a track)."""
        if link.kind != "short" or not link.url:
            return None
        if link.url in self._cache:
            self._cache.move_to_end(link.url)
            return self._cache[link.url]
        if self.timeout_s <= 0:
            return None
        import httpx

        try:
            async with asyncio.timeout(self.timeout_s):
                found = await self._follow(link.url)
        except (TimeoutError, httpx.HTTPError, ValueError, UnicodeError):
            return None  # transient: not cached
        self._cache[link.url] = found
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return found

    async def _follow(self, url: str) -> str | None:
        import httpx

        timeout = httpx.Timeout(self.timeout_s)
        async with httpx.AsyncClient(transport=self.transport, timeout=timeout, follow_redirects=False) as client:
            for _ in range(self.max_hops):
                if not is_followable(url):
                    return None
                async with client.stream("GET", url, headers={"User-Agent": "musicbot-link-check"}) as resp:
                    if resp.is_redirect:
                        nxt = urljoin(url, resp.headers.get("location", ""))
                        found = parse_link(nxt)
                        if found is not None and found.is_track and is_followable(nxt):
                            return found.id
                        url = nxt
                        continue
                    if resp.status_code != 200:
                        return None
                    body = b""
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) >= 65536:
                            break
                    m = _TRACK_IN_PAGE.search(body[:65536].decode("utf-8", "replace"))
                    return m.group(1) if m else None
        return None


async def expand_short_links(text: str, resolver: ShortLinkResolver, limit: int = 3) -> str:
    """``text`` with each followable short link (up to ``limit``, concurrently) replaced by the track link it
    redirects to (``https://open.spotify.com/track/ID``); short links that can't be followed stay as they are."""
    shorts = [lk for lk in find_links(text) if lk.kind == "short"][:limit]
    if not shorts:
        return text
    ids = await asyncio.gather(*(resolver.resolve(lk) for lk in shorts))
    for link, tid in sorted(zip(shorts, ids), key=lambda p: p[0].start, reverse=True):
        if tid:
            text = text[: link.start] + f"https://open.spotify.com/track/{tid}" + text[link.end :]
    return text

"""Pasted Spotify links in free text, handled before any text understanding.

:func:`link_references` finds the links in a chat message (:mod:`core.spotify_links`), resolves the track links
against the catalog and rewrites the message for the agent: a track link becomes its canonical
``spotify:track:ID`` (no query words; every tool and intent understands it), every other link is removed (its words — "token" in a query string,
"album" in a path — never reach keyword rules, and an ignored link is never echoed). A message that is only links
(plus words such as "songs like this") means "songs like these": :class:`core.chat.ChatService` answers it directly
with similar tracks, and the reply says first which links were not used and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.models import ChatReply
from core.reply_words import say
from core.spotify_links import find_links, link_message, strip_links

if TYPE_CHECKING:
    from core.app.ports import TrackLookup

#: Words that may surround pasted links in a message that still means "songs like this".
LINK_FILLER = frozenset(
    """songs song tracks track music something stuff more like similar to this these that those it them here is are
    check out listen give find recommend play some any please pls plz hey hi what about the a an and or also vibe
    vibes sound sounds same kind of with one ones just""".split()
)
# not "i", "love", "add"…: "I like <link>" is a like and "add <link> to X" a playlist change (the agent's)
_WORD = re.compile(r"[^\W_]+")


@dataclass
class LinkRefs:
    """The links of one message, resolved.

    Attributes:
        text: the message with track links replaced by ``spotify:track:ID`` and every other link removed.
        positions: table positions of the catalog tracks the links name (in order, no repeats).
        used: ``Title - Artist`` labels of those tracks.
        missing: how many valid track links are not in the catalog.
        others: kinds (:data:`core.spotify_links.LinkKind`) of the links that are not usable track links.
        only_links: True when the message holds links and nothing but :data:`LINK_FILLER` words.
    """

    text: str
    positions: list[int] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    missing: int = 0
    others: list[str] = field(default_factory=list)
    only_links: bool = False

    def notes(self, lang: str = "en", used: bool = True) -> list[str]:
        """First-line notes: which links were used (when several; ``used`` False leaves that out) and which were not,
        and why (in ``lang``)."""
        out: list[str] = []
        if used and (len(self.positions) > 1 or (self.positions and (self.missing or self.others))):
            out.append(say("using links", lang, used="; ".join(self.used[:5]) + ("…" if len(self.used) > 5 else "")))
        if self.missing:
            out.append(say("link missing", lang) if self.missing == 1 else say("links missing", lang, n=self.missing))
        for kind in dict.fromkeys(self.others):
            out.append(link_message(kind, lang))
        return out


def link_references(lookup: TrackLookup, text: str) -> LinkRefs:
    """Find and resolve the links in ``text`` (short links must have been followed already, see
    :meth:`core.app.tracks.TrackFinder.follow_short_links`). Never raises."""
    links = find_links(text)
    if not links:
        return LinkRefs(text=text)
    table = lookup.table
    out = LinkRefs(text=text)
    pieces: list[str] = []
    last = 0
    for link in links:
        tid = link.id if link.kind == "track" else lookup.refs.short_links.get(link.url) if link.kind == "short" else ""
        replacement = " "
        if tid and tid in table.pos:
            pos = table.pos[tid]
            if pos not in out.positions:
                out.positions.append(pos)
                out.used.append(lookup.label(pos))
            replacement = f" spotify:track:{tid} "  # canonical: no query words, understood by every tool
        elif tid:
            out.missing += 1
            replacement = f" spotify:track:{tid} "
        else:
            out.others.append(link.kind)
        pieces.append(text[last : link.start])
        pieces.append(replacement)
        last = link.end
    pieces.append(text[last:])
    out.text = " ".join("".join(pieces).split()) or text
    residual = strip_links(text, links)
    out.only_links = all(w.lower() in LINK_FILLER for w in _WORD.findall(residual))
    if not out.only_links and not out.positions:
        out.text = residual  # nothing usable: the agent sees the words only
    return out


def links_reply_text(links: LinkRefs, lang: str = "en") -> str:
    """The reply for a message of links none of which is a catalog track (never echoes a link), in ``lang``."""
    notes = links.notes(lang)
    if links.missing and not links.others:
        return say("link track missing", lang)
    return " ".join(notes) or link_message("ignored", lang)


def with_notes(reply: ChatReply, notes: list[str]) -> ChatReply:
    """``reply`` with ``notes`` as its first line(s) (text, and the recommendation's summary and ``notes``)."""
    notes = [n for n in notes if n]
    if not notes:
        return reply
    head = "\n".join(notes)
    rec = reply.recommendation
    update: dict[str, object] = {"text": f"{head}\n{reply.text}" if reply.text else head}
    if rec is not None:
        summary = f"{head}\n{rec.summary}" if rec.summary else head
        update["recommendation"] = rec.model_copy(update={"summary": summary, "notes": [*notes, *rec.notes]})
        if reply.text == rec.summary:
            update["text"] = summary
    return reply.model_copy(update=update)

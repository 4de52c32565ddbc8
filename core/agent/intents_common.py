"""What the local model's intent families share: the :class:`Intent` result, ``#N`` / ordinal list references
("#3", "the second one", "the last one") and song references that may name several songs.

No LLM, no Pydantic AI import.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.conversation import ConversationState
from core.followup_words import ORDINAL_RX, ordinal_value

if TYPE_CHECKING:
    from core.app.ports import TrackLookup

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "last": -1,
}
#: A list reference — "#3", "number 3", "no. 3", "3rd", "third", "last", and in es/pt/fr/de "número 3", "nº 3",
#: "nummer 3", "3º", "2ª", "1er", "2e", "segunda", "troisième", "letzte" (those on :func:`core.followup_words.fold`
#: text: accents stripped) — as one regex group per form.
NUM = (r"(?:#\s*(\d{1,2})|\bnumber\s+(\d{1,2})|\bno\.\s*(\d{1,2})|\b(\d{1,2})(?:st|nd|rd|th)\b|\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\b"
       r"|\b(?:numero|nummer|nr\.?|n[o°]\.?)\s*(\d{1,2})\b|\b(\d{1,2})(?:o|a|e|eme|te)\b|\b(1)(?:er|re)\b|" + ORDINAL_RX + ")")
#: Optional lead-in before a command verb ("ok, now please delete …").
PREAMBLE = r"^(?:[^,.;:!?]{0,80}[,.;:!?]\s*)?(?:(?:please|now|and|then|so)\s+)*"


@dataclass
class Intent:
    """What the local model should do with one message.

    Attributes:
        tool: the tool to call (``None`` = answer directly with ``reply``).
        args: the tool's arguments.
        reply: a direct answer (help, greeting, refusal).
        fallback_request: when the tool fails (e.g. an unknown song for "songs like X"), call ``recommend`` with
            this text instead.
    """

    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    reply: str = ""
    fallback_request: str = ""


def page_number(m: re.Match[str], state: ConversationState) -> int | None:
    """The list position a :data:`NUM` match names (ordinals count from the first item of the page shown), or None."""
    groups = [g for g in m.groups() if g]
    if not groups:
        return None
    g = groups[-1].lower()
    n = ORDINALS.get(g) if g in ORDINALS else int(g) if g.isdigit() else ordinal_value(g)  # "segunda", "letzte"
    if n == -1:
        n = (state.page_first + len(state.last_page) - 1) if state.last_page else None
    elif n is not None and not g.isdigit() and state.page_first > 1:
        n += state.page_first - 1  # "the second one" on a playlist's page 2 is #12
    return n


def similar_refs(lookup: TrackLookup, target: str) -> list[str]:
    """``target`` as one reference if it is an exact title (or link), else split on ``;``/``|``/``and``/``&`` when
    every part resolves, else ``[target]`` whole (then resolved fuzzily, with a note saying which track was used)."""
    from core.errors import MusicBotError

    from core.spotify_links import find_links

    found = find_links(target)
    try:
        if not found and lookup.resolve_ref(target, fuzzy=False).exact:
            return [target]
    except MusicBotError:
        pass
    if found:  # "like <link> and <link>", "like <link> and Blinding Lights": links, then titles that resolve
        from core.spotify_links import strip_links

        refs = [target[lk.start : lk.end] for lk in found]
        for part in re.split(r"\s*(?:;|\band\b|&|\||,)\s*", strip_links(target, found)):
            part = part.strip(" \"'")
            try:
                if part and lookup.resolve_ref(part).exact:
                    refs.append(part)
            except MusicBotError:
                pass
        return refs[:5]
    if target.count('"') >= 2:
        try:
            parts = shlex.split(target)
        except ValueError:
            parts = []
    else:
        parts = [r.strip(" \"'") for r in re.split(r"\s*(?:;|\band\b|&|\|)\s*", target) if r.strip(" \"'")]
    if len(parts) > 1:
        try:
            for part in parts[:5]:
                lookup.resolve(part)
            return parts[:5]
        except MusicBotError:
            pass
    return [target]

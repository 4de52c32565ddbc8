"""Chart requests in free text: "chart", "chart of #2", "show me a picture of the second one", "draw the list",
"a graph of Blinding Lights" — read as the ``/chart`` slash command, so every adapter answers them with the same
picture (:func:`core.chart_replies.chart_command`) whether an LLM or the built-in model would have taken the turn.

Only unmistakable wordings count. A music request that merely mentions charts ("chart hits from the 80s", "top of
the charts", "songs that topped the charts") is not a chart request: the word must be the whole message, the object
of a picture verb ("show me a chart"), or followed by what to picture (``#N``, an ordinal, "it", "the list", or a
song title that names a catalog track exactly).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from core.agent.intents_common import NUM, page_number
from core.conversation import ConversationState

if TYPE_CHECKING:
    from core.app.ports import TrackLookup

#: Words for a picture of audio features (singular only: "charts" is the hit parade).
_NOUN = r"(?:(?:audio[- ]features?\s+|features?\s+|sound\s+)?(?:chart|picture|pic|graph|plot|image|radar|visuali[sz]ation|diagram))"
_VERB = r"(?:chart|draw|plot|graph|visuali[sz]e|picture)"
_LEAD = (
    r"(?:(?:please|pls|ok|okay|now|and|so|then)[,\s]+)*"
    r"(?:(?:can|could|would|will)\s+(?:you|i|we)\s+(?:please\s+)?)?"
    r"(?:(?:show|give|send|make|get|draw|display|see)\s+(?:(?:me|us)\s+)?)?"
)
_ART = r"(?:(?:a|an|the|some)\s+)?"
_POLITE = r"[\s,]*(?:please|pls|thanks|thank you)?[\s.!?]*$"
#: "the list", "these", "them", "it" ...: the list on screen (as a bare ``/chart``).
_LIST = r"(?:it|this|that|these|those|them|(?:the|this|that|my|your)\s+(?:list|results?|songs|tracks|page|recommendations|picks))"
#: "#2", "the second one", "number 3", "the last song".
_ITEM = rf"(?:the\s+)?{NUM}(?:\s+(?:one|song|track))?"

_BARE = re.compile(rf"^{_LEAD}{_ART}{_NOUN}(?:\s+(?:of|for)\s+{_LIST})?{_POLITE}", re.IGNORECASE)
_VERB_LIST = re.compile(rf"^{_LEAD}{_VERB}\s+{_LIST}{_POLITE}", re.IGNORECASE)
_OF_ITEM = re.compile(rf"^{_LEAD}(?:{_ART}{_NOUN}\s+(?:of|for)|{_VERB})\s+{_ITEM}{_POLITE}", re.IGNORECASE)
#: Before a song title only "chart" / "graph" / "visualize" are verbs ("plot twist", "draw me in" are songs or requests).
_OF_SONG = re.compile(
    rf"^{_LEAD}(?:{_ART}{_NOUN}\s+(?:of|for)|chart|graph|visuali[sz]e)\s+(?P<song>.+?){_POLITE}", re.IGNORECASE
)


def chart_request(lookup: TrackLookup, text: str, state: ConversationState) -> str | None:
    """What a free-text message asks to chart, as the argument of ``/chart``: ``""`` for the list on screen,
    ``"#N"`` for item N of it (ordinals count from the page's first item, as elsewhere), or a song reference that
    resolves to a catalog track exactly (title, "title - artist", link). None when ``text`` is not a chart request
    (then it goes to the agent as before).

    Args:
        lookup: resolves a song title (exact matches only: "chart of the 80s" is a music request, not a song).
        text: the message (any length; only short messages can match).
        state: the conversation, for ordinal references ("the last one").
    """
    msg = " ".join(str(text).split()).strip()
    if not msg or len(msg) > 200:
        return None
    if _BARE.match(msg) or _VERB_LIST.match(msg):
        return ""
    m = _OF_ITEM.match(msg)
    if m:
        n = page_number(m, state)
        return f"#{n}" if n is not None else None
    m = _OF_SONG.match(msg)
    if m:
        song = m.group("song").strip(" \"'“”‘’")
        from core.errors import MusicBotError

        try:
            if song and lookup.resolve_ref(song, fuzzy=False).exact:
                return song
        except MusicBotError:
            return None
    return None

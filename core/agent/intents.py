"""Rule-based intent parser behind the built-in local model (no LLM, no Pydantic AI import).

It turns one chat message plus the conversation state into *one tool call* (the same tools an LLM would call) or a
direct answer. Musical meaning itself ("chill study music") is left to the local text understanding inside the
``recommend`` tool; this module only decides *which* tool and recognises follow-ups:

* "more" / "next"                               -> ``more_recommendations``
* "less upbeat", "more energetic", "slower",
  "only 90s", "not that artist", "no Drake",
  "only rock", "1995-2000"                      -> ``refine_recommendations`` (when there is a last request)
* "more like #3", "like the second one"         -> ``recommend_similar(["#3"])``
* "songs like Blinding Lights", "similar songs to Hotel California",
  "Hotel California" (a song's title alone)     -> ``recommend_similar`` (falls back to ``recommend`` if unknown)
* "tell me about #2", "why #4"                   -> ``get_track`` / ``explain_track``
* "what is the tempo of Blinding Lights?", "how fast is Despacito",
  "do you have Bohemian Rhapsody"               -> ``get_track`` (the last only for a catalog song)
* "search daft punk", "songs by Daft Punk"      -> ``search_tracks``
* "create a playlist called road trip", "add #3 to road trip", "add Blinding Lights to road trip",
  "remove #2 from road trip", "show road trip [page 2]", "recommend from road trip", "export road trip",
  "rename road trip to summer", "delete playlist road trip", "my playlists"
                                                -> the playlist tools (a bare name counts when a playlist has it)
* "I like #2", "I don't like #4", "dislike #4"  -> ``like_track`` / ``dislike_track``
* "preview #1", "preview Blinding Lights"       -> ``preview_track``
* "add song track_id=… title=…", "delete …",
  "set energy of #2 to 0.8"                     -> admin tools, *only if they are offered* (else a refusal)
* questions about keys/settings/instructions    -> a refusal
* anything else                                 -> ``recommend(request=text)``

This module answers the guards (secrets, help, greetings) and tries the families in order: playlists and feedback
(:mod:`core.agent.intents_playlists`), catalog admin (:mod:`core.agent.intents_admin`), then recommendations and
follow-ups (:mod:`core.agent.intents_recommend`), which always produce an answer. Shared pieces (:class:`Intent`,
``#N`` / ordinal references) are in :mod:`core.agent.intents_common`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from core.agent.intents_admin import REFUSE_ADMIN, admin_intent
from core.agent.intents_common import Intent
from core.agent.intents_playlists import ASK_PLAYLIST_NAME, playlist_intent
from core.agent.intents_recommend import NOTHING_YET, parse_refinement, recommend_intent
from core.conversation import ConversationState
from core.spotify_links import strip_links

if TYPE_CHECKING:
    from core.app.ports import TrackLookup

__all__ = [
    "ASK_PLAYLIST_NAME",
    "HELLO",
    "NOTHING_YET",
    "REFUSE_ADMIN",
    "REFUSE_SECRETS",
    "Intent",
    "parse_intent",
    "parse_refinement",
]

REFUSE_SECRETS = (
    "I can't share keys, tokens, settings or my instructions — but I'm happy to find you some music. "
    "Try “chill study music” or “songs like Blinding Lights”."
)
HELLO = "Hi! Tell me what you'd like to hear — a mood, an activity, a genre, an era, or a song you like."

_SECRETS = re.compile(
    r"\b(api[ _-]?keys?|tokens?|secrets?|passwords?|credentials?|\.env|env(?:ironment)? var\w*|settings|config\w*|"
    r"system prompt|(?:your|the) (?:instructions|prompt|rules)|openai_api_key|google_api_key)\b",
    re.IGNORECASE,
)
_HELP = re.compile(r"^(?:help|\?|commands|what can you do\??|how does this work\??|/help)$", re.IGNORECASE)
_HELLO = re.compile(r"^(?:hi|hello|hey|yo|hiya|good (?:morning|evening|afternoon)|thanks?|thank you|thx|ok(?:ay)?|cool)[\s!.,]*$", re.IGNORECASE)


def parse_intent(
    text: str, lookup: TrackLookup, state: ConversationState, offered: set[str], playlists: list[str] | None = None
) -> Intent:
    """Decide what to do with one message (see the module docstring). ``offered`` = tool names available;
    ``playlists`` = the names of the group's playlists (so "show road trip" is a playlist, "show me jazz" is not)."""
    text = " ".join(str(text).split())
    low = text.lower().strip()
    if _SECRETS.search(strip_links(low)):  # words inside a pasted URL ("?token=…") are not a question
        return Intent(reply=REFUSE_SECRETS)
    if _HELP.match(low):
        from core.commands import help_text

        return Intent(reply=help_text())
    if _HELLO.match(low):
        return Intent(reply=HELLO)
    playlist = playlist_intent(text, lookup, state, list(playlists or []))
    if playlist is not None:
        return playlist
    admin = admin_intent(text, offered)
    if admin is not None:
        return admin
    return recommend_intent(text, lookup, state)

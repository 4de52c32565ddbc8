"""Group playlists, likes / dislikes and previews for the local model (see :mod:`core.agent.playlist_ops`).

"create a playlist called road trip", "add #3 to road trip", "add Blinding Lights to road trip", "remove #2 from road
trip", "show road trip [page 2]", "recommend from road trip", "export road trip", "rename road trip to summer",
"delete playlist road trip", "my playlists" -> the playlist tools; a bare name counts when a playlist has it.
"I like #2", "I don't like #4", "dislike #4" -> ``like_track`` / ``dislike_track``; "preview #1" -> ``preview_track``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from core.agent.intents_common import NUM, PREAMBLE, Intent, page_number, similar_refs
from core.catalog import normalize_text
from core.conversation import ConversationState
from core.spotify_links import strip_links

if TYPE_CHECKING:
    from core.app.ports import TrackLookup

_P_OPT = r"(?:\s+(?:the|my|our|this))?"
_NAME_END = r"[\s!.?]*$"
_PL_LIST = re.compile(
    r"^(?:(?:show|list|see|view|display)(?:\s+me)?(?:\s+all)?" + _P_OPT + r"\s+playlists|(?:my|our|the|all)\s+playlists|"
    r"playlists|what playlists\b.*|which playlists\b.*|(?:do we|do i) have (?:any )?playlists.*)" + _NAME_END,
    re.IGNORECASE,
)
_PL_CREATE = re.compile(
    r"^(?:please\s+)?(?:create|make|start|new|set up|open)(?:\s+(?:me|us))?(?:\s+(?:a|an|the))?(?:\s+new)?(?:\s+shared)?"
    r"\s+playlist(?:\s+(?:called|named|titled))?[\s:]+(.+?)" + _NAME_END,
    re.IGNORECASE,
)
_PL_DELETE = re.compile(
    PREAMBLE + r"(?:delete|remove|drop|erase|trash|get rid of)" + _P_OPT
    + r"\s+(?:playlist\s+(.+?)|(.+?)\s+playlist|(.+?))" + _NAME_END,
    re.IGNORECASE,
)
_PL_RENAME = re.compile(
    PREAMBLE + r"rename" + _P_OPT + r"(?:\s+playlist)?\s+(.+?)(?:\s+playlist)?\s+(?:to|as|into)\s+(.+?)" + _NAME_END,
    re.IGNORECASE,
)
_PL_SHOW = re.compile(
    r"^(?:(?:show|open|view|display|see|list)(?:\s+me)?|what(?:'s| is) (?:in|on))" + _P_OPT + r"(\s+playlist)?\s+(.+?)"
    r"(\s+playlist)?(?:[\s,]+(?:page|p\.?)\s*(\d{1,4}))?" + _NAME_END,
    re.IGNORECASE,
)
_PL_RECOMMEND = re.compile(
    r"^(?:please\s+)?(?:recommend|suggest|find|give me|get|show me)(?:\s+me)?(?:\s+(?:some|more|a few|new))?"
    r"(?:\s+(?:songs?|tracks?|music|stuff))?\s+(from|for|based on|to add to|that (?:would )?fit|fitting|like)"
    + _P_OPT + r"(\s+playlist)?\s+(.+?)(\s+playlist)?" + _NAME_END,
    re.IGNORECASE,
)
_PL_CREATE_BARE = re.compile(
    r"^(?:please\s+)?(?:create|make|start|set up)(?:\s+(?:me|us))?(?:\s+(?:a|an))?(?:\s+new)?(?:\s+shared)?\s+playlist"
    + _NAME_END,
    re.IGNORECASE,
)
ASK_PLAYLIST_NAME = "What should the playlist be called? e.g. “create a playlist called Road Trip”."
_PL_EXPORT = re.compile(
    r"^(?:please\s+)?(export|share|send(?: me)?|give me|get)" + _P_OPT + r"(\s+(?:spotify\s+)?(?:links?|uris?)\s+(?:for|of|to|from|in))?"
    + _P_OPT + r"(\s+playlist)?\s+(.+?)(\s+playlist)?" + _NAME_END,
    re.IGNORECASE,
)
_PL_CHANGE = re.compile(
    r"^(?:please\s+)?(add|put|save|stick|throw|remove|delete|take|drop)\s+(.+)$",
    re.IGNORECASE,
)
_ADD_LINK = re.compile(r"\s+(?:to|in|into|on|onto)\s+")
_REMOVE_LINK = re.compile(r"\s+(?:from|out of|off)\s+")
_CATALOG_WORDS = frozenset({"catalog", "catalogue", "database", "db", "library", "the catalog", "the catalogue",
                            "the database", "the library", "the db"})
_DISLIKE = re.compile(
    r"^(?:i\s+)?(?:really\s+|just\s+)?(?:(?:don'?t|do not|didn'?t|did not)\s+(?:like|love|enjoy|want)|dislike|hate|"
    r"thumbs down(?:\s+(?:to|for))?|👎)\s+(.+?)" + _NAME_END,
    re.IGNORECASE,
)
_LIKE = re.compile(
    r"^(?:i\s+)?(?:really\s+|also\s+)?(?:like|love|liked|loved|enjoyed|thumbs up(?:\s+(?:to|for))?|👍|heart)\s+(.+?)"
    + _NAME_END,
    re.IGNORECASE,
)
_PREVIEW = re.compile(
    r"^(?:please\s+)?(?:preview|(?:play|give me|get)(?:\s+me)?\s+(?:a\s+|the\s+)?preview(?:\s+(?:of|for))?|"
    r"(?:can i|let me)\s+(?:hear|listen to)|sample(?:\s+of)?)\s+(.+?)" + _NAME_END,
    re.IGNORECASE,
)
_THAT_ONE = re.compile(r"^(?:that|this|it)(?:\s+(?:one|song|track))?$", re.IGNORECASE)
_EXPLICIT_SONG = re.compile(r"^(?:the\s+)?(?:song|track)\s+(.+)$", re.IGNORECASE)
_LINK_OR_ID = re.compile(r"(?:open\.spotify\.com/\S*track/|spotify:track:)[0-9A-Za-z]{22}|^[0-9A-Za-z]{22}$")


#: Words that may stand next to a link in a feedback phrase ("I like this song <link> a lot").
_LINK_WORDS = frozenset("this that the song track one it a lot so much very really too also here".split())


def _clean_name(name: str) -> str:
    return name.strip().strip("\"'“”‘’").strip()


def _known(name: str, playlists: list[str]) -> str | None:
    key = normalize_text(name)
    for p in playlists:
        if normalize_text(p) == key:
            return p
    return None


def _list_ref(obj: str, state: ConversationState, allow_titles: bool = False) -> str | None:
    """A track reference in a feedback/preview/add phrase: ``#N`` / "the second one", "that one" (the focus),
    a link or id, "the song X"; with ``allow_titles`` any other text as a title. None when it is not a track."""
    obj = obj.strip().strip("\"'“”")
    m = re.fullmatch(r"(?:the\s+)?" + NUM + r"(?:\s+(?:one|song|track))?", obj, re.IGNORECASE)
    if m:
        n = page_number(m, state)
        return f"#{n}" if n else None
    if _THAT_ONE.match(obj):
        return state.focus or (state.last_page[0] if len(state.last_page) == 1 else None)
    if _LINK_OR_ID.search(obj):
        # "like <link> only 2010s" / "like <link> but slower" is an anchored request, not a thumbs up
        rest = [w for w in re.findall(r"[^\W_]+", strip_links(obj).lower()) if w not in _LINK_WORDS]
        return None if rest else obj
    m = _EXPLICIT_SONG.match(obj)
    if m:
        return m.group(1).strip()
    return obj if allow_titles and obj else None


def _song_list(lookup: TrackLookup, obj: str, state: ConversationState) -> list[str] | None:
    """Songs named in "add X to …": ``#N`` lists ("#1, #3 and #5"), "that one", links, or titles that resolve."""
    from core.errors import MusicBotError

    obj = obj.strip()
    parts = [p for p in re.split(r"\s*(?:,|;|&|\band\b)\s*", obj) if p.strip()]
    refs = [_list_ref(p, state) for p in parts]
    if refs and all(r is not None and (r.startswith("#") or _LINK_OR_ID.search(r)) for r in refs):
        return [r for r in refs if r]
    one = _list_ref(obj, state)
    if one is not None:
        return [one]
    try:
        lookup.resolve(obj)
        return [obj]
    except MusicBotError:
        pass
    refs = similar_refs(lookup, obj)
    if len(refs) > 1:
        return refs
    return None


#: "add X to NAME" requests longer than this, or with more connectors than this, are not parsed as playlist changes.
MAX_CHANGE_CHARS = 300
MAX_CONNECTORS = 4


def _split_change(lookup: TrackLookup, rest: str, link: re.Pattern[str], state: ConversationState, playlists: list[str],
                  ) -> tuple[list[str], str, bool] | None:
    """``"X to NAME"`` -> ``(songs, name, sure)`` trying every connector position: a known playlist name wins, then
    the word "playlist", then songs that resolve. None when it does not look like a playlist change."""
    best: tuple[int, list[str], str] | None = None
    if len(rest) > MAX_CHANGE_CHARS:
        return None  # "add a to a to a …": each position costs a fuzzy catalog search; never stall the event loop
    for m in list(link.finditer(rest))[:MAX_CONNECTORS]:
        obj, target = rest[: m.start()], rest[m.end():]
        explicit = bool(re.search(r"\bplaylist\b", target, re.IGNORECASE))
        name = re.sub(r"^(?:the|my|our)\s+", "", _clean_name(target), flags=re.IGNORECASE)
        name = _clean_name(re.sub(r"^playlist\s+|\s+playlist$", "", name, flags=re.IGNORECASE))
        if not name or normalize_text(name) in _CATALOG_WORDS or normalize_text(target) in _CATALOG_WORDS:
            continue
        known = _known(name, playlists)
        songs = _song_list(lookup, obj, state)
        if songs is None and not (known or explicit):
            continue
        score = (2 if known else 0) + (1 if explicit else 0) + (1 if songs else 0)
        if best is None or score > best[0]:
            best = (score, songs or [obj.strip()], known or name)
    if best is None:
        return None
    return best[1], best[2], best[0] >= 2


def playlist_intent(text: str, lookup: TrackLookup, state: ConversationState, playlists: list[str]) -> Intent | None:
    """Playlist operations, likes / dislikes and previews (see :mod:`core.agent.playlist_ops`)."""
    if _PL_LIST.match(text):
        return Intent(tool="list_playlists")
    if _PL_CREATE_BARE.match(text):
        return Intent(reply=ASK_PLAYLIST_NAME)
    m = _PL_CREATE.match(text)
    if m and not re.match(r"(?:for|of|with|to|that|which)\b", m.group(1), re.IGNORECASE):  # "a playlist for running"
        return Intent(tool="create_playlist", args={"name": _clean_name(m.group(1))})
    m = _PL_DELETE.match(text)
    if m:
        explicit = bool(m.group(1) or m.group(2))
        name = _clean_name(m.group(1) or m.group(2) or m.group(3))
        name = re.sub(r"^(?:called|named)\s+", "", name, flags=re.IGNORECASE)
        if (
            (explicit or _known(name, playlists))  # "delete X" alone is a catalog command unless X is a playlist here
            and normalize_text(name) not in _CATALOG_WORDS
            and not re.fullmatch(r"(?:songs?|tracks?)", name, re.IGNORECASE)
            and not (m.group(2) and _REMOVE_LINK.search(name))  # "remove #2 from road trip playlist"
        ):
            return Intent(tool="delete_playlist", args={"playlist": _known(name, playlists) or name})
    m = _PL_RENAME.match(text)
    if m:
        old = _clean_name(m.group(1))
        if _known(old, playlists) or re.search(r"\bplaylist\b", text, re.IGNORECASE):
            return Intent(tool="rename_playlist", args={"playlist": _known(old, playlists) or old,
                                                         "new_name": _clean_name(m.group(2))})
    m = _PL_EXPORT.match(text)
    if m:
        verb, links, pword, name, pword2 = m.group(1), m.group(2), m.group(3), _clean_name(m.group(4)), m.group(5)
        known = _known(name, playlists)
        if verb.lower() == "export" or known or ((links or pword or pword2) and name):
            return Intent(tool="export_playlist", args={"playlist": known or name})
    m = _PL_RECOMMEND.match(text)
    if m:
        prep, name = m.group(1).lower(), _clean_name(m.group(3))
        known = _known(name, playlists)
        explicit = bool(m.group(2) or m.group(4))
        if known or explicit or prep in ("from", "to add to"):
            # "songs from the 90s" is not a playlist: an unknown name falls back to a plain recommendation
            return Intent(tool="recommend_from_playlist", args={"playlist": known or name},
                          fallback_request="" if known or explicit else text)
    m = _PL_SHOW.match(text)
    if m:
        name = _clean_name(m.group(2))
        known = _known(name, playlists)
        if known or ((m.group(1) or m.group(3)) and normalize_text(name) not in ("", "a", "some", "me")):
            args: dict[str, Any] = {"playlist": known or name}
            if m.group(4):
                args["page"] = int(m.group(4))
            return Intent(tool="show_playlist", args=args)
    m = _PL_CHANGE.match(text) if not re.search(r"\w\s*=", text) else None  # "add song track_id=…": admin
    if m:
        verb, rest = m.group(1).lower(), m.group(2)
        link = _ADD_LINK if verb in ("add", "put", "save", "stick", "throw") else _REMOVE_LINK
        split = _split_change(lookup, rest, link, state, playlists)
        if split is not None:
            songs, name, _sure = split
            tool = "add_to_playlist" if link is _ADD_LINK else "remove_from_playlist"
            return Intent(tool=tool, args={"playlist": name, "songs": songs})
    m = _DISLIKE.match(text)
    if m:
        ref = _list_ref(m.group(1), state)
        if ref:
            return Intent(tool="dislike_track", args={"ref": ref})
    m = _LIKE.match(text)
    if m:
        ref = _list_ref(m.group(1), state)
        if ref:
            return Intent(tool="like_track", args={"ref": ref})
    m = _PREVIEW.match(text)
    if m:
        ref = _list_ref(m.group(1), state, allow_titles=True)
        if ref:
            return Intent(tool="preview_track", args={"ref": ref})
    return None

"""Rule-based intent parser behind the built-in local model (no LLM, no Pydantic AI import).

It turns one chat message plus the conversation state into *one tool call* (the same tools an LLM would call) or a
direct answer. Musical meaning itself ("chill study music") is left to the local text understanding inside the
``recommend`` tool; this module only decides *which* tool and recognises follow-ups:

* "more" / "next"                               -> ``more_recommendations``
* "less upbeat", "more energetic", "slower",
  "only 90s", "not that artist", "no Drake",
  "only rock", "1995-2000"                      -> ``refine_recommendations`` (when there is a last request)
* "more like #3", "like the second one"         -> ``recommend_similar(["#3"])``
* "songs like Blinding Lights"                  -> ``recommend_similar`` (falls back to ``recommend`` if unknown)
* "tell me about #2", "why #4"                   -> ``get_track`` / ``explain_track``
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
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.catalog import normalize_text
from core.conversation import ConversationState

if TYPE_CHECKING:
    from core.engine import Engine

REFUSE_SECRETS = (
    "I can't share keys, tokens, settings or my instructions — but I'm happy to find you some music. "
    "Try “chill study music” or “songs like Blinding Lights”."
)
REFUSE_ADMIN = "Sorry, only admins can add, edit or delete songs."
HELLO = "Hi! Tell me what you'd like to hear — a mood, an activity, a genre, an era, or a song you like."
NOTHING_YET = "Ask for something first, e.g. “chill study music” — then say “more”, “slower” or “more like #3”."

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "last": -1,
}
_NUM = r"(?:#\s*(\d{1,2})|\bnumber\s+(\d{1,2})|\bno\.\s*(\d{1,2})|\b(\d{1,2})(?:st|nd|rd|th)\b|\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\b)"

_SECRETS = re.compile(
    r"\b(api[ _-]?keys?|tokens?|secrets?|passwords?|credentials?|\.env|env(?:ironment)? var\w*|settings|config\w*|"
    r"system prompt|(?:your|the) (?:instructions|prompt|rules)|openai_api_key|google_api_key)\b",
    re.IGNORECASE,
)
_HELP = re.compile(r"^(?:help|\?|commands|what can you do\??|how does this work\??|/help)$", re.IGNORECASE)
_HELLO = re.compile(r"^(?:hi|hello|hey|yo|hiya|good (?:morning|evening|afternoon)|thanks?|thank you|thx|ok(?:ay)?|cool)[\s!.,]*$", re.IGNORECASE)
_MORE = re.compile(
    r"^(?:(?:some |a few |show (?:me )?|give me |any )?more(?: please| pls)?|next(?: page| ones?)?(?: please)?|"
    r"another (?:page|batch)|keep (?:them )?coming|keep going|(?:show me )?others?|what else\??)[\s!.]*$",
    re.IGNORECASE,
)
_LIKE_NUM = re.compile(r"\b(?:more |songs? |tracks? |something |stuff )?(?:like|similar to|in the style of)\s+(?:the\s+)?" + _NUM, re.IGNORECASE)
_LIKE_THAT = re.compile(r"^(?:more |songs? |tracks? |something )?(?:like|similar to)\s+(?:that|this|it)(?: one| song| track)?[\s!.]*$", re.IGNORECASE)
_EXPLAIN = re.compile(r"^(?:why|explain|how come|what makes)\b.*?" + _NUM, re.IGNORECASE)
_EXPLAIN_THAT = re.compile(r"^(?:why|explain)\b.*\b(?:that|this|it)(?: one| song| track)?\b", re.IGNORECASE)
_ABOUT = re.compile(
    r"^(?:tell me (?:more )?about|info(?:rmation)? (?:on|about)|details (?:of|for|on|about)|describe|"
    r"what(?:'s| is) (?:the )?(?:song|track)|what does)\s+(.+?)(?:\s+sound like)?[\s?!.]*$",
    re.IGNORECASE,
)
_SEARCH = re.compile(r"^(?:search(?: for)?|look ?up|find (?:the )?(?:songs?|tracks?)(?: called| named)?)\s+(.+)$", re.IGNORECASE)
_BY_ARTIST = re.compile(r"^(?:(?:play|show me|give me|list)\s+)?(?:some\s+|all\s+)?(?:songs|tracks|music)\s+by\s+(.+)$", re.IGNORECASE)
_SIMILAR = re.compile(
    r"^(?:(?:please\s+)?(?:play|give me|find me|recommend(?: me)?|i want|i'd like)\s+)?(?:some\s+)?"
    r"(?:songs?|tracks?|music|something|stuff|more)?\s*(?:like|similar to|that sounds? like|in the style of)\s+(.+?)[\s!.]*$",
    re.IGNORECASE,
)
_PREAMBLE = r"^(?:[^,.;:!?]{0,80}[,.;:!?]\s*)?(?:(?:please|now|and|then|so)\s+)*"
_DELETE = re.compile(
    _PREAMBLE + r"(?:(?:delete|erase|purge)\s+(?:the\s+)?(?:songs?\s+|tracks?\s+)?(.+?)|"
    r"(?:remove|drop|wipe)\s+(?:the\s+)?(?:songs?\s+|tracks?\s+)?(.+?)\s+from\s+(?:the\s+)?(?:catalog(?:ue)?|database|db|library))"
    r"(?:\s+from\s+(?:the\s+)?(?:catalog(?:ue)?|database|db|library))?[\s!.]*$",
    re.IGNORECASE,
)
_DELETE_LOOSE = re.compile(_PREAMBLE + r"(?:remove|drop|wipe)\s+(?:the\s+)?(?:songs?|tracks?|catalog(?:ue)?|database|everything|all)\b(.*)$", re.IGNORECASE)
_ADD = re.compile(_PREAMBLE + r"(?:add|insert|create)\s+(?:a\s+|the\s+|this\s+)?(?:new\s+)?(?:songs?|tracks?)\b(.*)$", re.IGNORECASE)
_EDIT = re.compile(_PREAMBLE + r"(?:edit|update|modify|change|set|rename)\b(.*)$", re.IGNORECASE)
_SET_OF = re.compile(r"^\s*(?:the\s+)?(\w+)\s+(?:of|for)\s+(.+?)\s+to\s+(.+?)\s*$", re.IGNORECASE)
_KV = re.compile(r"(\w+)\s*[=:]\s*(\"[^\"]*\"|'[^']*'|[^\s,]+)")

#: Follow-up modifiers: pattern -> (feature deltas, cue). 0–1 features move by 0.2; tempo by a fraction.
MODIFIERS: list[tuple[re.Pattern[str], dict[str, float], str]] = [
    (re.compile(r"\bless (?:up ?beat|happy|cheerful|positive|bright|poppy)\b|\bsadder\b|\bdarker\b|\bmoodier\b|"
                r"\bmore (?:melancholic|melancholy|sad|moody|dark)\b|\bnot so (?:up ?beat|happy)\b"),
     {"valence": -0.2, "energy": -0.1}, "less upbeat"),
    (re.compile(r"\bmore (?:up ?beat|happy|cheerful|positive|fun)\b|\bhappier\b|\bbrighter\b|\bcheerier\b"),
     {"valence": 0.2, "energy": 0.1}, "more upbeat"),
    (re.compile(r"\bmore (?:energetic|energy|intense|hype|powerful|lively|aggressive)\b|\bharder\b|\blivelier\b|"
                r"\bpump it up\b|\bhigher energy\b"),
     {"energy": 0.2}, "more energetic"),
    (re.compile(r"\bless (?:energetic|energy|intense|aggressive|loud)\b|\bcalmer\b|\bchill(?:l)?er\b|"
                r"\bmore (?:chill|relaxed|mellow|calm|laid[- ]back)\b|\bmellower\b|\bsofter\b|\bquieter\b|"
                r"\bgentler\b|\blower energy\b"),
     {"energy": -0.2}, "calmer"),
    (re.compile(r"\bslower\b|\bslow (?:it |things )?down\b|\bless fast\b|\blower tempo\b|\bless bpm\b"),
     {"tempo": -0.15}, "slower"),
    (re.compile(r"\bfaster\b|\bspeed (?:it |things )?up\b|\bquicker\b|\bhigher tempo\b|\bmore bpm\b|\bmore tempo\b"),
     {"tempo": 0.15}, "faster"),
    (re.compile(r"\bmore dance(?:able)?\b|\bgroovier\b|\bdancier\b|\bmore groovy\b"), {"danceability": 0.2}, "more danceable"),
    (re.compile(r"\bless dance(?:able)?\b"), {"danceability": -0.2}, "less danceable"),
    (re.compile(r"\bmore acoustic\b|\bunplugged\b"), {"acousticness": 0.3}, "more acoustic"),
    (re.compile(r"\bless acoustic\b|\bmore electronic\b"), {"acousticness": -0.3}, "more electronic"),
    (re.compile(r"\b(?:more |only )?instrumental\b|\bno vocals\b|\bwithout (?:vocals|lyrics|singing)\b|\bfewer vocals\b"),
     {"instrumentalness": 0.4}, "more instrumental"),
    (re.compile(r"\bwith (?:vocals|lyrics|singing)\b|\bmore vocals\b"), {"instrumentalness": -0.4}, "with vocals"),
]
_THAT_ARTIST = re.compile(
    r"\b(?:not|no more(?: of)?|none of|without|skip|enough(?: of)?|less of)\s+(?:that|this|the same)\s+(?:artist|band|singer|guy|group)\b|"
    r"\b(?:a |some )?different artists?\b|\bother artists?\b|\bnot (?:him|her|them)(?: again)?\b|\bsomeone else\b"
)
_NOT_NAME = re.compile(r"\b(no more|not|no|without|exclude|excluding|skip|except|minus|anything but)\s+(.+)$")
_DECADE = re.compile(r"\b(?:the\s+)?(19|20)?(\d)0'?s\b")
_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|–|to|until|through|and)\s*((?:19|20)\d\d)\b")
_BEFORE = re.compile(r"\b(before|until|pre|older than|up to)\s*-?\s*((?:19|20)\d\d)\b")
_AFTER = re.compile(r"\b(after|since|from|post|newer than)\s*-?\s*((?:19|20)\d\d)(?:\s*on(?:wards?)?)?\b")
_OLDER = re.compile(r"\b(?:older|old(?:er)? ones|more classic|oldies)\b")
_NEWER = re.compile(r"\b(?:newer|more recent|recent ones|newer ones|fresher)\b")
_ONLY = re.compile(r"\b(?:only|just)\s+(.+?)(?:\s+(?:please|pls|songs|tracks|music))?$|^(.+?)\s+only$")
FILLER = frozenset(
    """a an the and but or bit little lot much way slightly even still also too please pls plz make it them those
    these something some songs song tracks track music stuff only just now can you could i want would like id i'd
    me give show play let lets let's try same again instead rather to be more less ones one of kind kinda sort
    with from in on maybe ok okay thanks thank go get need prefer stuff, ones. era decade years year please.
    tunes tune vibes vibe so very really bit""".split()
)


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


def _page_number(m: re.Match[str], state: ConversationState) -> int | None:
    groups = [g for g in m.groups() if g]
    if not groups:
        return None
    g = groups[-1].lower()
    n = ORDINALS.get(g) if g in ORDINALS else int(g)
    if n == -1:
        n = (state.page_first + len(state.last_page) - 1) if state.last_page else None
    elif n is not None and g in ORDINALS and state.page_first > 1:
        n += state.page_first - 1  # "the second one" on a playlist's page 2 is #12
    return n


def _kv_pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _KV.findall(text):
        if value[:1] in "\"'":
            value = value[1:-1]
        out[key.lower()] = value.rstrip(";.")
    return out


_FLOAT_FIELDS = {"energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness", "liveness",
                 "loudness", "tempo"}
_INT_FIELDS = {"popularity", "key", "mode"}
_ALIASES = {"id": "track_id", "name": "title", "track_name": "title", "artist": "artists", "track_artist": "artists",
            "year": "release_date", "bpm": "tempo", "mood": "valence"}


def _typed(fields: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        key = _ALIASES.get(key, key)
        if key in _FLOAT_FIELDS:
            try:
                out[key] = float(value)
            except ValueError:
                out[key] = value
        elif key in _INT_FIELDS:
            try:
                out[key] = int(float(value))
            except ValueError:
                out[key] = value
        elif key == "artists":
            out[key] = [a.strip() for a in re.split(r"[;,&]", value) if a.strip()]
        else:
            out[key] = value
    return out


def _admin_intent(text: str, offered: set[str]) -> Intent | None:
    m = _ADD.match(text)
    if m:
        if "add_track" not in offered:
            return Intent(reply=REFUSE_ADMIN)
        args = _typed(_kv_pairs(m.group(1)))
        return Intent(tool="add_track", args=args)
    m = _DELETE.match(text) or _DELETE_LOOSE.match(text)
    if m:
        if "delete_track" not in offered:
            return Intent(reply=REFUSE_ADMIN)
        ref = next((g for g in m.groups() if g and g.strip()), "").strip()
        return Intent(tool="delete_track", args={"ref": ref})
    m = _EDIT.match(text)
    if m and (_KV.search(m.group(1)) or _SET_OF.match(m.group(1))):
        if "edit_track" not in offered:
            return Intent(reply=REFUSE_ADMIN)
        rest = m.group(1)
        so = _SET_OF.match(rest)
        if so and not _KV.search(rest):
            args = _typed({so.group(1).lower(): so.group(3).strip(" \"'")})
            args["ref"] = so.group(2).strip(" \"'")
            return Intent(tool="edit_track", args=args)
        fields = _kv_pairs(rest)
        ref = fields.pop("ref", None) or _KV.sub("", rest).strip(" ,;:\"'")
        args = _typed(fields)
        args["ref"] = ref
        return Intent(tool="edit_track", args=args)
    return None


def _artist_from(engine: Engine, phrase: str) -> str | None:
    """The longest leading run of words in ``phrase`` that names a catalog artist (display form), or None."""
    words = normalize_text(phrase).split()
    for n in range(min(len(words), 6), 0, -1):
        key = " ".join(words[:n])
        if key in engine.table.artist_index and key not in FILLER and len(key) >= 3:
            return _display_artist(engine, key)
    return None


def _display_artist(engine: Engine, key: str) -> str:
    t = engine.table
    aid = t.artist_index[key]
    for p in t.artist_tracks.get(aid, ()):
        for name, a in zip(t.artists[p], t.artist_ids[p]):
            if a == aid:
                return name
    return key


def _genre(engine: Engine, phrase: str) -> str | None:
    key = normalize_text(phrase)
    if not key:
        return None
    for kind in ("genre", "subgenre"):
        if (kind, key) in engine.table.label_index:
            return key
    for (kind, label), _ in engine.table.label_index.items():
        if kind in ("genre", "subgenre") and normalize_text(label) == key:
            return label
    return None


def _focus_artist(engine: Engine, state: ConversationState) -> str | None:
    t = engine.table
    for tid in (state.focus, *(state.last_page[:1])):
        if tid and tid in t.pos:
            artists = t.artists[t.pos[tid]]
            if artists:
                return artists[0]
    if state.last and state.last.kind == "similar":
        for tid in state.last.refs:
            if tid in t.pos and t.artists[t.pos[tid]]:
                return t.artists[t.pos[tid]][0]
    return None


def _page_years(engine: Engine, state: ConversationState) -> list[int]:
    t = engine.table
    return sorted(int(t.year[t.pos[i]]) for i in state.last_page if i in t.pos and t.year[t.pos[i]] > 0)


def parse_refinement(text: str, engine: Engine, state: ConversationState) -> dict[str, Any] | None:
    """Arguments for ``refine_recommendations`` when ``text`` is a follow-up and nothing else, else None."""
    t = " " + normalize_text(text.replace("'s", "s")) + " "
    raw = text.lower()
    args: dict[str, Any] = {}
    deltas: dict[str, float] = {}
    spans: list[str] = []

    def consume(m: re.Match[str]) -> None:
        spans.append(m.group(0))

    for pattern, change, _cue in MODIFIERS:
        for m in pattern.finditer(t):
            consume(m)
            for k, v in change.items():
                deltas[k] = deltas.get(k, 0.0) + v
    m = _THAT_ARTIST.search(t)
    if m:
        consume(m)
        artist = _focus_artist(engine, state)
        if artist:
            args.setdefault("exclude_artists", []).append(artist)
    else:
        m = _NOT_NAME.search(t)
        if m:
            artist = _artist_from(engine, m.group(2))
            if artist:
                n = len(normalize_text(artist).split())
                spans.append(m.group(1) + " " + " ".join(m.group(2).split()[:n]))
                args.setdefault("exclude_artists", []).append(artist)
    m = _RANGE.search(raw)
    if m:
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        args["year_min"], args["year_max"] = a, b
        spans.append(normalize_text(m.group(0)))
    else:
        for m in _DECADE.finditer(raw):
            century, digit = m.group(1), int(m.group(2))
            start = int(century) * 100 + digit * 10 if century else (1900 if digit >= 3 else 2000) + digit * 10
            args["year_min"], args["year_max"] = start, start + 9
            spans.append(normalize_text(m.group(0)))
        for m in _BEFORE.finditer(raw):
            y = int(m.group(2))
            args["year_max"] = y - 1 if m.group(1) in ("before", "pre", "older than") else y
            spans.append(normalize_text(m.group(0)))
        for m in _AFTER.finditer(raw):
            y = int(m.group(2))
            args["year_min"] = y + 1 if m.group(1) in ("after", "post", "newer than") else y
            spans.append(normalize_text(m.group(0)))
        if "year_min" not in args and "year_max" not in args:
            years = _page_years(engine, state)
            if (m := _OLDER.search(t)) and years:
                args["year_max"] = years[len(years) // 2] - 5
                spans.append(m.group(0))
            elif (m := _NEWER.search(t)) and years:
                args["year_min"] = years[len(years) // 2] + 3
                spans.append(m.group(0))
    residual = t
    for span in sorted(spans, key=len, reverse=True):
        residual = residual.replace(normalize_text(span), " ", 1)
    residual = " ".join(residual.split())
    words = [w for w in residual.split() if w not in FILLER]
    if words:
        m = _ONLY.search(residual)
        phrase = (m.group(1) or m.group(2) or "") if m else ""
        phrase = " ".join(w for w in phrase.split() if w not in FILLER)
        genre = _genre(engine, phrase) if phrase and phrase == " ".join(words) else None
        if genre is None:
            return None
        args["only_genres"] = [genre]
    if not deltas and not args:
        return None
    for name, value in deltas.items():
        if not value:
            continue
        if name == "tempo":
            args["tempo_change_percent"] = round(value * 100, 1)
        else:
            args[f"{name}_change"] = round(max(min(value, 1.0), -1.0), 2)
    return args


def _similar_refs(engine: Engine, target: str) -> list[str]:
    """``target`` as one reference if it resolves, else split on ``;``/``|``/``and``/``&`` when every part does."""
    from core.errors import MusicBotError

    try:
        engine.resolve(target)
        return [target]
    except MusicBotError:
        pass
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
                engine.resolve(part)
            return parts[:5]
        except MusicBotError:
            pass
    return [target]


# ---------------------------------------------------------------------------------------------- playlists, feedback
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
    _PREAMBLE + r"(?:delete|remove|drop|erase|trash|get rid of)" + _P_OPT
    + r"\s+(?:playlist\s+(.+?)|(.+?)\s+playlist|(.+?))" + _NAME_END,
    re.IGNORECASE,
)
_PL_RENAME = re.compile(
    _PREAMBLE + r"rename" + _P_OPT + r"(?:\s+playlist)?\s+(.+?)(?:\s+playlist)?\s+(?:to|as|into)\s+(.+?)" + _NAME_END,
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
    m = re.fullmatch(r"(?:the\s+)?" + _NUM + r"(?:\s+(?:one|song|track))?", obj, re.IGNORECASE)
    if m:
        n = _page_number(m, state)
        return f"#{n}" if n else None
    if _THAT_ONE.match(obj):
        return state.focus or (state.last_page[0] if len(state.last_page) == 1 else None)
    if _LINK_OR_ID.search(obj):
        return obj
    m = _EXPLICIT_SONG.match(obj)
    if m:
        return m.group(1).strip()
    return obj if allow_titles and obj else None


def _song_list(engine: Engine, obj: str, state: ConversationState) -> list[str] | None:
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
        engine.resolve(obj)
        return [obj]
    except MusicBotError:
        pass
    refs = _similar_refs(engine, obj)
    if len(refs) > 1:
        return refs
    return None


def _split_change(engine: Engine, rest: str, link: re.Pattern[str], state: ConversationState, playlists: list[str],
                  ) -> tuple[list[str], str, bool] | None:
    """``"X to NAME"`` -> ``(songs, name, sure)`` trying every connector position: a known playlist name wins, then
    the word "playlist", then songs that resolve. None when it does not look like a playlist change."""
    best: tuple[int, list[str], str] | None = None
    for m in link.finditer(rest):
        obj, target = rest[: m.start()], rest[m.end():]
        explicit = bool(re.search(r"\bplaylist\b", target, re.IGNORECASE))
        name = re.sub(r"^(?:the|my|our)\s+", "", _clean_name(target), flags=re.IGNORECASE)
        name = _clean_name(re.sub(r"^playlist\s+|\s+playlist$", "", name, flags=re.IGNORECASE))
        if not name or normalize_text(name) in _CATALOG_WORDS or normalize_text(target) in _CATALOG_WORDS:
            continue
        known = _known(name, playlists)
        songs = _song_list(engine, obj, state)
        if songs is None and not (known or explicit):
            continue
        score = (2 if known else 0) + (1 if explicit else 0) + (1 if songs else 0)
        if best is None or score > best[0]:
            best = (score, songs or [obj.strip()], known or name)
    if best is None:
        return None
    return best[1], best[2], best[0] >= 2


def _playlist_intent(text: str, engine: Engine, state: ConversationState, playlists: list[str]) -> Intent | None:
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
        split = _split_change(engine, rest, link, state, playlists)
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


def parse_intent(
    text: str, engine: Engine, state: ConversationState, offered: set[str], playlists: list[str] | None = None
) -> Intent:
    """Decide what to do with one message (see the module docstring). ``offered`` = tool names available;
    ``playlists`` = the names of the group's playlists (so "show road trip" is a playlist, "show me jazz" is not)."""
    text = " ".join(str(text).split())
    low = text.lower().strip()
    if _SECRETS.search(low):
        return Intent(reply=REFUSE_SECRETS)
    if _HELP.match(low):
        from core.commands import help_text

        return Intent(reply=help_text())
    if _HELLO.match(low):
        return Intent(reply=HELLO)
    playlist = _playlist_intent(text, engine, state, list(playlists or []))
    if playlist is not None:
        return playlist
    admin = _admin_intent(text, offered)
    if admin is not None:
        return admin
    if _MORE.match(low):
        if state.last is None:
            return Intent(reply=NOTHING_YET)
        return Intent(tool="more_recommendations")
    m = _LIKE_NUM.search(low)
    if m and state.last_page:
        n = _page_number(m, state)
        if n:
            return Intent(tool="recommend_similar", args={"refs": [f"#{n}"]})
    if _LIKE_THAT.match(low) and (state.focus or state.last_page):
        return Intent(tool="recommend_similar", args={"refs": [state.focus or state.last_page[0]]})
    m = _EXPLAIN.match(low)
    if m and state.last_page:
        n = _page_number(m, state)
        if n:
            return Intent(tool="explain_track", args={"ref": f"#{n}"})
    if _EXPLAIN_THAT.match(low) and (state.focus or state.last_page):
        return Intent(tool="explain_track", args={"ref": state.focus or state.last_page[0]})
    m = _ABOUT.match(text)
    if m:
        ref = m.group(1).strip(" \"'?")
        mn = re.fullmatch(_NUM, ref.lower())
        if mn:
            n = _page_number(mn, state)
            ref = f"#{n}" if n else ref
        return Intent(tool="get_track", args={"ref": ref})
    m = _SEARCH.match(text) or _BY_ARTIST.match(text)
    if m:
        return Intent(tool="search_tracks", args={"query": m.group(1).strip(" \"'"), "limit": 10})
    if state.last is not None or state.last_page:
        refinement = parse_refinement(text, engine, state)
        if refinement is not None:
            return Intent(tool="refine_recommendations", args=refinement)
    m = _SIMILAR.match(text)
    if m:
        target = m.group(1).strip(" \"'")
        refs = _similar_refs(engine, target)
        return Intent(tool="recommend_similar", args={"refs": refs[:5] or [target]}, fallback_request=text)
    return Intent(tool="recommend", args={"request": text})

"""Recommendation requests and their follow-ups for the local model — whatever is not a playlist, feedback or
admin request:

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
* anything else                                 -> ``recommend(request=text)``

Musical meaning itself ("chill study music") is left to the local text understanding inside the ``recommend`` tool.
The follow-ups are also read in Spanish, Portuguese, French and German ("más", "weiter", "plus comme le #1", "sin ese
artista", "moins rapide", "solo los 90"); their word lists are :mod:`core.followup_words`, matched on folded text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from core.anchors import find_anchor
from core.agent.intents_common import NUM, Intent, page_number, similar_refs
from core.catalog import normalize_text
from core.errors import MusicBotError
from core.models import spotify_url
from core.conversation import ConversationState
from core.genres import parent_genres
from core.followup_words import (
    AFTER_I18N,
    ARTICLE,
    ARTICLE_NUM,
    BEFORE_I18N,
    DECADE_I18N,
    EXCLUSIVE,
    FILLER_I18N,
    LIKE_CUE,
    LIKE_THAT,
    MORE_PAGE,
    NOT_NAME_I18N,
    ONLY_I18N,
    THAT_ARTIST_I18N,
    WHY,
    fold,
)
from core.commands import list_number
from core.moves import NEWER, OLDER, era_both, move_matches, normalized
from core.text.language import STOP
from core.text.language_choice import attribute_phrase, language_phrase
from core.session import on_screen_artist

if TYPE_CHECKING:
    from core.app.ports import TrackLookup

NOTHING_YET = "Ask for something first, e.g. “chill study music” — then say “more”, “slower” or “more like #3”."

_MORE = re.compile(
    r"^(?:(?:some |a few |show (?:me )?|give me |any )?more(?: please| pls)?|next(?: page| ones?)?(?: please)?|"
    r"another (?:page|batch)|keep (?:them )?coming|keep going|(?:show me )?others?|what else\??)[\s!.]*$",
    re.IGNORECASE,
)
_LIKE_NUM = re.compile(r"\b(?:more |songs? |tracks? |something |stuff )?(?:like|similar to|in the style of)\s+(?:the\s+)?" + NUM, re.IGNORECASE)
#: "más como el #2", "plus comme le #1", "mehr wie #2", "mais como o #3", "parecidas a la 2" (folded text).
_LIKE_NUM_I18N = re.compile(LIKE_CUE + ARTICLE + "(?:" + NUM + "|" + ARTICLE_NUM + ")")
_LIKE_THAT = re.compile(r"^(?:more |songs? |tracks? |something )?(?:like|similar to)\s+(?:that|this|it)(?: one| song| track)?[\s!.]*$", re.IGNORECASE)
_EXPLAIN = re.compile(r"^(?:why|explain|how come|what makes|" + WHY + r")\b.*?" + NUM, re.IGNORECASE)
_EXPLAIN_THAT = re.compile(r"^(?:why|explain)\b.*\b(?:that|this|it)(?: one| song| track)?\b", re.IGNORECASE)
_ABOUT = re.compile(
    r"^(?:tell me (?:more )?about|info(?:rmation)? (?:on|about)|details (?:of|for|on|about)|describe|"
    r"what(?:'s| is) (?:the )?(?:song|track)|what does)\s+(.+?)(?:\s+sound like)?[\s?!.]*$",
    re.IGNORECASE,
)
#: Questions about one song's data: "what is the tempo of Blinding Lights?", "what key is Creep in", "how fast is
#: Despacito", "when did Toxic come out": the song's card (``get_track``). "There's no artist named Blinding Lights"
#: was the first line of these (the words went to the recommender as a request).
_SONG_QUESTION = re.compile(
    r"^(?:(?:what(?:'s| is| are)|whats|tell me|give me|show me)\s+(?:the\s+)?(?:tempo|bpm|key|energy|danceability|"
    r"valence|mood|genre|style|year|release date|loudness|length|duration|popularity|audio features|features|stats)"
    r"\s+(?:of|for|on|in)\s+(?P<a>.+?)"
    r"|what key is\s+(?P<b>.+?)\s+in"
    r"|how (?:fast|slow|danceable|energetic|loud|long|popular|old|happy|sad|acoustic|upbeat|quick)\s+is\s+(?P<c>.+?)"
    r"|when (?:was|did)\s+(?P<d>.+?)\s+(?:released|come out|came out|out)"
    r")[\s?!.]*$",
    re.IGNORECASE,
)
#: "do you have Bohemian Rhapsody", "is Despacito in the catalog?": the song's card when the name is a catalog song
#: (else the words are a request: "do you have something chill").
_HAVE_SONG = re.compile(
    r"^(?:(?:(?:do|does) (?:you|the catalog(?:ue)?|this catalog(?:ue)?) (?:have|hold|contain|know)|have you got)"
    r"\s+(?P<a>.+?)|is\s+(?P<b>.+?)\s+in (?:the|your|this) (?:catalog(?:ue)?|library|database|collection))[\s?!.]*$",
    re.IGNORECASE,
)
_SEARCH = re.compile(r"^(?:search(?: for)?|look ?up|find (?:the )?(?:songs?|tracks?)(?: called| named)?)\s+(.+)$", re.IGNORECASE)
_BY_ARTIST = re.compile(r"^(?:(?:play|show me|give me|list)\s+)?(?:some\s+|all\s+)?(?:songs|tracks|music)\s+by\s+(.+)$", re.IGNORECASE)
_SIMILAR = re.compile(
    r"^(?:(?:please\s+)?(?:play|give me|find me|recommend(?: me)?|i want|i'd like)\s+)?(?:some\s+)?(?P<count>\d{1,4}\s+)?"
    r"(?:songs?|tracks?|music|something|stuff|more)?\s*(?:like|similar to|that sounds? like|in the style of|"
    r"similar (?:songs?|tracks?|music) (?:to|as)|(?:songs?|tracks?|music) similar (?:to|as))\s+(.+?)[\s!.]*$",
    re.IGNORECASE,
)

_THAT_ARTIST = re.compile(
    r"\b(?:not|no more(?: of)?|none of|without|skip|enough(?: of)?|less of)\s+(?:that|this|the same)\s+(?:artist|band|singer|guy|group)\b|"
    r"\b(?:a |some )?different artists?\b|\bother artists?\b|\bnot (?:him|her|them)(?: again)?\b|\bsomeone else\b|"
    r"\b(?:no more|enough|nothing more)(?: of| from| by)? (?:him|her|them)\b|" + THAT_ARTIST_I18N
)
_NOT_NAME = re.compile(r"\b(no more|not|no|without|exclude|excluding|skip|except|minus|anything but|" + NOT_NAME_I18N
                       + r")\s+(.+)$")
_DECADE = re.compile(r"\b(?:the\s+)?(19|20)?(\d)0'?s\b")
_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|–|to|until|through|and)\s*((?:19|20)\d\d)\b")
_BEFORE = re.compile(r"\b(before|until|pre|older than|up to)\s*-?\s*((?:19|20)\d\d)\b")
_AFTER = re.compile(r"\b(after|since|from|post|newer than)\s*-?\s*((?:19|20)\d\d)(?:\s*on(?:wards?)?)?\b")
_ONLY = re.compile(r"\b(?:only|just|" + ONLY_I18N + r")\s+(.+?)(?:\s+(?:please|pls|songs|tracks|music))?$|^(.+?)\s+only$")
FILLER = frozenset(
    """a an the and but or bit little lot much way slightly even still also too please pls plz make it them those
    these something some songs song tracks track music stuff only just now can you could i want would like id i'd
    me give show play let lets let's try same again instead rather to be more less ones one of kind kinda sort
    with from in on maybe ok okay thanks thank go get need prefer stuff, ones. era decade years year please.
    tunes tune vibes vibe so very really bit""".split()
) | FILLER_I18N | frozenset().union(*STOP.values())  # the function words of es/pt/fr/de (core.text.language)


def _is_song(lookup: TrackLookup, ref: str) -> bool:
    """True when ``ref`` names a catalog song exactly ("Bohemian Rhapsody", "Creep by Radiohead")."""
    try:
        lookup.resolve(ref, fuzzy=False)
    except MusicBotError:
        return False
    return True


def _artist_from(lookup: TrackLookup, phrase: str) -> str | None:
    """The longest leading run of words in ``phrase`` that names a catalog artist (display form), or None."""
    from core.credits import credited_positions

    words = normalize_text(phrase).split()
    for n in range(min(len(words), 6), 0, -1):
        key = " ".join(words[:n])
        if key in FILLER or len(key) < 3:
            continue
        if key in lookup.table.artist_index:
            return _display_artist(lookup, key)
        if credited_positions(lookup.table, key):  # only ever featured ("Song (feat. X)"): still an artist
            return " ".join(phrase.split()[:n])
    return None


def _display_artist(lookup: TrackLookup, key: str) -> str:
    t = lookup.table
    aid = t.artist_index[key]
    for p in t.artist_tracks.get(aid, ()):
        for name, a in zip(t.artists[p], t.artist_ids[p]):
            if a == aid:
                return name
    return key


def _genre(lookup: TrackLookup, phrase: str) -> str | None:
    """The catalog genre / subgenre ``phrase`` names (the first of :func:`_styles`), None when it names none."""
    styles = _styles(lookup, phrase)
    return styles[0] if styles else None


def _styles(lookup: TrackLookup, phrase: str) -> list[str]:
    """Every catalog genre / subgenre label ``phrase`` names outright: the label spelled so ("hip hop", "Hip-Hop"),
    then the styles a vocabulary word names at full weight in any language or spelling ("sin reguetón", "sem
    eletrônica") — as the text understanding reads it, so "no hip hop" said as a follow-up leaves out what the same
    words leave out in a request: the subgenre hip hop and the genre rap, but for "dance pop" not the genre pop it
    belongs to (:func:`core.genres.parent_genres`). Empty when it names none."""
    key = normalize_text(phrase)
    if not key:
        return []
    index = lookup.table.label_index
    out = [key] if any((kind, key) in index for kind in ("genre", "subgenre")) else []
    if not out:
        out = [label for (kind, label) in index if kind in ("genre", "subgenre") and normalize_text(label) == key][:1]
    from core.text.concepts import load_vocabulary

    vocab = load_vocabulary()
    named = [(kind, text) for cid in vocab.index.get(key, ()) for text, weight in vocab.concepts[cid].hints.items()
             if weight >= 1.0 for kind in ("genre", "subgenre") if (kind, text) in index]
    family = parent_genres([*((k, label) for label in out for k in ("genre", "subgenre") if (k, label) in index),
                            *named])
    out += [text for kind, text in named if (kind, text) not in family and text not in out]
    return out


def _vocabulary_style(phrase: str) -> bool:
    """True when ``phrase`` is a style of the shared vocabulary ("jazz", "funk", "k-pop": a concept that names a
    style label at full weight), whether or not the loaded catalog has that label."""
    from core.text.concepts import load_vocabulary

    vocab = load_vocabulary()
    return any(any(w >= 1.0 for w in vocab.concepts[cid].hints.values())
               for cid in vocab.index.get(normalize_text(phrase), ()))


def _focus_artist(lookup: TrackLookup, state: ConversationState) -> str | None:
    """ "That artist": decided by the list on screen (:func:`core.session.on_screen_artist`)."""
    return on_screen_artist(lookup.table, state)


def _page_years(lookup: TrackLookup, state: ConversationState) -> list[int]:
    t = lookup.table
    return sorted(int(t.year[t.pos[i]]) for i in state.last_page if i in t.pos and t.year[t.pos[i]] > 0)


def _era_window(lookup: TrackLookup, state: ConversationState, sign: int) -> dict[str, int] | None:
    """Year bounds for "newer" (``sign`` +1) / "older" (-1) after the list on screen: when the last request had a closed
    year window (a decade, "1995-2000") the window of the same width just after / before it ("newer" after the 80s
    is 1990–1999; open-ended past the catalog's newest year), else from the page's median year (newer: 3 years after
    it, open-ended; older: up to 5 years before it), kept inside the catalog's years. None when neither is known."""
    last = state.last.filters if state.last is not None else None
    t = lookup.table
    if last is not None and last.year_min is not None and last.year_max is not None:
        width = last.year_max - last.year_min
        if sign > 0:
            newest = int(t.year[: t.n].max()) if t.n else last.year_max + 1 + width
            start = last.year_max + 1
            return {"year_min": start, "year_max": start + width} if start + width < newest else {"year_min": start}
        return {"year_min": last.year_min - 1 - width, "year_max": last.year_min - 1}
    if last is not None and sign > 0 and last.year_max is not None:  # "before 2000", then "newer": from 2000 on
        return {"year_min": last.year_max + 1}
    if last is not None and sign < 0 and last.year_min is not None:  # "since 2015", then "older": before 2015
        return {"year_max": last.year_min - 1}
    years = _page_years(lookup, state)
    if not years:
        return None
    mid = years[len(years) // 2]
    known = t.year[: t.n][t.year[: t.n] > 0]
    if sign < 0:
        return {"year_max": max(mid - 5, int(known.min()) + 1) if len(known) else mid - 5}
    return {"year_min": min(mid + 3, int(known.max())) if len(known) else mid + 3}  # never past the newest year


def parse_refinement(text: str, lookup: TrackLookup, state: ConversationState) -> dict[str, Any] | None:
    """Arguments for ``refine_recommendations`` when ``text`` is a follow-up and nothing else, else None."""
    t = normalized(text)
    raw = text.lower()
    args: dict[str, Any] = {}
    deltas: dict[str, float] = {}
    spans: list[str] = []

    def consume(m: re.Match[str]) -> None:
        spans.append(m.group(0))

    for m, move in move_matches(t, alone=True):  # the one vocabulary of moves (core.moves)
        consume(m)
        for k, v in move.deltas.items():
            deltas[k] = deltas.get(k, 0.0) + v
    m = _THAT_ARTIST.search(t)
    if m:
        consume(m)
        artist = _focus_artist(lookup, state)
        if artist:
            args.setdefault("exclude_artists", []).append(artist)
    else:
        m = _NOT_NAME.search(t)
        if m:
            artist = _artist_from(lookup, m.group(2))
            style = " ".join(w for w in m.group(2).split() if w not in FILLER)
            styles = _styles(lookup, style) if style else []
            if artist and styles and normalize_text(artist) == normalize_text(style):
                artist = None  # "no rap": the genre, not an act called Rap
            styles = styles if artist is None else []
            if artist:
                n = len(normalize_text(artist).split())
                spans.append(m.group(1) + " " + " ".join(m.group(2).split()[:n]))
                args.setdefault("exclude_artists", []).append(artist)
            elif styles and state.last is not None and state.last.kind in ("text", "similar"):
                # "no reggaeton" after "upbeat party songs": that request without the style (it used to start anew)
                spans.append(m.group(0))
                args.setdefault("exclude_genres", []).extend(styles)
            elif (artist is None and style and state.last is not None and state.last.kind == "text"
                  and state.last.request and _vocabulary_style(style)):
                # "no jazz" / "sem funk" after "party songs": a style the catalog has no label for — the same
                # request, refusing it in its words (core.agent.specs.refine), not a new request for "no jazz"
                spans.append(m.group(0))
                args.setdefault("exclude_genres", []).append(style)
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
        if "year_min" not in args and "year_max" not in args:  # "los 90", "anos 80", "années 2000", "90er"
            for m in DECADE_I18N.finditer(t):
                century, digit = m.group(1) or m.group(3), int(m.group(2) or m.group(4))
                start = int(century) * 100 + digit * 10 if century else (1900 if digit >= 3 else 2000) + digit * 10
                args["year_min"], args["year_max"] = start, start + 9
                spans.append(m.group(0))
            for m in BEFORE_I18N.finditer(t):
                args["year_max"] = int(m.group(2)) - (1 if m.group(1) in EXCLUSIVE else 0)
                spans.append(m.group(0))
            for m in AFTER_I18N.finditer(t):
                args["year_min"] = int(m.group(2)) + (1 if m.group(1) in EXCLUSIVE else 0)
                spans.append(m.group(0))
        if "year_min" in args or "year_max" in args:  # "newer, 2010s": the years said win over the era word
            for rx in (NEWER, OLDER):
                spans += [m.group(0) for m in rx.finditer(t)]
        else:
            older = OLDER.search(t)
            m = older or NEWER.search(t)
            era = _era_window(lookup, state, -1 if older is not None else 1) if m is not None else None
            if era is not None:
                args.update(era)
                spans.append(m.group(0))  # type: ignore[union-attr]
    residual = t
    for span in sorted(spans, key=len, reverse=True):
        residual = residual.replace(normalize_text(span), " ", 1)
    residual = " ".join(residual.split())
    words = [w for w in residual.split() if w not in FILLER]
    if words and state.last is not None and state.last.kind == "text" and state.last.request and language_phrase(
            residual):  # "in Spanish" after "something for a rainy day": that request, in Spanish
        args["language"] = residual
        words = []
    elif words and state.last is not None and state.last.kind == "text" and state.last.request and attribute_phrase(
            residual):  # "only female singers" after "90s rock": that request (and its refusals) with the attribute,
        args["add_words"] = residual  # whose note says the catalog has no data on it (it was a new request)
        words = []
    if words:
        m = _ONLY.search(residual)
        phrase = (m.group(1) or m.group(2) or "") if m else ""
        phrase = " ".join(w for w in phrase.split() if w not in FILLER)
        genre = _genre(lookup, phrase) if phrase and phrase == " ".join(words) else None
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


def _older_and_newer(text: str) -> bool:
    """True when ``text`` is only an era follow-up that says both "older" and "newer" ("older and newer", "más nuevas
    y más antiguas"): their words (:data:`core.moves.NEWER` / :data:`core.moves.OLDER`) and filler, nothing else."""
    t = normalized(text)
    if not era_both(t):
        return False
    for rx in (NEWER, OLDER):
        t = rx.sub(" ", t)
    return all(w in FILLER for w in t.split())


def _anchor_request(lookup: TrackLookup, track_id: str | None, around: str) -> str | None:
    """"like #2 but newer" said as an anchored request on the list's track: ``"like TITLE by ARTIST but newer"``
    (the words around the list number kept, as :func:`core.anchors.find_anchor` reads a title by an artist), or
    None when the number names no track of the table. A title the request's words would not read back as that song
    (commas, "My, My, My" by Johnny Gill, was read as the artist alone) is written as the track's Spotify link, which
    :func:`core.anchors.find_anchor` reads first."""
    t = lookup.table
    p = t.pos.get(track_id or "")
    if p is None or not t.artists[p]:
        return None
    rest = " ".join(around.split())
    text = f"like {t.titles[p]} by {t.artists[p][0]} {rest}".strip()
    anchor = find_anchor(text, t, lookup.refs)
    if anchor is None or anchor.kind != "track" or not anchor.seeds or t.norm_keys[anchor.seeds[0]] != t.norm_keys[p]:
        # a title the words cannot carry back to this song ("My, My, My" was read as the artist): its link can
        text = f"like {spotify_url(t.ids[p])} {rest}".strip()
    return text


def _standing_years(state: ConversationState, around: str) -> str:
    """The years the conversation's last request kept to, as words an anchored request reads ("from 1990 to 2009",
    "before 2010", "after 2014"), when the list on screen is that request's and the new words name no era of their
    own ("like #2 but newer" moves the era; "like #2 but slower" keeps it); "" otherwise."""
    last = state.last
    if last is None or not state.page_of_last:
        return ""
    lo, hi = last.filters.year_min, last.filters.year_max
    norm = normalized(around)
    if (lo is None and hi is None) or any(rx.search(norm) for rx in (NEWER, OLDER)) or any(
            rx.search(around) for rx in (_DECADE, _RANGE, _BEFORE, _AFTER)):
        return ""
    if lo is not None and hi is not None:
        return f"from {lo} to {hi}"
    return f"before {hi + 1}" if hi is not None else f"after {lo - 1}"


def _has_modifier(rest: str) -> bool:
    """True when the text around an anchor says more than filler ("songs like X" vs "like X but slower")."""
    words = [w for w in normalize_text(rest).split()
             if w not in FILLER and w not in ("like", "similar", "sounds") and not w.isdigit()]  # "20 songs like X"
    return bool(words)


def recommend_intent(text: str, lookup: TrackLookup, state: ConversationState) -> Intent:
    """The tool call for a recommendation request or a follow-up (``text`` whitespace-normalized); a plain
    ``recommend(request=text)`` when nothing more specific matches."""
    low = text.lower().strip()
    folded = " ".join(fold(low).replace("\u2019", "'").split())  # "Más como el #2" -> "mas como el #2"
    if _MORE.match(low) or MORE_PAGE.match(folded):
        if state.last is None:
            from core.agent.followup_replies import nothing_yet

            return Intent(reply=nothing_yet(text, NOTHING_YET))
        return Intent(tool="more_recommendations")
    m = _LIKE_NUM.search(low) or _LIKE_NUM_I18N.search(folded)
    if m and state.last_page:
        n = page_number(m, state)
        if n:
            said = m.string  # the string the match was made in (lower-cased or folded)
            around = f"{said[: m.start()]} {said[m.end():]}"
            anchored = _anchor_request(lookup, state.page_ref(n), around) if _has_modifier(around) else None
            years = _standing_years(state, around) if anchored else ""
            if years:  # "before 2010", then "like #2 but slower": still before 2010
                anchored = f"{anchored} {years}"
            if anchored:  # "something like #2 but newer": the anchored text path makes the move around that track
                return Intent(tool="recommend", args={"request": anchored})
            return Intent(tool="recommend_similar", args={"refs": [f"#{n}"]})
    if (_LIKE_THAT.match(low) or LIKE_THAT.match(folded)) and (state.focus or state.last_page):
        return Intent(tool="recommend_similar", args={"refs": [state.focus or state.last_page[0]]})
    m = _EXPLAIN.match(folded.lstrip("¿¡ "))  # "¿por qué el #3?"
    if m and state.last_page:
        n = page_number(m, state)
        if n:
            return Intent(tool="explain_track", args={"ref": f"#{n}"})
    if _EXPLAIN_THAT.match(low) and (state.focus or state.last_page):
        return Intent(tool="explain_track", args={"ref": state.focus or state.last_page[0]})
    only = list_number(text.strip(" ?!."))  # "#3" alone: track 3 of the list on screen, as "/song #3" shows it
    if only is not None and state.last_page:
        return Intent(tool="get_track", args={"ref": f"#{only}"})
    m = _SONG_QUESTION.match(text)
    if m:
        return Intent(tool="get_track", args={"ref": next(g for g in m.groups() if g).strip(" \"'?")})
    m = _HAVE_SONG.match(text)
    if m:
        ref = next(g for g in m.groups() if g).strip(" \"'?!.")
        if _is_song(lookup, ref):
            return Intent(tool="get_track", args={"ref": ref})
    m = _ABOUT.match(text)
    if m:
        ref = m.group(1).strip(" \"'?")
        mn = re.fullmatch(NUM, ref.lower())
        if mn:
            n = page_number(mn, state)
            ref = f"#{n}" if n else ref
        return Intent(tool="get_track", args={"ref": ref})
    m = _SEARCH.match(text) or _BY_ARTIST.match(text)
    if m:
        return Intent(tool="search_tracks", args={"query": m.group(1).strip(" \"'"), "limit": 10})
    if (state.last is not None or state.last_page) and _older_and_newer(text):
        from core.agent.followup_replies import era_both_reply

        return Intent(reply=era_both_reply(text))  # never a silent new request for "the last ~3 years"
    if state.last is not None or state.last_page:
        refinement = parse_refinement(text, lookup, state)
        if refinement is not None:
            return Intent(tool="refine_recommendations", args=refinement)
    anchor = find_anchor(text, lookup.table, lookup.refs)
    if anchor is not None and (anchor.unresolved or anchor.kind == "artist" or _has_modifier(anchor.rest)):
        # "like Drake but newer": the text path runs the similarity engine from the anchor, modifiers around it
        return Intent(tool="recommend", args={"request": text})
    m = _SIMILAR.match(text)
    if m:
        target = m.group(2).strip(" \"'")
        refs = similar_refs(lookup, target)
        args: dict = {"refs": refs[:5] or [target]}
        if m.group("count"):  # "20 songs like Mr. Brightside": the tool caps it (core.limits) and says so
            args["limit"] = int(m.group("count"))
        return Intent(tool="recommend_similar", args=args, fallback_request=text)
    if _bare_title(lookup, text):  # "Hotel California" alone: that song's radio, not the playlist "… California …"
        return Intent(tool="recommend_similar", args={"refs": [text.strip(" \"'!?.")]}, fallback_request=text)
    return Intent(tool="recommend", args={"request": text})


def _bare_title(lookup: TrackLookup, text: str) -> bool:
    """True when a whole message is a catalog song's title and nothing else: two to eight words, title-cased (or
    quoted), the song's title without its version suffix, and no word of it a mood, activity or style phrase the
    text understanding knows ("Chill Vibes", "Summer Party" stay requests; :func:`core.text.concepts.load_vocabulary`,
    :func:`core.coverage.find_styles`)."""
    from core.catalog import base_title
    from core.coverage import find_styles
    from core.text.concepts import load_vocabulary

    raw = text.strip()
    quoted = raw[:1] in "\"“'" and raw[-1:] in "\"”'"
    name = raw.strip(" \"“”'!?.")
    words = name.split()
    if not 2 <= len(words) <= 8 or not (quoted or all(w[:1].isupper() or not w[:1].isalpha() or w.lower() in
                                                      ("a", "an", "the", "of", "in", "on", "to", "and", "my")
                                                      for w in words)):
        return False
    key = normalize_text(name)
    index = load_vocabulary().index
    if find_styles(name) or any(w in index for w in key.split()) or key in index:
        return False
    try:
        pos = lookup.resolve(name, fuzzy=False)
    except MusicBotError:
        return False
    return normalize_text(base_title(lookup.table.titles[pos])) == key

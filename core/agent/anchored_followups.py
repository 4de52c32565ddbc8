"""Follow-ups to an anchored request: "like Coldplay but more upbeat", then "slower" / "moins rapide" / "weniger
fröhlich".

The anchored path (:meth:`core.app.discovery.Discovery._anchored`) reads its moves from the words around the anchor
and measures them from the anchor's own audio features, and its summary ("Like Coldplay (more upbeat)") lists them.
A follow-up's move is therefore restated in those words: the request becomes "more upbeat, slower like Coldplay"
(the moves before the anchor, where no song title can swallow them). A move is one step, as everywhere else: a move
against an earlier one on the same axis takes that one back ("less upbeat" after "like Coldplay but more upbeat" is
Coldplay's own mood again — never both words averaged, never a jump two steps down); a second "less upbeat" then
goes below it. The words are the move's cue in the request's
own language (:data:`core.agent.followup_replies.MOVE_CUES`), so the request stays in one language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from core.anchors import find_anchor
from core.followup_words import fold
from core.moves import OPPOSED, move_cues, move_matches

if TYPE_CHECKING:
    from core.app.ports import TrackLookup

#: A connector at the end of what is left of the words around the anchor ("like X but" once "more upbeat" is gone).
_CONNECTOR = re.compile(r"(?:^|\s)(?:but|and|pero|y|mas|mais|e|et|aber|und|only|solo|nur|a bit|un poco|un peu|etwas)$",
                        re.IGNORECASE)
#: A connector left at the start before a comma ("but , slower" once "more upbeat" is gone); "mais alegre" is kept (no comma).
_LEADING = re.compile(r"^(?:but|and|pero|y|mas|mais|e|et|aber|und)\s*(?:,|$)", re.IGNORECASE)
#: The cue word of a plain anchor per language, for a bare anchor ("Drake but chiller") whose moves all went back.
_LIKE = {"en": "like", "es": "como", "pt": "como", "fr": "comme", "de": "wie"}
#: Move cue -> its axis (a cue outside :data:`core.moves.OPPOSED` is its own axis).
_AXIS = {cue: axis for low, high, axis in OPPOSED for cue in (low, high)}


def _cue_words(cue: str, lang: str) -> str:
    from core.agent.followup_replies import MOVE_CUES

    return MOVE_CUES.get(cue, {}).get(lang, cue)


def restate_anchored(lookup: TrackLookup, request: str, deltas: Mapping[str, float]) -> str:
    """``request`` with the moves of ``deltas`` said around its anchor (see module docstring); ``request`` unchanged
    when it names no catalog artist or song. Pure: reads the lookup's table and references only."""
    anchor = find_anchor(request, lookup.table, lookup.refs)
    if anchor is None or not anchor.seeds or not anchor.span:
        return request
    cues = move_cues(deltas)
    if not cues:
        return request
    axes = {_AXIS.get(c, c): c for c in cues}
    rest = anchor.rest
    folded = " " + re.sub(r"[^\w]", " ", fold(rest)) + " "
    if len(folded) != len(rest) + 2:  # a character that folds to several ("ﬁ"): work on the folded text
        rest, folded = folded.strip(), folded
    cut: list[tuple[int, int]] = []
    for m, move in move_matches(folded):
        new = axes.get(_AXIS.get(move.cue, move.cue))
        if new is None:
            continue
        cut.append((m.start() - 1, m.end() - 1))
        if new != move.cue and new in cues:  # one step back: "less upbeat" after "more upbeat" is the anchor's mood
            cues.remove(new)
    for start, end in sorted(cut, reverse=True):
        rest = rest[: max(start, 0)] + " " + rest[max(end, 0):]
    if not cues and not cut:
        return request
    from core.text.language import detect_language

    lang = detect_language(request)
    said = ", ".join(_cue_words(c, lang) for c in cues)
    rest = re.sub(r"\s*[,;](?:\s*[,;])*\s*", ", ", " ".join(rest.split())).strip(" ,;")
    rest = _CONNECTOR.sub("", rest).strip(" ,;")  # "but" left alone once its move is gone
    rest = _LEADING.sub("", rest).strip(" ,;")
    moves = ", ".join(x for x in (rest, said) if x)
    if anchor.bare:  # "Drake but chiller": no cue, so the name stays first ("Drake but chiller, slower")
        return f"{anchor.span} {moves}".strip() if moves else f"{_LIKE.get(lang, 'like')} {anchor.span}"
    return f"{moves} {anchor.span}".strip()

"""What ``/chart`` and the adapters' "📊 Chart" buttons picture, and the reply that carries the PNG.

One place decides what a chart of "the list on screen" compares against (the request's target audio features, the
ranges it stated in numbers and its tempo filter, or the reference songs of a "similar" request) and words the
caption, for every adapter (each function takes the narrow :class:`~core.app.ports.ChartLookup` /
:class:`~core.app.ports.TrackLookup` port, e.g. :class:`core.app.discovery.Discovery`): :func:`chart_command` (the chat's ``/chart [SONG]``), :func:`page_subject` (a list an
adapter remembers for its buttons), :func:`track_chart_reply` and :func:`list_chart_reply`. Drawing goes through
:func:`core.charts.draw`: a failure never raises, the reply then says so and keeps the data for a text rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core import charts
from core.error_words import invalid
from core.errors import MusicBotError
from core.models import ChatReply, Filters, NeedsClarification, Recommendation, RecommendedTrack, Track
from core.references import check_text
from core.reply_words import localize_note, say

if TYPE_CHECKING:
    from core.app.ports import ChartLookup, TrackLookup
    from core.conversation import ConversationState


async def chart_command(lookup: ChartLookup, state: ConversationState, ref: str = "") -> ChatReply:
    """``/chart SONG`` (``ref`` already resolved from ``#N``): the track's chart; ``/chart``: the list on screen in
    conversation ``state`` against what was asked.

    Raises:
        InvalidInput: no list was shown yet (and no song given). SongNotFound: ``ref`` did not resolve.
    """
    if ref:
        found = lookup.resolve_ref(check_text(ref, "song reference"))
        track = lookup.table.track(found.pos)
        state.focus = track.track_id
        return await track_chart_reply(track, localize_note(found.note, state.lang), state.lang)
    rec, refs = list_subject(lookup, state)
    if rec is None:
        raise invalid("chart nothing")
    return await list_chart_reply(rec, refs, state.lang)


async def track_chart_reply(track: Track, note: str = "", lang: str = "en") -> ChatReply:
    """One track's chart: ``text`` = the note (a swapped-in track, said first) and "Title - Artist"; ``chart`` =
    the PNG, or None with the reason in ``text`` (no audio features, drawing failed) and ``track`` for the numbers.
    The reasons in ``lang`` (:data:`core.reply_words.REPLY_WORDS`)."""
    caption = "\n".join(filter(None, [note, f"{track.title} - {track.artist}"]))
    if all(getattr(track, f) is None for f in charts.ALL_FEATURES):
        return ChatReply(text=f"{caption}\n{say('chart no features', lang)}", track=track, lang=lang)
    png = await charts.draw(charts.track_chart, track, lang)
    if png is None:
        return ChatReply(text=f"{caption}\n{say('chart failed', lang)}", track=track, lang=lang)
    return ChatReply(text=caption, track=track, chart=png, lang=lang)


async def list_chart_reply(rec: Recommendation, refs: Sequence[Track] = (), lang: str = "en") -> ChatReply:
    """A list's chart against what was asked; ``text`` is the caption ("10 tracks for “chill”, against what you
    asked for", in ``lang``). ``chart`` None (no track with audio features, drawing failed): ``text`` says so and
    ``recommendation`` keeps the list."""
    png = await charts.draw(charts.recommendation_chart, rec, list(refs), lang)
    n = len(rec.tracks)
    if rec.kind in ("search", "playlist") and not rec.target:
        text = say("chart features for", lang, n=n, q=rec.query) if rec.query else say("chart features last", lang, n=n)
    elif rec.kind == "similar" and refs:
        names = " + ".join(f"“{t.title}”" for t in refs)
        text = say("chart like many" if len(refs) > 1 else "chart like one", lang, n=n, names=names)
    else:
        text = say("chart for", lang, n=n, q=rec.query or rec.summary)
    if png is None:
        return ChatReply(text=say("chart none", lang, text=text), recommendation=rec, lang=lang)
    return ChatReply(text=text, recommendation=rec, chart=png, lang=lang)


def _items(lookup: TrackLookup, track_ids: Sequence[str], reasons: Sequence[str] = ()) -> list[RecommendedTrack]:
    items = []
    for i, track_id in enumerate(track_ids):
        pos = lookup.table.pos.get(track_id)
        if pos is None:  # deleted since it was shown
            continue
        items.append(RecommendedTrack(track=lookup.table.track(pos), score=0.0, reason=reasons[i] if i < len(reasons) else ""))
    return items


def _refs(lookup: TrackLookup, refs: Sequence[str]) -> list[Track]:
    """The reference songs (track ids, or the references as typed: links, titles) still in the catalog, at most 5."""
    out = []
    for ref in refs[:5]:
        pos = lookup.table.pos.get(ref)
        if pos is None:
            try:
                pos = lookup.resolve(ref, fuzzy=False)
            except MusicBotError:
                continue
        out.append(lookup.table.track(pos))
    return out


def list_subject(lookup: TrackLookup, state: ConversationState) -> tuple[Recommendation | None, list[Track]]:
    """The list on screen as a :class:`Recommendation` for :func:`core.charts.recommendation_chart` (target,
    ranges and filters of the request that made it; ``kind`` search when it was a search or playlist page), and the
    reference tracks of a "similar" request. ``(None, [])`` when no list was shown (or its tracks left the catalog)."""
    items = _items(lookup, state.last_page, state.page_reasons)
    if not items:
        return None, []
    last, shown = state.last, set(state.shown)
    if last is None or not all(t.track.track_id in shown for t in items):  # a search or playlist page: no target
        return Recommendation(kind="search", summary=say("chart last list", state.lang or "en"), tracks=items), []
    refs = _refs(lookup, last.refs) if last.kind == "similar" else []
    query = last.request or (f"playlist {last.playlist}" if last.playlist else "")
    rec = Recommendation(
        kind=last.kind, query=query, tracks=items, target=dict(last.target), filters=last.filters, ranges=dict(last.ranges)
    )
    return rec, refs


async def page_subject(
    lookup: ChartLookup,
    kind: str,
    query: str,
    track_ids: Sequence[str],
    refs: Sequence[str] = (),
    filters: Filters | None = None,
) -> tuple[Recommendation | None, list[Track]]:
    """A list an adapter remembers for its buttons (``kind`` text / similar / search / playlist, the request text,
    the page's track ids, the reference songs' ids) as a chartable :class:`Recommendation`: a text request is read
    again by the local text understanding for its target and stated ranges (cheap; no LLM); ``(None, [])`` when
    none of the tracks is still in the catalog."""
    items = _items(lookup, track_ids)
    if not items:
        return None, []
    target: dict[str, float] = {}
    ranges: dict[str, list[Any]] = {}
    if kind == "text" and query.strip():
        parsed = await lookup.understand_async(query)
        if not isinstance(parsed, NeedsClarification):
            target = {k: round(float(v), 3) for k, v in parsed.target.items()}
            ranges = {k: list(v) for k, v in parsed.ranges.items()}
    ref_tracks = _refs(lookup, refs) if kind == "similar" else []
    rec_kind = kind if kind in ("text", "similar", "search", "playlist") else "search"
    rec = Recommendation(kind=rec_kind, query=query if kind != "similar" else "", tracks=items, target=target,
                         filters=filters or Filters(), ranges=ranges)
    return rec, ref_tracks

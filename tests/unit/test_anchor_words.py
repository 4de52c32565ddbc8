"""Parsing of the words around an anchor (issue 10, anchored modifiers): "less rap" / "more rap" are speechiness moves in
five languages, "older and newer" is an era contradiction settled for the one said last and named, comparatives that
nothing applies ("more melodic") are listed and worded for the first line, and a follow-up at its ceiling is worded
in every reply language."""

from __future__ import annotations

import pytest

from core.agent.ceilings import CEILING, ceiling_line
from core.anchor_words import UNREAD, read_rest, unread_line
from core.models import Filters, NeedsClarification, TextQuery
from core.moves import era_reading, read_moves
from core.steps import SPEECH_STEP


@pytest.mark.parametrize(("text", "sign"), [
    ("but less rap", -1), ("but less rapping", -1), ("pero menos rap", -1), ("mais moins de rap", -1),
    ("aber weniger Rap", -1), ("but more rap", 1), ("pero más rap", 1), ("plus de rap", 1), ("mehr Rap", 1),
])
def test_rap_comparatives_move_speechiness(text: str, sign: int) -> None:
    reading = read_moves(text)
    assert reading.deltas == {"speechiness": pytest.approx(sign * SPEECH_STEP)}
    assert reading.cues == ["less rap" if sign < 0 else "more rap"]


def test_rap_moves_are_follow_ups_alone() -> None:
    assert read_moves("less rap", alone=True).deltas == {"speechiness": -SPEECH_STEP}  # never a new "not rap" request


@pytest.mark.parametrize(("text", "move", "kept"), [
    ("but older and newer", 1, "newer"), ("newer and then older", -1, "older"), ("más nuevas y más antiguas", -1, "older"),
    ("but newer", 1, None), ("older", -1, None), ("slower", 0, None),
])
def test_era_reading_names_both_eras(text: str, move: int, kept: str | None) -> None:
    said, conflict = era_reading(text)
    assert said == move
    if kept is None:
        assert conflict is None
    else:
        assert conflict is not None and conflict.kept == kept and conflict.axis == "era"
        assert set(conflict.sides) == {"older", "newer"} and conflict.ask != kept


def _parse(text: str) -> TextQuery | NeedsClarification:
    """A stand-in understanding: knows "acoustic" (a feature) and "rock" (a genre), nothing else."""
    if "acoustic" in text:
        return TextQuery(text=text, target={"acousticness": 0.8}, weights={"acousticness": 1.0}, filters=Filters(),
                         cues=["acoustic → acoustic"])
    if "rock" in text:
        return TextQuery(text=text, labels={"genre:rock": 1.0}, filters=Filters(), cues=["rock → genre:rock"])
    return NeedsClarification(question="what do you mean?")


def test_comparatives_nothing_applies_are_listed() -> None:
    reading = read_rest(_parse, "but more melodic and less rap", {"speechiness": -SPEECH_STEP})
    assert reading.unread == ["more melodic"]  # "less rap" is a move
    assert read_rest(_parse, "but more acoustic", {}).unread == []  # a move of the fixed table
    assert read_rest(_parse, "but more rock", {}).unread == []  # a genre the understanding reads
    assert read_rest(_parse, "but more rock", {}).prefer == ["genre:rock"]
    assert read_rest(_parse, "but more soulful", {}).unread == ["more soulful"]
    assert read_rest(_parse, "but a bit More Melodic", {}).unread == ["More Melodic"]
    assert read_rest(_parse, "but more melodic, less soulful", {}).unread == ["more melodic", "less soulful"]
    assert read_rest(_parse, "pero más melódico", {}).unread == ["más melódico"]  # as written
    assert read_rest(_parse, "", {}).unread == []


def test_cues_of_the_rest_leave_out_what_a_move_or_a_year_window_says() -> None:
    def parse(text: str) -> TextQuery:
        return TextQuery(text=text, target={"valence": 0.2, "acousticness": 0.8}, filters=Filters(year_min=2010),
                         weights={"valence": 0.8, "acousticness": 0.8},
                         cues=["darker → low valence", "2010s → 2010–2019", "unplugged → acoustic", "recent → 2018+"])

    reading = read_rest(parse, "but darker, from the 2010s, unplugged", {"valence": -0.2})
    assert reading.cues == []  # "darker" and "unplugged" are moves; the years are the anchored path's own cue
    assert read_rest(parse, "but from the 2010s and unplugged", {}).cues == []
    assert read_rest(parse, "but darker", {}).targets == {"acousticness": (0.8, 0.8), "valence": (0.2, 0.8)}


@pytest.mark.parametrize("lang", list(UNREAD))
def test_unread_line_in_every_language(lang: str) -> None:
    line = unread_line(["more melodic", "less soulful"], "Drake", lang)
    assert "Drake" in line and "more melodic" in line and "less soulful" in line
    assert unread_line([], "Drake", lang) == ""


@pytest.mark.parametrize("lang", list(CEILING))
def test_ceiling_line_in_every_language(lang: str) -> None:
    line = ceiling_line(["faster"], lang)
    assert line and line != ceiling_line(["newer"], lang)
    assert ceiling_line([], lang) == ""
    if lang == "en":
        assert "fastest" in line and "faster" in line


def test_a_cue_of_the_rest_no_move_says_is_kept() -> None:
    def parse(text: str) -> TextQuery:
        return TextQuery(text=text, target={"acousticness": 0.8}, weights={"acousticness": 0.7}, filters=Filters(),
                         cues=["The catalog has no data on instruments (“piano”); I matched the sound.",
                               "piano → acoustic, soft"])

    reading = read_rest(parse, "but with piano", {})
    assert reading.cues == ["piano → acoustic, soft"] and reading.targets == {"acousticness": (0.8, 0.7)}


def test_french_but_before_a_comparative_is_not_the_comparative() -> None:
    assert read_rest(_parse, "mais plus mélodique", {}).unread == ["plus mélodique"]


def _mood_parse(text: str) -> TextQuery | NeedsClarification:
    """A stand-in for the text understanding: mood words as absolute targets and implied labels, "rap" and "rock" as
    the genres they name (what the real one reads for them)."""
    target: dict[str, float] = {}
    labels: dict[str, float] = {}
    words = text.split()
    if "darker" in words or "sad" in words:
        target["valence"] = 0.18
    if "softer" in words or "ruhiger" in words:
        target["energy"] = 0.3
    if "aggressive" in words or "agresivo" in words:
        target["energy"] = 0.9
        labels.update({"subgenre:hard rock": 0.8, "subgenre:gangster rap": 0.8})
    if "rap" in words:
        labels["genre:rap"] = -1.0 if "less" in words else 1.0
    if "rock" in words:
        labels["genre:rock"] = 1.0
    if not target and not labels:
        return NeedsClarification(question="?")
    return TextQuery(text=text, target=target, weights={k: 1.0 for k in target}, labels=labels, filters=Filters())


@pytest.mark.parametrize("rest", [
    "but darker", "less sad", "but softer", "aber ruhiger", "but more aggressive", "less aggressive",
    "pero menos agresivo", "but darker and softer",
])
def test_words_a_move_reads_are_not_read_again_as_targets_or_styles(rest: str) -> None:
    """"darker than Daft Punk" is measured from Daft Punk: the same word read again as valence 0.18 (or "more
    aggressive" as the hard rock label) would override the anchor instead of moving from it."""
    deltas = read_moves(rest).deltas
    assert deltas
    reading = read_rest(_mood_parse, rest, deltas)
    assert reading.targets == {} and reading.prefer == [] and reading.avoid == [], reading


@pytest.mark.parametrize(("rest", "prefer", "avoid"), [
    ("but less rap", [], ["genre:rap"]),  # the move names the style: the rappers leave too
    ("pero más rock", ["genre:rock"], []),  # no move: the style asked for
    ("but darker and more rock", ["genre:rock"], []),
])
def test_a_style_said_beside_or_inside_a_move_is_still_read(rest: str, prefer: list[str], avoid: list[str]) -> None:
    reading = read_rest(_mood_parse, rest, read_moves(rest).deltas)
    assert reading.prefer == prefer and reading.avoid == avoid
    assert "valence" not in reading.targets

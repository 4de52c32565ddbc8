"""The one vocabulary of relative moves (core.moves): anchored requests and follow-ups read the same table, in
English, Spanish, Portuguese, French and German; bare style words shift an anchor but are no follow-up alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import core.agent.intents_recommend as intents
import core.anchors as anchors
from core.moves import MOVES, era_move, era_reading, move_matches, normalized, relative_moves


@pytest.mark.parametrize(
    ("text", "feature", "sign"),
    [
        ("but slower", "tempo", -1), ("pero más lento", "tempo", -1), ("mas mais lenta", "tempo", -1),
        ("mais plus lent", "tempo", -1), ("aber langsamer", "tempo", -1), ("but faster", "tempo", 1),
        ("pero más triste", "valence", -1), ("mais plus calme", "energy", -1), ("aber ruhiger", "energy", -1),
        ("but more upbeat", "valence", 1), ("mas mais alegre", "valence", 1), ("heavier", "energy", 1),
        ("but more acoustic", "acousticness", 1), ("less aggressive", "energy", -1),
    ],
)
def test_moves_in_five_languages(text: str, feature: str, sign: int) -> None:
    deltas, cues = relative_moves(text)
    assert deltas[feature] * sign > 0 and cues


def test_one_move_counts_once_and_distributes_over_and() -> None:
    assert relative_moves("slower, much slower")[0] == {"tempo": -0.15}
    assert relative_moves("more acoustic")[0] == {"acousticness": 0.3, "energy": -0.1}  # not doubled by "acoustic"
    deltas, cues = relative_moves("more upbeat and danceable")
    assert cues == ["more upbeat", "more danceable"] and deltas["danceability"] == 0.2


def test_bare_style_words_are_no_follow_up_alone() -> None:
    assert relative_moves("acoustic")[0]["acousticness"] > 0
    assert relative_moves("acoustic", alone=True) == ({}, [])
    assert not list(move_matches(normalized("romantic"), alone=True))


def test_era_words() -> None:
    assert era_move("but newer") == 1 and era_move("pero más antiguos") == -1 and era_move("mais plus récent") == 1
    assert era_move("aber neuere") == 1 and era_move("slower") == 0
    # both: the one said last, the contradiction named by core.moves.era_reading (never a silent 0 / reset)
    assert era_move("newer or older") == -1 and era_reading("newer or older")[1] is not None


def test_there_is_one_table() -> None:
    """The anchored path and the follow-ups no longer hold vocabularies of their own."""
    assert not hasattr(anchors, "RELATIVE") and not hasattr(intents, "MODIFIERS")
    assert anchors.relative_moves is relative_moves
    assert len({m.cue for m in MOVES}) >= 10


@given(st.sampled_from([m for m in MOVES if m.alone]), st.sampled_from(["", "a bit ", "please "]))
def test_every_follow_up_move_is_found_by_both_readers(move, prefix: str) -> None:
    # the first alternative of each pattern, as typed
    word = move.pattern.pattern[len(r"\b(?:"):].split("|")[0]
    sample = {"(?:up ?beat|happy|cheerful|positive|bright|poppy)": "upbeat"}
    for k, v in sample.items():
        word = word.replace(k, v)
    if any(c in word for c in "()[]?\\"):
        return  # a pattern with alternatives inside its first branch: covered by the parametrized cases
    deltas, cues = relative_moves(prefix + word)
    assert move.cue in cues
    assert [mv.cue for _m, mv in move_matches(normalized(prefix + word), alone=True)][:1] == [move.cue]


def test_opposite_moves_are_named_and_the_last_said_wins() -> None:
    from core.moves import conflict_sentence, read_moves

    reading = read_moves("like Coldplay but slower, no wait, faster")
    assert reading.deltas == {"tempo": 0.15} and reading.cues == ["faster"]
    (c,) = reading.conflicts
    assert (c.axis, c.sides, c.kept, c.ask) == ("tempo", ["slower", "faster"], "faster", "slower")
    assert conflict_sentence(c).startswith("“slower” and “faster” pull opposite ways: “faster” wins")
    sad = read_moves("pero más alegre y más triste")
    assert sad.conflicts[0].kept == "sadder" and sad.deltas["valence"] < 0
    assert read_moves("less acoustic").cues == ["more electronic"] and not read_moves("less acoustic").conflicts
    assert read_moves("slower and calmer").conflicts == []

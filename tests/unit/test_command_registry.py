"""The command registry (core/commands.py), the one field=value parser (core/fields.py) and the #N syntax."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import policy
from core.commands import (
    REGISTRY,
    commands_on,
    help_text,
    list_number,
    menu,
    number_refs,
    playlist_subcommand,
    spec,
    telegram_spec,
)
from core.errors import InvalidInput, PermissionDenied
from core.fields import ALL_FIELDS, parse_addsong, parse_editsong, parse_fields
from core.models import AUDIO_FEATURES, Caller, Role


def test_registry_names_fit_every_platform() -> None:
    names = [s.name for s in REGISTRY]
    assert len(names) == len(set(names))
    for s in REGISTRY:
        assert 1 <= len(s.summary) <= 100, s.name  # Discord's description limit
        if s.telegram:
            assert re.fullmatch(r"[a-z0-9_]{1,32}", s.telegram), s.telegram  # Telegram's command-name rule
        if s.discord:
            assert all(re.fullmatch(r"[a-z0-9_-]{1,32}", part) for part in s.discord.split()), s.discord
        for arg in s.args:
            assert re.fullmatch(r"[a-z_]{1,32}", arg.name) and len(arg.help) <= 100, (s.name, arg.name)
    telegram = [s.telegram for s in REGISTRY if s.telegram]
    assert len(telegram) == len(set(telegram))
    assert telegram_spec("pl_add") is spec("playlist add")
    assert {s.name for s in commands_on("cli")} == {"addsong", "editsong", "delsong"}
    assert all(s.admin for s in commands_on("cli"))


def test_help_and_menus_come_from_the_registry() -> None:
    text = help_text()
    for s in commands_on("console"):
        if s.menu and not s.admin:
            assert s.chat_usage in text, s.name
    assert "/addsong" not in text and "/addsong" in help_text(admin=True)
    users, admins = menu("telegram"), menu("telegram", admin=True)
    assert ("pl_add", spec("playlist add").summary) in users
    assert not {n for n, _ in users} & {"addsong", "editsong", "delsong"}
    assert {"addsong", "editsong", "delsong"} <= {n for n, _ in admins}
    assert "playlist" not in {n for n, _ in users}  # the /playlist dispatcher is handled, not listed


@pytest.mark.parametrize(
    "word, sub",
    [("create", "create"), ("new", "create"), ("rm", "remove"), ("del", "remove"), ("drop", "delete"),
     ("LS", "list"), ("rec", "recommend"), ("help", "help"), ("banana", None)],
)
def test_playlist_subcommand_aliases(word: str, sub: str | None) -> None:
    assert playlist_subcommand(word) == sub


def test_list_refs() -> None:
    assert list_number("#3") == 3 and list_number(" no. 12 ") == 12 and list_number("number 4") == 4
    assert list_number("#3 Blinding Lights") is None and list_number("3") is None
    assert number_refs("#1 #3") == ["#1", "#3"]
    assert number_refs("#1, #3 and #5") == ["#1", "#3", "#5"]
    assert number_refs("#2; #4") == ["#2", "#4"]
    assert number_refs("#1 Blinding Lights") is None and number_refs("Song #9") is None


def test_policy_requires_the_registry_permission() -> None:
    user, admin = Caller(user_id="1", platform="telegram"), Caller(user_id="2", platform="telegram", role=Role.ADMIN)
    assert policy.may_run(user, "recommend") and policy.may_run(admin, "addsong")
    with pytest.raises(PermissionDenied, match="only admins can add a track"):
        policy.require_command(user, "addsong")
    assert policy.require_command(admin, "delsong") is admin


# ---------------------------------------------------------------------------------------------- field=value
FEATURES = "danceability=0.5 energy=0.6 key=5 loudness=-7.5 mode=1 speechiness=0.05 acousticness=0.2 " \
           "instrumentalness=0 liveness=0.1 valence=0.5 tempo=118"


def test_parse_fields_forms_people_type() -> None:
    assert parse_fields("title=Don't Stop Me Now - Remastered energy=0.9") == {
        "title": "Don't Stop Me Now - Remastered", "energy": 0.9}
    assert parse_fields("artist=AC\\DC | BPM=120") == {"artists": ["AC\\DC"], "tempo": 120.0}
    assert parse_fields("title='Hello World' genre=pop; rock") == {"title": "Hello World", "genres": ["pop", "rock"]}
    assert parse_fields("album=Live: 1999 year=1999") == {"album": "Live: 1999", "year": 1999}
    for bad, field in [("energy=1.5", "energy"), ("colour=red", "colour"), ("key=2.5", "key"),
                       ("loudness=loud", "loudness"), ('title="oops', "fields"), ("just words", "fields")]:
        with pytest.raises(InvalidInput) as exc:
            parse_fields(bad)
        assert exc.value.field == field, bad


def test_addsong_both_forms_agree() -> None:
    tid = "0123456789abcdefABCDEF"
    piped = parse_addsong(f"https://open.spotify.com/track/{tid}?si=x | A Title | A, B | {FEATURES} album=X")
    pairs = parse_addsong(f"track_id=spotify:track:{tid} title=A Title artist=A,B {FEATURES} album=X")
    assert piped == pairs
    assert piped["track_id"] == tid and piped["artists"] == ["A", "B"] and piped["tempo"] == 118.0
    with pytest.raises(InvalidInput) as exc:
        parse_addsong(f"{tid} | t | a | energy=0.5")
    assert "danceability 0–1" in str(exc.value)
    with pytest.raises(InvalidInput, match="Usage"):
        parse_addsong(f"title=T {FEATURES}")


def test_editsong_forms() -> None:
    assert parse_editsong("Blinding Lights - The Weeknd | energy=0.8") == ("Blinding Lights - The Weeknd", {"energy": 0.8})
    assert parse_editsong("#3 bpm=100 title=New Name") == ("#3", {"tempo": 100.0, "title": "New Name"})
    with pytest.raises(InvalidInput):
        parse_editsong("Blinding Lights | track_id=0123456789abcdefABCDEF")
    for bad in ("", "| energy=1", "Blinding Lights"):
        with pytest.raises(InvalidInput):
            parse_editsong(bad)


numbers = st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda x: round(x, 4))
#: Titles as typed: words of letters, with apostrophes inside words (Don't) and typographic ones anywhere.
words = st.from_regex(r"[A-Za-zé’&!?.-]+('[a-z]+)?( [A-Za-zé’&!?.-]+('[a-z]+)?){0,3}", fullmatch=True)


@given(energy=numbers, valence=numbers, title=words, sep=st.sampled_from([" ", "\n", " | ", "  "]))
def test_parse_fields_round_trip(energy: float, valence: float, title: str, sep: str) -> None:
    got = parse_fields(f"energy={energy}{sep}title={title}{sep}valence={valence}")
    assert got == {"energy": energy, "title": title, "valence": valence}


@given(text=st.text(max_size=80))
def test_parse_fields_never_crashes(text: str) -> None:
    try:
        out = parse_fields(text)
    except InvalidInput:
        return
    assert set(out) <= ALL_FIELDS and out


def test_feature_list_matches_model() -> None:
    assert set(AUDIO_FEATURES) <= ALL_FIELDS

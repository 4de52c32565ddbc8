"""Edge parsing: transformers, autocomplete (≤ 25 choices, names ≤ 100 chars, fast), field=value pairs."""

from __future__ import annotations

import time

import pytest

from adapters.discord.transformers import FieldChanges, SongRef, SongRefs, genre_choices, parse_fields
from core.errors import InvalidInput


async def test_song_autocomplete_uses_the_catalog_search(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(10)
    word = track.title.split()[0]
    inter = interaction_factory()
    choices = await SongRef().autocomplete(inter, word)
    assert 1 <= len(choices) <= 25
    assert all(1 <= len(c.name) <= 100 and 1 <= len(c.value) <= 100 for c in choices)
    assert track.track_id in {c.value for c in choices}
    assert len({c.name for c in choices}) == len(choices)
    assert await SongRef().autocomplete(inter, "   ") == []
    assert await SongRef().autocomplete(inter, '"*)(:^') == []  # FTS syntax is neutralised, never an error
    assert isinstance(await SongRef().autocomplete(inter, 'NEAR("a" OR b*'), list)


async def test_autocomplete_caps_at_25_within_discords_deadline(bot, interaction_factory):
    inter = interaction_factory()
    start = time.perf_counter()
    choices = await SongRef().autocomplete(inter, "a")
    assert time.perf_counter() - start < 2.5  # Discord drops autocomplete answers after 3 s
    assert len(choices) <= 25


async def test_autocomplete_keeps_long_names_within_100_chars(bot, interaction_factory, small_engine, admin_caller):
    track = small_engine.loaded.table.track(0)
    data = track.model_dump(exclude={"artist", "spotify_url"})
    # the longest title and name the catalog takes (core.plain_text: 300 / 200 characters)
    data.update(track_id="0123456789abcdefABCDEF", title="Supercalifragilistic " + "x" * 279, artists=["Y" * 200])
    await small_engine.app.admin.add_song(admin_caller, data)
    choices = await SongRef().autocomplete(interaction_factory(), "Supercalifragilistic")
    assert choices and choices[0].value == "0123456789abcdefABCDEF"
    assert len(choices[0].name) == 100 and choices[0].name.endswith("…")


async def test_song_list_autocomplete_completes_the_last_song(bot, interaction_factory, small_engine):
    first, second = small_engine.loaded.table.track(11), small_engine.loaded.table.track(12)
    word = second.title.split()[0]
    choices = await SongRefs().autocomplete(interaction_factory(), f"{first.track_id}; {word}")
    hit = next(c for c in choices if c.value.endswith(second.track_id))
    assert hit.value == f"{first.track_id}; {second.track_id}"
    assert hit.name.startswith(first.title[:20].strip()) or hit.name.startswith("…")


async def test_song_list_transformer(bot, interaction_factory):
    inter = interaction_factory()
    assert await SongRefs().transform(inter, "Blinding Lights; Levitating - Dua Lipa | x") == [
        "Blinding Lights",
        "Levitating - Dua Lipa",
        "x",
    ]
    with pytest.raises(InvalidInput):
        await SongRefs().transform(inter, " ; | ")
    with pytest.raises(InvalidInput):
        await SongRefs().transform(inter, ";".join(f"song {i}" for i in range(26)))
    assert await SongRef().transform(inter, "  Hello\nWorld ") == "Hello World"


async def test_genre_autocomplete(bot, interaction_factory):
    choices = await genre_choices(interaction_factory(), "pop")
    assert choices and all("pop" in c.value.lower() for c in choices) and len(choices) <= 25
    assert len(await genre_choices(interaction_factory(), "")) <= 25


def test_parse_fields():
    assert parse_fields("energy=0.8 tempo=120 title=Hello World genres=pop,rock key=5") == {
        "energy": 0.8,
        "tempo": 120.0,
        "title": "Hello World",
        "genres": ["pop", "rock"],
        "key": 5,
    }
    assert parse_fields('title="A = B" bpm=90 artist="Daft Punk; Pharrell"') == {
        "title": "A = B",
        "tempo": 90.0,
        "artists": ["Daft Punk", "Pharrell"],
    }
    for bad, msg in [
        ("energy=2", "between 0 and 1"),
        ("key=1.5", "whole number"),
        ("tempo=nan", "finite"),
        ("colour=red", "Unknown field"),
        ("hello", "field=value"),
        ("", "Nothing to change"),
        ('title="oops', "quotes"),
        ("energy=0.5 mood=happy", "Unknown field"),
    ]:
        with pytest.raises(InvalidInput, match=msg):
            parse_fields(bad)


async def test_field_changes_cannot_touch_the_id(bot, interaction_factory):
    with pytest.raises(InvalidInput, match="Unknown field"):
        await FieldChanges().transform(interaction_factory(), "track_id=0123456789abcdefABCDEF")

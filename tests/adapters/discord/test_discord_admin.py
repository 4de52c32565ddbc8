"""Admin commands: refusal for non-admins with the catalog unchanged, the add/edit forms, delete confirmation."""

from __future__ import annotations

import pytest
from discord_fakes import ADMIN_ID, MANAGER_ID, USER_ID, invoke, submit

from adapters.discord.admin import AddSongModal, ConfirmDelete, EditSongModal, album_and_date, track_id_from
from adapters.discord.render import embed_problems
from core.errors import InvalidInput


NEW_ID = "4uLU6hMCjMI75M1A2tKUQC"
FEATURES = (
    "danceability=0.5 energy=0.7 key=5 loudness=-6.5 mode=1 speechiness=0.04 acousticness=0.2 "
    "instrumentalness=0 liveness=0.1 valence=0.6 tempo=118 genres=pop subgenres='dance pop'"
)


@pytest.mark.parametrize(
    ("command", "kwargs"),
    [
        ("addsong", {}),
        ("editsong", {"changes": {"energy": 0.1}}),
        ("editsong", {}),
        ("delsong", {}),
    ],
)
async def test_non_admins_are_refused_and_the_catalog_is_unchanged(
    bot, interaction_factory, small_engine, command, kwargs
):
    ref = small_engine.loaded.table.track(0).track_id
    if command != "addsong":
        kwargs = {"ref": ref, **kwargs}
    before = await small_engine.catalog.checksum()
    inter = interaction_factory(user_id=USER_ID, manage_guild=False)
    await invoke(bot, "AdminCog", command, inter, **kwargs)
    assert inter.names == ["send_message"]  # no modal, no confirmation prompt
    assert inter.last.ephemeral and "only admins" in inter.last.content
    assert await small_engine.catalog.checksum() == before


async def test_manage_server_only_counts_inside_a_server(bot, interaction_factory, small_engine):
    before = await small_engine.catalog.checksum()
    dm = interaction_factory(user_id=MANAGER_ID, guild_id=None, manage_guild=True)
    await invoke(bot, "AdminCog", "delsong", dm, ref=small_engine.loaded.table.track(0).track_id)
    assert dm.last.ephemeral and "only admins" in dm.last.content
    assert await small_engine.catalog.checksum() == before


async def test_admin_ids_work_in_dms_and_in_a_server(bot, interaction_factory):
    for inter in (
        interaction_factory(user_id=ADMIN_ID, guild_id=None),
        interaction_factory(user_id=ADMIN_ID),
    ):
        await invoke(bot, "AdminCog", "addsong", inter)
        assert inter.names == ["send_modal"]
        modal = inter.last.kwargs["modal"]
        assert isinstance(modal, AddSongModal) and len(modal.children) == 5


async def test_add_song_form_adds_a_track(bot, interaction_factory, small_engine):
    form = AddSongModal()
    inter = interaction_factory(user_id=ADMIN_ID)
    await submit(
        form,
        inter,
        {
            "track": f"https://open.spotify.com/track/{NEW_ID}?si=abc",
            "song_title": "**@everyone** [click](https://evil.example) <@123>",
            "artists": "Test Artist, Other Artist",
            "album": "Test Album | 2021-05-07",
            "fields": FEATURES,
        },
    )
    assert inter.names == ["defer", "followup"]
    assert inter.calls[0].ephemeral and inter.last.ephemeral
    track = await small_engine.app.tracks.get_track(NEW_ID)
    assert track.title.startswith("**@everyone**") and track.artists == ["Test Artist", "Other Artist"]
    assert track.year == 2021 and track.subgenres == ["dance pop"] and track.tempo == 118
    (embed,) = inter.last.embeds
    assert embed_problems([embed]) == []
    assert "\\@everyone" in embed.title and "\\*\\*" in embed.title and "\\<\\@123\\>" in embed.title


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (FEATURES.replace("energy=0.7", "energy=1.7"), "energy must be between 0 and 1"),
        (FEATURES.replace("tempo=118", "tempo=fast"), "tempo must be a number"),
        (FEATURES.replace("valence=0.6 ", ""), "Missing audio features: valence"),
        (FEATURES + " colour=blue", "Unknown field"),
        ("danceability= energy= key= loudness= mode= speechiness= acousticness=", "must be a number"),
    ],
)
async def test_add_song_form_validation_is_ephemeral_and_changes_nothing(
    bot, interaction_factory, small_engine, fields, message
):
    before = await small_engine.catalog.checksum()
    inter = interaction_factory(user_id=ADMIN_ID)
    form = AddSongModal()
    await submit(form, inter, {"track": NEW_ID, "song_title": "T", "artists": "A", "album": "", "fields": fields})
    assert inter.names == ["send_message"] and inter.last.ephemeral
    assert message in inter.last.content
    assert await small_engine.catalog.checksum() == before


async def test_add_song_form_rechecks_the_role_on_submit(bot, interaction_factory, small_engine):
    before = await small_engine.catalog.checksum()
    inter = interaction_factory(user_id=USER_ID)  # e.g. lost Manage Server while the form was open
    await submit(
        AddSongModal(), inter, {"track": NEW_ID, "song_title": "T", "artists": "A", "album": "", "fields": FEATURES}
    )
    assert inter.last.ephemeral and "only admins" in inter.last.content
    assert await small_engine.catalog.checksum() == before


async def test_engine_refuses_even_if_the_adapter_check_is_bypassed(bot, interaction_factory, small_engine):
    from core.models import Caller, Role

    before = await small_engine.catalog.checksum()
    with pytest.raises(Exception) as err:
        await small_engine.app.admin.delete_song(
            Caller(user_id=str(USER_ID), platform="discord", role=Role.USER), small_engine.loaded.table.track(0).track_id
        )
    assert "only admins" in str(err.value)
    assert await small_engine.catalog.checksum() == before


async def test_duplicate_id_is_refused(bot, interaction_factory, small_engine):
    existing = small_engine.loaded.table.track(0).track_id
    inter = interaction_factory(user_id=ADMIN_ID)
    await submit(
        AddSongModal(), inter, {"track": existing, "song_title": "T", "artists": "A", "album": "", "fields": FEATURES}
    )
    assert inter.last.ephemeral and "already exists" in inter.last.content


async def test_edit_song_with_field_pairs(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(4)
    inter = interaction_factory(user_id=ADMIN_ID)
    await invoke(
        bot, "AdminCog", "editsong", inter, ref=track.track_id, changes={"energy": 0.11, "title": "Renamed Song"}
    )
    assert inter.names == ["defer", "followup"] and inter.last.ephemeral
    updated = await small_engine.app.tracks.get_track(track.track_id)
    assert updated.energy == 0.11 and updated.title == "Renamed Song"


async def test_edit_song_form_is_prefilled_and_sends_only_changes(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(6)
    inter = interaction_factory(user_id=ADMIN_ID)
    await invoke(bot, "AdminCog", "editsong", inter, ref=track.track_id)
    assert inter.names == ["send_modal"]
    form = inter.last.kwargs["modal"]
    assert isinstance(form, EditSongModal)
    assert form.song_title.value == track.title and f"tempo={track.tempo!r}" in form.fields.value
    # unchanged form -> nothing to do
    same = interaction_factory(user_id=ADMIN_ID)
    await submit(form, same, {})
    assert same.last.ephemeral and "Nothing changed" in same.last.content
    # change one feature
    done = interaction_factory(user_id=ADMIN_ID)
    await submit(form, done, {"fields": form.fields.value.replace(f"tempo={track.tempo!r}", "tempo=99.5")})
    assert done.names == ["defer", "followup"], done.calls
    assert "tempo" in done.last.content and "title" not in done.last.content
    assert (await small_engine.app.tracks.get_track(track.track_id)).tempo == 99.5


async def test_delete_needs_confirmation_from_the_same_admin(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(8)
    inter = interaction_factory(user_id=ADMIN_ID)
    await invoke(bot, "AdminCog", "delsong", inter, ref=track.track_id)
    assert inter.names == ["send_message"] and inter.last.ephemeral
    view = inter.last.view
    assert isinstance(view, ConfirmDelete)
    assert track.track_id in small_engine.loaded.table.pos  # nothing deleted yet

    assert await view.interaction_check(interaction_factory(user_id=USER_ID)) is False
    cancel = interaction_factory(user_id=ADMIN_ID)
    await view.cancel.callback(cancel)
    assert cancel.names == ["edit_message"] and track.track_id in small_engine.loaded.table.pos

    confirm = interaction_factory(user_id=ADMIN_ID)
    await view.confirm.callback(confirm)
    assert confirm.names == ["edit_message"] and "Deleted" in confirm.last.content
    assert track.track_id not in small_engine.loaded.table.pos


def test_form_helpers():
    assert track_id_from(f"spotify:track:{NEW_ID}") == NEW_ID
    assert track_id_from(f"https://open.spotify.com/intl-de/track/{NEW_ID}") == NEW_ID
    with pytest.raises(InvalidInput):
        track_id_from("https://example.com/track/123")
    assert album_and_date("After Hours | 2020-03-20") == {
        "album": "After Hours",
        "release_date": "2020-03-20",
        "year": 2020,
    }
    assert album_and_date("1999") == {"release_date": "1999", "year": 1999}
    assert album_and_date("Discovery") == {"album": "Discovery"}
    with pytest.raises(InvalidInput):
        album_and_date("X | yesterday")

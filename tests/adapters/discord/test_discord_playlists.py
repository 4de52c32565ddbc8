"""/playlist commands and the "Add to playlist" flow, called with stand-in Interactions over a real SQLite catalog."""

from __future__ import annotations

import re

import discord
import pytest
from discord_fakes import (
    ADMIN_ID,
    GUILD_ID,
    MANAGER_ID,
    USER_ID,
    click,
    component,
    invoke,
    invoke_sub,
    pick,
    submit,
)

from adapters.discord.playlists import ConfirmPlaylistDelete, NewPlaylistModal, entry_choices, playlist_choices
from adapters.discord.render import MESSAGE_LIMIT, NONE_PING, embed_problems
from adapters.discord.views import DYNAMIC_ITEMS, PlaylistPageButton, PlaylistPickSelect, PlaylistSelect
from core.models import Caller

OTHER_ID = 502
GROUP = f"discord:{GUILD_ID}"


def plain(text: str | None) -> str:
    """Discord's rendering of backslash escapes (``\\(`` shows as ``(``)."""
    return re.sub(r"\\(.)", r"\1", text or "")


def creator() -> Caller:
    return Caller(user_id=str(USER_ID), platform="discord")


def custom_ids(view) -> list[str]:
    return [c.custom_id for c in view.children if getattr(c, "custom_id", None)]


def persistent(view) -> bool:
    """Every custom_id of ``view`` is handled by a registered dynamic item (so it survives a restart)."""
    templates = [cls.__discord_ui_compiled_template__ for cls in DYNAMIC_ITEMS]
    return view.timeout is None and all(any(t.fullmatch(i) for t in templates) for i in custom_ids(view))


async def make_playlist(engine, name: str = "Road Trip", n: int = 0, caller: Caller | None = None):
    """A playlist of the test guild with the catalog's first ``n`` tracks, created by ``caller`` (USER_ID)."""
    caller = caller or creator()
    p = await engine.app.playlists.create(caller, GROUP, name)
    if n:
        await engine.app.playlists.add(caller, GROUP, p.playlist_id, [engine.loaded.table.ids[i] for i in range(n)])
    return await engine.app.playlists.get(GROUP, p.playlist_id)


async def track_ids(engine, name: str = "Road Trip") -> list[str]:
    return (await engine.app.playlists.export(GROUP, name)).track_ids


# ---------------------------------------------------------------------------------------------------- create / add
async def test_create_then_add_by_title_and_id(bot, interaction_factory, small_engine):
    inter = interaction_factory()
    await invoke_sub(bot, "playlist", "create", inter, name="Road Trip")
    assert inter.names == ["defer", "followup"] and not inter.last.ephemeral
    assert "Created the playlist **Road Trip**" in inter.last.content
    assert inter.last.kwargs["allowed_mentions"] is NONE_PING
    (p,) = await small_engine.app.playlists.list(GROUP)
    assert p.created_by == f"discord:{USER_ID}"

    a, b = small_engine.loaded.table.track(4), small_engine.loaded.table.track(9)
    add = interaction_factory(user_id=OTHER_ID)
    songs = [f"{a.title} - {a.artists[0]}", b.track_id]
    await invoke_sub(bot, "playlist", "add", add, playlist="road trip", song=songs)
    assert add.names == ["defer", "followup"]
    assert 'Added 2 tracks to "Road Trip" (2/500).' == plain(add.last.content)
    assert await track_ids(small_engine) == [a.track_id, b.track_id]

    again = interaction_factory()
    await invoke_sub(bot, "playlist", "add", again, playlist="Road Trip", song=[b.track_id])
    assert "already in" in again.last.content  # a duplicate add is a no-op with a message
    assert await track_ids(small_engine) == [a.track_id, b.track_id]


async def test_bad_input_is_refused_privately_before_thinking(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, n=2)
    before = await track_ids(small_engine)

    unknown_song = interaction_factory()
    await invoke_sub(bot, "playlist", "add", unknown_song, playlist="Road Trip", song=["Qwzx Vbnmk Plokij"])
    assert unknown_song.names == ["send_message"] and unknown_song.last.ephemeral
    assert "No track found" in unknown_song.last.content

    unknown_playlist = interaction_factory()
    await invoke_sub(bot, "playlist", "add", unknown_playlist, playlist="Road Trp", song=[before[0]])
    assert unknown_playlist.names == ["send_message"] and unknown_playlist.last.ephemeral
    assert 'No playlist "Road Trp"' in unknown_playlist.last.content and "Road Trip" in unknown_playlist.last.content

    taken = interaction_factory()
    await invoke_sub(bot, "playlist", "create", taken, name="ROAD TRIP")
    assert taken.last.ephemeral and "already exists" in taken.last.content
    hashed = interaction_factory()
    await invoke_sub(bot, "playlist", "create", hashed, name="#1")
    assert hashed.names == ["send_message"] and hashed.last.ephemeral
    assert await track_ids(small_engine) == before and len(await small_engine.app.playlists.list(GROUP)) == 1


async def test_playlists_belong_to_the_server_or_to_the_user_in_dms(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, "Server Mix")
    dm = interaction_factory(guild_id=None, channel_id=31)
    await invoke_sub(bot, "playlist", "create", dm, name="My Own")
    assert [p.name for p in await small_engine.app.playlists.list(f"discord:dm:{USER_ID}")] == ["My Own"]

    other_dm = interaction_factory(guild_id=None, channel_id=32)  # another DM channel, same person
    await invoke_sub(bot, "playlist", "list", other_dm)
    assert "My Own" in other_dm.last.embeds[0].description and "Server Mix" not in other_dm.last.embeds[0].description

    in_server = interaction_factory()
    await invoke_sub(bot, "playlist", "list", in_server)
    desc = in_server.last.embeds[0].description
    assert "Server Mix" in desc and "My Own" not in desc and f"<@{USER_ID}>" in desc
    assert (await playlist_choices(interaction_factory(), "")) == [
        discord.app_commands.Choice(name="Server Mix (0 tracks)", value="Server Mix")
    ]


# ---------------------------------------------------------------------------------------------------- show
async def test_show_pages_with_prev_next_buttons_edited_in_place(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, n=23)
    inter = interaction_factory()
    await invoke_sub(bot, "playlist", "show", inter, playlist="Road Trip")
    assert inter.names == ["send_message"] and not inter.last.ephemeral
    (embed,) = inter.last.embeds
    assert embed_problems([embed]) == []
    assert re.findall(r"^\*\*(\d+)\. ", embed.description, re.M) == [str(n) for n in range(1, 11)]
    assert embed.description.count("https://open.spotify.com/track/") == 10
    assert f"added by <@{USER_ID}>" in embed.description
    assert embed.footer.text.startswith("Page 1/3 · 23/500 tracks")
    view = inter.last.view
    assert persistent(view)
    prev, nxt = component(view, "mb:pls:"), [c for c in view.children if getattr(c, "custom_id", "").endswith(":n")][0]
    assert prev.item.disabled and not nxt.item.disabled

    turn = interaction_factory()
    await click(nxt, turn)
    assert turn.names == ["defer", "edit_original"]  # a deferred update, then the same message edited
    page2 = turn.last.kwargs["embeds"][0]
    assert re.findall(r"^\*\*(\d+)\. ", page2.description, re.M) == [str(n) for n in range(11, 21)]
    assert page2.footer.text.startswith("Page 2/3")
    assert turn.last.kwargs["allowed_mentions"] is NONE_PING
    last = [c for c in turn.last.kwargs["view"].children if getattr(c, "custom_id", "").endswith(":n")][0]
    end = interaction_factory()
    await click(last, end)
    assert re.findall(r"^\*\*(\d+)\. ", end.last.kwargs["embeds"][0].description, re.M) == ["21", "22", "23"]
    assert [c for c in end.last.kwargs["view"].children if getattr(c, "custom_id", "").endswith(":n")][0].item.disabled


async def test_show_a_deleted_track_and_an_empty_playlist(bot, interaction_factory, small_engine, admin_caller):
    await make_playlist(small_engine, n=2)
    gone = small_engine.loaded.table.ids[0]
    await small_engine.app.admin.delete_song(admin_caller, gone)
    inter = interaction_factory()
    await invoke_sub(bot, "playlist", "show", inter, playlist="Road Trip")
    assert "no longer in the catalog" in inter.last.embeds[0].description and gone in inter.last.embeds[0].description
    await make_playlist(small_engine, "Empty")
    empty = interaction_factory()
    await invoke_sub(bot, "playlist", "show", empty, playlist="Empty")
    assert "This playlist is empty" in empty.last.embeds[0].description
    assert custom_ids(empty.last.view) == []


async def test_page_button_of_a_deleted_playlist_is_a_private_error(bot, interaction_factory, small_engine):
    p = await make_playlist(small_engine, n=12)
    await small_engine.app.playlists.delete(creator(), GROUP, p.playlist_id)
    inter = interaction_factory()
    await PlaylistPageButton(p.playlist_id, 2, "n").callback(inter)
    assert inter.names == ["defer", "followup"] and inter.last.ephemeral and "No playlist" in inter.last.content


async def test_page_button_cannot_reach_another_servers_playlist(bot, interaction_factory, small_engine):
    p = await make_playlist(small_engine, n=12)
    inter = interaction_factory(guild_id=GUILD_ID + 1)
    await PlaylistPageButton(p.playlist_id, 1, "n").callback(inter)
    assert inter.last.ephemeral and "No playlist" in inter.last.content


# ---------------------------------------------------------------------------------------------------- export
async def test_export_short_playlist_in_one_message(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, n=5)
    inter = interaction_factory()
    await invoke_sub(bot, "playlist", "export", inter, playlist="Road Trip")
    assert inter.names == ["defer", "followup"]
    reply = inter.last
    assert "files" not in reply.kwargs and reply.kwargs["suppress_embeds"] is True
    links = re.findall(r"^https://open\.spotify\.com/track/([0-9A-Za-z]{22})$", reply.content, re.M)
    assert links == await track_ids(small_engine)
    assert len(reply.content) <= MESSAGE_LIMIT

    uris = interaction_factory()
    await invoke_sub(bot, "playlist", "export", uris, playlist="Road Trip", format="uris")
    assert re.findall(r"^spotify:track:([0-9A-Za-z]{22})$", uris.last.content, re.M) == links


async def test_export_long_playlist_as_a_text_file(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, "Everything: 60 / 60!", n=60)
    inter = interaction_factory()
    await invoke_sub(bot, "playlist", "export", inter, playlist="Everything: 60 / 60!")
    reply = inter.last
    assert len(reply.content) <= MESSAGE_LIMIT and "text file" in reply.content
    assert "open.spotify.com" not in reply.content
    (file,) = reply.kwargs["files"]
    assert isinstance(file, discord.File) and file.filename == "everything-60-60.txt"
    lines = file.fp.read().decode().splitlines()
    ids = await track_ids(small_engine, "Everything: 60 / 60!")
    assert lines == [f"https://open.spotify.com/track/{t}" for t in ids]
    assert len(lines) == 60 and len("\n".join(lines)) > MESSAGE_LIMIT


async def test_export_button_answers_privately(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, n=3)
    shown = interaction_factory()
    await invoke_sub(bot, "playlist", "show", shown, playlist="Road Trip")
    inter = interaction_factory(user_id=OTHER_ID)
    await click(component(shown.last.view, "mb:plx:"), inter)
    assert inter.names == ["defer", "followup"] and inter.calls[0].ephemeral and inter.last.ephemeral
    assert inter.last.content.count("https://open.spotify.com/track/") == 3


# ---------------------------------------------------------------------------------------------------- remove / rename
async def test_remove_by_number_and_autocomplete_from_the_playlist(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, n=4)
    ids = await track_ids(small_engine)
    choices = await entry_choices(interaction_factory(namespace={"playlist": "Road Trip"}), "")
    assert [c.value for c in choices] == ids and choices[0].name.startswith("#1 ")
    inter = interaction_factory()
    await invoke_sub(bot, "playlist", "remove", inter, playlist="Road Trip", song=["#2", ids[3]])
    assert inter.names == ["defer", "followup"] and "Removed 2 tracks" in inter.last.content
    assert await track_ids(small_engine) == [ids[0], ids[2]]


async def test_rename_by_creator(bot, interaction_factory, small_engine):
    await make_playlist(small_engine)
    inter = interaction_factory()
    await invoke_sub(bot, "playlist", "rename", inter, playlist="Road Trip", new_name="Night Drive")
    assert "Renamed **Road Trip** to **Night Drive**" in inter.last.content
    assert [p.name for p in await small_engine.app.playlists.list(GROUP)] == ["Night Drive"]


# ---------------------------------------------------------------------------------------------------- permissions
async def test_delete_by_someone_else_is_refused_and_nothing_changes(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, n=6)
    before = await track_ids(small_engine)
    catalog_size = len(small_engine.loaded.table.alive_positions())

    for command, kwargs in (("delete", {}), ("rename", {"new_name": "Mine Now"})):
        inter = interaction_factory(user_id=OTHER_ID)
        await invoke_sub(bot, "playlist", command, inter, playlist="Road Trip", **kwargs)
        assert inter.names == ["send_message"] and inter.last.ephemeral  # refused before anything public
        assert "Only the playlist's creator or someone with Manage Server" in inter.last.content

    # the engine refuses too, whatever the adapter does
    from core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        await small_engine.app.playlists.delete(Caller(user_id=str(OTHER_ID), platform="discord"), GROUP, "Road Trip")

    # removing a track someone else added: refused by the service after "thinking…", shown privately
    rm = interaction_factory(user_id=OTHER_ID)
    await invoke_sub(bot, "playlist", "remove", rm, playlist="Road Trip", song=["#1"])
    assert rm.names == ["defer", "delete_original", "followup"] and rm.last.ephemeral

    # a confirmation prompt can only be answered by the member who asked for it
    view = ConfirmPlaylistDelete(await small_engine.app.playlists.get(GROUP, "Road Trip"), USER_ID)
    assert await view.interaction_check(interaction_factory(user_id=OTHER_ID)) is False

    assert [p.name for p in await small_engine.app.playlists.list(GROUP)] == ["Road Trip"]
    assert await track_ids(small_engine) == before
    assert len(small_engine.loaded.table.alive_positions()) == catalog_size


@pytest.mark.parametrize(
    ("user_id", "manage_guild"),
    [(USER_ID, False), (MANAGER_ID, True), (ADMIN_ID, False)],
    ids=["creator", "manager", "bot-admin"],
)
async def test_delete_with_confirmation(bot, interaction_factory, small_engine, user_id, manage_guild):
    await make_playlist(small_engine, n=3)
    inter = interaction_factory(user_id=user_id, manage_guild=manage_guild)
    await invoke_sub(bot, "playlist", "delete", inter, playlist="Road Trip")
    assert inter.names == ["send_message"] and inter.last.ephemeral
    assert "Delete the playlist **Road Trip** and its 3 tracks?" in inter.last.content
    view = inter.last.view
    assert isinstance(view, ConfirmPlaylistDelete)
    confirm = interaction_factory(user_id=user_id, manage_guild=manage_guild)
    assert await view.interaction_check(confirm)
    await view.confirm.callback(confirm)
    assert confirm.names == ["edit_message"] and "Deleted the playlist **Road Trip** (3 tracks)" in confirm.last.content
    assert await small_engine.app.playlists.list(GROUP) == []


async def test_manager_may_remove_anyones_track(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, n=3)
    ids = await track_ids(small_engine)
    inter = interaction_factory(user_id=MANAGER_ID, manage_guild=True)
    await invoke_sub(bot, "playlist", "remove", inter, playlist="Road Trip", song=[ids[0]])
    assert "Removed" in inter.last.content and await track_ids(small_engine) == ids[1:]


# ---------------------------------------------------------------------------------------------------- add to playlist
async def test_add_to_playlist_menu_under_a_recommendation(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, "Road Trip")
    await make_playlist(small_engine, "Chill")
    rec = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", rec, text="party", count=4)
    menu = component(rec.last.view, "mb:pl:add")
    chosen = menu.item.options[2].value

    step1 = interaction_factory(user_id=OTHER_ID, message=object())  # a pick on a message
    await pick(menu, step1, chosen)
    # the pick is acknowledged by an (empty) message update, which resets the menu for the next pick
    assert step1.names == ["edit_message", "followup"] and step1.calls[0].kwargs == {}
    assert step1.last.ephemeral and "to which playlist?" in step1.last.content
    picker = step1.last.view
    assert persistent(picker)
    select = component(picker, f"mb:pl:to:{chosen}")
    assert [o.label for o in select.item.options] == ["Chill", "Road Trip", "New playlist…"]  # recent first

    road = next(o.value for o in select.item.options if o.label == "Road Trip")
    step2 = interaction_factory(user_id=OTHER_ID, message=object())
    await pick(select, step2, road)
    assert step2.names == ["edit_message", "followup"] and step2.last.ephemeral and "Added" in step2.last.content
    assert await track_ids(small_engine) == [chosen]
    p = await small_engine.app.playlists.get(GROUP, "Road Trip")
    entries = await small_engine.app.playlists.show(GROUP, p.playlist_id)
    assert entries.entries[0].added_by == f"discord:{OTHER_ID}"


async def test_add_to_a_new_playlist_from_the_menu(bot, interaction_factory, small_engine):
    track = small_engine.loaded.table.track(11)
    card = interaction_factory()
    await invoke(bot, "MusicCog", "song", card, ref=track.track_id)
    button = component(card.last.view, "mb:pl:btn:")
    step1 = interaction_factory()
    await click(button, step1)
    assert step1.names == ["defer", "followup"] and step1.last.ephemeral and "none here yet" in step1.last.content
    select = component(step1.last.view, "mb:pl:to:")
    assert [o.value for o in select.item.options] == ["new"]

    step2 = interaction_factory()
    await pick(select, step2, "new")
    assert step2.names == ["send_modal"]
    modal = step2.last.kwargs["modal"]
    assert isinstance(modal, NewPlaylistModal)
    done = interaction_factory()
    await submit(modal, done, {"playlist_name": "Fresh Finds"})
    assert done.last.ephemeral and "Created **Fresh Finds**" in done.last.content
    assert await track_ids(small_engine, "Fresh Finds") == [track.track_id]

    dup = interaction_factory()
    await submit(NewPlaylistModal(track.track_id), dup, {"playlist_name": "fresh finds"})
    assert dup.last.ephemeral and "already exists" in dup.last.content


async def test_picker_lists_at_most_24_playlists_plus_new(bot, interaction_factory, small_engine):
    for i in range(30):
        await small_engine.app.playlists.create(creator(), GROUP, f"List {i:02d} " + "x" * 90)
    step = interaction_factory()
    await click(component(song_card_view(small_engine), "mb:pl:btn:"), step)
    select = component(step.last.view, "mb:pl:to:")
    assert len(select.item.options) == 25 and select.item.options[-1].value == "new"
    assert all(len(o.label) <= 100 for o in select.item.options)
    assert "24 most recently changed" in step.last.content
    assert len(await playlist_choices(interaction_factory(), "list")) == 25


def song_card_view(engine):
    from adapters.discord.views import song_view

    return song_view(engine.loaded.table.track(3))


async def test_playlist_recommend_with_next_page(bot, interaction_factory, small_engine):
    await make_playlist(small_engine, n=5)
    in_list = set(await track_ids(small_engine))
    inter = interaction_factory()
    await invoke_sub(bot, "playlist", "recommend", inter, playlist="Road Trip", count=5)
    assert inter.names == ["defer", "followup"]
    embed = inter.last.embeds[0]
    assert "Road Trip" in embed.title and embed_problems([embed]) == []
    first = [c.split(":")[3] for c in custom_ids(inter.last.view) if c.startswith("mb:more:")]
    assert len(first) == 5 and not set(first) & in_list
    nxt = component(inter.last.view, "mb:next:")
    page2 = interaction_factory()
    await click(nxt, page2)
    second = [c.split(":")[3] for c in custom_ids(page2.last.view) if c.startswith("mb:more:")]
    assert len(second) == 5 and not set(second) & (in_list | set(first))

    await make_playlist(small_engine, "Empty")
    empty = interaction_factory()
    await invoke_sub(bot, "playlist", "recommend", empty, playlist="Empty")
    assert empty.names == ["send_message"] and empty.last.ephemeral and "empty" in empty.last.content


async def test_playlist_select_is_registered_for_restarts():
    assert PlaylistSelect in DYNAMIC_ITEMS and PlaylistPickSelect in DYNAMIC_ITEMS


def test_commands_are_in_a_playlist_group(bot):
    group = bot.tree.get_command("playlist")
    assert isinstance(group, discord.app_commands.Group)
    assert {c.name for c in group.commands} == {
        "list", "create", "add", "remove", "show", "rename", "delete", "recommend", "export"
    }
    payload = group.to_dict(bot.tree)
    assert all(len(o["description"]) <= 100 for o in payload["options"])
    for sub in payload["options"]:
        for opt in sub.get("options", []):
            assert len(opt["description"]) <= 100 and len(opt["name"]) <= 32

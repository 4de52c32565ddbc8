"""Catalog admin scope on Discord (issue 9 §4): Manage Server, Administrator or owning a server never make a catalog
admin — only ``DISCORD_ADMIN_IDS`` does — while server admins still manage their own server's playlists.

Paths covered: slash commands (/addsong, /editsong, /delsong), the add / edit forms (modals) and the delete
confirmation button; the free-text (mention) path is in ``test_discord_messages.py``.
"""

from __future__ import annotations

import discord
import pytest
from discord_fakes import ADMIN_ID, GUILD_ID, MANAGER_ID, USER_ID, invoke, invoke_sub, submit

from adapters.discord.admin import AddSongModal, ConfirmDelete, EditSongModal
from adapters.discord.replies import caller_of, discord_roles, is_group_admin
from core.models import Caller

NEW_ID = "4uLU6hMCjMI75M1A2tKUQC"
FEATURES = (
    "danceability=0.5 energy=0.7 key=5 loudness=-6.5 mode=1 speechiness=0.04 acousticness=0.2 "
    "instrumentalness=0 liveness=0.1 valence=0.6 tempo=118 genres=pop"
)
GROUP = f"discord:{GUILD_ID}"

#: Server-level powers a server owner can hand themselves (the owner resolves to every permission).
SERVER_POWERS = {
    "manage-server": discord.Permissions(manage_guild=True),
    "administrator": discord.Permissions(administrator=True),
    "owner": discord.Permissions.all(),
}


@pytest.fixture(params=list(SERVER_POWERS), ids=list(SERVER_POWERS))
def server_admin(request, interaction_factory):
    """``make(**kw)`` -> an interaction from MANAGER_ID (not in DISCORD_ADMIN_IDS) holding one server power."""
    perms = SERVER_POWERS[request.param]

    def make(**kwargs):
        return interaction_factory(user_id=MANAGER_ID, permissions=perms, **kwargs)

    return make


async def test_roles_come_from_the_operator_list_only(bot, settings, server_admin):
    inter = server_admin()
    assert not caller_of(inter).is_admin
    assert is_group_admin(inter)  # ... but they do manage this server's playlists
    listed = discord_roles(settings, ADMIN_ID, discord.Permissions.none(), in_guild=True)
    assert listed.caller.is_admin and listed.playlist_manager
    plain = discord_roles(settings, USER_ID, discord.Permissions.none(), in_guild=True)
    assert not plain.caller.is_admin and not plain.playlist_manager


@pytest.mark.parametrize("command", ["addsong", "editsong", "delsong"])
async def test_server_admins_cannot_use_admin_slash_commands(bot, small_engine, server_admin, command):
    before = await small_engine.catalog.checksum()
    inter = server_admin()
    kwargs = {} if command == "addsong" else {"ref": small_engine.loaded.table.track(0).track_id}
    if command == "editsong":
        kwargs["changes"] = {"energy": 0.01}
    await invoke(bot, "AdminCog", command, inter, **kwargs)
    assert inter.names == ["send_message"]  # no form, no confirmation
    assert inter.last.ephemeral and "only admins" in inter.last.content
    assert await small_engine.catalog.checksum() == before


async def test_server_admins_cannot_submit_the_forms(bot, small_engine, server_admin):
    before = await small_engine.catalog.checksum()
    add = server_admin()
    await submit(
        AddSongModal(), add, {"track": NEW_ID, "song_title": "T", "artists": "A", "album": "", "fields": FEATURES}
    )
    assert add.last.ephemeral and "only admins" in add.last.content
    track = small_engine.loaded.table.track(3)
    edit = server_admin()
    await submit(EditSongModal(track), edit, {"fields": "energy=0.01"})
    assert edit.last.ephemeral and "only admins" in edit.last.content
    assert await small_engine.catalog.checksum() == before
    assert NEW_ID not in small_engine.loaded.table.pos


async def test_server_admins_cannot_press_delete(bot, small_engine, server_admin):
    track = small_engine.loaded.table.track(5)
    view = ConfirmDelete(track, MANAGER_ID)  # even a confirmation addressed to them (e.g. a stale one)
    press = server_admin()
    try:  # as discord.py's view dispatch does: errors go to View.on_error
        await view.confirm.callback(press)
    except Exception as exc:
        await view.on_error(press, exc, view.confirm)
    assert "only admins" in (press.last.content or "")
    assert track.track_id in small_engine.loaded.table.pos


async def test_server_admins_still_manage_their_servers_playlists(bot, small_engine, server_admin):
    owner = Caller(user_id=str(USER_ID), platform="discord")
    p = await small_engine.app.playlists.create(owner, GROUP, "Road Trip")
    await small_engine.app.playlists.add(owner, GROUP, p.playlist_id, [small_engine.loaded.table.ids[i] for i in range(3)])
    rename = server_admin()
    await invoke_sub(bot, "playlist", "rename", rename, playlist="Road Trip", new_name="Renamed")
    assert [x.name for x in await small_engine.app.playlists.list(GROUP)] == ["Renamed"]
    remove = server_admin()
    await invoke_sub(bot, "playlist", "remove", remove, playlist="Renamed", song=[small_engine.loaded.table.ids[0]])
    assert "Removed" in remove.last.content
    # ... and nowhere else: another server's playlists are not theirs
    elsewhere = f"discord:{GUILD_ID + 1}"
    q = await small_engine.app.playlists.create(owner, elsewhere, "Theirs")
    with pytest.raises(Exception, match="only admins"):
        await small_engine.app.playlists.delete(caller_of(server_admin()), elsewhere, q.playlist_id, group_admin=False)

"""core.policy: catalog admin only from the operators' lists; server admins manage their server's playlists."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core import policy
from core.models import Caller, Role

OPS = policy.Operators.of(telegram=[42, " 43 "], discord=["4242"], console_admin=False)


@given(
    platform=st.sampled_from(["telegram", "discord", "console", "http", ""]),
    user_id=st.one_of(st.integers(), st.text(max_size=12)),
    in_server=st.booleans(),
    server_admin=st.booleans(),
)
def test_server_powers_never_change_the_catalog_role(platform, user_id, in_server, server_admin):
    got = policy.roles(platform, user_id, OPS, in_server=in_server, server_admin=server_admin)
    plain = policy.roles(platform, user_id, OPS, in_server=in_server, server_admin=False)
    assert got.caller == plain.caller  # the server-admin flag is not an input of the catalog role
    assert got.caller.is_admin == (str(user_id).strip() in OPS.lists(platform))
    assert got.playlist_manager == (got.caller.is_admin or not in_server or server_admin)


def test_operator_lists_are_per_platform():
    assert policy.catalog_role("telegram", 42, OPS) is Role.ADMIN
    assert policy.catalog_role("telegram", "43", OPS) is Role.ADMIN
    assert policy.catalog_role("discord", 42, OPS) is Role.USER
    assert policy.catalog_role("discord", 4242, OPS) is Role.ADMIN
    assert policy.catalog_role("console", "local", OPS) is Role.USER
    assert policy.catalog_role("console", "x", policy.Operators.of(console_admin=True)) is Role.ADMIN


def test_playlist_rules():
    creator = Caller(user_id="1", platform="discord")
    other = Caller(user_id="2", platform="discord")
    admin = Caller(user_id="3", platform="discord", role=Role.ADMIN)
    key = policy.member_key(creator)
    assert policy.may_manage_playlist(creator, key, False)
    assert not policy.may_manage_playlist(other, key, False)
    assert policy.may_manage_playlist(other, key, True)  # server admin of this server
    assert policy.may_manage_playlist(admin, key, False)
    assert policy.may_remove_entry(other, key, policy.member_key(other), False)  # their own addition
    assert not policy.may_remove_entry(other, key, key, False)
    assert not policy.may_edit_catalog(other) and policy.may_edit_catalog(admin)
    assert not policy.may_edit_catalog("admin")  # type: ignore[arg-type]

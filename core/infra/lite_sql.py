"""The SQL text a one-request process runs through :class:`core.infra.lite_db.LiteDatabase` (stdlib ``sqlite3``, no
SQLAlchemy): for each store, the same statements as its SQLAlchemy Core ones (the ``_sql`` function named in each
namespace's comment), with the same named parameters, on the tables of the Alembic migrations
(:mod:`core.infra.tables`). A store picks one set or the other with :func:`core.infra.lite_db.statements`.

Kept equal to the SQLAlchemy statements by tests, not by hand alone: the contract suite runs each store's cases on
both, ``tests/integration/test_lite_store_interop.py`` has each implementation read what the other wrote in the
same SQLite files, and ``tests/contract/test_lite_sql.py`` checks every statement here against the migrated schema
(``EXPLAIN``: every table and column exists).
"""

from __future__ import annotations

from types import SimpleNamespace

#: :func:`core.leases._sql` — ``acquire``: insert, or take over an expired (or own) lease; ``rowcount`` 1 = taken.
LEASES = SimpleNamespace(
    acquire=(
        "INSERT INTO conversation_leases (key, owner, expires_at) VALUES (:key, :owner, :expires_at) "
        "ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
        "WHERE conversation_leases.expires_at < :l_now OR conversation_leases.owner = excluded.owner"
    ),
    release="DELETE FROM conversation_leases WHERE key = :l_key AND owner = :l_owner",
)

#: :func:`core.conversation._sql` — state (one row per conversation) and turns (one row per whole turn).
CONVERSATION = SimpleNamespace(
    load="SELECT state_json FROM conversation_state WHERE conversation_id = :c_id",
    save=(
        "INSERT INTO conversation_state (conversation_id, state_json, updated_at) "
        "VALUES (:conversation_id, :state_json, :updated_at) "
        "ON CONFLICT (conversation_id) DO UPDATE SET state_json = excluded.state_json, "
        "updated_at = excluded.updated_at"
    ),
    turns=(
        "SELECT messages_json FROM conversation_turns WHERE conversation_id = :c_id ORDER BY turn DESC LIMIT :c_limit"
    ),
    last_turn="SELECT coalesce(max(turn), 0) FROM conversation_turns WHERE conversation_id = :c_id",
    add_turn=(
        "INSERT INTO conversation_turns (conversation_id, turn, messages_json, created_at) "
        "VALUES (:c_id, :c_turn, :c_json, :c_at)"
    ),
    trim_turns="DELETE FROM conversation_turns WHERE conversation_id = :c_id AND turn <= :c_upto",
    count_turns="SELECT count(*) FROM conversation_turns WHERE conversation_id = :c_id",
    reset_turns="DELETE FROM conversation_turns WHERE conversation_id = :c_id",
    reset_state="DELETE FROM conversation_state WHERE conversation_id = :c_id",
    all_states="SELECT count(*) FROM conversation_state",
    all_turns="SELECT count(*) FROM conversation_turns",
)

_FEEDBACK_IDS = (
    "SELECT track_id FROM track_feedback WHERE user_key = :f_user AND value = :f_value "
    "ORDER BY updated_at DESC, track_id"
)

#: :func:`core.feedback._sql` — a user's verdict on a track (+1 like, -1 dislike), and the ids per verdict.
FEEDBACK = SimpleNamespace(
    value="SELECT value FROM track_feedback WHERE user_key = :f_user AND track_id = :f_track",
    ids=_FEEDBACK_IDS,
    ids_limit=_FEEDBACK_IDS + " LIMIT :f_limit",
    delete="DELETE FROM track_feedback WHERE user_key = :f_user AND track_id = :f_track",
    upsert=(
        "INSERT INTO track_feedback (user_key, track_id, value, updated_at) "
        "VALUES (:user_key, :track_id, :value, :updated_at) "
        "ON CONFLICT (user_key, track_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    ),
)

_PLAYLIST = (
    "SELECT p.id, p.group_id, p.name, p.created_by, p.created_at, p.updated_at, "
    "(SELECT count(*) FROM playlist_tracks AS t WHERE t.playlist_id = p.id) FROM playlists AS p "
)

#: The reads of :class:`core.playlists.sqlite_store.SqlitePlaylistStore` (its module's ``_SELECT`` and ``entries``):
#: a playlist row with its track count; entries in insertion order (SQLite's rowid), ``LIMIT -1`` = no limit.
PLAYLISTS = SimpleNamespace(
    get=_PLAYLIST + "WHERE p.group_id = :p_group AND p.id = :p_id",
    find=_PLAYLIST + "WHERE p.group_id = :p_group AND p.name_key = :p_key",
    list=_PLAYLIST + "WHERE p.group_id = :p_group ORDER BY p.name_key",
    entries=(
        "SELECT track_id, added_by, added_at FROM playlist_tracks WHERE playlist_id = :p_id "
        "ORDER BY rowid LIMIT :p_limit OFFSET :p_offset"
    ),
)

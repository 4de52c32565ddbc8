"""Baseline: every table as musicbot schema 2 made them (before Alembic), on SQLite and PostgreSQL.

On SQLite every statement is ``IF NOT EXISTS``, so a database made by an older version (tables created lazily by
each module) is adopted in place: existing tables and rows are kept, missing tables are added. A schema-1 database
(NOT NULL audio features) is rebuilt to schema 2 keeping every ``id`` (SQLite's 12-step ALTER TABLE procedure,
https://www.sqlite.org/lang_altertable.html#otheralter; foreign keys are off on the migration connection, so
dropping the old table does not cascade into ``track_labels``).

On PostgreSQL the same tables are created with native types; full-text search is a generated ``tsvector`` column with
a GIN index, fuzzy search a ``pg_trgm`` GIN index (the extension ships with the server).

The DDL is copied here on purpose (frozen): later code changes must come as new migrations.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FEATURES = (
    "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness", "instrumentalness",
    "liveness", "valence", "tempo",
)


def _sqlite_tracks(name: str) -> str:
    return f"""CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY,
    track_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    artists TEXT NOT NULL DEFAULT '[]',
    artist_display TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    release_date TEXT NOT NULL DEFAULT '',
    year INTEGER,
    popularity INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    {", ".join(f"{f} REAL" for f in FEATURES)}
)"""


SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS tracks_ai AFTER INSERT ON tracks BEGIN
    INSERT INTO tracks_fts(rowid, title, artist_display, album) VALUES (new.id, new.title, new.artist_display, new.album);
END""",
    """CREATE TRIGGER IF NOT EXISTS tracks_ad AFTER DELETE ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, artist_display, album)
    VALUES ('delete', old.id, old.title, old.artist_display, old.album);
END""",
    """CREATE TRIGGER IF NOT EXISTS tracks_au AFTER UPDATE ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, artist_display, album)
    VALUES ('delete', old.id, old.title, old.artist_display, old.album);
    INSERT INTO tracks_fts(rowid, title, artist_display, album) VALUES (new.id, new.title, new.artist_display, new.album);
END""",
)

SQLITE = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    _sqlite_tracks("tracks"),
    """CREATE TABLE IF NOT EXISTS track_labels (
    track_id TEXT NOT NULL REFERENCES tracks(track_id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('genre', 'subgenre', 'playlist')),
    label TEXT NOT NULL,
    source_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (track_id, kind, label, source_id)
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS track_labels_label ON track_labels(kind, label)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS tracks_fts USING fts5(
    title, artist_display, album, content='tracks', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
)""",
    *SQLITE_TRIGGERS,
    """CREATE TABLE IF NOT EXISTS conversation_state (
    conversation_id TEXT PRIMARY KEY, state_json TEXT NOT NULL, updated_at REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS conversation_turns (
    conversation_id TEXT NOT NULL, turn INTEGER NOT NULL, messages_json TEXT NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY (conversation_id, turn))""",
    """CREATE TABLE IF NOT EXISTS rate_limits (
    bucket_key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'notice', 'drop'))) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS rate_limits_age ON rate_limits(updated_at)",
    """CREATE TABLE IF NOT EXISTS track_feedback (
    user_key TEXT NOT NULL, track_id TEXT NOT NULL, value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    updated_at REAL NOT NULL, PRIMARY KEY (user_key, track_id)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS track_feedback_recent ON track_feedback(user_key, value, updated_at)",
    """CREATE TABLE IF NOT EXISTS playlists (
    id INTEGER PRIMARY KEY, group_id TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL,
    created_by TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, UNIQUE (group_id, name_key))""",
    """CREATE TABLE IF NOT EXISTS playlist_tracks (
    playlist_id INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE, track_id TEXT NOT NULL,
    added_by TEXT NOT NULL, added_at REAL NOT NULL, UNIQUE (playlist_id, track_id))""",
    """CREATE TABLE IF NOT EXISTS preview_cache (
    track_id TEXT PRIMARY KEY, url TEXT, source TEXT, fetched_at REAL NOT NULL, expires_at REAL NOT NULL
) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS discord_pages (key TEXT PRIMARY KEY, state TEXT NOT NULL, created REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS discord_pages_created ON discord_pages(created)",
)

POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"""CREATE TABLE tracks (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    track_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    artists TEXT NOT NULL DEFAULT '[]',
    artist_display TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    release_date TEXT NOT NULL DEFAULT '',
    year INTEGER,
    popularity INTEGER NOT NULL DEFAULT 0,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    {", ".join(f"{f} DOUBLE PRECISION" for f in FEATURES)},
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', artist_display), 'B')
        || setweight(to_tsvector('simple', album), 'C')) STORED
)""",
    "CREATE INDEX tracks_search ON tracks USING GIN (search)",
    "CREATE INDEX tracks_trgm ON tracks USING GIN ((lower(title || ' ' || artist_display)) gin_trgm_ops)",
    """CREATE TABLE track_labels (
    track_id TEXT NOT NULL REFERENCES tracks(track_id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('genre', 'subgenre', 'playlist')),
    label TEXT NOT NULL,
    source_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (track_id, kind, label, source_id))""",
    "CREATE INDEX track_labels_label ON track_labels(kind, label)",
    """CREATE TABLE conversation_state (
    conversation_id TEXT PRIMARY KEY, state_json TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE conversation_turns (
    conversation_id TEXT NOT NULL, turn INTEGER NOT NULL, messages_json TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (conversation_id, turn))""",
    """CREATE TABLE rate_limits (
    bucket_key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
    state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'notice', 'drop')))""",
    "CREATE INDEX rate_limits_age ON rate_limits(updated_at)",
    """CREATE TABLE track_feedback (
    user_key TEXT NOT NULL, track_id TEXT NOT NULL, value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    updated_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (user_key, track_id))""",
    "CREATE INDEX track_feedback_recent ON track_feedback(user_key, value, updated_at)",
    """CREATE TABLE playlists (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, group_id TEXT NOT NULL, name TEXT NOT NULL,
    name_key TEXT NOT NULL, created_by TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL, UNIQUE (group_id, name_key))""",
    """CREATE TABLE playlist_tracks (
    playlist_id BIGINT NOT NULL REFERENCES playlists(id) ON DELETE CASCADE, track_id TEXT NOT NULL,
    added_by TEXT NOT NULL, added_at DOUBLE PRECISION NOT NULL, UNIQUE (playlist_id, track_id))""",
    """CREATE TABLE preview_cache (
    track_id TEXT PRIMARY KEY, url TEXT, source TEXT, fetched_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL)""",
    "CREATE TABLE discord_pages (key TEXT PRIMARY KEY, state TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX discord_pages_created ON discord_pages(created)",
    "INSERT INTO meta VALUES ('schema_version', '2')",
)


def _sqlite_v1_to_v2(bind) -> None:  # noqa: ANN001 - a SQLAlchemy Connection
    """Rebuild ``tracks`` with nullable audio features, keeping every ``id`` (schema 1 -> 2)."""
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("the schema-1 upgrade needs foreign keys off on the migration connection")
    cols = "id, track_id, title, artists, artist_display, album, release_date, year, popularity, duration_ms, "
    cols += ", ".join(FEATURES)
    bind.exec_driver_sql(_sqlite_tracks("tracks_v2"))
    bind.exec_driver_sql(f"INSERT INTO tracks_v2 ({cols}) SELECT {cols} FROM tracks")
    for name in ("tracks_ai", "tracks_ad", "tracks_au"):
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    bind.exec_driver_sql("DROP TABLE tracks")
    bind.exec_driver_sql("ALTER TABLE tracks_v2 RENAME TO tracks")
    for trigger in SQLITE_TRIGGERS:
        bind.exec_driver_sql(trigger)
    if bind.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
        raise RuntimeError("foreign key check failed while upgrading the schema")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in POSTGRES:
            bind.exec_driver_sql(statement)
        return
    for statement in SQLITE:
        bind.exec_driver_sql(statement)
    version = bind.exec_driver_sql("SELECT value FROM meta WHERE key='schema_version'").scalar()
    if version is None:
        bind.exec_driver_sql("INSERT INTO meta VALUES ('schema_version', '2')")
    elif int(version) == 1:
        _sqlite_v1_to_v2(bind)
        bind.exec_driver_sql("UPDATE meta SET value='2' WHERE key='schema_version'")


def downgrade() -> None:
    raise NotImplementedError("the baseline cannot be downgraded")

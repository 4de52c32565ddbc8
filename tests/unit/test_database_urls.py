"""Database locations (SQLite paths and URLs, PostgreSQL URLs) and the SQLite-to-asyncpg SQL translation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidInput
from core.infra.database import parse_database, restore_url
from core.infra.pg_compat import translate


@pytest.mark.parametrize(
    ("value", "backend", "where"),
    [
        ("/tmp/x/m.db", "sqlite", "/tmp/x/m.db"),
        ("m.db", "sqlite", "m.db"),
        (":memory:", "sqlite", ":memory:"),
        ("sqlite:////tmp/m.db", "sqlite", "/tmp/m.db"),
        ("sqlite+aiosqlite:///rel/m.db", "sqlite", "rel/m.db"),
        ("postgresql://u:p@h:5432/d", "postgresql", "postgresql://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql", "postgresql://u@h/d"),
        ("POSTGRESQL+ASYNCPG://u@h/d", "postgresql", "postgresql://u@h/d"),
    ],
)
def test_parse_database(value: str, backend: str, where: str) -> None:
    target = parse_database(value)
    assert target.backend == backend
    assert (target.dsn if target.is_postgres else target.path) == where


def test_unsupported_and_empty_locations_are_refused() -> None:
    for value in ("mysql://u@h/d", "  ", "redis://x"):
        with pytest.raises(InvalidInput):
            parse_database(value)


def test_password_is_hidden_and_sqlalchemy_url_uses_asyncpg() -> None:
    target = parse_database("postgresql://bob:s3cret@db:5432/music")
    assert "s3cret" not in target.display() and "bob" in target.display()
    assert target.sqlalchemy_url() == "postgresql+asyncpg://bob:s3cret@db:5432/music"
    assert parse_database("/a/b.db").sqlalchemy_url() == "sqlite+aiosqlite:////a/b.db"


def test_restore_url_undoes_path_folding() -> None:
    from pathlib import Path

    assert restore_url(str(Path("postgresql://u@h:1/d"))) == "postgresql://u@h:1/d"
    assert restore_url("postgresql://u@h/d") == "postgresql://u@h/d"
    assert restore_url("/tmp/m.db") == "/tmp/m.db"


def test_translate_placeholders() -> None:
    assert translate("SELECT a FROM t WHERE b=? AND c=?", (1, "x")) == ("SELECT a FROM t WHERE b=$1 AND c=$2", [1, "x"])
    sql, args = translate("INSERT INTO t VALUES (:k, :n - 1, :n) ON CONFLICT DO NOTHING", {"k": "a", "n": 2.0})
    assert sql == "INSERT INTO t VALUES ($1, $2 - 1, $2) ON CONFLICT DO NOTHING" and args == ["a", 2.0]
    assert translate("SELECT x::text, '?', ':no' FROM t WHERE y=?", (3,)) == ("SELECT x::text, '?', ':no' FROM t WHERE y=$1", [3])
    assert translate("BEGIN IMMEDIATE", None)[0] == "BEGIN"


@given(st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=8))
def test_translate_numbers_every_question_mark_in_order(values: list) -> None:
    sql = "SELECT " + ", ".join("?" for _ in values) if values else "SELECT 1"
    text, args = translate(sql, tuple(values))
    assert args == values
    assert text == ("SELECT " + ", ".join(f"${i + 1}" for i in range(len(values))) if values else "SELECT 1")

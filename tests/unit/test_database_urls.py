"""Database locations (SQLite paths and URLs, PostgreSQL URLs) and the SQLite-to-asyncpg SQL translation."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.infra.database import parse_database, restore_url


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

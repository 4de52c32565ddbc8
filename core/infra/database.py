"""Which database a ``--db`` value or ``DATABASE_URL`` names: a SQLite file (the embedded default) or PostgreSQL.

Accepted forms (the same a user typed before PostgreSQL existed keep working unchanged):

* a plain path (``/tmp/me/m.db``, ``~/m.db``) or ``:memory:`` -> SQLite;
* ``sqlite:///relative/or/absolute/path`` and ``sqlite+aiosqlite:///…`` -> SQLite;
* ``postgresql://user@host:port/db``, ``postgres://…``, ``postgresql+asyncpg://…`` -> PostgreSQL (driver asyncpg).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from core.errors import InvalidInput

_PG_PREFIXES = ("postgresql+asyncpg://", "postgresql://", "postgres://")
_SQLITE_PREFIXES = ("sqlite+aiosqlite:///", "sqlite:///")


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    """A parsed database location.

    Attributes:
        backend: ``"sqlite"`` or ``"postgresql"``.
        path: the SQLite file path (``":memory:"`` allowed); ``""`` for PostgreSQL.
        dsn: the PostgreSQL URL as asyncpg takes it (``postgresql://…``); ``""`` for SQLite.
    """

    backend: Literal["sqlite", "postgresql"]
    path: str = ""
    dsn: str = ""

    @property
    def is_postgres(self) -> bool:
        """True for a PostgreSQL target."""
        return self.backend == "postgresql"

    def sqlalchemy_url(self) -> str:
        """The SQLAlchemy async URL (``sqlite+aiosqlite:///path`` or ``postgresql+asyncpg://…``)."""
        if self.is_postgres:
            return "postgresql+asyncpg://" + self.dsn.split("://", 1)[1]
        return "sqlite+aiosqlite:///" + self.path

    def display(self) -> str:
        """The location without a password (in the user part or a ``password=`` query parameter), for messages and
        logs."""
        if not self.is_postgres:
            return self.path
        scheme, rest = self.dsn.split("://", 1)
        rest, sep, query = rest.partition("?")
        if "@" in rest:
            creds, host = rest.rsplit("@", 1)
            user = creds.split(":", 1)[0]
            rest = f"{user}:***@{host}" if ":" in creds else f"{user}@{host}"
        if sep:
            query = "&".join(f"{part.split('=', 1)[0]}=***" if part.split("=", 1)[0].lower() in ("password", "pass")
                             else part for part in query.split("&"))
        return f"{scheme}://{rest}{sep}{query}"


def parse_database(value: str) -> DatabaseTarget:
    """Parse a ``--db`` value or ``DATABASE_URL``.

    Raises:
        InvalidInput: a URL for a database musicbot does not support (``mysql://…``), or an empty value.
    """
    text = str(value).strip()
    if not text:
        raise InvalidInput("The database location is empty (give a SQLite file path or a postgresql:// URL).")
    lowered = text.lower()
    for prefix in _PG_PREFIXES:
        if lowered.startswith(prefix):
            return DatabaseTarget("postgresql", dsn="postgresql://" + text[len(prefix):])
    for prefix in _SQLITE_PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix):]
            break
    else:
        if "://" in text:
            raise InvalidInput(
                f"DATABASE_URL must be a SQLite file (sqlite:///path/to/musicbot.db or a plain path) or a "
                f"postgresql:// URL; got a {text.split('://', 1)[0]}:// URL."
            )
    return DatabaseTarget("sqlite", path=os.path.expanduser(text) if text != ":memory:" else text)


def restore_url(text: str) -> str:
    """A ``--db`` value as typed: ``pathlib.Path`` folds ``postgresql://host`` into ``postgresql:/host``; this puts
    the ``//`` back. Anything else is returned unchanged."""
    for scheme in ("postgresql+asyncpg:", "postgresql:", "postgres:"):
        if text.lower().startswith(scheme + "/") and not text.lower().startswith(scheme + "//"):
            return scheme + "//" + text[len(scheme):].lstrip("/")
    return text

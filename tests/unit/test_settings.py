"""Settings: .env.example lists every setting, empty values mean "unset", secrets never print."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.app import caller_for
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_env_example_as_is_means_offline_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    s = Settings()
    assert s.model == "" and s.google_api_key is None and s.telegram_bot_token is None
    assert s.database_path() == "./musicbot.db"
    assert s.telegram_admin_ids == [] and s.llm_timeout_s == 20


def test_secrets_are_hidden_and_admin_ids_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN-VALUE")
    monkeypatch.setenv("TELEGRAM_ADMIN_IDS", "11, 22;33")
    monkeypatch.setenv("CONSOLE_ADMIN", "false")
    s = Settings()
    assert "SECRET-TOKEN-VALUE" not in repr(s) and "SECRET-TOKEN-VALUE" not in str(s.model_dump())
    assert s.telegram_admin_ids == ["11", "22", "33"]
    assert caller_for(s, "telegram", 22).is_admin and not caller_for(s, "telegram", 44).is_admin
    assert not caller_for(s, "discord", 11).is_admin  # ids are per platform
    assert not caller_for(s, "console", "local").is_admin


def test_database_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from core.errors import InvalidInput

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "mysql://user@host/db")
    with pytest.raises(InvalidInput, match="SQLite"):
        Settings().database_path()
    for url in ("postgres://user@host/db", "postgresql://user@host/db", "postgresql+asyncpg://user@host/db"):
        monkeypatch.setenv("DATABASE_URL", url)
        assert Settings().database_path() == "postgresql://user@host/db"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///~/music.db")
    assert Settings().database_path().endswith("/music.db") and "~" not in Settings().database_path()


def test_log_records_and_tracebacks_are_redacted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import io
    import logging

    from bot.app import setup_logging

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOOGLE_API_KEY", "AIzaFAKEFAKEFAKE123")
    stream = io.StringIO()
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        setup_logging(Settings())
        log = logging.getLogger("musicbot.test")
        log.error("key is %s", "AIzaFAKEFAKEFAKE123")
        try:
            raise RuntimeError("failed with key AIzaFAKEFAKEFAKE123")
        except RuntimeError:
            log.exception("boom")
    finally:
        root.removeHandler(handler)
    out = stream.getvalue()
    assert "AIzaFAKEFAKEFAKE123" not in out and out.count("***") >= 2 and "RuntimeError" in out

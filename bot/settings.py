"""Settings from the environment and ``.env`` (pydantic-settings). Every field is listed in ``.env.example``.

Secrets are :class:`~pydantic.SecretStr` so printing a Settings object never shows them.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing import TYPE_CHECKING, Annotated

if TYPE_CHECKING:
    from core.agent.config import AgentConfig


def default_database_url() -> str:
    """``sqlite:///<user data dir>/musicbot.db`` (e.g. ``~/.local/share/musicbot/musicbot.db`` on Linux)."""
    return "sqlite:///" + str(Path(user_data_dir("musicbot", appauthor=False)) / "musicbot.db")


def _id_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]


class Settings(BaseSettings):
    """All runtime configuration. Environment variables take precedence over ``.env``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    database_url: str = Field(default_factory=default_database_url)
    log_level: str = "WARNING"

    # LLM (issue 3). Empty MODEL and no key -> the built-in local model; MODEL empty + GOOGLE_API_KEY ->
    # google:gemini-2.5-flash. MODEL is any Pydantic AI model string (google:…, openai:…, openai-chat:…, ollama:…).
    model: str = ""
    google_api_key: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None  # OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1
    ollama_base_url: str | None = None  # e.g. http://127.0.0.1:11434/v1
    llm_timeout_s: float = 20.0  # deadline of one model request, retries included
    llm_max_tool_calls: int = 8  # tool calls per chat turn
    llm_output_retries: int = 2  # retries to fix an invalid final answer (min 2)
    conversation_turns: int = 10  # whole turns of history kept per conversation

    # Flood control (issue 9, core.ratelimit; state in the catalog database, shared by workers)
    rate_burst: int = Field(default=5, ge=1)  # commands + buttons per user at once, every adapter
    rate_refill_s: float = Field(default=2.0, gt=0)  # ... then one more every this many seconds
    chat_rate: int = Field(default=6, ge=1)  # Discord: LLM-backed mentions/DMs per user per window
    chat_window_s: float = Field(default=60.0, gt=0)

    # Admins per platform (comma-separated ids). The console user is admin unless CONSOLE_ADMIN=false.
    console_admin: bool = True
    telegram_admin_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    discord_admin_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Telegram (issue 4)
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"

    # Discord (issue 5)
    discord_bot_token: SecretStr | None = None
    discord_shards: str = ""
    discord_api_base_url: str | None = None  # e.g. http://127.0.0.1:PORT/api/v10 (a stand-in for tests); unset: Discord

    # Spotify / previews (issue 6)
    spotify_client_id: str | None = None
    spotify_client_secret: SecretStr | None = None
    spotify_api_base_url: str = "https://api.spotify.com/v1"
    spotify_accounts_url: str = "https://accounts.spotify.com"
    deezer_api_base_url: str = "https://api.deezer.com"
    itunes_api_base_url: str = "https://itunes.apple.com"
    preview_cache_ttl_s: float = 86_400.0
    preview_timeout_s: float = 4.0
    # Spotify short links (spotify.link/…): total time to follow one, capped at 3 s; 0 = never follow (issue 9)
    short_link_timeout_s: float = 3.0

    # REST API (musicbot api; adapters/api). Writes (POST/PUT/DELETE /api/v1/songs) need
    # "Authorization: Bearer <API_ADMIN_KEY>"; unset = writes disabled. CORS: allowed browser origins (none by default).
    api_admin_key: SecretStr | None = None
    api_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    api_rate_burst: int = Field(default=30, ge=1)  # requests per client (IP) at once ...
    api_rate_refill_s: float = Field(default=0.5, gt=0)  # ... then one more every this many seconds

    @field_validator("telegram_admin_ids", "discord_admin_ids", "api_cors_origins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> list[str]:
        return _id_list(value)

    def agent_config(self) -> AgentConfig:
        """The LLM part of the settings for :meth:`core.chat.ChatService.configure_agent` (keys stay ``SecretStr``)."""
        from core.agent.config import AgentConfig

        return AgentConfig(
            model=self.model,
            google_api_key=self.google_api_key,
            openai_api_key=self.openai_api_key,
            openai_base_url=self.openai_base_url,
            ollama_base_url=self.ollama_base_url,
            timeout_s=self.llm_timeout_s,
            max_tool_calls=self.llm_max_tool_calls,
            conversation_turns=self.conversation_turns,
            output_retries=self.llm_output_retries,
        )

    def database_path(self) -> str:
        """The database from ``DATABASE_URL``: a SQLite file path (``sqlite:///path`` or a bare path; ``:memory:``
        allowed) or a ``postgresql://user:password@host:port/dbname`` URL, returned as given (see
        :func:`core.infra.database.parse_database`).

        Raises:
            InvalidInput: a URL for another database (``mysql://…``).
        """
        from core.infra.database import parse_database

        target = parse_database(self.database_url)
        return target.dsn if target.is_postgres else target.path

    # Telegram adapter tuning (issue 4; see README, "Telegram bot")
    telegram_webhook_secret: SecretStr | None = None  # webhook secret_token; default derived from the bot token
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_chat_rate: int = 6  # LLM-backed free-text messages per user per window
    telegram_chat_window_s: float = 60.0
    telegram_callback_ttl_s: float = 86400.0  # how long inline-keyboard buttons stay valid
    telegram_callback_max: int = 5000  # unused: button states live in the database (core/buttons.py), TTL only

"""Settings from the environment and `.env`, one pydantic-settings class per section.

Nothing here is read at import time: `load_settings()` builds them when the CLI starts, and tests
build `Settings(...)` explicitly.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

OFFICIAL_BASE_URL = "https://api.telegram.org/bot"
OFFICIAL_BASE_FILE_URL = "https://api.telegram.org/file/bot"
_TOKEN_RE = re.compile(r"^\d{4,}:[A-Za-z0-9_-]{30,}$")
_HHMM = r"^([01]?\d|2[0-3]):[0-5]\d$"
_PLACEHOLDERS = ("changeme", "change-me", "your", "token_here", "xxx", "<", "...", "example")


class SettingsError(Exception):
    """One clear line about a missing or invalid setting."""


def _env(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )


class TelegramSettings(BaseSettings):
    """TELEGRAM_*: how to reach the Bot API."""

    model_config = _env("TELEGRAM_")

    bot_token: SecretStr | None = None
    base_url: str = OFFICIAL_BASE_URL
    base_file_url: str = OFFICIAL_BASE_FILE_URL

    @field_validator("bot_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _real_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        lowered = token.lower()
        if any(p in lowered for p in _PLACEHOLDERS) or not _TOKEN_RE.match(token):
            raise ValueError(
                "does not look like a BotFather token (digits:letters, e.g. 123456789:AAE…); "
                "leave it empty to run the demo"
            )
        return SecretStr(token)

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


class DatabaseSettings(BaseSettings):
    """DATABASE_URL: SQLite file (default) or PostgreSQL via psycopg 3."""

    model_config = _env("DATABASE_")

    url: str = "sqlite:///data/daiban.db"

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        value = value.strip()
        if value.startswith(("postgresql://", "postgres://")):
            # psycopg 3 is the driver we ship; make the plain form work.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("use sqlite:///path/to/file.db or postgresql://user@host:5432/dbname")
        return value


class AppSettings(BaseSettings):
    """DAIBAN_*: behaviour of the service itself."""

    model_config = _env("DAIBAN_")

    tz: str = "Asia/Shanghai"
    catalog: Path | None = None
    log_level: str = "INFO"
    workday_end: str = Field(default="18:00", pattern=_HHMM)
    remind_before_hours: float = Field(default=4.0, ge=0, le=240)
    escalate_after_days: int = Field(default=1, ge=1, le=30)
    digest_at: str = Field(default="08:00", pattern=_HHMM)
    quiet_hours: str = Field(default="21:00-08:00", pattern=_HHMM[:-1] + r"-" + _HHMM[1:])
    flood_per_hour: int = Field(default=10, ge=1, le=1000)
    workers: int = Field(default=8, ge=1, le=64)

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("catalog")
    @classmethod
    def _catalog_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def quiet(self) -> tuple[time, time]:
        """(start, end) of the quiet hours, local time; start > end spans midnight."""
        start, end = self.quiet_hours.split("-")
        return parse_hhmm(start), parse_hhmm(end)


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class WebSettings(BaseSettings):
    """The HTTP side: listen address, webhook, Open311 API keys, the dashboard's public address."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    http_host: str = Field(default="127.0.0.1", validation_alias="DAIBAN_HTTP_HOST")
    http_port: int = Field(default=8080, ge=1, le=65535, validation_alias="DAIBAN_HTTP_PORT")
    public_url: str | None = Field(default=None, validation_alias="DAIBAN_PUBLIC_URL")
    webhook_url: str | None = Field(default=None, validation_alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="WEBHOOK_SECRET")
    open311_api_keys: SecretStr | None = Field(default=None, validation_alias="OPEN311_API_KEYS")

    @field_validator(
        "public_url", "webhook_url", "webhook_secret", "open311_api_keys", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_url", "webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// behind a proxy)")
        return value.rstrip("/") if value else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("use 1-256 characters of A-Z a-z 0-9 _ - (Telegram's secret_token)")
        return value

    @model_validator(mode="after")
    def _secret_with_url(self) -> WebSettings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @property
    def api_keys(self) -> tuple[str, ...]:
        """OPEN311_API_KEYS split on commas (empty: the POST endpoint refuses everyone)."""
        if self.open311_api_keys is None:
            return ()
        raw = self.open311_api_keys.get_secret_value().split(",")
        return tuple(key.strip() for key in raw if key.strip())

    @property
    def base_url(self) -> str:
        """Where people reach the dashboard (links sent by /web start with it)."""
        return self.public_url or f"http://{self.http_host}:{self.http_port}"


class Settings(BaseModel):
    """All sections together; tests build this explicitly."""

    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    app: AppSettings = Field(default_factory=AppSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @property
    def demo(self) -> bool:
        """No token: run the demo against the in-process fake Bot API."""
        return self.telegram.bot_token is None


_ENV_NAMES = {
    ("telegram", "bot_token"): "TELEGRAM_BOT_TOKEN",
    ("telegram", "base_url"): "TELEGRAM_BASE_URL",
    ("telegram", "base_file_url"): "TELEGRAM_BASE_FILE_URL",
    ("database", "url"): "DATABASE_URL",
    ("app", "tz"): "DAIBAN_TZ",
    ("app", "catalog"): "DAIBAN_CATALOG",
    ("app", "log_level"): "DAIBAN_LOG_LEVEL",
    ("app", "workday_end"): "DAIBAN_WORKDAY_END",
    ("app", "remind_before_hours"): "DAIBAN_REMIND_BEFORE_HOURS",
    ("app", "escalate_after_days"): "DAIBAN_ESCALATE_AFTER_DAYS",
    ("app", "digest_at"): "DAIBAN_DIGEST_AT",
    ("app", "quiet_hours"): "DAIBAN_QUIET_HOURS",
    ("app", "flood_per_hour"): "DAIBAN_FLOOD_PER_HOUR",
    ("app", "workers"): "DAIBAN_WORKERS",
}
ENV_VARS: tuple[str, ...] = tuple(_ENV_NAMES.values())


def load_settings() -> Settings:
    """Read every section; raise SettingsError with one line naming the bad variable."""
    sections: dict[str, type[BaseSettings]] = {
        "telegram": TelegramSettings,
        "database": DatabaseSettings,
        "app": AppSettings,
        "web": WebSettings,
    }
    built: dict[str, BaseSettings] = {}
    for name, cls in sections.items():
        try:
            built[name] = cls()
        except ValidationError as exc:
            err = exc.errors()[0]
            msg = err["msg"].removeprefix("Value error, ")
            if not err["loc"]:  # a rule across fields: its message names the variables
                raise SettingsError(msg) from None
            field = str(err["loc"][0])
            var = _ENV_NAMES.get((name, field), field.upper())
            raise SettingsError(f"{var}: {msg}") from None
    return Settings.model_validate(built)

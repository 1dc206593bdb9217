"""Park's settings: config/settings.toml overridden by PARK_* environment variables."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT_DIR = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(os.environ.get("PARK_CONFIG_DIR", ROOT_DIR / "config"))
LOCALES = ("zh_Hans", "en")


class SettingsError(Exception):
    """A setting has a value Park cannot start with; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///park.db"
    """sqlite:///path or postgresql://user@host:port/db."""
    database_pool_size: int = 10
    """PostgreSQL pool size per process."""
    database_locking_writers: int = 4
    """PostgreSQL: transactions that begin with row locks (bookings) one process runs at once; the rest wait in arrival order."""
    database_replica_url: str = ""
    """A PostgreSQL streaming replica for reads that may lag; empty = every read on the primary."""
    environment: str = "development"
    """development or production; production refuses the built-in secret."""
    secret_key: str = "development-only-secret-key-change-me-please"
    """Signs sessions and CSRF tokens."""
    timezone: str = "Asia/Shanghai"
    """The park's IANA time zone."""
    default_locale: str = "zh_Hans"
    """Language of the pages for a visitor who has not chosen one."""
    base_url: str = "http://127.0.0.1:8000"
    """Public base URL for links in mails and calendars."""
    redis_url: str = ""
    """Redis for sessions and rate limits across machines; empty = database."""
    max_body_bytes: int = 1_048_576
    """Largest accepted request body, in bytes."""
    token_ttl_hours: int = 24
    """Lifetime of an API token, in hours."""
    session_ttl_minutes: int = 720
    """Idle lifetime of a web session, in minutes."""
    scheduler_embedded: bool = True
    """Run scheduled jobs inside `park serve`."""
    smtp_host: str = ""
    """SMTP server; empty writes mails to mail_log_path."""
    smtp_port: int = 587
    """SMTP port."""
    smtp_username: str = ""
    """SMTP user, if the server needs one."""
    smtp_password: str = ""
    """SMTP password."""
    smtp_starttls: bool = True
    """Use STARTTLS with the SMTP server."""
    mail_from: str = "Park <park@szbay-culture-tech.cn>"
    """Sender of Park's mails."""
    mail_log_path: str = "var/mail.log"
    """Where mails go when no SMTP server is set."""
    login_max_failures: int = 5
    """Failed sign-ins allowed per window before 429."""
    login_window_seconds: int = 300
    """Window for counting failed sign-ins, in seconds."""
    policy_path: str = "config/priority.toml"
    """The priority policy file (relative paths start at the project root)."""
    log_level: str = "INFO"
    """Level of Park's logs."""
    forwarded_allow_ips: str = "127.0.0.1"
    """Proxies (comma-separated addresses, or *) whose X-Forwarded-For is trusted for the client address."""
    data_dir: str = "var/data"
    """Where uploaded files are kept (facility photos under photos/); relative paths start at the project root."""
    photo_max_bytes: int = 5_242_880
    """Largest facility photo accepted for upload, in bytes."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    """Keys of config files that are not settings (kept for other modules)."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> str:
        return _sqlite_path(self.database_url)

    def resolve_path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else ROOT_DIR / path

    def replace(self, **changes: Any) -> Settings:
        settings = dataclasses.replace(self, **changes)
        settings.validate()
        return settings

    def validate(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"PARK_TIMEZONE: unknown time zone {self.timezone!r}") from None
        _check_database_url(self.database_url)
        if self.environment not in ("development", "production"):
            raise SettingsError("PARK_ENVIRONMENT: must be 'development' or 'production'")
        if self.environment == "production" and (
            self.secret_key == Settings.secret_key or len(self.secret_key) < 32
        ):
            raise SettingsError("PARK_SECRET_KEY: production needs a secret of at least 32 characters")
        if self.default_locale not in LOCALES:
            raise SettingsError(f"PARK_DEFAULT_LOCALE: must be one of {', '.join(LOCALES)}")
        if self.max_body_bytes < 1024:
            raise SettingsError("PARK_MAX_BODY_BYTES: must be at least 1024")
        if not 1024 <= self.photo_max_bytes <= 50 * 1_048_576:
            raise SettingsError("PARK_PHOTO_MAX_BYTES: must be between 1024 and 52428800")
        if not self.data_dir.strip():
            raise SettingsError("PARK_DATA_DIR: must name a folder")
        if self.database_pool_size < 1:
            raise SettingsError("PARK_DATABASE_POOL_SIZE: must be at least 1")
        if not 1 <= self.database_locking_writers <= self.database_pool_size:
            raise SettingsError("PARK_DATABASE_LOCKING_WRITERS: must be from 1 to the pool size")
        if self.database_replica_url and not (
            self.database_replica_url.startswith("postgresql://") and not self.is_sqlite
        ):
            raise SettingsError("PARK_DATABASE_REPLICA_URL: must be postgresql://… beside a PostgreSQL PARK_DATABASE_URL")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://")):
            raise SettingsError("PARK_REDIS_URL: must start with redis:// or rediss://")


def _sqlite_path(url: str) -> str:
    path = url.removeprefix("sqlite:///")
    return path


def _check_database_url(url: str) -> None:
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres") and parts.hostname and parts.path.strip("/"):
        return
    raise SettingsError(
        "PARK_DATABASE_URL: expected sqlite:///path or postgresql://user@host:port/database"
    )


def _coerce(name: str, raw: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"PARK_{name.upper()}: expected true or false, got {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"PARK_{name.upper()}: expected a whole number, got {raw!r}") from None
    return str(raw)


def load_settings(environ: dict[str, str] | None = None, config_dir: Path | None = None) -> Settings:
    """Read config/settings.toml, apply PARK_* variables, validate."""
    environ = os.environ if environ is None else environ
    config_file = (config_dir or CONFIG_DIR) / "settings.toml"
    values: dict[str, Any] = {}
    if config_file.exists():
        try:
            values = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{config_file}: {error}") from None
    known = {f.name: f for f in fields(Settings) if f.name != "extra"}
    kinds = {"bool": bool, "int": int, "str": str}
    chosen: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in values.items():
        if key in known:
            chosen[key] = _coerce(key, value, kinds[str(known[key].type)])
        else:
            extra[key] = value
    for name, spec in known.items():
        env_value = environ.get(f"PARK_{name.upper()}")
        if env_value is not None:
            chosen[name] = _coerce(name, env_value, kinds[str(spec.type)])
    settings = Settings(**chosen, extra=extra)
    settings.validate()
    return settings

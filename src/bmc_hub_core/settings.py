"""Core settings: every ``BMC_HUB_*`` variable, also read from ``.env``."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from .errors import ConfigError
from .redact import mask_url_password, mask_url_passwords

ENV_PREFIX = "BMC_HUB_"

_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")

PositiveSeconds = Annotated[float, Field(gt=0, le=3600)]


def _in_memory_sqlite(url: str) -> bool:
    """``sqlite://``, ``sqlite:///:memory:`` and ``file::memory:`` / ``mode=memory`` URIs."""
    rest = url.split("://", 1)[1] if "://" in url else ""
    database = rest[1:] if rest.startswith("/") else rest
    database = database.split("?", 1)[0]
    return database in ("", ":memory:") or "mode=memory" in url or ":memory:" in database


class Settings(BaseSettings):
    """The hub's own configuration (DESIGN §6). Module settings live elsewhere."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        # .env files also hold MODULES__* and unrelated keys: ignore, never refuse them.
        extra="ignore",
        case_sensitive=False,
    )

    database_url: str = "sqlite:///./bmc_hub.db"
    #: PostgreSQL: test each pooled connection before use (a round trip per checkout);
    #: off saves it, and a connection the server dropped then fails one request.
    database_pre_ping: bool = True
    #: Comma-separated module names; ``*`` allows every installed module (development).
    modules: str = ""
    admin_token: SecretStr | None = None
    #: Comma-separated tokens for the data API; unset leaves data routes open.
    api_tokens: SecretStr | None = None
    #: A token for the Prometheus scraper at /metrics (the admin token works too).
    metrics_token: SecretStr | None = None
    #: Signs browser sessions; unset, the hub makes one and keeps it in the database.
    secret_key: SecretStr | None = None
    #: How long a browser sign-in lasts.
    session_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 12.0
    auto_migrate: bool = True
    strict: bool = False
    health_timeout: PositiveSeconds = 5.0
    health_cache_seconds: Annotated[float, Field(ge=0, le=3600)] = 2.0
    hook_timeout: PositiveSeconds = 10.0
    state_poll_seconds: PositiveSeconds = 2.0
    migration_lock_timeout: PositiveSeconds = 300.0
    #: How long one module's migration waits for a table another session holds before
    #: it gives up as "busy, retry" (PostgreSQL lock_timeout, SQLite busy timeout).
    migration_busy_seconds: PositiveSeconds = 10.0
    #: Request bodies larger than this get 413 before they are read (routes may raise it
    #: for themselves with FastAPI's ``max_body_size=``).
    max_body_bytes: Annotated[int, Field(ge=1024, le=2**40)] = 10 * 1024 * 1024
    #: Threads for sync (``def``) routes and dependencies, shared by every module of a
    #: worker (anyio's default thread limiter; 40 unless set).
    threadpool_size: Annotated[int, Field(ge=1, le=10_000)] = 40
    log_level: str = "INFO"
    #: How long finished job runs are kept (bmc-hub jobs runs, the admin page).
    job_history_days: Annotated[float, Field(gt=0, le=3650)] = 14.0
    #: One line per event: ``text`` for people, ``json`` for log collectors.
    log_format: Literal["text", "json"] = "text"
    trace_hooks: bool = False

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.strip().upper()
        if upper not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}")
        return upper

    @field_validator("database_url")
    @classmethod
    def _supported_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("sqlite:", "sqlite+pysqlite:", "postgresql")):
            raise ValueError(
                "must be a SQLAlchemy URL for SQLite (sqlite:///./bmc_hub.db) or "
                "PostgreSQL (postgresql+psycopg2://user:password@host:5432/dbname)"
            )
        if value.startswith("sqlite") and _in_memory_sqlite(value):
            raise ValueError(
                "is an in-memory SQLite database; migrations, every worker and every "
                "connection would each see their own empty copy, so the hub's tables would "
                "be missing. Use a file, e.g. sqlite:///./bmc_hub.db"
            )
        return value

    @field_validator("modules")
    @classmethod
    def _module_list(cls, value: str) -> str:
        return ",".join(part.strip() for part in value.split(",") if part.strip())

    @property
    def allow_all(self) -> bool:
        """True when ``BMC_HUB_MODULES=*`` (every installed module; development only)."""
        return "*" in self.allowed_names

    @property
    def allowed_names(self) -> tuple[str, ...]:
        """The allowlist as written, in order, without blanks."""
        return tuple(part for part in self.modules.split(",") if part)

    def is_allowed(self, name: str) -> bool:
        return self.allow_all or name in self.allowed_names

    @property
    def api_token_values(self) -> tuple[str, ...]:
        if self.api_tokens is None:
            return ()
        raw = self.api_tokens.get_secret_value()
        return tuple(token.strip() for token in raw.split(",") if token.strip())

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def load_settings(**overrides: Any) -> Settings:
    """Build :class:`Settings` from the environment, ``.env`` and ``overrides``.

    Raises :class:`ConfigError` with one line per bad variable, naming it.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "?"
            shown = _shown(field, error.get("input"))
            lines.append(
                f"{ENV_PREFIX}{field.upper()}: {error['msg']} (got {shown}); "
                "fix the variable or unset it"
            )
        raise ConfigError("invalid setting: " + "; ".join(lines)) from None
    except SettingsError as exc:
        raise ConfigError(f"invalid setting: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"the .env file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None


def _shown(field: str, value: object) -> str:
    """A bad value as the error shows it: tokens hidden, URL passwords masked."""
    if "token" in field or "secret" in field:
        return "<redacted>"
    if isinstance(value, str):
        return repr(mask_url_password(value) if "://" in value else mask_url_passwords(value))
    return repr(value)

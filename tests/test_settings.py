from __future__ import annotations

from pathlib import Path

import pytest

from bmc_hub_core.errors import ConfigError
from bmc_hub_core.settings import load_settings


def test_defaults_are_the_embedded_sqlite_database(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("BMC_HUB_DATABASE_URL", "BMC_HUB_MODULES", "BMC_HUB_ADMIN_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite:///./bmc_hub.db"
    assert settings.allowed_names == ()
    assert settings.auto_migrate is True
    assert settings.strict is False
    assert settings.state_poll_seconds == 2.0
    assert settings.admin_token is None


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BMC_HUB_MODULES", " hello , billing ,,")
    monkeypatch.setenv("BMC_HUB_STRICT", "true")
    monkeypatch.setenv("BMC_HUB_API_TOKENS", "one, two")
    monkeypatch.setenv("BMC_HUB_LOG_LEVEL", "debug")
    settings = load_settings(_env_file=None)
    assert settings.allowed_names == ("hello", "billing")
    assert settings.is_allowed("hello") and not settings.is_allowed("other")
    assert settings.strict is True
    assert settings.api_token_values == ("one", "two")
    assert settings.log_level == "DEBUG"


def test_star_allows_everything() -> None:
    settings = load_settings(_env_file=None, modules="*")
    assert settings.allow_all and settings.is_allowed("anything")


def test_dot_env_file_is_read_and_unrelated_keys_ignored(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("BMC_HUB_MODULES", raising=False)
    env = tmp_path / ".env"
    env.write_text("BMC_HUB_MODULES=hello\nUNRELATED=1\nMODULES__HELLO__GREETING=Hej\n")
    assert load_settings(_env_file=str(env)).allowed_names == ("hello",)


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("BMC_HUB_HEALTH_TIMEOUT", "soon", "BMC_HUB_HEALTH_TIMEOUT"),
        ("BMC_HUB_HEALTH_TIMEOUT", "0", "greater than 0"),
        ("BMC_HUB_AUTO_MIGRATE", "perhaps", "BMC_HUB_AUTO_MIGRATE"),
        ("BMC_HUB_LOG_LEVEL", "loud", "must be one of"),
        ("BMC_HUB_THREADPOOL_SIZE", "0", "greater than or equal to 1"),
        ("BMC_HUB_DATABASE_URL", "mysql://x", "PostgreSQL"),
        ("BMC_HUB_DATABASE_URL", "sqlite://", "in-memory"),
        ("BMC_HUB_DATABASE_URL", "sqlite:///:memory:", "sqlite:///./bmc_hub.db"),
        ("BMC_HUB_DATABASE_URL", "sqlite:///file::memory:?uri=true", "in-memory"),
        ("BMC_HUB_DATABASE_URL", "sqlite:///file:hub?mode=memory&uri=true", "in-memory"),
    ],
)
def test_invalid_values_stop_with_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    assert variable in message and fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///./bmc_hub.db",
        "sqlite:///relative/hub.db",
        "sqlite:////absolute/hub.db",
        "sqlite+pysqlite:///hub.db",
        "sqlite:///file:hub.db?uri=true",
    ],
)
def test_sqlite_files_are_accepted(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("BMC_HUB_DATABASE_URL", url)
    assert load_settings(_env_file=None).database_url == url


@pytest.mark.parametrize("password", ["s3cret-pw", "pa/ss word", "p@ss:w0rd"])
def test_a_database_url_password_is_never_echoed(
    monkeypatch: pytest.MonkeyPatch, password: str
) -> None:
    monkeypatch.setenv("BMC_HUB_DATABASE_URL", f"mysql://hub:{password}@db.example/hub")
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None)
    assert password not in str(info.value)
    assert "mysql://hub:***@db.example/hub" in str(info.value)


def test_a_dotenv_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_bytes(b"BMC_HUB_MODULES=caf\xe9\n")
    with pytest.raises(ConfigError, match=r"the \.env file is not UTF-8 text .*save it as UTF-8"):
        load_settings(_env_file=str(env))


def test_a_bad_token_value_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    # An unparsable admin token cannot happen (any string is valid), but a bad value next
    # to a token must not leak the token into the message.
    monkeypatch.setenv("BMC_HUB_ADMIN_TOKEN", "s3cret-value")
    monkeypatch.setenv("BMC_HUB_STRICT", "maybe")
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None)
    assert "s3cret-value" not in str(info.value)

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bmc_hub_core.errors import HookReturnError
from bmc_hub_core.module_settings import (
    ModuleSettings,
    load_module_settings,
    redacted,
    secret_values,
    unknown_keys,
)


class BillingSettings(ModuleSettings):
    api_url: str = "https://example.invalid"
    retries: int = 3
    api_key: SecretStr = SecretStr("")


def test_safety_switches_default_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODULES__BILLING__READ_ONLY", raising=False)
    settings = load_module_settings("billing", BillingSettings, env_file=None)
    assert isinstance(settings, BillingSettings)
    assert settings.read_only is True and settings.dry_run is True


def test_values_come_from_modules_env_case_insensitively(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODULES__BILLING__RETRIES", "7")
    monkeypatch.setenv("modules__billing__read_only", "false")
    monkeypatch.setenv("MODULES__BILLING__API_KEY", "k-123")
    settings = load_module_settings("billing", BillingSettings, env_file=None)
    assert settings.retries == 7  # type: ignore[attr-defined]
    assert settings.read_only is False
    assert settings.api_key.get_secret_value() == "k-123"  # type: ignore[attr-defined]


def test_other_modules_variables_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODULES__OTHER__RETRIES", "9")
    assert load_module_settings("billing", BillingSettings, env_file=None).retries == 3  # type: ignore[attr-defined]


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODULES__BILLING__RETRIES", "many")
    with pytest.raises(
        ValueError, match=r"MODULES__BILLING__RETRIES: Input should be a valid integer"
    ):
        load_module_settings("billing", BillingSettings, env_file=None)


def test_not_a_settings_class_is_a_clear_error() -> None:
    with pytest.raises(HookReturnError, match=r"subclass of bmc_hub_core\.ModuleSettings"):
        load_module_settings("billing", dict, env_file=None)  # type: ignore[arg-type]


def test_unknown_keys_get_a_did_you_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODULES__BILLING__RETRYS", "2")
    monkeypatch.setenv("MODULES__BILLING__RETRIES", "2")
    warnings = unknown_keys("billing", BillingSettings, env_file=None)
    assert len(warnings) == 1
    assert "MODULES__BILLING__RETRYS" in warnings[0]
    assert "did you mean MODULES__BILLING__RETRIES?" in warnings[0]


def test_unknown_keys_are_read_from_dot_env_too(tmp_path) -> None:
    env = tmp_path / ".env"
    env.write_text("MODULES__BILLING__API_UR=x\n")
    warnings = unknown_keys("billing", BillingSettings, env_file=str(env))
    assert warnings and "MODULES__BILLING__API_URL" in warnings[0]


def test_secrets_are_redacted() -> None:
    shown = redacted(BillingSettings(api_key=SecretStr("k-123")))
    assert shown["api_key"] == "**********"
    assert "k-123" not in str(shown)


class PlainSecrets(ModuleSettings):
    webhook_token: str = "tok-plain-1234"
    partner_password: str | None = None
    region: str = "eu"


def test_plain_strings_with_secret_looking_names_are_redacted_too() -> None:
    settings = PlainSecrets(partner_password="pw-plain-5678")
    shown = redacted(settings)
    assert shown["webhook_token"] == "**********"
    assert shown["partner_password"] == "**********"
    assert shown["region"] == "eu"
    assert secret_values(settings) == ["tok-plain-1234", "pw-plain-5678"]
    assert secret_values(BillingSettings(api_key=SecretStr("k-123"))) == ["k-123"]

"""Per-module settings from ``MODULES__NAME__KEY``, validated one module at a time."""

from __future__ import annotations

import difflib
import functools
import os
from typing import Any

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from .errors import HookReturnError
from .redact import MASK, looks_secret


class ModuleSettings(BaseModel):
    """Base of every module's settings model.

    Subclass it in ``register_settings`` and add fields; values come from
    ``MODULES__NAME__FIELD`` (case-insensitive). Type secrets as ``SecretStr``: they
    are redacted wherever the hub shows settings.
    """

    model_config = ConfigDict(extra="ignore")

    #: The core answers writes (anything but GET/HEAD/OPTIONS) to the module with 403.
    read_only: bool = True
    #: The module's ``session()`` rolls back instead of committing; responses carry
    #: ``X-BMC-Dry-Run: true``.
    dry_run: bool = True


def env_prefix(name: str) -> str:
    return f"MODULES__{name.upper()}__"


@functools.cache
def _from_env(model: type[ModuleSettings]) -> type[BaseSettings]:
    """``model`` reading the environment; one class per model, the prefix given per call.

    Creating a pydantic class costs about half a millisecond; modules without their own
    settings all share ``ModuleSettings``, so they share one.
    """
    return type(
        f"{model.__name__}FromEnv",
        (model, BaseSettings),
        {
            "model_config": SettingsConfigDict(
                env_nested_delimiter="__", extra="ignore", case_sensitive=False
            )
        },
    )


def load_module_settings(
    name: str, model: type[ModuleSettings], env_file: str | None = ".env"
) -> ModuleSettings:
    """Validate ``model`` from the environment for module ``name``.

    Raises :class:`HookReturnError` if ``model`` is not a ``ModuleSettings`` subclass and
    ``ValueError`` naming each bad variable when validation fails.
    """
    if not (isinstance(model, type) and issubclass(model, ModuleSettings)):
        raise HookReturnError(
            f"register_settings must return a subclass of bmc_hub_core.ModuleSettings "
            f"or None, got {model!r}"
        )
    prefix = env_prefix(name)
    try:
        loaded = _from_env(model)(_env_prefix=prefix, _env_file=env_file)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = "__".join(str(part) for part in error["loc"]).upper()
            problems.append(f"{prefix}{field}: {error['msg']}")
        raise ValueError("; ".join(problems)) from None
    except SettingsError as exc:
        raise ValueError(f"{prefix}*: {exc}") from None
    # Hand the module an instance of its own class, not of the env-reading subclass.
    return model.model_validate(dict(loaded))


def unknown_keys(
    name: str, model: type[ModuleSettings], env_file: str | None = ".env"
) -> list[str]:
    """One warning line per ``MODULES__NAME__KEY`` that ``model`` has no field for."""
    prefix = env_prefix(name)
    keys: set[str] = {key for key in os.environ if key.upper().startswith(prefix)}
    if env_file and os.path.isfile(env_file):
        keys |= {k for k in dotenv_values(env_file) if k.upper().startswith(prefix)}
    fields = sorted(model.model_fields)
    warnings = []
    for key in sorted(keys):
        field = key[len(prefix) :].split("__", 1)[0].lower()
        if field in fields:
            continue
        close = difflib.get_close_matches(field, fields, n=1)
        hint = f"; did you mean {prefix}{close[0].upper()}?" if close else ""
        known = ", ".join(f.upper() for f in fields)
        warnings.append(f"{key} is not a setting of module '{name}' (known: {known}){hint}")
    return warnings


def _module_env_keys(env_file: str | None) -> set[str]:
    keys = {key for key in os.environ if key.upper().startswith("MODULES__")}
    if env_file and os.path.isfile(env_file):
        keys |= {k for k in dotenv_values(env_file) if k.upper().startswith("MODULES__")}
    return keys


def unknown_modules(installed: set[str], env_file: str | None = ".env") -> list[str]:
    """One warning line per ``MODULES__X__KEY`` whose X is not an installed module."""
    warnings = []
    known = sorted(installed)
    for key in sorted(_module_env_keys(env_file)):
        name = key.split("__")[1].lower() if key.count("__") >= 2 else ""
        if name in installed:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        rest = key.split("__", 2)[2] if key.count("__") >= 2 else ""
        hint = f"; did you mean {env_prefix(close[0])}{rest}?" if close else ""
        warnings.append(
            f"{key} names module '{name}', which is not installed "
            f"(installed: {', '.join(known) or 'none'}){hint}"
        )
    return warnings


def redacted(settings: ModuleSettings) -> dict[str, Any]:
    """The settings as JSON-safe data with every ``SecretStr``, and every string whose
    setting name looks secret (key, token, secret, password), shown as ``'**********'``."""
    data: dict[str, Any] = settings.model_dump(mode="json")
    for name, value in data.items():
        if isinstance(value, str) and looks_secret(name):
            data[name] = MASK
    return data


def secret_values(settings: ModuleSettings | None) -> list[str]:
    """The values to mask in any message about the module: ``SecretStr`` fields and
    strings whose setting name looks secret."""
    if settings is None:
        return []
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name, None)
        if isinstance(value, SecretStr):
            values.append(value.get_secret_value())
        elif isinstance(value, str) and looks_secret(name):
            values.append(value)
    return values


__all__ = [
    "ModuleSettings",
    "SecretStr",
    "load_module_settings",
    "redacted",
    "secret_values",
    "unknown_keys",
    "unknown_modules",
]

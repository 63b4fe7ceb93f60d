"""Passwords in database URLs never reach a message."""

from __future__ import annotations

import pytest

from bmc_hub_core.redact import looks_secret, mask_url_password, mask_url_passwords, mask_values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://app:s3cret@db/hub", "postgresql://app:***@db/hub"),
        (
            "got 'postgresql+psycopg2://app:p@ss:w0rd@db:5432/hub'",
            "got 'postgresql+psycopg2://app:***@db:5432/hub'",
        ),
        ("postgresql://app@db/hub", "postgresql://app@db/hub"),
        ("sqlite:///./bmc_hub.db", "sqlite:///./bmc_hub.db"),
        ("a://x:1@h and b://y:2@k", "a://x:***@h and b://y:***@k"),
        ("got 'postgres://app:pa/ss@db/hub'", "got 'postgres://app:***@db/hub'"),
        ("postgresql://app:p:w@db:5432/hub", "postgresql://app:***@db:5432/hub"),
    ],
)
def test_mask_url_passwords(text: str, expected: str) -> None:
    assert mask_url_passwords(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://app:pa/ss w@db/hub", "postgres://app:***@db/hub"),
        ("postgres://app:p@ss@db/hub", "postgres://app:***@db/hub"),
        ("postgres://app@db/hub", "postgres://app@db/hub"),
        ("sqlite:///./hub.db", "sqlite:///./hub.db"),
    ],
)
def test_mask_url_password_of_a_whole_url(url: str, expected: str) -> None:
    assert mask_url_password(url) == expected


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("ACCESS_TOKEN", True),
        ("client_secret", True),
        ("db_password", True),
        ("credentials", True),
        ("region", False),
        ("greeting", False),
    ],
)
def test_setting_names_that_look_secret(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


def test_secret_values_and_url_passwords_are_masked_in_any_text() -> None:
    text = "key=abcd1234 again abcd1234, short=ab, url=postgresql://u:pw@h/db"
    assert mask_values(text, ["abcd1234", "ab"]) == (
        "key=********** again **********, short=ab, url=postgresql://u:***@h/db"
    )

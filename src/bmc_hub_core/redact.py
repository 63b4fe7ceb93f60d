"""Keep secrets out of messages: the password part of database URLs."""

from __future__ import annotations

import re

#: ``scheme://user:password@``: from the colon after the user to the last ``@`` of the
#: URL (a password with an unescaped ``@``, ``/`` or ``:`` is masked whole; masking a
#: little too much is safe, showing a password is not).
_URL_PASSWORD = re.compile(r"(://[^:/@\s'\"]*:)[^\s'\"]*@")


def mask_url_passwords(text: str) -> str:
    """``postgresql://app:s3cret@db/hub`` → ``postgresql://app:***@db/hub``, in any text."""
    return _URL_PASSWORD.sub(r"\1***@", text)


_WHOLE_URL_PASSWORD = re.compile(r"^([^:/]+://[^:/@]*:).*@", re.DOTALL)


def mask_url_password(url: str) -> str:
    """A whole value that is a URL: everything from the user's colon to its last ``@`` is
    the password, whatever it contains (spaces and slashes included)."""
    return _WHOLE_URL_PASSWORD.sub(r"\1***@", url)


#: Setting names that look secret: their plain ``str`` values are masked like SecretStr.
_SECRET_NAME = re.compile(r"key|token|secret|password|passwd|credential", re.IGNORECASE)

MASK = "**********"


def looks_secret(name: str) -> bool:
    """``api_key``, ``TOKEN``, ``db_password``... (``*key*`` matches ``keyboard`` too:
    masking a little too much is safe)."""
    return bool(_SECRET_NAME.search(name))


def mask_values(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """``text`` with every secret value and every URL password masked.

    Values shorter than four characters are left alone: masking every ``"1"`` would
    hide the message, not the secret.
    """
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return mask_url_passwords(text)

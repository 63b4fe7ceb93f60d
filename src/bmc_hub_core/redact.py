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

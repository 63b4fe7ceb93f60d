"""Keep secrets out of messages: the password part of database URLs."""

from __future__ import annotations

import re

#: ``scheme://user:password@``: from the colon after the user to the last ``@`` before
#: the host (a password with an unescaped ``@`` is masked whole).
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^/\s]*@")


def mask_url_passwords(text: str) -> str:
    """``postgresql://app:s3cret@db/hub`` → ``postgresql://app:***@db/hub``, in any text."""
    return _URL_PASSWORD.sub(r"\1***@", text)

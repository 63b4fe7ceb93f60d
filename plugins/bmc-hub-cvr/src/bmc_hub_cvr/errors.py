"""What can go wrong asking the registry; each error carries the HTTP status the API
answers with, and a message that says what happened and what to do."""

from __future__ import annotations


class CvrError(Exception):
    """Base of the module's errors; ``status`` is the answer of ``POST /lookup``."""

    status = 502

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownCvr(CvrError):
    """The registry answered 404: no company has this number."""

    status = 404

    def __init__(self, cvr: str) -> None:
        super().__init__(f"CVR {cvr} is not in the registry")


class BadAnswer(CvrError):
    """The registry answered, but not with a company: malformed JSON, missing or invalid
    fields, another CVR number, an unexpected status, a refused token."""

    status = 502


class RegistryTimeout(CvrError):
    """No answer within ``timeout_seconds``."""

    status = 504


class RegistryUnavailable(CvrError):
    """The registry could not be reached at all (connection refused, no route, DNS)."""

    status = 503


class RateLimited(CvrError):
    """The registry answered 429; ``retry_after`` is its ``Retry-After`` header, if it
    sent a valid one (seconds, or an HTTP date)."""

    status = 503

    def __init__(self, message: str, retry_after: str | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

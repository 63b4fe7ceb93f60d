"""Why an upload was refused: one exception carrying the HTTP status and a clear message."""

from __future__ import annotations


class UnreadableDocument(Exception):
    """The uploaded file cannot be scanned; ``str(exc)`` says why and what to do.

    ``status`` is the HTTP status the API answers with: 413 too large, 415 not a PDF or
    text file, 422 a PDF or text file that cannot be read (empty, encrypted, damaged).
    """

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

"""The customer form on the pages → a checked :class:`~.customers.CustomerIn`, or one
message per field a person can act on (never a JSON 422).

The form accepts what people type: surrounding spaces, a CVR written ``12 34 56 78`` or
``DK12345678``, an empty field for "none". The rules themselves are the API's
(:class:`~.customers.CustomerIn`), so the page and the API never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from .customers import CustomerIn

#: Field → label shown next to its problem.
LABELS = {"name": "Name", "cvr": "CVR", "email": "Email"}
MESSAGES = {
    "name": "Enter a name of 1-200 characters.",
    "cvr": "A CVR number is 8 digits, e.g. 12345678.",
    "email": "Enter an email address like name@example.dk, or leave it empty.",
}


@dataclass
class CustomerForm:
    """The values as typed (shown again on a problem) and the problems by field."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(LABELS, ""))
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, cvr: str | None, email: str | None) -> CustomerForm:
        """A form filled from a stored customer (the edit page)."""
        return cls({"name": name, "cvr": cvr or "", "email": email or ""})


def _cvr(raw: str) -> str:
    """``DK 12 34 56 78`` → ``12345678``; anything else is left for the check to refuse."""
    text = raw.strip().replace(" ", "")
    if text[:2].upper() == "DK":
        text = text[2:]
    return text


def parse(form: Mapping[str, str]) -> tuple[CustomerIn | None, CustomerForm]:
    """The customer the form describes (None when it has problems) and the form to show."""
    values = {key: form.get(key, "") for key in LABELS}
    shown = CustomerForm(values)
    data = {
        "name": values["name"].strip(),
        "cvr": _cvr(values["cvr"]) or None,
        "email": values["email"].strip() or None,
    }
    try:
        return CustomerIn.model_validate(data), shown
    except ValidationError as exc:
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "name"
            shown.errors.setdefault(key, MESSAGES.get(key, str(error["msg"])))
        return None, shown

"""The pages' HTML forms → checked input, with messages a person can act on.

Forms accept what people type in Denmark (``1.250,00``, ``01-11-2026``), like the import;
every problem becomes one line on the page, never a JSON 422.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from .importing import values
from .schemas import MAX_ID, SubscriptionIn

LABELS = {
    "customer_id": "Customer",
    "product": "Product",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "currency": "Currency",
    "interval": "Interval",
    "start_date": "Start date",
    "end_date": "End date",
    "status": "Status",
}
FIELDS = tuple(LABELS)


class FormInvalid(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_id(raw: str) -> int | None:
    """A path or form id, or None when it is not one (the page answers 404/an error)."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_ID else None


def subscription_input(form: Mapping[str, str]) -> SubscriptionIn:
    """The form's subscription, or :class:`FormInvalid` listing every problem."""
    raw = {name: form.get(name, "").strip() for name in FIELDS}
    data: dict[str, Any] = {"product": raw["product"], "interval": raw["interval"]}
    problems: list[str] = []
    customer_id = parse_id(raw["customer_id"])
    if customer_id is None:
        problems.append("Customer: choose a customer")
    data["customer_id"] = customer_id
    parsers: dict[str, Callable[[str], Any]] = {
        "quantity": values.quantity,
        "unit_price": values.price,
        "start_date": lambda cell: values.date(cell, "start date"),
    }
    for name, parse in parsers.items():
        try:
            data[name] = parse(raw[name])
        except ValueError as exc:
            problems.append(f"{LABELS[name]}: {exc}")
    if raw["end_date"]:
        try:
            data["end_date"] = values.date(raw["end_date"], "end date")
        except ValueError as exc:
            problems.append(f"End date: {exc}")
    if raw["currency"]:
        data["currency"] = raw["currency"].upper()
    if raw["status"]:
        data["status"] = raw["status"]
    if problems:
        raise FormInvalid(problems)
    try:
        return SubscriptionIn.model_validate(data)
    except ValidationError as exc:
        raise FormInvalid([_message(error) for error in exc.errors()]) from None


def _message(error: Mapping[str, Any]) -> str:
    field = str(error["loc"][0]) if error["loc"] else ""
    text = str(error["msg"]).removeprefix("Value error, ")
    if field == "currency":
        text = "use a three-letter ISO 4217 code such as DKK or EUR"
    elif error["type"] == "string_pattern_mismatch":
        text = "must not contain control characters such as NUL or line breaks"
    label = LABELS.get(field)
    return f"{label}: {text}" if label else text

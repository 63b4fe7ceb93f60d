"""What can go wrong in the module's own logic; the API and the pages map each to a status."""

from __future__ import annotations


class SubscriptionsError(Exception):
    """Base of the module's errors; ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(SubscriptionsError):
    status = 404


class UnknownCustomer(SubscriptionsError):
    """A request body or an import row names a customer the core does not have."""

    status = 422

    def __init__(self, customer_id: int) -> None:
        super().__init__(
            f"customer {customer_id} does not exist; create it first (POST /api/v1/customers)"
        )


class CustomerLocked(SubscriptionsError):
    status = 409

    def __init__(self, customer_id: int, reason: str) -> None:
        super().__init__(f"customer {customer_id} is locked: {reason}")


class Conflict(SubscriptionsError):
    status = 409


class ImportRefused(SubscriptionsError):
    """The uploaded file as a whole cannot be imported (nothing is written)."""

    status = 422


class TooLarge(SubscriptionsError):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than the import limit of {limit} bytes; split it")

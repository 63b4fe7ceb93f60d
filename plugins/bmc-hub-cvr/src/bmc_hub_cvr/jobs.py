"""The module's jobs, run by ``bmc-hub worker`` in a process of their own.

- ``fill_customers`` (nightly, 03:00 UTC): company data for every core customer with a
  CVR number whose company is not cached or is older than ``cache_hours``, fetched in
  batches of ``batch_size``; each batch is stored in one transaction, so what was fetched
  is kept even when a later batch stops.
- ``refresh`` (on demand, ``cvr=``): ask the registry again for one company.

A rate limit with a ``Retry-After`` asks the worker to try again after that long
(``RetryLater``); a run that another try cannot help (the module is read-only, the
registry does not know the number) fails at once (``JobFailed``).

Both only write ``cvr_companies``; ``customers`` is read, never changed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator, Sequence

from bmc_hub_core import JobFailed, ModuleContext, RetryLater

from . import registry, store
from .errors import (
    BadAnswer,
    CvrError,
    RateLimited,
    RegistryTimeout,
    RegistryUnavailable,
    UnknownCvr,
)
from .lookup import refresh as refresh_company
from .lookup import utcnow
from .number import check_cvr, passes_modulus_11
from .registry import Answer
from .settings import cvr_settings

#: After this many timeouts in a row the registry is taken as down: the run stops.
TIMEOUTS_IN_A_ROW = 3
#: Failures named in a run's error (the rest are counted).
NAMED = 5


class FillStopped(CvrError):
    """The registry stopped the nightly run (unreachable, timing out, a rate limit that
    names no delay); what was fetched before is stored, and the worker tries the run
    again after its backoff."""


class FillIncomplete(CvrError):
    """Some companies could not be fetched; the others are stored."""


def _refuse_read_only(module: ModuleContext, job: str) -> None:
    if module.read_only:
        raise JobFailed(
            f"module '{module.name}' is read-only, and {job} stores what it fetches, so it "
            f"did not run; set MODULES__{module.name.upper()}__READ_ONLY=false"
        )


def _seconds(retry_after: str | None) -> float | None:
    """A ``Retry-After`` value (seconds, or an HTTP date) as seconds from now."""
    if retry_after is None:
        return None
    if retry_after.isdigit():
        return float(retry_after)
    try:
        when = email.utils.parsedate_to_datetime(retry_after)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _store(module: ModuleContext, answers: list[Answer]) -> None:
    if not answers:
        return
    now = utcnow()
    with module.transaction() as session:
        for answer in answers:
            store.put(session, answer, now)


def fill_customers(module: ModuleContext) -> None:
    """Fill in company data for the core's customers (see the module docstring)."""
    _refuse_read_only(module, "fill_customers")
    settings = cvr_settings(module)
    stale_before = utcnow() - dt.timedelta(hours=settings.cache_hours)
    with module.session() as session:
        due = store.due_customer_cvrs(session, stale_before)
    numbers = [number for number in due if passes_modulus_11(number)]
    for number in sorted(set(due) - set(numbers)):
        module.logger.warning("customer CVR %s fails the modulus-11 check; not looked up", number)
    stored = unknown = 0
    failures: list[str] = []
    timeouts = 0
    for batch in _batches(numbers, settings.batch_size):
        answers: list[Answer] = []
        stop: CvrError | None = None
        for number in batch:
            try:
                answers.append(registry.fetch(module, number))
                timeouts = 0
            except UnknownCvr as exc:
                unknown += 1
                module.logger.warning("%s", exc.message)
            except BadAnswer as exc:
                failures.append(exc.message)
            except RegistryTimeout as exc:
                failures.append(exc.message)
                timeouts += 1
                if timeouts >= TIMEOUTS_IN_A_ROW:
                    stop = exc
                    break
            except (RateLimited, RegistryUnavailable) as exc:
                stop = exc
                break
        _store(module, answers)
        stored += len(answers)
        if stop is not None:
            why = f"stopped after storing {stored} of {len(numbers)} companies: {stop.message}"
            after = _seconds(stop.retry_after) if isinstance(stop, RateLimited) else None
            if after is not None:
                raise RetryLater(why, after=after)
            raise FillStopped(why)
    module.logger.info(
        "fill_customers: %d due, %d stored, %d unknown to the registry, %d failed",
        len(numbers),
        stored,
        unknown,
        len(failures),
    )
    if failures:
        named = "; ".join(failures[:NAMED])
        more = f" (and {len(failures) - NAMED} more)" if len(failures) > NAMED else ""
        raise FillIncomplete(
            f"{len(failures)} of {len(numbers)} lookups failed, {stored} stored: {named}{more}"
        )


def refresh(module: ModuleContext, cvr: str) -> None:
    """Fetch one company again, however fresh its cached copy is."""
    _refuse_read_only(module, "refresh")
    number = check_cvr(str(cvr))
    try:
        company = refresh_company(module, number)
    except UnknownCvr as exc:
        # Nothing to store, and asking again gives the same answer: not worth a retry.
        raise JobFailed(f"{exc.message}; nothing stored") from None
    module.logger.info("refresh: CVR %s stored (%s)", company.cvr, company.name)

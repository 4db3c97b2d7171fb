"""What Tryton sends to the portal (``TrytonConnector.fetch``): vendors, jobs, sub jobs,
standard cost codes, job cost transactions (per job) and payments, shaped as
:mod:`connectors.imports` says, in pages that resume after the cursor and send a record again
when it changed in Tryton (see :mod:`.paging`).

Not sent: cost types (Tryton has none), prime contracts (Tryton has none) and budgets (they
would need ``analytic_budget``, which the connector does not require).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from connectors.base import Batch, PermanentError
from connectors.imports import FetchKind
from connectors.tryton.books import Tryton
from connectors.tryton.imports.costs import job_cost_streams
from connectors.tryton.imports.directory import (
    cost_code_streams,
    job_streams,
    sub_job_streams,
    vendor_streams,
)
from connectors.tryton.imports.paging import Stream, parse_cursor, run
from connectors.tryton.imports.payments import payment_streams

FETCH_BATCH = 500

K = FetchKind
KINDS: dict[str, Callable[[Tryton, str | None], list[Stream]]] = {
    K.VENDORS: vendor_streams,
    K.JOBS: job_streams,
    K.SUB_JOBS: sub_job_streams,
    K.STANDARD_COST_CODES: cost_code_streams,
    K.JOB_COST_TRANSACTIONS: job_cost_streams,
    K.PAYMENTS: payment_streams,
}


def fetch_size(settings: dict[str, Any]) -> int:
    try:
        return max(1, int(settings.get("fetch_batch_size") or FETCH_BATCH))
    except ValueError:
        return FETCH_BATCH


def fetch(
    tryton: Tryton, kind: str, cursor: str, size: int, *, job: str | None = None
) -> Iterator[Batch]:
    """The batches of ``kind`` after ``cursor`` (``job``: only that job's and its sub jobs'
    records, for the per-job kinds; every job's when None; ignored for the others). Checked
    and logged in at once, not at the first batch: an unknown kind or job, a bad cursor or
    refused credentials raise here."""
    make = KINDS.get(kind)
    if make is None:
        raise PermanentError(f"Tryton does not send {kind} to the portal.")
    tryton.books  # noqa: B018 (log in before the first batch: refused credentials raise here)
    streams = make(tryton, job)
    return run(tryton, streams, parse_cursor(cursor, len(streams)), size)


__all__ = ["FETCH_BATCH", "KINDS", "fetch", "fetch_size"]

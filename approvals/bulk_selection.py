"""*All N matching*: a bulk decision over every request a queue's filters match, not only the
rows ticked on its page (a page shows 25; a queue may hold thousands).

The form posts the filters (the queue's querystring) instead of ids; the ids are read here, at
the time of the decision, in the queue's order, and only of the types the user may decide. A
decision takes at most :data:`MAX_MATCHING` requests: more is refused, with the number, so the
filters can narrow it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from approvals import selectors
from approvals.models import RequestState
from tenancy.models import Account

MAX_MATCHING = 10_000
FIELD = "matching"  # the form's field: "all" for every request that matches the filters


def wanted(data: QueryDict) -> bool:
    return data.get(FIELD) == "all"


def matching_ids(
    user: Any, account: Account, state: RequestState, query: selectors.QueueQuery
) -> list[int]:
    """The ids of the requests in ``state`` that ``query`` matches and ``user`` may decide
    (ValidationError when none, or more than MAX_MATCHING)."""
    ids = list(
        selectors.queue_requests(account, state, query)
        .filter(item_type__in=selectors.decidable_types(user, account))
        .values_list("pk", flat=True)[: MAX_MATCHING + 1]
    )
    if not ids:
        raise ValidationError("Nothing matches the filters any more.")
    if len(ids) > MAX_MATCHING:
        raise ValidationError(
            f"More than {MAX_MATCHING:,} items match: decide at most {MAX_MATCHING:,} at once "
            "(narrow the filters, e.g. by type, project or age)."
        )
    return ids


def with_ids(data: QueryDict, ids: list[int]) -> QueryDict:
    """The posted form, its ids replaced by ``ids``."""
    filled = data.copy()
    filled.setlist("ids", [str(pk) for pk in ids])
    return filled

"""An export batch: the requests one decision let go to the ERP (an *Accept selected* or a
*Retry selected*), followed while the workers export them.

A decision writes the same ``decided_by`` and ``decided_at`` on every request it moves (one
UPDATE), so the pair names the batch without a table of its own. The token is that pair with
the account, signed: a token from another account, or one that was tampered with, finds no
batch. Retrying or rejecting a failed request later is a new decision, and takes it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core import signing
from django.db.models import Count, Q

from approvals.models import ExportRequest, RequestState
from tenancy.models import Account

SALT = "approvals.export-batch"
# A decision on more requests than this shows its progress on the queue page.
HANDFUL = 5
S = RequestState


@dataclass(frozen=True)
class Batch:
    """Who decided, and when (the same instant on every request of the decision)."""

    account_id: int
    decided_by_id: int
    decided_at: dt.datetime


@dataclass(frozen=True)
class Progress:
    """Where the batch's requests are now."""

    total: int
    exported: int
    failed: int
    waiting: int  # accepted or being exported

    @property
    def done(self) -> bool:
        return self.waiting == 0

    @property
    def finished(self) -> int:
        return self.total - self.waiting


def token_for(requests: Sequence[ExportRequest]) -> str | None:
    """The token of the decision that just moved ``requests`` (``None`` for none)."""
    first = requests[0] if requests else None
    if first is None or first.decided_by_id is None or first.decided_at is None:
        return None
    stamp = first.decided_at.astimezone(dt.UTC).isoformat()
    return signing.dumps([first.account_id, first.decided_by_id, stamp], salt=SALT, compress=True)


def batch_of(token: str, account: Account) -> Batch | None:
    """The batch a token names, if it is a token of ``account``'s (else ``None``)."""
    try:
        account_id, decided_by_id, stamp = signing.loads(token, salt=SALT)
        batch = Batch(int(account_id), int(decided_by_id), dt.datetime.fromisoformat(stamp))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return batch if batch.account_id == account.pk else None


def filter_batch(token: str, account: Account) -> Batch:
    """The batch a list is filtered to: the one ``token`` names, or, for a token that names
    none of ``account``'s, one that holds nothing (the list shows nothing, not everything)."""
    return batch_of(token, account) or Batch(account.pk, 0, dt.datetime.min.replace(tzinfo=dt.UTC))


def requests_of(batch: Batch) -> Q:
    """The condition that picks the batch's requests."""
    return Q(
        account_id=batch.account_id,
        decided_by_id=batch.decided_by_id,
        decided_at=batch.decided_at,
    )


def progress(account: Account, token: str) -> Progress | None:
    """The batch's counts in one aggregate query; ``None`` for a token that names no batch of
    ``account`` (another account's, a forged one, or one whose requests all moved on)."""
    batch = batch_of(token, account)
    if batch is None:
        return None
    counts = (
        ExportRequest.objects.for_account(account)
        .filter(requests_of(batch))
        .aggregate(
            total=Count("pk"),
            exported=Count("pk", filter=Q(state=S.SYNCED)),
            failed=Count("pk", filter=Q(state=S.FAILED)),
            waiting=Count("pk", filter=Q(state__in=(S.ACCEPTED, S.EXPORTING))),
        )
    )
    if not counts["total"]:
        return None
    return Progress(**counts)


def followed(requests: Sequence[ExportRequest]) -> str | None:
    """The token to follow after a decision, when it let more than a handful go."""
    return token_for(requests) if len(requests) > HANDFUL else None

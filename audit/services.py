"""Writing the audit trail: one way, for every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from audit.models import AuditEvent


@dataclass(frozen=True)
class Change:
    """One audited change of one record. ``at``: when it happened, for history written after
    the fact (an import); a row cannot be redated once written."""

    account_id: int
    item_type: str
    item_id: int
    verb: str
    before: str = ""
    after: str = ""
    request_id: int | None = None
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None


def audit_rows(actor: Any, changes: Iterable[Change]) -> list[AuditEvent]:
    """Write one row per change (one query), inside the caller's transaction."""
    now = timezone.now()
    rows = [
        AuditEvent(
            account_id=change.account_id,
            actor=actor if getattr(actor, "pk", None) else None,
            verb=change.verb,
            item_type=change.item_type,
            item_id=change.item_id,
            request_id=change.request_id,
            before=change.before,
            after=change.after,
            reason=change.reason,
            data=dict(change.data),
            created_at=change.at or now,
        )
        for change in changes
    ]
    return AuditEvent.objects.bulk_create(rows)

"""Many audit rows at once (a bulk accept of thousands): every change is written as given, in
order, and the rows come back with their ids (PostgreSQL sends them as one array per column)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import _COLUMNS, MANY, Change, audit_rows

pytestmark = pytest.mark.django_db


def test_many_changes_are_written_as_given(account: Any) -> None:
    approver = get_user_model().objects.create_user("many-rows-approver")
    then = timezone.now() - dt.timedelta(days=2)
    changes = [
        Change(
            account_id=account.pk,
            item_type="commitment",
            item_id=1000 + n,
            verb="accept",
            before="pending",
            after="accepted",
            request_id=5000 + n,
            reason="" if n % 2 else "Looks right, 'quoted' \"text\" é",
            data={"erp_fields": {"number": f"PO-{n}"}} if n % 3 == 0 else {},
            at=then if n == 0 else None,
        )
        for n in range(MANY + 10)
    ]
    rows = audit_rows(approver, changes)
    assert len(rows) == len(changes)
    assert all(row.pk for row in rows)
    stored = {e.pk: e for e in AuditEvent.objects.filter(account=account)}
    for change, row in zip(changes, rows, strict=True):
        event = stored[row.pk]
        assert (event.item_id, event.request_id, event.verb) == (
            change.item_id,
            change.request_id,
            change.verb,
        )
        assert (event.before, event.after, event.reason) == (
            change.before,
            change.after,
            change.reason,
        )
        assert event.data == dict(change.data)
        assert event.actor_id == approver.pk
    assert stored[rows[0].pk].created_at == then
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)


def test_the_array_insert_writes_every_column_of_the_trail() -> None:
    columns = {f.column for f in AuditEvent._meta.concrete_fields if not f.primary_key}
    assert {name for name, _ in _COLUMNS} == columns

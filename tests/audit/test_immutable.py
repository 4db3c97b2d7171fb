"""The audit trail cannot be rewritten: the application refuses to change or delete a row, the
database refuses it too on PostgreSQL (whoever connects), the admin site only shows rows, and
deleting what a row is about keeps the row."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from audit.models import AuditEvent, AuditRowsAreFinal
from audit.services import Change, audit_rows
from tests.factories import CommitmentFactory, member

TABLE = AuditEvent._meta.db_table
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger that guards the audit table exists on PostgreSQL only",
)


def trail(account: Any, actor: Any = None, **about: Any) -> AuditEvent:
    (row,) = audit_rows(
        actor,
        [
            Change(
                account.pk,
                about.pop("item_type", "commitment"),
                verb="send",
                after="pending",
                item_id=about.pop("item_id", 1),
                **about,
            )
        ],
    )
    return row


@pytest.mark.django_db
def test_the_application_cannot_change_or_delete_a_row(account):
    row = trail(account, reason="Sent for approval")
    row.reason = "Nothing to see"
    with pytest.raises(AuditRowsAreFinal, match="cannot be changed"):
        row.save()
    with pytest.raises(AuditRowsAreFinal, match="cannot be deleted"):
        row.delete()
    rows = AuditEvent.objects.filter(pk=row.pk)
    with pytest.raises(AuditRowsAreFinal, match="cannot be changed"):
        rows.update(reason="Nothing to see")
    with pytest.raises(AuditRowsAreFinal, match="cannot be changed"), transaction.atomic():
        AuditEvent.objects.bulk_update([row], ["reason"])
    with pytest.raises(AuditRowsAreFinal, match="cannot be deleted"):
        rows.delete()
    assert AuditEvent.objects.get(pk=row.pk).reason == "Sent for approval"


@pytest.mark.django_db
def test_history_written_after_the_fact_is_dated_when_written(account):
    then = timezone.now() - timezone.timedelta(days=30)
    (row,) = audit_rows(None, [Change(account.pk, "commitment", 1, "send", at=then)])
    assert AuditEvent.objects.get(pk=row.pk).created_at == then


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET reason = 'rewritten' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_updates_and_deletes(account, statement):
    row = trail(account, reason="Sent for approval")
    refused = pytest.raises(DatabaseError, match="audit trail cannot be changed")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [row.pk])
    assert AuditEvent.objects.get(pk=row.pk).reason == "Sent for approval"


# serialized_rollback: the flush after the test then leaves no content types re-created under new
# ids (by this test's own flush) for a later serialized test's restore to collide with.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_test_database_can_still_be_emptied(account):
    # Transactional tests empty the database with flush: TRUNCATE on PostgreSQL, which the
    # row trigger leaves alone.
    trail(account)
    if connection.vendor == "postgresql":
        flush = connection.ops.sql_flush(no_style(), [TABLE])
        assert all(sql.startswith("TRUNCATE") for sql in flush)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_deleting_an_export_request_or_its_record_keeps_their_trail(account):
    sender = member(account)
    item = CommitmentFactory(account=account)
    request = ExportRequest.objects.create(
        account=account,
        item_type="commitment",
        item_id=item.pk,
        state=RequestState.PENDING,
        sent_by=sender,
        sent_at=timezone.now(),
    )
    about = (request.pk, item.pk, sender.pk)
    row = trail(account, sender, item_id=item.pk, request_id=request.pk)
    request.delete()
    item.delete()
    kept = AuditEvent.objects.get(pk=row.pk)
    assert (kept.request_id, kept.item_id, kept.actor_id) == about


@pytest.mark.django_db
def test_an_account_or_a_user_with_a_trail_cannot_be_deleted(account):
    actor = member(account)
    trail(account, actor)
    with pytest.raises(ProtectedError):
        account.delete()
    with pytest.raises(ProtectedError):
        actor.delete()
    assert AuditEvent.objects.filter(account=account, actor=actor).count() == 1


@pytest.mark.django_db
def test_the_admin_site_shows_audit_rows_and_export_requests_read_only(account, admin_client):
    sender = member(account)
    request = ExportRequest.objects.create(
        account=account,
        item_type="commitment",
        item_id=1,
        state=RequestState.FAILED,
        sent_by=sender,
        sent_at=timezone.now(),
    )
    row = trail(account, sender, request_id=request.pk)
    for model, obj in (("audit/auditevent", row), ("approvals/exportrequest", request)):
        assert admin_client.get(f"/admin/{model}/").status_code == 200
        page = admin_client.get(f"/admin/{model}/{obj.pk}/change/")
        assert page.status_code == 200
        assert b'name="_save"' not in page.content  # shown, with nothing to save
        assert admin_client.get(f"/admin/{model}/add/").status_code == 403
        assert admin_client.get(f"/admin/{model}/{obj.pk}/delete/").status_code == 403
        assert (
            admin_client.post(f"/admin/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
    # No state changes without the workflow: a posted edit is refused and changes nothing.
    edit = admin_client.post(
        f"/admin/approvals/exportrequest/{request.pk}/change/", {"state": RequestState.SYNCED}
    )
    assert edit.status_code == 403
    request.refresh_from_db()
    assert request.state == RequestState.FAILED
    assert AuditEvent.objects.get(pk=row.pk).after == "pending"

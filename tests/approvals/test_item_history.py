"""An item's page tells its whole story: sends, decisions with reasons, each export attempt with
the ERP's answer (a failure and its retry are two lines), edits and unlinks, who and when, newest
first, in the same number of queries however long the story."""

from __future__ import annotations

import re

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.services import (
    export_accept,
    export_reject,
    export_resend,
    export_retry,
    export_send,
)
from audit.services import Change, audit_rows
from demo.seed import seed_demo
from erp.connections import connection_for
from erp.models import ErpCall
from integrations.models import Commitment
from integrations.services import record_update
from tests.factories import demo_user as user
from tests.factories import signed_in as login


def page(account, item) -> str:
    return reverse(
        "record-detail", kwargs={"account": account.slug, "kind": "commitments", "pk": item.pk}
    )


def sendable(account, count=1) -> list[Commitment]:
    return list(
        Commitment.objects.filter(
            account=account,
            status="approved",
            vendor__erp_state="synced",
            project__erp_state="synced",
        ).order_by("pk")[:count]
    )


def history_rows(html: str) -> list[str]:
    """The history table's rows as plain text, in page order."""
    table = html.split('class="records history-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*data-event=[^>]*>(.*?)</tr>", table, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def set_fault(account, rate: str) -> None:
    connection = connection_for(account)
    connection.settings = {**connection.settings, "permanent_error_rate": rate}
    connection.save()


@pytest.fixture
def demo(db):
    return seed_demo()


def test_reject_resend_fail_retry_synced_each_on_its_own_line(
    demo, django_capture_on_commit_callbacks
):
    item = sendable(demo)[0]
    record_update(actor=user("pm"), account=demo, instance=item, changes={"title": "New doors"})
    first = export_send(item=item, actor=user("pm"))
    export_reject(
        account=demo, request_ids=[first.pk], actor=user("approver"), reason="Wrong cost code"
    )
    second = export_resend(account=demo, request_id=first.pk, actor=user("pm")).request
    set_fault(demo, "1")
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(account=demo, request_ids=[second.pk], actor=user("approver"))
    set_fault(demo, "0")
    with django_capture_on_commit_callbacks(execute=True):
        export_retry(account=demo, request_ids=[second.pk], actor=user("approver"))

    rows = history_rows(login("viewer").get(page(demo, item)).text)
    approver, pm = user("approver").get_full_name(), user("pm").get_full_name()
    story = [
        ("Export attempt 2: the ERP took it", "System"),
        ("Export retried", approver),
        ("Export attempt 1: the ERP refused it", "System"),
        ("Accepted for export", approver),
        ("Sent again to the ERP", pm),
        ("Rejected", approver),
        ("Sent to the ERP", pm),
        ("Record updated", pm),
    ]
    found = [
        next(i for i, row in enumerate(rows) if what in row and who in row) for what, who in story
    ]
    assert found == sorted(found), rows  # newest first
    failed = rows[found[2]]
    assert "422" in failed and "refused the record" in failed  # the ERP's own message
    assert "Recorded in the ERP as" in rows[found[0]]
    assert "Wrong cost code" in rows[found[5]]
    assert "Title" in rows[found[7]] and "New doors" in rows[found[7]]
    # Two attempts, two lines (the old table showed one "Synced" row).
    assert sum("Export attempt" in row for row in rows) == 2
    # No duplicate "Export failed" line when the ERP log tells it.
    assert not any(row.startswith("Export failed") or " Export failed " in row for row in rows)


def test_unlink_and_import_from_a_sync_are_told(demo):
    item = Commitment.objects.filter(account=demo, erp_state="synced").first()
    audit_rows(
        user("erpadmin"),
        [
            Change(demo.pk, "commitment", item.pk, "staged_added", data={"origin_id": "PO-77"}),
            Change(
                demo.pk,
                "commitment",
                item.pk,
                "unlinked",
                reason="Deleted in the ERP by mistake",
                data={"origin_code": "PO-77"},
            ),
        ],
    )
    rows = history_rows(login("viewer").get(page(demo, item)).text)
    assert "Unlinked from the ERP" in rows[0] and "Deleted in the ERP by mistake" in rows[0]
    assert "PO-77" in rows[0]
    assert "Added from the ERP" in rows[1] and "PO-77" in rows[1]


def test_the_section_links_to_the_items_audit_trail(demo):
    item = sendable(demo)[0]
    export_send(item=item, actor=user("pm"))
    audit = reverse("audit-trail", kwargs={"account": demo.slug})
    link = f"{audit}?item_type=commitment&amp;item_id={item.pk}"
    assert link in login("erpadmin").get(page(demo, item)).text
    assert link not in login("viewer").get(page(demo, item)).text  # no view_audit_trail


def test_same_number_of_queries_for_2_and_for_20_events(demo):
    short, long = sendable(demo, 2)
    connection = connection_for(demo)

    def add_events(item, count):
        changes = [
            Change(demo.pk, "commitment", item.pk, "record_updated", data={"fields": ["title"]})
            for _ in range(count)
        ]
        audit_rows(user("pm"), changes)
        ErpCall.objects.bulk_create(
            ErpCall(
                account=demo,
                connection=connection,
                action="export",
                item_type="commitment",
                item_id=item.pk,
                outcome="transient",
                error="timeout",
                attempt=n + 1,
                started_at=connection.created_at,
            )
            for n in range(count)
        )

    add_events(short, 1)
    add_events(long, 10)
    client = login("erpadmin")
    counts = []
    for item in (short, long):
        client.get(page(demo, item))  # warm the session and caches
        with CaptureQueriesContext(db) as queries:
            response = client.get(page(demo, item))
        counts.append(len(queries))
        assert response.status_code == 200
    assert len(history_rows(response.text)) >= 20
    assert counts[0] == counts[1], counts

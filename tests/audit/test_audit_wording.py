"""The Audit page and an item's history say stored values in the user's words: a kind of sync by
its label ("Kind: Job cost transactions", not its key), and a change of a related record by the
records' names ("Vendor: Front Range Excavating → Acme Concrete", not "3 → 5"), named in one
query per related model whatever the number of rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from approvals.history import item_history
from audit.services import Change, audit_rows
from demo.seed import seed_demo
from integrations.kinds import kind_of
from integrations.models import Commitment, Company
from integrations.services import record_update
from tests.factories import demo_user as user
from tests.factories import signed_in as client_of


@pytest.fixture
def scene(db: Any) -> Any:
    """The demo account, an unsent commitment and two other companies."""
    account = seed_demo()
    item = Commitment.objects.filter(account=account, erp_state="unsent").first()
    others = list(Company.objects.filter(account=account).exclude(pk=item.vendor_id)[:2])
    return account, item, others


def audit_page(account: Any, **filters: Any) -> str:
    url = reverse("audit-trail", kwargs={"account": account.slug})
    page = client_of("erpadmin").get(url, filters)
    assert page.status_code == 200
    return str(page.text)


def test_a_kind_of_sync_reads_as_its_label(scene: Any) -> None:
    account, _, _ = scene
    change = Change(
        account.pk, "sync_run", 1, "sync_requested", data={"kind": "job_cost_transactions"}
    )
    audit_rows(user("erpadmin"), [change])
    text = audit_page(account, verb="sync_requested")
    assert "Kind:</span> Job cost transactions" in text
    assert "job_cost_transactions" not in text.split("<tbody>")[1]


def test_a_changed_vendor_reads_with_the_companies_names(scene: Any) -> None:
    account, item, others = scene
    first = item.vendor
    admin = user("admin")
    record_update(actor=admin, account=account, instance=item, changes={"vendor": others[0]})
    words = f"{first.name} → {others[0].name}"
    # On the Audit page...
    text = audit_page(account, item_type=kind_of(item).type_name, item_id=item.pk)
    assert f"Vendor:</span> {escape(words)}" in text
    # ... and in the item's history on its page.
    kind = kind_of(item)
    story = item_history(account, kind, item)
    assert ("Vendor", words) in story.entries[0].details
    url = reverse(
        "record-detail", kwargs={"account": account.slug, "kind": kind.key, "pk": item.pk}
    )
    page = client_of("admin").get(url)
    assert escape(words) in page.text
    assert f"{first.pk} → {others[0].pk}" not in page.text


def test_names_cost_one_query_per_related_model_whatever_the_rows(scene: Any) -> None:
    account, item, others = scene
    kind = kind_of(item)
    admin = user("admin")
    record_update(actor=admin, account=account, instance=item, changes={"vendor": others[0]})
    with CaptureQueriesContext(db_connection) as one:
        item_history(account, kind, item)
    for company in (others[1], others[0], others[1]):
        record_update(actor=admin, account=account, instance=item, changes={"vendor": company})
    with CaptureQueriesContext(db_connection) as four:
        story = item_history(account, kind, item)
    assert len(four) == len(one)
    assert ("Vendor", f"{others[0].name} → {others[1].name}") in story.entries[0].details


def test_states_read_in_words_by_what_the_row_is_about(scene: Any) -> None:
    """An export's states read as the queues name them, a sync run's as the sync log does."""
    account, item, _ = scene
    audit_rows(
        None,
        [
            Change(account.pk, "commitment", item.pk, "export_accepted", "pending", "accepted"),
            Change(account.pk, "sync_run", 987654, "sync_finished", "running", "failed"),
        ],
    )
    page = audit_page(account, item_id=item.pk, item_type="commitment")
    assert "Ready to Export → Accepted" in page and "pending → accepted" not in page
    runs = audit_page(account, item_type="sync_run", item_id=987654)
    assert "Running → Failed" in runs and "Running → Failed to Export" not in runs

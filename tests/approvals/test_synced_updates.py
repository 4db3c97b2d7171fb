"""Synced records stay true: an edited synced record, sent again and accepted, updates the ERP's
record in place (same ERP id, new values, an *update* in the ERP log), never files a second one,
not even when the update is retried after its answer was lost; then it is Synced again.

The sandbox ERP takes updates of budgets; for commitments the tests use it as an ERP that also
takes updates of commitments (the capability a connector declares), so the whole walk runs as a
person makes it: edit, *Send update to ERP*, accept, export."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import approvals.export_tasks  # noqa: F401  (registers the tasks)
from approvals import pipeline
from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from connectors.base import ObjectType
from connectors.sandbox import models as ledger
from connectors.sandbox.connector import SandboxConnector
from demo.seed import seed_demo
from erp.connections import connection_for
from erp.models import ErpCall
from integrations import models as m
from integrations.models import ErpState
from integrations.services import record_update
from tests.factories import demo_user as user

pytestmark = pytest.mark.django_db


@pytest.fixture
def commitments_take_updates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox ERP as one that takes updates of commitments too."""
    capabilities = SandboxConnector.capabilities
    entities = dict(capabilities.entities)
    entities[ObjectType.COMMITMENT] = dataclasses.replace(
        entities[ObjectType.COMMITMENT], export_update=True
    )
    monkeypatch.setattr(
        SandboxConnector, "capabilities", dataclasses.replace(capabilities, entities=entities)
    )


def _accept(account: Any, request: ExportRequest, capture: Any, *, run: bool = True) -> None:
    with capture(execute=run):
        export_accept(account=account, request_ids=[request.pk], actor=user("approver"))


def _synced_commitment(account: Any, capture: Any) -> m.Commitment:
    item = (
        m.Commitment.objects.filter(
            account=account,
            status="approved",
            erp_state=ErpState.UNSENT,
            vendor__erp_state="synced",
            project__erp_state="synced",
        )
        .order_by("pk")
        .first()
    )
    assert item is not None
    _accept(account, export_send(item=item, actor=user("pm")), capture)
    item.refresh_from_db()
    assert item.erp_state == ErpState.SYNCED and item.origin_id
    return item


def _edit(account: Any, item: m.Commitment, description: str) -> m.Commitment:
    """What the PM changes on the synced commitment: its description and a line's amount."""
    lines: list[dict[str, Any]] = [{"id": line.pk} for line in item.lines.all()]
    lines[0]["amount"] = Decimal("98765.43")
    record_update(
        actor=user("pm"),
        account=account,
        instance=item,
        changes={"description": description},
        lines=lines,
    )
    item.refresh_from_db()
    assert item.erp_changed and item.erp_state_label == "Changed since sync"
    return item


def _filed(account: Any, item: m.Commitment) -> list[ledger.Commitment]:
    """The ERP's records of the portal's commitment (by its number in its project)."""
    return list(
        ledger.Commitment.objects.filter(
            ledger=account.slug,
            data__number=item.number,
            data__project_number=item.project.number,
        )
    )


def test_an_edited_synced_commitment_updates_its_erp_record(
    commitments_take_updates, django_capture_on_commit_callbacks
):
    account = seed_demo()
    item = _synced_commitment(account, django_capture_on_commit_callbacks)
    number, filed_before = (
        item.origin_id,
        ledger.Commitment.objects.filter(ledger=account.slug).count(),
    )
    item = _edit(account, item, "Revised scope: level 3 added")

    request = export_send(item=item, actor=user("pm"))
    _accept(account, request, django_capture_on_commit_callbacks)

    request.refresh_from_db()
    item.refresh_from_db()
    assert request.state == RequestState.SYNCED
    assert (item.erp_state, item.erp_changed, item.origin_id) == (ErpState.SYNCED, False, number)
    assert item.erp_state_label == "Synced"
    (filed,) = _filed(account, item)  # still one ERP record, with the same ERP number
    assert filed.number == number
    assert filed.data["description"] == "Revised scope: level 3 added"
    assert "98765.43" in {str(line["amount"]) for line in filed.data["lines"]}
    assert ledger.Commitment.objects.filter(ledger=account.slug).count() == filed_before
    calls = ErpCall.objects.filter(payload_summary__request=request.pk)
    assert list(calls.values_list("action", "outcome")) == [("update", "success")]


def test_sending_it_again_unchanged_updates_the_same_record(
    commitments_take_updates, django_capture_on_commit_callbacks
):
    """A synced record not changed since may be sent again (the ERP's record is written over
    with what the portal holds); it stays one ERP record."""
    account = seed_demo()
    item = _synced_commitment(account, django_capture_on_commit_callbacks)
    number = item.origin_id
    request = export_send(item=item, actor=user("pm"))
    _accept(account, request, django_capture_on_commit_callbacks)
    item.refresh_from_db()
    assert (item.erp_state, item.erp_changed, item.origin_id) == (ErpState.SYNCED, False, number)
    assert [filed.number for filed in _filed(account, item)] == [number]


@pytest.mark.parametrize(
    ("fault", "retry_calls"),
    [
        # The ERP took the update, the answer never came: the retry finds it by its key.
        ("lost_response_rate", [("lookup", "success")]),
        # The ERP was busy and took nothing: the retry finds nothing and updates.
        ("transient_error_rate", [("lookup", "success"), ("update", "success")]),
    ],
)
def test_a_retried_update_files_no_second_record(
    commitments_take_updates, django_capture_on_commit_callbacks, fault, retry_calls
):
    account = seed_demo()
    item = _synced_commitment(account, django_capture_on_commit_callbacks)
    number = item.origin_id
    item = _edit(account, item, "Revised after a lost answer")
    request = export_send(item=item, actor=user("pm"))
    _accept(account, request, django_capture_on_commit_callbacks, run=False)

    connection = connection_for(account)
    settings = dict(connection.settings)
    connection.settings = {**settings, fault: "1"}
    connection.save(update_fields=["settings"])
    with pytest.raises(pipeline.RetryLater):
        pipeline.export(request.pk)
    item.refresh_from_db()
    assert item.erp_state == ErpState.ACCEPTED and item.erp_changed  # queued again

    connection.settings = settings
    connection.save(update_fields=["settings"])
    assert pipeline.export(request.pk) == "exported 1"

    item.refresh_from_db()
    assert (item.erp_state, item.erp_changed, item.origin_id) == (ErpState.SYNCED, False, number)
    (filed,) = _filed(account, item)
    assert (filed.number, filed.data["description"]) == (number, "Revised after a lost answer")
    calls = ErpCall.objects.filter(payload_summary__request=request.pk).order_by("pk")
    assert list(calls.values_list("action", "outcome"))[1:] == retry_calls


def test_the_record_page_offers_to_send_the_update(
    commitments_take_updates, django_capture_on_commit_callbacks
):
    account = seed_demo()
    item = _synced_commitment(account, django_capture_on_commit_callbacks)
    item = _edit(account, item, "Revised for the page")
    client = Client()
    client.force_login(user("pm"))
    url = reverse(
        "record-detail", kwargs={"account": account.slug, "kind": "commitments", "pk": item.pk}
    )
    page = client.get(url).text
    assert "Send update to ERP" in page
    assert "Re-send to ERP" not in page


def test_an_edited_synced_budget_updates_its_erp_record(django_capture_on_commit_callbacks):
    """Budgets, which the sandbox ERP declares it updates: the same walk, no patching."""
    account = seed_demo()
    budget = m.Budget.objects.filter(account=account, project__erp_state="synced").first()
    assert budget is not None
    _accept(account, export_send(item=budget, actor=user("pm")), django_capture_on_commit_callbacks)
    budget.refresh_from_db()
    number = budget.origin_id
    lines = [{"id": line.pk} for line in budget.lines.all()]
    lines[0]["amount"] = Decimal("4321.00")
    record_update(actor=user("pm"), account=account, instance=budget, changes={}, lines=lines)
    request = export_send(item=budget, actor=user("pm"))
    _accept(account, request, django_capture_on_commit_callbacks)
    budget.refresh_from_db()
    assert (budget.erp_state, budget.erp_changed, budget.origin_id) == (
        ErpState.SYNCED,
        False,
        number,
    )
    (filed,) = ledger.Budget.objects.filter(ledger=account.slug, number=number)
    assert "4321.00" in {str(line["amount"]) for line in filed.data["lines"]}
    call = ErpCall.objects.get(payload_summary__request=request.pk)
    assert (call.action, call.outcome) == ("update", "success")

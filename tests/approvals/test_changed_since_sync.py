"""Changed since sync: where the connector takes updates (the sandbox ERP's budgets), an edit of
a synced record marks it, and sending it again through acceptance updates the same ERP record."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

import approvals.export_tasks  # noqa: F401  (registers the tasks)
from approvals.models import ExportRequest
from approvals.services import export_accept, export_send
from connectors.sandbox import models as ledger
from demo.seed import seed_demo
from integrations import models as m
from integrations.models import ErpState
from integrations.services import record_update
from tests.factories import demo_user as user

pytestmark = pytest.mark.django_db


def _send_and_accept(account, item, capture) -> ExportRequest:
    request = export_send(item=item, actor=user("pm"))
    with capture(execute=True):
        export_accept(account=account, request_ids=[request.pk], actor=user("approver"))
    return ExportRequest.objects.get(pk=request.pk)


def _page(account, path_name: str, **kwargs) -> str:
    client = Client()
    client.force_login(user("pm"))
    url = reverse(path_name, kwargs={"account": account.slug, "kind": "budgets", **kwargs})
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def test_an_edited_synced_budget_is_sent_again_as_an_update(django_capture_on_commit_callbacks):
    account = seed_demo()
    budget = m.Budget.objects.filter(account=account, project__erp_state="synced").first()
    assert budget is not None and budget.erp_state == ErpState.UNSENT
    _send_and_accept(account, budget, django_capture_on_commit_callbacks)
    budget.refresh_from_db()
    assert (budget.erp_state, budget.erp_changed) == (ErpState.SYNCED, False)
    number = budget.origin_id
    filed_before = ledger.Budget.objects.filter(ledger=account.slug).count()

    line = budget.lines.first()
    assert line is not None
    lines = [{"id": line.pk, "amount": Decimal("4321.00")}]
    lines += [{"id": other.pk} for other in budget.lines.exclude(pk=line.pk)]
    record_update(actor=user("pm"), account=account, instance=budget, changes={}, lines=lines)
    budget.refresh_from_db()
    assert budget.erp_changed and budget.erp_state_label == "Changed since sync"
    assert "Changed since sync" in _page(account, "record-detail", pk=budget.pk)
    assert "Changed since sync" in _page(account, "record-list")

    request = _send_and_accept(account, budget, django_capture_on_commit_callbacks)
    assert request.is_resend and request.state == "synced"
    budget.refresh_from_db()
    assert (budget.erp_state, budget.erp_changed) == (ErpState.SYNCED, False)
    assert budget.origin_id == number  # the same ERP record, updated
    assert ledger.Budget.objects.filter(ledger=account.slug).count() == filed_before
    (filed,) = ledger.Budget.objects.filter(ledger=account.slug, number=number)
    assert "4321.00" in json.dumps(filed.data)
    assert "Changed since sync" not in _page(account, "record-detail", pk=budget.pk)


def test_an_unchanged_write_back_does_not_mark_a_synced_budget(django_capture_on_commit_callbacks):
    account = seed_demo()
    budget = m.Budget.objects.filter(account=account, project__erp_state="synced").first()
    assert budget is not None
    _send_and_accept(account, budget, django_capture_on_commit_callbacks)
    budget.refresh_from_db()
    lines = [{"id": line.pk} for line in budget.lines.all()]
    record_update(actor=user("pm"), account=account, instance=budget, changes={}, lines=lines)
    budget.refresh_from_db()
    assert not budget.erp_changed

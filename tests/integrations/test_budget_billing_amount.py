"""*Export the billing amount with budgets* (Settings): budget lines show and edit what the
owner is billed for them; a budget sent to the sandbox ERP carries each line's billing amount
only while the setting is on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import approvals.export_tasks  # noqa: F401  (registers the tasks)
from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from connectors.sandbox import models as ledger
from demo.seed import seed_demo
from integrations import models as m
from integrations.services import account_settings_update
from tenancy.models import Account
from tests.api.conftest import client_for
from tests.factories import demo_user as user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> Account:
    return seed_demo()


@pytest.fixture
def budget(demo: Account) -> m.Budget:
    """A budget not sent yet, on a project synced with the ERP, its lines billed 1.5 times
    their amount."""
    found = (
        m.Budget.objects.filter(account=demo, project__erp_state="synced", erp_state="unsent")
        .order_by("pk")
        .first()
    )
    assert found is not None and found.lines.count() >= 2
    for line in found.lines.all():
        line.billing_amount = (line.amount * Decimal("1.5")).quantize(Decimal("0.01"))
        line.save(update_fields=["billing_amount"])
    return found


def export_budget_billing_amount(account: Account, on: bool) -> None:
    """What an ERP admin does on the Settings page."""
    account_settings_update(
        actor=user("erpadmin"), account=account, changes={"export_budget_billing_amount": on}
    )


def send_and_accept(account: Account, budget: m.Budget, capture: Any) -> ledger.Budget:
    request = export_send(item=budget, actor=user("pm"))
    with capture(execute=True):
        export_accept(account=account, request_ids=[request.pk], actor=user("approver"))
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.SYNCED
    budget.refresh_from_db()
    return ledger.Budget.objects.get(ledger=account.slug, number=budget.origin_id)


def filed_billing(filed: ledger.Budget) -> list[Any]:
    return [line["billing_amount"] for line in filed.data["lines"]]


def billed(budget: m.Budget) -> list[str]:
    return [str(line.billing_amount) for line in budget.lines.order_by("position", "pk")]


def test_on_the_erp_receives_each_lines_billing_amount(
    demo, budget, django_capture_on_commit_callbacks
):
    export_budget_billing_amount(demo, True)
    filed = send_and_accept(demo, budget, django_capture_on_commit_callbacks)
    assert filed_billing(filed) == billed(budget)


def test_off_the_erp_receives_no_billing_amount(demo, budget, django_capture_on_commit_callbacks):
    export_budget_billing_amount(demo, False)
    filed = send_and_accept(demo, budget, django_capture_on_commit_callbacks)
    assert filed_billing(filed) == [None] * budget.lines.count()
    assert [line["amount"] for line in filed.data["lines"]] == [
        str(line.amount) for line in budget.lines.order_by("position", "pk")
    ]


def _form_data(budget: m.Budget, billing: dict[int, str]) -> dict[str, str]:
    lines = list(budget.lines.order_by("position", "pk"))
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        values = {
            "id": line.pk,
            "budget": budget.pk,
            "position": line.position,
            "cost_code": line.cost_code_id or "",
            "cost_type": line.cost_type_id or "",
            "sub_job": line.sub_job_id or "",
            "description": line.description,
            "amount": line.amount,
            "billing_amount": billing.get(line.pk, line.billing_amount),
        }
        data.update({f"lines-{i}-{name}": str(value) for name, value in values.items()})
    return data


def test_budget_lines_show_and_edit_the_billing_amount(demo, budget):
    client = Client()
    client.force_login(user("pm"))
    where = {"account": demo.slug, "kind": "budgets", "pk": budget.pk}
    edit = reverse("record-edit", kwargs=where)
    form = client.get(edit)
    assert form.status_code == 200 and "Billing amount" in form.text
    first = budget.lines.order_by("position", "pk").first()
    assert first is not None
    saved = client.post(edit, _form_data(budget, {first.pk: "98765.43"}))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    first.refresh_from_db()
    assert first.billing_amount == Decimal("98765.43")
    page = client.get(reverse("record-detail", kwargs=where))
    assert "Billing amount" in page.text and "98,765.43" in page.text
    shown = client_for(user("pm"), demo).get(f"/api/v1/budgets/{budget.pk}/").json()
    assert {line["id"]: line["billing_amount"] for line in shown["lines"]}[first.pk] == ("98765.43")

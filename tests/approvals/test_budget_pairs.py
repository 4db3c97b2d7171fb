"""*Add new cost code and cost type pairs to budgets* (Settings): sending a commitment or a
commitment change order adds to the project's budget, at $0, each pair its lines use that the
budget lacks; off (the default), budgets are never touched.

On the demo account: ``pm`` sends (Admin on the project tools), ``approver`` accepts,
``erpadmin`` configures the advanced settings (Admin on the ERP Integrations tool, the seed's
row *Configure Advanced Settings*)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

import approvals.export_tasks  # noqa: F401  (registers the tasks)
from approvals.errors import SendRefused
from approvals.models import ExportRequest
from approvals.services import export_accept, export_retrieve, export_send
from audit.models import AuditEvent
from connectors.sandbox import models as ledger
from demo.seed import seed_demo
from integrations import models as m
from integrations.budget_pairs import budget_pairs_add
from integrations.services import account_settings_update
from tenancy.models import Account
from tests.api.conftest import client_for
from tests.factories import demo_user as user

pytestmark = pytest.mark.django_db

Pair = tuple[int, int]


@pytest.fixture
def demo(db: Any) -> Account:
    return seed_demo()


@pytest.fixture
def adding(demo: Account) -> Account:
    """The demo with the setting on."""
    account_settings_update(
        actor=user("erpadmin"), account=demo, changes={"add_budget_pairs": True}
    )
    demo.refresh_from_db()
    return demo


def commitment(account: Account, number: str) -> m.Commitment:
    """An approved commitment of the first project (synced, as its vendor)."""
    return m.Commitment.objects.get(account=account, project__number="2401", number=number)


def pairs(item: Model) -> list[Pair]:
    lines = item.lines.order_by("position", "pk")
    return list(dict.fromkeys(lines.values_list("cost_code_id", "cost_type_id")))


def budget_pairs(project: m.Project) -> set[Pair]:
    return set(
        m.BudgetLineItem.objects.filter(budget__project=project).values_list(
            "cost_code_id", "cost_type_id"
        )
    )


def budget_lacks(item: Model, project: m.Project) -> None:
    """Take ``item``'s pairs out of the project's budget, as if the budget predated them."""
    for code, cost_type in pairs(item):
        m.BudgetLineItem.objects.filter(
            budget__project=project, cost_code_id=code, cost_type_id=cost_type
        ).delete()


def budget_snapshot(project: m.Project) -> list[tuple[Any, ...]]:
    return list(
        m.BudgetLineItem.objects.filter(budget__project=project)
        .order_by("pk")
        .values_list("pk", "cost_code_id", "cost_type_id", "amount", "description")
    )


def send_page(client: Client, account: Account, item: Model, item_type: str) -> str:
    """*Send to ERP* on the item's page; the page it comes back to."""
    url = reverse(
        "export-send", kwargs={"account": account.slug, "item_type": item_type, "item_id": item.pk}
    )
    response = client.post(url, follow=True)
    assert response.status_code == 200
    return response.text


def pm_client() -> Client:
    client = Client()
    client.force_login(user("pm"))
    return client


def added_events(budget: m.Budget) -> Any:
    return AuditEvent.objects.filter(
        item_type="budget", item_id=budget.pk, verb="budget_pair_added"
    ).order_by("pk")


def test_a_send_adds_the_missing_pairs_once_at_zero(adding):
    first, second = commitment(adding, "SC-004"), commitment(adding, "SC-006")
    shared = set(pairs(first)) & set(pairs(second))
    assert len(pairs(first)) == 2 and len(pairs(second)) == 2 and len(shared) == 1
    project = first.project
    budget_lacks(first, project)
    budget_lacks(second, project)
    kept = budget_snapshot(project)
    client = pm_client()

    page = send_page(client, adding, first, "commitment")
    assert (
        f"{first} was sent for accounting acceptance. 2 cost code and cost type pairs were "
        "added to the budget." in page
    )
    budget = m.Budget.objects.get(project=project)
    added = m.BudgetLineItem.objects.filter(budget=budget).exclude(pk__in=[k[0] for k in kept])
    assert {(line.cost_code_id, line.cost_type_id) for line in added} == set(pairs(first))
    assert {line.amount for line in added} == {Decimal("0.00")}
    assert {line.description for line in added} == {"Added with commitment SC-004"}
    request = ExportRequest.objects.get(item_type="commitment", item_id=first.pk)
    events = list(added_events(budget))
    assert len(events) == 2
    assert {(e.actor.username, e.request_id) for e in events} == {("pm", request.pk)}
    assert {e.data["added_with"] for e in events} == {"commitment SC-004"}
    assert {e.data["line"] for e in events} == {line.pk for line in added}

    # The second commitment shares one pair: only its other pair is added (once, though two of
    # its lines use it).
    page = send_page(client, adding, second, "commitment")
    assert "1 cost code and cost type pair was added to the budget." in page
    assert budget_pairs(project) >= set(pairs(first)) | set(pairs(second))
    assert added_events(budget).count() == 3

    # Sending again later adds nothing: the budget has every pair now.
    export_retrieve(account=adding, request_id=request.pk, actor=user("pm"))
    before = budget_snapshot(project)
    page = send_page(client, adding, first, "commitment")
    assert f"{first} was sent for accounting acceptance." in page
    assert "cost type pair" not in page
    assert budget_snapshot(project) == before
    assert added_events(budget).count() == 3


def test_the_api_send_says_what_it_added_and_creates_a_missing_budget(adding):
    item = commitment(adding, "SC-004")
    project = item.project
    m.Budget.objects.filter(project=project).delete()
    api = client_for(user("pm"))

    response = api.post(
        "/api/v1/export-requests/", {"item_type": "commitment", "item_id": item.pk}, "json"
    )
    assert response.status_code == 201
    body = response.json()
    budget = m.Budget.objects.get(project=project)
    assert body["state"] == "pending" and body["item_id"] == item.pk
    assert body["budget_pairs"]["budget"] == budget.pk
    assert body["budget_pairs"]["created"] is True
    assert body["budget_pairs"]["message"] == (
        "2 cost code and cost type pairs were added to a new budget for the project."
    )
    added = body["budget_pairs"]["added"]
    assert [(a["cost_code"], a["cost_type"]) for a in added] == pairs(item)
    assert {a["line"] for a in added} == set(budget.lines.values_list("pk", flat=True))
    assert budget.erp_state == m.ErpState.UNSENT
    verbs = AuditEvent.objects.filter(item_type="budget", item_id=budget.pk)
    assert sorted(verbs.values_list("verb", flat=True)) == [
        "budget_created",
        "budget_pair_added",
        "budget_pair_added",
    ]


def test_a_synced_budget_is_marked_changed_and_goes_to_the_erp_again(
    adding, django_capture_on_commit_callbacks
):
    item = commitment(adding, "SC-004")
    project = item.project
    budget_lacks(item, project)
    budget = m.Budget.objects.get(project=project)
    request = export_send(item=budget, actor=user("pm"))
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(account=adding, request_ids=[request.pk], actor=user("approver"))
    budget.refresh_from_db()
    assert (budget.erp_state, budget.erp_changed) == (m.ErpState.SYNCED, False)

    page = send_page(pm_client(), adding, item, "commitment")
    assert "2 cost code and cost type pairs were added to the budget." in page
    budget.refresh_from_db()
    assert budget.erp_changed and budget.erp_state_label == "Changed since sync"
    assert set(pairs(item)) <= budget_pairs(project)

    again = export_send(item=budget, actor=user("pm"))
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(account=adding, request_ids=[again.pk], actor=user("approver"))
    (filed,) = ledger.Budget.objects.filter(ledger=adding.slug, number=budget.origin_id)
    descriptions = [line["description"] for line in filed.data["lines"]]
    assert descriptions.count("Added with commitment SC-004") == 2


def test_a_budget_waiting_for_the_erp_is_left_as_it_is(adding):
    item = commitment(adding, "SC-004")
    project = item.project
    budget_lacks(item, project)
    budget = m.Budget.objects.get(project=project)
    export_send(item=budget, actor=user("pm"))
    before = budget_snapshot(project)

    page = send_page(pm_client(), adding, item, "commitment")
    assert f"{item} was sent for accounting acceptance." in page
    assert "2 cost code and cost type pairs were not added to the budget." in page
    assert "Budget lines cannot change while the record is &#x27;Ready to Export&#x27;" in page
    assert budget_snapshot(project) == before
    assert not added_events(budget).exists()


def test_a_commitment_change_order_adds_its_pairs(adding):
    cco = m.CommitmentChangeOrder.objects.filter(
        account=adding, status="approved", commitment__erp_state="synced"
    ).first()
    assert cco is not None
    project = cco.commitment.project
    budget_lacks(cco, project)

    page = send_page(pm_client(), adding, cco, "commitment_change_order")
    assert "1 cost code and cost type pair was added to the budget." in page
    (line,) = m.BudgetLineItem.objects.filter(
        budget__project=project, description=f"Added with commitment change order {cco.number}"
    )
    assert ((line.cost_code_id, line.cost_type_id), line.amount) == (pairs(cco)[0], Decimal(0))


def test_lines_without_a_cost_code_or_a_cost_type_are_skipped(adding):
    item = commitment(adding, "SC-004")
    project = item.project
    budget_lacks(item, project)
    first, second = item.lines.order_by("position", "pk")
    m.CommitmentLineItem.objects.filter(pk=first.pk).update(cost_type=None)
    before = budget_snapshot(project)

    page = send_page(pm_client(), adding, item, "commitment")
    assert "1 cost code and cost type pair was added to the budget." in page
    assert budget_pairs(project) - {row[1:3] for row in before} == {
        (second.cost_code_id, second.cost_type_id)
    }
    assert (first.cost_code_id, None) not in budget_pairs(project)

    # A line without a cost code (the sandbox ERP would not take the item) adds nothing either.
    m.CommitmentLineItem.objects.filter(pk=second.pk).update(cost_code=None)
    item.refresh_from_db()
    outcome = budget_pairs_add(account=adding, item=item, actor=user("pm"))
    assert outcome is not None and outcome.added == () and outcome.message == ""


def test_with_the_setting_off_budgets_are_never_touched(demo):
    assert not demo.add_budget_pairs
    item = commitment(demo, "SC-004")
    project = item.project
    budget_lacks(item, project)
    before = budget_snapshot(project)

    page = send_page(pm_client(), demo, item, "commitment")
    assert f"{item} was sent for accounting acceptance." in page
    assert "cost type pair" not in page
    other = commitment(demo, "SC-006")
    response = client_for(user("pm")).post(
        "/api/v1/export-requests/", {"item_type": "commitment", "item_id": other.pk}, "json"
    )
    assert response.status_code == 201 and "budget_pairs" not in response.json()
    assert budget_snapshot(project) == before
    assert not AuditEvent.objects.filter(item_type="budget", verb__startswith="budget_").exists()


def test_a_refused_send_adds_nothing(adding):
    item = m.Commitment.objects.filter(
        account=adding, status="approved", vendor__erp_state="unsent"
    ).first()
    assert item is not None
    budget_lacks(item, item.project)
    before = budget_snapshot(item.project)
    with pytest.raises(SendRefused):
        export_send(item=item, actor=user("pm"))
    assert budget_snapshot(item.project) == before

"""Synced records stay true: while a record waits for or is synced with the ERP, its lines change
only where the connector takes updates (and only once the record is synced)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from integrations import models as m
from integrations.services import record_update
from tests.api.conftest import client_for, url

pytestmark = pytest.mark.django_db

WAITING = ["pending", "accepted", "exporting", "failed"]


def _set_state(record, state: str) -> None:
    type(record).objects.filter(pk=record.pk).update(erp_state=state)
    record.refresh_from_db()


def _amounts(record) -> list[Decimal]:
    return [line.amount for line in record.lines.all()]


@pytest.mark.parametrize("state", [*WAITING, "synced"])
def test_a_commitments_schedule_of_values_does_not_change_with_the_erp(state, editor, records):
    # The sandbox ERP takes no updates of commitments: a synced one's SOV would drift from it.
    commitment = records.commitment
    _set_state(commitment, state)
    before = _amounts(commitment)
    lines = [{"id": records.commitment_line.pk, "amount": "999999.00"}]
    response = client_for(editor).patch(
        url("commitments", commitment.pk),
        {"lines": lines, "description": "Also changed"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["lines"]
    message = response.json()["lines"][0]
    assert "Schedule of values cannot change" in message
    assert m.ErpState(state).label in message
    commitment.refresh_from_db()
    assert _amounts(commitment) == before
    assert commitment.description != "Also changed"
    assert commitment.erp_state == state


def test_a_synced_commitment_says_the_erp_takes_no_updates(editor, records):
    _set_state(records.commitment, "synced")
    response = client_for(editor).patch(
        url("commitments", records.commitment.pk),
        {"lines": [{"description": "Extra", "amount": "5.00"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "does not take updates of commitments" in response.json()["lines"][0]


def test_a_synced_commitment_takes_its_lines_sent_back_unchanged(editor, records):
    # An integrator that reads a record and writes it back whole is not refused for the lines.
    commitment = records.commitment
    _set_state(commitment, "synced")
    client = client_for(editor)
    lines = client.get(url("commitments", commitment.pk)).json()["lines"]
    unchanged = [{"id": line["id"], "amount": line["amount"]} for line in lines]
    response = client.patch(
        url("commitments", commitment.pk),
        {"lines": unchanged, "description": "Notes only"},
        format="json",
    )
    assert response.status_code == 200, response.content
    commitment.refresh_from_db()
    assert commitment.description == "Notes only"


@pytest.mark.parametrize("state", ["unsent", "retrieved", "rejected"])
def test_lines_change_when_the_record_is_not_with_the_erp(state, editor, records):
    commitment = records.commitment
    _set_state(commitment, state)
    lines = [{"id": records.commitment_line.pk, "amount": "123.45"}]
    response = client_for(editor).patch(
        url("commitments", commitment.pk), {"lines": lines}, format="json"
    )
    assert response.status_code == 200, response.content
    assert _amounts(commitment) == [Decimal("123.45")]


def _edit_budget_lines(actor, account, budget, amount: str) -> None:
    # Budgets are read-only in the API: their lines are edited on the web form, through the
    # same service.
    line = budget.lines.get()
    record_update(
        actor=actor,
        account=account,
        instance=budget,
        changes={},
        lines=[{"id": line.pk, "amount": Decimal(amount)}],
    )


def test_a_synced_budget_takes_new_lines_where_the_erp_takes_updates(admin, account, records):
    # The sandbox ERP declares export_update for budgets.
    budget = records.budget
    _set_state(budget, "synced")
    _edit_budget_lines(admin, account, budget, "750.00")
    assert _amounts(budget) == [Decimal("750.00")]


@pytest.mark.parametrize("state", WAITING)
def test_a_waiting_budget_never_changes_its_lines(state, admin, account, records):
    # What the approver decides on is what the ERP receives, updates or not.
    budget = records.budget
    _set_state(budget, state)
    with pytest.raises(ValidationError) as refused:
        _edit_budget_lines(admin, account, budget, "750.00")
    assert "Budget lines cannot change" in refused.value.message_dict["lines"][0]
    assert _amounts(budget) == [Decimal("500.00")]

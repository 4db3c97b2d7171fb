"""*Allow editing synced direct costs* (Settings): job cost transactions come from the ERP and are
read-only until an ERP admin turns the setting on; then whoever may edit records of the Direct
Costs tool corrects a transaction's description, cost code, cost type and amount, on its page
and through the API. Never created or deleted in the portal; edits are audited, not sent to
the ERP, and the next sync that brings the transaction again overwrites them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from approvals.models import ExportRequest
from audit.models import AuditEvent
from connectors.imports import SourceType
from connectors.sandbox import job_costs as erp_job_costs
from connectors.sandbox import models as ledger_models
from erp.connections import account_key
from integrations import models as m
from integrations.services import account_settings_update
from permissions.levels import Level, Tool
from syncs import runner
from syncs.models import RunState, SyncRun, Trigger
from syncs.services import sync_request
from tenancy.models import Account
from tests.api.conftest import client_for
from tests.factories import CostTypeFactory, ProjectFactory, StandardCostCodeFactory, member
from tests.sandbox.test_revisions import file_references
from tests.web.test_pages import login, url

pytestmark = pytest.mark.django_db

READ_ONLY = "Synced job costs are read-only: an ERP admin can allow editing them in Settings."
SYNCED = {"erp_state": m.ErpState.SYNCED}


def api(pk: int | None = None) -> str:
    base = "/api/v1/job-cost-transactions/"
    return base if pk is None else f"{base}{pk}/"


def allow_editing(account: Account, allowed: bool = True) -> None:
    """What an ERP admin does on the Settings page."""
    erp_admin = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    account_settings_update(
        actor=erp_admin, account=account, changes={"allow_editing_synced_job_costs": allowed}
    )
    account.refresh_from_db()


@pytest.fixture
def editor(account):
    """May edit records of the Direct Costs tool (Standard), nothing else."""
    return member(account, levels={Tool.DIRECT_COSTS: Level.STANDARD})


@pytest.fixture
def viewer(account):
    return member(account, levels={Tool.DIRECT_COSTS: Level.READ_ONLY})


@pytest.fixture
def cost(account):
    """A synced ready-mix invoice posted to 03-300 Material on a synced project, which also
    uses 03-200; and a code of another project."""
    project = ProjectFactory(account=account, origin_id="J-1001", **SYNCED)
    concrete, _rebar = (
        m.CostCode.objects.create(
            account=account,
            project=project,
            standard_code=StandardCostCodeFactory(account=account, code=code, name=name),
        )
        for code, name in (("300", "Cast-in-place concrete"), ("200", "Reinforcing"))
    )
    elsewhere = ProjectFactory(account=account)
    m.CostCode.objects.create(
        account=account, project=elsewhere, standard_code=concrete.standard_code
    )
    return m.JobCostTransaction.objects.create(
        account=account,
        project=project,
        origin_id="JC-00000042",
        origin_code="JC-00000042",
        cost_code=concrete,
        cost_type=CostTypeFactory(account=account, code="M", name="Material"),
        source_type=SourceType.AP_INVOICE,
        source_document="RMC-24811",
        transaction_date=datetime.date(2026, 10, 17),
        description="Ready-mix concrete, 4000 psi",
        amount=Decimal("18250.50"),
        **SYNCED,
    )


def form_data(cost: m.JobCostTransaction, **changes: Any) -> dict[str, str]:
    data = {
        "description": cost.description,
        "cost_code": str(cost.cost_code_id),
        "cost_type": str(cost.cost_type_id),
        "amount": str(cost.amount),
    }
    data.update(changes)
    return data


def rebar_of(cost: m.JobCostTransaction) -> m.CostCode:
    return m.CostCode.objects.get(project=cost.project, standard_code__code="200")


def labor(account: Account) -> m.CostType:
    return CostTypeFactory(account=account, code="L", name="Labor")


# --- Off (the default): read-only everywhere --------------------------------------------------


def test_off_the_page_has_no_edit_button_and_the_form_says_why(account, editor, cost):
    client = login(editor)
    page = client.get(url("record-detail", account, kind="job-cost-transactions", pk=cost.pk))
    assert page.status_code == 200 and "Ready-mix concrete, 4000 psi" in page.text
    assert "/edit/" not in page.text
    form = client.get(url("record-edit", account, kind="job-cost-transactions", pk=cost.pk))
    assert READ_ONLY in form.text


def test_off_a_forged_post_is_refused_in_place_and_changes_nothing(account, editor, cost):
    edit = url("record-edit", account, kind="job-cost-transactions", pk=cost.pk)
    response = login(editor).post(edit, form_data(cost, amount="1.00", description="Mine"))
    assert response.status_code == 400
    assert READ_ONLY in response.text
    cost.refresh_from_db()
    assert (cost.amount, cost.description) == (Decimal("18250.50"), "Ready-mix concrete, 4000 psi")
    assert not AuditEvent.objects.filter(item_type="job_cost_transaction").exists()


def test_off_the_api_refuses_the_change_with_the_reason(account, editor, cost):
    response = client_for(editor, account).patch(api(cost.pk), {"amount": "1.00"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [READ_ONLY]}
    cost.refresh_from_db()
    assert cost.amount == Decimal("18250.50")


# --- On: corrected by those who may edit Direct Costs records ---------------------------------


def test_on_an_editor_corrects_a_cost_on_its_page_audited_and_not_sent(account, editor, cost):
    allow_editing(account)
    client = login(editor)
    page = client.get(url("record-detail", account, kind="job-cost-transactions", pk=cost.pk))
    edit = url("record-edit", account, kind="job-cost-transactions", pk=cost.pk)
    assert f'href="{edit}"' in page.text
    form = client.get(edit)
    assert form.status_code == 200 and READ_ONLY not in form.text
    # Only the four fields: the date, vendor, source and project stay as the ERP sent them.
    for name in ("description", "cost_code", "cost_type", "amount"):
        assert f'name="{name}"' in form.text
    for name in ("transaction_date", "vendor", "source_type", "project"):
        assert f'name="{name}"' not in form.text
    rebar, labour = rebar_of(cost), labor(account)
    was = {
        "description": cost.description,
        "amount": str(cost.amount),
        "cost_code": cost.cost_code_id,
    }
    response = client.post(
        edit,
        form_data(
            cost,
            description="Rebar #5, recoded",
            cost_code=str(rebar.pk),
            cost_type=str(labour.pk),
            amount="17250.50",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cost.refresh_from_db()
    assert (cost.description, cost.cost_code, cost.cost_type, cost.amount) == (
        "Rebar #5, recoded",
        rebar,
        labour,
        Decimal("17250.50"),
    )
    assert (cost.source_document, cost.transaction_date) == (
        "RMC-24811",
        datetime.date(2026, 10, 17),
    )
    event = AuditEvent.objects.get(item_type="job_cost_transaction", item_id=cost.pk)
    assert (event.verb, event.actor) == ("record_updated", editor)
    assert set(event.data["fields"]) == {"description", "cost_code", "cost_type", "amount"}
    # Each changed value, before and after (a cost code by its id).
    assert event.data["changes"]["description"] == [was["description"], "Rebar #5, recoded"]
    assert event.data["changes"]["amount"] == [was["amount"], "17250.50"]
    assert event.data["changes"]["cost_code"] == [was["cost_code"], rebar.pk]
    # Not sent to the ERP: still synced, not marked changed since sync, no export request.
    assert (cost.erp_state, cost.erp_changed) == (m.ErpState.SYNCED, False)
    assert not ExportRequest.objects.filter(account=account).exists()


def test_on_the_api_changes_the_four_fields_and_ignores_the_others(account, editor, cost):
    allow_editing(account)
    rebar = rebar_of(cost)
    response = client_for(editor, account).patch(
        api(cost.pk),
        {
            "description": "Rebar #5",
            "cost_code": rebar.pk,
            "amount": "99.00",
            "transaction_date": "2020-01-01",
            "source_document": "FORGED",
            "origin_id": "JC-1",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["description"], body["cost_code"], body["amount"]) == (
        "Rebar #5",
        rebar.pk,
        "99.00",
    )
    cost.refresh_from_db()
    assert (cost.transaction_date, cost.source_document, cost.origin_id) == (
        datetime.date(2026, 10, 17),
        "RMC-24811",
        "JC-00000042",
    )
    assert AuditEvent.objects.filter(
        item_type="job_cost_transaction", item_id=cost.pk, verb="record_updated", actor=editor
    ).exists()


def test_on_a_read_only_user_still_may_not_edit(account, viewer, cost):
    allow_editing(account)
    client = login(viewer)
    page = client.get(url("record-detail", account, kind="job-cost-transactions", pk=cost.pk))
    assert page.status_code == 200 and "/edit/" not in page.text
    edit = url("record-edit", account, kind="job-cost-transactions", pk=cost.pk)
    assert client.post(edit, form_data(cost, amount="1.00")).status_code == 403
    refused = client_for(viewer, account).patch(api(cost.pk), {"amount": "1.00"}, format="json")
    assert refused.status_code == 403
    cost.refresh_from_db()
    assert cost.amount == Decimal("18250.50")


@pytest.mark.parametrize("allowed", [False, True], ids=["off", "on"])
def test_never_created_or_deleted_in_the_portal(account, editor, cost, allowed):
    allow_editing(account, allowed)
    client = login(editor)
    listed = client.get(url("record-list", account, kind="job-cost-transactions"))
    assert listed.status_code == 200 and "/new/" not in listed.text
    assert (
        client.get(url("record-create", account, kind="job-cost-transactions")).status_code == 404
    )
    made = client.post(url("record-create", account, kind="job-cost-transactions"), {})
    assert made.status_code == 404
    api_client = client_for(editor, account)
    assert api_client.post(api(), form_data(cost), format="json").status_code == 405
    assert api_client.delete(api(cost.pk)).status_code == 405
    assert m.JobCostTransaction.objects.filter(account=account).count() == 1


# --- The next sync that brings the transaction again overwrites the edit ----------------------


def sync(account: Account, kind: str, **kwargs: Any) -> SyncRun:
    run, started = sync_request(account=account, kind=kind, trigger=Trigger.SCHEDULE, **kwargs)
    assert started
    runner.execute(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.SUCCEEDED, run.error
    return run


def test_the_next_sync_that_brings_the_transaction_again_overwrites_the_edit(account, editor):
    ledger = account_key(account)
    file_references(ledger)  # cost types, division 03 with 03-300 and 03-200, job J-1001
    sync(account, "standard_cost_codes")
    project = ProjectFactory(account=account, origin_id="J-1001", sync_job_costs=True, **SYNCED)
    for code in m.StandardCostCode.objects.filter(account=account, parent__isnull=False):
        m.CostCode.objects.create(account=account, project=project, standard_code=code)
    (posted,) = erp_job_costs.job_costs_post(
        ledger,
        [
            erp_job_costs.JobCost(
                job="J-1001",
                cost_code="CC-03-300",
                cost_type="CT-M",
                amount=Decimal("18250.50"),
                reference_date=datetime.date(2026, 10, 15),
                source_type=SourceType.AP_INVOICE,
                source_document="RMC-24811",
                description="Ready-mix concrete, 4000 psi",
            )
        ],
    )
    assert sync(account, "job_cost_transactions").created == 1
    cost = m.JobCostTransaction.objects.get(account=account, origin_id=posted.number)
    erp_values = (cost.description, cost.cost_code_id, cost.cost_type_id, cost.amount)

    allow_editing(account)
    rebar = m.CostCode.objects.get(project=project, standard_code__full_code="03-200")
    labour = m.CostType.objects.get(account=account, code="L")
    edited = client_for(editor, account).patch(
        api(cost.pk),
        {"description": "Rebar", "cost_code": rebar.pk, "cost_type": labour.pk, "amount": "10.00"},
        format="json",
    )
    assert edited.status_code == 200, edited.content

    # A sync that does not bring it again keeps the edit.
    assert sync(account, "job_cost_transactions").fetched == 0
    cost.refresh_from_db()
    assert (cost.description, cost.amount) == ("Rebar", Decimal("10.00"))

    # The ERP sends it again (touched by its users, none of these fields changed): the ERP's
    # values come back over the edit.
    ledger_models.JobCostTransaction.objects.get(pk=posted.pk).save()
    again = sync(account, "job_cost_transactions")
    assert (again.fetched, again.updated) == (1, 1)
    cost.refresh_from_db()
    assert (cost.description, cost.cost_code_id, cost.cost_type_id, cost.amount) == erp_values
    assert (cost.erp_state, cost.erp_changed) == (m.ErpState.SYNCED, False)


def test_on_a_cost_code_of_another_project_is_refused(account, editor, cost):
    allow_editing(account)
    theirs = m.CostCode.objects.exclude(project=cost.project).get()
    form = login(editor).get(url("record-edit", account, kind="job-cost-transactions", pk=cost.pk))
    assert f'value="{rebar_of(cost).pk}"' in form.text
    assert f'value="{theirs.pk}"' not in form.text
    response = client_for(editor, account).patch(
        api(cost.pk), {"cost_code": theirs.pk}, format="json"
    )
    assert response.status_code == 400
    assert "is not on this record's project" in response.json()["cost_code"][0]
    cost.refresh_from_db()
    assert cost.cost_code.project_id == cost.project_id

"""Importing ERP budgets and prime contracts, lines and all: the two budget modes, Procore's
rule on exported budgets, lines naming unknown codes refused with the code named, and a
prime contract re-imported after the ERP changed it, with what changes shown first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from erp.connections import connection_for
from integrations import models as m
from permissions.levels import Level, Tool
from syncs import staging
from syncs.appliers import staged
from syncs.appliers.base import Scope
from syncs.models import StagedRecord, StagedStatus
from tests.factories import CompanyFactory, ProjectFactory, member

SYNCED = {"erp_state": m.ErpState.SYNCED}


@pytest.fixture
def books(account):
    """A synced job J-2401 on the ERP list (03-300 used by the project, 05-100 not yet), a
    cost type and the owner, as earlier syncs left them."""
    code_list = m.StandardCostCodeList.objects.create(account=account, name="ERP", is_erp=True)
    project = ProjectFactory(
        account=account, number="2401", origin_id="J-2401", cost_code_list=code_list, **SYNCED
    )
    concrete = m.StandardCostCode.objects.create(
        account=account, code_list=code_list, code="300", full_code="03-300", name="Concrete",
        origin_id="CC-0330", **SYNCED,
    )  # fmt: skip
    m.StandardCostCode.objects.create(
        account=account, code_list=code_list, code="100", full_code="05-100", name="Steel",
        origin_id="CC-0510", **SYNCED,
    )  # fmt: skip
    m.CostCode.objects.create(account=account, project=project, standard_code=concrete)
    m.CostType.objects.create(
        account=account, code="M", name="Material", origin_id="CT-M", **SYNCED
    )
    CompanyFactory(account=account, name="Lakewood Health Partners", origin_id="V-OWN", **SYNCED)
    return project


def line(n: int, code: str = "CC-0330", amount: str = "1000.00", **more):
    return {"origin_id": f"L-{n}", "position": n, "cost_code": code, "cost_type": "CT-M",
            "description": f"Line {n}", "amount": amount, **more}  # fmt: skip


def stage(account, fetch: str, record: dict) -> StagedRecord:
    staged.apply(Scope(account, connection_for(account), fetch), [record])
    return StagedRecord.objects.get(item_type=fetch, origin_id=record["origin_id"])


def budget(*lines):
    return {"origin_id": "B-2401", "origin_code": "B-2401", "job": "J-2401", "name": "Budget",
            "lines": list(lines)}  # fmt: skip


def contract(*lines, title="GMP Agreement", status="approved"):
    return {"origin_id": "PC-2401", "origin_code": "2401-01", "job": "J-2401", "number": "2401-01",
            "title": title, "owner": "V-OWN", "status": status, "lines": list(lines)}  # fmt: skip


@pytest.fixture
def admin(account):
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def amounts(project) -> dict[str, Decimal]:
    lines = m.BudgetLineItem.objects.filter(budget__project=project)
    return {
        x.cost_code.standard_code.full_code: x.amount
        for x in lines.select_related("cost_code__standard_code")
    }


def test_a_budget_overwrites_or_adds_to_the_current_one(account, books, admin):
    mine = m.Budget.objects.create(account=account, project=books)
    material = m.CostType.objects.get(origin_id="CT-M")
    m.BudgetLineItem.objects.create(
        budget=mine, cost_code=books.cost_codes.get(), cost_type=material, amount=5
    )
    record = stage(account, "budgets", budget(line(1), line(2, code="CC-0510", amount="250.00")))
    with pytest.raises(ValidationError) as missing:
        staging.staged_add(actor=admin, account=account, staged=record)
    assert "mode" in missing.value.message_dict
    staging.staged_add(actor=admin, account=account, staged=record, choices={"mode": "add"})
    # Kept 03-300 as it was (the pair is in the budget); added 05-100, new to the project too.
    assert amounts(books) == {"03-300": Decimal("5.00"), "05-100": Decimal("250.00")}
    assert m.CostCode.objects.filter(project=books, standard_code__origin_id="CC-0510").count() == 1

    record.refresh_from_db()  # imported; the ERP's budget may be imported again
    staging.staged_add(actor=admin, account=account, staged=record, choices={"mode": "overwrite"})
    assert amounts(books) == {"03-300": Decimal("1000.00"), "05-100": Decimal("250.00")}
    record.refresh_from_db()
    assert record.status == StagedStatus.IMPORTED
    assert set(record.children.values_list("status", flat=True)) == {StagedStatus.IMPORTED}


def test_an_exported_budget_cannot_be_imported(account, books, admin):
    m.Budget.objects.create(account=account, project=books, origin_id="BUD-77", **SYNCED)
    record = stage(account, "budgets", budget(line(1)))
    with pytest.raises(ValidationError, match="was sent to the ERP: it can no longer be imported"):
        staging.staged_add(
            actor=admin, account=account, staged=record, choices={"mode": "overwrite"}
        )
    assert not m.BudgetLineItem.objects.exists()


def test_a_line_on_an_unknown_code_is_refused_naming_it(account, books, admin):
    record = stage(account, "prime_contracts", contract(line(1), line(2, code="CC-9999")))
    with pytest.raises(ValidationError) as refused:
        staging.staged_add(actor=admin, account=account, staged=record)
    assert refused.value.message_dict["lines"] == [
        "Line 2: cost code CC-9999 is not on the ERP standard cost code list."
    ]
    assert not m.PrimeContract.objects.exists()
    record.refresh_from_db()
    assert record.status == StagedStatus.STAGED


def test_an_import_before_its_job_says_which_job(account, books, admin):
    record = stage(account, "budgets", {**budget(line(1)), "job": "J-2499"})
    with pytest.raises(ValidationError, match="Add or link the ERP job J-2499 first"):
        staging.staged_add(actor=admin, account=account, staged=record, choices={"mode": "add"})


def test_a_prime_contract_is_imported_then_reimported_after_the_erp_changed(account, books, admin):
    record = stage(account, "prime_contracts", contract(line(1), line(2, code="CC-0510")))
    imported = staging.staged_add(actor=admin, account=account, staged=record)
    assert isinstance(imported, m.PrimeContract)
    assert (imported.number, imported.owner.origin_id, imported.status) == (
        "2401-01",
        "V-OWN",
        "approved",
    )
    assert imported.original_sum == Decimal("2000.00")

    record = stage(
        account,
        "prime_contracts",
        contract(
            line(1, amount="1500.00"), line(2, code="CC-0510"), title="GMP Agreement, amended"
        ),
    )
    assert record.status == StagedStatus.IMPORTED
    page = Client()
    page.force_login(admin)
    shown = page.get(
        reverse("staged-record", kwargs={"account": account.slug, "record": record.pk})
    )
    assert "The ERP changed this prime contract" in shown.text
    assert "GMP Agreement, amended" in shown.text and "1,500.00" in shown.text

    m.PrimeContract.objects.filter(pk=imported.pk).update(status="draft")
    with pytest.raises(ValidationError, match="is not approved"):
        staging.staged_reimport(actor=admin, account=account, staged=record)
    m.PrimeContract.objects.filter(pk=imported.pk).update(status="approved")
    staging.staged_reimport(actor=admin, account=account, staged=record)
    imported.refresh_from_db()
    assert imported.title == "GMP Agreement, amended" and imported.original_sum == Decimal(
        "2500.00"
    )
    with pytest.raises(ValidationError, match="already matches the ERP"):
        staging.staged_reimport(actor=admin, account=account, staged=record)


def test_the_api_imports_a_budget_with_its_mode(account, books, admin):
    record = stage(account, "budgets", budget(line(1)))
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=admin)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_ACCOUNT=account.slug)
    bad = client.post(f"/api/v1/staged-records/{record.pk}/add/", {"mode": "merge"}, format="json")
    assert bad.status_code == 400 and "mode" in bad.json()
    done = client.post(
        f"/api/v1/staged-records/{record.pk}/add/", {"mode": "overwrite"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "imported"
    assert amounts(books) == {"03-300": Decimal("1000.00")}
    again = client.post(f"/api/v1/staged-records/{record.pk}/reimport/")
    assert again.status_code == 400  # only a prime contract is re-imported

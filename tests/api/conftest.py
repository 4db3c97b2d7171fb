"""Fixtures for the API tests: clients that authenticate by token, users at each level, and a
builder that makes one record of every kind the API serves."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from integrations import models as m
from permissions.levels import Level, Tool
from tenancy.models import Account
from tests.factories import (
    CommitmentFactory,
    CommitmentLineItemFactory,
    CompanyFactory,
    CostCodeFactory,
    CostTypeFactory,
    PrimeContractFactory,
    ProjectFactory,
    member,
)

# Every collection, with the model it lists.
COLLECTIONS = {
    "projects": m.Project,
    "sub-jobs": m.SubJob,
    "companies": m.Company,
    "standard-cost-codes": m.StandardCostCode,
    "cost-types": m.CostType,
    "cost-codes": m.CostCode,
    "budgets": m.Budget,
    "prime-contracts": m.PrimeContract,
    "commitments": m.Commitment,
    "commitment-change-orders": m.CommitmentChangeOrder,
    "prime-contract-change-orders": m.PrimeContractChangeOrder,
    "subcontractor-invoices": m.SubcontractorInvoice,
    "owner-invoices": m.OwnerInvoice,
    "direct-costs": m.DirectCost,
    "job-cost-transactions": m.JobCostTransaction,
    "payments": m.Payment,
}
_serial = itertools.count(1)


def url(name: str, pk: Any = None) -> str:
    return f"/api/v1/{name}/" if pk is None else f"/api/v1/{name}/{pk}/"


def client_for(user: Any, account: Account | None = None) -> APIClient:
    """A client that sends ``user``'s token (and ``account``'s slug, if given)."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    if account is not None:
        headers["HTTP_X_ACCOUNT"] = account.slug
    client.credentials(**headers)
    return client


def everywhere(level: Level) -> dict[Tool, Level]:
    return dict.fromkeys(Tool, level)


@dataclass
class Records:
    """One record of each kind, in one project of one account."""

    project: m.Project
    sub_job: m.SubJob
    company: m.Company
    cost_type: m.CostType
    cost_code: m.CostCode
    budget: m.Budget
    prime_contract: m.PrimeContract
    commitment: m.Commitment
    commitment_line: m.CommitmentLineItem
    cco: m.CommitmentChangeOrder
    pcco: m.PrimeContractChangeOrder
    subcontractor_invoice: m.SubcontractorInvoice
    owner_invoice: m.OwnerInvoice
    direct_cost: m.DirectCost
    job_cost: m.JobCostTransaction
    payment: m.Payment

    def of(self, model: type[Any]) -> Any:
        if model is m.StandardCostCode:
            return self.cost_code.standard_code
        for value in vars(self).values():
            if type(value) is model:
                return value
        raise LookupError(model)


def build_records(account: Account) -> Records:
    """A project with one record of every kind (and a line on each record that has lines)."""
    n = next(_serial)
    day = datetime.date(2026, 4, 1)
    project = cast(m.Project, ProjectFactory(account=account))
    company = cast(m.Company, CompanyFactory(account=account))
    cost_type = cast(m.CostType, CostTypeFactory(account=account, code=f"T{n}", name=f"Type {n}"))
    cost_code = cast(m.CostCode, CostCodeFactory(account=account, project=project))
    sub_job = m.SubJob.objects.create(account=account, project=project, code=f"S{n}", name="Site")
    budget = m.Budget.objects.create(account=account, project=project)
    budget.lines.create(cost_code=cost_code, cost_type=cost_type, amount=Decimal("500.00"))
    prime = cast(
        m.PrimeContract, PrimeContractFactory(account=account, project=project, owner=company)
    )
    prime_line = prime.lines.create(cost_code=cost_code, amount=Decimal("900.00"))
    commitment = cast(
        m.Commitment, CommitmentFactory(account=account, project=project, vendor=company)
    )
    line = cast(
        m.CommitmentLineItem,
        CommitmentLineItemFactory(commitment=commitment, cost_code=cost_code),
    )
    cco = m.CommitmentChangeOrder.objects.create(
        account=account, commitment=commitment, number="001", title="Extra rebar"
    )
    cco.lines.create(commitment_line=line, amount=Decimal("250.00"))
    pcco = m.PrimeContractChangeOrder.objects.create(
        account=account, prime_contract=prime, number="001", title="Owner change"
    )
    pcco.lines.create(prime_line=prime_line, amount=Decimal("300.00"))
    invoice = m.SubcontractorInvoice.objects.create(
        account=account, commitment=commitment, number="1", billing_date=day
    )
    invoice.lines.create(
        commitment_line=line, work_completed=Decimal("1000.00"), work_retainage=Decimal("100.00")
    )
    owner_invoice = m.OwnerInvoice.objects.create(
        account=account, prime_contract=prime, application_number=1, billing_date=day
    )
    owner_invoice.lines.create(prime_line=prime_line, work_completed=Decimal("400.00"))
    direct_cost = m.DirectCost.objects.create(
        account=account, project=project, vendor=company, date=day, invoice_number=f"DC-{n}"
    )
    direct_cost.lines.create(cost_code=cost_code, amount=Decimal("75.00"))
    job_cost = m.JobCostTransaction.objects.create(
        account=account, project=project, transaction_date=day, amount=Decimal("75.00")
    )
    payment = m.Payment.objects.create(
        account=account,
        project=project,
        invoice=invoice,
        amount=Decimal("900.00"),
        payment_date=day,
    )
    return Records(
        project=project,
        sub_job=sub_job,
        company=company,
        cost_type=cost_type,
        cost_code=cost_code,
        budget=budget,
        prime_contract=prime,
        commitment=commitment,
        commitment_line=line,
        cco=cco,
        pcco=pcco,
        subcontractor_invoice=invoice,
        owner_invoice=owner_invoice,
        direct_cost=direct_cost,
        job_cost=job_cost,
        payment=payment,
    )


@pytest.fixture
def records(account: Account) -> Records:
    return build_records(account)


@pytest.fixture
def other_records(other_account: Account) -> Records:
    return build_records(other_account)


@pytest.fixture
def admin(account: Account) -> Any:
    return member(account, username="ada", levels=everywhere(Level.ADMIN))


@pytest.fixture
def editor(account: Account) -> Any:
    return member(account, username="eve", levels=everywhere(Level.STANDARD))


@pytest.fixture
def viewer(account: Account) -> Any:
    return member(account, username="vic", levels=everywhere(Level.READ_ONLY))


@pytest.fixture
def nobody(account: Account) -> Any:
    return member(account, username="nobody")


def commitment_payload(records, **changes):
    payload = {
        "project": records.project.pk,
        "vendor": records.company.pk,
        "number": "SC-500",
        "title": "Structural steel",
        "status": "draft",
        "retainage_percent": "5.00",
        "lines": [
            {"description": "Columns", "cost_code": records.cost_code.pk, "amount": "1000.00"},
            {"description": "Beams", "cost_type": records.cost_type.pk, "amount": "2500.50"},
        ],
    }
    payload.update(changes)
    return payload

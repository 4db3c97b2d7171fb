from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from integrations.models import DirectCost, DirectCostLineItem, ErpState, JobCostTransaction
from permissions.levels import Level, Tool
from tests.factories import CompanyFactory, CostCodeFactory, ProjectFactory, member
from tests.web.test_pages import login


def report_url(account, key: str) -> str:
    return reverse("report", kwargs={"account": account.slug, "report": key})


@pytest.mark.django_db
def test_accountant_report_lists_approvers_only(account):
    erp_admin = member(
        account,
        username="erpadmin",
        levels={Tool.ERP_INTEGRATIONS: Level.ADMIN},
        can_push_to_accounting=True,
    )
    member(
        account,
        username="approver",
        levels={Tool.ERP_INTEGRATIONS: Level.ADMIN},
        can_push_to_accounting=True,
    )
    member(
        account,
        username="stdcpa",
        levels={Tool.ERP_INTEGRATIONS: Level.STANDARD},
        can_push_to_accounting=True,
    )
    member(account, username="plainadmin", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    page = login(erp_admin).get(report_url(account, "accountants"))
    assert page.status_code == 200
    for shown in ("erpadmin", "approver"):
        assert shown in page.text
    for hidden in ("stdcpa", "plainadmin"):
        assert hidden not in page.text
    account.allow_standard_approvers = True
    account.save()
    assert "stdcpa" in login(erp_admin).get(report_url(account, "accountants")).text


@pytest.mark.django_db
def test_accountant_report_needs_erp_admin(account):
    standard = member(account, levels={Tool.ERP_INTEGRATIONS: Level.STANDARD})
    assert login(standard).get(report_url(account, "accountants")).status_code == 403


@pytest.mark.django_db
def test_job_costs_report_sums_per_code_and_type(account):
    project = ProjectFactory(account=account)
    code = CostCodeFactory(account=account, project=project)
    for i, amount in enumerate(("1200.50", "799.50")):
        JobCostTransaction.objects.create(
            account=account,
            project=project,
            cost_code=code,
            transaction_date=datetime.date(2026, 5, 1),
            amount=Decimal(amount),
            origin_id=f"JC-{i}",
        )
    user = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    page = login(user).get(report_url(account, "job-costs"), {"project": project.pk})
    assert "2,000.00" in page.text


@pytest.mark.django_db
def test_unsyncable_direct_costs_report_says_why(account):
    project = ProjectFactory(account=account, erp_state=ErpState.SYNCED)
    vendor = CompanyFactory(account=account, name="Unsynced Supply Co")
    cost = DirectCost.objects.create(
        account=account, project=project, vendor=vendor, date=datetime.date(2026, 4, 2)
    )
    DirectCostLineItem.objects.create(direct_cost=cost, amount=Decimal("10"))
    allowed = member(account, levels={Tool.REPORTS: Level.READ_ONLY, Tool.BUDGET: Level.ADMIN})
    page = login(allowed).get(
        report_url(account, "unsyncable-direct-costs"), {"project": project.pk}, follow=True
    )  # to the job's own page of the report
    assert page.status_code == 200
    assert "Vendor Unsynced Supply Co is not synced with the ERP." in page.text
    assert "No invoice number." in page.text
    assert "Line 1 has no cost code." in page.text
    refused = member(account, levels={Tool.REPORTS: Level.READ_ONLY, Tool.BUDGET: Level.STANDARD})
    assert (
        login(refused)
        .get(report_url(account, "unsyncable-direct-costs"), {"project": project.pk})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_settings_page_is_for_erp_admins(account):
    admin = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    standard = member(account, levels={Tool.ERP_INTEGRATIONS: Level.STANDARD})
    url = reverse("account-settings", kwargs={"account": account.slug})
    assert (
        login(standard).post(url, {"name": "X", "allow_standard_approvers": "on"}).status_code
        == 403
    )
    settings = {"name": account.name, "job_cost_date": "post", "time_zone": "UTC"}
    response = login(admin).post(url, {**settings, "allow_standard_approvers": "on"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.allow_standard_approvers is True
    refused = login(admin).post(url, {**settings, "time_zone": "Mars/Olympus"})
    assert refused.status_code == 400 and "Mars/Olympus" in refused.text
    account.time_zone = "America/Denver"
    account.save()
    login(admin).post(
        url, {**settings, "time_zone": "America/Denver", "job_cost_date": "reference"}
    )
    account.refresh_from_db()
    assert (account.job_cost_date, account.time_zone) == ("reference", "America/Denver")

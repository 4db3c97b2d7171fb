"""The reports in the API (``/api/v1/reports/``, ``/api/v1/reports/{key}/``): the same reports
and the same rows as their pages, for the same people. Who may open each comes from the seed
rows *View an Accountant Report for ERP* (Admin on ERP Integrations), *View an ERP Job Costs
Report* and *View an ERP Unsyncable Direct Costs Report* (per project) and *View a List of
Synced Sub Jobs*."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from integrations import models as m
from permissions.levels import Level, Tool
from tests.api.conftest import client_for
from tests.factories import CompanyFactory, CostCodeFactory, ProjectFactory, grant, member

pytestmark = pytest.mark.django_db
KEYS = (
    "accountants",
    "job-costs",
    "unsyncable-direct-costs",
    "synced-sub-jobs",
    "archived-companies",
)


def page(user, account, key: str, **query) -> int:
    client = Client()
    client.force_login(user)
    url = reverse("report", kwargs={"account": account.slug, "report": key})
    return client.get(url, query, follow=True).status_code


@pytest.fixture
def project(account):
    project = ProjectFactory(account=account, erp_state="synced", origin_id="J-1")
    code = CostCodeFactory(account=account, project=project)
    for amount in ("100.25", "200.50"):
        m.JobCostTransaction.objects.create(
            account=account,
            project=project,
            cost_code=code,
            transaction_date=datetime.date(2026, 9, 1),
            amount=Decimal(amount),
            origin_id=f"JC-{amount}",
            erp_state="synced",
        )
    m.SubJob.objects.create(
        account=account,
        project=project,
        code="01",
        name="Site",
        origin_id="SJ-1",
        erp_state="synced",
    )
    vendor = CompanyFactory(account=account)
    m.DirectCost.objects.create(
        account=account, project=project, vendor=vendor, date=datetime.date(2026, 9, 2)
    )
    return project


def test_the_list_and_each_report_answer_as_the_pages_do(account, project):
    people = [
        member(account, levels={Tool.ERP_INTEGRATIONS: level})
        for level in (Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN)
    ] + [member(account, levels={Tool.REPORTS: Level.READ_ONLY, Tool.BUDGET: Level.ADMIN})]
    for user in people:
        api = client_for(user, account)
        listed = {r["key"] for r in api.get("/api/v1/reports/").json()}
        for key in KEYS:
            query = (
                {"project": project.pk} if key in ("job-costs", "unsyncable-direct-costs") else {}
            )
            web = page(user, account, key, **query)
            answer = api.get(f"/api/v1/reports/{key}/", query)
            assert (answer.status_code == 200) == (web == 200), (key, answer.json())
            # Listed exactly when the report opens (a per-project one: its project chooser).
            assert (key in listed) == (page(user, account, key) == 200), key


def test_an_erp_admin_reads_the_rows(account, project):
    admin = member(
        account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}, can_push_to_accounting=True
    )
    api = client_for(admin, account)
    listed = api.get("/api/v1/reports/").json()
    assert {"accountants", "job-costs"} <= {r["key"] for r in listed}
    job_costs = next(r for r in listed if r["key"] == "job-costs")
    assert job_costs["per_project"] is False and job_costs["levels"] == ["company", "project"]

    accountants = api.get("/api/v1/reports/accountants/").json()
    assert [row["username"] for row in accountants["rows"]] == [admin.username]

    costs = api.get("/api/v1/reports/job-costs/", {"project": project.pk}).json()
    assert costs["project"] == project.pk and costs["level"] == "company"
    assert [row["cost"] for row in costs["rows"]] == ["300.75"]
    assert costs["totals"]["cost"] == "300.75"
    by_job = api.get("/api/v1/reports/job-costs/").json()
    assert [(row["job"], row["cost"]) for row in by_job["rows"]] == [
        (f"{project.number} {project.name}", "300.75")
    ]
    # The project level asks the seed's extra requirements on the project.
    at_project = f"/api/v1/projects/{project.pk}/reports/job-costs/"
    assert api.get(at_project).status_code == 404
    grant(admin, account, Tool.REPORTS, Level.READ_ONLY, project=project)
    grant(admin, account, Tool.BUDGET, Level.ADMIN, project=project)
    assert api.get(at_project).json()["totals"]["cost"] == "300.75"


def test_a_per_project_report_needs_a_project_of_the_account(account, other_account, project):
    api = client_for(member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}), account)
    missing = api.get("/api/v1/reports/unsyncable-direct-costs/")
    assert missing.status_code == 400 and "project" in missing.json()
    foreign = ProjectFactory(account=other_account)
    assert api.get("/api/v1/reports/job-costs/", {"project": foreign.pk}).status_code == 404
    assert api.get(f"/api/v1/projects/{foreign.pk}/reports/job-costs/").status_code == 404
    assert api.get(f"/api/v1/projects/{project.pk}/reports/accountants/").status_code == 404
    assert api.get("/api/v1/reports/no-such-report/").status_code == 404


def test_the_standard_level_may_not_open_the_accountant_report(account):
    """Seed: *View an Accountant Report for ERP* is Admin only."""
    api = client_for(member(account, levels={Tool.ERP_INTEGRATIONS: Level.STANDARD}), account)
    assert api.get("/api/v1/reports/accountants/").status_code == 403
    assert "accountants" not in {r["key"] for r in api.get("/api/v1/reports/").json()}

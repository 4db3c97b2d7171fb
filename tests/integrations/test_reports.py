"""The reports against known data: the ERP Job Costs table (budget and job-to-date cost by cost
code and cost type, remaining budget, totals equal to the transactions), its company view by job,
the Unsyncable Direct Costs reasons with where to fix each, Synced Sub Jobs by job, the Archived
Companies list with Unarchive; each as CSV (a spreadsheet's sums equal the totals row) and PDF
(the file opens and holds the rows). Who may open which level comes from the seed's rows."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from erp.connections import connection_for
from integrations import models as m
from permissions.levels import Level, Tool
from syncs.models import StagedRecord, StagedStatus
from tests.factories import (
    CompanyFactory,
    CostCodeFactory,
    CostTypeFactory,
    ProjectFactory,
    StandardCostCodeFactory,
    grant,
    member,
    signed_in,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def job(account: Any) -> m.Project:
    """A job with a budget on two cost code x cost type pairs and ERP costs on those and one
    more: concrete/labor 1,000 budget, 1,250.50 spent; concrete/material 2,000 budget, 500.25;
    sitework/labor no budget, 99.25."""
    project = ProjectFactory(account=account, number="2401", name="Medical Office")
    labor = CostTypeFactory(account=account, code="L", name="Labor")
    material = CostTypeFactory(account=account, code="M", name="Material")
    concrete = CostCodeFactory(
        account=account,
        project=project,
        standard_code=StandardCostCodeFactory(account=account, full_code="03-300", name="Concrete"),
    )
    sitework = CostCodeFactory(
        account=account,
        project=project,
        standard_code=StandardCostCodeFactory(account=account, full_code="02-100", name="Sitework"),
    )
    budget = m.Budget.objects.create(account=account, project=project)
    for code, kind, amount in ((concrete, labor, "1000"), (concrete, material, "2000")):
        m.BudgetLineItem.objects.create(
            budget=budget, cost_code=code, cost_type=kind, amount=D(amount)
        )
    spent = (
        (concrete, labor, "1000.00"),
        (concrete, labor, "250.50"),
        (concrete, material, "500.25"),
        (sitework, labor, "99.25"),
    )
    for n, (code, kind, amount) in enumerate(spent):
        m.JobCostTransaction.objects.create(
            account=account,
            project=project,
            cost_code=code,
            cost_type=kind,
            transaction_date=datetime.date(2026, 9, 1),
            amount=D(amount),
            origin_id=f"JC-{n}",
            erp_state="synced",
        )
    return project


def erp_admin(account: Any) -> Any:
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def company_url(account: Any, key: str, fmt: str = "") -> str:
    if fmt:
        return reverse("report-file", kwargs={"account": account.slug, "report": key, "fmt": fmt})
    return reverse("report", kwargs={"account": account.slug, "report": key})


def project_url(account: Any, project: Any, key: str, fmt: str = "") -> str:
    kwargs = {"account": account.slug, "project": project.pk, "report": key}
    if fmt:
        return reverse("project-report-file", kwargs={**kwargs, "fmt": fmt})
    return reverse("project-report", kwargs=kwargs)


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def pdf_text(response: Any) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_job_costs_of_a_job_compare_budget_and_cost_per_code_and_type(account, job):
    client = signed_in(erp_admin(account))
    page = client.get(company_url(account, "job-costs"), {"project": job.pk})
    assert page.status_code == 200
    rows = page.context["table"].rows
    got = [(r["code"], r["cost_type"], r["budget"], r["cost"], r["variance"]) for r in rows]
    assert got == [
        ("02-100", "Labor", D("0"), D("99.25"), D("-99.25")),
        ("03-300", "Labor", D("1000"), D("1250.50"), D("-250.50")),
        ("03-300", "Material", D("2000"), D("500.25"), D("1499.75")),
    ]
    assert [r["spent"] for r in rows] == [None, D("125.1"), D("25.0")]
    totals = page.context["table"].totals
    assert (totals["budget"], totals["cost"], totals["variance"]) == (
        D("3000"),
        D("1850.00"),
        D("1150.00"),
    )
    html = page.content.decode()
    assert "1,850.00" in html and "Remaining budget" in html
    # The chart names both series in words and marks the pair over budget as "over".
    assert 'role="img"' in html and "Job-to-date cost" in html and "over</text>" in html


def test_the_csv_of_job_costs_sums_to_its_totals_row(account, job):
    client = signed_in(erp_admin(account))
    lines = csv_rows(client.get(company_url(account, "job-costs", "csv"), {"project": job.pk}))
    heading, *rows, totals = lines
    assert heading == [
        "Cost code",
        "Description",
        "Cost type",
        "Budget",
        "Job-to-date cost",
        "Remaining budget",
        "% of budget",
    ]
    assert len(rows) == 3 and totals[0] == "Total"
    for column in (3, 4, 5):  # what a spreadsheet's SUM gives equals the totals row
        assert sum(D(r[column]) for r in rows) == D(totals[column])
    assert totals[4] == "1850.00"
    assert rows[0][5] == "-99.25"  # a negative amount stays a number, not quoted text


def test_the_pdf_of_job_costs_holds_its_rows(account, job):
    client = signed_in(erp_admin(account))
    response = client.get(company_url(account, "job-costs", "pdf"), {"project": job.pk})
    assert 'filename="job-costs-2401.pdf"' in response["Content-Disposition"]
    text = pdf_text(response)
    for expected in ("ERP Job Costs", "2401 Medical Office", "03-300", "Material", "1,850.00"):
        assert expected in text


def test_the_company_view_lists_every_job_with_its_totals(account, job):
    ProjectFactory(account=account, number="9999")  # no budget, no costs: not listed
    client = signed_in(erp_admin(account))
    table = client.get(company_url(account, "job-costs")).context["table"]
    assert [(r["job"], r["budget"], r["cost"]) for r in table.rows] == [
        ("2401 Medical Office", D("3000"), D("1850.00"))
    ]
    assert table.rows[0]["link"].endswith(f"?project={job.pk}")


def test_job_costs_at_the_project_level_need_the_seeds_extra_requirements(account, job):
    """Seed: company level, ERP Admin; project level also Read Only on the project's Reports and
    Admin on its Budget or Prime Contracts."""
    admin_only = erp_admin(account)
    client = signed_in(admin_only)
    assert client.get(company_url(account, "job-costs"), {"project": job.pk}).status_code == 200
    assert client.get(project_url(account, job, "job-costs")).status_code == 403
    assert client.get(project_url(account, job, "job-costs", "csv")).status_code == 403

    grant(admin_only, account, Tool.REPORTS, Level.READ_ONLY, project=job)
    assert client.get(project_url(account, job, "job-costs")).status_code == 403
    grant(admin_only, account, Tool.PRIME_CONTRACTS, Level.ADMIN, project=job)
    page = client.get(project_url(account, job, "job-costs"))
    assert page.status_code == 200 and len(page.context["table"].rows) == 3
    lines = csv_rows(client.get(project_url(account, job, "job-costs", "csv")))
    assert lines[-1][4] == "1850.00"

    # Reports and Budget admin without the ERP tool: not at either level.
    budget_admin = member(account, levels={Tool.REPORTS: Level.READ_ONLY, Tool.BUDGET: Level.ADMIN})
    other = signed_in(budget_admin)
    assert other.get(project_url(account, job, "job-costs")).status_code == 403
    assert other.get(company_url(account, "job-costs")).status_code == 403


def test_unsyncable_direct_costs_say_why_and_where_to_fix(account, job):
    job.erp_state = "synced"
    job.save()
    vendor = CompanyFactory(account=account, name="Acme Concrete")  # not synced
    ok_vendor = CompanyFactory(account=account, name="Front Range", erp_state="synced")
    code = m.CostCode.objects.filter(project=job).first()
    assert code is not None and code.standard_code.erp_state != "synced"
    no_number = m.DirectCost.objects.create(
        account=account, project=job, vendor=vendor, date=datetime.date(2026, 9, 2)
    )
    m.DirectCostLineItem.objects.create(direct_cost=no_number, cost_code=code, amount=D("10"))
    no_lines = m.DirectCost.objects.create(
        account=account,
        project=job,
        vendor=ok_vendor,
        invoice_number="INV-7",
        date=datetime.date(2026, 9, 3),
    )
    viewer = member(account)
    grant(viewer, account, Tool.REPORTS, Level.READ_ONLY, project=job)
    grant(viewer, account, Tool.BUDGET, Level.ADMIN, project=job)
    client = signed_in(viewer)
    page = client.get(project_url(account, job, "unsyncable-direct-costs"))
    assert page.status_code == 200
    rows = {r["link"]: r for r in page.context["table"].rows}
    first = rows[reverse("record-detail", args=[account.slug, "direct-costs", no_number.pk])]
    assert first["reasons"] == [
        "Vendor Acme Concrete is not synced with the ERP.",
        "No invoice number.",
        f"Cost code {code} is not on the ERP's list.",
    ]
    links = [url for _, url, _ in first["fixes"]]
    assert links[0] == reverse("record-detail", args=[account.slug, "companies", vendor.pk])
    assert links[1] == reverse("record-edit", args=[account.slug, "direct-costs", no_number.pk])
    second = rows[reverse("record-detail", args=[account.slug, "direct-costs", no_lines.pk])]
    assert second["reasons"] == ["No line items."]
    html = page.content.decode()
    assert "Add the invoice number" in html and "Open the vendor" in html

    lines = csv_rows(client.get(project_url(account, job, "unsyncable-direct-costs", "csv")))
    assert lines[0][-1] == "Why it cannot sync" and len(lines) == 4  # heading, 2 rows, total
    assert "No invoice number." in lines[1][-1] + lines[2][-1]
    text = pdf_text(client.get(project_url(account, job, "unsyncable-direct-costs", "pdf")))
    assert "No line items." in text and "INV-7" in text

    # From the account's reports, the report asks for its job, then goes to the job's page.
    chooser = client.get(company_url(account, "unsyncable-direct-costs"))
    assert chooser.status_code == 200 and job.number in chooser.content.decode()
    went = client.get(company_url(account, "unsyncable-direct-costs"), {"project": job.pk})
    assert went.status_code == 302
    assert went["Location"] == project_url(account, job, "unsyncable-direct-costs")
    # Another job of the account, where the grants do not reach: refused.
    elsewhere = ProjectFactory(account=account)
    assert client.get(project_url(account, elsewhere, "unsyncable-direct-costs")).status_code == 403


def test_synced_sub_jobs_are_grouped_by_job(account, job):
    other = ProjectFactory(account=account, number="1001", name="Warehouse")
    for project, code, state in ((job, "02", "synced"), (other, "01", "synced"), (job, "03", "")):
        m.SubJob.objects.create(
            account=account,
            project=project,
            code=code,
            name=f"Phase {code}",
            origin_id=f"SJ-{code}" if state else "",
            erp_state=state or "not_synced",
        )
    user = erp_admin(account)
    grant(user, account, Tool.DIRECTORY, Level.ADMIN)
    page = signed_in(user).get(company_url(account, "synced-sub-jobs"))
    assert page.status_code == 200
    assert [(r["project"], r["code"]) for r in page.context["table"].rows] == [
        ("1001 Warehouse", "01"),
        ("2401 Medical Office", "02"),
    ]
    html = page.content.decode()
    assert html.index("1001 Warehouse") < html.index("2401 Medical Office")
    assert 'scope="rowgroup"' in html


def test_archived_companies_can_be_unarchived_from_the_report(account):
    connection = connection_for(account)
    staged = StagedRecord.objects.create(
        account=account,
        connection=connection,
        item_type="vendors",
        origin_id="V-9",
        origin_code="V-9",
        name="Old Paving Co",
        data={"name": "Old Paving Co", "city": "Denver"},
        status=StagedStatus.ARCHIVED,
    )
    approver = member(
        account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}, can_push_to_accounting=True
    )
    client = signed_in(approver)
    url = company_url(account, "archived-companies")
    page = client.get(url)
    assert page.status_code == 200
    assert [r["name"] for r in page.context["table"].rows] == ["Old Paving Co"]
    assert "Unarchive" in page.content.decode()
    lines = csv_rows(client.get(company_url(account, "archived-companies", "csv")))
    assert lines[1][:3] == ["Old Paving Co", "V-9", "Denver"]

    done = client.post(
        reverse("staged-record", args=[account.slug, staged.pk]),
        {"action": "unarchive", "next": url},
    )
    assert done.status_code == 302 and done["Location"] == url
    staged.refresh_from_db()
    assert staged.status == StagedStatus.STAGED
    assert client.get(url).context["table"].rows == []
    # Without Can Push to Accounting, the list is not theirs (seed: also Accounting Approver).
    plain = signed_in(member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}))
    assert plain.get(url).status_code == 403


def test_reports_of_a_job_are_listed_on_its_reports_page(account, job):
    user = erp_admin(account)
    grant(user, account, Tool.REPORTS, Level.READ_ONLY, project=job)
    grant(user, account, Tool.BUDGET, Level.ADMIN, project=job)
    url = reverse("project-reports", kwargs={"account": account.slug, "project": job.pk})
    page = signed_in(user).get(url)
    assert page.status_code == 200
    assert [r.key for r in page.context["reports"]] == ["job-costs", "unsyncable-direct-costs"]
    outsider = signed_in(member(account))
    assert outsider.get(url).context["reports"] == []


def test_a_report_of_another_account_or_unknown_is_not_found(account, other_account, job):
    client = signed_in(erp_admin(account))
    foreign = ProjectFactory(account=other_account)
    assert client.get(project_url(account, foreign, "job-costs")).status_code == 404
    assert client.get(company_url(account, "no-such-report")).status_code == 404
    assert client.get(company_url(account, "job-costs", "xlsx")).status_code == 404


def test_the_job_costs_report_reads_a_constant_number_of_queries(
    account, job, django_assert_max_num_queries
):
    client = signed_in(erp_admin(account))
    client.get(company_url(account, "job-costs"))  # warm caches
    with django_assert_max_num_queries(20) as few:
        client.get(company_url(account, "job-costs"))
    for n in range(30):
        project = ProjectFactory(account=account)
        code = CostCodeFactory(account=account, project=project)
        m.JobCostTransaction.objects.create(
            account=account,
            project=project,
            cost_code=code,
            transaction_date=datetime.date(2026, 9, 1),
            amount=D("5"),
            origin_id=f"MORE-{n}",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(company_url(account, "job-costs"))

"""Ready to Import's actions as services: add an ERP record to the portal, link it to a record
the portal has, archive it and bring it back. Who may comes from the seed's rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from erp.connections import connection_for
from integrations import models as m
from permissions.levels import Level, Tool
from syncs import staging
from syncs.appliers import staged
from syncs.appliers.base import Scope
from syncs.models import StagedRecord, StagedStatus
from tests.factories import CompanyFactory, ProjectFactory, member
from tests.permissions.seed_matrix import SEED_ROWS

LEVELS = (Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN)
ROW = {row.action: row for row in SEED_ROWS}


def stage(account, fetch: str, *records) -> list[StagedRecord]:
    staged.apply(Scope(account, connection_for(account), fetch), list(records))
    return list(StagedRecord.objects.filter(item_type=fetch, parent=None).order_by("pk"))


def vendor(n: int = 1, **changes):
    return {
        "origin_id": f"V-20{n:02d}",
        "origin_code": f"VEND{n}",
        "name": f"Front Range Framing {n}, Inc.",
        "street": "1500 Wynkoop St",
        "city": "Denver",
        "state_code": "CO",
        "zip": "80202",
        **changes,
    }


def job(number: str = "2405", **changes):
    return {
        "origin_id": f"J-{number}",
        "origin_code": number,
        "name": "Golden Library Renovation",
        "city": "Golden",
        "start_date": "2027-01-04",
        "estimated_value": "4200000.00",
        **changes,
    }


@pytest.fixture
def admin(account):
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


@pytest.fixture
def erp_list(account):
    return m.StandardCostCodeList.objects.create(account=account, name="ERP", is_erp=True)


def test_an_erp_company_joins_the_directory_linked_to_the_erp(account, admin):
    [record] = stage(account, "vendors", vendor())
    company = staging.staged_add(actor=admin, account=account, staged=record)
    company.refresh_from_db()
    assert (company.name, company.city, company.origin_id) == (
        "Front Range Framing 1, Inc.",
        "Denver",
        "V-2001",
    )
    assert company.erp_state == m.ErpState.SYNCED
    record.refresh_from_db()
    assert (record.status, record.linked_id) == (StagedStatus.IMPORTED, company.pk)
    verbs = set(AuditEvent.objects.values_list("item_type", "verb"))
    assert {("staged_record", "staged_added"), ("company", "staged_added")} <= verbs
    with pytest.raises(ValidationError, match="no longer waiting"):
        staging.staged_add(actor=admin, account=account, staged=record)
    assert m.Company.objects.filter(account=account).count() == 1


def test_an_erp_job_becomes_a_project_on_the_erp_cost_code_list(account, admin, erp_list):
    [record] = stage(account, "jobs", job())
    project = staging.staged_add(actor=admin, account=account, staged=record)
    assert isinstance(project, m.Project)
    project.refresh_from_db()
    assert (project.number, project.name, project.origin_id) == (
        "2405",
        "Golden Library Renovation",
        "J-2405",
    )
    assert project.cost_code_list == erp_list and project.erp_integrated
    assert str(project.estimated_value) == "4200000.00"
    assert project.start_date.isoformat() == "2027-01-04"


def test_a_job_needs_the_erp_list_and_a_free_number(account, admin):
    [record] = stage(account, "jobs", job())
    with pytest.raises(ValidationError, match="Sync the ERP's standard cost codes first"):
        staging.staged_add(actor=admin, account=account, staged=record)
    m.StandardCostCodeList.objects.create(account=account, name="ERP", is_erp=True)
    ProjectFactory(account=account, number="2405")
    with pytest.raises(ValidationError, match="already in the portal: link the job to it"):
        staging.staged_add(actor=admin, account=account, staged=record)
    record.refresh_from_db()
    assert record.status == StagedStatus.STAGED
    assert not m.Project.objects.filter(origin_id="J-2405").exists()


def test_a_sub_job_says_which_job_to_import_first(account, admin, erp_list):
    [jobs] = stage(account, "jobs", job())
    [sub] = stage(
        account,
        "sub_jobs",
        {"origin_id": "J-2405-A", "job": "J-2405", "code": "A", "name": "Annex"},
    )
    with pytest.raises(ValidationError, match="Add or link the ERP job J-2405 first"):
        staging.staged_add(actor=admin, account=account, staged=sub)
    project = staging.staged_add(actor=admin, account=account, staged=jobs)
    added = staging.staged_add(actor=admin, account=account, staged=sub)
    assert isinstance(added, m.SubJob)
    assert (added.project_id, added.code, added.origin_id) == (project.pk, "A", "J-2405-A")


def test_link_an_erp_company_to_one_unlinked_company(account, admin):
    """An ERP that keeps one record per company (Tryton) links one to one."""
    connection = connection_for(account)
    connection.connector_key = "tryton"
    connection.save()
    first, second = stage(account, "vendors", vendor(1), vendor(2))
    company = CompanyFactory(account=account, name="Front Range Framing")
    linked = staging.staged_link(actor=admin, account=account, staged=first, target_id=company.pk)
    company.refresh_from_db()
    assert linked.pk == company.pk and company.origin_id == "V-2001" and company.is_synced
    with pytest.raises(ValidationError) as refused:  # one ERP record, one portal record
        staging.staged_link(actor=admin, account=account, staged=second, target_id=company.pk)
    assert "not linked to the ERP yet" in str(refused.value.message_dict["target"])
    second.refresh_from_db()
    assert second.status == StagedStatus.STAGED


def test_one_company_stands_for_several_erp_companies_where_the_erp_says_so(account, admin):
    """The sandbox declares it, as CMiC does: the second ERP company links to the same
    company, whose ERP id stays the first's; what the ERP posts for either lands on it."""
    first, second = stage(account, "vendors", vendor(1), vendor(2))
    company = CompanyFactory(account=account, name="Front Range Framing")
    staging.staged_link(actor=admin, account=account, staged=first, target_id=company.pk)
    staging.staged_link(actor=admin, account=account, staged=second, target_id=company.pk)
    company.refresh_from_db()
    second.refresh_from_db()
    assert company.origin_id == "V-2001"
    assert (second.status, second.linked_id) == (StagedStatus.IMPORTED, company.pk)
    from syncs.selectors import company_ids

    assert company_ids(account, ["V-2001", "V-2002", "V-9999"]) == {
        "V-2001": company.pk,
        "V-2002": company.pk,
    }


def test_link_a_job_only_to_a_project_on_the_erp_list(account, admin, erp_list):
    [record] = stage(account, "jobs", job())
    own_list = m.StandardCostCodeList.objects.create(account=account, name="Ours")
    project = ProjectFactory(account=account, number="24-05", cost_code_list=own_list)
    with pytest.raises(ValidationError, match="does not use the ERP standard cost code list"):
        staging.staged_link(actor=admin, account=account, staged=record, target_id=project.pk)
    project.cost_code_list = erp_list
    project.save()
    staging.staged_link(actor=admin, account=account, staged=record, target_id=project.pk)
    project.refresh_from_db()
    assert project.origin_id == "J-2405" and project.number == "24-05"  # the portal's number


def test_link_refuses_a_record_of_another_account(account, other_account, admin):
    [record] = stage(account, "vendors", vendor())
    foreign = CompanyFactory(account=other_account)
    with pytest.raises(ValidationError):
        staging.staged_link(actor=admin, account=account, staged=record, target_id=foreign.pk)
    foreign.refresh_from_db()
    assert foreign.origin_id is None


def test_archive_and_unarchive(account, admin):
    [record] = stage(account, "vendors", vendor())
    staging.staged_archive(actor=admin, account=account, staged=record)
    record.refresh_from_db()
    assert record.status == StagedStatus.ARCHIVED
    with pytest.raises(ValidationError, match="no longer waiting"):
        staging.staged_add(actor=admin, account=account, staged=record)
    staging.staged_archive(actor=admin, account=account, staged=record, archive=False)
    record.refresh_from_db()
    assert record.status == StagedStatus.STAGED
    verbs = list(
        AuditEvent.objects.filter(item_type="staged_record").values_list("verb", flat=True)
    )
    assert verbs == ["staged_archived", "staged_unarchived"]


@pytest.mark.parametrize(
    ("item_type", "action", "row"),
    [
        ("vendors", "add", "add_erp_company"),
        ("vendors", "link", "link_erp_companies"),
        ("vendors", "archive", "archive_erp_company"),
        ("jobs", "add", "add_erp_job"),
    ],
)
def test_who_may_act_comes_from_the_seed(account, erp_list, item_type, action, row):
    for level in LEVELS:
        user = member(account, levels={Tool.ERP_INTEGRATIONS: level})
        [record] = stage(account, item_type, vendor() if item_type == "vendors" else job())
        StagedRecord.objects.filter(pk=record.pk).update(status=StagedStatus.STAGED)
        target = CompanyFactory(account=account)
        do = {
            "add": lambda r, u=user: staging.staged_add(actor=u, account=account, staged=r),
            "link": lambda r, u=user, t=target: staging.staged_link(
                actor=u, account=account, staged=r, target_id=t.pk
            ),
            "archive": lambda r, u=user: staging.staged_archive(actor=u, account=account, staged=r),
        }[action]
        if level in ROW[row].erp_levels:
            do(record)
            m.Company.objects.filter(origin_id__isnull=False).update(origin_id=None)
            m.Project.objects.filter(origin_id__isnull=False).delete()
        else:
            with pytest.raises(PermissionDenied):
                do(record)
            record.refresh_from_db()
            assert record.status == StagedStatus.STAGED


def test_an_unlinked_company_waits_in_ready_to_import_again(account):
    from integrations.unlinking import record_unlink
    from tests.integrations.unlinking import user_at

    admin = user_at(account, Level.ADMIN)
    [record] = stage(account, "vendors", vendor())
    company = staging.staged_add(actor=admin, account=account, staged=record)
    record_unlink(actor=admin, record=company, reason="The ERP merged it into another vendor")
    record.refresh_from_db()
    company.refresh_from_db()
    assert (record.status, record.linked_id) == (StagedStatus.STAGED, None)
    assert company.origin_id is None
    again = staging.staged_link(actor=admin, account=account, staged=record, target_id=company.pk)
    assert again.origin_id == "V-2001"


IMPORTS = [
    ("sub_jobs", {"origin_id": "J-2405-A", "job": "J-2405", "code": "A", "name": "Annex"}),
    ("budgets", {"origin_id": "B-2405", "job": "J-2405", "name": "Budget", "lines": []}),
    ("prime_contracts", {"origin_id": "PC-2405", "job": "J-2405", "title": "GMP", "lines": []}),
]
ROWS = {
    "sub_jobs": "import_sub_job",
    "budgets": "import_budget",
    "prime_contracts": "import_prime_contract",
}


@pytest.mark.parametrize(("item_type", "record"), IMPORTS)
def test_imports_are_allowed_per_the_seed(account, item_type, record):
    """Those the seed refuses get a 403 before anything is looked at; the others get past it
    (here to "add the job first": the job is not in the portal)."""
    [staged_record] = stage(account, item_type, record)
    for level in LEVELS:
        user = member(account, levels={Tool.ERP_INTEGRATIONS: level})
        try:
            staging.staged_add(
                actor=user, account=account, staged=staged_record, choices={"mode": "add"}
            )
            got_past = True
        except PermissionDenied:
            got_past = False
        except ValidationError as exc:
            assert "J-2405" in str(exc)
            got_past = True
        assert got_past == (level in ROW[ROWS[item_type]].erp_levels), (item_type, level)


@pytest.mark.parametrize("act", ["link", "archive"])
def test_jobs_are_linked_and_archived_by_erp_admins(account, erp_list, act):
    """Seed 004: linking a job takes Admin on the ERP tool; archiving one follows it."""
    [record] = stage(account, "jobs", job())
    project = ProjectFactory(account=account, number="24-05", cost_code_list=erp_list)
    for level in LEVELS:
        user = member(account, levels={Tool.ERP_INTEGRATIONS: level})
        if level in ROW["add_erp_job"].erp_levels:
            continue
        with pytest.raises(PermissionDenied):
            if act == "link":
                staging.staged_link(
                    actor=user, account=account, staged=record, target_id=project.pk
                )
            else:
                staging.staged_archive(actor=user, account=account, staged=record)
    admin = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    if act == "link":
        staging.staged_link(actor=admin, account=account, staged=record, target_id=project.pk)
    else:
        staging.staged_archive(actor=admin, account=account, staged=record)
    record.refresh_from_db()
    assert record.status == (StagedStatus.IMPORTED if act == "link" else StagedStatus.ARCHIVED)

"""A project added to the portal from an ERP job starts from the account's template for imported
jobs: its stage, its job-cost sync, and (when the template says so) every active code of the
ERP standard cost code list. Without a template it starts as before: course of construction, no
job-cost sync, no cost codes until refreshed. The demo's template is *Standard job*."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from demo.seed import seed_demo
from integrations import models as m
from integrations.cost_codes import erp_code_list, postable_codes
from integrations.project_templates import import_template
from permissions.levels import Level, Tool
from syncs import staging
from syncs.models import StagedRecord, StagedStatus
from tests.factories import member
from tests.integrations.cost_code_data import CostCodes, build
from tests.syncs.test_staging import job, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(account):
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


@pytest.fixture
def codes(account) -> CostCodes:
    """The ERP's list as a sync leaves it: a division, three active codes, one deactivated."""
    data = build(account)
    data.code_list.is_erp = True
    data.code_list.save()
    return data


def template(account, **fields) -> m.ProjectTemplate:
    return m.ProjectTemplate.objects.create(account=account, name="Standard job", **fields)


def add_job(account, admin) -> m.Project:
    [record] = stage(account, "jobs", job())
    project = staging.staged_add(actor=admin, account=account, staged=record)
    record.refresh_from_db()
    assert record.status == StagedStatus.IMPORTED
    assert isinstance(project, m.Project)
    project.refresh_from_db()
    return project


def project_codes(project: m.Project) -> set[str]:
    return set(
        m.CostCode.objects.filter(project=project, sub_job=None).values_list(
            "standard_code__full_code", flat=True
        )
    )


def test_the_template_for_imports_sets_stage_job_costs_and_cost_codes(account, admin, codes):
    template(
        account,
        stage=m.Project.Stage.PRE_CONSTRUCTION,
        sync_job_costs=True,
        add_all_cost_codes=True,
        for_imports=True,
    )
    project = add_job(account, admin)
    assert project.stage == m.Project.Stage.PRE_CONSTRUCTION
    assert project.sync_job_costs
    # Every active code of the ERP's list; not the division, not the deactivated code.
    assert project_codes(project) == {"03-100", "03-200", "03-300"}
    assert project.cost_code_list == codes.code_list and project.erp_integrated


def test_a_template_without_the_erp_codes_adds_none(account, admin, codes):
    template(account, stage=m.Project.Stage.WARRANTY, add_all_cost_codes=False, for_imports=True)
    project = add_job(account, admin)
    assert project.stage == m.Project.Stage.WARRANTY and not project.sync_job_costs
    assert project_codes(project) == set()


def test_without_a_template_for_imports_a_job_starts_as_before(account, admin, codes):
    # A template that is not the one for imported jobs changes nothing.
    template(account, stage=m.Project.Stage.BIDDING, sync_job_costs=True)
    project = add_job(account, admin)
    assert project.stage == m.Project.Stage.COURSE_OF_CONSTRUCTION
    assert not project.sync_job_costs
    assert project_codes(project) == set()


def test_a_refused_job_leaves_no_project_and_no_codes(account, admin, codes):
    template(account, add_all_cost_codes=True, for_imports=True)
    m.Project.objects.create(account=account, number="2405", name="Already here")
    [record] = stage(account, "jobs", job())
    with pytest.raises(ValidationError, match="already in the portal"):
        staging.staged_add(actor=admin, account=account, staged=record)
    assert not m.Project.objects.filter(origin_id="J-2405").exists()
    assert m.CostCode.objects.filter(account=account).count() == 1  # build()'s own project's


def test_the_demos_waiting_job_starts_from_standard_job():
    account = seed_demo()
    standard = import_template(account)
    assert standard is not None and standard.name == "Standard job"
    erp_admin = get_user_model().objects.get(username="erpadmin")
    waiting = StagedRecord.objects.get(account=account, item_type="jobs", origin_id="J-2406")
    project = staging.staged_add(actor=erp_admin, account=account, staged=waiting)
    assert isinstance(project, m.Project)
    project.refresh_from_db()
    assert project.stage == m.Project.Stage.COURSE_OF_CONSTRUCTION and project.sync_job_costs
    erp_list = erp_code_list(account)
    assert erp_list is not None
    assert project_codes(project) == set(
        postable_codes(erp_list).values_list("full_code", flat=True)
    )
    assert project_codes(project)  # the demo's list is not empty

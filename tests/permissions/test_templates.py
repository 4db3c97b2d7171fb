"""Permission templates through the services: what holding one gives, how changes reach holders,
what adjustments and defaults replace, and what is refused (the audit: test_templates_audit.py;
``restrict()`` on 1,000 projects: test_templates_restrict.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError

from integrations import models as m
from permissions.access import can, restrict
from permissions.models import PermissionTemplate
from permissions.policy import Action
from permissions.services import KEEP, member_permissions_set
from permissions.templates import TemplateData, template_delete, template_update
from tenancy.models import Membership
from tests.factories import ProjectFactory, member
from tests.permissions.template_helpers import (
    ADMIN,
    COMPANY,
    NONE,
    PROJECT,
    RO,
    STD,
    T,
    audit_count,
    fresh,
    give,
    holds,
    level_on,
    make,
)

pytestmark = pytest.mark.django_db


# --- What a template gives --------------------------------------------------------------------


def test_a_company_template_gives_its_levels(account, admin):
    template = make(
        admin,
        account,
        "Field",
        COMPANY,
        {T.ERP_INTEGRATIONS: STD, T.COMMITMENTS: ADMIN, T.BUDGET: RO},
    )
    user = member(account, username="holder")
    assert level_on(user, account, T.COMMITMENTS) == NONE
    give(admin, account, user, company=template)
    assert level_on(user, account, T.COMMITMENTS) == ADMIN
    assert level_on(user, account, T.BUDGET) == RO
    assert level_on(user, account, T.DIRECT_COSTS) == NONE  # not named: None
    assert can(fresh(user), Action.VIEW_SYNC_LOGS, account)  # ERP Standard
    assert not can(fresh(user), Action.MANAGE_ERP_CONNECTION, account)  # needs ERP Admin


def test_changing_a_template_changes_every_holder_at_once(account, admin):
    template = make(admin, account, "Field", COMPANY, {T.ERP_INTEGRATIONS: RO, T.BUDGET: RO})
    users = [member(account, username=f"holder-{i}") for i in range(3)]
    for user in users:
        give(admin, account, user, company=template)
    assert not any(can(fresh(u), Action.MANAGE_ERP_CONNECTION, account) for u in users)
    before = audit_count(account)

    template_update(
        actor=admin,
        account=account,
        template=template,
        data=TemplateData("Field", COMPANY, {T.ERP_INTEGRATIONS: ADMIN, T.BUDGET: STD}),
    )

    assert all(can(fresh(u), Action.MANAGE_ERP_CONNECTION, account) for u in users)
    assert all(level_on(u, account, T.BUDGET) == STD for u in users)
    assert audit_count(account) == before + 1


def test_a_company_adjustment_replaces_one_tools_level(account, admin):
    template = make(
        admin,
        account,
        "Field",
        COMPANY,
        {T.ERP_INTEGRATIONS: STD, T.COMMITMENTS: ADMIN, T.BUDGET: RO},
    )
    user = member(account, username="holder")
    give(admin, account, user, company=template, levels={T.BUDGET: ADMIN, T.COMMITMENTS: NONE})
    assert level_on(user, account, T.BUDGET) == ADMIN  # raised
    assert level_on(user, account, T.COMMITMENTS) == NONE  # lowered to None
    assert can(fresh(user), Action.VIEW_SYNC_LOGS, account)  # the rest is the template's


def test_a_project_template_replaces_the_company_level_there_for_every_project_tool(account, admin):
    company = make(
        admin,
        account,
        "Field",
        COMPANY,
        {T.ERP_INTEGRATIONS: RO, T.COMMITMENTS: ADMIN, T.BUDGET: ADMIN, T.REPORTS: RO},
    )
    on_project = make(admin, account, "Budget viewer", PROJECT, {T.BUDGET: RO})
    here, elsewhere = ProjectFactory(account=account), ProjectFactory(account=account)
    user = member(account, username="holder")
    give(admin, account, user, company=company, on_projects=[(here, on_project)])

    assert level_on(user, account, T.BUDGET, here) == RO
    assert level_on(user, account, T.COMMITMENTS, here) == NONE  # not in the project template
    assert not can(fresh(user), Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT, account, project=here)
    assert can(fresh(user), Action.VIEW_ERP_TOOL, account, project=here)  # ERP: company only
    assert level_on(user, account, T.COMMITMENTS, elsewhere) == ADMIN
    assert level_on(user, account, T.BUDGET, elsewhere) == ADMIN
    assert can(fresh(user), Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT, account, project=elsewhere)


def test_a_project_adjustment_beats_the_project_template(account, admin):
    company = make(admin, account, "Field", COMPANY, {T.COMMITMENTS: ADMIN})
    on_project = make(admin, account, "Viewer", PROJECT, {T.BUDGET: RO, T.COMMITMENTS: RO})
    project = ProjectFactory(account=account)
    user = member(account, username="holder")
    give(
        admin,
        account,
        user,
        company=company,
        on_projects=[(project, on_project)],
        adjustments=[(project, T.BUDGET, ADMIN)],
    )
    assert level_on(user, account, T.BUDGET, project) == ADMIN  # the adjustment
    assert level_on(user, account, T.COMMITMENTS, project) == RO  # the project template


def test_the_default_project_template_applies_where_a_member_has_nothing_and_restrict_agrees(
    account, admin
):
    company = make(admin, account, "Field", COMPANY, {T.COMMITMENTS: ADMIN, T.BUDGET: ADMIN})
    assigned_template = make(admin, account, "Editor", PROJECT, {T.COMMITMENTS: STD})
    assigned, adjusted, *bare = (ProjectFactory(account=account) for _ in range(4))
    user = member(account, username="holder")
    give(
        admin,
        account,
        user,
        company=company,
        on_projects=[(assigned, assigned_template)],
        adjustments=[(adjusted, T.COMMITMENTS, NONE)],
    )
    assert [level_on(user, account, T.COMMITMENTS, p) for p in bare] == [ADMIN, ADMIN]

    make(admin, account, "Viewer", PROJECT, {T.COMMITMENTS: RO}, is_default=True)

    assert [level_on(user, account, T.COMMITMENTS, p) for p in bare] == [RO, RO]
    assert level_on(user, account, T.BUDGET, bare[0]) == NONE  # not in the default
    assert level_on(user, account, T.COMMITMENTS, assigned) == STD  # its own template
    assert level_on(user, account, T.COMMITMENTS, adjusted) == NONE  # its own adjustment
    assert level_on(user, account, T.BUDGET, adjusted) == NONE  # the default, besides
    projects = [assigned, adjusted, *bare]
    for level in (RO, STD, ADMIN):
        shown = restrict(
            m.Project.objects.all(), fresh(user), account, level=level, tool=T.COMMITMENTS
        )
        assert set(shown) == {p for p in projects if holds(user, account, T.COMMITMENTS, level, p)}


# --- 'Create New Project' -------------------------------------------------------------------


def test_create_new_project_on_a_company_template_grants_creating_projects(account, admin):
    creator = make(
        admin,
        account,
        "Creator",
        COMPANY,
        {T.ERP_INTEGRATIONS: STD, T.DIRECTORY: STD},
        can_create_project=True,
    )
    plain = make(
        admin,
        account,
        "Plain",
        COMPANY,
        {T.ERP_INTEGRATIONS: STD, T.DIRECTORY: STD, T.PROJECT_ADMIN: STD},
    )
    project_admin = make(admin, account, "Project admin", PROJECT, {T.PROJECT_ADMIN: ADMIN})
    project = ProjectFactory(account=account)
    a, b = member(account, username="creator"), member(account, username="plain")
    give(admin, account, a, company=creator)
    give(admin, account, b, company=plain, on_projects=[(project, project_admin)])

    assert can(fresh(a), Action.CREATE_PROJECT, account)
    assert can(fresh(a), Action.CREATE_PROJECT, account, project=project)
    # Directory Standard with 'Create New Project' may see synced sub jobs (the policy's rule).
    assert can(fresh(a), Action.VIEW_SYNCED_SUB_JOBS, account)
    # Project Admin is needed for the company: Admin on one project is not enough.
    assert not can(fresh(b), Action.CREATE_PROJECT, account)
    assert not can(fresh(b), Action.CREATE_PROJECT, account, project=project)
    assert not can(fresh(b), Action.VIEW_SYNCED_SUB_JOBS, account)
    # Withdrawn from the template: withdrawn from every holder.
    template_update(
        actor=admin,
        account=account,
        template=creator,
        data=TemplateData("Creator", COMPANY, {T.ERP_INTEGRATIONS: STD, T.DIRECTORY: STD}),
    )
    assert not can(fresh(a), Action.CREATE_PROJECT, account)
    assert not can(fresh(a), Action.VIEW_SYNCED_SUB_JOBS, account)


# --- What is refused ------------------------------------------------------------------------


def test_only_one_default_per_account(account, admin, other_account):
    first = make(admin, account, "First", PROJECT, {T.BUDGET: RO}, is_default=True)
    second = make(admin, account, "Second", PROJECT, {T.BUDGET: STD}, is_default=True)
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    template_update(
        actor=admin,
        account=account,
        template=first,
        data=TemplateData("First", PROJECT, {T.BUDGET: RO}, is_default=True),
    )
    defaults = PermissionTemplate.objects.filter(account=account, is_default=True)
    assert list(defaults) == [first]
    # Another account's default is its own business.
    other_admin = member(other_account, username="their-admin", levels={T.DIRECTORY: ADMIN})
    theirs = make(other_admin, other_account, "Theirs", PROJECT, {}, is_default=True)
    assert set(PermissionTemplate.objects.filter(is_default=True)) == {first, theirs}


def test_a_project_template_cannot_carry_erp_integrations(account, admin):
    with pytest.raises(ValidationError) as refused:
        make(admin, account, "ERP on projects", PROJECT, {T.ERP_INTEGRATIONS: RO})
    assert "levels" in refused.value.message_dict
    template = make(admin, account, "Viewer", PROJECT, {T.BUDGET: RO})
    with pytest.raises(ValidationError) as refused:
        template_update(
            actor=admin,
            account=account,
            template=template,
            data=TemplateData("Viewer", PROJECT, {T.BUDGET: RO, T.ERP_INTEGRATIONS: ADMIN}),
        )
    assert "levels" in refused.value.message_dict
    template.refresh_from_db()
    assert template.levels == {T.BUDGET.value: int(RO)}
    assert not PermissionTemplate.objects.filter(name="ERP on projects").exists()


def test_a_held_template_cannot_be_deleted(account, admin):
    company = make(admin, account, "Field", COMPANY, {T.BUDGET: RO})
    on_project = make(admin, account, "Viewer", PROJECT, {T.BUDGET: RO})
    user = member(account, username="holder")
    give(
        admin,
        account,
        user,
        company=company,
        on_projects=[(ProjectFactory(account=account), on_project)],
    )
    before = audit_count(account)
    for template in (company, on_project):
        with pytest.raises(ValidationError, match="held by 1 member"):
            template_delete(actor=admin, account=account, template=template)
    assert PermissionTemplate.objects.filter(pk__in=[company.pk, on_project.pk]).count() == 2
    assert Group.objects.filter(pk=company.group_id).exists()
    assert level_on(user, account, T.BUDGET) == RO
    assert audit_count(account) == before


def test_deleting_an_unheld_template_removes_its_group_and_permission(account, admin):
    company = make(admin, account, "Field", COMPANY, {T.BUDGET: RO})
    on_project = make(admin, account, "Viewer", PROJECT, {T.BUDGET: RO})
    group_id, codename = company.group_id, on_project.codename
    assert Group.objects.filter(pk=group_id).exists()
    assert Permission.objects.filter(codename=codename).exists()
    for template in (company, on_project):
        template_delete(actor=admin, account=account, template=template)
    assert not PermissionTemplate.objects.filter(account=account).exists()
    assert not Group.objects.filter(pk=group_id).exists()
    assert not Permission.objects.filter(codename=codename).exists()


def test_another_accounts_template_cannot_be_assigned(account, admin, other_account):
    other_admin = member(other_account, username="their-admin", levels={T.DIRECTORY: ADMIN})
    their_company = make(other_admin, other_account, "Theirs", COMPANY, {T.BUDGET: ADMIN})
    their_project = make(other_admin, other_account, "Theirs", PROJECT, {T.BUDGET: ADMIN})
    project = ProjectFactory(account=account)
    user = member(account, username="holder")
    with pytest.raises(ValidationError) as refused:
        give(admin, account, user, company=their_company)
    assert "company_template" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        give(admin, account, user, on_projects=[(project, their_project)])
    assert "project_templates" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        template_update(
            actor=admin,
            account=account,
            template=their_company,
            data=TemplateData("Mine now", COMPANY, {T.BUDGET: ADMIN}),
        )
    with pytest.raises(PermissionDenied):
        template_delete(actor=admin, account=account, template=their_project)
    assert not fresh(user).groups.exists()
    assert level_on(user, account, T.BUDGET, project) == NONE
    assert PermissionTemplate.objects.filter(account=other_account).count() == 2


def test_only_a_directory_admin_manages_templates(account, admin):
    template = make(admin, account, "Field", COMPANY, {T.BUDGET: RO})
    someone = member(account, username="someone", levels={T.DIRECTORY: STD})
    before = audit_count(account)
    with pytest.raises(PermissionDenied):
        make(someone, account, "Mine", COMPANY, {T.BUDGET: ADMIN})
    with pytest.raises(PermissionDenied):
        template_update(
            actor=someone, account=account, template=template, data=TemplateData("Field", COMPANY)
        )
    with pytest.raises(PermissionDenied):
        template_delete(actor=someone, account=account, template=template)
    with pytest.raises(PermissionDenied):
        give(someone, account, someone, company=template)
    assert audit_count(account) == before
    template.refresh_from_db()
    assert template.levels == {T.BUDGET.value: int(RO)}


def test_keep_leaves_project_templates_as_they_are(account, admin):
    on_project = make(admin, account, "Viewer", PROJECT, {T.BUDGET: RO})
    project = ProjectFactory(account=account)
    user = member(account, username="holder")
    give(admin, account, user, on_projects=[(project, on_project)])
    member_permissions_set(
        actor=admin,
        account=account,
        membership=Membership.objects.get(account=account, user=user),
        levels={T.BUDGET: ADMIN},
        privileges={},
        project_grants=[],
        company_template=KEEP,
        project_templates=KEEP,
    )
    assert level_on(user, account, T.BUDGET) == ADMIN
    assert level_on(user, account, T.BUDGET, project) == RO

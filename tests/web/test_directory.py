"""The Directory page and a member's permissions page: who may grant what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from permissions.access import can
from permissions.grants import Source, load_member
from permissions.levels import Level, Privilege, Tool
from permissions.models import TemplateScope, ToolGrant
from permissions.policy import Action
from permissions.services import member_permissions_set
from permissions.templates import seed_templates
from tenancy.models import Membership
from tests.factories import ProjectFactory, grant, member
from tests.web.test_pages import login


def form_data(
    levels: dict[Tool, Level],
    *,
    cpa: bool = False,
    company_template: Any = None,
    templates: Any = (),
    grants: Any = (),
) -> dict[str, object]:
    """What the member page posts: adjustments only for ``levels``' tools (the others 'As
    template'), the company template, and the per-project rows."""
    data: dict[str, object] = {
        f"tool_{t.value}": int(levels[t]) if t in levels else "" for t in Tool
    }
    data["company_template"] = company_template.pk if company_template else ""
    if cpa:
        data["priv_can_push_to_accounting"] = "on"
    for prefix, rows in (("templates", templates), ("grants", grants)):
        data.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"})
    for i, (project, template) in enumerate(templates):
        data.update({f"templates-{i}-project": project.pk, f"templates-{i}-template": template.pk})
    for i, (project, tool, level) in enumerate(grants):
        data.update(
            {
                f"grants-{i}-project": project.pk,
                f"grants-{i}-tool": tool.value,
                f"grants-{i}-level": int(level),
            }
        )
    return data


@pytest.fixture
def directory_admin(account):
    return member(
        account,
        username="diradmin",
        levels={Tool.DIRECTORY: Level.ADMIN},
        can_push_to_accounting=True,
    )


def member_url(account, user) -> str:
    return reverse("directory-member", kwargs={"account": account.slug, "user_id": user.pk})


@pytest.mark.django_db
def test_directory_admin_grants_templates_adjustments_and_privileges(account, directory_admin):
    target = member(account, username="newhire")
    project, other = ProjectFactory(account=account), ProjectFactory(account=account)
    company = seed_templates(
        account, TemplateScope.COMPANY, {"Accounting": {Tool.COMMITMENTS: Level.READ_ONLY}}
    )["Accounting"]
    on_site = seed_templates(
        account, TemplateScope.PROJECT, {"Superintendent": {Tool.BUDGET: Level.STANDARD}}
    )["Superintendent"]
    client = login(directory_admin)
    page = client.get(reverse("directory", kwargs={"account": account.slug}))
    assert page.status_code == 200 and "newhire" in page.text

    response = client.post(
        member_url(account, target),
        form_data(
            {Tool.ERP_INTEGRATIONS: Level.READ_ONLY},
            cpa=True,
            company_template=company,
            templates=[(other, on_site)],
            grants=[(project, Tool.COMMITMENTS, Level.ADMIN)],
        ),
    )

    assert response.status_code == 302, response.text
    held = load_member(account, target.pk)
    assert held.company_template is not None and held.company_template.name == "Accounting"
    assert held.company[Tool.ERP_INTEGRATIONS].source == Source.ADJUSTMENT
    assert held.company[Tool.COMMITMENTS].level == Level.READ_ONLY  # the template's
    assert held.projects[project.pk].adjustments == {Tool.COMMITMENTS: Level.ADMIN}
    assert held.projects[other.pk].template is not None
    assert can(target, Action.EDIT_RECORDS, account, project=project, obj=None) is True
    assert can(target, Action.SEND_ITEMS, account, project=project) is True  # Admin on a tool there
    assert Membership.objects.get(user=target).can_push_to_accounting is True
    # Only the adjusted tool is stored as an adjustment: "As template" stores nothing.
    assert list(ToolGrant.objects.filter(user=target).values_list("tool", flat=True)) == [
        Tool.ERP_INTEGRATIONS.value
    ]

    listing = client.get(reverse("directory", kwargs={"account": account.slug})).text
    assert "Accounting" in listing and "Read Only (adjusted)" in listing


@pytest.mark.django_db
def test_the_directory_names_each_members_template_or_says_there_is_none(account, directory_admin):
    company = seed_templates(
        account, TemplateScope.COMPANY, {"Project Manager": {Tool.BUDGET: Level.STANDARD}}
    )["Project Manager"]
    holder = member(account, username="pm")
    holder.groups.add(company.group_id)
    grant(holder, account, Tool.REPORTS, Level.ADMIN, project=ProjectFactory(account=account))
    member(account, username="nobody")
    page = login(directory_admin).get(reverse("directory", kwargs={"account": account.slug}))
    text = " ".join(page.text.split())
    assert "Project Manager" in text and "No template" in text
    assert "Permission templates" in text


@pytest.mark.django_db
def test_only_a_holder_of_can_push_may_grant_it(account):
    admin_without_cpa = member(account, levels={Tool.DIRECTORY: Level.ADMIN})
    target = member(account)
    client = login(admin_without_cpa)
    url = member_url(account, target)
    page = client.get(url)
    assert "Only a Directory Admin who holds this privilege may change it." in page.text
    # A forged form field is ignored (the field is disabled) ...
    client.post(url, form_data({Tool.BUDGET: Level.READ_ONLY}, cpa=True))
    assert Membership.objects.get(user=target).can_push_to_accounting is False
    # ... and the service refuses it outright.
    with pytest.raises(PermissionDenied):
        member_permissions_set(
            actor=admin_without_cpa,
            account=account,
            membership=Membership.objects.get(user=target),
            levels={},
            privileges={Privilege.CAN_PUSH_TO_ACCOUNTING: True},
            project_grants=[],
        )


@pytest.mark.django_db
def test_the_same_tool_twice_on_a_project_is_refused_in_place(account, directory_admin):
    target = member(account)
    project = ProjectFactory(account=account)
    response = login(directory_admin).post(
        member_url(account, target),
        form_data(
            {},
            grants=[(project, Tool.BUDGET, Level.ADMIN), (project, Tool.BUDGET, Level.NONE)],
        ),
    )
    assert response.status_code == 400
    assert "Each tool may be adjusted once per project." in response.text
    assert load_member(account, target.pk).projects == {}


@pytest.mark.django_db
def test_non_directory_admins_are_refused(account):
    project = ProjectFactory(account=account)
    standard = member(
        account, levels={Tool.DIRECTORY: Level.STANDARD, Tool.ERP_INTEGRATIONS: Level.ADMIN}
    )
    project_admin = member(account)
    grant(project_admin, account, Tool.DIRECTORY, Level.ADMIN, project=project)
    target = member(account)
    for user in (standard, project_admin):
        client = login(user)
        assert client.get(reverse("directory", kwargs={"account": account.slug})).status_code == 403
        url = member_url(account, target)
        assert client.post(url, form_data({Tool.ERP_INTEGRATIONS: Level.ADMIN})).status_code == 403
    assert not ToolGrant.objects.filter(user=target).exists()


@pytest.mark.django_db
def test_member_of_another_account_is_404(account, other_account, directory_admin):
    outsider = member(other_account)
    assert login(directory_admin).get(member_url(account, outsider)).status_code == 404

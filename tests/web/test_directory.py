"""The Directory page: who may grant what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from permissions.access import can
from permissions.levels import Level, Privilege, Tool
from permissions.models import ToolGrant
from permissions.policy import Action
from permissions.services import member_permissions_set
from tenancy.models import Membership
from tests.factories import ProjectFactory, grant, member
from tests.web.test_pages import login


def form_data(levels: dict[Tool, Level], *, cpa: bool = False, grants=()) -> dict[str, object]:
    data: dict[str, object] = {f"tool_{t.value}": int(levels.get(t, Level.NONE)) for t in Tool}
    if cpa:
        data["priv_can_push_to_accounting"] = "on"
    data.update({"grants-TOTAL_FORMS": str(len(grants)), "grants-INITIAL_FORMS": "0"})
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


@pytest.mark.django_db
def test_directory_admin_grants_levels_and_project_overrides(account, directory_admin):
    target = member(account, username="newhire")
    project = ProjectFactory(account=account)
    client = login(directory_admin)
    page = client.get(reverse("directory", kwargs={"account": account.slug}))
    assert page.status_code == 200 and "newhire" in page.text
    url = reverse("directory-member", kwargs={"account": account.slug, "user_id": target.pk})
    response = client.post(
        url,
        form_data(
            {Tool.COMMITMENTS: Level.STANDARD, Tool.ERP_INTEGRATIONS: Level.READ_ONLY},
            cpa=True,
            grants=[(project, Tool.COMMITMENTS, Level.ADMIN)],
        ),
    )
    assert response.status_code == 302, response.text
    assert can(target, Action.EDIT_RECORDS, account, project=project, obj=None) is True
    assert can(target, Action.SEND_ITEMS, account, project=project) is True  # Admin on a tool there
    assert Membership.objects.get(user=target).can_push_to_accounting is True
    assert ToolGrant.objects.get(user=target, project=project).level == Level.ADMIN


@pytest.mark.django_db
def test_only_a_holder_of_can_push_may_grant_it(account):
    admin_without_cpa = member(account, levels={Tool.DIRECTORY: Level.ADMIN})
    target = member(account)
    client = login(admin_without_cpa)
    url = reverse("directory-member", kwargs={"account": account.slug, "user_id": target.pk})
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
        url = reverse("directory-member", kwargs={"account": account.slug, "user_id": target.pk})
        assert client.post(url, form_data({Tool.ERP_INTEGRATIONS: Level.ADMIN})).status_code == 403
    assert not ToolGrant.objects.filter(user=target).exists()


@pytest.mark.django_db
def test_member_of_another_account_is_404(account, other_account, directory_admin):
    outsider = member(other_account)
    url = reverse("directory-member", kwargs={"account": account.slug, "user_id": outsider.pk})
    assert login(directory_admin).get(url).status_code == 404

"""django-guardian reads what is stored: a project template assigned on a project is the object
permission ``template_<pk>``, a project adjustment ``<tool>__<level>``; and the policy backend's
``has_perm("permissions.<action>", project)`` says what ``can()`` says for template holders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from guardian.shortcuts import get_objects_for_user, get_perms

from integrations import models as m
from permissions.access import can
from permissions.backends import permission_name
from permissions.levels import Level, Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.policy import Action
from permissions.services import ProjectGrant, ProjectTemplate, member_permissions_set
from permissions.templates import TemplateData, template_create
from tenancy.models import Account, Membership
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db

NONE, RO, STD, ADMIN = Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN
T = Tool


def fresh(user: Any) -> Any:
    return get_user_model().objects.get(pk=user.pk)


@dataclass
class Place:
    account: Account
    admin: Any
    assigned: m.Project  # the members hold a project template here
    adjusted: m.Project  # and adjustments here
    neither: m.Project
    reports: PermissionTemplate  # the project template
    members: dict[str, Any]

    @property
    def projects(self) -> dict[str, m.Project]:
        return {"assigned": self.assigned, "adjusted": self.adjusted, "neither": self.neither}

    def template(
        self, name: str, scope: TemplateScope, levels: dict[Tool, Level], **kw: Any
    ) -> Any:
        data = TemplateData(name=name, scope=scope, levels=levels, **kw)
        return template_create(actor=self.admin, account=self.account, data=data)


@pytest.fixture
def place(account) -> Place:
    admin = member(
        account, username="dir-admin", levels={T.DIRECTORY: ADMIN}, can_push_to_accounting=True
    )
    assigned, adjusted, neither = (ProjectFactory(account=account) for _ in range(3))
    found = Place(account, admin, assigned, adjusted, neither, None, {})
    approver = found.template(
        "Approver",
        TemplateScope.COMPANY,
        {T.ERP_INTEGRATIONS: ADMIN, T.DIRECTORY: STD, T.COMMITMENTS: STD, T.INVOICING: ADMIN},
        can_create_project=True,
    )
    field = found.template(
        "Field", TemplateScope.COMPANY, {T.ERP_INTEGRATIONS: STD, T.BUDGET: ADMIN, T.REPORTS: RO}
    )
    found.reports = found.template(
        "Reports", TemplateScope.PROJECT, {T.REPORTS: RO, T.BUDGET: ADMIN, T.COMMITMENTS: ADMIN}
    )
    for name, company, approves in (("approver", approver, True), ("field", field, False)):
        user = member(account, username=name, can_push_to_accounting=approves)
        member_permissions_set(
            actor=admin,
            account=account,
            membership=Membership.objects.get(account=account, user=user),
            levels={},
            privileges={},
            project_grants=[
                ProjectGrant(adjusted, T.BUDGET, NONE),
                ProjectGrant(adjusted, T.PRIME_CONTRACTS, ADMIN),
            ],
            company_template=company,
            project_templates=[ProjectTemplate(assigned, found.reports)],
        )
        found.members[name] = user
    return found


def test_get_perms_lists_the_stored_codenames(place):
    user = place.members["field"]
    assert set(get_perms(user, place.assigned)) == {f"template_{place.reports.pk}"}
    assert set(get_perms(user, place.adjusted)) == {"budget__none", "prime_contracts__admin"}
    assert get_perms(user, place.neither) == []
    # The company template is not an object permission: nothing on a project is made of it.
    assert get_perms(place.admin, place.assigned) == []


def test_get_objects_for_user_returns_exactly_the_projects_where_it_is_stored(place, account):
    user = place.members["approver"]
    ProjectFactory(account=account)  # one more, with nothing

    def where(codename: str) -> set[m.Project]:
        found = get_objects_for_user(
            user, f"integrations.{codename}", klass=m.Project, accept_global_perms=False
        )
        return set(found)

    assert where(place.reports.codename) == {place.assigned}
    assert where("budget__none") == {place.adjusted}
    assert where("prime_contracts__admin") == {place.adjusted}
    # Stored for another member only: not this member's.
    other = member(account, username="bystander")
    member_permissions_set(
        actor=place.admin,
        account=account,
        membership=Membership.objects.get(account=account, user=other),
        levels={},
        privileges={},
        project_grants=[ProjectGrant(place.neither, T.DIRECT_COSTS, RO)],
    )
    assert where("direct_costs__read_only") == set()
    assert set(
        get_objects_for_user(
            other,
            "integrations.direct_costs__read_only",
            klass=m.Project,
            accept_global_perms=False,
        )
    ) == {place.neither}


def _disagreements(place: Place) -> list[str]:
    out = []
    for name, user in place.members.items():
        for where, project in place.projects.items():
            checked = fresh(user)
            for action in Action:
                by_backend = checked.has_perm(permission_name(action), project)
                by_can = can(fresh(user), action, place.account, project=project)
                if by_backend != by_can:
                    out.append(f"{name} on {where}: {action}: has_perm {by_backend}, can {by_can}")
    return out


def _allowed(place: Place, name: str, action: Action) -> dict[str, bool]:
    user = fresh(place.members[name])
    return {
        where: user.has_perm(permission_name(action), project)
        for where, project in place.projects.items()
    }


def test_has_perm_on_a_project_agrees_with_can_for_template_holders(place):
    assert _disagreements(place) == []
    # The answers differ where the storage differs (the project template gives Reports and
    # Budget Admin on its project; the adjustment Prime Contracts Admin but Budget None).
    report = Action.VIEW_ERP_JOB_COSTS_REPORT
    assert _allowed(place, "approver", report) == {
        "assigned": True,
        "adjusted": False,
        "neither": False,
    }
    assert _allowed(place, "field", Action.VIEW_ERP_TOOL) == dict.fromkeys(place.projects, True)
    assert _allowed(place, "approver", Action.ACCEPT_REJECT_BUDGET) == dict.fromkeys(
        place.projects, True
    )
    assert _allowed(place, "field", Action.ACCEPT_REJECT_BUDGET) == dict.fromkeys(
        place.projects, False
    )


def test_has_perm_agrees_with_can_with_a_default_project_template(place):
    place.template(
        "Default",
        TemplateScope.PROJECT,
        {T.REPORTS: RO, T.PRIME_CONTRACTS: ADMIN},
        is_default=True,
    )
    assert _disagreements(place) == []
    # Now where a member has nothing of their own, the default gives the report; the adjusted
    # project has Budget None and Prime Contracts Admin of its own, Reports from the default.
    assert _allowed(place, "approver", Action.VIEW_ERP_JOB_COSTS_REPORT) == dict.fromkeys(
        place.projects, True
    )
    # Commitments: the company template's Standard no longer applies where the default does.
    assert not can(
        fresh(place.members["approver"]),
        Action.EDIT_RECORDS,
        place.account,
        project=place.neither,
        obj=m.Commitment,
    )
    assert can(
        fresh(place.members["approver"]),
        Action.EDIT_RECORDS,
        place.account,
        project=place.assigned,
        obj=m.Commitment,
    )

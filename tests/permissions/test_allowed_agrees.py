"""``allowed(queryset, user, account, action)`` keeps exactly the records ``can(user, action,
account, obj=record)`` says yes for: every action, one record of every kind on each of several
projects, for members whose rights come from company templates, project templates, adjustments
and the default project template."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations import models as m
from integrations.kinds import kinds
from permissions.access import allowed, can
from permissions.grants import project_permissions
from permissions.levels import Level, Tool
from permissions.models import ProjectUserPermission, TemplateScope
from permissions.policy import Action
from permissions.templates import seed_templates
from tenancy.models import Membership
from tests.factories import ProjectFactory, UserFactory, grant
from tests.permissions.builders import make_items

pytestmark = pytest.mark.django_db

RO, STD, ADMIN = Level.READ_ONLY, Level.STANDARD, Level.ADMIN
ALL_ADMIN = dict.fromkeys(Tool, ADMIN)


def _member(account: Any, template: Any = None, **privileges: bool) -> Any:
    user = UserFactory()
    Membership.objects.create(account=account, user=user, **privileges)
    if template is not None:
        user.groups.add(template.group)
    return user


def _assign(user: Any, project: Any, template: Any) -> None:
    permission = project_permissions([template.codename])[template.codename]
    ProjectUserPermission.objects.create(user=user, content_object=project, permission=permission)


@pytest.fixture(params=[False, True], ids=["no default", "default project template"])
def world(request, account, other_account) -> dict[str, Any]:
    projects = [ProjectFactory(account=account) for _ in range(3)]
    made = [make_items(account, p) for p in projects] + [make_items(other_account)]
    records = [item.obj for items in made for item in items.values()]
    records += [items["standard_cost_code"].obj.code_list for items in made]
    company = seed_templates(
        account,
        TemplateScope.COMPANY,
        {
            "Accounting": {**dict.fromkeys(Tool, RO), Tool.ERP_INTEGRATIONS: ADMIN},
            "Project Manager": {
                **dict.fromkeys(Tool, ADMIN),
                Tool.ERP_INTEGRATIONS: Level.NONE,
                Tool.DIRECTORY: STD,
            },
        },
    )
    job = seed_templates(
        account,
        TemplateScope.PROJECT,
        {
            "Job Admin": {t: ADMIN for t in Tool if t != Tool.ERP_INTEGRATIONS},
            "Job Read Only": {t: RO for t in Tool if t != Tool.ERP_INTEGRATIONS},
        },
    )
    if request.param:
        default = job["Job Read Only"]
        default.is_default = True
        default.save()
    first, second, _ = projects
    approver = _member(account, company["Accounting"], can_push_to_accounting=True)
    _assign(approver, first, job["Job Admin"])
    manager = _member(account, company["Project Manager"], can_create_project=True)
    _assign(manager, first, job["Job Read Only"])
    grant(manager, account, Tool.COMMITMENTS, Level.NONE, project=second)
    grant(manager, account, Tool.ERP_INTEGRATIONS, STD)  # a company adjustment
    newcomer = _member(account)  # nothing but what the default project template gives
    grant(newcomer, account, Tool.BUDGET, ADMIN, project=second)
    users = {"approver": approver, "manager": manager, "newcomer": newcomer}
    return {"account": account, "users": users, "records": records}


def _fresh(user: Any) -> Any:
    return get_user_model().objects.get(pk=user.pk)


def test_allowed_agrees_with_can_on_every_action_kind_and_record(world):
    account = world["account"]
    models = {type(r) for r in world["records"]}
    assert {kind.model for kind in kinds()} <= models
    disagreements = []
    for who, user in world["users"].items():
        user = _fresh(user)
        for action in Action:
            for model in models:
                expected = {
                    r.pk for r in model._default_manager.all() if can(user, action, account, obj=r)
                }
                got = set(
                    allowed(model._default_manager.all(), user, account, action).values_list(
                        "pk", flat=True
                    )
                )
                if got != expected:
                    disagreements.append(
                        f"{who} / {action} / {model.__name__}: {got} != {expected}"
                    )
    assert not disagreements, "\n".join(disagreements[:20])


def test_allowed_is_not_vacuous(world):
    """Some actions keep some records of a kind and not others (per project), so agreement
    above is not agreement on 'everything' or 'nothing'."""
    account = world["account"]
    user = _fresh(world["users"]["manager"])
    kept = {
        action: allowed(m.Commitment.objects.all(), user, account, action).count()
        for action in Action
    }
    in_account = m.Commitment.objects.filter(account=account).count()
    assert any(0 < n < in_account for n in kept.values())


def test_allowed_costs_the_same_queries_whatever_the_projects(account):
    template = seed_templates(
        account, TemplateScope.PROJECT, {"Job Admin": {Tool.COMMITMENTS: ADMIN}}
    )["Job Admin"]
    user = _member(account)
    counts = []
    for n in (3, 30):
        for _ in range(n):
            _assign(user, ProjectFactory(account=account), template)
        fresh = _fresh(user)
        with CaptureQueriesContext(connection) as ctx:
            list(allowed(m.Project.objects.all(), fresh, account, Action.SEND_ITEMS))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]

"""Giving members templates through the services, and asking ``can()`` what they hold."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from integrations import models as m
from permissions.access import can
from permissions.levels import Level, Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.policy import Action
from permissions.services import ProjectGrant, ProjectTemplate, member_permissions_set
from permissions.templates import TemplateData, template_create
from tenancy.models import Account, Membership
from tests.factories import member

NONE, RO, STD, ADMIN = Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN
T = Tool
COMPANY, PROJECT = TemplateScope.COMPANY, TemplateScope.PROJECT
# The action that needs each level on a record's tool (and nothing else).
ACTION_AT = {RO: Action.VIEW_RECORDS, STD: Action.EDIT_RECORDS, ADMIN: Action.SEND_ITEMS}
MODEL_OF = {T.COMMITMENTS: m.Commitment, T.BUDGET: m.Budget, T.DIRECT_COSTS: m.DirectCost}


def directory_admin(account: Account) -> Any:
    """A Directory Admin who holds 'Can Push to Accounting'."""
    return member(
        account, username="dir-admin", levels={T.DIRECTORY: ADMIN}, can_push_to_accounting=True
    )


def fresh(user: Any) -> Any:
    """The user read again: nothing remembered from an earlier question."""
    return get_user_model().objects.get(pk=user.pk)


def make(
    admin: Any,
    account: Account,
    name: str,
    scope: TemplateScope,
    levels: dict[Tool, Level],
    **kw: Any,
) -> PermissionTemplate:
    data = TemplateData(name=name, scope=scope, levels=levels, **kw)
    return template_create(actor=admin, account=account, data=data)


def give(
    admin: Any,
    account: Account,
    user: Any,
    *,
    company: PermissionTemplate | None = None,
    levels: dict[Tool, Level] | None = None,
    on_projects: list[tuple[Any, PermissionTemplate]] | None = None,
    adjustments: list[tuple[Any, Tool, Level]] | None = None,
) -> None:
    """Set everything ``user`` holds in ``account`` through the service."""
    member_permissions_set(
        actor=admin,
        account=account,
        membership=Membership.objects.get(account=account, user=user),
        levels=levels or {},
        privileges={},
        project_grants=[ProjectGrant(p, t, lvl) for p, t, lvl in adjustments or []],
        company_template=company,
        project_templates=[ProjectTemplate(p, tpl) for p, tpl in on_projects or []],
    )


def holds(user: Any, account: Account, tool: Tool, level: Level, project: Any = None) -> bool:
    """Whether ``can()`` says ``user`` holds ``level`` on ``tool`` (on ``project``)."""
    return can(fresh(user), ACTION_AT[level], account, project=project, obj=MODEL_OF[tool])


def level_on(user: Any, account: Account, tool: Tool, project: Any = None) -> Level:
    """The highest level ``can()`` grants on ``tool``, found by asking."""
    held = [lvl for lvl in (RO, STD, ADMIN) if holds(user, account, tool, lvl, project)]
    return max(held, default=NONE)


def audit_count(account: Account) -> int:
    return AuditEvent.objects.filter(account=account).count()

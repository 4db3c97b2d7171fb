"""Giving a member templates, adjustments and privileges (the Directory's permissions page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from audit.services import Change, audit_rows
from permissions.access import can, forget_holdings, require
from permissions.grants import Source, adjustment_codename, load_member, project_permissions
from permissions.levels import COMPANY_ONLY_TOOLS, Level, Privilege, Tool
from permissions.models import PermissionTemplate, ProjectUserPermission, TemplateScope, ToolGrant
from permissions.policy import Action
from tenancy.models import Account, Membership


@dataclass(frozen=True)
class ProjectGrant:
    """A project adjustment: one tool's level on one project."""

    project: Model  # a project of the account
    tool: Tool
    level: Level


class Keep:
    """Leave this part as it is."""


KEEP = Keep()


@dataclass(frozen=True)
class ProjectTemplate:
    """A project template assigned on one project."""

    project: Model
    template: PermissionTemplate


@transaction.atomic
def member_permissions_set(
    *,
    actor: Any,
    account: Account,
    membership: Membership,
    levels: dict[Tool, Level],
    privileges: dict[Privilege, bool],
    project_grants: list[ProjectGrant],
    company_template: PermissionTemplate | Keep | None = KEEP,
    project_templates: list[ProjectTemplate] | Keep = KEEP,
) -> None:
    """Replace a member's company template, company adjustments (``levels``: only the tools
    whose level replaces the template's), privileges, project templates and project
    adjustments. ``KEEP`` leaves the templates as they are.

    Only a Directory Admin may do it; only one who holds 'Can Push to Accounting' may grant or
    withdraw it. One audit row names each template, privilege and level that changed.
    """
    require(actor, Action.MANAGE_DIRECTORY, account)
    if membership.account_id != account.pk:
        raise PermissionDenied("That person is not a member of this account.")
    cpa = Privilege.CAN_PUSH_TO_ACCOUNTING
    changes_cpa = cpa in privileges and privileges[cpa] != membership.can_push_to_accounting
    if changes_cpa and not can(actor, Action.GRANT_CAN_PUSH_TO_ACCOUNTING, account):
        raise PermissionDenied(
            "Only a Directory Admin who holds 'Can Push to Accounting' may grant or withdraw it."
        )
    _check_templates(account, company_template, project_templates)
    _check_grants(account, project_grants)
    user = membership.user
    # What is stored, locked: two admins saving the same member are audited one after the other.
    before = _holdings(account, Membership.objects.select_for_update().get(pk=membership.pk))
    for privilege, value in privileges.items():
        setattr(membership, privilege.value, value)
    membership.save()
    ToolGrant.objects.filter(account=account, user=user).delete()
    ToolGrant.objects.bulk_create(
        ToolGrant(account=account, user=user, tool=tool, level=level, granted_by=actor)
        for tool, level in levels.items()
    )
    if not isinstance(company_template, Keep):
        _set_company_template(account, user, company_template)
    stored = ProjectUserPermission.objects.for_account(account).filter(user=user)
    if isinstance(project_templates, Keep):
        stored = stored.exclude(permission__codename__startswith="template_")
        project_templates = []
    stored.delete()
    on_projects = [(g.project, adjustment_codename(g.tool, g.level)) for g in project_grants]
    on_projects += [
        (assigned.project, assigned.template.codename) for assigned in project_templates
    ]
    permission = project_permissions(codename for _, codename in on_projects)
    ProjectUserPermission.objects.bulk_create(
        ProjectUserPermission(
            user=user, content_object_id=project.pk, permission=permission[codename]
        )
        for project, codename in on_projects
    )
    _audit(actor, membership, before, _holdings(account, membership))
    forget_holdings(user)
    forget_holdings(actor)


def _check_templates(
    account: Account,
    company_template: PermissionTemplate | Keep | None,
    project_templates: list[ProjectTemplate] | Keep,
) -> None:
    if isinstance(company_template, PermissionTemplate) and (
        company_template.account_id != account.pk or company_template.scope != TemplateScope.COMPANY
    ):
        raise ValidationError({"company_template": ["Choose a company template of this account."]})
    if isinstance(project_templates, Keep):
        return
    seen: set[int] = set()
    for assigned in project_templates:
        template, project = assigned.template, assigned.project
        if (
            template.account_id != account.pk
            or template.scope != TemplateScope.PROJECT
            or getattr(project, "account_id", None) != account.pk
            or project.pk in seen
        ):
            raise ValidationError(
                {"project_templates": [f"The template {template} on {project} is not valid."]}
            )
        seen.add(project.pk)


def _check_grants(account: Account, project_grants: list[ProjectGrant]) -> None:
    seen: set[tuple[int, str]] = set()
    for grant in project_grants:
        key = (grant.project.pk, grant.tool.value)
        if (
            getattr(grant.project, "account_id", None) != account.pk
            or grant.tool in COMPANY_ONLY_TOOLS
            or key in seen
        ):
            raise ValidationError(
                f"The grant of {grant.tool.label} on {grant.project} is not valid."
            )
        seen.add(key)


def _set_company_template(account: Account, user: Any, template: PermissionTemplate | None) -> None:
    """One company template per member in an account: leave the others' groups."""
    groups = user.groups.through.objects.filter(
        user_id=user.pk, group__permission_template__account=account
    )
    if template is not None:
        groups = groups.exclude(group_id=template.group_id)
        user.groups.add(template.group_id)
    groups.delete()


def _holdings(account: Account, membership: Membership) -> dict[str, str]:
    """A member's templates, privileges and levels in words, by name: ``Commitments`` for a
    company adjustment, ``Commitments on project 12`` for a project's."""
    held = {p.label: "Yes" if getattr(membership, p.value) else "No" for p in Privilege}
    grants = load_member(account, membership.user_id)
    if grants.company_template is not None:
        held["Company template"] = grants.company_template.name
    for tool, company in grants.company.items():
        if company.source == Source.ADJUSTMENT:
            held[tool.label] = company.level.label
    for project_id, own in grants.projects.items():
        if own.template is not None:
            held[f"Project template on project {project_id}"] = own.template.name
        for tool, level in own.adjustments.items():
            held[f"{tool.label} on project {project_id}"] = level.label
    return held


_AS_TEMPLATE = "Not set"  # no adjustment (or no template): the template (or nothing) applies


def _audit(
    actor: Any, membership: Membership, before: dict[str, str], after: dict[str, str]
) -> None:
    changed = {
        name: [before.get(name, _AS_TEMPLATE), after.get(name, _AS_TEMPLATE)]
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }
    if not changed:
        return
    change = Change(
        membership.account_id,
        "membership",
        membership.pk,
        "permissions_changed",
        data={"member": membership.user.get_username(), "changed": changed},
    )
    audit_rows(actor, [change])

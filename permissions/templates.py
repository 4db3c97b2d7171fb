"""Permission templates: creating, changing and deleting them (Directory Admins only).

A change reaches every holder at once (holders point at the template); each is audited in the
same transaction, naming what changed, old and new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat

from audit.services import Change, audit_rows
from permissions.access import require
from permissions.grants import PROJECT_TOOLS, project_permissions
from permissions.levels import COMPANY_ONLY_TOOLS, Level, Tool
from permissions.models import (
    PermissionTemplate,
    ProjectUserPermission,
    TemplateScope,
    template_codename,
)
from permissions.policy import Action
from tenancy.models import Account
from tenancy.values import text_problem

NAME_MAX = PermissionTemplate._meta.get_field("name").max_length


@dataclass(frozen=True)
class TemplateData:
    """What a template says. A tool not in ``levels`` is None."""

    name: str
    scope: TemplateScope
    levels: dict[Tool, Level] = field(default_factory=dict)
    can_create_project: bool = False
    is_default: bool = False


def _clean(account: Account, data: TemplateData, template: PermissionTemplate | None) -> None:
    """Refuse bad input with the field and the reason; nothing is changed."""
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = ["Give the template a name."]
    elif NAME_MAX is not None and len(name) > NAME_MAX:
        errors["name"] = [f"At most {NAME_MAX} characters."]
    elif problem := text_problem("Name", name):
        errors["name"] = [problem]
    else:
        same = PermissionTemplate.objects.filter(account=account, scope=data.scope, name=name)
        if template is not None:
            same = same.exclude(pk=template.pk)
        if same.exists():
            errors["name"] = [f"There is already a {data.scope.label.lower()} template '{name}'."]
    if template is not None and data.scope != template.scope:
        errors["scope"] = ["A template's scope cannot change: make a new template."]
    if data.scope == TemplateScope.PROJECT:
        company_only = sorted(t.label for t in data.levels if t in COMPANY_ONLY_TOOLS)
        if company_only:
            errors["levels"] = [
                f"{', '.join(company_only)} is granted for the whole company only, not by a "
                "project template."
            ]
        if data.can_create_project:
            errors["can_create_project"] = ["'Create New Project' is a company permission."]
    elif data.is_default:
        errors["is_default"] = ["Only a project template can be the default."]
    if errors:
        raise ValidationError(errors)


def _described(data: TemplateData) -> dict[str, str]:
    tools = PROJECT_TOOLS if data.scope == TemplateScope.PROJECT else tuple(Tool)
    said = {tool.label: data.levels.get(tool, Level.NONE).label for tool in tools}
    said["Name"] = data.name.strip()
    said["Create New Project"] = "Yes" if data.can_create_project else "No"
    said["Default project template"] = "Yes" if data.is_default else "No"
    return said


def data_of(template: PermissionTemplate) -> TemplateData:
    return TemplateData(
        name=template.name,
        scope=TemplateScope(template.scope),
        levels={Tool(t): Level(int(v)) for t, v in template.levels.items() if int(v) > 0},
        can_create_project=template.can_create_project,
        is_default=template.is_default,
    )


def _audit(
    actor: Any, template: PermissionTemplate, verb: str, before: TemplateData | None
) -> None:
    after = _described(data_of(template))
    old = _described(before) if before is not None else {}
    changed = {k: [old.get(k, ""), v] for k, v in after.items() if old.get(k) != v}
    data = {"template": template.name, "scope": template.scope, "changed": changed}
    change = Change(template.account_id, "permission_template", template.pk, verb, data=data)
    audit_rows(actor, [change])


def _store(template: PermissionTemplate, data: TemplateData) -> None:
    template.name = data.name.strip()
    template.levels = {t.value: int(lvl) for t, lvl in data.levels.items() if lvl > Level.NONE}
    template.can_create_project = data.can_create_project
    template.is_default = data.is_default
    if data.is_default:  # one default per account: the new one replaces the old
        PermissionTemplate.objects.filter(account=template.account, is_default=True).exclude(
            pk=template.pk
        ).update(is_default=False)
    template.save()


@transaction.atomic
def template_create(*, actor: Any, account: Account, data: TemplateData) -> PermissionTemplate:
    require(actor, Action.MANAGE_DIRECTORY, account)
    _clean(account, data, None)
    template = PermissionTemplate(account=account, scope=data.scope)
    _store(template, data)
    if data.scope == TemplateScope.COMPANY:
        template.group = Group.objects.create(name=group_name(template))
        template.save(update_fields=["group"])
    else:
        project_permissions([template.codename])
    _audit(actor, template, "permission_template_created", None)
    return template


@transaction.atomic
def template_update(
    *, actor: Any, account: Account, template: PermissionTemplate, data: TemplateData
) -> PermissionTemplate:
    require(actor, Action.MANAGE_DIRECTORY, account)
    template = _locked(account, template)
    _clean(account, data, template)
    before = data_of(template)
    _store(template, data)
    if _described(before) != _described(data_of(template)):
        _audit(actor, template, "permission_template_changed", before)
    return template


@transaction.atomic
def template_delete(*, actor: Any, account: Account, template: PermissionTemplate) -> None:
    """Delete a template no one holds (its holders would silently lose their rights)."""
    require(actor, Action.MANAGE_DIRECTORY, account)
    template = _locked(account, template)
    held = holder_count(template)
    if held:
        raise ValidationError(
            f"'{template.name}' is held by {held} member{'s' if held != 1 else ''}: give them "
            "another template first."
        )
    audit_rows(
        actor,
        [
            Change(
                account.pk,
                "permission_template",
                template.pk,
                "permission_template_deleted",
                data={"template": template.name, "scope": template.scope},
            )
        ],
    )
    Permission.objects.filter(codename=template.codename).delete()
    if template.group is not None:
        template.group.delete()
    template.delete()


def seed_templates(
    account: Account,
    scope: TemplateScope,
    levels_by_name: dict[str, dict[Tool, Level]],
    **flags: bool,
) -> dict[str, PermissionTemplate]:
    """Make the named templates the account lacks (a new account's, the demo's); existing ones
    are left as they are. No actor: nothing is audited."""
    made: dict[str, PermissionTemplate] = {}
    for name, levels in levels_by_name.items():
        template, created = PermissionTemplate.objects.get_or_create(
            account=account,
            scope=scope,
            name=name,
            defaults={"levels": {t.value: int(v) for t, v in levels.items() if v}, **flags},
        )
        if created and scope == TemplateScope.COMPANY:
            template.group = Group.objects.create(name=group_name(template))
            template.save(update_fields=["group"])
        made[name] = template
    project_permissions(t.codename for t in made.values() if t.scope == TemplateScope.PROJECT)
    return made


def holder_count(template: PermissionTemplate) -> int:
    """Members holding the template: in its group, or assigned it on at least one project."""
    if template.scope == TemplateScope.COMPANY:
        return template.group.user_set.count() if template.group is not None else 0
    return (
        ProjectUserPermission.objects.filter(permission__codename=template.codename)
        .values("user_id")
        .distinct()
        .count()
    )


def with_holders(account: Account) -> QuerySet[PermissionTemplate]:
    """``holders`` counted in the same query (what :func:`holder_count` counts)."""
    in_group = (
        get_user_model()
        .groups.through.objects.filter(group_id=OuterRef("group_id"))
        .order_by()
        .values("group_id")
        .annotate(n=Count("user_id", distinct=True))
        .values("n")  # type: ignore[misc]  # the annotation just made
    )
    codename = Concat(Value("template_"), Cast(OuterRef("pk"), CharField()))
    on_projects = (
        ProjectUserPermission.objects.for_account(account)
        .filter(permission__codename=codename)
        .order_by()
        .values("permission_id")
        .annotate(n=Count("user_id", distinct=True))
        .values("n")
    )
    return PermissionTemplate.objects.for_account(account).annotate(
        holders=Case(
            When(scope=TemplateScope.COMPANY, then=Coalesce(Subquery(in_group), 0)),
            default=Coalesce(Subquery(on_projects), 0),
            output_field=IntegerField(),
        )
    )


def group_name(template: PermissionTemplate) -> str:
    return f"erp-portal:{template.account_id}:company-template:{template.pk}"


def _locked(account: Account, template: PermissionTemplate) -> PermissionTemplate:
    if template.account_id != account.pk:
        raise PermissionDenied("That template is not one of this account's.")
    # ``of``: PostgreSQL locks no row on the nullable side of the join to the group.
    locked = PermissionTemplate.objects.select_for_update(of=("self",)).select_related("group")
    return locked.get(pk=template.pk)


__all__ = [
    "TemplateData",
    "data_of",
    "group_name",
    "holder_count",
    "template_codename",
    "template_create",
    "template_delete",
    "template_update",
    "with_holders",
]

"""Reading what members hold: templates, assignments and adjustments merged into levels.

Each level carries where it comes from (:class:`Source`), so the Directory can say it; the
policy reads only the levels (:meth:`MemberGrants.holdings`). Storage is described in
:mod:`permissions.models`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import (
    BigIntegerField,
    CharField,
    Exists,
    F,
    OuterRef,
    PositiveSmallIntegerField,
    Q,
    Value,
)
from django.db.models.functions import Cast

from permissions.levels import COMPANY_ONLY_TOOLS, Level, Privilege, Tool
from permissions.models import (
    PermissionTemplate,
    ProjectUserPermission,
    TemplateScope,
    ToolGrant,
    project_model,
)
from permissions.policy import Holdings
from tenancy.models import Account

PROJECT_TOOLS: tuple[Tool, ...] = tuple(t for t in Tool if t not in COMPANY_ONLY_TOOLS)
_TEMPLATE_PREFIX = "template_"
_ADJUSTMENT_SEP = "__"


class Source(models.TextChoices):
    """Where a level comes from, in the Directory's words."""

    COMPANY_TEMPLATE = "company_template", "Company template"
    PROJECT_TEMPLATE = "project_template", "Project template"
    DEFAULT_PROJECT_TEMPLATE = "default_project_template", "Default project template"
    COMPANY_LEVEL = "company_level", "Company level"
    ADJUSTMENT = "adjustment", "Adjustment"
    NOTHING = "nothing", "Not granted"


@dataclass(frozen=True)
class Held:
    level: Level
    source: Source
    template: str | None = None  # the template's name, when the level is a template's

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.label,
            "level_value": int(self.level),
            "source": self.source.value,
            "source_label": self.source.label,
            "template": self.template,
        }


@dataclass(frozen=True)
class TemplateInfo:
    """A template as the loaders read it (one query for all of an account's)."""

    pk: int
    name: str
    scope: str
    levels: dict[str, int]
    can_create_project: bool
    is_default: bool

    def level_of(self, tool: Tool) -> Level:
        return Level(int(self.levels.get(tool.value, Level.NONE)))


# --- Codenames of the guardian permissions on projects ---------------------------------------


def adjustment_codename(tool: Tool, level: Level) -> str:
    return f"{tool.value}{_ADJUSTMENT_SEP}{Level(level).name.lower()}"


def parse_codename(codename: str) -> int | tuple[Tool, Level] | None:
    """A template's pk, an adjustment's (tool, level), or None for anything else."""
    if codename.startswith(_TEMPLATE_PREFIX):
        rest = codename.removeprefix(_TEMPLATE_PREFIX)
        return int(rest) if rest.isdigit() else None
    tool, _, level = codename.partition(_ADJUSTMENT_SEP)
    if tool in Tool.values and level.upper() in Level.__members__:
        return Tool(tool), Level[level.upper()]
    return None


def project_permissions(codenames: Iterable[str]) -> dict[str, Permission]:
    """The ``auth.Permission`` rows on the project model for ``codenames``, created where
    missing (template permissions are made with their template; a flushed test database loses
    them all), in two queries."""
    wanted = set(codenames)
    ctype = ContentType.objects.get_for_model(project_model())
    found = {
        p.codename: p for p in Permission.objects.filter(content_type=ctype, codename__in=wanted)
    }
    for codename in sorted(wanted - found.keys()):
        found[codename] = Permission.objects.create(
            content_type=ctype, codename=codename, name=_permission_name(codename)
        )
    return found


def _permission_name(codename: str) -> str:
    parsed = parse_codename(codename)
    if isinstance(parsed, tuple):
        return f"{parsed[0].label}: {parsed[1].label} (adjustment on the project)"
    return f"Holds project template {parsed} on the project"


# --- One member -----------------------------------------------------------------------------


@dataclass
class ProjectGrants:
    """What a member has of its own on one project."""

    template: TemplateInfo | None = None
    adjustments: dict[Tool, Level] = field(default_factory=dict)


@dataclass
class MemberGrants:
    company_template: TemplateInfo | None
    company: dict[Tool, Held]
    default_project_template: TemplateInfo | None
    projects: dict[int, ProjectGrants]

    def on_project(self, project_id: int) -> dict[Tool, Held]:
        """The member's level on each project tool of a project, with its source."""
        own = self.projects.get(project_id, ProjectGrants())
        result: dict[Tool, Held] = {}
        for tool in PROJECT_TOOLS:
            if tool in own.adjustments:
                result[tool] = Held(own.adjustments[tool], Source.ADJUSTMENT)
            elif own.template is not None:
                template = own.template
                result[tool] = Held(template.level_of(tool), Source.PROJECT_TEMPLATE, template.name)
            elif (default := self.default_project_template) is not None:
                result[tool] = Held(
                    default.level_of(tool), Source.DEFAULT_PROJECT_TEMPLATE, default.name
                )
            else:
                company = self.company[tool]
                result[tool] = Held(company.level, Source.COMPANY_LEVEL, company.template)
        return result

    @property
    def template_privileges(self) -> frozenset[str]:
        template = self.company_template
        if template is not None and template.can_create_project:
            return frozenset({Privilege.CREATE_PROJECT.value})
        return frozenset()

    def holdings(self, privileges: frozenset[str], superuser: bool) -> Holdings:
        per_project: dict[tuple[int, str], int] = {}
        for project_id, own in self.projects.items():
            if own.template is not None:
                for tool in PROJECT_TOOLS:
                    per_project[(project_id, tool.value)] = own.template.level_of(tool)
            for tool, level in own.adjustments.items():
                per_project[(project_id, tool.value)] = level
        default = self.default_project_template
        return Holdings(
            company={tool.value: held.level for tool, held in self.company.items()},
            per_project=per_project,
            privileges=privileges | self.template_privileges,
            superuser=superuser,
            project_default=(
                {t.value: default.level_of(t) for t in PROJECT_TOOLS} if default else None
            ),
        )


def _templates(account: Account, holder_id: int) -> tuple[list[TemplateInfo], TemplateInfo | None]:
    """The account's templates, and the company template ``holder_id`` holds (one query)."""
    in_group = get_user_model().groups.through.objects.filter(
        user_id=holder_id, group_id=OuterRef("group_id")
    )
    rows = (
        PermissionTemplate.objects.filter(account=account)
        .annotate(held=Exists(in_group))
        .values(*_TEMPLATE_FIELDS, "held")
    )
    templates: list[TemplateInfo] = []
    held: TemplateInfo | None = None
    for row in rows:
        holds = row.pop("held")
        template = TemplateInfo(**row)
        templates.append(template)
        if holds and template.scope == TemplateScope.COMPANY:
            held = template
    return templates, held


_TEMPLATE_FIELDS = ("pk", "name", "scope", "levels", "can_create_project", "is_default")


def company_levels(
    template: TemplateInfo | None, adjustments: dict[Tool, Level]
) -> dict[Tool, Held]:
    """Each tool's company level: the adjustment, else the company template's."""
    result: dict[Tool, Held] = {}
    for tool in Tool:
        if tool in adjustments:
            result[tool] = Held(adjustments[tool], Source.ADJUSTMENT)
        elif template is not None:
            result[tool] = Held(template.level_of(tool), Source.COMPANY_TEMPLATE, template.name)
        else:
            result[tool] = Held(Level.NONE, Source.NOTHING)
    return result


def load_member(account: Account, user_id: int) -> MemberGrants:
    """Everything ``user_id`` holds in ``account``, in two queries whatever the number of
    projects and templates."""
    templates, company_template = _templates(account, user_id)
    by_pk = {t.pk: t for t in templates}
    adjustments: dict[Tool, Level] = {}
    projects: dict[int, ProjectGrants] = {}
    for project_id, tool, level, codename in _grant_rows(account, user_id):
        if project_id is None:  # a company adjustment
            adjustments[Tool(tool)] = Level(level)
            continue
        parsed = parse_codename(codename)
        own = projects.setdefault(project_id, ProjectGrants())
        if isinstance(parsed, tuple):
            own.adjustments[parsed[0]] = parsed[1]
        elif parsed is not None and parsed in by_pk:
            own.template = by_pk[parsed]
    default = next((t for t in templates if t.is_default), None)
    return MemberGrants(
        company_template=company_template,
        company=company_levels(company_template, adjustments),
        default_project_template=default,
        projects=projects,
    )


def _grant_rows(account: Account, user_id: int) -> Any:
    """The member's company adjustments ``(None, tool, level, "")`` and project permissions
    ``(project_id, "", None, codename)``, in one query (``UNION ALL``)."""
    text, key = CharField(), BigIntegerField()
    company = (
        ToolGrant.objects.filter(account=account, user_id=user_id)
        .annotate(
            g_project=Value(None, output_field=key),
            g_tool=F("tool"),
            g_level=F("level"),
            g_code=Value("", output_field=text),
        )
        .values_list("g_project", "g_tool", "g_level", "g_code")
    )
    project = (
        ProjectUserPermission.objects.for_account(account)
        .filter(user_id=user_id)
        .annotate(
            g_project=Cast("content_object_id", key),
            g_tool=Value("", output_field=text),
            g_level=Value(None, output_field=PositiveSmallIntegerField()),
            g_code=F("permission__codename"),
        )
        .values_list("g_project", "g_tool", "g_level", "g_code")
    )
    return company.union(project, all=True)


def account_company_levels(
    account: Account,
) -> dict[int, tuple[TemplateInfo | None, dict[Tool, Held]]]:
    """Every member's company template and company levels, by user id (three queries)."""
    templates = {
        row["pk"]: TemplateInfo(**row)
        for row in PermissionTemplate.objects.filter(account=account).values(*_TEMPLATE_FIELDS)
    }
    holder_of: dict[int, TemplateInfo] = {}
    memberships = (
        get_user_model()
        .groups.through.objects.filter(group__permission_template__account=account)
        .values_list("user_id", "group__permission_template")
    )
    for user_id, template_id in memberships:
        holder_of[user_id] = templates[template_id]
    adjustments: dict[int, dict[Tool, Level]] = {}
    for user_id, tool, level in ToolGrant.objects.filter(account=account).values_list(
        "user_id", "tool", "level"
    ):
        adjustments.setdefault(user_id, {})[Tool(tool)] = Level(level)
    return {
        user_id: (holder_of.get(user_id), company_levels(holder_of.get(user_id), own))
        for user_id, own in {**{u: {} for u in holder_of}, **adjustments}.items()
    }


def store_project_levels(rows: Iterable[tuple[int, int, Tool, Level]]) -> None:
    """Store project adjustments ``(user id, project id, tool, level)`` as they are, each
    replacing the user's adjustment of that tool on that project (no check, no audit: for the
    first admin, the demo and fixtures; people go through the services)."""
    rows = list(rows)
    permission = project_permissions(adjustment_codename(t, lvl) for _, _, t, lvl in rows)
    for user_id, project_id, tool, _ in rows:
        ProjectUserPermission.objects.filter(
            user_id=user_id,
            content_object_id=project_id,
            permission__codename__startswith=f"{tool.value}{_ADJUSTMENT_SEP}",
        ).delete()
    ProjectUserPermission.objects.bulk_create(
        ProjectUserPermission(
            user_id=user_id,
            content_object_id=project_id,
            permission=permission[adjustment_codename(tool, level)],
        )
        for user_id, project_id, tool, level in rows
    )


def company_level_holders(account: Account, tool: Tool, least: Level) -> Q:
    """A filter on a ``user`` field: users whose company level on ``tool`` is at least
    ``least`` (an adjustment that high, or no adjustment and a company template that high).
    Subqueries: the caller's query stays one query."""
    adjusted = ToolGrant.objects.filter(account=account, tool=tool)
    by_template = (
        get_user_model()
        .groups.through.objects.filter(
            group__permission_template__account=account,
            **{f"group__permission_template__levels__{tool.value}__gte": int(least)},
        )
        .exclude(user_id__in=adjusted.values("user_id"))
        .values("user_id")
    )
    high = adjusted.filter(level__gte=least).values("user_id")
    return Q(user_id__in=high) | Q(user_id__in=by_template)

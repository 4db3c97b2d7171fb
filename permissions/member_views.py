"""A member's permissions page (the Directory): their company template and adjustments,
privileges, project templates and project adjustments, and what they add up to on the company
and on each project, with where each level comes from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from permissions.access import can
from permissions.forms import (
    Choices,
    MemberPermissionsForm,
    ProjectGrantFormSet,
    ProjectTemplateFormSet,
)
from permissions.grants import PROJECT_TOOLS, Held, MemberGrants, Source, load_member
from permissions.levels import Level, Tool
from permissions.models import PermissionTemplate, TemplateScope, project_model
from permissions.policy import Action
from permissions.services import ProjectGrant, ProjectTemplate, member_permissions_set
from permissions.template_forms import add_refusal
from permissions.web import PolicyView
from tenancy.models import Membership
from tenancy.scoping import for_account

NAMED_SOURCES = {Source.COMPANY_TEMPLATE, Source.PROJECT_TEMPLATE, Source.DEFAULT_PROJECT_TEMPLATE}
NOT_ON_PROJECTS = "Company-wide only"  # a company-only tool, in a project's column


def source_text(held: Held) -> str:
    """Where a level comes from, in words: 'Company template: Accounting', 'Adjustment'."""
    if held.source in NAMED_SOURCES and held.template:
        return f"{held.source.label}: {held.template}"
    return str(held.source.label)


@dataclass(frozen=True)
class Cell:
    level: str
    source: str


@dataclass(frozen=True)
class EffectiveRow:
    tool: Tool
    company: Cell
    projects: list[Cell]  # one per column of the table, "Other projects" last

    @property
    def cells(self) -> list[Cell]:
        return [self.company, *self.projects]


def cell(held: Held | None) -> Cell:
    if held is None:
        return Cell("", NOT_ON_PROJECTS)
    return Cell(held.level.label, source_text(held))


def effective(grants: MemberGrants, project_ids: list[int]) -> list[EffectiveRow]:
    """Each tool's effective level on the company, on each of ``project_ids`` and on the
    projects where the member has nothing of their own (the last column)."""
    columns = [grants.on_project(pid) for pid in project_ids]
    columns.append(grants.on_project(0))  # no project has id 0: what any other project gets
    return [
        EffectiveRow(
            tool, cell(grants.company[tool]), [cell(column.get(tool)) for column in columns]
        )
        for tool in Tool
    ]


@dataclass
class Member:
    """A member as their page reads them: what is stored, and the lists the forms offer."""

    membership: Membership
    grants: MemberGrants
    choices: Choices

    @property
    def own_projects(self) -> list[Any]:
        """The projects where the member has a template or adjustments, in list order."""
        return [p for p in self.choices.projects if p.pk in self.grants.projects]

    def adjustments(self) -> dict[Tool, Level]:
        return {
            tool: held.level
            for tool, held in self.grants.company.items()
            if held.source == Source.ADJUSTMENT
        }

    def template_rows(self) -> list[dict[str, Any]]:
        return [
            {"project": p.pk, "template": own.template.pk}
            for p in self.own_projects
            if (own := self.grants.projects[p.pk]).template is not None
        ]

    def grant_rows(self) -> list[dict[str, Any]]:
        return [
            {"project": p.pk, "tool": tool.value, "level": int(level)}
            for p in self.own_projects
            for tool, level in self.grants.projects[p.pk].adjustments.items()
        ]


class MemberPermissionsView(PolicyView):
    policy_action = Action.MANAGE_DIRECTORY

    def member(self, user_id: int) -> Member:
        membership = get_object_or_404(
            Membership.objects.for_account(self.account).select_related("user"), user_id=user_id
        )
        projects = list(for_account(project_model(), self.account).order_by("number", "pk"))
        templates = list(PermissionTemplate.objects.for_account(self.account).order_by("name"))
        return Member(
            membership, load_member(self.account, membership.user_id), Choices(projects, templates)
        )

    def forms(self, member: Member, data: Any = None) -> tuple[MemberPermissionsForm, Any, Any]:
        company = member.grants.company_template
        form = MemberPermissionsForm(
            data,
            choices=member.choices,
            membership=member.membership,
            company_template=company.pk if company else None,
            adjustments=member.adjustments(),
            may_grant_cpa=can(self.request.user, Action.GRANT_CAN_PUSH_TO_ACCOUNTING, self.account),
        )
        shared = {"choices": member.choices}
        templates = ProjectTemplateFormSet(
            data, initial=member.template_rows(), prefix="templates", form_kwargs=shared
        )
        grants = ProjectGrantFormSet(
            data, initial=member.grant_rows(), prefix="grants", form_kwargs=shared
        )
        return form, templates, grants

    def get(self, request: HttpRequest, user_id: int, **kwargs: Any) -> HttpResponse:
        member = self.member(user_id)
        return self.show(member, *self.forms(member))

    def post(self, request: HttpRequest, user_id: int, **kwargs: Any) -> HttpResponse:
        member = self.member(user_id)
        form, templates, grants = self.forms(member, request.POST)
        if not (form.is_valid() and templates.is_valid() and grants.is_valid()):
            return self.show(member, form, templates, grants, status=400)
        try:
            member_permissions_set(
                actor=request.user,
                account=self.account,
                membership=member.membership,
                levels=form.levels(),
                privileges=form.privileges(),
                company_template=form.company_template(),
                project_templates=[
                    ProjectTemplate(row["project"], row["template"]) for row in templates.rows()
                ],
                project_grants=[
                    ProjectGrant(row["project"], Tool(row["tool"]), Level(row["level"]))
                    for row in grants.rows()
                ],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.show(member, form, templates, grants, status=403)
        except ValidationError as exc:
            add_refusal(form, exc)
            return self.show(member, form, templates, grants, status=400)
        user = member.membership.user
        messages.success(request, f"Permissions of {user.get_full_name() or user} saved.")
        return redirect("directory", account=self.account.slug)

    def show(
        self, member: Member, form: Any, templates: Any, grants: Any, status: int = 200
    ) -> HttpResponse:
        own = member.own_projects
        context = {
            "active_tab": "directory",
            "membership": member.membership,
            "form": form,
            "templates": templates,
            "grants": grants,
            "has_project_templates": bool(member.choices.of_scope(TemplateScope.PROJECT)),
            "own_projects": own,
            "effective": effective(member.grants, [p.pk for p in own]),
            "default_template": member.grants.default_project_template,
            "project_tools": PROJECT_TOOLS,
        }
        return render(self.request, "permissions/member.html", context, status=status)

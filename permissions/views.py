"""The Directory: who is in the account and what they may do. A member's own page is in
:mod:`permissions.member_views`, the permission templates' pages in
:mod:`permissions.template_views`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from permissions.grants import Held, Source, TemplateInfo, account_company_levels, company_levels
from permissions.levels import Tool
from permissions.member_views import MemberPermissionsView
from permissions.models import ProjectUserPermission
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.models import Membership

__all__ = ["DirectoryView", "MemberPermissionsView"]


@dataclass(frozen=True)
class DirectoryRow:
    membership: Membership
    template: str | None  # the company template's name
    levels: list[str]  # the effective company level per tool, "Admin (adjusted)" when adjusted
    own_projects: int  # projects where the member has their own template or adjustments


def level_text(held: Held) -> str:
    if held.source == Source.ADJUSTMENT:
        return f"{held.level.label} (adjusted)"
    return held.level.label


class DirectoryView(PolicyView):
    policy_action = Action.MANAGE_DIRECTORY

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        memberships = list(
            Membership.objects.for_account(self.account)
            .select_related("user")
            .order_by("user__username")
        )
        company = account_company_levels(self.account)
        nothing: tuple[TemplateInfo | None, dict[Tool, Held]] = (None, company_levels(None, {}))
        project_counts = dict(
            ProjectUserPermission.objects.for_account(self.account)
            .values_list("user_id")
            .annotate(n=Count("content_object_id", distinct=True))
        )
        rows = []
        for ms in memberships:
            template, levels = company.get(ms.user_id, nothing)
            rows.append(
                DirectoryRow(
                    ms,
                    template.name if template is not None else None,
                    [level_text(levels[tool]) for tool in Tool],
                    project_counts.get(ms.user_id, 0),
                )
            )
        return render(
            request,
            "permissions/directory.html",
            {"active_tab": "directory", "rows": rows, "tools": list(Tool)},
        )

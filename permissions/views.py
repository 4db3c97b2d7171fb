"""The Directory: who is in the account and what they may do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from permissions.access import can
from permissions.forms import MemberPermissionsForm, ProjectGrantFormSet
from permissions.grants import Source, account_company_levels, company_levels, load_member
from permissions.levels import Level, Tool
from permissions.models import ProjectUserPermission, project_model
from permissions.policy import Action
from permissions.services import ProjectGrant, member_permissions_set
from permissions.web import PolicyView
from tenancy.models import Membership


class DirectoryView(PolicyView):
    policy_action = Action.MANAGE_DIRECTORY

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        memberships = list(
            Membership.objects.for_account(self.account)
            .select_related("user")
            .order_by("user__username")
        )
        company = account_company_levels(self.account)
        project_counts = dict(
            ProjectUserPermission.objects.filter(content_object__account=self.account)
            .values_list("user_id")
            .annotate(n=Count("content_object_id", distinct=True))
        )
        rows = [
            {
                "membership": ms,
                "levels": [
                    company.get(ms.user_id, (None, company_levels(None, {})))[1][t].level.label
                    for t in Tool
                ],
                "project_grants": project_counts.get(ms.user_id, 0),
            }
            for ms in memberships
        ]
        return render(
            request,
            "permissions/directory.html",
            {"active_tab": "directory", "rows": rows, "tools": list(Tool)},
        )


class MemberPermissionsView(PolicyView):
    policy_action = Action.MANAGE_DIRECTORY

    def setup_member(self, user_id: int) -> tuple[Membership, dict[str, int], list[dict[str, Any]]]:
        membership = get_object_or_404(
            Membership.objects.for_account(self.account).select_related("user"), user_id=user_id
        )
        grants = load_member(self.account, membership.user_id)
        levels = {
            tool.value: int(held.level)
            for tool, held in grants.company.items()
            if held.source == Source.ADJUSTMENT
        }
        projects = project_model()._default_manager.in_bulk(list(grants.projects))
        project_rows: list[dict[str, Any]] = [
            {"project": projects[pid], "tool": tool.value, "level": level}
            for pid, own in grants.projects.items()
            for tool, level in own.adjustments.items()
        ]
        return membership, levels, project_rows

    def forms(
        self,
        membership: Membership,
        levels: dict[str, int],
        project_rows: list[dict[str, Any]],
        data: Any = None,
    ) -> tuple[MemberPermissionsForm, Any]:
        form = MemberPermissionsForm(
            data,
            membership=membership,
            levels=levels,
            may_grant_cpa=can(self.request.user, Action.GRANT_CAN_PUSH_TO_ACCOUNTING, self.account),
        )
        formset = ProjectGrantFormSet(
            data, initial=project_rows, form_kwargs={"account": self.account}, prefix="grants"
        )
        return form, formset

    def get(self, request: HttpRequest, user_id: int, **kwargs: Any) -> HttpResponse:
        membership, levels, project_rows = self.setup_member(user_id)
        form, formset = self.forms(membership, levels, project_rows)
        return self.show(membership, form, formset)

    def post(self, request: HttpRequest, user_id: int, **kwargs: Any) -> HttpResponse:
        membership, levels, project_rows = self.setup_member(user_id)
        form, formset = self.forms(membership, levels, project_rows, request.POST)
        if form.is_valid() and formset.is_valid():
            grants = [
                ProjectGrant(
                    f.cleaned_data["project"],
                    Tool(f.cleaned_data["tool"]),
                    Level(f.cleaned_data["level"]),
                )
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                member_permissions_set(
                    actor=request.user,
                    account=self.account,
                    membership=membership,
                    levels=form.levels(),
                    privileges=form.privileges(),
                    project_grants=grants,
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                return self.show(membership, form, formset, status=403)
            messages.success(request, f"Permissions of {membership.user} saved.")
            return redirect("directory", account=self.account.slug)
        return self.show(membership, form, formset, status=400)

    def show(
        self, membership: Membership, form: Any, formset: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            "permissions/member.html",
            {"active_tab": "directory", "membership": membership, "form": form, "formset": formset},
            status=status,
        )

"""Cost code pages: a project's cost codes (with *Refresh cost codes*), the section that leads
there from the project's page, and the grid of default cost types per ERP standard cost code,
which saves each change as it is made (htmx) and with its *Save* button without JavaScript."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from integrations import cost_codes
from integrations.models import CostType, Project, StandardCostCode
from integrations.web.extensions import Panel, TabPage, register_panel, register_tab_page
from integrations.web.views import subtabs
from permissions.access import can, restrict
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.models import Account

GRID_PAGE_SIZE = 100
GRID = "default-cost-types"  # the grid's URL name, and its sub tab of the Cost Codes tab


def _refresh_context(request: HttpRequest, account: Account, project: Project) -> dict[str, Any]:
    """What the refresh button needs: whether this user may, why not for this project, and
    how many codes of the ERP list the project lacks."""
    may = can(request.user, Action.REFRESH_PROJECT_COST_CODES, account, project=project)
    refusal = cost_codes.refresh_refusal(project) if may else ""
    waiting = cost_codes.codes_not_on_project(project).count() if may and not refusal else 0
    return {"may_refresh": may, "refusal": refusal, "waiting": waiting}


def _project_panel(
    request: HttpRequest, account: Account, record: Model
) -> Mapping[str, Any] | None:
    if not isinstance(record, Project):
        return None
    return {
        "project": record,
        "counts": cost_codes.project_code_counts(record),
        **_refresh_context(request, account, record),
    }


class ProjectPageView(PolicyView):
    """A page about one project the user may see (another is a 404)."""

    abstract = True

    def policy_target(self) -> type[Model]:
        return Project

    def project(self, pk: int) -> Project:
        visible = restrict(Project.objects.all(), self.request.user, self.account)
        return get_object_or_404(visible.select_related("cost_code_list"), pk=pk)


class ProjectCostCodesView(ProjectPageView):
    """The codes a project and its sub jobs use, active or deactivated in the ERP."""

    policy_action = Action.VIEW_RECORDS

    def get(self, request: HttpRequest, project: int, **kwargs: Any) -> HttpResponse:
        found = self.project(project)
        codes = list(cost_codes.project_codes(found))
        return render(
            request,
            "integrations/project_cost_codes.html",
            {
                "active_tab": "jobs",
                "project": found,
                "codes": codes,
                "deactivated": sum(1 for code in codes if not code.standard_code.is_active),
                **_refresh_context(request, self.account, found),
            },
        )


class ProjectCostCodesRefreshView(ProjectPageView):
    """*Refresh cost codes*: add the ERP list's new codes to the project (POST only)."""

    policy_action = Action.REFRESH_PROJECT_COST_CODES  # on any project; the service asks on it

    def post(self, request: HttpRequest, project: int, **kwargs: Any) -> HttpResponse:
        found = self.project(project)
        try:
            added = cost_codes.project_cost_codes_refresh(
                actor=request.user, account=self.account, project=found
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _refreshed(added))
        return redirect("project-cost-codes", account=self.account.slug, project=found.pk)


def _refreshed(added: int) -> str:
    if not added:
        return "The project already uses every active code of the ERP list: nothing to add."
    return f"{_count(added, 'cost code')} added from the ERP list."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class DefaultCostTypesView(PolicyView):
    """The ERP list's codes (rows) by cost types (columns): a tick is a default cost type.
    Anyone on the ERP tool sees it; those the matrix allows change it."""

    policy_action = Action.VIEW_ERP_TOOL  # POST asks ASSIGN_DEFAULT_COST_TYPES

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        code_list = cost_codes.erp_code_list(self.account)
        query = request.GET.get("q", "").strip()
        page = None
        if code_list is not None:
            codes = cost_codes.with_division_flag(code_list.codes.order_by("full_code"))
            if query:
                codes = codes.filter(Q(full_code__icontains=query) | Q(name__icontains=query))
            page = Paginator(codes, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "integrations/default_cost_types.html",
            {
                **self.grid_context(cost_codes.grid_rows(list(page.object_list)) if page else []),
                "code_list": code_list,
                "page": page,
                "query": query,
                **subtabs(request.user, self.account, "cost-codes"),
            },
        )

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.check_policy(Action.ASSIGN_DEFAULT_COST_TYPES, None)
        posted = _posted_assignments(request)
        error, changed = "", 0
        try:
            changed = cost_codes.default_cost_types_assign(
                actor=request.user, account=self.account, assignments=posted
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if getattr(request, "htmx", False) and len(posted) == 1:
            return self.row(next(iter(posted)), error)
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request, f"Default cost types saved ({_count(changed, 'code')} changed)."
            )
        return redirect(request.get_full_path())

    def row(self, code_id: int, error: str) -> HttpResponse:
        """One row again, after an autosave: what is stored now, with the outcome."""
        code = get_object_or_404(
            cost_codes.with_division_flag(StandardCostCode.objects.for_account(self.account)),
            pk=code_id,
        )
        context = self.grid_context(cost_codes.grid_rows([code]))
        context.update(row=context["rows"][0], saved=not error, error=error)
        return render(
            self.request,
            "integrations/_default_cost_types_row.html",
            context,
            status=400 if error else 200,
        )

    def grid_context(self, rows: list[cost_codes.GridRow]) -> dict[str, Any]:
        return {
            "active_tab": "cost-codes",
            "active": GRID,
            "rows": rows,
            "cost_types": list(CostType.objects.for_account(self.account).order_by("code")),
            "may_assign": can(self.request.user, Action.ASSIGN_DEFAULT_COST_TYPES, self.account),
            "grid_url": reverse(GRID, kwargs={"account": self.account.slug}),
        }


def _posted_assignments(request: HttpRequest) -> dict[int, list[int]]:
    """``codes`` (the rows sent) and ``types-<code id>`` (the ticked cost types of each): a
    row sent with no tick clears its defaults."""
    try:
        return {
            int(code): [int(t) for t in request.POST.getlist(f"types-{code}")]
            for code in request.POST.getlist("codes")
        }
    except ValueError:
        raise BadRequest("Codes and cost types are sent by id.") from None


def register() -> None:
    register_panel(Panel("integrations/_project_cost_codes_panel.html", _project_panel))
    register_tab_page(TabPage("cost-codes", "Default Cost Types", GRID, Action.VIEW_ERP_TOOL))

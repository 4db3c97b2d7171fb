"""Report pages and the account's settings page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from integrations import reports
from integrations.models import Project
from integrations.reports import Level, files
from integrations.services import SETTINGS_FIELDS, account_settings_update
from integrations.web.extensions import Panel, register_panel
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.models import Account, time_zones


class ReportIndexView(PolicyView):
    """The account's reports; with ``project``, that project's."""

    policy_action = None  # any member: the index lists the reports they may open

    def get(self, request: HttpRequest, project: int | None = None, **kwargs: Any) -> HttpResponse:
        on = _project(self.account, project)
        if on is None:
            shown = reports.available(request.user, self.account)
        else:
            shown = reports.for_project(request.user, self.account, on)
        return render(
            request,
            "integrations/reports/index.html",
            {"active_tab": "reports", "reports": shown, "project": on},
        )


def _project(account: Account, pk: int | None) -> Project | None:
    if pk is None:
        return None
    return get_object_or_404(Project.objects.for_account(account), pk=pk)


class ReportView(PolicyView):
    """A report's page, or its file (``fmt``: csv, pdf): at the company level, or on the
    project of the URL (``project``). Each report asks its own row of the matrix, below."""

    policy_action = None

    def get(
        self,
        request: HttpRequest,
        report: str,
        project: int | None = None,
        fmt: str = "",
        **kwargs: Any,
    ) -> HttpResponse:
        try:
            found = reports.report_named(report)
        except LookupError:
            raise Http404("No such report.") from None
        if fmt not in ("", "csv", "pdf"):
            raise Http404("Reports are files in CSV or PDF.")
        level = Level.COMPANY if project is None else Level.PROJECT
        on = _project(self.account, project)
        if level == Level.PROJECT and Level.PROJECT not in found.levels:
            raise Http404("This report is not run on a project.")
        if level == Level.COMPANY and Level.COMPANY not in found.levels:
            if fmt:
                raise Http404("This report's files are made on a project's page.")
            return self.choose_project(found)
        if not reports.may_open(request.user, self.account, found, level, on):
            raise PermissionDenied("You do not have permission to view this report.")
        projects = reports.projects_for(request.user, self.account, found, level)
        if level == Level.COMPANY and found.job_filter:
            on = next((p for p in projects if str(p.pk) == request.GET.get("project")), None)
        run = reports.Run(request.user, self.account, level, on)
        table = reports.run(found, run)
        if fmt:
            return _download(found, run, table, fmt)
        query = f"?project={on.pk}" if level == Level.COMPANY and on is not None else ""
        context = {
            "active_tab": "reports",
            "report": found,
            "level": level,
            "project": on,
            "projects": projects,
            "table": table,
            "csv_url": f"{request.path}csv/{query}",
            "pdf_url": f"{request.path}pdf/{query}",
        }
        return render(request, "integrations/reports/report.html", context)

    def choose_project(self, found: reports.Report) -> HttpResponse:
        """A project-level report opened from the account's reports: choose its project."""
        projects = reports.projects_for(self.request.user, self.account, found, Level.PROJECT)
        if not projects:
            raise PermissionDenied("You do not have permission to view this report.")
        chosen = next((p for p in projects if str(p.pk) == self.request.GET.get("project")), None)
        if chosen is not None:
            return redirect(
                "project-report", account=self.account.slug, project=chosen.pk, report=found.key
            )
        return render(
            self.request,
            "integrations/reports/choose_project.html",
            {"active_tab": "reports", "report": found, "projects": projects},
        )


def _download(
    found: reports.Report, run: reports.Run, table: reports.Table, fmt: str
) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(files.as_csv(table), content_type="text/csv; charset=utf-8")
    else:
        try:
            response = HttpResponse(files.as_pdf(found, run, table), content_type="application/pdf")
        except files.PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    name = files.filename(found, run, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _project_panel(request: HttpRequest, account: Account, record: Model) -> dict[str, Any] | None:
    """A job's page: the reports the user may run on it."""
    if not isinstance(record, Project):
        return None
    shown = reports.for_project(request.user, account, record)
    return {"reports": shown, "project": record} if shown else None


def register() -> None:
    register_panel(Panel("integrations/reports/_project_panel.html", _project_panel))


class AccountSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zones,
        help_text="Sync schedules run, and show their next runs, in this time zone.",
    )

    class Meta:
        model = Account
        fields = ("name", *SETTINGS_FIELDS)
        # Each direct export says what it skips in the same words.
        help_texts = {"direct_export_change_orders": "Skip accounting approval."}


# The Settings page's sections: (heading, fields), every field of the form once.
SETTINGS_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Account", ("name", "time_zone")),
    ("Accounting approval", ("allow_standard_approvers", "notify_approvers_on_send")),
    (
        "Direct exports",
        ("direct_export_commitments", "direct_export_change_orders", "direct_export_invoices"),
    ),
    (
        "Exports",
        (
            "use_portal_contract_numbers",
            "use_portal_change_order_numbers",
            "add_budget_pairs",
            "export_budget_billing_amount",
        ),
    ),
    (
        "Imports and syncs",
        (
            "update_companies_on_refresh",
            "standard_code_filter",
            "job_cost_date",
            "allow_editing_synced_job_costs",
        ),
    ),
)


class AccountSettingsView(PolicyView):
    policy_action = Action.CONFIGURE_ADVANCED_SETTINGS

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.show(AccountSettingsForm(instance=self.account))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = AccountSettingsForm(request.POST, instance=self.account)
        if not form.is_valid():
            return self.show(form, status=400)
        account_settings_update(actor=request.user, account=self.account, changes=form.cleaned_data)
        messages.success(request, "Settings saved.")
        return redirect("account-settings", account=self.account.slug)

    def show(self, form: AccountSettingsForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "integrations/settings.html",
            {
                "active_tab": "settings",
                "form": form,
                "groups": [
                    (title, [form[name] for name in names]) for title, names in SETTINGS_GROUPS
                ],
            },
            status=status,
        )

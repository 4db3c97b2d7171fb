"""Report pages and the account's settings page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from integrations import reports
from integrations.services import SETTINGS_FIELDS, account_settings_update
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.models import Account, time_zones


class ReportIndexView(PolicyView):
    policy_action = None  # any member: the index lists the reports they may open

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        shown = [
            {"key": r.key, "title": r.title, "about": r.about}
            for r in reports.available(request.user, self.account)
        ]
        return render(
            request,
            "integrations/reports/index.html",
            {"active_tab": "reports", "reports": shown},
        )


class ReportView(PolicyView):
    policy_action = None  # each report asks its own action, below

    def get(self, request: HttpRequest, report: str, **kwargs: Any) -> HttpResponse:
        try:
            found = reports.report_named(report)
        except LookupError:
            raise Http404("No such report.") from None
        context: dict[str, Any] = {"active_tab": "reports", "title": found.title, "report": report}
        projects = reports.projects_for(request.user, self.account, found)
        project = next((p for p in projects if str(p.pk) == request.GET.get("project")), None)
        if not reports.may_open(request.user, self.account, found, project):
            raise PermissionDenied("You do not have permission to view this report.")
        context.update(projects=projects, project=project)
        if report == "accountants":
            context["accountants"] = reports.accountants(self.account)
        elif report == "job-costs" and project:
            rows = reports.job_costs_to_date(self.account, project.pk)
            context.update(rows=rows, total=reports.total(rows))
        elif report == "unsyncable-direct-costs" and project:
            context["unsyncable"] = reports.unsyncable_direct_costs(self.account, project.pk)
        elif report == "synced-sub-jobs":
            context["sub_jobs"] = reports.synced_sub_jobs(self.account)
        return render(request, "integrations/reports/report.html", context)


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

"""Routes under ``/api/v1/``: the account list, the token endpoint, and one collection per kind
of record with an API part, at its key (``/api/v1/commitments/``), and the cost code actions
(:mod:`integrations.api.cost_codes`), and the account's settings."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from integrations.api import (
    audit,
    cost_codes,
    members,
    permission_templates,
    project_templates,
    reports,
    settings,
    tokens,
    views,
)
from integrations.kinds import kinds

app_name = "api"

router = DefaultRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("audit-events", audit.AuditEventViewSet, basename="audit-event")
router.register(
    "project-templates", project_templates.ProjectTemplateViewSet, basename="project-template"
)
router.register(
    "permission-templates",
    permission_templates.PermissionTemplateViewSet,
    basename="permission-template",
)
router.register("members", members.MemberViewSet, basename="member")
for kind in kinds():
    if kind.api is not None:
        router.register(kind.key, views.viewset_for(kind), basename=kind.name)

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/tokens/", tokens.TokenListView.as_view(), name="token-list"),
    path("settings/", settings.AccountSettingsView.as_view(), name="account-settings"),
    path("reports/", reports.ReportListView.as_view(), name="report-list"),
    path("reports/<slug:key>/", reports.ReportRowsView.as_view(), name="report-rows"),
    path(
        "projects/<int:pk>/reports/<slug:key>/",
        reports.ProjectReportRowsView.as_view(),
        name="project-report-rows",
    ),
    path(
        "projects/<int:pk>/refresh-cost-codes/",
        cost_codes.ProjectRefreshCostCodesView.as_view(),
        name="project-refresh-cost-codes",
    ),
    path(
        "standard-cost-codes/<int:pk>/default-cost-types/",
        cost_codes.DefaultCostTypesView.as_view(),
        name="standard-cost-code-default-cost-types",
    ),
    path("", include(router.urls)),
]

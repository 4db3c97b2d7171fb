from django.contrib.auth import views as auth_views
from django.urls import path

from integrations.web import audit, cost_codes, project_templates, reports, views
from permissions import template_views
from permissions import views as permission_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("a/<slug:account>/", views.AccountHomeView.as_view(), name="account-home"),
    path(
        "a/<slug:account>/directory/",
        permission_views.DirectoryView.as_view(),
        name="directory",
    ),
    path(
        "a/<slug:account>/directory/<int:user_id>/",
        permission_views.MemberPermissionsView.as_view(),
        name="directory-member",
    ),
    path(
        "a/<slug:account>/directory/templates/",
        template_views.TemplateListView.as_view(),
        name="directory-templates",
    ),
    path(
        "a/<slug:account>/directory/templates/new/<slug:scope>/",
        template_views.TemplateFormView.as_view(),
        name="directory-template-new",
    ),
    path(
        "a/<slug:account>/directory/templates/<int:template>/",
        template_views.TemplateFormView.as_view(),
        name="directory-template",
    ),
    path(
        "a/<slug:account>/directory/templates/<int:template>/delete/",
        template_views.TemplateDeleteView.as_view(),
        name="directory-template-delete",
    ),
    path("a/<slug:account>/reports/", reports.ReportIndexView.as_view(), name="reports"),
    path("a/<slug:account>/reports/<slug:report>/", reports.ReportView.as_view(), name="report"),
    path(
        "a/<slug:account>/reports/<slug:report>/<slug:fmt>/",
        reports.ReportView.as_view(),
        name="report-file",
    ),
    path(
        "a/<slug:account>/projects/<int:project>/reports/",
        reports.ReportIndexView.as_view(),
        name="project-reports",
    ),
    path(
        "a/<slug:account>/projects/<int:project>/reports/<slug:report>/",
        reports.ReportView.as_view(),
        name="project-report",
    ),
    path(
        "a/<slug:account>/projects/<int:project>/reports/<slug:report>/<slug:fmt>/",
        reports.ReportView.as_view(),
        name="project-report-file",
    ),
    path(
        "a/<slug:account>/settings/",
        reports.AccountSettingsView.as_view(),
        name="account-settings",
    ),
    path(
        "a/<slug:account>/settings/project-templates/",
        project_templates.ProjectTemplateListView.as_view(),
        name="project-templates",
    ),
    path(
        "a/<slug:account>/settings/project-templates/new/",
        project_templates.ProjectTemplateFormView.as_view(),
        name="project-template-create",
    ),
    path(
        "a/<slug:account>/settings/project-templates/<int:template>/edit/",
        project_templates.ProjectTemplateFormView.as_view(),
        name="project-template-edit",
    ),
    path(
        "a/<slug:account>/settings/project-templates/<int:template>/delete/",
        project_templates.ProjectTemplateDeleteView.as_view(),
        name="project-template-delete",
    ),
    path(
        "a/<slug:account>/projects/<int:project>/cost-codes/",
        cost_codes.ProjectCostCodesView.as_view(),
        name="project-cost-codes",
    ),
    path(
        "a/<slug:account>/projects/<int:project>/cost-codes/refresh/",
        cost_codes.ProjectCostCodesRefreshView.as_view(),
        name="project-cost-codes-refresh",
    ),
    path(
        "a/<slug:account>/standard-cost-codes/default-cost-types/",
        cost_codes.DefaultCostTypesView.as_view(),
        name=cost_codes.GRID,
    ),
    path("a/<slug:account>/audit/", audit.AuditTrailView.as_view(), name="audit-trail"),
    path("a/<slug:account>/audit/csv/", audit.AuditTrailCsvView.as_view(), name="audit-trail-csv"),
    path("a/<slug:account>/<str:kind>/", views.RecordListView.as_view(), name="record-list"),
    path("a/<slug:account>/<str:kind>/csv/", views.RecordCsvView.as_view(), name="record-csv"),
    path(
        "a/<slug:account>/<str:kind>/new/",
        views.RecordFormView.as_view(),
        name="record-create",
    ),
    path(
        "a/<slug:account>/<str:kind>/<int:pk>/",
        views.RecordDetailView.as_view(),
        name="record-detail",
    ),
    path(
        "a/<slug:account>/<str:kind>/<int:pk>/edit/",
        views.RecordFormView.as_view(),
        name="record-edit",
    ),
    path(
        "a/<slug:account>/<str:kind>/<int:pk>/unlink/",
        views.RecordUnlinkView.as_view(what="unlink"),
        name="record-unlink",
    ),
    path(
        "a/<slug:account>/<str:kind>/<int:pk>/reset/",
        views.RecordUnlinkView.as_view(what="reset"),
        name="record-reset",
    ),
]

from django.urls import path

from erp import console_views, views

ERP = "a/<slug:account>/erp"

urlpatterns = [
    path(f"{ERP}/connection/", views.ConnectionView.as_view(), name="erp-connection"),
    path(f"{ERP}/log/", views.ErpLogView.as_view(), name="erp-log"),
    path(f"{ERP}/sandbox/", views.SandboxLedgerView.as_view(), name="erp-sandbox"),
    path(
        f"{ERP}/sandbox/console/",
        console_views.SandboxConsoleView.as_view(),
        name="erp-sandbox-console",
    ),
]

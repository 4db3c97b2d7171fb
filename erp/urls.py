from django.urls import path

from erp import views

ERP = "a/<slug:account>/erp"

urlpatterns = [
    path(f"{ERP}/connection/", views.ConnectionView.as_view(), name="erp-connection"),
    path(f"{ERP}/log/", views.ErpLogView.as_view(), name="erp-log"),
    path(f"{ERP}/sandbox/", views.SandboxLedgerView.as_view(), name="erp-sandbox"),
]

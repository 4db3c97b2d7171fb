"""Routes under ``/api/v1/``: the export queue and its actions."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from approvals.api.batches import ExportBatchView
from approvals.api.views import ExportRequestViewSet

app_name = "approvals-api"

router = SimpleRouter()
router.register("export-requests", ExportRequestViewSet, basename="export-request")

urlpatterns = [
    *router.urls,
    path("export-batches/<str:token>/", ExportBatchView.as_view(), name="export-batch"),
]

"""Routes under ``/api/v1/``: the export queue and its actions."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from approvals.api.views import ExportRequestViewSet

app_name = "approvals-api"

router = SimpleRouter()
router.register("export-requests", ExportRequestViewSet, basename="export-request")

urlpatterns = router.urls

"""Routes under ``/api/v1/``: sync schedules, runs and staged records."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from syncs.api.staged import StagedRecordViewSet
from syncs.api.views import RunViewSet, ScheduleViewSet

app_name = "syncs-api"

router = SimpleRouter()
router.register("sync-schedules", ScheduleViewSet, basename="sync-schedule")
router.register("sync-runs", RunViewSet, basename="sync-run")
router.register("staged-records", StagedRecordViewSet, basename="staged-record")

urlpatterns = router.urls

from django.urls import path

from syncs import staged_views, views

ERP = "a/<slug:account>/erp"

urlpatterns = [
    path(f"{ERP}/sync/schedules/", views.SchedulesView.as_view(), name="sync-schedules"),
    path(f"{ERP}/sync/log/", views.SyncLogView.as_view(), name="sync-log"),
    path(f"{ERP}/sync/runs/<int:run>/", views.SyncRunView.as_view(), name="sync-run"),
    path(f"{ERP}/sync/<slug:sync>/now/", views.SyncNowView.as_view(), name="sync-now"),
    path(f"{ERP}/sync/<slug:sync>/bar/", views.SyncBarView.as_view(), name="sync-bar"),
    path(
        f"{ERP}/ready-to-import/",
        staged_views.ReadyToImportView.as_view(),
        name="ready-to-import",
    ),
    path(
        f"{ERP}/ready-to-import/link-suggested/",
        staged_views.LinkSuggestedView.as_view(),
        name="link-suggested",
    ),
    path(
        f"{ERP}/ready-to-import/<int:record>/",
        staged_views.StagedRecordView.as_view(),
        name="staged-record",
    ),
]

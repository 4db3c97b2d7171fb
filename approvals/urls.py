from django.urls import URLPattern, path

from approvals import batch_views, item_views, preferences, queue_csv, views

ERP = "a/<slug:account>/erp"

urlpatterns: list[URLPattern] = [
    path(f"{ERP}/ready-to-export/", views.QueueView.as_view(), name="export-queue"),
    path(
        f"{ERP}/failed-to-export/",
        views.QueueView.as_view(queue_key="failed"),
        name="export-failed",
    ),
    path(
        f"{ERP}/waiting/",
        views.QueueView.as_view(queue_key="waiting"),
        name="export-waiting",
    ),
    path(f"{ERP}/rejected/", views.RejectedView.as_view(), name="export-rejected"),
    path(
        f"{ERP}/ready-to-export/export.csv",
        queue_csv.QueueCsvView.as_view(),
        name="export-queue-csv",
    ),
    path(
        f"{ERP}/failed-to-export/export.csv",
        queue_csv.QueueCsvView.as_view(queue_key="failed"),
        name="export-failed-csv",
    ),
    path(
        f"{ERP}/export-batches/<str:token>/",
        batch_views.ExportBatchView.as_view(),
        name="export-batch",
    ),
    path(
        f"{ERP}/requests/<int:pk>/retry/",
        views.DecisionView.as_view(decision="retry"),
        name="export-retry",
    ),
    path(
        f"{ERP}/requests/accept/",
        views.BulkDecisionView.as_view(decision="accept"),
        name="export-accept-selected",
    ),
    path(
        f"{ERP}/requests/reject/",
        views.BulkDecisionView.as_view(decision="reject"),
        name="export-reject-selected",
    ),
    path(
        f"{ERP}/requests/retry/",
        views.BulkDecisionView.as_view(decision="retry"),
        name="export-retry-selected",
    ),
    path(
        f"{ERP}/requests/<int:pk>/accept/",
        views.DecisionView.as_view(decision="accept"),
        name="export-accept",
    ),
    path(
        f"{ERP}/requests/<int:pk>/reject/",
        views.DecisionView.as_view(decision="reject"),
        name="export-reject",
    ),
    path(
        f"{ERP}/requests/<int:pk>/retrieve/",
        item_views.RetrieveView.as_view(),
        name="export-retrieve",
    ),
    path(
        f"{ERP}/items/<str:item_type>/<int:item_id>/send/",
        item_views.SendView.as_view(),
        name="export-send",
    ),
    path(
        "a/<slug:account>/me/notifications/",
        preferences.NotificationSettingsView.as_view(),
        name="my-notifications",
    ),
]

"""Celery tasks of the accounting-acceptance workflow: thin, they call services.

The export pipeline's tasks live beside the pipeline (``approvals.export_tasks``); importing
them here registers them with workers, which load each app's ``tasks`` module.
"""

from __future__ import annotations

from celery import shared_task

from approvals import notifications
from approvals.export_tasks import export_request, sweep_exports

__all__ = ["export_request", "send_erp_digests", "sweep_exports"]


@shared_task(name="approvals.tasks.send_erp_digests")
def send_erp_digests() -> int:
    """The ERP Integrations Daily Summary (scheduled by approvals migration 0002: 07:00 daily,
    in ``TIME_ZONE``). Returns how many emails were sent."""
    return notifications.send_digests()

"""Celery tasks of the accounting-acceptance workflow: thin, they call services.

The export pipeline's tasks live beside the pipeline (``approvals.export_tasks``); importing
them here registers them with workers, which load each app's ``tasks`` module.
"""

from __future__ import annotations

import logging

from celery import shared_task

from approvals import notifications
from approvals.export_tasks import broker_errors, export_request, sweep_exports

__all__ = ["export_request", "notify_rejected", "send_erp_digests", "sweep_exports"]
logger = logging.getLogger(__name__)


@shared_task(name="approvals.tasks.notify_rejected")
def notify_rejected(request_ids: list[int]) -> None:
    """Email the senders (and creators) of rejected requests why their items came back."""
    notifications.notify_rejected(request_ids)


def notify_rejected_later(request_ids: list[int]) -> None:
    """After a reject has committed: the emails go from a worker, so rejecting thousands of
    items does not wait for them; with the broker down they are sent here and now instead."""
    try:
        notify_rejected.delay(request_ids)
    except broker_errors() as exc:
        logger.warning("Broker unavailable (%s): emailing the rejections from here.", exc)
        notifications.notify_rejected(request_ids)


@shared_task(name="approvals.tasks.send_erp_digests")
def send_erp_digests() -> int:
    """The ERP Integrations Daily Summary (scheduled by approvals migration 0002: 07:00 daily,
    in ``TIME_ZONE``). Returns how many emails were sent."""
    return notifications.send_digests()

"""Thin Celery tasks around the export pipeline. They take ids and are safe to run twice."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable

from celery import Task, shared_task
from django.conf import settings
from kombu.exceptions import OperationalError

from approvals import pipeline

# About an hour and a half of retrying (backoff capped at 10 minutes) before Failed to Export.
MAX_RETRIES = getattr(settings, "EXPORT_MAX_RETRIES", 12)
BACKOFF_CAP = 600  # seconds; settings.EXPORT_RETRY_BACKOFF_CAP overrides it (tests: 2)
logger = logging.getLogger(__name__)


def backoff(retries: int) -> float:
    """Capped exponential backoff with full jitter: up to 2, 4, 8, ... seconds, at most 10 min."""
    cap = getattr(settings, "EXPORT_RETRY_BACKOFF_CAP", BACKOFF_CAP)
    return random.uniform(1, max(1, min(cap, 2 ** (retries + 1))))  # nosec B311  # jitter of a retry delay, not a secret


@shared_task(bind=True, name="approvals.export_request", max_retries=MAX_RETRIES)
def export_request(self: Task, request_id: int, others: list[int] | None = None) -> str:
    try:
        return pipeline.export(request_id, others or ())
    except pipeline.RetryLater as exc:
        # Retry a request that went back to the queue: this one, or else one of its batch (a
        # retry of a request that was filed would do nothing, and leave the batch waiting for
        # the sweeper); the retry claims the rest of the batch with it, or, should another
        # worker have taken this one meanwhile, the rest of the batch instead (``others``).
        released = exc.request_ids or [request_id]
        target = request_id if request_id in released else released[0]
        if self.request.retries >= MAX_RETRIES:
            pipeline.give_up(target, exc.message)
            enqueue(pk for pk in released if pk != target)  # their own retries go on
            return "failed"
        countdown = backoff(self.request.retries)
        # This worker holds the retry until then: should it die, the sweeper enqueues the
        # released requests once their retry is overdue by its grace period (never before).
        pipeline.retry_due(released, countdown)
        others = [pk for pk in released if pk != target]
        raise self.retry(args=(target,), kwargs={"others": others}, countdown=countdown) from None


@shared_task(name="approvals.sweep_exports")
def sweep_exports() -> int:
    """Re-enqueue what a crash or a lost message left behind (beat, every EXPORT_SWEEP_SECONDS):
    a duplicate of a message still on its way only finds the request claimed, or done."""
    pipeline.mark_interrupted_calls()
    stale = pipeline.stale_requests()
    pipeline.requeued(stale)
    enqueue(stale)
    return len(stale)


def _broker_errors() -> tuple[type[BaseException], ...]:
    connection = export_request.app.connection_for_write()  # not connected: just its transport
    return (OperationalError, *connection.connection_errors, *connection.channel_errors)


def enqueue(request_ids: Iterable[int]) -> None:
    """Publish one export task per request: after an accept, retry or resume has committed, and
    from the sweeper. A broker that is down or does not answer fails a publish within seconds
    (CELERY_TASK_PUBLISH_RETRY_POLICY, BROKER_SOCKET_TIMEOUTS); that is logged, not raised, and
    the rest are not tried (each would wait as long): the requests are saved as accepted, and
    the sweeper enqueues them once the broker is back. The user sees what committed."""
    ids = list(request_ids)
    for sent, request_id in enumerate(ids):
        try:
            export_request.delay(request_id)
        except _broker_errors() as exc:
            logger.warning(
                "Broker unavailable (%s): %d of %d export(s) not enqueued (requests %s); the "
                "sweeper will enqueue them.",
                exc,
                len(ids) - sent,
                len(ids),
                ids[sent : sent + 10],
            )
            return

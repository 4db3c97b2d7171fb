"""Thin Celery tasks around the export pipeline. They take ids and are safe to run twice."""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Iterable

from celery import Task, shared_task
from django.conf import settings
from kombu.exceptions import OperationalError

from approvals import pipeline
from approvals.models import ExportRequest

# About an hour and a half of retrying (backoff capped at 10 minutes) before Failed to Export.
MAX_RETRIES = getattr(settings, "EXPORT_MAX_RETRIES", 12)
BACKOFF_CAP = 600  # seconds; settings.EXPORT_RETRY_BACKOFF_CAP overrides it (tests: 2)
# Requests per task message: a worker exports a message's requests in the connector's batches.
MESSAGE_SIZE = 100
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


def broker_errors() -> tuple[type[BaseException], ...]:
    connection = export_request.app.connection_for_write()  # not connected: just its transport
    return (OperationalError, *connection.connection_errors, *connection.channel_errors)


def messages(request_ids: Iterable[int]) -> list[list[int]]:
    """The requests grouped as messages: of one account and type each (what one claim takes),
    in key order, at most ``EXPORT_MESSAGE_SIZE`` per message."""
    size = getattr(settings, "EXPORT_MESSAGE_SIZE", MESSAGE_SIZE)
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    found = ExportRequest.objects.filter(pk__among=list(request_ids)).order_by("pk")
    for pk, account_id, item_type in found.values_list("pk", "account_id", "item_type"):
        groups[(account_id, item_type)].append(pk)
    return [ids[i : i + size] for ids in groups.values() for i in range(0, len(ids), size)]


def enqueue(request_ids: Iterable[int]) -> None:
    """Publish the export tasks of these requests, one message per batch (:func:`messages`):
    after an accept, retry or resume has committed, and from the sweeper. A broker that is down
    or does not answer fails a publish within seconds (CELERY_TASK_PUBLISH_RETRY_POLICY,
    BROKER_SOCKET_TIMEOUTS); that is logged, not raised, and the rest are not tried (each would
    wait as long): the requests are saved as accepted, and the sweeper enqueues them once the
    broker is back. The user sees what committed."""
    batches = messages(request_ids)
    for sent, (first, *others) in enumerate(batches):
        try:
            export_request.delay(first, others=others)
        except broker_errors() as exc:
            left = [pk for batch in batches[sent:] for pk in batch]
            logger.warning(
                "Broker unavailable (%s): %d export(s) not enqueued (requests %s); the "
                "sweeper will enqueue them.",
                exc,
                len(left),
                left[:10],
            )
            return

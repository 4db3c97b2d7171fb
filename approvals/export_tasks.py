"""Thin Celery tasks around the export pipeline. They take ids and are safe to run twice."""

from __future__ import annotations

import random
from collections.abc import Iterable

from celery import Task, shared_task
from django.conf import settings

from approvals import pipeline

# About an hour and a half of retrying (backoff capped at 10 minutes) before Failed to Export.
MAX_RETRIES = getattr(settings, "EXPORT_MAX_RETRIES", 12)
BACKOFF_CAP = 600  # seconds; settings.EXPORT_RETRY_BACKOFF_CAP overrides it (tests: 2)


def backoff(retries: int) -> float:
    """Capped exponential backoff with full jitter: up to 2, 4, 8, ... seconds, at most 10 min."""
    cap = getattr(settings, "EXPORT_RETRY_BACKOFF_CAP", BACKOFF_CAP)
    return random.uniform(1, max(1, min(cap, 2 ** (retries + 1))))


@shared_task(bind=True, name="approvals.export_request", max_retries=MAX_RETRIES)
def export_request(self: Task, request_id: int) -> str:
    try:
        return pipeline.export(request_id)
    except pipeline.RetryLater as exc:
        # Retry a request that went back to the queue: this one, or else one of its batch (a
        # retry of a request that was filed would do nothing, and leave the batch waiting for
        # the sweeper); the retry claims the rest of the batch with it.
        released = exc.request_ids or [request_id]
        target = request_id if request_id in released else released[0]
        if self.request.retries >= MAX_RETRIES:
            pipeline.give_up(target, exc.message)
            enqueue(pk for pk in released if pk != target)  # their own retries go on
            return "failed"
        raise self.retry(args=(target,), countdown=backoff(self.request.retries)) from None


@shared_task(name="approvals.sweep_exports")
def sweep_exports() -> int:
    """Re-enqueue what a crash or a lost message left behind (run every minute by beat)."""
    pipeline.mark_interrupted_calls()
    stale = pipeline.stale_requests()
    enqueue(stale)
    return len(stale)


def enqueue(request_ids: Iterable[int]) -> None:
    for request_id in request_ids:
        export_request.delay(request_id)

"""Leases on claimed export requests, kept alive while their worker works.

A worker that claims requests (``approvals.pipeline.claim``) holds them under a claim token until
``lease_until``. While it exports them, a :class:`LeaseKeeper` renews that lease every few
seconds, so the lease can be short (``EXPORT_LEASE_SECONDS``, 30 s by default): a killed worker's
requests are claimable again within one lease, a live worker keeps its batch however long the
ERP takes. Only the holder of the claim renews it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from approvals.models import ExportRequest, RequestState

log = logging.getLogger(__name__)


def lease() -> timedelta:
    """How long a claim lasts unless its worker renews it (settings.EXPORT_LEASE_SECONDS)."""
    return timedelta(seconds=getattr(settings, "EXPORT_LEASE_SECONDS", 30))


def renew_every() -> float:
    """Seconds between two renewals of a lease: EXPORT_LEASE_RENEW_SECONDS, else a third of the
    lease; never more than half of it (a renewal may be late by a slow query)."""
    half = lease().total_seconds() / 2
    every = float(getattr(settings, "EXPORT_LEASE_RENEW_SECONDS", 0) or 0)
    return min(every, half) if every > 0 else half * 2 / 3


def stale_after() -> timedelta:
    """How long an accepted request may be due with nobody on it before the sweeper enqueues it
    again (settings.EXPORT_STALE_ACCEPTED_SECONDS)."""
    return timedelta(seconds=getattr(settings, "EXPORT_STALE_ACCEPTED_SECONDS", 30))


def renew(request_ids: Sequence[int], claim: uuid.UUID | None, now: Any = None) -> int:
    """Extend the lease of the requests still exporting under ``claim`` (one short transaction;
    rows the claiming worker is finishing right now, locked, are skipped). Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        held = list(
            ExportRequest.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(request_ids), state=RequestState.EXPORTING, claim=claim)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not held:
            return 0
        return int(ExportRequest.objects.filter(pk__in=held).update(lease_until=now + lease()))


class LeaseKeeper:
    """Renews a claimed batch's lease every :func:`renew_every` seconds while its worker exports
    it (``with LeaseKeeper(requests): ...``), so the lease can be short: a dead worker's batch
    is free again within one lease, a live worker keeps its batch however long the ERP takes.
    A daemon thread with its own database connection (closed by that thread) does it; leaving
    the block stops it. Renewing between items instead would not do: one batch call to the ERP
    can outlast a lease."""

    def __init__(self, requests: Sequence[ExportRequest], every: float | None = None) -> None:
        self.request_ids = [r.pk for r in requests]
        self.claim = requests[0].claim if requests else None
        self.every = every if every is not None else renew_every()
        self.beats = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="export-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        if self.request_ids:
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=lease().total_seconds())

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                try:
                    renew(self.request_ids, self.claim)
                    self.beats += 1
                except DatabaseError as exc:  # the next beat tries again, on a new connection
                    log.warning("Could not renew the lease of %s: %s", self.request_ids, exc)
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's connections only

"""Bulk accept and bulk reject of many pending export requests through the API (in calls of
at most the API's limit of ids, with ``Prefer: return=minimal``), and a bulk accept through
the service in one call (what the web queue's *All N matching* does), as an approver of the
demo account: seconds, SQL statements and Celery messages published, against a plain
``UPDATE`` of the same rows in the same run (the goal: 10,000 in at most 3 s, with a number of
queries that does not grow with the selection, and one message per batch of exports).

Messages are counted as kombu publishes them (a wrapper on ``Producer.publish``), and checked
against the broker: with Redis, the growth of the export queue's list (no worker runs while
this measures). The requests are the bench's own (items no other request uses); they are
deleted at the end (their audit rows stay: the trail is never deleted) and their messages
purged, so a later bench (the pipeline's) finds none of them. The rejection emails are a task
of their own (one message), which no worker runs here."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.db import connection, transaction
from django.db.models import Max
from django.test import Client, override_settings
from django.utils import timezone

from bench.queue import Counter

GOAL_SECONDS = 3.0
ITEM_TYPE = "commitment"
BATCH = 5_000


class Published:
    """Counts the messages kombu publishes while installed."""

    def __init__(self) -> None:
        self.count = 0

    @contextmanager
    def counting(self) -> Iterator[None]:
        from kombu.messaging import Producer

        publish = Producer.publish

        def counted(producer: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return publish(producer, *args, **kwargs)

        with mock.patch.object(Producer, "publish", counted):
            yield


def _requests(account: Any, sender: Any, count: int, tag: str) -> list[int]:
    """``count`` new pending requests, for items no other request of the account uses."""
    from approvals.models import ExportRequest, RequestState

    top = ExportRequest.objects.filter(account=account).aggregate(top=Max("item_id"))["top"]
    base = max(20_000_000, (top or 0) + 1)
    now = timezone.now()
    ids: list[int] = []
    for start in range(0, count, BATCH):
        made = ExportRequest.objects.bulk_create(
            ExportRequest(
                account=account,
                item_type=ITEM_TYPE,
                item_id=base + i,
                state=RequestState.PENDING,
                summary={"label": f"{tag} {i}", "amount": "100.00"},
                sent_by=sender,
                sent_at=now - datetime.timedelta(seconds=i),
            )
            for i in range(start, min(count, start + BATCH))
        )
        ids += [r.pk for r in made]
    return ids


def _broker_depth(env: dict[str, str]) -> int | None:
    """Messages waiting in the export queue, when the broker is Redis."""
    url = env.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        return None
    import redis

    from approvals.export_tasks import export_request

    queue = export_request.app.conf.task_default_queue or "celery"
    return int(redis.Redis.from_url(url).llen(queue))


def _purge(env: dict[str, str]) -> None:
    from approvals.export_tasks import export_request

    if env.get("CELERY_BROKER_URL", "").startswith("redis"):
        export_request.app.control.purge()


def _post(
    client: Client, url: str, ids: list[int], size: int, extra: dict[str, Any], env: dict[str, str]
) -> dict[str, Any]:
    """POST ``ids`` to ``url`` in calls of at most ``size`` ids (the API's limit), asking for
    the short answer (``Prefer: return=minimal``)."""
    counter, published = Counter(), Published()
    depth = _broker_depth(env)
    calls = 0
    started = time.perf_counter()
    with connection.execute_wrapper(counter), published.counting():
        for start in range(0, len(ids), size):
            body = json.dumps({"ids": ids[start : start + size], **extra})
            response = client.post(
                url,
                body,
                content_type="application/json",
                HTTP_X_ACCOUNT="summit",
                HTTP_PREFER="return=minimal",  # the count and ids, not every request in full
            )
            calls += 1
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}: {response.content!r}")
    seconds = time.perf_counter() - started
    after = _broker_depth(env)
    return {
        "requests": len(ids),
        "api_calls": calls,
        "seconds": round(seconds, 2),
        "queries": counter.count,
        "queries_per_call": round(counter.count / calls, 1),
        "messages_published": published.count,
        "messages_in_broker_queue": None if depth is None or after is None else after - depth,
    }


def _service(account: Any, ids: list[int], actor: Any, env: dict[str, str]) -> dict[str, Any]:
    """``export_accept`` of every id in one call, as the web queue's *All N matching* makes it
    (no API body to read or answer to write)."""
    from approvals.services import export_accept

    counter, published = Counter(), Published()
    depth = _broker_depth(env)
    started = time.perf_counter()
    with connection.execute_wrapper(counter), published.counting():
        export_accept(account=account, request_ids=ids, actor=actor)
    seconds = time.perf_counter() - started
    after = _broker_depth(env)
    return {
        "requests": len(ids),
        "api_calls": 0,
        "seconds": round(seconds, 2),
        "queries": counter.count,
        "messages_published": published.count,
        "messages_in_broker_queue": None if depth is None or after is None else after - depth,
    }


def _baseline(ids: list[int], state: str, actor: Any) -> float:
    """A plain UPDATE of the same rows to the decision's state (rolled back): seconds."""
    from approvals.models import ExportRequest

    started = time.perf_counter()
    try:
        with transaction.atomic():
            ExportRequest.objects.filter(pk__in=ids).update(
                state=state, decided_by=actor, decided_at=timezone.now()
            )
            seconds = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    return seconds


class _RolledBack(Exception):
    pass


def _judge(figure: dict[str, Any], baseline: float) -> dict[str, Any]:
    figure["baseline_update_seconds"] = round(baseline, 3)
    figure["ratio_to_baseline"] = round(figure["seconds"] / baseline, 1) if baseline else None
    figure["goal"] = (
        f"{figure['requests']} in <= {GOAL_SECONDS:g} s, queries and messages constant per call"
    )
    figure["meets_goal"] = figure["seconds"] <= GOAL_SECONDS
    return figure


def _cleanup(ids: list[int], env: dict[str, str]) -> None:
    from approvals.models import ExportRequest

    for start in range(0, len(ids), BATCH):
        ExportRequest.objects.filter(pk__in=ids[start : start + BATCH]).delete()
    _purge(env)


def run(count: int, env: dict[str, str]) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from approvals.api.serializers import MAX_BULK
    from approvals.models import RequestState
    from tenancy.models import Account, Membership

    account = Account.objects.get(slug="summit")
    sender = Membership.objects.get(account=account, user__username="pm").user
    approver = get_user_model().objects.get(username="approver")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(approver)
    to_accept = _requests(account, sender, count, "Bench accept")
    to_reject = _requests(account, sender, count, "Bench reject")
    in_service = _requests(account, sender, count, "Bench service")
    _purge(env)
    outbox = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    try:
        with outbox:
            accept_base = _baseline(to_accept, RequestState.ACCEPTED, approver)
            reject_base = _baseline(to_reject, RequestState.REJECTED, approver)
            accept = _post(
                client, "/api/v1/export-requests/bulk-accept/", to_accept, MAX_BULK, {}, env
            )
            reject = _post(
                client,
                "/api/v1/export-requests/bulk-reject/",
                to_reject,
                MAX_BULK,
                {"reason": "Bench: sent back"},
                env,
            )
            service_base = _baseline(in_service, RequestState.ACCEPTED, approver)
            service = _service(account, in_service, approver, env)
    finally:
        _cleanup(to_accept + to_reject + in_service, env)
    connection.queries_log.clear()
    return {
        "max_ids_per_call": MAX_BULK,
        "bulk_accept": _judge(accept, accept_base),
        "bulk_reject": _judge(reject, reject_base),
        "bulk_accept_service": _judge(service, service_base),
    }

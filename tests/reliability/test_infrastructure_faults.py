"""Accepted items reach the ERP exactly once when the infrastructure fails under them.

A real Celery worker and beat, on PostgreSQL, the way production runs them (its lease, sweeper
interval and grace period: ``RELIABILITY_CLOCKS=production``, read back from the worker's
settings, never hard-coded here):

- Redis goes away (killed, or hung: it keeps its sockets and answers nothing) while approvers
  accept on the web and through the API: every accept answers within seconds and says it is
  accepted (it committed); the sweeper, run by beat, exports each once Redis is back.
- The web process dies after an accept committed, before the export was published: beat's
  sweeper exports it within its grace period and interval.
- PostgreSQL drops every connection of the database, again and again, while a worker exports a
  batch: every item ends synced, filed once, with its ERP id, and no state half-written.

Redis is a server of the test's own for the outage (the shared one serves the other tests); the
others use the suite's Redis db. Needs PostgreSQL and Redis; skipped otherwise. Some minutes.
"""

from __future__ import annotations

import random
import shutil
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals import pipeline
from approvals.models import RequestState
from audit.models import AuditEvent
from erp.models import ErpCall
from erp_portal.celery import app as celery_app
from integrations.models import Commitment, ErpState
from tests.api.conftest import client_for
from tests.reliability.faults import (
    PrivateRedis,
    accept_then_die_before_publishing,
    terminate_other_backends,
    within,
    worker_clocks,
)
from tests.reliability.harness import (
    REDIS_URL,
    flush,
    queue_depth,
    real_worker_marks,
    redis_answers,
    reset_producer_pools,
    wait_for,
)
from tests.reliability.scenario import (
    Batch,
    accept,
    assert_exported_exactly_once,
    calls,
    pending_commitments,
    user,
)

S = RequestState
HTMX = {"HTTP_HX_REQUEST": "true"}
API = "/api/v1/export-requests/"
ANSWER_WITHIN = 15.0  # seconds: an accept during a broker outage (a publish gives up in ~6 s)
MARGIN = 45.0  # seconds, beyond the sweeper's clocks: beat and the worker starting, the export

pytestmark = real_worker_marks(needs_redis=False)


@pytest.fixture
def clocks() -> dict[str, str]:
    """Production's lease, sweeper interval and grace period for the worker and beat."""
    return {"RELIABILITY_CLOCKS": "production"}


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: no Redis of the test's own to take down")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker(request: pytest.FixtureRequest) -> Iterator[str]:
    """The conftest's broker, on the test's own Redis when the test asks for one, and with the
    socket timeouts production configures (a publish to a hung Redis gives up)."""
    if connection.vendor != "postgresql":
        pytest.skip("a real worker shares the database with the test: needs PostgreSQL")
    if "redis_server" in request.fixturenames:
        url = request.getfixturevalue("redis_server").url
    else:
        url = REDIS_URL
    if not redis_answers(url):
        pytest.skip(f"Redis does not answer at {url}")
    keys = ("task_always_eager", "broker_url", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=url,
        broker_transport_options={"visibility_timeout": 3600, **settings.BROKER_SOCKET_TIMEOUTS},
    )
    reset_producer_pools()
    flush(url)
    try:
        yield url
    finally:
        with suppress(Exception):  # a Redis the test took down has nothing to flush
            flush(url)
        celery_app.conf.update(saved)
        reset_producer_pools()


def synced_within(batch: Batch, seconds: float, broker_url: str) -> float:
    """Wait for every request of the batch to be synced (failing at once on one that failed);
    returns how long it took."""
    started = time.monotonic()

    def settled() -> bool:
        failed = list(batch.requests(S.FAILED).values_list("pk", "error")[:3])
        assert not failed, f"requests failed: {failed}"
        return batch.count(S.SYNCED) == len(batch.request_ids)

    def detail() -> str:
        stuck = batch.requests().exclude(state=S.SYNCED).order_by("pk")
        sample = list(stuck.values_list("pk", "state", "attempts", "updated_at", "error")[:5])
        with suppress(Exception):
            return f"{dict(batch.states())}; broker {queue_depth(broker_url)}; e.g. {sample}"
        return f"{dict(batch.states())}; e.g. {sample}"

    wait_for(settled, seconds, f"{len(batch.request_ids)} requests to be synced", detail=detail)
    return time.monotonic() - started


def assert_written_whole(batch: Batch) -> None:
    """No state change half-written: each request's audit trail (written in the transaction of
    each change) is an unbroken chain of states ending where the request is, synced once; no
    call to the ERP left without an outcome; no record holding an ERP id unless synced."""
    rows = AuditEvent.objects.filter(request_id__in=batch.request_ids).order_by("created_at", "pk")
    trails: dict[int, list[tuple[str, str, str]]] = {}
    for request_id, verb, before, after in rows.values_list(
        "request_id", "verb", "before", "after"
    ):
        trails.setdefault(request_id, []).append((verb, before, after))
    assert set(trails) == set(batch.request_ids)
    for request_id, trail in trails.items():
        breaks = [(a, b) for a, b in pairwise(trail) if a[2] != b[1]]
        assert not breaks, f"request {request_id}: its audit trail breaks at {breaks}"
        assert trail[-1][2] == S.SYNCED, f"request {request_id} ends {trail[-1]}"
        assert [verb for verb, _, _ in trail].count("export_synced") == 1
    for request_id, attempts in batch.requests().values_list("pk", "attempts"):
        started = [verb for verb, _, _ in trails[request_id]].count("export_started")
        assert 1 <= started <= attempts
    items = Commitment.objects.filter(pk__in=batch.item_ids)
    assert not items.exclude(erp_state=ErpState.SYNCED).exists()
    assert not items.filter(origin_id="").exists()
    pipeline.mark_interrupted_calls(now=timezone.now() + timedelta(hours=1))
    assert not calls(batch).filter(outcome="").exists()


# --- Redis unavailable while approvers accept ------------------------------------------------


def _accept_during_outage(batch: Batch) -> list[tuple[str, Any, float]]:
    """Accept the batch's requests in the four ways a user can: the queue's *Accept selected*
    (htmx), the accept dialog as a page, the API's accept and bulk accept."""
    ids = batch.request_ids
    slug = batch.account.slug
    web = Client()
    web.force_login(user("approver"))
    api = client_for(user("approver"))
    answers = []
    tries = [
        (
            "web: Accept selected",
            lambda: web.post(
                reverse("export-accept-selected", kwargs={"account": slug}),
                {"ids": ids[0:4], "queue": "ready"},
                **HTMX,
            ),
        ),
        (
            "web: accept dialog",
            lambda: web.post(
                reverse("export-accept", kwargs={"account": slug, "pk": ids[4]}),
                {"queue": "ready"},
                follow=True,
            ),
        ),
        ("API: accept", lambda: api.post(f"{API}{ids[5]}/accept/", {}, format="json")),
        (
            "API: bulk accept",
            lambda: api.post(f"{API}bulk-accept/", {"ids": ids[6:]}, format="json"),
        ),
    ]
    for what, call in tries:
        response, took = within(ANSWER_WITHIN, call, what)
        answers.append((what, response, took))
    return answers


@pytest.mark.parametrize("outage", ["killed", "hung"])
def test_accepts_while_redis_is_down_commit_and_reach_the_erp_once_it_is_back(
    outage, redis_server, worker, beat
):
    clocks = worker_clocks(worker.env)
    batch = pending_commitments(10, prefix=outage[0].upper())
    beat.start()
    if outage == "killed":
        redis_server.kill()
    else:
        redis_server.hang()

    answers = _accept_during_outage(batch)

    # Each answered at once and said what committed: accepted, on the page and in the API.
    for what, response, took in answers:
        assert response.status_code == 200, f"{what}: {response.status_code}"
        assert took < ANSWER_WITHIN, f"{what} took {took:.1f}s"
    web_bulk, web_one, api_one, api_bulk = (response for _, response, _ in answers)
    assert "Accepted 4 items." in web_bulk.text
    label = batch.requests().get(pk=batch.request_ids[4]).label
    assert f"Accepted {label}." in web_one.text
    assert api_one.json()["state"] == S.ACCEPTED
    assert {row["state"] for row in api_bulk.json()} == {S.ACCEPTED}
    assert batch.states() == {S.ACCEPTED: 10}

    # Redis comes back: a crashed one empty; a hung one with whatever reached it.
    if outage == "killed":
        redis_server.start()
    else:
        redis_server.resume()
    took = synced_within(batch, clocks.stale_accepted + clocks.sweep + MARGIN, redis_server.url)
    assert_exported_exactly_once(batch)
    assert_written_whole(batch)
    times = ", ".join(f"{what} {seconds:.1f}s" for what, _, seconds in answers)
    print(f"\nanswered: {times}; synced {took:.0f}s after Redis came back ({clocks})")


# --- The web process killed between the accept's commit and the publish ----------------------


def test_an_accept_whose_process_died_before_publishing_is_exported_by_the_sweeper(
    worker, beat, broker
):
    clocks = worker_clocks(worker.env)
    batch = pending_commitments(5, prefix="W")
    beat.start()

    died = accept_then_die_before_publishing(
        worker.env,
        account_id=batch.account.pk,
        username="approver",
        request_ids=batch.request_ids,
    )
    assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
    assert "publishing" in died.stdout and "survived" not in died.stdout
    assert batch.states() == {S.ACCEPTED: 5}, "the accept committed before the process died"
    assert queue_depth(broker) == {"queued": 0, "unacked": 0}, "nothing reached the broker"

    took = synced_within(batch, clocks.stale_accepted + clocks.sweep + MARGIN, broker)
    assert took >= clocks.stale_accepted - 5, "only the sweeper could have enqueued them"
    assert_exported_exactly_once(batch)
    assert_written_whole(batch)
    assert set(batch.requests().values_list("attempts", flat=True)) == {1}


# --- PostgreSQL dropping every connection while a worker exports ------------------------------


def test_connections_dropped_again_and_again_mid_export_file_each_item_once(worker, beat, broker):
    clocks = worker_clocks(worker.env)
    batch = pending_commitments(100, prefix="D")
    batch.configure(latency_ms="30")  # a batch of 50 takes ~1.5 s: the cuts land mid-export
    beat.start()
    accept(batch)

    # Cut every connection but the test's own, at random moments, while requests are exporting,
    # until six cuts have landed in the middle of an export (or the batch is done).
    rng = random.Random(7)
    cuts: list[tuple[int, int]] = []  # (connections cut, requests exporting then)
    deadline = time.monotonic() + 120
    while sum(1 for _, exporting in cuts if exporting) < 6 and time.monotonic() < deadline:
        time.sleep(rng.uniform(0.4, 2.0))
        exporting = batch.count(S.EXPORTING)
        if batch.count(S.SYNCED) == len(batch.request_ids):
            break
        cut = terminate_other_backends()
        if cut:
            cuts.append((cut, exporting))
    mid_export = [c for c in cuts if c[1]]
    assert len(mid_export) >= 3, f"too few cuts landed mid-export: {cuts}"

    took = synced_within(
        batch, clocks.lease + clocks.stale_accepted + clocks.sweep + MARGIN, broker
    )
    assert_exported_exactly_once(batch)
    keys = Counter(batch.filed().values_list("external_ref", flat=True))
    assert set(keys.values()) == {1} and len(keys) == 100, "one ERP record per request's key"
    assert_written_whole(batch)
    # The cuts did land on calls to the ERP in flight: they are in the log as interrupted.
    interrupted = calls(batch, ErpCall.Outcome.INTERRUPTED).count()
    assert interrupted > 0
    print(f"\n{len(cuts)} cuts ({len(mid_export)} mid-export): {cuts}")
    print(f"{interrupted} calls interrupted; synced {took:.0f}s after the cuts ({clocks})")

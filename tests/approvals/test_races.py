"""Races between people acting on the same items at the same moment, with real threads.

Each thread has its own database connection (closed when it ends) and the data is committed
(``transaction=True``), so the services' row locks and the one-open-request constraint are what
decides. A :class:`threading.Barrier` releases both calls together; each race runs ``ROUNDS``
times on fresh items so that the interleavings vary.

The export queue (``export_tasks.enqueue``, called once a decision commits) is replaced by a
recorder, so the pipeline does not move accepted items on, and so that we can check that only
the winner's transaction enqueued anything.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from approvals.errors import DecisionConflict, InvalidTransition
from approvals.models import ExportRequest
from approvals.services import export_accept, export_reject, export_retrieve, export_send
from audit.models import AuditEvent
from demo.seed import seed_demo
from integrations import models as m
from tenancy.models import Account
from tests.factories import CommitmentFactory

# serialized_rollback: the flush after each test then leaves the content types to the next
# serialized test instead of re-creating them under new ids (which its restore would collide with).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROUNDS = 10
NAMES = {"approver": "Priya Natarajan", "erpadmin": "Morgan Reyes", "pm": "Jake Sullivan"}
_numbers = itertools.count(1)


@pytest.fixture
def demo() -> Account:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "the SQLite test database is in memory with a shared cache: a second writer fails "
            "at once with 'database table is locked' (no busy wait), so threads cannot race "
            "there; run on PostgreSQL, or on SQLite with a file test database (TEST NAME)"
        )
    if connection.vendor not in ("postgresql", "sqlite"):
        pytest.skip(f"the races are written for PostgreSQL and SQLite, not {connection.vendor}")
    return seed_demo()


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The request ids handed to the export queue, in order (appends are thread-safe)."""
    ids: list[int] = []
    monkeypatch.setattr(
        "approvals.export_tasks.enqueue", lambda request_ids: ids.extend(request_ids)
    )
    return ids


def user(name: str) -> Any:
    """A fresh user object: each thread gets its own (grants are cached on the object)."""
    return get_user_model().objects.get(username=name)


def fresh_commitments(account: Account, count: int) -> list[m.Commitment]:
    """Approved commitments that the sandbox ERP takes (synced project, vendor, cost code)."""
    project = m.Project.objects.filter(account=account, erp_state="synced").order_by("pk")[0]
    vendor = m.Company.objects.filter(account=account, erp_state="synced").order_by("pk")[0]
    code = m.CostCode.objects.filter(project=project, standard_code__erp_state="synced")[0]
    items = []
    for _ in range(count):
        item = CommitmentFactory(
            account=account, project=project, vendor=vendor, number=f"RC-{next(_numbers):04d}"
        )
        item.lines.create(position=1, cost_code=code, amount=Decimal("1000.00"))
        items.append(item)
    return items


def pending(account: Account, count: int) -> list[ExportRequest]:
    pm = user("pm")
    return [export_send(item=item, actor=pm) for item in fresh_commitments(account, count)]


Outcome = tuple[str, Any]  # ("ok", result) or ("error", exception)


def race(*calls: Callable[[], Any]) -> list[Outcome]:
    """Run ``calls`` at the same moment, one thread (and one connection) each."""
    barrier = threading.Barrier(len(calls), timeout=30)
    outcomes: list[Outcome | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except Exception as exc:  # reported to the test, never lost
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    assert all(o is not None for o in outcomes)
    return outcomes


def one_winner(outcomes: list[Outcome], loses_with: type[Exception]) -> tuple[int, Exception]:
    """The index of the one call that succeeded, and the other's error (of the expected type)."""
    kinds = [kind for kind, _ in outcomes]
    assert sorted(kinds) == ["error", "ok"], outcomes
    winner = kinds.index("ok")
    error = outcomes[1 - winner][1]
    assert isinstance(error, loses_with), repr(error)
    return winner, error


def verbs(request: ExportRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(request_id=request.pk)
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def item_state(request: ExportRequest) -> str:
    return m.Commitment.objects.get(pk=request.item_id).erp_state


def test_accept_and_reject_at_the_same_moment(demo, enqueued):
    wins = {"accept": 0, "reject": 0}
    for request in pending(demo, ROUNDS):
        approver, erpadmin = user("approver"), user("erpadmin")
        outcomes = race(
            partial(export_accept, account=demo, request_ids=[request.pk], actor=approver),
            partial(
                export_reject,
                account=demo,
                request_ids=[request.pk],
                actor=erpadmin,
                reason="Wrong job",
            ),
        )
        winner, error = one_winner(outcomes, DecisionConflict)
        decision, state, name = [
            ("accept", "accepted", NAMES["approver"]),
            ("reject", "rejected", NAMES["erpadmin"]),
        ][winner]
        wins[decision] += 1
        request.refresh_from_db()
        assert request.state == item_state(request) == state
        assert f"already {state} by {name} on " in str(error)
        assert verbs(request) == ["send", decision]  # decided once, audited once
        assert enqueued.count(request.pk) == (1 if decision == "accept" else 0)
    assert sum(wins.values()) == ROUNDS


def test_retrieve_racing_accept(demo, enqueued):
    for request in pending(demo, ROUNDS):
        pm, approver = user("pm"), user("approver")
        outcomes = race(
            partial(export_retrieve, account=demo, request_id=request.pk, actor=pm),
            partial(export_accept, account=demo, request_ids=[request.pk], actor=approver),
        )
        winner, error = one_winner(outcomes, DecisionConflict)
        decision, state, name = [
            ("retrieve", "retrieved", NAMES["pm"]),
            ("accept", "accepted", NAMES["approver"]),
        ][winner]
        request.refresh_from_db()
        assert request.state == item_state(request) == state  # the item follows the winner
        assert f"already {state} by {name} on " in str(error)
        assert verbs(request) == ["send", decision]
        assert enqueued.count(request.pk) == (1 if decision == "accept" else 0)


def test_two_sends_of_the_same_item(demo, enqueued):
    for item in fresh_commitments(demo, ROUNDS):
        first, second = user("pm"), user("pm")
        outcomes = race(
            partial(export_send, item=item, actor=first),
            partial(export_send, item=item, actor=second),
        )
        winner, error = one_winner(outcomes, InvalidTransition)
        request = outcomes[winner][1]
        assert list(ExportRequest.objects.filter(item_type="commitment", item_id=item.pk)) == [
            request
        ]
        assert item_state(request) == request.state == "pending"
        assert verbs(request) == ["send"]
        assert AuditEvent.objects.filter(item_type="commitment", item_id=item.pk).count() == 1
        assert "cannot be sent now" in str(error) or "already waiting" in str(error)


def test_bulk_accepts_of_overlapping_sets(demo, enqueued):
    for _ in range(ROUNDS):
        requests = pending(demo, 6)
        ids = [r.pk for r in requests]
        sets = (ids[:4], list(reversed(ids[2:])))  # overlap on two; the second in reverse order
        approver, erpadmin = user("approver"), user("erpadmin")
        outcomes = race(
            partial(export_accept, account=demo, request_ids=sets[0], actor=approver),
            partial(export_accept, account=demo, request_ids=sets[1], actor=erpadmin),
        )
        winner, error = one_winner(outcomes, DecisionConflict)
        won = set(sets[winner])
        name = (NAMES["approver"], NAMES["erpadmin"])[winner]
        assert f"already accepted by {name} on " in str(error)
        for request in requests:
            request.refresh_from_db()
            state = "accepted" if request.pk in won else "pending"
            assert request.state == item_state(request) == state
            assert verbs(request) == (["send", "accept"] if state == "accepted" else ["send"])
        accepted = AuditEvent.objects.filter(verb="accept", request_id__in=ids)
        assert accepted.count() == len(won) == 4  # one event per decision, none for the loser
        assert sorted(pk for pk in enqueued if pk in ids) == sorted(won)  # loser enqueued none

"""One task message carries a batch of requests: the enqueue groups them (one account and type
per message, a bounded number each), and a worker exports every request of its message in the
connector's batches, even when another worker took some of them meanwhile."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import export_tasks, pipeline
from approvals.models import ExportRequest, RequestState
from connectors.base import ObjectType
from connectors.sandbox.connector import SandboxConnector
from demo.seed import seed_demo
from erp.connections import connection_for
from erp.models import ErpCall
from integrations import models as m
from tests.factories import demo_user as user

pytestmark = pytest.mark.django_db
S = RequestState


def accepted(
    account: Any, count: int, item_type: str = ObjectType.COMMITMENT, prefix: str = "MSG"
) -> list[int]:
    """``count`` new commitments of the demo account ready to export, each accepted."""
    project = m.Project.objects.filter(account=account, erp_state="synced").first()
    vendor = m.Company.objects.filter(account=account, erp_state="synced").first()
    code = m.CostCode.objects.filter(project=project, standard_code__erp_state="synced").first()
    now = timezone.now()
    ids = []
    for i in range(count):
        item = m.Commitment.objects.create(
            account=account,
            project=project,
            vendor=vendor,
            number=f"{prefix}-{item_type[:3]}-{i:03d}",
            title=f"Message {i}",
            status="approved",
            erp_state="accepted",
        )
        m.CommitmentLineItem.objects.create(commitment=item, cost_code=code, amount=Decimal("10"))
        request = ExportRequest.objects.create(
            account=account,
            item_type=item_type,
            item_id=item.pk,
            project=project,
            state=S.ACCEPTED,
            summary={"label": str(item)},
            sent_by=user("pm"),
            sent_at=now,
            decided_by=user("approver"),
            decided_at=now,
        )
        ids.append(request.pk)
    return ids


@pytest.fixture
def batches_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox ERP taking commitments two at a time."""
    capabilities = SandboxConnector.capabilities
    entities = dict(capabilities.entities)
    entities[ObjectType.COMMITMENT] = dataclasses.replace(
        entities[ObjectType.COMMITMENT], batch_size=2
    )
    monkeypatch.setattr(
        SandboxConnector, "capabilities", dataclasses.replace(capabilities, entities=entities)
    )


def test_messages_hold_one_account_and_type_each_and_a_bounded_number(settings: Any) -> None:
    settings.EXPORT_MESSAGE_SIZE = 3
    account = seed_demo()
    commitments = accepted(account, 7)
    invoices = accepted(account, 2, ObjectType.SUBCONTRACTOR_INVOICE)
    messages = export_tasks.messages([*invoices, *reversed(commitments)])
    assert sorted(messages) == sorted(
        [commitments[0:3], commitments[3:6], commitments[6:7], invoices]
    )


def test_enqueue_publishes_one_message_per_batch(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EXPORT_MESSAGE_SIZE = 4
    account = seed_demo()
    ids = accepted(account, 9)
    published: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(
        export_tasks.export_request,
        "delay",
        lambda first, others: published.append((first, others)),
    )
    export_tasks.enqueue(ids)
    assert published == [(ids[0], ids[1:4]), (ids[4], ids[5:8]), (ids[8], [])]


def test_a_message_exports_all_its_requests_in_the_connectors_batches(batches_of_two) -> None:
    account = seed_demo()
    ids = accepted(account, 5)
    assert pipeline.export(ids[0], ids[1:]) == "exported 5"
    assert set(ExportRequest.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        S.SYNCED
    }
    calls = ErpCall.objects.filter(payload_summary__request__in=ids, action="export")
    sizes = sorted(size or 1 for size in calls.values_list("payload_summary__batch", flat=True))
    assert sizes == [1, 2, 2, 2, 2]  # two batches of two, the last one alone


def test_what_another_worker_took_is_left_to_it_and_the_rest_is_exported(batches_of_two) -> None:
    account = seed_demo()
    ids = accepted(account, 4)
    (theirs,) = pipeline.claim(ids[1])  # another worker's claim
    assert pipeline.export(ids[0], ids[1:]) == "exported 3"
    states = dict(ExportRequest.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert states == {ids[0]: S.SYNCED, ids[1]: S.EXPORTING, ids[2]: S.SYNCED, ids[3]: S.SYNCED}
    assert ExportRequest.objects.get(pk=ids[1]).claim == theirs.claim


def test_an_erp_that_fails_a_whole_batch_sends_the_message_back_untried(batches_of_two) -> None:
    account = seed_demo()
    ids = accepted(account, 5)
    connection = connection_for(account)
    connection.settings = {**connection.settings, "transient_error_rate": "1"}
    connection.save(update_fields=["settings"])
    with pytest.raises(pipeline.RetryLater) as raised:
        pipeline.export(ids[0], ids[1:])
    assert sorted(raised.value.request_ids) == ids  # two tried and released, three untried
    assert ErpCall.objects.filter(payload_summary__request__in=ids).count() == 2
    assert set(ExportRequest.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        S.ACCEPTED
    }


def _portal_queries(ids: list[int]) -> list[str]:
    """The SQL the portal's side of exporting these requests runs (the sandbox ERP's own
    statements, and the savepoints of its transactions, left out: that is the ERP's work)."""
    with CaptureQueriesContext(connection) as captured:
        pipeline.export(ids[0], ids[1:])
    ledger = SandboxConnector.__module__.split(".")[0]
    return [
        sql
        for sql in (q["sql"] for q in captured.captured_queries)
        if f'"{ledger}_' not in sql and "SAVEPOINT" not in sql
    ]


def test_a_batch_costs_the_portal_the_same_queries_whatever_its_size() -> None:
    account = seed_demo()
    few = _portal_queries(accepted(account, 3))
    many = _portal_queries(accepted(account, 30, prefix="MANY"))
    assert len(many) == len(few), "\n".join(many)

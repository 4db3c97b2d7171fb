"""Building many accepted commitments fast, and checking what reached the sandbox ledger."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from connectors.base import ObjectType
from connectors.sandbox import models as ledger
from demo.seed import seed_demo
from erp.connections import account_key, connection_for
from erp.models import ErpCall, ErpConnection
from integrations.models import Commitment, CommitmentLineItem, ErpState
from tenancy.models import Account
from tests.factories import demo_user as user

S = RequestState


@dataclass
class Batch:
    """Commitments of one account, each with one export request."""

    account: Account
    connection: ErpConnection
    item_ids: list[int]
    request_ids: list[int]
    filed_before: int  # the last ledger commitment when the batch was made (the demo's own)

    @property
    def ledger(self) -> str:
        return account_key(self.account)

    def requests(self, *states: str) -> Any:
        found = ExportRequest.objects.filter(pk__in=self.request_ids)
        return found.filter(state__in=states) if states else found

    def count(self, *states: str) -> int:
        return int(self.requests(*states).count())

    def states(self) -> Counter[str]:
        return Counter(self.requests().values_list("state", flat=True))

    def filed(self) -> Any:
        """Every commitment the ERP filed in this ledger since the batch was made (one row per
        filing; the demo starts with one exported)."""
        return ledger.Commitment.objects.filter(ledger=self.ledger, pk__gt=self.filed_before)

    def configure(self, **faults: str) -> None:
        """Set the sandbox's fault injection on the connection (the worker reads it per call);
        a value of "" removes the setting."""
        conn = ErpConnection.objects.get(pk=self.connection.pk)
        conn.settings = {k: v for k, v in {**conn.settings, **faults}.items() if v != ""}
        conn.save(update_fields=["settings", "updated_at"])
        self.connection = conn


def pending_commitments(count: int, *, prefix: str) -> Batch:
    """The demo account (users, synced vendors, projects, cost codes), plus ``count`` approved
    commitments like a demo one (same project, vendor, cost code), each with one line and a
    request *Ready to Export* (pending). The first goes through the real *Send to ERP* (with the
    connector's rules); the rest are bulk-created the same way, for speed."""
    account = seed_demo()
    connection = connection_for(account)
    filed_before = ledger.Commitment.objects.aggregate(last=Max("pk"))["last"] or 0
    template = (
        Commitment.objects.filter(
            account=account,
            status="approved",
            erp_state=ErpState.UNSENT,
            vendor__erp_state=ErpState.SYNCED,
            project__erp_state=ErpState.SYNCED,
        )
        .order_by("pk")
        .first()
    )
    assert template is not None, "the demo has no approved, unsent commitment to copy"
    line = template.lines.filter(
        cost_code__standard_code__erp_state=ErpState.SYNCED, cost_type__erp_state=ErpState.SYNCED
    ).first()
    assert line is not None, "the demo commitment has no line on synced codes"
    pm, now = user("pm"), timezone.now()
    with transaction.atomic():
        items = Commitment.objects.bulk_create(
            Commitment(
                account=account,
                project=template.project,
                kind=template.kind,
                number=f"{prefix}{i:05d}",
                title=f"Reliability {prefix}{i}",
                status="approved",
                vendor=template.vendor,
                retainage_percent=template.retainage_percent,
                created_by=pm,
            )
            for i in range(count)
        )
        CommitmentLineItem.objects.bulk_create(
            CommitmentLineItem(
                commitment=item,
                position=1,
                description="Scope",
                cost_code=line.cost_code,
                cost_type=line.cost_type,
                amount=Decimal("1000.00") + i,
            )
            for i, item in enumerate(items)
        )
    first = export_send(item=items[0], actor=pm)
    rest = ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type=ObjectType.COMMITMENT,
            item_id=item.pk,
            project=template.project,
            state=first.state,
            direct=first.direct,
            summary={**first.summary, "label": str(item), "number": item.number},
            sent_by=pm,
            sent_at=now,
            decided_by=first.decided_by,
            decided_at=first.decided_at,
        )
        for item in items[1:]
    )
    Commitment.objects.filter(pk__in=[i.pk for i in items[1:]]).update(erp_state=first.state)
    return Batch(
        account=account,
        connection=connection,
        item_ids=[i.pk for i in items],
        request_ids=[first.pk, *(r.pk for r in rest)],
        filed_before=filed_before,
    )


def accept(batch: Batch) -> None:
    """The approver accepts them all in one go: the export is enqueued when that commits."""
    pending = list(batch.requests(S.PENDING).values_list("pk", flat=True))
    export_accept(account=batch.account, request_ids=pending, actor=user("approver"))


def assert_exported_exactly_once(batch: Batch) -> None:
    """Every item synced, filed exactly once in the ERP, under the id the portal stored."""
    assert batch.states() == {S.SYNCED: len(batch.request_ids)}
    rows = list(batch.filed().values_list("external_ref", "number"))
    per_item = Counter(int(ref.split(":")[2]) for ref, _ in rows)
    duplicates = {pk: n for pk, n in per_item.items() if n != 1}
    assert not duplicates, f"items filed more than once: {duplicates}"
    assert set(per_item) == set(batch.item_ids), "the ledger holds other items than these"
    assert len(rows) == len(batch.item_ids)
    origin = dict(Commitment.objects.filter(pk__in=batch.item_ids).values_list("pk", "origin_id"))
    filed_as = {int(ref.split(":")[2]): number for ref, number in rows}
    assert origin == filed_as, "an item's ERP id is not the record the ERP filed for it"
    not_synced = Commitment.objects.filter(pk__in=batch.item_ids).exclude(erp_state=ErpState.SYNCED)
    assert not not_synced.exists()


def calls(batch: Batch, *outcomes: str) -> Any:
    found = ErpCall.objects.filter(payload_summary__request__in=batch.request_ids)
    return found.filter(outcome__in=outcomes) if outcomes else found

"""Accepting exports the item to the sandbox ERP, once."""

from __future__ import annotations

import pytest

import approvals.export_tasks  # noqa: F401  (registers the tasks)
from approvals.models import ExportRequest, RequestState
from approvals.pipeline import idempotency_key
from approvals.services import export_accept, export_send
from connectors.sandbox import models as ledger
from demo.seed import seed_demo
from erp.connections import connection_for
from erp.models import ErpCall
from integrations.models import Commitment, ErpState
from tests.factories import demo_user as user


@pytest.mark.django_db
def test_accept_exports_to_the_sandbox_once(django_capture_on_commit_callbacks):
    account = seed_demo()
    item = (
        Commitment.objects.filter(account=account, status="approved", vendor__erp_state="synced")
        .order_by("pk")
        .first()
    )
    request = export_send(item=item, actor=user("pm"))
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(account=account, request_ids=[request.pk], actor=user("approver"))
    item.refresh_from_db()
    assert item.erp_state == ErpState.SYNCED
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.SYNCED
    key = idempotency_key(connection_for(account), ExportRequest.objects.get(pk=request.pk))
    (filed,) = ledger.Commitment.objects.filter(
        ledger=account.slug, data__number=item.number, data__project_number=item.project.number
    )
    assert (filed.number, filed.external_ref) == (item.origin_id, key)
    assert filed.data["number"] == item.number
    assert (
        ErpCall.objects.filter(payload_summary__request=request.pk, outcome="success").count() == 1
    )

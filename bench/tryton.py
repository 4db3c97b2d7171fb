"""Subcontractor invoices per second exported to a real Tryton through the portal (accepted ->
Celery workers -> Tryton connector, batched -> synced) against a direct JSON-RPC script doing
the same creates and posts in the same batches. The goal: the portal within 1.2 times the
direct script's time.

``run(count)`` needs Django set up (``python -m bench`` does it) and a worker broker. Tryton is
the one ``ERP_PORTAL_TRYTON_URL`` names (with ``ERP_PORTAL_TRYTON_DATABASE``, ``_USER``,
``_PASSWORD``), else a fresh one started from the cached template and stopped afterwards.

Both sides file the same invoices: the portal's payloads (two lines on two cost codes, 10%
retainage), the values :mod:`connectors.tryton.mapping` builds from them, created 100 at a time
and posted 100 at a time. Posting dominates (Tryton's ORM, about 0.1 s per invoice in batches).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

BATCH = 100


@contextlib.contextmanager
def _tryton() -> Iterator[dict[str, str]]:
    from connectors.tryton import server
    from connectors.tryton.harness import external_settings

    external = external_settings()
    if external:
        yield external
        return
    with (
        tempfile.TemporaryDirectory(prefix="bench-tryton-") as tmp,
        server.running(Path(tmp)) as running,
    ):
        yield running.settings()


def _synced(item: Any, origin_id: str, code: str = "") -> None:
    type(item).objects.filter(pk=item.pk).update(
        origin_id=origin_id, origin_code=code or origin_id, erp_state="synced"
    )


def _setup(settings: dict[str, str], tag: str) -> tuple[Any, Any, Any]:
    """An account on Tryton with a project, two cost codes, a vendor and a commitment already
    synced (filed by the connector itself). Returns (account, commitment, its lines)."""
    from connectors.base import ObjectType as T
    from connectors.tryton.connector import TrytonConnector
    from erp.models import ErpConnection
    from erp.secrets import seal
    from integrations import models as m
    from integrations.payloads import commitment as commitment_payload
    from integrations.payloads import company, cost_code, project
    from tenancy.models import Account

    # An account of its own each run (the Tryton database may be new: its ids start again).
    account = Account.objects.create(slug=f"bench-tryton-{tag.lower()}", name="Bench on Tryton")
    connection = ErpConnection.objects.filter(account=account).first() or ErpConnection(
        account=account
    )
    connection.connector_key = "tryton"
    connection.settings = {k: v for k, v in settings.items() if k != "password"}
    connection.secrets = seal({"password": settings["password"]})
    connection.is_paused = False
    connection.save()
    connector = TrytonConnector(settings)
    codes, _ = m.StandardCostCodeList.objects.get_or_create(
        account=account, is_erp=True, defaults={"name": "ERP Standard Cost Codes"}
    )
    job = m.Project.objects.create(
        account=account, number=f"B-{tag}", name="Bench Tower", cost_code_list=codes
    )
    _synced(job, connector.export(T.PROJECT, project(job), f"bench:project:{job.pk}:1").origin_id)
    standard = []
    for code in ("03-300", "05-100"):
        sc = m.StandardCostCode.objects.create(
            account=account, code_list=codes, code=code, full_code=f"{tag}-{code}", name=code
        )
        key = f"bench:cost_code:{sc.pk}:1"
        _synced(sc, connector.export(T.COST_CODE, cost_code(sc), key).origin_id)
        standard.append(sc)
    project_codes = [
        m.CostCode.objects.create(account=account, project=job, standard_code=sc) for sc in standard
    ]
    vendor = m.Company.objects.create(account=account, name=f"Bench Concrete {tag}")
    key = f"bench:company:{vendor.pk}:1"
    _synced(vendor, connector.export(T.COMPANY, company(vendor), key).origin_id)
    job.refresh_from_db()
    vendor.refresh_from_db()
    contract = m.Commitment.objects.create(
        account=account,
        project=job,
        vendor=vendor,
        number=f"SC-{tag}",
        title="Bench subcontract",
        status="approved",
        retainage_percent=Decimal("10.00"),
    )
    lines = [
        m.CommitmentLineItem.objects.create(
            commitment=contract, position=i + 1, cost_code=pc, amount=Decimal("1000000.00")
        )
        for i, pc in enumerate(project_codes)
    ]
    key = f"bench:commitment:{contract.pk}:1"
    filed = connector.export(T.COMMITMENT, commitment_payload(contract), key)
    _synced(contract, filed.origin_id, filed.origin_code)
    contract.refresh_from_db()
    return account, contract, lines


def _warm_up(settings: dict[str, str], account: Any, contract: Any, lines: list[Any]) -> None:
    """Post a few invoices first, so neither side pays for Tryton's cold caches."""
    from approvals.models import ExportRequest
    from approvals.pipeline import payload_for
    from connectors.tryton.connector import TrytonConnector

    ids = _invoices(account, contract, lines, 5, 900000)
    requests = ExportRequest.objects.filter(pk__in=ids)
    items = [(payload_for(r), f"warm:{r.pk}") for r in requests]
    TrytonConnector(settings).export_batch("subcontractor_invoice", items)
    requests.delete()


def _invoices(account: Any, contract: Any, lines: list[Any], count: int, start: int) -> list[int]:
    """``count`` approved subcontractor invoices, each with an accepted export request."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from approvals.models import ExportRequest, RequestState
    from integrations import models as m

    today = datetime.date.today()
    invoices = m.SubcontractorInvoice.objects.bulk_create(
        m.SubcontractorInvoice(
            account=account,
            commitment=contract,
            number=str(start + i),
            billing_date=today,
            status="approved",
            erp_state="accepted",
        )
        for i in range(count)
    )
    m.SubcontractorInvoiceLineItem.objects.bulk_create(
        m.SubcontractorInvoiceLineItem(
            invoice=invoice,
            commitment_line=line,
            position=pos + 1,
            work_completed=Decimal("1000.00") + pos,
            work_retainage=Decimal("100.00"),
        )
        for invoice in invoices
        for pos, line in enumerate(lines)
    )
    sender, _ = get_user_model().objects.get_or_create(username="bench-tryton")
    now = timezone.now()
    requests = ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="subcontractor_invoice",
            item_id=invoice.pk,
            project=contract.project,
            state=RequestState.ACCEPTED,
            summary={"label": str(invoice)},
            sent_by=sender,
            sent_at=now,
            decided_by=sender,
            decided_at=now,
        )
        for invoice in invoices
    )
    return [r.pk for r in requests]


def through_portal(request_ids: list[int], env: dict[str, str]) -> float:
    """Seconds from enqueue to the last synced, with two worker processes."""
    from approvals.export_tasks import enqueue
    from approvals.models import ExportRequest, RequestState
    from bench.pipeline import _start_workers

    worker = _start_workers(env)
    try:
        time.sleep(4)  # let the workers boot before the clock starts
        started = time.perf_counter()
        enqueue(request_ids)
        deadline = started + 900
        done = 0
        while time.perf_counter() < deadline:
            states = ExportRequest.objects.filter(pk__in=request_ids)
            failed = list(states.filter(state=RequestState.FAILED).values_list("error", flat=True))
            if failed:
                raise RuntimeError(f"{len(failed)} exports failed, e.g. {failed[0]}")
            done = states.filter(state=RequestState.SYNCED).count()
            if done == len(request_ids):
                return time.perf_counter() - started
            time.sleep(0.1)
        raise RuntimeError(f"Only {done} of {len(request_ids)} exports finished in time.")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def direct(settings: dict[str, str], request_ids: list[int]) -> float:
    """Seconds for a plain JSON-RPC script: the same invoices, created and posted 100 at a time
    (no portal, no lookups)."""
    from approvals.models import ExportRequest
    from approvals.pipeline import payload_for
    from connectors.tryton import mapping as m
    from connectors.tryton.client import TrytonClient
    from connectors.tryton.connector import TrytonConnector

    requests = list(ExportRequest.objects.filter(pk__in=request_ids).order_by("pk"))
    payloads: list[Any] = [payload_for(r) for r in requests]
    connector = TrytonConnector(settings)
    books = connector.books
    c = TrytonClient(settings["url"], settings["database"], settings["user"], settings["password"])
    first = payloads[0]
    (row,) = c.search_read(
        "party.party",
        [("code", "=", first.party_ref)],
        ["code", "addresses", "account_payable", "account_receivable"],
    )
    party = m.Party(row["id"], row["code"], row["addresses"][0], None, None)
    job = int(first.project_ref)
    values = []
    for i, payload in enumerate(payloads):
        value = m.invoice_values(payload, f"direct:{i}", books, party, job, kind="in")
        value["reference"] = f"direct-{value['reference']}"
        values.append(value)
    c.context  # noqa: B018 (log in before the clock starts)
    started = time.perf_counter()
    for at in range(0, len(values), BATCH):
        ids = c.create("account.invoice", values[at : at + BATCH])
        c.button("account.invoice", "post", ids)
    return time.perf_counter() - started


def run(count: int = 200, env: dict[str, str] | None = None) -> dict[str, Any]:
    from django.conf import settings as django_settings
    from django.db import connection

    env = env or dict(os.environ)
    with _tryton() as tryton:
        tag = uuid.uuid4().hex[:6].upper()
        account, contract, lines = _setup(tryton, tag)
        _warm_up(tryton, account, contract, lines)
        portal_ids = _invoices(account, contract, lines, count, 1)
        portal_s = through_portal(portal_ids, env)
        direct_ids = _invoices(account, contract, lines, count, count + 1)
        direct_s = direct(tryton, direct_ids)
    ratio = portal_s / direct_s
    return {
        "invoices": count,
        "batch": BATCH,
        "database": connection.vendor,
        "broker": django_settings.CELERY_BROKER_URL.split("://")[0],
        "portal_invoices_per_s": round(count / portal_s, 2),
        "direct_invoices_per_s": round(count / direct_s, 2),
        "portal_to_direct_time_ratio": round(ratio, 3),
        "goal_ratio": 1.2,
        "goal_met": ratio <= 1.2,
    }

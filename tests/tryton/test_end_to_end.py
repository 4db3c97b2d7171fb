"""End to end: a vendor, a commitment and a subcontractor invoice are sent, accepted and exported
through a real Celery worker to a real Tryton, and found there with the right amounts and
analytic accounts.

Uses the reliability suite's worker (``celery worker`` on a Redis db of its own, sharing the
PostgreSQL test database); needs PostgreSQL and Redis, skipped otherwise. About 20 s.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from connectors.tryton.harness import admin_client
from demo.seed import seed_demo
from erp.connections import connection_for
from erp.models import ErpCall
from erp.secrets import seal
from integrations import models as m
from integrations.models import ErpState
from tenancy.models import Account
from tests.reliability.harness import REDIS_URL, redis_answers, wait_for
from tests.reliability.scenario import user

D = Decimal
TIMEOUT = 90.0
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not ON_POSTGRES, reason="a real worker shares the database with the test: needs PostgreSQL"
    ),
    pytest.mark.skipif(
        ON_POSTGRES and not redis_answers(REDIS_URL), reason=f"Redis does not answer at {REDIS_URL}"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def on_tryton(account: Account, tryton_settings: dict[str, str]) -> None:
    """Point the account's ERP connection at the test Tryton (the password sealed, as the ERP
    connection page stores it)."""
    connection = connection_for(account)
    connection.connector_key = "tryton"
    connection.settings = {k: v for k, v in tryton_settings.items() if k != "password"}
    connection.secrets = seal({"password": tryton_settings["password"]})
    connection.is_paused = False
    connection.auth_failures = 0
    connection.save()


def send_and_accept(items: list[Any], sender: str = "admin") -> list[ExportRequest]:
    """*Send to ERP* each item, then the approver accepts them all (enqueued on commit)."""
    requests = [export_send(item=item, actor=user(sender)) for item in items]
    pending = [r.pk for r in requests if r.state == RequestState.PENDING]
    if pending:
        export_accept(account=items[0].account, request_ids=pending, actor=user("approver"))
    return requests


def wait_synced(items: list[Any]) -> None:
    def synced() -> bool:
        for item in items:
            item.refresh_from_db()
            assert item.erp_state != ErpState.FAILED, ExportRequest.objects.filter(
                item_id=item.pk
            ).values_list("error", flat=True)
        return all(item.erp_state == ErpState.SYNCED for item in items)

    def detail() -> str:
        rows = ErpCall.objects.order_by("-pk").values_list("action", "outcome", "error")[:5]
        return f"{[(str(i), i.erp_state) for i in items]}; last calls {list(rows)}"

    wait_for(synced, TIMEOUT, f"{len(items)} items synced with Tryton", detail=detail)


def test_vendor_commitment_and_invoice_reach_tryton_through_the_worker(worker, tryton_settings):
    account = seed_demo()
    on_tryton(account, tryton_settings)
    # The demo's export history (records that start exported) has its calls already.
    history = list(ErpCall.objects.filter(account=account).values_list("pk", flat=True))
    tag = uuid.uuid4().hex[:6].upper()
    today = datetime.date.today()

    codes = m.StandardCostCodeList.objects.get(account=account, is_erp=True)
    project = m.Project.objects.create(
        account=account,
        number=f"TRY-{tag}",
        name="Tryton Tower",
        address="1801 Wynkoop St",
        city="Denver",
        state_code="CO",
        zip="80202",
        start_date=today,
        estimated_value=D("4200000.00"),
        cost_code_list=codes,
    )
    concrete, steel = (
        m.StandardCostCode.objects.create(
            account=account, code_list=codes, code=code, full_code=f"{tag}-{code}", name=name
        )
        for code, name in (("03-300", "Cast-in-place concrete"), ("05-100", "Structural steel"))
    )
    project_codes = [
        m.CostCode.objects.create(account=account, project=project, standard_code=c)
        for c in (concrete, steel)
    ]
    vendor = m.Company.objects.create(
        account=account,
        name=f"Front Range Concrete {tag}",
        address="4500 Brighton Blvd",
        city="Denver",
        state_code="CO",
        zip="80216",
        email="ap@frontrange.example",
    )

    # 1. The records the commitment refers to: the job, the cost codes, the vendor.
    send_and_accept([project, concrete, steel, vendor])
    wait_synced([project, concrete, steel, vendor])

    # 2. The commitment.
    commitment = m.Commitment.objects.create(
        account=account,
        project=project,
        vendor=vendor,
        number=f"SC-{tag}",
        title="Foundations and slabs",
        status="approved",
        retainage_percent=D("10.00"),
        contract_date=today,
        created_by=user("pm"),
    )
    commitment_lines = [
        m.CommitmentLineItem.objects.create(
            commitment=commitment,
            position=pos,
            description=text,
            cost_code=cost_code,
            amount=amount,
        )
        for pos, text, cost_code, amount in (
            (1, "Footings and slabs", project_codes[0], D("180000.00")),
            (2, "Embeds and anchor bolts", project_codes[1], D("20000.00")),
        )
    ]
    send_and_accept([commitment], sender="pm")
    wait_synced([commitment])

    # 3. The subcontractor's first pay application: 10% retainage held.
    invoice = m.SubcontractorInvoice.objects.create(
        account=account,
        commitment=commitment,
        number="1",
        billing_date=today,
        period_start=today.replace(day=1),
        period_end=today,
        status="approved",
    )
    for pos, line, work, stored in (
        (1, commitment_lines[0], D("45000.00"), D("5000.00")),
        (2, commitment_lines[1], D("8000.00"), D("0.00")),
    ):
        m.SubcontractorInvoiceLineItem.objects.create(
            invoice=invoice,
            commitment_line=line,
            position=pos,
            work_completed=work,
            materials_stored=stored,
            work_retainage=work / 10,
            materials_retainage=stored / 10,
        )
    send_and_accept([invoice], sender="pm")
    wait_synced([invoice])

    # In Tryton, under the ids the portal stored.
    c = admin_client(tryton_settings)
    for item in (project, concrete, steel, vendor, commitment, invoice):
        item.refresh_from_db()
    (party,) = c.search_read("party.party", [("code", "=", vendor.origin_id)], ["name"])
    assert party["name"] == vendor.name
    job_id, concrete_id, steel_id = (int(x.origin_id) for x in (project, concrete, steel))
    (job,) = c.read("analytic_account.account", [job_id], ["code", "name"])
    assert (job["code"], job["name"]) == (project.number, "Tryton Tower")

    (po,) = c.read(
        "purchase.purchase",
        [int(commitment.origin_id)],
        ["reference", "state", "total_amount", "party", "number", "lines"],
    )
    assert po["reference"] == commitment.number
    assert po["state"] == "processing"
    assert po["total_amount"] == D("200000.00")
    assert po["party"] == party["id"]
    assert commitment.origin_code == po["number"]
    po_lines = c.read("purchase.line", po["lines"], ["unit_price", "analytic_accounts"])
    entries = c.read(
        "analytic.account.entry",
        [e for line in po_lines for e in line["analytic_accounts"]],
        ["account"],
    )
    assert sorted(e["account"] for e in entries) == sorted([job_id, job_id, concrete_id, steel_id])

    (inv,) = c.read(
        "account.invoice",
        [int(invoice.origin_id)],
        ["state", "type", "party", "reference", "total_amount", "amount_to_pay", "move"],
    )
    # Earned 58,000 (45,000 + 5,000 stored + 8,000); retainage 5,800 held: 52,200 due.
    assert (inv["state"], inv["type"], inv["party"]) == ("posted", "in", party["id"])
    assert inv["reference"] == f"{commitment.number}/1"
    assert inv["total_amount"] == inv["amount_to_pay"] == D("52200.00")
    lines = c.search_read(
        "account.invoice.line",
        [("invoice", "=", inv["id"])],
        ["account.code", "amount"],
        order=[("id", "ASC")],
    )
    assert [(x["account."]["code"], x["amount"]) for x in lines] == [
        ("5.1.3", D("50000.00")),
        ("5.1.3", D("8000.00")),
        ("2.2.9", D("-5800.00")),
    ]
    analytic = c.search_read(
        "analytic_account.line", [("move_line.move", "=", inv["move"])], ["account", "debit"]
    )
    per_account: dict[int, Decimal] = {}
    for row in analytic:
        per_account[row["account"]] = per_account.get(row["account"], D(0)) + row["debit"]
    assert per_account == {
        job_id: D("58000.00"),
        concrete_id: D("50000.00"),
        steel_id: D("8000.00"),
    }

    # Each went out once, in one successful call.
    exports = ErpCall.objects.filter(
        account=account, action="export", connection__connector_key="tryton"
    ).exclude(pk__in=history)
    assert exports.filter(outcome=ErpCall.Outcome.SUCCESS).count() == 6
    assert not exports.exclude(outcome=ErpCall.Outcome.SUCCESS).exists()

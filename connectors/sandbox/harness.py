"""The sandbox ERP's harness for the connector contract suite (:mod:`connectors.testing`).

Each harness files into a ledger of its own, so tests never see each other's records; faults
come from the connector's own fault-injection settings.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import uuid
from decimal import Decimal
from typing import Any

from connectors.base import Connector, ObjectType
from connectors.imports import PER_JOB, FetchKind, PaymentStatus, SourceType
from connectors.payloads import (
    Address,
    BudgetPayload,
    ChangeOrderPayload,
    CommitmentPayload,
    CompanyPayload,
    CostCodePayload,
    CostLine,
    InvoiceLine,
    InvoicePayload,
    Payload,
    ProjectPayload,
    SubJobPayload,
)
from connectors.sandbox.connector import (
    FETCH_BATCH,
    FETCH_TABLES,
    TABLES,
    SandboxConnector,
    as_json,
)
from connectors.sandbox.console import payment_void
from connectors.sandbox.models import LedgerRecord
from connectors.sandbox.records import fields_of
from connectors.sandbox.seed import ensure_records
from connectors.testing import ConnectorHarness, Fault, InjectedFault

T = ObjectType
DAY = datetime.date(2026, 3, 2)
ADDRESS = Address("1801 Wynkoop St", "Denver", "CO", "80202", "US")
JOB = "J-1001"  # the job the per-job kinds are filed under and fetched for

# The sandbox's own words for each fault (see SandboxConnector._before_call / _after_save).
FAULTS: dict[Fault, tuple[dict[str, str], str]] = {
    Fault.TRANSIENT: ({"transient_error_rate": "1"}, "503 Service Unavailable"),
    Fault.PERMANENT: ({"permanent_error_rate": "1"}, "422 Unprocessable"),
    Fault.AUTHENTICATION: ({"reject_credentials": "yes"}, "401 Unauthorized"),
    Fault.LOST_RESPONSE: ({"lost_response_rate": "1"}, "Timed out waiting for the ERP"),
}

# Numbers the sandbox takes as chosen by the approver (a clash is refused).
CHOSEN: dict[str, str] = {T.COMPANY: "erp_vendor_id", T.PROJECT: "erp_job_number"}


def _cost_lines(n: int, revision: int) -> tuple[CostLine, ...]:
    return tuple(
        CostLine(
            position=pos,
            description=f"Line {pos}",
            amount=Decimal(1000 * n + 100 * pos + 10 * revision).quantize(Decimal("0.01")),
            cost_code=f"0{pos}-100",
            cost_code_ref=f"CC-{1000 + pos}",
            cost_type="L",
            cost_type_ref="CT-1001",
        )
        for pos in (1, 2)
    )


def _invoice_lines(n: int) -> tuple[InvoiceLine, ...]:
    return tuple(
        InvoiceLine(
            position=pos,
            description=f"Pay item {pos}",
            work_completed=Decimal(500 * n + pos),
            materials_stored=Decimal("0"),
            retainage_held=Decimal("50"),
            retainage_released=Decimal("0"),
            cost_code=f"0{pos}-100",
            cost_code_ref=f"CC-{1000 + pos}",
        )
        for pos in (1, 2)
    )


class SandboxHarness(ConnectorHarness):
    connector_class = SandboxConnector
    uses_django_db = True
    fetch_batch_size = FETCH_BATCH

    def __init__(self) -> None:
        self.ledger = f"contract-{uuid.uuid4().hex[:12]}"
        self._numbers = itertools.count(1)

    def settings(self) -> dict[str, Any]:
        return {}

    def connector(self, **overrides: Any) -> Connector:
        """Built as the portal builds it: the ledger is the caller's key, not a setting."""
        return SandboxConnector.for_account(overrides, account_key=self.ledger)

    def sample_payload(self, obj_type: str, n: int, *, revision: int = 0) -> Payload:
        lines = _cost_lines(n, revision)
        total = sum((line.amount for line in lines), Decimal("0"))
        match obj_type:
            case T.COMPANY:
                return CompanyPayload(
                    name=f"Contract Concrete {n}",
                    abbreviated_name=f"CC{n}",
                    vendor_type="subcontractor",
                    address=ADDRESS,
                    email=f"ap{n}@example.com",
                )
            case T.PROJECT:
                return ProjectPayload(
                    number=f"CT-{n:04d}",
                    name=f"Contract Tower {n}",
                    address=ADDRESS,
                    start_date=DAY,
                    completion_date=DAY + datetime.timedelta(days=365),
                    estimated_value=Decimal("2500000.00"),
                    cost_code_list_is_erp=True,
                )
            case T.SUB_JOB:
                return SubJobPayload(code=f"SJ{n}", name=f"Phase {n}", project_ref="J-1001")
            case T.COST_CODE:
                return CostCodePayload(
                    full_code=f"09-{n:03d}", name=f"Finishes {n}", parent_ref=None
                )
            case T.BUDGET:
                return BudgetPayload(
                    project_number=f"CT-{n:04d}", project_ref=f"J-{n}", lines=lines
                )
            case T.COMMITMENT:
                return CommitmentPayload(
                    kind="subcontract",
                    number=f"SC-{n:03d}",
                    title=f"Concrete package {n}",
                    status="approved",
                    project_number="CT-0001",
                    project_ref="J-1001",
                    vendor_name="Contract Concrete",
                    vendor_ref="V-1001",
                    retainage_percent=Decimal("10"),
                    contract_date=DAY,
                    accounting_date=DAY,
                    description="Foundations and slabs",
                    lines=lines,
                    grand_total=total,
                )
            case T.COMMITMENT_CHANGE_ORDER | T.PRIME_CHANGE_ORDER:
                return ChangeOrderPayload(
                    number=f"CO-{n:03d}",
                    title=f"Added scope {n}",
                    status="approved",
                    contract_number="SC-001",
                    contract_ref="PO-1001",
                    project_ref="J-1001",
                    date=DAY,
                    lines=lines,
                    total=total,
                )
            case T.SUBCONTRACTOR_INVOICE | T.OWNER_INVOICE:
                invoice_lines = _invoice_lines(n)
                completed = sum((line.work_completed for line in invoice_lines), Decimal("0"))
                return InvoicePayload(
                    number=f"PA-{n:03d}",
                    billing_date=DAY,
                    period_start=DAY - datetime.timedelta(days=30),
                    period_end=DAY,
                    status="approved",
                    contract_number="SC-001",
                    contract_ref="PO-1001",
                    project_ref="J-1001",
                    party_name="Contract Concrete",
                    party_ref="V-1001",
                    lines=invoice_lines,
                    total_completed=completed,
                    retainage_held=Decimal("100"),
                    amount_due=completed - Decimal("100"),
                )
        raise ValueError(f"No sample {obj_type} for the sandbox.")

    def refused_payload(self, obj_type: str, n: int) -> tuple[Payload, str] | None:
        """A vendor or job whose chosen number the ledger already uses."""
        field = CHOSEN.get(obj_type)
        if field is None:
            return None
        taken = f"TAKEN-{n}"
        ensure_records(self.ledger, obj_type, [(taken, "Already here", {})])
        payload: Any = self.sample_payload(obj_type, n)
        return dataclasses.replace(payload, **{field: taken}), f"{taken} is already used"

    def inject_fault(self, fault: Fault) -> InjectedFault | None:
        settings, message = FAULTS[fault]
        return InjectedFault(self.connector(**settings), message)

    def _records(self, obj_type: str) -> Any:
        table: type[LedgerRecord] = TABLES[obj_type]
        return table._default_manager.filter(ledger=self.ledger)

    def count(self, obj_type: str) -> int:
        return int(self._records(obj_type).count())

    def holds(self, obj_type: str, origin_id: str, payload: Payload) -> bool:
        record = self._records(obj_type).filter(number=origin_id).first()
        return record is not None and record.data == {"type": obj_type, **as_json(payload)}

    def remove_record(self, obj_type: str, origin_id: str) -> None:
        deleted, _ = self._records(obj_type).filter(number=origin_id).delete()
        assert deleted == 1, f"no {obj_type} {origin_id} in the ledger"

    def add_records(self, kind: str, count: int) -> list[str]:
        rows = []
        for _ in range(count):
            seq = next(self._numbers)
            number = f"{FETCH_TABLES[kind].prefix}9{seq:05d}"
            data = filed_by_erp_users(kind, seq)
            rows.append((number, str(data.get("name") or f"{kind} {seq}"), data))
        ensure_records(self.ledger, kind, rows)
        return [number for number, _, _ in rows]

    def fetch_job(self, kind: str) -> str | None:
        return JOB if kind in PER_JOB else None

    def change_record(self, kind: str, origin_id: str) -> None:
        """What an ERP user does to a record: voids a payment, renames the rest."""
        if kind == FetchKind.PAYMENTS:
            payment_void(self.ledger, number=origin_id)
            return
        row = FETCH_TABLES[kind]._default_manager.get(ledger=self.ledger, number=origin_id)
        data = fields_of(kind, row)
        field = next(f for f in ("name", "title", "description") if f in data)
        data[field] = f"{data[field] or ''} (changed)"
        row.data = data
        row.save()


def _lines(seq: int, *, positions: bool) -> list[dict[str, Any]]:
    return [
        {
            "origin_id": f"L-{seq}-{pos}",
            **({"position": pos} if positions else {}),
            "cost_code": f"CC-0{pos}-100",
            "cost_type": "CT-L",
            "description": f"Line {pos}",
            "amount": f"{1000 * seq + pos}.00",
        }
        for pos in (1, 2)
    ]


def filed_by_erp_users(kind: str, seq: int) -> dict[str, Any]:
    """What the ERP keeps for record ``seq`` of ``kind`` its users filed: the fields
    :mod:`connectors.imports` lists, references to records of the ERP."""
    day = (DAY + datetime.timedelta(days=seq % 28)).isoformat()
    match kind:
        case FetchKind.VENDORS:
            return {
                "name": f"Front Range Supply {seq}",
                "tax_id": f"84-{seq:07d}",
                "email": f"ap{seq}@frontrange.example",
                "phone": "303-555-0100",
                "street": ADDRESS.street,
                "city": ADDRESS.city,
                "state_code": ADDRESS.state_code,
                "zip": ADDRESS.zip,
                "country_code": ADDRESS.country_code,
                "is_active": True,
            }
        case FetchKind.JOBS:
            return {
                "name": f"Wynkoop Lofts {seq}",
                "address": ADDRESS.street,
                "city": ADDRESS.city,
                "state_code": ADDRESS.state_code,
                "zip": ADDRESS.zip,
                "country_code": ADDRESS.country_code,
                "start_date": DAY.isoformat(),
                "completion_date": (DAY + datetime.timedelta(days=400)).isoformat(),
                "estimated_value": "4200000.00",
                "is_active": True,
            }
        case FetchKind.SUB_JOBS:
            return {"job": JOB, "code": f"P{seq}", "name": f"Phase {seq}"}
        case FetchKind.PRIME_CONTRACTS:
            return {
                "job": JOB,
                "number": f"{seq:04d}-01",
                "title": f"GMP Agreement {seq}",
                "owner": "V-1001",
                "status": "approved",
                "lines": _lines(seq, positions=True),
            }
        case FetchKind.BUDGETS:
            return {"job": JOB, "name": f"Budget {seq}", "lines": _lines(seq, positions=False)}
        case FetchKind.COST_TYPES:
            return {"code": f"T{seq}", "name": f"Cost type {seq}", "is_active": True}
        case FetchKind.STANDARD_COST_CODES:
            return {
                "code": f"{seq:03d}",
                "full_code": f"09-{seq:03d}",
                "name": f"Finishes {seq}",
                "parent": "CC-09",
                "is_active": True,
            }
        case FetchKind.JOB_COST_TRANSACTIONS:
            return {
                "job": JOB,
                "sub_job": None,
                "cost_code": "CC-03-300",
                "cost_type": "CT-M",
                "vendor": "V-1001",
                "amount": f"{seq}.25",
                "reference_date": day,
                "post_date": day,
                "source_type": SourceType.AP_INVOICE.value,
                "source_document": f"RMC-{seq:05d}",
                "description": f"Ready-mix delivery {seq}",
            }
        case FetchKind.PAYMENTS:
            return {
                "invoice_type": "subcontractor_invoice",
                "invoice": "INV-1001",
                "amount": f"{seq}.00",
                "paid_on": day,
                "method": "check",
                "check_number": f"{seq:06d}",
                "status": PaymentStatus.PARTIAL.value,
            }
    raise ValueError(f"The sandbox sends no {kind}.")

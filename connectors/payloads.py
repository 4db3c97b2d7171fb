"""What the portal hands a connector: plain, typed records, never the portal's models.

Each payload carries the ERP references (``*_ref``: the ``origin_id`` of a record already synced
with the ERP, or None) that the ERP needs to file it. Validation rules read these attributes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Address:
    street: str = ""
    city: str = ""
    state_code: str = ""
    zip: str = ""
    country_code: str = ""


@dataclass(frozen=True)
class CostLine:
    position: int
    description: str
    amount: Decimal
    cost_code: str | None  # the code as users know it (e.g. "03-300")
    cost_code_ref: str | None  # the ERP's id of the cost code, if synced
    cost_type: str | None = None
    cost_type_ref: str | None = None
    quantity: Decimal | None = None
    uom: str = ""
    unit_cost: Decimal | None = None
    source_line_ref: str | None = None  # the contract line an invoice or change order line hits
    # What the owner is billed for a budget line, where the account exports it; else None.
    billing_amount: Decimal | None = None


@dataclass(frozen=True)
class InvoiceLine:
    position: int
    description: str
    work_completed: Decimal
    materials_stored: Decimal
    retainage_held: Decimal
    retainage_released: Decimal
    cost_code: str | None = None
    cost_code_ref: str | None = None


@dataclass(frozen=True)
class CompanyPayload:
    name: str
    abbreviated_name: str
    vendor_type: str
    address: Address
    phone: str = ""
    email: str = ""
    website: str = ""
    license_number: str = ""
    tax_id: str = ""
    is_active: bool = True
    erp_vendor_id: str = ""  # typed by the approver on accept, when the ERP needs one


@dataclass(frozen=True)
class ProjectPayload:
    number: str
    name: str
    address: Address
    start_date: datetime.date | None
    completion_date: datetime.date | None
    estimated_value: Decimal
    cost_code_list_is_erp: bool
    erp_job_number: str = ""


@dataclass(frozen=True)
class SubJobPayload:
    code: str
    name: str
    project_ref: str | None


@dataclass(frozen=True)
class CostCodePayload:
    full_code: str
    name: str
    parent_ref: str | None


@dataclass(frozen=True)
class BudgetPayload:
    project_number: str
    project_ref: str | None
    lines: tuple[CostLine, ...]


@dataclass(frozen=True)
class CommitmentPayload:
    kind: str  # subcontract or purchase_order
    number: str
    title: str
    status: str
    project_number: str
    project_ref: str | None
    vendor_name: str
    vendor_ref: str | None
    retainage_percent: Decimal
    contract_date: datetime.date | None
    accounting_date: datetime.date | None
    description: str
    lines: tuple[CostLine, ...]
    grand_total: Decimal = Decimal("0.00")
    # The ERP's own contract number, typed by the approver where the account uses the ERP's
    # numbers (Settings); empty: the ERP numbers the commitment itself.
    erp_number: str = ""


@dataclass(frozen=True)
class ChangeOrderPayload:
    """A commitment change order (CCO) or a prime contract change order (PCCO)."""

    number: str
    title: str
    status: str
    contract_number: str
    contract_ref: str | None
    project_ref: str | None
    date: datetime.date | None
    lines: tuple[CostLine, ...]
    total: Decimal = Decimal("0.00")
    erp_number: str = ""  # the ERP's change order number, typed on accept (as for commitments)


@dataclass(frozen=True)
class InvoicePayload:
    """A subcontractor invoice (payable) or an owner invoice (receivable)."""

    number: str
    billing_date: datetime.date
    period_start: datetime.date | None
    period_end: datetime.date | None
    status: str
    contract_number: str
    contract_ref: str | None
    project_ref: str | None
    party_name: str  # the vendor (payable) or the owner (receivable)
    party_ref: str | None
    lines: tuple[InvoiceLine, ...] = field(default_factory=tuple)
    total_completed: Decimal = Decimal("0.00")
    retainage_held: Decimal = Decimal("0.00")
    amount_due: Decimal = Decimal("0.00")


Payload = (
    CompanyPayload
    | ProjectPayload
    | SubJobPayload
    | CostCodePayload
    | BudgetPayload
    | CommitmentPayload
    | ChangeOrderPayload
    | InvoicePayload
)

"""Build the plain payload a connector receives from a portal record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

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
from integrations import models as m

ZERO = Decimal("0.00")


def ref(record: Any) -> str | None:
    """The ERP id of a record, if it is synced with the ERP."""
    if record is None or record.erp_state != m.ErpState.SYNCED:
        return None
    return str(record.origin_id) if record.origin_id else None


def _address(record: Any) -> Address:
    return Address(record.address, record.city, record.state_code, record.zip, record.country_code)


def _cost_lines(lines: Iterable[Any], source: str | None = None) -> tuple[CostLine, ...]:
    out = []
    for line in lines:
        code = line.cost_code.standard_code if line.cost_code else None
        source_line = getattr(line, source) if source else None
        out.append(
            CostLine(
                position=line.position,
                description=line.description,
                amount=line.amount,
                cost_code=code.full_code if code else None,
                cost_code_ref=ref(code),
                cost_type=line.cost_type.code if line.cost_type else None,
                cost_type_ref=ref(line.cost_type),
                quantity=getattr(line, "quantity", None),
                uom=getattr(line, "uom", ""),
                unit_cost=getattr(line, "unit_cost", None),
                source_line_ref=str(source_line.pk) if source_line else None,
            )
        )
    return tuple(out)


LINE_RELATED = ("cost_code__standard_code", "cost_type")
# What each payload reads of its record's lines: read with them, or prefetched for a whole batch
# by the export pipeline (:func:`lines_prefetch`).
LINES_READ: dict[type[Any], tuple[str, ...]] = {
    m.Budget: LINE_RELATED,
    m.Commitment: LINE_RELATED,
    m.CommitmentChangeOrder: (*LINE_RELATED, "commitment_line"),
    m.PrimeContractChangeOrder: (*LINE_RELATED, "prime_line"),
    m.SubcontractorInvoice: ("commitment_line__cost_code__standard_code",),
    m.OwnerInvoice: ("prime_line__cost_code__standard_code",),
}


def lines_prefetch(model: type[Any]) -> list[Prefetch]:
    """The prefetch that gives records of ``model`` their lines the way their payloads read
    them: one query for a whole batch instead of one per record."""
    related = LINES_READ.get(model)
    if related is None:
        return []
    lines = model._meta.get_field("lines").related_model
    return [Prefetch("lines", queryset=lines._default_manager.select_related(*related))]


def _lines(item: Any) -> list[Any]:
    if "lines" in getattr(item, "_prefetched_objects_cache", {}):
        return list(item.lines.all())
    return list(item.lines.select_related(*LINES_READ[type(item)]))


def company(item: m.Company) -> CompanyPayload:
    return CompanyPayload(
        name=item.name,
        abbreviated_name=item.abbreviated_name,
        vendor_type=item.vendor_type,
        address=_address(item),
        phone=item.phone,
        email=item.email,
        website=item.website,
        license_number=item.license_number,
        tax_id=item.tax_id,
        is_active=item.is_active,
    )


def project(item: m.Project) -> ProjectPayload:
    return ProjectPayload(
        number=item.number,
        name=item.name,
        address=_address(item),
        start_date=item.start_date,
        completion_date=item.completion_date,
        estimated_value=item.estimated_value,
        cost_code_list_is_erp=bool(item.cost_code_list and item.cost_code_list.is_erp),
    )


def sub_job(item: m.SubJob) -> SubJobPayload:
    return SubJobPayload(code=item.code, name=item.name, project_ref=ref(item.project))


def cost_code(item: m.StandardCostCode) -> CostCodePayload:
    return CostCodePayload(full_code=item.full_code, name=item.name, parent_ref=ref(item.parent))


def budget(item: m.Budget) -> BudgetPayload:
    """The budget's lines, each with its billing amount where the account exports it (the
    account's setting; ``None`` otherwise)."""
    lines = _lines(item)
    cost_lines = _cost_lines(lines)
    if item.account.export_budget_billing_amount:
        cost_lines = tuple(
            replace(cost, billing_amount=line.billing_amount)
            for cost, line in zip(cost_lines, lines, strict=True)
        )
    return BudgetPayload(
        project_number=item.project.number, project_ref=ref(item.project), lines=cost_lines
    )


def commitment(item: m.Commitment) -> CommitmentPayload:
    lines = _cost_lines(_lines(item))
    return CommitmentPayload(
        kind=item.kind,
        number=item.number,
        title=item.title,
        status=item.status,
        project_number=item.project.number,
        project_ref=ref(item.project),
        vendor_name=item.vendor.name,
        vendor_ref=ref(item.vendor),
        retainage_percent=item.retainage_percent,
        contract_date=item.contract_date,
        accounting_date=item.accounting_date,
        description=item.description,
        lines=lines,
        grand_total=sum((line.amount for line in lines), ZERO),
    )


def _change_order(item: Any, *, contract: Any, source: str, date: Any) -> ChangeOrderPayload:
    lines = _cost_lines(_lines(item), source)
    return ChangeOrderPayload(
        number=item.number,
        title=item.title,
        status=item.status,
        contract_number=contract.number,
        contract_ref=ref(contract),
        project_ref=ref(contract.project),
        date=date,
        lines=lines,
        total=sum((line.amount for line in lines), ZERO),
    )


def commitment_change_order(item: m.CommitmentChangeOrder) -> ChangeOrderPayload:
    return _change_order(
        item, contract=item.commitment, source="commitment_line", date=item.due_date
    )


def prime_change_order(item: m.PrimeContractChangeOrder) -> ChangeOrderPayload:
    return _change_order(item, contract=item.prime_contract, source="prime_line", date=item.date)


def _invoice_lines(lines: Iterable[Any], source: str) -> tuple[InvoiceLine, ...]:
    out = []
    for line in lines:
        contract_line = getattr(line, source)
        code = contract_line.cost_code.standard_code if contract_line.cost_code else None
        out.append(
            InvoiceLine(
                position=line.position,
                description=line.description or contract_line.description,
                work_completed=line.work_completed,
                materials_stored=line.materials_stored,
                retainage_held=line.work_retainage + line.materials_retainage,
                retainage_released=line.retainage_released,
                cost_code=code.full_code if code else None,
                cost_code_ref=ref(code),
            )
        )
    return tuple(out)


def _invoice(
    item: m.SubcontractorInvoice | m.OwnerInvoice,
    *,
    number: str,
    contract: Any,
    party: Any,
    lines: tuple[InvoiceLine, ...],
) -> InvoicePayload:
    completed = sum((x.work_completed + x.materials_stored for x in lines), ZERO)
    held = sum((x.retainage_held for x in lines), ZERO)
    released = sum((x.retainage_released for x in lines), ZERO)
    return InvoicePayload(
        number=number,
        billing_date=item.billing_date,
        period_start=item.period_start,
        period_end=item.period_end,
        status=item.status,
        contract_number=contract.number,
        contract_ref=ref(contract),
        project_ref=ref(contract.project),
        party_name=party.name if party else "",
        party_ref=ref(party),
        lines=lines,
        total_completed=completed,
        retainage_held=held,
        amount_due=completed - held + released,
    )


def subcontractor_invoice(item: m.SubcontractorInvoice) -> InvoicePayload:
    rows = _lines(item)
    contract = item.commitment
    return _invoice(
        item,
        number=item.number,
        contract=contract,
        party=contract.vendor,
        lines=_invoice_lines(rows, "commitment_line"),
    )


def owner_invoice(item: m.OwnerInvoice) -> InvoicePayload:
    rows = _lines(item)
    contract = item.prime_contract
    return _invoice(
        item,
        number=str(item.application_number),
        contract=contract,
        party=contract.owner,
        lines=_invoice_lines(rows, "prime_line"),
    )


def amount_of(payload: Payload) -> Decimal | None:
    """The money figure the queue shows for an item, if it has one."""
    for name in ("grand_total", "total", "amount_due"):
        if hasattr(payload, name):
            return Decimal(getattr(payload, name))
    if isinstance(payload, BudgetPayload):
        return sum((line.amount for line in payload.lines), ZERO)
    return None

"""The record pages: which records the web UI lists, shows and edits, declared as data.

One :class:`RecordType` per kind of record drives its list (columns, filters, search), detail
and form pages; the generic views in ``integrations.web.views`` read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import DecimalField, Model, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from integrations import models as m


@dataclass(frozen=True)
class Lines:
    """A record's line items, edited inline on its form."""

    model: type[Model]
    fk: str
    fields: tuple[str, ...]
    label: str = "Lines"

    def of(self, record: Model) -> QuerySet[Model]:
        related = [f.name for f in self.model._meta.fields if f.is_relation and f.name != self.fk]
        if "cost_code" in related:
            related.append("cost_code__standard_code")
        return self.model._default_manager.filter(**{self.fk: record}).select_related(*related)


@dataclass(frozen=True)
class RecordType:
    key: str  # URL segment, plural kebab case
    model: type[Model]
    tab: str
    columns: tuple[tuple[str, str], ...]  # (attribute path, heading)
    search: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    form_fields: tuple[str, ...] = ()
    lines: Lines | None = None
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    total_of_lines: str | None = None  # annotate the sum of this line field as `total`
    editable: bool = True
    children: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (related name, key)

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name).title()

    @property
    def label_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural).title()

    def queryset(self) -> QuerySet[Model]:
        qs: QuerySet[Model] = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.total_of_lines:
            qs = qs.annotate(
                total=Coalesce(
                    Sum(f"lines__{self.total_of_lines}"),
                    Value(0),
                    output_field=DecimalField(max_digits=15, decimal_places=2),
                )
            )
        # Meta.ordering is dropped from grouped queries: order explicitly, ending on the key.
        ordering = self.ordering or tuple(str(o) for o in self.model._meta.ordering or ())
        return qs.order_by(*ordering, "pk")

    def search_filter(self, text: str) -> Q:
        query = Q()
        for path in self.search:
            query |= Q(**{f"{path}__icontains": text})
        return query


ERP = ("erp_state", "ERP status")
SOV_FIELDS = (
    "position",
    "description",
    "cost_code",
    "cost_type",
    "quantity",
    "uom",
    "unit_cost",
    "amount",
)
COST_FIELDS = ("position", "description", "cost_code", "cost_type", "amount")
INVOICE_FIELDS = (
    "position",
    "description",
    "work_completed",
    "materials_stored",
    "work_retainage",
    "materials_retainage",
    "retainage_released",
)

RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        key="projects",
        model=m.Project,
        tab="jobs",
        columns=(("number", "Number"), ("name", "Name"), ("city", "City"), ("stage", "Stage"), ERP),
        search=("number", "name", "city"),
        filters=("stage", "erp_state", "is_active"),
        form_fields=(
            "number",
            "name",
            "stage",
            "address",
            "city",
            "state_code",
            "zip",
            "country_code",
            "start_date",
            "completion_date",
            "estimated_value",
            "is_active",
            "erp_integrated",
            "sync_job_costs",
            "cost_code_list",
        ),
        children=(
            ("sub_jobs", "sub-jobs"),
            ("commitments", "commitments"),
            ("prime_contracts", "prime-contracts"),
        ),
    ),
    RecordType(
        key="sub-jobs",
        model=m.SubJob,
        tab="sub-jobs",
        columns=(("project", "Project"), ("code", "Code"), ("name", "Name"), ERP),
        search=("code", "name", "project__name"),
        filters=("project", "erp_state"),
        form_fields=("project", "code", "name"),
        select_related=("project",),
    ),
    RecordType(
        key="companies",
        model=m.Company,
        tab="companies",
        columns=(
            ("name", "Name"),
            ("vendor_type", "Type"),
            ("city", "City"),
            ("state_code", "State"),
            ("origin_code", "ERP vendor id"),
            ERP,
        ),
        search=("name", "abbreviated_name", "city", "email", "origin_code"),
        filters=("vendor_type", "erp_state", "is_active"),
        form_fields=(
            "name",
            "abbreviated_name",
            "vendor_type",
            "address",
            "city",
            "state_code",
            "zip",
            "country_code",
            "phone",
            "email",
            "website",
            "license_number",
            "is_active",
        ),
        children=(("commitments", "commitments"),),
    ),
    RecordType(
        key="standard-cost-codes",
        model=m.StandardCostCode,
        tab="cost-codes",
        columns=(("full_code", "Code"), ("name", "Name"), ("parent", "Division"), ERP),
        search=("full_code", "name"),
        filters=("code_list", "erp_state"),
        form_fields=("code_list", "parent", "code", "full_code", "name", "default_cost_types"),
        select_related=("parent", "code_list"),
    ),
    RecordType(
        key="cost-types",
        model=m.CostType,
        tab="cost-codes",
        columns=(("code", "Code"), ("name", "Name"), ERP),
        search=("code", "name"),
        filters=("erp_state",),
        form_fields=("code", "name"),
    ),
    RecordType(
        key="budgets",
        model=m.Budget,
        tab="budgets",
        columns=(("project", "Project"), ("total", "Total"), ("is_locked", "Locked"), ERP),
        search=("project__name", "project__number"),
        filters=("project", "erp_state"),
        form_fields=("project",),
        lines=Lines(
            m.BudgetLineItem,
            "budget",
            ("position", "cost_code", "cost_type", "sub_job", "description", "amount"),
        ),
        select_related=("project",),
        total_of_lines="amount",
    ),
    RecordType(
        key="prime-contracts",
        model=m.PrimeContract,
        tab="prime-contracts",
        columns=(
            ("number", "Number"),
            ("title", "Title"),
            ("project", "Project"),
            ("owner", "Owner"),
            ("status", "Status"),
            ("total", "Original sum"),
            ERP,
        ),
        search=("number", "title", "project__name"),
        filters=("project", "status", "erp_state"),
        form_fields=(
            "project",
            "number",
            "title",
            "status",
            "owner",
            "accounting_method",
            "retainage_percent",
            "start_date",
            "completion_date",
            "description",
        ),
        lines=Lines(m.PrimeContractLineItem, "contract", SOV_FIELDS, "Schedule of values"),
        select_related=("project", "owner"),
        total_of_lines="amount",
        children=(
            ("change_orders", "prime-contract-change-orders"),
            ("invoices", "owner-invoices"),
        ),
    ),
    RecordType(
        key="commitments",
        model=m.Commitment,
        tab="commitments",
        columns=(
            ("number", "Number"),
            ("title", "Title"),
            ("project", "Project"),
            ("vendor", "Vendor"),
            ("kind", "Type"),
            ("status", "Status"),
            ("total", "Grand total"),
            ERP,
        ),
        search=("number", "title", "vendor__name", "project__name"),
        filters=("project", "kind", "status", "erp_state", "vendor"),
        form_fields=(
            "project",
            "kind",
            "number",
            "title",
            "vendor",
            "status",
            "retainage_percent",
            "contract_date",
            "accounting_date",
            "description",
        ),
        lines=Lines(m.CommitmentLineItem, "commitment", SOV_FIELDS, "Schedule of values"),
        select_related=("project", "vendor"),
        total_of_lines="amount",
        children=(
            ("change_orders", "commitment-change-orders"),
            ("invoices", "subcontractor-invoices"),
        ),
    ),
    RecordType(
        key="commitment-change-orders",
        model=m.CommitmentChangeOrder,
        tab="change-orders",
        columns=(
            ("number", "Number"),
            ("title", "Title"),
            ("commitment", "Commitment"),
            ("status", "Status"),
            ("total", "Amount"),
            ERP,
        ),
        search=("number", "title", "commitment__number", "commitment__title"),
        filters=("commitment__project", "status", "erp_state"),
        form_fields=(
            "commitment",
            "number",
            "title",
            "status",
            "due_date",
            "invoiced_date",
            "paid_date",
            "description",
        ),
        lines=Lines(
            m.CommitmentChangeOrderLineItem,
            "change_order",
            ("position", "commitment_line", *COST_FIELDS[1:]),
        ),
        select_related=("commitment", "commitment__project"),
        total_of_lines="amount",
    ),
    RecordType(
        key="prime-contract-change-orders",
        model=m.PrimeContractChangeOrder,
        tab="change-orders",
        columns=(
            ("number", "Number"),
            ("title", "Title"),
            ("prime_contract", "Prime contract"),
            ("status", "Status"),
            ("date", "Date"),
            ("total", "Amount"),
            ERP,
        ),
        search=("number", "title", "prime_contract__number"),
        filters=("prime_contract__project", "status", "erp_state"),
        form_fields=("prime_contract", "number", "title", "status", "date", "description"),
        lines=Lines(
            m.PrimeContractChangeOrderLineItem,
            "change_order",
            ("position", "prime_line", *COST_FIELDS[1:]),
        ),
        select_related=("prime_contract", "prime_contract__project"),
        total_of_lines="amount",
    ),
    RecordType(
        key="subcontractor-invoices",
        model=m.SubcontractorInvoice,
        tab="invoices",
        columns=(
            ("number", "Invoice #"),
            ("commitment", "Commitment"),
            ("commitment.vendor", "Vendor"),
            ("billing_date", "Billing date"),
            ("status", "Status"),
            ("total", "Work this period"),
            ERP,
        ),
        search=("number", "commitment__number", "commitment__vendor__name"),
        filters=("commitment__project", "status", "erp_state"),
        form_fields=(
            "commitment",
            "number",
            "billing_date",
            "period_start",
            "period_end",
            "status",
            "notes",
        ),
        lines=Lines(
            m.SubcontractorInvoiceLineItem,
            "invoice",
            ("position", "commitment_line", *INVOICE_FIELDS[1:]),
        ),
        select_related=("commitment", "commitment__vendor", "commitment__project"),
        total_of_lines="work_completed",
    ),
    RecordType(
        key="owner-invoices",
        model=m.OwnerInvoice,
        tab="invoices",
        columns=(
            ("application_number", "Application #"),
            ("prime_contract", "Prime contract"),
            ("billing_date", "Billing date"),
            ("status", "Status"),
            ("total", "Work this period"),
            ERP,
        ),
        search=("prime_contract__number", "prime_contract__title"),
        filters=("prime_contract__project", "status", "erp_state"),
        form_fields=(
            "prime_contract",
            "application_number",
            "billing_date",
            "period_start",
            "period_end",
            "status",
            "notes",
        ),
        lines=Lines(
            m.OwnerInvoiceLineItem, "invoice", ("position", "prime_line", *INVOICE_FIELDS[1:])
        ),
        select_related=("prime_contract", "prime_contract__project"),
        total_of_lines="work_completed",
    ),
    RecordType(
        key="direct-costs",
        model=m.DirectCost,
        tab="job-costs",
        columns=(
            ("date", "Date"),
            ("kind", "Type"),
            ("invoice_number", "Invoice #"),
            ("vendor", "Vendor"),
            ("project", "Project"),
            ("status", "Status"),
            ("total", "Amount"),
            ERP,
        ),
        search=("invoice_number", "description", "vendor__name"),
        filters=("project", "kind", "status", "erp_state"),
        form_fields=(
            "project",
            "kind",
            "vendor",
            "invoice_number",
            "date",
            "status",
            "description",
        ),
        lines=Lines(m.DirectCostLineItem, "direct_cost", COST_FIELDS),
        select_related=("project", "vendor"),
        total_of_lines="amount",
    ),
    RecordType(
        key="job-cost-transactions",
        model=m.JobCostTransaction,
        tab="job-costs",
        columns=(
            ("transaction_date", "Date"),
            ("project", "Project"),
            ("cost_code", "Cost code"),
            ("cost_type", "Cost type"),
            ("kind", "Type"),
            ("vendor", "Vendor"),
            ("amount", "Amount"),
        ),
        search=("description", "vendor__name", "origin_id"),
        filters=("project", "kind"),
        select_related=("project", "cost_code__standard_code", "cost_type", "vendor"),
        editable=False,
    ),
    RecordType(
        key="payments",
        model=m.Payment,
        tab="job-costs",
        columns=(
            ("payment_number", "Payment #"),
            ("invoice", "Invoice"),
            ("invoice.commitment.vendor", "Vendor"),
            ("payment_date", "Date"),
            ("status", "Status"),
            ("amount", "Amount"),
        ),
        search=("payment_number", "check_number", "invoice__number"),
        filters=("status",),
        select_related=("invoice__commitment__vendor",),
        editable=False,
    ),
)

BY_KEY: dict[str, RecordType] = {rt.key: rt for rt in RECORD_TYPES}
BY_MODEL: dict[type[Model], RecordType] = {rt.model: rt for rt in RECORD_TYPES}

# The ERP Integrations tool's tabs, in the order users see them.
TABS: tuple[tuple[str, str], ...] = (
    ("jobs", "Jobs"),
    ("sub-jobs", "Sub Jobs"),
    ("companies", "Companies"),
    ("cost-codes", "Cost Codes"),
    ("budgets", "Budgets"),
    ("prime-contracts", "Prime Contracts"),
    ("commitments", "Commitments"),
    ("change-orders", "Change Orders"),
    ("invoices", "Invoices"),
    ("job-costs", "Job Costs"),
)


def types_in_tab(tab: str) -> list[RecordType]:
    return [rt for rt in RECORD_TYPES if rt.tab == tab]

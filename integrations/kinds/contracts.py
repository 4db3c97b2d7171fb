"""Kinds: budgets, prime contracts, commitments and their change orders."""

from __future__ import annotations

from connectors.base import ObjectType as T
from integrations import models as m
from integrations import payloads
from integrations.api import lines as api_lines
from integrations.kinds.base import Api, Erp, IdFilter, Kind, Lines, Web, register
from integrations.kinds.parts import ERP, PROJECT, VENDOR_HELP, lines_of, total_of, under_parent
from permissions.levels import Tool
from permissions.policy import Action

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
NUMBERED = ("number", "title", "status")
SOV_TOTAL = "Sum of the schedule of values."
# The columns every numbered record's list sorts by (its number, title, project, status, ERP).
NUMBERED_SORT = {
    "number": "number",
    "title": "title",
    "project": "project__number",
    "status": "status",
    "erp_state": "erp_state",
}
NET_CHANGE = "Net change: sum of the line amounts."
# A change order's: its project is read through its contract (a column of its own).
CHANGE_ORDER_SORT = {key: path for key, path in NUMBERED_SORT.items() if key != "project"}

register(
    Kind(
        key="budgets",
        model=m.Budget,
        tool=Tool.BUDGET,
        project_path="project",
        web=Web(
            tab="budgets",
            columns=(("project", "Project"), ("total", "Total"), ("is_locked", "Locked"), ERP),
            search=("project__name", "project__number"),
            filters=("project", "erp_state"),
            labels={"is_locked": "Budget locked"},
            sortable={"project": "project__number", "erp_state": "erp_state"},
            form_fields=("project",),
            lines=Lines(
                m.BudgetLineItem,
                "budget",
                (
                    "position",
                    "cost_code",
                    "cost_type",
                    "sub_job",
                    "description",
                    "amount",
                    "billing_amount",
                ),
            ),
            select_related=("project",),
            total_of_lines="amount",
        ),
        api=Api(
            description="Project budgets with their lines.",
            fields=("project", "is_locked", "lines", "total"),
            declared={
                "lines": lines_of(api_lines.BudgetLineSerializer, read_only=True),
                "total": total_of("Sum of the line amounts."),
            },
            filters=("erp_state", "is_locked"),
            id_filters=(PROJECT,),
            search=("project__number", "project__name"),
            ordering=("project__number",),
            prefetch_related=("lines",),
        ),
        erp=Erp(
            T.BUDGET,
            Action.ACCEPT_REJECT_BUDGET,
            payloads.budget,
            related=("project", "account"),
        ),
    ),
    Kind(
        key="prime-contracts",
        model=m.PrimeContract,
        tool=Tool.PRIME_CONTRACTS,
        project_path="project",
        web=Web(
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
            labels={"number": "Number", "retainage_percent": "Retainage %"},
            sortable=NUMBERED_SORT,
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
        api=Api(
            description="Prime contracts with the owner, with their schedule of values.",
            writable=True,
            declared={
                "lines": lines_of(api_lines.PrimeContractLineSerializer),
                "original_sum": total_of(SOV_TOTAL),
            },
            filters=("status", "erp_state"),
            id_filters=(
                PROJECT,
                IdFilter("owner", "owner", "Only contracts with this owner (company id)."),
            ),
            search=("number", "title"),
            ordering=("number", "title", "status"),
            prefetch_related=("lines",),
        ),
    ),
    Kind(
        key="commitments",
        model=m.Commitment,
        tool=Tool.COMMITMENTS,
        project_path="project",
        web=Web(
            tab="commitments",
            columns=(
                ("number", "Number"),
                ("title", "Title"),
                ("project", "Project"),
                ("vendor", "Vendor"),
                ("kind", "Type"),
                ("status", "Status"),
                ("total", "Original value"),
                ERP,
            ),
            search=("number", "title", "vendor__name", "project__name"),
            filters=("project", "kind", "status", "erp_state", "vendor"),
            labels={"number": "Number", "kind": "Type", "retainage_percent": "Retainage %"},
            sortable={**NUMBERED_SORT, "vendor": "vendor__name", "kind": "kind"},
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
        api=Api(
            description=(
                "Commitments (subcontracts and purchase orders) with their schedule of values."
                "\n\nA write that sends `lines` replaces the schedule of values: lines sent with "
                "an `id` are kept (and changed), lines without one are added, lines not sent are "
                "removed."
            ),
            fields=(
                "project",
                "kind",
                "number",
                "title",
                "status",
                "vendor",
                "retainage_percent",
                "description",
                "contract_date",
                "accounting_date",
                "created_by",
                "lines",
                "grand_total",
            ),
            writable=True,
            declared={
                "lines": lambda: api_lines.CommitmentLineSerializer(
                    many=True,
                    required=False,
                    help_text="The schedule of values; a write replaces it.",
                ),
                "grand_total": total_of(SOV_TOTAL),
            },
            filters=("kind", "status", "erp_state"),
            id_filters=(PROJECT, IdFilter("vendor", "vendor", VENDOR_HELP)),
            search=("number", "title", "vendor__name"),
            ordering=("number", "title", "status", "contract_date"),
            prefetch_related=("lines",),
        ),
        erp=Erp(
            T.COMMITMENT,
            Action.ACCEPT_REJECT_COMMITMENT,
            payloads.commitment,
            related=("project", "vendor", "created_by"),
            direct_export_setting="direct_export_commitments",
            notify_creator=True,
            unlink_action=Action.UNLINK_COMMITMENT,
        ),
    ),
    Kind(
        key="commitment-change-orders",
        model=m.CommitmentChangeOrder,
        tool=Tool.COMMITMENTS,
        project_path="commitment__project",
        web=Web(
            tab="change-orders",
            columns=(
                ("number", "Number"),
                ("title", "Title"),
                ("commitment.project", "Project"),
                ("commitment", "Commitment"),
                ("status", "Status"),
                ("total", "Amount"),
                ERP,
            ),
            search=("number", "title", "commitment__number", "commitment__title"),
            filters=("commitment__project", "status", "erp_state"),
            sortable={
                **CHANGE_ORDER_SORT,
                "commitment.project": "commitment__project__number",
                "commitment": "commitment__number",
                "due_date": "due_date",
            },
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
        api=under_parent(
            description="Change orders on commitments (CCOs), with their lines.",
            parent="commitment",
            what="change orders",
            fields=(
                *NUMBERED,
                "due_date",
                "invoiced_date",
                "paid_date",
                "description",
                "created_by",
            ),
            lines=lines_of(api_lines.CommitmentChangeOrderLineSerializer),
            totals=("total", total_of(NET_CHANGE)),
            more_filters=(IdFilter("vendor", "commitment__vendor", VENDOR_HELP),),
            search=("number", "title", "commitment__number"),
            ordering=("number", "title", "status", "due_date"),
        ),
        erp=Erp(
            T.COMMITMENT_CHANGE_ORDER,
            Action.ACCEPT_REJECT_CCO,
            payloads.commitment_change_order,
            label="Commitment change order",
            related=("commitment__project", "created_by"),
            direct_export_setting="direct_export_change_orders",
            notify_creator=True,
            unlink_action=Action.UNLINK_CCO,
        ),
    ),
    Kind(
        key="prime-contract-change-orders",
        model=m.PrimeContractChangeOrder,
        tool=Tool.PRIME_CONTRACTS,
        project_path="prime_contract__project",
        web=Web(
            tab="change-orders",
            columns=(
                ("number", "Number"),
                ("title", "Title"),
                ("prime_contract.project", "Project"),
                ("prime_contract", "Prime contract"),
                ("status", "Status"),
                ("date", "Date"),
                ("total", "Amount"),
                ERP,
            ),
            search=("number", "title", "prime_contract__number"),
            filters=("prime_contract__project", "status", "erp_state"),
            sortable={
                **CHANGE_ORDER_SORT,
                "prime_contract.project": "prime_contract__project__number",
                "prime_contract": "prime_contract__number",
                "date": "date",
            },
            form_fields=("prime_contract", "number", "title", "status", "date", "description"),
            lines=Lines(
                m.PrimeContractChangeOrderLineItem,
                "change_order",
                ("position", "prime_line", *COST_FIELDS[1:]),
            ),
            select_related=("prime_contract", "prime_contract__project"),
            total_of_lines="amount",
        ),
        api=under_parent(
            description="Change orders on prime contracts (PCCOs), with their lines.",
            parent="prime_contract",
            what="change orders",
            fields=(*NUMBERED, "date", "description", "created_by"),
            lines=lines_of(api_lines.PrimeContractChangeOrderLineSerializer),
            totals=("total", total_of(NET_CHANGE)),
            search=("number", "title", "prime_contract__number"),
            ordering=("number", "title", "status", "date"),
        ),
        erp=Erp(
            T.PRIME_CHANGE_ORDER,
            Action.ACCEPT_REJECT_PCCO,
            payloads.prime_change_order,
            label="Prime contract change order",
            related=("prime_contract__project",),
            unlink_action=Action.UNLINK_PCCO,
        ),
    ),
)

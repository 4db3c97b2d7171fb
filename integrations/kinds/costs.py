"""Kinds: subcontractor and owner invoices, direct costs, and what the ERP reports back (job
cost transactions, payments)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import Model
from django_filters import rest_framework as filters
from rest_framework import serializers

from connectors.base import ObjectType as T
from integrations import models as m
from integrations import payloads
from integrations.api import lines as api_lines
from integrations.api.fields import AccountRelatedField
from integrations.api.schema import EnumChoiceField
from integrations.kinds.base import Api, Erp, IdFilter, Kind, Lines, Web, register
from integrations.kinds.contracts import COST_FIELDS
from integrations.kinds.parts import ERP, PROJECT, VENDOR_HELP, lines_of, total_of, under_parent
from permissions.levels import Tool
from permissions.policy import Action
from tenancy.models import Account

INVOICE_FIELDS = ("position", "description", *api_lines.INVOICE_AMOUNTS)
INVOICE = ("billing_date", "period_start", "period_end", "status", "notes")
# What a user may change on a synced job cost (where the account allows it); the rest stays as
# the ERP sent it.
JOB_COST_EDITS = ("description", "cost_code", "cost_type", "amount")
JOB_COST_FROM_ERP = (
    "project",
    "sub_job",
    "source_type",
    "source_document",
    "transaction_date",
    "reference_date",
    "post_date",
    "vendor",
)
# The columns of an invoice's list sorted as dates and states.
DATED_SORT = {"billing_date": "billing_date", "status": "status", "erp_state": "erp_state"}
SYNCED_JOB_COSTS_READ_ONLY = (
    "Synced job costs are read-only: an ERP admin can allow editing them in Settings."
)


def synced_job_cost_edits(account: Account) -> str | None:
    """Job costs come from the ERP; the account's advanced setting lets people correct them."""
    return None if account.allow_editing_synced_job_costs else SYNCED_JOB_COSTS_READ_ONLY


def shown_only(model: type[Model], *names: str) -> dict[str, Callable[[], Any]]:
    """``model``'s API fields ``names`` built as a writable kind's serializer builds them, but
    read-only: shown, never written (the kind's other fields may be)."""
    meta = type("Meta", (), {"model": model, "fields": names, "read_only_fields": names})
    shape = type(
        f"{model.__name__}ShownOnly",
        (serializers.ModelSerializer,),
        {
            "Meta": meta,
            "serializer_related_field": AccountRelatedField,
            "serializer_choice_field": EnumChoiceField,
        },
    )
    return {name: partial(_field_of, shape, name) for name in names}


def _field_of(shape: type[serializers.ModelSerializer[Any]], name: str) -> Any:
    return shape().get_fields()[name]


register(
    Kind(
        key="subcontractor-invoices",
        model=m.SubcontractorInvoice,
        tool=Tool.INVOICING,
        project_path="commitment__project",
        web=Web(
            tab="invoices",
            columns=(
                ("number", "Invoice #"),
                ("commitment.project", "Project"),
                ("commitment", "Commitment"),
                ("commitment.vendor", "Vendor"),
                ("billing_date", "Billing date"),
                ("status", "Status"),
                ("total", "Work this period"),
                ERP,
            ),
            search=("number", "commitment__number", "commitment__vendor__name"),
            filters=("commitment__project", "status", "erp_state"),
            sortable={
                "number": "number",
                "commitment.project": "commitment__project__number",
                "commitment": "commitment__number",
                "commitment.vendor": "commitment__vendor__name",
                **DATED_SORT,
            },
            form_fields=("commitment", "number", *INVOICE[:3], "status", "notes"),
            lines=Lines(
                m.SubcontractorInvoiceLineItem,
                "invoice",
                ("position", "commitment_line", *INVOICE_FIELDS[1:]),
            ),
            select_related=("commitment", "commitment__vendor", "commitment__project"),
            total_of_lines="work_completed",
        ),
        api=under_parent(
            description="Subcontractor invoices (requisitions), with their lines and G702 totals.",
            parent="commitment",
            what="invoices",
            fields=("number", *INVOICE),
            lines=lines_of(api_lines.SubcontractorInvoiceLineSerializer),
            totals=("totals", api_lines.invoice_totals),
            more_filters=(IdFilter("vendor", "commitment__vendor", VENDOR_HELP),),
            search=("number", "commitment__number", "commitment__title"),
            ordering=("number", "billing_date", "status"),
        ),
        erp=Erp(
            T.SUBCONTRACTOR_INVOICE,
            Action.ACCEPT_REJECT_SUBCONTRACTOR_INVOICES,
            payloads.subcontractor_invoice,
            label="Subcontractor invoice",
            related=("commitment__project", "commitment__vendor"),
            direct_export_setting="direct_export_invoices",
            unlink_action=Action.UNLINK_SUBCONTRACTOR_INVOICE,
        ),
    ),
    Kind(
        key="owner-invoices",
        model=m.OwnerInvoice,
        tool=Tool.INVOICING,
        project_path="prime_contract__project",
        web=Web(
            tab="invoices",
            columns=(
                ("application_number", "Application #"),
                ("prime_contract.project", "Project"),
                ("prime_contract", "Prime contract"),
                ("billing_date", "Billing date"),
                ("status", "Status"),
                ("total", "Work this period"),
                ERP,
            ),
            search=("prime_contract__number", "prime_contract__title"),
            filters=("prime_contract__project", "status", "erp_state"),
            sortable={
                "application_number": "application_number",
                "prime_contract.project": "prime_contract__project__number",
                "prime_contract": "prime_contract__number",
                **DATED_SORT,
            },
            form_fields=("prime_contract", "application_number", *INVOICE[:3], "status", "notes"),
            lines=Lines(
                m.OwnerInvoiceLineItem, "invoice", ("position", "prime_line", *INVOICE_FIELDS[1:])
            ),
            select_related=("prime_contract", "prime_contract__project"),
            total_of_lines="work_completed",
        ),
        api=under_parent(
            description="Owner invoices (payment applications), with their lines and G702 totals.",
            parent="prime_contract",
            what="invoices",
            fields=("application_number", *INVOICE),
            lines=lines_of(api_lines.OwnerInvoiceLineSerializer),
            totals=("totals", api_lines.invoice_totals),
            search=("prime_contract__number", "prime_contract__title", "notes"),
            ordering=("application_number", "billing_date", "status"),
        ),
        erp=Erp(
            T.OWNER_INVOICE,
            Action.ACCEPT_REJECT_OWNER_INVOICES,
            payloads.owner_invoice,
            label="Owner invoice",
            related=("prime_contract__project", "prime_contract__owner"),
            direct_export_setting="direct_export_invoices",
            unlink_action=Action.UNLINK_OWNER_INVOICE,
        ),
    ),
    Kind(
        key="direct-costs",
        model=m.DirectCost,
        tool=Tool.DIRECT_COSTS,
        project_path="project",
        web=Web(
            tab="job-costs",
            columns=(
                ("date", "Date"),
                ("kind", "Type"),
                ("invoice_number", "Invoice #"),
                ("vendor", "Vendor"),
                ("project", "Project"),
                ("status", "Status"),
                ("total", "Amount"),
            ),
            search=("invoice_number", "description", "vendor__name"),
            filters=("project", "kind", "status"),
            sortable={
                "date": "date",
                "kind": "kind",
                "invoice_number": "invoice_number",
                "vendor": "vendor__name",
                "project": "project__number",
                "status": "status",
            },
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
        api=Api(
            description="Direct costs (invoices, expenses, payroll) with their lines.",
            fields=(
                "project",
                "kind",
                "vendor",
                "invoice_number",
                "date",
                "status",
                "description",
                "lines",
                "total",
            ),
            writable=True,
            declared={
                "lines": lines_of(api_lines.DirectCostLineSerializer),
                "total": total_of("Sum of the line amounts."),
            },
            filters=("kind", "status", "erp_state"),
            id_filters=(PROJECT, IdFilter("vendor", "vendor", VENDOR_HELP)),
            search=("invoice_number", "description"),
            ordering=("date", "invoice_number", "status"),
            prefetch_related=("lines",),
        ),
    ),
    Kind(
        key="job-cost-transactions",
        model=m.JobCostTransaction,
        tool=Tool.DIRECT_COSTS,
        project_path="project",
        web=Web(
            tab="job-costs",
            columns=(
                ("transaction_date", "Date"),
                ("project", "Project"),
                ("cost_code", "Cost code"),
                ("cost_type", "Cost type"),
                ("source_type", "Source"),
                ("source_document", "Document"),
                ("vendor", "Vendor"),
                ("amount", "Amount"),
            ),
            search=("description", "vendor__name", "origin_id"),
            filters=("project", "source_type"),
            sortable={
                "transaction_date": "transaction_date",
                "project": "project__number",
                "source_type": "source_type",
                "source_document": "source_document",
                "vendor": "vendor__name",
                "amount": "amount",
            },
            form_fields=JOB_COST_EDITS,
            select_related=("project", "cost_code__standard_code", "cost_type", "vendor"),
        ),
        api=Api(
            description=(
                "Posted costs imported from the ERP's job cost ledger. Never created or deleted "
                "here; their description, cost code, cost type and amount may be changed (PATCH) "
                "where the account allows editing synced job costs. Changes are not sent to the "
                "ERP: the next sync that brings the transaction again overwrites them."
            ),
            fields=(
                "project",
                "sub_job",
                "cost_code",
                "cost_type",
                "source_type",
                "source_document",
                "transaction_date",
                "reference_date",
                "post_date",
                "vendor",
                "description",
                "amount",
            ),
            writable=True,
            declared=shown_only(m.JobCostTransaction, *JOB_COST_FROM_ERP),
            filters=("source_type",),
            id_filters=(
                PROJECT,
                IdFilter("vendor", "vendor", VENDOR_HELP),
                IdFilter("cost_code", "cost_code", "Only transactions on this cost code (id)."),
                IdFilter("cost_type", "cost_type", "Only transactions of this cost type (id)."),
            ),
            extra_filters={
                "date_from": lambda: filters.DateFilter(
                    field_name="transaction_date", lookup_expr="gte"
                ),
                "date_to": lambda: filters.DateFilter(
                    field_name="transaction_date", lookup_expr="lte"
                ),
            },
            search=("description", "origin_code", "source_document"),
            ordering=("transaction_date", "amount"),
        ),
        creatable=False,
        edits_refused=synced_job_cost_edits,
    ),
    Kind(
        key="payments",
        model=m.Payment,
        tool=Tool.COMMITMENTS,
        project_path="project",
        web=Web(
            tab="job-costs",
            columns=(
                ("payment_number", "Payment #"),
                ("project", "Project"),
                ("invoice", "Subcontractor invoice"),
                ("owner_invoice", "Owner invoice"),
                ("method", "Method"),
                ("check_number", "Check #"),
                ("payment_date", "Date"),
                ("status", "Status"),
                ("amount", "Amount"),
            ),
            search=(
                "payment_number",
                "check_number",
                "invoice__number",
                "owner_invoice__application_number",
            ),
            filters=("project", "status"),
            sortable={
                "payment_number": "payment_number",
                "project": "project__number",
                "payment_date": "payment_date",
                "status": "status",
                "amount": "amount",
            },
            select_related=("project", "invoice", "owner_invoice"),
        ),
        api=Api(
            description=(
                "Payments synced from the ERP: paid on subcontractor invoices, received on owner "
                "invoices (read-only; a voided payment has status void)."
            ),
            fields=(
                "invoice",
                "owner_invoice",
                "project",
                "payment_number",
                "amount",
                "status",
                "payment_date",
                "method",
                "check_number",
                "bank_id",
                "changed_at",
            ),
            filters=("status", "erp_state"),
            id_filters=(
                PROJECT,
                IdFilter("invoice", "invoice", "Only payments of this subcontractor invoice (id)."),
                IdFilter(
                    "owner_invoice", "owner_invoice", "Only payments of this owner invoice (id)."
                ),
                IdFilter("vendor", "invoice__commitment__vendor", VENDOR_HELP),
            ),
            search=("payment_number", "check_number"),
            ordering=("payment_date", "amount", "status"),
            select_related=("project",),
        ),
    ),
)

"""What the API shows of each record, and what it accepts on writes.

References are ids of records of the same account. ERP fields (``origin_*``, ``erp_state``,
``erp_synced_at``) are read-only: only the export and import workflows change them. Lines are
nested; a write that sends ``lines`` replaces them (see :mod:`integrations.api.lines`).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from integrations import models as m
from integrations.api.fields import ERP_FIELDS, RECORD_FIELDS, LinesTotalField, RecordSerializer
from integrations.api.lines import (
    BudgetLineSerializer,
    CommitmentChangeOrderLineSerializer,
    CommitmentLineSerializer,
    DirectCostLineSerializer,
    InvoiceTotals,
    OwnerInvoiceLineSerializer,
    PrimeContractChangeOrderLineSerializer,
    PrimeContractLineSerializer,
    SubcontractorInvoiceLineSerializer,
)
from integrations.web.registry import BY_KEY
from tenancy.models import Account

READ_ONLY = (*RECORD_FIELDS, *ERP_FIELDS, "created_by")
INVOICE = ("billing_date", "period_start", "period_end", "status", "notes")


def _amount(line: Any) -> Any:
    return line.amount


# --- Accounts and the directory -----------------------------------------------------------------


class AccountSerializer(serializers.ModelSerializer[Account]):
    class Meta:
        model = Account
        fields = ("id", "name", "slug", "allow_standard_approvers")
        read_only_fields = fields


class CompanySerializer(RecordSerializer[m.Company]):
    class Meta:
        model = m.Company
        # The fields a person edits are the web form's: one list for both.
        fields = (*RECORD_FIELDS, *BY_KEY["companies"].form_fields, *ERP_FIELDS)
        read_only_fields = (*RECORD_FIELDS, *ERP_FIELDS)


# --- Projects, sub jobs, cost codes -------------------------------------------------------------


class ProjectSerializer(RecordSerializer[m.Project]):
    class Meta:
        model = m.Project
        fields = (*RECORD_FIELDS, *BY_KEY["projects"].form_fields, *ERP_FIELDS)
        read_only_fields = (*RECORD_FIELDS, *ERP_FIELDS)


class SubJobSerializer(RecordSerializer[m.SubJob]):
    class Meta:
        model = m.SubJob
        fields = (*RECORD_FIELDS, "project", "code", "name", *ERP_FIELDS)
        read_only_fields = fields


class CostTypeSerializer(RecordSerializer[m.CostType]):
    class Meta:
        model = m.CostType
        fields = (*RECORD_FIELDS, "code", "name", *ERP_FIELDS)
        read_only_fields = fields


class StandardCostCodeSerializer(RecordSerializer[m.StandardCostCode]):
    class Meta:
        model = m.StandardCostCode
        fields = (
            *RECORD_FIELDS,
            "code_list",
            "parent",
            "code",
            "full_code",
            "name",
            "default_cost_types",
            *ERP_FIELDS,
        )
        read_only_fields = fields


class CostCodeSerializer(RecordSerializer[m.CostCode]):
    full_code = serializers.CharField(source="standard_code.full_code", read_only=True)
    name = serializers.CharField(source="standard_code.name", read_only=True)

    class Meta:
        model = m.CostCode
        fields = (*RECORD_FIELDS, "project", "sub_job", "standard_code", "full_code", "name")
        read_only_fields = fields


# --- Budgets and contracts ----------------------------------------------------------------------


class BudgetSerializer(RecordSerializer[m.Budget]):
    lines = BudgetLineSerializer(many=True, read_only=True)
    total = LinesTotalField(_amount, help_text="Sum of the line amounts.")

    class Meta:
        model = m.Budget
        fields = (*RECORD_FIELDS, "project", "is_locked", "lines", "total", *ERP_FIELDS)
        read_only_fields = fields


class PrimeContractSerializer(RecordSerializer[m.PrimeContract]):
    lines = PrimeContractLineSerializer(many=True, required=False)
    original_sum = LinesTotalField(_amount, help_text="Sum of the schedule of values.")

    class Meta:
        model = m.PrimeContract
        fields = (
            *RECORD_FIELDS,
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
            "lines",
            "original_sum",
            *ERP_FIELDS,
        )
        read_only_fields = READ_ONLY


class CommitmentSerializer(RecordSerializer[m.Commitment]):
    lines = CommitmentLineSerializer(
        many=True, required=False, help_text="The schedule of values; a write replaces it."
    )
    grand_total = LinesTotalField(_amount, help_text="Sum of the schedule of values.")

    class Meta:
        model = m.Commitment
        fields = (
            *RECORD_FIELDS,
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
            *ERP_FIELDS,
        )
        read_only_fields = READ_ONLY


# --- Change orders ------------------------------------------------------------------------------


class CommitmentChangeOrderSerializer(RecordSerializer[m.CommitmentChangeOrder]):
    project = serializers.IntegerField(source="commitment.project_id", read_only=True)
    lines = CommitmentChangeOrderLineSerializer(many=True, required=False)
    total = LinesTotalField(_amount, help_text="Net change: sum of the line amounts.")

    class Meta:
        model = m.CommitmentChangeOrder
        fields = (
            *RECORD_FIELDS,
            "commitment",
            "project",
            "number",
            "title",
            "status",
            "due_date",
            "invoiced_date",
            "paid_date",
            "description",
            "created_by",
            "lines",
            "total",
            *ERP_FIELDS,
        )
        read_only_fields = READ_ONLY


class PrimeContractChangeOrderSerializer(RecordSerializer[m.PrimeContractChangeOrder]):
    project = serializers.IntegerField(source="prime_contract.project_id", read_only=True)
    lines = PrimeContractChangeOrderLineSerializer(many=True, required=False)
    total = LinesTotalField(_amount, help_text="Net change: sum of the line amounts.")

    class Meta:
        model = m.PrimeContractChangeOrder
        fields = (
            *RECORD_FIELDS,
            "prime_contract",
            "project",
            "number",
            "title",
            "status",
            "date",
            "description",
            "created_by",
            "lines",
            "total",
            *ERP_FIELDS,
        )
        read_only_fields = READ_ONLY


# --- Invoices -----------------------------------------------------------------------------------


class SubcontractorInvoiceSerializer(RecordSerializer[m.SubcontractorInvoice]):
    project = serializers.IntegerField(source="commitment.project_id", read_only=True)
    lines = SubcontractorInvoiceLineSerializer(many=True, required=False)
    totals = InvoiceTotals(source="*", read_only=True)

    class Meta:
        model = m.SubcontractorInvoice
        fields = (
            *RECORD_FIELDS,
            "commitment",
            "project",
            "number",
            *INVOICE,
            "lines",
            "totals",
            *ERP_FIELDS,
        )
        read_only_fields = READ_ONLY


class OwnerInvoiceSerializer(RecordSerializer[m.OwnerInvoice]):
    project = serializers.IntegerField(source="prime_contract.project_id", read_only=True)
    lines = OwnerInvoiceLineSerializer(many=True, required=False)
    totals = InvoiceTotals(source="*", read_only=True)

    class Meta:
        model = m.OwnerInvoice
        fields = (
            *RECORD_FIELDS,
            "prime_contract",
            "project",
            "application_number",
            *INVOICE,
            "lines",
            "totals",
            *ERP_FIELDS,
        )
        read_only_fields = READ_ONLY


# --- Costs and payments -------------------------------------------------------------------------


class DirectCostSerializer(RecordSerializer[m.DirectCost]):
    lines = DirectCostLineSerializer(many=True, required=False)
    total = LinesTotalField(_amount, help_text="Sum of the line amounts.")

    class Meta:
        model = m.DirectCost
        fields = (
            *RECORD_FIELDS,
            "project",
            "kind",
            "vendor",
            "invoice_number",
            "date",
            "status",
            "description",
            "lines",
            "total",
            *ERP_FIELDS,
        )
        read_only_fields = READ_ONLY


class JobCostTransactionSerializer(RecordSerializer[m.JobCostTransaction]):
    class Meta:
        model = m.JobCostTransaction
        fields = (
            *RECORD_FIELDS,
            "project",
            "sub_job",
            "cost_code",
            "cost_type",
            "kind",
            "transaction_date",
            "vendor",
            "description",
            "amount",
            *ERP_FIELDS,
        )
        read_only_fields = fields


class PaymentSerializer(RecordSerializer[m.Payment]):
    project = serializers.IntegerField(source="invoice.commitment.project_id", read_only=True)

    class Meta:
        model = m.Payment
        fields = (
            *RECORD_FIELDS,
            "invoice",
            "project",
            "payment_number",
            "amount",
            "status",
            "payment_date",
            "method",
            "check_number",
            "bank_id",
            *ERP_FIELDS,
        )
        read_only_fields = fields

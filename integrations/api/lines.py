"""Lines sent and shown with their record: schedule-of-values, change-order, budget, invoice
and direct-cost lines, and the invoice totals over them.

A write that sends ``lines`` replaces the record's lines (see
:func:`integrations.services.record_update`): a line with an ``id`` changes that line, one
without is added, lines not sent are removed.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from integrations import models as m
from integrations.api.fields import AccountRelatedField, IdField, LinesTotalField
from integrations.api.schema import EnumChoiceField

COSTED_LINE = ("id", "position", "description", "cost_code", "cost_type", "amount")
SOV_LINE = (*COSTED_LINE, "quantity", "uom", "unit_cost", "tax_code")
# What an invoice line bills (G703 columns); the web form edits the same ones.
INVOICE_AMOUNTS = (
    "work_completed",
    "materials_stored",
    "work_retainage",
    "materials_retainage",
    "retainage_released",
)
INVOICE_LINE = (
    "id",
    "position",
    "description",
    *INVOICE_AMOUNTS,
    "completed_and_stored",
    "net_amount",
)


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=17, decimal_places=2, read_only=True, **kwargs)


class LineSerializer(serializers.ModelSerializer):
    """A line sent with its parent: with ``id`` it changes that line, without it adds one."""

    serializer_related_field = AccountRelatedField
    serializer_choice_field = EnumChoiceField
    id = IdField(
        required=False,
        help_text="An existing line's id, to keep (and change) it. Leave out to add a line.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Under PATCH DRF skips missing fields even in nested lines; a new line needs them all.
        if "id" not in attrs:
            missing = [
                name
                for name, field in self.fields.items()
                if field.required and not field.read_only and name not in attrs
            ]
            if missing:
                raise serializers.ValidationError(
                    {name: ["This field is required for a new line."] for name in missing}
                )
        return attrs


class BudgetLineSerializer(LineSerializer):
    class Meta:
        model = m.BudgetLineItem
        fields = (*COSTED_LINE, "sub_job", "billing_amount")
        read_only_fields = fields


class PrimeContractLineSerializer(LineSerializer):
    class Meta:
        model = m.PrimeContractLineItem
        fields = SOV_LINE


class CommitmentLineSerializer(LineSerializer):
    class Meta:
        model = m.CommitmentLineItem
        fields = SOV_LINE


class CommitmentChangeOrderLineSerializer(LineSerializer):
    class Meta:
        model = m.CommitmentChangeOrderLineItem
        fields = (*COSTED_LINE, "commitment_line")


class PrimeContractChangeOrderLineSerializer(LineSerializer):
    class Meta:
        model = m.PrimeContractChangeOrderLineItem
        fields = (*COSTED_LINE, "prime_line")


class InvoiceLineMixin(LineSerializer):
    completed_and_stored = _money(help_text="Work completed plus materials stored.")
    net_amount = _money(help_text="Completed and stored, less retainage, plus released.")


class InvoiceTotals(serializers.Serializer[Any]):
    """G702 totals over the lines (read-only)."""

    work_completed = LinesTotalField(lambda line: line.work_completed)
    materials_stored = LinesTotalField(lambda line: line.materials_stored)
    completed_and_stored = LinesTotalField(lambda line: line.completed_and_stored)
    retainage = LinesTotalField(lambda line: line.work_retainage + line.materials_retainage)
    retainage_released = LinesTotalField(lambda line: line.retainage_released)
    net_amount = LinesTotalField(lambda line: line.net_amount)


def invoice_totals() -> InvoiceTotals:
    return InvoiceTotals(source="*", read_only=True)


class SubcontractorInvoiceLineSerializer(InvoiceLineMixin):
    class Meta:
        model = m.SubcontractorInvoiceLineItem
        fields = (*INVOICE_LINE, "commitment_line")


class OwnerInvoiceLineSerializer(InvoiceLineMixin):
    class Meta:
        model = m.OwnerInvoiceLineItem
        fields = (*INVOICE_LINE, "prime_line")


class DirectCostLineSerializer(LineSerializer):
    class Meta:
        model = m.DirectCostLineItem
        fields = COSTED_LINE

"""Subcontractor invoices (requisitions) and owner invoices (payment applications, G702/G703)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from integrations.models.base import ErpLinkedModel, not_negative_money, origin_constraint
from tenancy.scoping import AccountScopedQuerySet


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    UNDER_REVIEW = "under_review", "Under review"
    REVISE_AND_RESUBMIT = "revise_and_resubmit", "Revise and resubmit"
    APPROVED = "approved", "Approved"
    APPROVED_AS_NOTED = "approved_as_noted", "Approved as noted"
    PAID = "paid", "Paid"


class BillingPeriodInvoice(ErpLinkedModel):
    billing_date = models.DateField()
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=30, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    notes = models.TextField(blank=True)

    class Meta:
        abstract = True


class InvoiceLine(models.Model):
    """A G703 continuation-sheet line: work and materials this period, and retainage. None of
    its amounts is negative: an invoice that billed too much is revised before it is approved
    (Revise and resubmit), not followed by a line below zero."""

    position = models.PositiveIntegerField(default=1)
    description = models.CharField(max_length=255, blank=True)
    work_completed = not_negative_money(verbose_name="Work completed this period")
    materials_stored = not_negative_money(verbose_name="Materials presently stored")
    work_retainage = not_negative_money(verbose_name="Work retainage this period")
    materials_retainage = not_negative_money(verbose_name="Materials retainage this period")
    retainage_released = not_negative_money()

    # Each line model names its path to the account (``account_path``: through its invoice).
    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"

    @property
    def completed_and_stored(self) -> Decimal:
        return self.work_completed + self.materials_stored

    @property
    def net_amount(self) -> Decimal:
        """What this line bills: completed and stored, less retainage held, plus released."""
        return (
            self.completed_and_stored
            - self.work_retainage
            - self.materials_retainage
            + self.retainage_released
        )


class SubcontractorInvoice(BillingPeriodInvoice):
    commitment = models.ForeignKey(
        "integrations.Commitment", on_delete=models.CASCADE, related_name="invoices"
    )
    number = models.CharField("Invoice #", max_length=30)

    locked_fields = ("number", "billing_date", "status")

    class Meta:
        ordering = ["commitment", "number"]
        constraints = [
            origin_constraint("subcontractorinvoice"),
            models.UniqueConstraint(
                fields=["commitment", "number"], name="subinvoice_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"


class SubcontractorInvoiceLineItem(InvoiceLine):
    account_path = "invoice__account"
    invoice = models.ForeignKey(
        SubcontractorInvoice, on_delete=models.CASCADE, related_name="lines"
    )
    commitment_line = models.ForeignKey(
        "integrations.CommitmentLineItem", on_delete=models.PROTECT, related_name="+"
    )


class OwnerInvoice(BillingPeriodInvoice):
    prime_contract = models.ForeignKey(
        "integrations.PrimeContract", on_delete=models.CASCADE, related_name="invoices"
    )
    application_number = models.PositiveIntegerField("Application #")

    locked_fields = ("application_number", "billing_date", "status")

    class Meta:
        ordering = ["prime_contract", "application_number"]
        constraints = [
            origin_constraint("ownerinvoice"),
            models.UniqueConstraint(
                fields=["prime_contract", "application_number"], name="ownerinvoice_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Pay application #{self.application_number}"


class OwnerInvoiceLineItem(InvoiceLine):
    account_path = "invoice__account"
    invoice = models.ForeignKey(OwnerInvoice, on_delete=models.CASCADE, related_name="lines")
    prime_line = models.ForeignKey(
        "integrations.PrimeContractLineItem", on_delete=models.PROTECT, related_name="+"
    )

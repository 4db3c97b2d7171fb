"""Prime contracts (with the owner) and commitments (subcontracts and purchase orders)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Sum

from integrations.models.base import ErpLinkedModel, origin_constraint, percent
from integrations.models.lines import ScheduleOfValuesLine

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OUT_FOR_BID = "out_for_bid", "Out for bid"
    OUT_FOR_SIGNATURE = "out_for_signature", "Out for signature"
    APPROVED = "approved", "Approved"
    COMPLETE = "complete", "Complete"
    TERMINATED = "terminated", "Terminated"
    VOID = "void", "Void"


class PrimeContract(ErpLinkedModel):
    class AccountingMethod(models.TextChoices):
        AMOUNT = "amount", "Amount based"
        UNIT = "unit", "Unit/quantity based"

    project = models.ForeignKey(
        "integrations.Project", on_delete=models.CASCADE, related_name="prime_contracts"
    )
    number = models.CharField("Contract #", max_length=30)
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    owner = models.ForeignKey(
        "integrations.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accounting_method = models.CharField(
        max_length=10, choices=AccountingMethod.choices, default=AccountingMethod.AMOUNT
    )
    retainage_percent = percent()
    start_date = models.DateField(null=True, blank=True)
    completion_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    if TYPE_CHECKING:
        lines: RelatedManager[PrimeContractLineItem]

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            origin_constraint("primecontract"),
            models.UniqueConstraint(
                fields=["project", "number"], name="primecontract_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def original_sum(self) -> Decimal:
        return self.lines.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


class PrimeContractLineItem(ScheduleOfValuesLine):
    account_path = "contract__account"
    contract = models.ForeignKey(PrimeContract, on_delete=models.CASCADE, related_name="lines")


class Commitment(ErpLinkedModel):
    class Kind(models.TextChoices):
        SUBCONTRACT = "subcontract", "Subcontract"
        PURCHASE_ORDER = "purchase_order", "Purchase order"

    project = models.ForeignKey(
        "integrations.Project", on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SUBCONTRACT)
    number = models.CharField("Contract #", max_length=30)
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    vendor = models.ForeignKey(
        "integrations.Company", on_delete=models.PROTECT, related_name="commitments"
    )
    retainage_percent = percent(verbose_name="Default retainage %")
    description = models.TextField(blank=True)
    contract_date = models.DateField(null=True, blank=True)
    accounting_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    locked_fields = ("vendor", "title", "status", "retainage_percent")

    if TYPE_CHECKING:
        lines: RelatedManager[CommitmentLineItem]

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            origin_constraint("commitment"),
            models.UniqueConstraint(fields=["project", "number"], name="commitment_unique_number"),
        ]
        indexes = [models.Index(fields=["account", "erp_state"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CommitmentLineItem(ScheduleOfValuesLine):
    account_path = "commitment__account"
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="lines")

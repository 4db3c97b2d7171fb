"""Change orders on commitments (CCOs) and on prime contracts (PCCOs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from integrations.models.base import ErpLinkedModel, origin_constraint
from integrations.models.lines import CostedLine


class ChangeOrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    VOID = "void", "Void"


class CommitmentChangeOrder(ErpLinkedModel):
    commitment = models.ForeignKey(
        "integrations.Commitment", on_delete=models.CASCADE, related_name="change_orders"
    )
    number = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=ChangeOrderStatus.choices, default=ChangeOrderStatus.DRAFT
    )
    due_date = models.DateField(null=True, blank=True)
    invoiced_date = models.DateField(null=True, blank=True)
    paid_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    locked_fields = ("title", "status")

    class Meta:
        verbose_name = "commitment change order"
        ordering = ["commitment", "number"]
        constraints = [
            origin_constraint("commitmentchangeorder"),
            models.UniqueConstraint(fields=["commitment", "number"], name="cco_unique_number"),
        ]

    def __str__(self) -> str:
        return f"CCO {self.number} {self.title}"


class CommitmentChangeOrderLineItem(CostedLine):
    account_path = "change_order__account"
    change_order = models.ForeignKey(
        CommitmentChangeOrder, on_delete=models.CASCADE, related_name="lines"
    )
    commitment_line = models.ForeignKey(
        "integrations.CommitmentLineItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class PrimeContractChangeOrder(ErpLinkedModel):
    prime_contract = models.ForeignKey(
        "integrations.PrimeContract", on_delete=models.CASCADE, related_name="change_orders"
    )
    number = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=ChangeOrderStatus.choices, default=ChangeOrderStatus.DRAFT
    )
    date = models.DateField("Change order date", null=True, blank=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    locked_fields = ("title", "status", "date")

    class Meta:
        verbose_name = "prime contract change order"
        ordering = ["prime_contract", "number"]
        constraints = [
            origin_constraint("primecontractchangeorder"),
            models.UniqueConstraint(fields=["prime_contract", "number"], name="pcco_unique_number"),
        ]

    def __str__(self) -> str:
        return f"PCCO {self.number} {self.title}"


class PrimeContractChangeOrderLineItem(CostedLine):
    account_path = "change_order__account"
    change_order = models.ForeignKey(
        PrimeContractChangeOrder, on_delete=models.CASCADE, related_name="lines"
    )
    prime_line = models.ForeignKey(
        "integrations.PrimeContractLineItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

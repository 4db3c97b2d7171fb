"""A project's budget: amount per cost code and cost type."""

from __future__ import annotations

from django.db import models

from integrations.models.base import ErpLinkedModel, money, origin_constraint
from integrations.models.lines import CostedLine


class Budget(ErpLinkedModel):
    project = models.OneToOneField(
        "integrations.Project", on_delete=models.CASCADE, related_name="budget"
    )
    is_locked = models.BooleanField(default=False)

    locked_fields = ("is_locked",)

    class Meta:
        constraints = [origin_constraint("budget")]

    def __str__(self) -> str:
        return f"Budget {self.project}"


class BudgetLineItem(CostedLine):
    account_path = "budget__account"
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    sub_job = models.ForeignKey(
        "integrations.SubJob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    billing_amount = money(
        verbose_name="Billing amount",
        help_text="What the owner is billed for this line (revenue budget).",
    )

    class Meta(CostedLine.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "cost_code", "cost_type"], name="budgetline_unique_code_type"
            )
        ]

"""What every schedule-of-values or budget line has: a cost code, a cost type and an amount."""

from __future__ import annotations

from django.db import models

from integrations.models.base import money, not_negative_money
from integrations.validation import NOT_NEGATIVE
from tenancy.scoping import AccountScopedQuerySet


class CostedLine(models.Model):
    position = models.PositiveIntegerField(default=1)
    description = models.CharField(max_length=255, blank=True)
    cost_code = models.ForeignKey(
        "integrations.CostCode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cost_type = models.ForeignKey(
        "integrations.CostType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = money()

    # Each line model names its path to the account (``account_path``: through its record).
    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.description or self.cost_code}"


class ScheduleOfValuesLine(CostedLine):
    """A contract line: amount, or quantity x unit cost in a unit of measure. None is negative:
    a contract is reduced by a (deductive) change order, not by a line below zero."""

    amount = not_negative_money()
    quantity = models.DecimalField(
        max_digits=15, decimal_places=4, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    uom = models.CharField("Unit", max_length=20, blank=True)
    unit_cost = models.DecimalField(
        max_digits=15, decimal_places=4, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    tax_code = models.CharField(max_length=20, blank=True)

    class Meta(CostedLine.Meta):
        abstract = True

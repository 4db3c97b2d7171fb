"""What every record carries: its account, and the ERP-link fields of exportable or imported
records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.db import models

from integrations.validation import NOT_NEGATIVE, PERCENT_RANGE
from tenancy.models import Account
from tenancy.scoping import AccountScopedQuerySet


def money(**kwargs: Any) -> models.DecimalField[Decimal, Decimal]:
    """A money amount: Decimal with two places, large enough for any construction contract."""
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=15, decimal_places=2, **kwargs)


def not_negative_money(**kwargs: Any) -> models.DecimalField[Decimal, Decimal]:
    """A money amount the business never has below zero (a contract's line, an estimate)."""
    return money(validators=[NOT_NEGATIVE], **kwargs)


def percent(**kwargs: Any) -> models.DecimalField[Decimal, Decimal]:
    """A percentage from 0 to 100 (retainage)."""
    kwargs.setdefault("default", Decimal("0.00"))
    kwargs.setdefault("validators", list(PERCENT_RANGE))
    return models.DecimalField(max_digits=5, decimal_places=2, **kwargs)


class ErpState(models.TextChoices):
    """Where a record stands with the ERP (spec section 2)."""

    UNSENT = "unsent", "Not sent"
    PENDING = "pending", "Ready to Export"
    RETRIEVED = "retrieved", "Retrieved"
    REJECTED = "rejected", "Rejected"
    ACCEPTED = "accepted", "Accepted"
    EXPORTING = "exporting", "Exporting"
    FAILED = "failed", "Failed to Export"
    SYNCED = "synced", "Synced"


# While a record waits for or has reached the ERP, its locked fields cannot change ("failed" too:
# the spec locks it until it is rejected).
LOCKED_STATES = frozenset(
    {ErpState.PENDING, ErpState.ACCEPTED, ErpState.EXPORTING, ErpState.FAILED, ErpState.SYNCED}
)


CHANGED_SINCE_SYNC = "Changed since sync"


class TenantModel(models.Model):
    """A record owned by one account; every query is scoped by it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class ErpLinkedModel(TenantModel):
    """A record that can be linked to an ERP record (exported or imported).

    ``origin_id`` is the ERP's identifier; a record with one is synced. It is unique per account
    and record type (a constraint each concrete model declares with :func:`origin_constraint`).
    """

    origin_id = models.CharField("ERP id", max_length=100, null=True, blank=True)
    origin_code = models.CharField("ERP code", max_length=100, blank=True)
    origin_data = models.JSONField("ERP data", default=dict, blank=True)
    erp_state = models.CharField(
        "ERP status", max_length=12, choices=ErpState.choices, default=ErpState.UNSENT
    )
    erp_synced_at = models.DateTimeField(null=True, blank=True)
    # Edited since it was last synced, where the connector takes updates of its type: it is
    # to be sent again (as an update) so the ERP holds what the portal shows.
    erp_changed = models.BooleanField("Changed since sync", default=False, db_default=False)

    # Fields that may not change while the record is pending or synced (spec section 1).
    locked_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @property
    def is_synced(self) -> bool:
        return self.erp_state == ErpState.SYNCED

    @property
    def changed_since_sync(self) -> bool:
        return self.erp_state == ErpState.SYNCED and self.erp_changed

    @property
    def erp_state_label(self) -> str:
        """Where the record stands with the ERP, in words (a synced record edited since)."""
        return CHANGED_SINCE_SYNC if self.changed_since_sync else ErpState(self.erp_state).label


def origin_constraint(model_name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["account", "origin_id"],
        condition=models.Q(origin_id__isnull=False),
        name=f"{model_name}_unique_origin_id",
    )

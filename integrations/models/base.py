"""Tenancy and the ERP-link fields every exportable or imported record carries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


def money(**kwargs: Any) -> models.DecimalField[Decimal, Decimal]:
    """A money amount: Decimal with two places, large enough for any construction contract."""
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=15, decimal_places=2, **kwargs)


def percent(**kwargs: Any) -> models.DecimalField[Decimal, Decimal]:
    kwargs.setdefault("default", Decimal("0.00"))
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0"))])
    return models.DecimalField(max_digits=5, decimal_places=2, **kwargs)


class Account(models.Model):
    """A contractor's company account: it owns every record, grant and ERP connection."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    allow_standard_approvers = models.BooleanField(
        default=False,
        help_text=(
            "Let users with Standard on the ERP Integrations tool and 'Can Push to Accounting' "
            "accept and reject exports. Off: Admin is required, as the permission matrix shows."
        ),
    )
    notify_approvers_on_send = models.BooleanField(
        "Email approvers when an item is sent",
        default=False,
        help_text="Besides the daily digest. A corrected re-send after a reject always notifies.",
    )
    direct_export_commitments = models.BooleanField(
        "Direct export of commitments", default=False, help_text="Skip accounting approval."
    )
    direct_export_change_orders = models.BooleanField(
        "Direct export of commitment change orders", default=False, help_text="Skip approval."
    )
    direct_export_invoices = models.BooleanField(
        "Direct export of invoices", default=False, help_text="Skip accounting approval."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an account, with the account-wide privileges."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_active = models.BooleanField(default=True)
    job_title = models.CharField(max_length=100, blank=True)
    can_push_to_accounting = models.BooleanField(
        "Can Push to Accounting",
        default=False,
        help_text="Makes the user an Accounting Approver (with Standard or Admin on ERP).",
    )
    subscribe_erp_digest = models.BooleanField("Subscribe to ERP digest emails", default=False)
    can_create_project = models.BooleanField("Create New Project", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account}"


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


class TenantModel(models.Model):
    """A record owned by one account; every query is scoped by it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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

    # Fields that may not change while the record is pending or synced (spec section 1).
    locked_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @property
    def is_synced(self) -> bool:
        return self.erp_state == ErpState.SYNCED


def origin_constraint(model_name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["account", "origin_id"],
        condition=models.Q(origin_id__isnull=False),
        name=f"{model_name}_unique_origin_id",
    )

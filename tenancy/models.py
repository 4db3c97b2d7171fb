"""Accounts (tenants) and who belongs to them.

The tables keep the names they had when these models lived in ``integrations``: moving a model
between apps should not rewrite a production table.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class JobCostDate(models.TextChoices):
    REFERENCE = "reference", "Reference date (the source document's date)"
    POST = "post", "Post date (when the ERP posted it)"


def time_zones() -> list[tuple[str, str]]:
    """The IANA time zones (``America/Chicago``), for a form's choices."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone (e.g. America/Chicago).")


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
    update_companies_on_refresh = models.BooleanField(
        "Update linked companies on refresh",
        default=True,
        help_text="A sync of ERP vendors updates the name and address of companies already linked.",
    )
    job_cost_date = models.CharField(
        "Date of job cost transactions",
        max_length=10,
        choices=JobCostDate.choices,
        default=JobCostDate.POST,
        help_text="Which ERP date a synced job cost carries.",
    )
    time_zone = models.CharField(
        max_length=60,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Sync schedules run, and show their next runs, in this time zone.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "integrations_account"
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
        db_table = "integrations_membership"
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account}"

"""Accounts (tenants) and who belongs to them.

The tables keep the names they had when these models lived in ``integrations``: moving a model
between apps should not rewrite a production table.
"""

from __future__ import annotations

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tenancy.scoping import AccountScopedQuerySet


class JobCostDate(models.TextChoices):
    REFERENCE = "reference", "Reference date (the source document's date)"
    POST = "post", "Post date (when the ERP posted it)"


def time_zones() -> list[tuple[str, str]]:
    """The IANA time zones (``America/Chicago``), for a form's choices."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


CODE_PATTERN = re.compile(r"^[A-Za-z0-9.\-_ *?]+$")


def code_patterns(value: str) -> list[str]:
    """The patterns of a cost-code filter (``01-*, 03-3*``), in the order typed."""
    return [p.strip() for p in value.split(",") if p.strip()]


def validate_code_patterns(value: str) -> None:
    for pattern in code_patterns(value):
        if not CODE_PATTERN.match(pattern):
            raise ValidationError(
                f"{pattern!r} is not a cost code pattern: use letters, digits, . - _ and the "
                "wildcards * and ? (01-*, 03-3*)."
            )


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
    use_portal_contract_numbers = models.BooleanField(
        "Use the portal's contract numbers",
        default=True,
        help_text=(
            "Off: the approver types the ERP's contract number when accepting a commitment or a "
            "prime contract, and the ERP files it under that number."
        ),
    )
    use_portal_change_order_numbers = models.BooleanField(
        "Use the portal's change order numbers",
        default=True,
        help_text=(
            "Off: the approver types the ERP's change order number when accepting a change order."
        ),
    )
    add_budget_pairs = models.BooleanField(
        "Add new cost code and cost type pairs to budgets",
        default=False,
        help_text=(
            "Sending a commitment or change order whose lines use a cost code and cost type the "
            "project's budget lacks adds that pair to the budget at $0."
        ),
    )
    allow_editing_synced_job_costs = models.BooleanField(
        "Allow editing synced direct costs",
        default=False,
        help_text=(
            "Job cost transactions synced from the ERP can be edited here. Edits are not sent to "
            "the ERP: the next sync that brings the transaction again overwrites them."
        ),
    )
    standard_code_filter = models.CharField(
        "Standard cost codes to import",
        max_length=200,
        blank=True,
        validators=[validate_code_patterns],
        help_text=(
            "Only ERP cost codes matching one of these patterns are synced, separated by commas "
            "(01-*, 03-3*). Empty: every code."
        ),
    )
    export_budget_billing_amount = models.BooleanField(
        "Export the billing amount with budgets",
        default=False,
        help_text="Budget lines carry their billing amount (what the owner is billed) to the ERP.",
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

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        db_table = "integrations_membership"
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account}"

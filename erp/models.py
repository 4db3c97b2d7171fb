"""An account's link to its ERP (connector, settings, secrets, pause) and the log of every call
made to it.

The tables keep the names they had when these models lived in ``integrations``.
"""

from __future__ import annotations

from django.db import models

from tenancy.models import Account
from tenancy.scoping import AccountScopedQuerySet


class ErpConnection(models.Model):
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="erp_connection")
    connector_key = models.CharField("Connector", max_length=60, default="sandbox")
    settings = models.JSONField(default=dict, blank=True)
    secrets = models.TextField(blank=True, help_text="Encrypted; never shown back.")
    is_paused = models.BooleanField(default=False)
    paused_reason = models.TextField(blank=True)
    auth_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        db_table = "integrations_erpconnection"

    def __str__(self) -> str:
        return f"{self.account} → {self.connector_key}"


class ErpCall(models.Model):
    """One call to a connector: what was asked, what came back, how long it took."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        TRANSIENT = "transient", "Transient error"
        PERMANENT = "permanent", "Permanent error"
        AUTH = "auth", "Authentication error"
        INTERRUPTED = "interrupted", "Interrupted"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(ErpConnection, on_delete=models.CASCADE, related_name="calls")
    action = models.CharField(max_length=30)  # export, lookup, unlink_check, fetch, test
    item_type = models.CharField(max_length=40, blank=True)
    item_id = models.BigIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    # What the call was about, as the log shows it: {"label": "SC-001: Concrete", ...}.
    payload_summary = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    response = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempt = models.PositiveIntegerField(default=1)
    worker = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    resolved = models.BooleanField(
        default=False, help_text="A later success superseded this error."
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        db_table = "integrations_erpcall"
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["account", "item_type", "item_id"]),
            models.Index(fields=["account", "outcome", "resolved"]),
            models.Index(fields=["connection", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.item_type} {self.item_id}: {self.outcome or 'started'}"

    @property
    def label(self) -> str:
        """The record the call was about, in words."""
        return str(self.payload_summary.get("label") or f"{self.item_type} #{self.item_id}")

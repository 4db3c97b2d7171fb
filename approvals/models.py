"""Export requests: a record's trip through accounting acceptance."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from connectors.base import ObjectType
from tenancy.models import Account
from tenancy.scoping import AccountScopedQuerySet


class RequestState(models.TextChoices):
    PENDING = "pending", "Ready to Export"
    RETRIEVED = "retrieved", "Retrieved"
    REJECTED = "rejected", "Rejected"
    ACCEPTED = "accepted", "Accepted"
    EXPORTING = "exporting", "Exporting"
    FAILED = "failed", "Failed to Export"
    SYNCED = "synced", "Synced"


# A request in one of these states still owns its item: no second request may be opened.
OPEN_STATES = (
    RequestState.PENDING,
    RequestState.ACCEPTED,
    RequestState.EXPORTING,
    RequestState.FAILED,
)


class ExportRequest(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="export_requests")
    item_type = models.CharField(max_length=40, choices=[(t.value, t.value) for t in ObjectType])
    item_id = models.BigIntegerField()
    project = models.ForeignKey(
        "integrations.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=12, choices=RequestState.choices, default=RequestState.PENDING
    )
    direct = models.BooleanField(default=False, help_text="Sent with direct export: no approval.")
    is_resend = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, help_text="What the queue shows, taken at send time.")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    erp_fields = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="The claim of the worker exporting it: only that worker renews the lease.",
    )
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an accepted request is due (after a retry's backoff); the sweeper "
        "enqueues it again once this is well past.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "item_type", "item_id"],
                condition=models.Q(state__in=[s.value for s in OPEN_STATES]),
                name="one_open_export_request_per_item",
            )
        ]
        indexes = [
            models.Index(fields=["account", "state", "item_type", "sent_at"]),
            models.Index(fields=["account", "state", "sent_at", "id"]),
            models.Index(fields=["account", "item_type", "item_id"]),
            # An export batch: the requests one decision moved (approvals.batches).
            models.Index(
                fields=["account", "decided_at", "decided_by"], name="export_request_decision"
            ),
            # What the sweeper reads every few seconds: the few requests in flight.
            models.Index(
                fields=["state", "lease_until"],
                condition=models.Q(state__in=["accepted", "exporting"]),
                name="export_request_in_flight",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_type} {self.summary.get('label', self.item_id)} ({self.state})"

    @property
    def label(self) -> str:
        return str(self.summary.get("label") or f"{self.item_type} #{self.item_id}")

"""The audit trail: who changed what, when, from what to what, and why.

Every service that changes something writes its row in the same transaction as the change
(:func:`audit.services.audit_rows`). The table keeps the name it had in ``approvals``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenancy.models import Account


class AuditEvent(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=30)
    item_type = models.CharField(max_length=40)
    item_id = models.BigIntegerField()
    request_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="The export request, for its events."
    )
    before = models.CharField(max_length=12, blank=True)
    after = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "approvals_auditevent"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["account", "item_type", "item_id"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.item_type} {self.item_id}: {self.before} → {self.after}"

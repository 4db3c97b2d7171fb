"""An account's link to its ERP: which connector, its settings, and whether it is paused."""

from __future__ import annotations

from django.db import models

from integrations.models.base import Account


class ErpConnection(models.Model):
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="erp_connection")
    connector_key = models.CharField("Connector", max_length=60, default="sandbox")
    settings = models.JSONField(default=dict, blank=True)
    is_paused = models.BooleanField(default=False)
    paused_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.account} → {self.connector_key}"

"""The audit trail: who changed what, when, from what to what, and why.

Every service that changes something writes its row in the same transaction as the change
(:func:`audit.services.audit_rows`). The table keeps the name it had in ``approvals``.

A row, once written, is never changed or deleted: the model and its querysets refuse it here,
and on PostgreSQL a trigger refuses ``UPDATE`` and ``DELETE`` on the table for any client
(migration ``audit.0002``). A row keeps plain ids of what it is about (record, export request),
so deleting that keeps its trail; an account or a user with a trail cannot be deleted.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from tenancy.models import Account
from tenancy.scoping import AccountScopedQuerySet


class AuditRowsAreFinal(Exception):
    """Something tried to change or delete a row of the audit trail."""


def _refuse(what: str) -> NoReturn:
    raise AuditRowsAreFinal(
        f"The audit trail cannot be {what}: its rows are written once and kept as written."
    )


class AuditEventQuerySet(AccountScopedQuerySet["AuditEvent"]):
    """Reads and inserts only: ``update()``, ``delete()`` (and ``bulk_update()``, which updates
    through ``update()``) are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("changed")

    def delete(self) -> NoReturn:
        _refuse("deleted")

    def _raw_delete(self, using: Any) -> NoReturn:  # the deletion collector's fast path
        _refuse("deleted")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("changed")


class AuditEvent(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
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
    # A default, not auto_now_add: an import of past history (the demo's) dates its rows when
    # it writes them, since no row may be changed afterwards.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "approvals_auditevent"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["account", "item_type", "item_id"]),
            # The audit page: an account's rows, newest first.
            models.Index(fields=["account", "-created_at", "-id"], name="audit_account_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.item_type} {self.item_id}: {self.before} → {self.after}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleted")

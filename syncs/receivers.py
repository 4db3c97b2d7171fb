"""Keep schedules in step: a connection gets its default schedules when it is saved (a new
one, or another connector), and daily and cron schedules follow the account's time zone. A
record unlinked from the ERP sends the staged record it came from back to Ready to Import."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from erp.models import ErpConnection
from integrations.signals import record_unlinked
from syncs.models import StagedRecord, StagedStatus
from syncs.schedules import ensure_schedules, rewrite_time_zone
from syncs.staging import TARGETS
from tenancy.models import Account


@receiver(post_save, sender=ErpConnection, dispatch_uid="syncs-connection-schedules")
def connection_saved(
    sender: Any,
    instance: ErpConnection,
    raw: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    if not raw and (update_fields is None or "connector_key" in update_fields):
        ensure_schedules(instance)


@receiver(post_save, sender=Account, dispatch_uid="syncs-account-time-zone")
def account_saved(
    sender: Any, instance: Account, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if not raw and (update_fields is None or "time_zone" in update_fields):
        rewrite_time_zone(instance)


@receiver(record_unlinked, dispatch_uid="syncs-unlinked-back-to-staged")
def record_unlinked_back_to_staged(
    sender: Any, account: Account, record: Any, origin_id: str, **kwargs: Any
) -> None:
    """In the unlinking transaction: the staged record (and its lines) waits again."""
    item_types = [t.item_type for t in TARGETS.values() if t.model is sender]
    staged = StagedRecord.objects.filter(
        account=account, item_type__in=item_types, origin_id=origin_id, parent=None
    )
    StagedRecord.objects.filter(parent__in=staged).update(status=StagedStatus.STAGED)
    staged.update(status=StagedStatus.STAGED, linked_id=None)

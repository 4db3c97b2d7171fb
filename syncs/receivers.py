"""Keep schedules in step: a connection gets its default schedules when it is saved (a new
one, or another connector), and daily and cron schedules follow the account's time zone."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from erp.models import ErpConnection
from syncs.schedules import ensure_schedules, rewrite_time_zone
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

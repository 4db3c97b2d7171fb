"""``{% load portal_dates %}``: how long ago something happened, and when something will
happen, in words and the portal's date style."""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.timesince import timesince

register = template.Library()

JUST_NOW = "just now"


@register.filter
def ago(moment: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """``5 minutes ago``, ``2 days ago``; under a minute ``just now`` (never "0 minutes ago")."""
    if moment is None:
        return ""
    now = now or timezone.now()
    if (now - moment).total_seconds() < 60:
        return JUST_NOW
    return f"{timesince(moment, now)} ago"


@register.filter
def upcoming(moment: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """When something will happen, in the current time zone: ``Today at 14:00``, ``Tomorrow at
    02:00``, later ``Dec 3, 2026 14:00`` (the portal's formats)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    days = (local.date() - timezone.localtime(now or timezone.now()).date()).days
    at = formats.time_format(local, "TIME_FORMAT")
    if days == 0:
        return f"Today at {at}"
    if days == 1:
        return f"Tomorrow at {at}"
    return str(formats.date_format(local, "DATETIME_FORMAT"))

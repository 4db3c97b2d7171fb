"""``{% load portal_dates %}``: how long ago something happened, in words."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
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

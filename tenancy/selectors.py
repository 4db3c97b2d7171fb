"""Reads about accounts and their members."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenancy.models import Account


def accounts_for(user: Any) -> QuerySet[Account]:
    """The accounts the user belongs to (all of them, for a superuser)."""
    if user.is_superuser:
        return Account.objects.all()
    return Account.objects.filter(memberships__user=user, memberships__is_active=True)

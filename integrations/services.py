"""Writes to the domain records. Each checks the policy and runs in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm

from integrations.models import Account
from permissions.access import require
from permissions.policy import Action, write_action


@transaction.atomic
def record_save(
    *,
    actor: Any,
    account: Account,
    form: ModelForm,
    lines: BaseInlineFormSet | None = None,
) -> Model:
    """Save a validated record form (and its line items) for ``actor`` in ``account``.

    The account and creator are set here, never taken from input; the policy is asked about
    the record as it will be saved (so moving it to a project you may not edit is refused).
    """
    is_new = form.instance.pk is None
    instance = form.save(commit=False)
    instance.account = account
    if is_new and hasattr(instance, "created_by_id"):
        instance.created_by = actor
    require(actor, write_action(instance), account, obj=instance)
    instance.save()
    form.save_m2m()
    if lines is not None:
        lines.instance = instance
        lines.save()
    return instance


@transaction.atomic
def account_settings_update(
    *, actor: Any, account: Account, name: str, allow_standard_approvers: bool
) -> Account:
    require(actor, Action.CONFIGURE_ADVANCED_SETTINGS, account)
    account.name = name
    account.allow_standard_approvers = allow_standard_approvers
    account.save(update_fields=["name", "allow_standard_approvers"])
    return account

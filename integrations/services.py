"""Writes to the domain records. Each checks the policy and runs in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm

from permissions.access import require
from permissions.policy import Action, write_action
from tenancy.models import Account


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


# The account's switches on the Settings page, and the action each needs.
SETTINGS_FLAGS = (
    "allow_standard_approvers",
    "notify_approvers_on_send",
    "direct_export_commitments",
    "direct_export_change_orders",
    "direct_export_invoices",
)
DIRECT_EXPORT_FLAGS = frozenset(f for f in SETTINGS_FLAGS if f.startswith("direct_export_"))


@transaction.atomic
def account_settings_update(*, actor: Any, account: Account, changes: dict[str, Any]) -> Account:
    """Change the account's name and switches (advanced settings; direct exports need their
    own permission)."""
    require(actor, Action.CONFIGURE_ADVANCED_SETTINGS, account)
    fields = [name for name in ("name", *SETTINGS_FLAGS) if name in changes]
    if any(getattr(account, f) != changes[f] for f in DIRECT_EXPORT_FLAGS if f in changes):
        require(actor, Action.TOGGLE_DIRECT_EXPORTS, account)
    for name in fields:
        setattr(account, name, changes[name])
    account.save(update_fields=fields)
    return account

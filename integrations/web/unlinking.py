"""The *Unlink from ERP* and *Reset* dialogs of a synced record's page: whether to offer them to
this user, the reason forms, and what refused them (shown in place). The services in
:mod:`integrations.unlinking` decide; this only says what the page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model

from integrations.kinds import kind_of
from integrations.models import ErpState
from integrations.unlinking import (
    erp_name_of,
    is_pcco,
    reset_refusal,
    unlink_action,
    unlink_refusal,
)
from permissions.access import can
from permissions.policy import Action
from tenancy.models import Account

UNLINK, RESET = "unlink", "reset"


class UnlinkForm(forms.Form):
    # Required by the service (one rule for the page and the API); the form only reads it.
    reason = forms.CharField(
        label="Why unlink it?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the record's history with the ERP id it had.",
    )


class ResetForm(forms.Form):
    reason = forms.CharField(
        label="Why reset it? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


FORMS: dict[str, type[forms.Form]] = {UNLINK: UnlinkForm, RESET: ResetForm}


def blank_form(what: str) -> forms.Form:
    return FORMS[what](prefix=what)


@dataclass(frozen=True)
class UnlinkOptions:
    """What a synced record's page offers: the unlink dialog (or why the ERP side cannot), the
    PCCO reset dialog (or why not), their forms, and a refusal to show in the open one."""

    erp_name: str  # the ERP record it is linked to
    unlink: bool
    unlink_note: str
    reset: bool
    reset_note: str
    unlink_form: forms.Form
    reset_form: forms.Form
    error: str = ""
    opened: str = ""  # the dialog to show open: the one just refused

    @property
    def shown(self) -> bool:
        return bool(self.unlink or self.unlink_note or self.reset or self.reset_note)


def unlink_options(
    user: Any,
    account: Account,
    record: Model,
    *,
    form: forms.Form | None = None,
    opened: str = "",
    error: str = "",
) -> UnlinkOptions | None:
    """The dialogs for ``record``: only on a synced record, only for those the matrix lets
    unlink it (or, for a PCCO, reset it). ``form`` (of the ``opened`` dialog) keeps the person's
    input after a refusal."""
    linked = getattr(record, "erp_state", None) == ErpState.SYNCED and record.origin_id  # type: ignore[attr-defined]
    if not linked:
        return None
    kind_ = kind_of(record)
    try:
        may_unlink = can(user, unlink_action(kind_), account, obj=record)
    except LookupError:
        may_unlink = False
    may_reset = is_pcco(kind_) and can(user, Action.RESET_PCCO, account, obj=record)
    unlink_note = unlink_refusal(account, record) if may_unlink else ""
    reset_note = reset_refusal(account, record) if may_reset else ""
    options = UnlinkOptions(
        erp_name=erp_name_of(record),
        unlink=may_unlink and not unlink_note,
        unlink_note=unlink_note,
        reset=may_reset and not reset_note,
        reset_note=reset_note,
        unlink_form=form if form is not None and opened == UNLINK else blank_form(UNLINK),
        reset_form=form if form is not None and opened == RESET else blank_form(RESET),
        error=error,
        opened=opened,
    )
    return options if options.shown else None

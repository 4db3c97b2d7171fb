"""Turn a record's attribute into something a table cell can show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Model
from django.utils.formats import date_format

from integrations.models import DirectCost, ErpState, JobCostTransaction, Payment

SYNCED_CHANGED = f"{ErpState.SYNCED.label} · changed since sync"
# Where a record of a kind never sent to the ERP stands (instead of a *Not sent* it can never
# leave): the ERP sent it, or it stays in the portal.
FROM_ERP = "From the ERP"
NEVER_SENT = "Portal only"


@dataclass(frozen=True)
class Cell:
    kind: str  # text, money, bool, date, state, empty
    value: Any
    label: str = ""


def _resolve(obj: Any, path: str) -> tuple[Any, Any]:
    """The object that owns the last attribute of ``path``, and the attribute's value."""
    *hops, last = path.split(".")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None, None
    return obj, getattr(obj, last, None)


def cell_for(obj: Model, path: str, *, sent: bool = True) -> Cell:
    """The cell of ``obj``'s attribute at ``path``; ``sent=False``: the record's kind is never
    sent to the ERP, its ERP status says only whether it came from there."""
    owner, value = _resolve(obj, path)
    last = path.rsplit(".", 1)[-1]
    if last == "erp_state" and value and not sent:
        if value == ErpState.SYNCED or getattr(owner, "origin_id", None):
            return Cell("state", ErpState.SYNCED.value, FROM_ERP)
        return Cell("text", NEVER_SENT)
    if last == "erp_state" and value:
        if getattr(owner, "changed_since_sync", False):  # said in words, not by colour alone
            return Cell("state", value, SYNCED_CHANGED)
        return Cell("state", value, getattr(owner, "erp_state_label", ErpState(value).label))
    if owner is not None and hasattr(owner, f"get_{last}_display"):
        return Cell("text", getattr(owner, f"get_{last}_display")())
    if value is None or value == "":
        return Cell("empty", None)
    if hasattr(value, "all") and callable(value.all):  # a many-to-many manager
        return Cell("text", ", ".join(str(item) for item in value.all()))
    if isinstance(value, bool):
        return Cell("bool", value, "Yes" if value else "No")
    if isinstance(value, Decimal):
        return Cell("money", value)
    if isinstance(value, datetime.date):
        return Cell("date", value)
    return Cell("text", str(value))


def record_title(obj: Model) -> str:
    """A record's title on its page: its own name, or for a job cost transaction (a date and
    an amount by themselves) what it is: ``Job cost AP-1042 · Sep 30, 2026``."""
    if isinstance(obj, JobCostTransaction):
        what = obj.source_document or obj.description or obj.origin_code or f"#{obj.pk}"
        return f"Job cost {what} · {date_format(obj.transaction_date)}"
    if isinstance(obj, DirectCost) and obj.pk:
        what = obj.invoice_number or f"#{obj.pk}"
        return f"{obj.get_kind_display()} {what} · {date_format(obj.date)}"
    if isinstance(obj, Payment) and obj.pk:
        amount = intcomma(f"{obj.amount:.2f}")
        return f"Payment {obj.payment_number or f'#{obj.pk}'} · {amount}"
    return str(obj)

"""Turn a record's attribute into something a table cell can show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Model

from integrations.models import ErpState

SYNCED_CHANGED = f"{ErpState.SYNCED.label} · changed since sync"


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


def cell_for(obj: Model, path: str) -> Cell:
    owner, value = _resolve(obj, path)
    last = path.rsplit(".", 1)[-1]
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

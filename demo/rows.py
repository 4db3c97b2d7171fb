"""How the record builder turns table values into rows: ERP link fields for the records that
start synced (the ERP's, or exported by the portal), dates and billing periods from the tables'
plain strings and months, and lines created only where their parent lacks them (so reseeding
adds none twice)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar, cast

from demo.data.billing import BILLING_YEAR
from demo.data.erp_ids import DEMO_ERP_IDS, ERP_SYNCED_AT, EXPORTED_KINDS
from integrations import models as m
from integrations.models.invoices import InvoiceLine
from integrations.models.lines import CostedLine

if TYPE_CHECKING:
    from django.db.models import Manager

__all__ = ["add_lines", "billing_period", "erp_export", "erp_link", "exported_at", "iso_date"]

L = TypeVar("L", bound=CostedLine | InvoiceLine)


def erp_link(kind: str, key: str) -> dict[str, Any]:
    """The ERP fields of a record the ERP had first and that starts linked to it (listed in
    DEMO_ERP_IDS), as a sync links it; else none."""
    link = _synced(kind, key)
    if not link:
        return {}
    origin = {"id": link["origin_id"], "code": link["origin_code"]}
    return {**link, "origin_data": origin, "erp_synced_at": ERP_SYNCED_AT}


def exported_at(day: dt.date) -> dt.datetime:
    """When the export pipeline filed a record dated ``day`` (a commitment's contract date, an
    invoice's billing date): two days later, mid-morning in Denver."""
    return dt.datetime.combine(day + dt.timedelta(days=2), dt.time(16, 0), tzinfo=dt.UTC)


def erp_export(kind: str, key: str, day: dt.date) -> dict[str, Any]:
    """The ERP fields of a record the portal exported before the demo begins (listed in
    DEMO_ERP_IDS under one of the EXPORTED_KINDS; dated ``day``), as the export pipeline
    stores them: the ERP's number as id and code, and when it was filed. Else none."""
    if kind not in EXPORTED_KINDS:
        raise ValueError(f"The portal does not export {kind} records.")
    link = _synced(kind, key)
    return {**link, "erp_synced_at": exported_at(day)} if link else {}


def _synced(kind: str, key: str) -> dict[str, Any]:
    if key not in DEMO_ERP_IDS[kind]:
        return {}
    origin_id, origin_code = DEMO_ERP_IDS[kind][key]
    return {"origin_id": origin_id, "origin_code": origin_code, "erp_state": m.ErpState.SYNCED}


def iso_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def billing_period(month: int) -> dict[str, dt.date]:
    """A month of BILLING_YEAR, billed on its last day."""
    end = dt.date(BILLING_YEAR, month, calendar.monthrange(BILLING_YEAR, month)[1])
    return {"billing_date": end, "period_start": end.replace(day=1), "period_end": end}


def add_lines(model: type[L], parent: str, lines: list[L]) -> dict[tuple[int, int], L]:
    """Create the lines their parents lack (by position); return all by (parent id, position)."""

    def key(line: L) -> tuple[int, int]:
        return getattr(line, f"{parent}_id"), line.position

    manager = cast("Manager[L]", model._default_manager)
    parent_ids = {key(line)[0] for line in lines}
    existing = {key(x): x for x in manager.filter(**{f"{parent}_id__in": parent_ids})}
    created = manager.bulk_create([x for x in lines if key(x) not in existing])
    return existing | {key(x): x for x in created}

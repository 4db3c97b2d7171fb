"""ERP masters into staged records (*Ready to Import*): vendors, jobs, sub jobs, prime
contracts and budgets, with their lines as child records.

A batch costs a constant number of queries: the batch's staged records (one), the portal
records already linked to them (one), then bulk writes. A record whose ERP data did not change
is *unchanged*; one the portal already has (its ERP id is on a portal record) is staged as
*imported*, and a linked company is updated in place when the account says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils import timezone

from integrations import models as m
from syncs.appliers.base import (
    Invalid,
    Record,
    Scope,
    Tally,
    amount,
    origin_id,
    storable,
    text,
)
from syncs.models import StagedRecord, StagedStatus
from tenancy.bulk import update_objects


def _vendor(record: Record) -> dict[str, Any]:
    return {
        "name": text(record, "name", required=True, limit=200),
        "tax_id": text(record, "tax_id", limit=40),
        "email": text(record, "email", limit=254),
        "phone": text(record, "phone", limit=40),
        "address": text(record, "street", limit=200),
        "city": text(record, "city", limit=100),
        "state_code": text(record, "state_code", limit=10),
        "zip": text(record, "zip", limit=20),
        "country_code": text(record, "country_code", limit=2) or "US",
        "is_active": record.get("is_active", True) is not False,
    }


def _job(record: Record) -> dict[str, Any]:
    data = {
        "number": text(record, "origin_code", required=True, limit=30),
        "name": text(record, "name", required=True, limit=200),
        "address": text(record, "address", limit=200),
        "city": text(record, "city", limit=100),
        "state_code": text(record, "state_code", limit=10),
        "zip": text(record, "zip", limit=20),
        "country_code": text(record, "country_code", limit=2) or "US",
        "start_date": text(record, "start_date", limit=10),
        "completion_date": text(record, "completion_date", limit=10),
        "is_active": record.get("is_active", True) is not False,
    }
    if record.get("estimated_value") not in (None, ""):
        data["estimated_value"] = str(amount(record, "estimated_value"))
    return data


def _sub_job(record: Record) -> dict[str, Any]:
    return {
        "job": text(record, "job", required=True, limit=100),
        "code": text(record, "code", required=True, limit=30),
        "name": text(record, "name", required=True, limit=200),
    }


def _line(line: Record) -> dict[str, Any]:
    return {
        "origin_id": text(line, "origin_id", required=True, limit=60),
        "position": line.get("position"),
        "cost_code": text(line, "cost_code", limit=100),
        "cost_type": text(line, "cost_type", limit=100),
        "description": text(line, "description", limit=255),
        "amount": str(amount(line)),
    }


def _lines(record: Record) -> list[dict[str, Any]]:
    lines = record.get("lines") or []
    if not isinstance(lines, list):
        raise Invalid("lines: not a list.")
    read = []
    for position, line in enumerate(lines, start=1):
        try:
            read.append(_line(line))
        except Invalid as exc:
            raise Invalid(f"Line {position}: {exc}") from None
    return read


def _prime_contract(record: Record) -> dict[str, Any]:
    return {
        "job": text(record, "job", required=True, limit=100),
        "number": text(record, "number", limit=30) or text(record, "origin_code", limit=30),
        "title": text(record, "title", required=True, limit=200),
        "owner": text(record, "owner", limit=100),
        "status": text(record, "status", limit=20),
        "lines": _lines(record),
    }


def _budget(record: Record) -> dict[str, Any]:
    return {
        "job": text(record, "job", required=True, limit=100),
        "name": text(record, "name", limit=200),
        "lines": _lines(record),
    }


@dataclass(frozen=True)
class Staging:
    """How one kind is staged: its reading of an ERP record, the portal model a linked record
    is, its display name, and the portal fields a linked record takes on refresh."""

    read: Callable[[Record], dict[str, Any]]
    model: type[Model]
    name: Callable[[Mapping[str, Any]], str]
    refresh_fields: tuple[str, ...] = ()


STAGINGS: dict[str, Staging] = {
    "vendors": Staging(
        _vendor,
        m.Company,
        lambda d: str(d["name"]),
        ("name", "address", "city", "state_code", "zip", "country_code", "phone", "email"),
    ),
    "jobs": Staging(_job, m.Project, lambda d: str(d["name"])),
    "sub_jobs": Staging(_sub_job, m.SubJob, lambda d: str(d["name"])),
    "prime_contracts": Staging(_prime_contract, m.PrimeContract, lambda d: str(d["title"])),
    "budgets": Staging(_budget, m.Budget, lambda d: str(d.get("name") or "Budget")),
}
STAGED_FIELDS = (
    "origin_code",
    "origin_data",
    "data",
    "name",
    "job_origin_id",
    "status",
    "invalid_reason",
    "linked_id",
    "changed_at",
    "updated_at",
)
LINE_TYPE = "{}.line"  # the item_type of a staged record's lines


def apply(scope: Scope, records: Sequence[Record]) -> Tally:
    staging = STAGINGS[scope.fetch]
    tally = Tally()
    read: dict[str, tuple[Record, dict[str, Any] | None, str]] = {}
    for record in records:
        try:
            key = origin_id(record)
        except Invalid as exc:
            tally.bad(record, str(exc))
            continue
        try:
            read[key] = (record, staging.read(record), "")
        except Invalid as exc:
            read[key] = (record, None, str(exc))
            tally.bad(record, str(exc))
    if not read:
        return tally
    existing = {
        s.origin_id: s
        for s in StagedRecord.objects.filter(
            connection=scope.connection, item_type=scope.fetch, origin_id__in=list(read)
        )
    }
    # The portal record already linked to each: by ERP id, or by the ERP's code where the
    # portal filed it under that code (an ERP that numbers its records itself, as Tryton does).
    codes = {str(r.get("origin_code") or ""): key for key, (r, _, _) in read.items()}
    codes.pop("", None)
    linked: dict[str, int] = {}
    for origin, pk in staging.model._default_manager.filter(
        account=scope.account, origin_id__in=[*read, *codes]
    ).values_list("origin_id", "pk"):
        linked.setdefault(origin if origin in read else codes[origin], pk)
    new: list[StagedRecord] = []
    changed: list[StagedRecord] = []
    for key, (record, data, reason) in read.items():
        staged = existing.get(key)
        origin = storable(dict(record))  # a NUL cannot be stored, even in an invalid record
        if staged is not None and staged.origin_data == origin:
            tally.unchanged += data is not None  # an invalid record was counted as such
            continue
        staged = staged or StagedRecord(
            account=scope.account, connection=scope.connection, item_type=scope.fetch
        )
        _fill(staged, key, origin, data, reason, staging, linked.get(key))
        (new if staged.pk is None else changed).append(staged)
        if data is not None:
            tally.created += staged.pk is None
            tally.updated += staged.pk is not None
    StagedRecord.objects.bulk_create(new)
    update_objects(changed, STAGED_FIELDS)
    _replace_lines(scope, [s for s in (*new, *changed) if "lines" in s.data])
    if staging.refresh_fields and scope.account.update_companies_on_refresh:
        _refresh_linked(scope, staging, [s for s in changed if s.linked_id])
    return tally


def _fill(
    staged: StagedRecord,
    key: str,
    origin: dict[str, Any],
    data: dict[str, Any] | None,
    reason: str,
    staging: Staging,
    linked_id: int | None,
) -> None:
    staged.origin_id = key
    staged.origin_code = str(origin.get("origin_code") or "")[:100]
    staged.origin_data = origin
    staged.data = data or {}
    staged.name = (staging.name(data) if data else str(origin.get("name") or ""))[:255]
    staged.job_origin_id = str(origin.get("job") or "")[:100]
    staged.changed_at = str(origin.get("changed_at") or "")[:40]
    staged.invalid_reason = reason
    staged.linked_id = linked_id or staged.linked_id
    staged.updated_at = timezone.now()
    if reason:
        staged.status = StagedStatus.INVALID
    elif staged.linked_id:
        staged.status = StagedStatus.IMPORTED
    elif staged.status in ("", StagedStatus.INVALID):
        staged.status = StagedStatus.STAGED
    # archived and imported records stay so when the ERP changes them


def _replace_lines(scope: Scope, parents: Sequence[StagedRecord]) -> None:
    """A contract's or budget's lines as child staged records, replaced with the parent."""
    if not parents:
        return
    StagedRecord.objects.filter(parent__in=parents).delete()
    children = [
        StagedRecord(
            account=scope.account,
            connection=scope.connection,
            item_type=LINE_TYPE.format(scope.fetch),
            parent=parent,
            origin_id=f"{parent.origin_id}:{line['origin_id']}"[:100],
            origin_code=str(line.get("cost_code") or ""),
            origin_data=line,
            data=line,
            name=str(line.get("description") or "")[:255],
            job_origin_id=parent.job_origin_id,
            status=parent.status,
        )
        for parent in parents
        for line in parent.data["lines"]
    ]
    StagedRecord.objects.bulk_create(children)


def _refresh_linked(scope: Scope, staging: Staging, staged: Sequence[StagedRecord]) -> None:
    """Bring linked portal records in line with the ERP's new values (e.g. a vendor's
    address), where the account's settings say so."""
    records = staging.model._default_manager.in_bulk([s.linked_id for s in staged])
    changed = []
    for s in staged:
        record = records.get(s.linked_id)
        if record is None:
            continue
        values = {f: s.data[f] for f in staging.refresh_fields if f in s.data}
        if any(getattr(record, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(record, f, v)
            changed.append(record)
    update_objects(changed, list(staging.refresh_fields))

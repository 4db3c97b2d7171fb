"""What every applier shares: the scope of a batch, the tally it answers, reading ERP values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from erp.models import ErpConnection
from integrations.models import Project
from tenancy.models import Account

Record = Mapping[str, Any]


class Invalid(ValueError):
    """An ERP record the portal cannot take; the message says which field and why."""


@dataclass(frozen=True)
class Scope:
    """Where a batch comes from: the account's connection, the connector kind fetched, and
    for per-job kinds the project (the job) whose records these are."""

    account: Account
    connection: ErpConnection
    fetch: str
    project: Project | None = None


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def bad(self, record: Record, message: str) -> None:
        self.invalid += 1
        self.errors.append(
            {
                "origin_id": str(record.get("origin_id") or ""),
                "origin_code": str(record.get("origin_code") or ""),
                "message": message,
            }
        )


def _as_fetched(scope: Scope, records: Sequence[Record]) -> Sequence[Record]:
    return records


@dataclass(frozen=True)
class Applier:
    """How a kind's batches land, in two steps: ``prepare`` only reads (checks the values,
    looks up the portal's records the batch refers to), so the engine may run it while the
    batch before is being written; ``write`` writes, in the batch's transaction, and answers
    the tally. A one-step applier is a ``write`` that takes the records as fetched."""

    write: Callable[[Scope, Any], Tally]
    prepare: Callable[[Scope, Sequence[Record]], Any] = _as_fetched

    def apply(self, scope: Scope, records: Sequence[Record]) -> Tally:
        """Both steps at once."""
        return self.write(scope, self.prepare(scope, records))


def text(record: Record, name: str, *, required: bool = False, limit: int = 255) -> str:
    value = record.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise Invalid(f"{name}: missing.")
    if len(value) > limit:
        raise Invalid(f"{name}: longer than {limit} characters.")
    return value


def amount(record: Record, name: str = "amount") -> Decimal:
    raw = record.get(name)
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Invalid(f"{name}: {raw!r} is not an amount.") from None
    if not value.is_finite() or abs(value) >= Decimal("1e13"):
        raise Invalid(f"{name}: {raw!r} is not an amount.")
    return value


def date(record: Record, name: str, *, required: bool = True) -> dt.date | None:
    raw = record.get(name)
    if raw in (None, ""):
        if required:
            raise Invalid(f"{name}: missing.")
        return None
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise Invalid(f"{name}: {raw!r} is not a date (YYYY-MM-DD).") from None


def moment(record: Record, name: str) -> dt.datetime | None:
    raw = record.get(name)
    if raw in (None, ""):
        return None
    try:
        value = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        raise Invalid(f"{name}: {raw!r} is not a date and time.") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def origin_id(record: Record) -> str:
    return text(record, "origin_id", required=True, limit=100)

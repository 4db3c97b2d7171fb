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
from tenancy.values import CONTROL_CHARACTERS, control_character, date_problem

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
                "origin_id": _shown(record.get("origin_id")),
                "origin_code": _shown(record.get("origin_code")),
                "message": message,
            }
        )


def storable(value: Any) -> Any:
    """ERP data (texts, lists, mappings) as the database can keep it: a NUL, which PostgreSQL
    cannot store in a text or a JSON value, becomes U+FFFD; the rest is kept as sent."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, Mapping):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def _shown(value: Any) -> str:
    """An ERP value as the run's records not taken show it: control characters as U+FFFD."""
    return CONTROL_CHARACTERS.sub("\ufffd", str(value or ""))


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
    """The text of ``name``, trimmed; Invalid when missing (``required``), too long, or with a
    control character (a NUL, an ESC, a bidirectional override: what the portal refuses from
    anywhere)."""
    value = record.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise Invalid(f"{name}: missing.")
    if len(value) > limit:
        raise Invalid(f"{name}: longer than {limit} characters.")
    found = control_character(value)
    if found is not None:
        raise Invalid(f"{name}: contains a control character ({found}); correct it in the ERP.")
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
    """The date of ``name``; Invalid when missing (``required``), unreadable, or outside the
    years the portal takes (1900-2200)."""
    raw = record.get(name)
    if raw in (None, ""):
        if required:
            raise Invalid(f"{name}: missing.")
        return None
    try:
        value = dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise Invalid(f"{name}: {raw!r} is not a date (YYYY-MM-DD).") from None
    problem = date_problem(f"{name}:", value)
    if problem is not None:
        raise Invalid(problem)
    return value


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

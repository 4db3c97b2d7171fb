"""Job cost transactions in the sandbox ERP: posted one by one as the ERP's users do
(:func:`job_costs_post`), or many realistic ones at once for benchmarks and tests of big
fetches (:func:`generate_job_costs`, in chunks with bounded memory)."""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from connectors.imports import FetchKind, SourceType
from connectors.sandbox import models as ledger_models
from connectors.sandbox.console import CENT, _codes, _required
from connectors.sandbox.models import take_revisions
from connectors.sandbox.records import fields_of

K = FetchKind
CHUNK = 5000  # job cost rows per insert (and per transaction)


@dataclass(frozen=True)
class JobCost:
    """One job cost transaction as the ERP posts it (references are ERP numbers)."""

    job: str
    cost_code: str
    cost_type: str
    amount: Decimal
    reference_date: datetime.date
    source_type: SourceType
    source_document: str = ""
    description: str = ""
    vendor: str | None = None
    sub_job: str | None = None
    post_date: datetime.date | None = None

    def data(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "sub_job": self.sub_job,
            "cost_code": self.cost_code,
            "cost_type": self.cost_type,
            "vendor": self.vendor,
            "amount": str(self.amount.quantize(CENT)),
            "reference_date": self.reference_date.isoformat(),
            "post_date": (self.post_date or self.reference_date).isoformat(),
            "source_type": str(self.source_type),
            "source_document": self.source_document,
            "description": self.description,
        }


def job_costs_post(ledger: str, costs: Sequence[JobCost]) -> list[ledger_models.JobCostTransaction]:
    """Post job cost transactions (one statement, one block of revisions); return the rows."""
    if not costs:
        return []
    for cost in costs:
        _required(job=cost.job, cost_code=cost.cost_code, cost_type=cost.cost_type)
    table = ledger_models.JobCostTransaction
    with transaction.atomic():
        first = take_revisions(ledger, len(costs))
        rows = [
            table(
                ledger=ledger,
                number=f"{table.prefix}{first + i:08d}",  # revisions are unique in the ledger
                revision=first + i,
                name=cost.description[:255],
                data=cost.data(),
            )
            for i, cost in enumerate(costs)
        ]
        return table.objects.bulk_create(rows)


@dataclass(frozen=True)
class _References:
    """What a generated job cost may point at in the ledger."""

    codes: tuple[str, ...]
    types: dict[str, str]  # cost type code (L, M, ...) -> its ERP number
    vendors: tuple[str, ...]
    sub_jobs: tuple[str, ...]


def _references(ledger: str, job: str) -> _References:
    codes = tuple(
        row.number
        for row, fields in _codes(ledger)
        if fields["parent"] and fields["is_active"] is not False
    )
    types = {
        str(fields_of(K.COST_TYPES, row)["code"]): row.number
        for row in ledger_models.CostType.objects.filter(ledger=ledger)
    }
    if not codes or not types:
        raise ValueError(f"Ledger {ledger} needs cost codes and cost types before job costs.")
    vendors = tuple(
        ledger_models.Vendor.objects.filter(ledger=ledger).values_list("number", flat=True)
    )
    sub_jobs = tuple(
        ledger_models.SubJob.objects.filter(ledger=ledger, data__job=job).values_list(
            "number", flat=True
        )
    )
    return _References(codes, types, vendors, sub_jobs)


MATERIALS = (
    "Ready-mix concrete, 4000 psi",
    "Rebar #5, delivered",
    "Dimensional lumber and sheathing",
    "Gypsum board and metal studs",
    "Conduit and wire",
    "Waterproofing membrane",
    "Anchor bolts and embeds",
    "Temporary fencing rental",
)
EQUIPMENT = (
    "Excavator, 30-ton",
    "Telehandler, 10k lb",
    "Scissor lift, 26 ft",
    "Tower crane, monthly",
    "Skid steer",
    "Light tower and generator",
)
# (source, share of transactions in percent, cost type code, amount range in dollars)
MIX: tuple[tuple[SourceType, int, str, tuple[int, int]], ...] = (
    (SourceType.AP_INVOICE, 45, "M", (180, 42_000)),
    (SourceType.PAYROLL, 30, "L", (1_200, 24_000)),
    (SourceType.EQUIPMENT, 15, "E", (250, 9_500)),
    (SourceType.SUBCONTRACTOR_INVOICE, 10, "S", (4_000, 120_000)),
)


def _one_cost(
    rnd: random.Random, job: str, refs: _References, start: datetime.date, days: int
) -> JobCost:
    source, _, type_code, (low, high) = rnd.choices(MIX, weights=[m[1] for m in MIX])[0]
    cost_type = refs.types.get(type_code) or rnd.choice(list(refs.types.values()))
    day = start + datetime.timedelta(days=rnd.randrange(days))
    # Mostly modest amounts, now and then a big one (log-uniform between low and high).
    amount = Decimal(low * (high / low) ** rnd.random()).quantize(CENT)
    vendor = rnd.choice(refs.vendors) if refs.vendors else None
    if source is SourceType.PAYROLL:
        week = day.isocalendar().week
        vendor, document, text = None, f"PR-{day.year}-{week:02d}", f"Field labor, week {week}"
    elif source is SourceType.EQUIPMENT:
        document, text = f"EQ-{day:%y%m}-{rnd.randrange(1, 999):03d}", rnd.choice(EQUIPMENT)
    elif source is SourceType.SUBCONTRACTOR_INVOICE:
        document, text = f"PA-{day:%y%m}-{rnd.randrange(1, 99):02d}", "Progress billing"
    else:
        document, text = f"{rnd.randrange(10_000, 99_999)}", rnd.choice(MATERIALS)
    return JobCost(
        job=job,
        sub_job=rnd.choice(refs.sub_jobs) if refs.sub_jobs and rnd.random() < 0.6 else None,
        cost_code=rnd.choice(refs.codes),
        cost_type=cost_type,
        vendor=vendor,
        amount=amount,
        reference_date=day,
        post_date=day + datetime.timedelta(days=rnd.randrange(0, 6)),
        source_type=source,
        source_document=document,
        description=text,
    )


def generate_job_costs(
    ledger: str,
    job: str,
    count: int,
    *,
    start: datetime.date | None = None,
    days: int = 90,
    seed: int | None = None,
    chunk: int = CHUNK,
) -> int:
    """Post ``count`` realistic job cost transactions to ``job`` (AP invoices, payroll,
    equipment, subcontractor billings; dates over ``days`` from ``start``, by default the last
    ``days``; the ledger's own cost codes, cost types, vendors and the job's sub jobs), in
    chunks of ``chunk`` rows, each one insert and one transaction, so memory stays bounded
    whatever ``count``. Returns how many were posted."""
    if count < 0:
        raise ValueError("count must not be negative")
    refs = _references(ledger, job)
    rnd = random.Random(seed)  # nosec B311  # the sandbox ERP's made-up data
    start = start or datetime.date.today() - datetime.timedelta(days=days)
    alias = router.db_for_write(ledger_models.JobCostTransaction)
    insert: Callable[[str, Sequence[JobCost]], object] = (
        _copy_rows if connections[alias].vendor == "postgresql" else job_costs_post
    )
    done = 0
    while done < count:
        size = min(chunk, count - done)
        insert(ledger, [_one_cost(rnd, job, refs, start, days) for _ in range(size)])
        done += size
    return done


def _copy_rows(ledger: str, costs: Sequence[JobCost]) -> None:
    """PostgreSQL: the chunk through ``COPY`` (several times faster than INSERT)."""
    table = ledger_models.JobCostTransaction
    alias = router.db_for_write(table)
    columns = ("ledger", "number", "name", "data", "job", "revision", "created_at", "updated_at")
    now = timezone.now()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        first = take_revisions(ledger, len(costs), using=alias)
        sql = f"COPY {table._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for i, cost in enumerate(costs):
                number = f"{table.prefix}{first + i:08d}"
                data = json.dumps(cost.data())
                name, job = cost.description[:255], cost.job[:40]
                copy.write_row((ledger, number, name, data, job, first + i, now, now))

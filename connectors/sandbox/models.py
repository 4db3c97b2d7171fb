"""The sandbox ERP's own ledger: one table per kind of record, as a real ERP would keep them.

A ledger is one ERP company (a connection's ``ledger`` setting). Records are numbered by the
ERP; a record created for an export also keeps the portal's idempotency key, so the same export
can never be filed twice.

Every row carries a ``revision``: a number from its ledger's counter (:class:`LedgerCounter`),
new and greater each time the row is created or changed, so ``fetch`` sends what changed after
a cursor (the last revision sent) in the order it changed. Rows are written through ``save()``
or the manager's ``bulk_create`` / ``bulk_update``, which take their revisions;
``QuerySet.update()`` would change rows behind the fetch's back and is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, router, transaction
from django.db.models import F


class LedgerCounter(models.Model):
    """The last revision handed out in a ledger (one row per ledger)."""

    ledger = models.CharField(max_length=60, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.ledger}: {self.value}"


def take_revisions(ledger: str, count: int = 1, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Reserve ``count`` revisions of ``ledger`` and return the first (the block is
    ``first .. first + count - 1``).

    Call it inside the transaction that writes the rows. The ``UPDATE`` locks the counter row
    until that transaction ends (PostgreSQL's row lock; SQLite's single writer), so a later
    block is handed out only once the earlier rows are committed: a fetch that has seen
    revision n never finds a smaller one appear afterwards. One statement per block, whatever
    its size.
    """
    if count < 1:
        raise ValueError("take at least one revision")
    if not transaction.get_connection(using).in_atomic_block:
        raise transaction.TransactionManagementError(
            "take_revisions() must run inside the transaction that writes the rows."
        )
    counters = LedgerCounter.objects.using(using).filter(ledger=ledger)
    if not counters.update(value=F("value") + count):
        try:
            with transaction.atomic(using=using):
                LedgerCounter.objects.using(using).create(ledger=ledger, value=count)
            return 1
        except IntegrityError:  # a concurrent writer created it first: it is ours to bump now
            counters.update(value=F("value") + count)
    value: int = counters.values_list("value", flat=True).get()
    return value - count + 1


class LedgerQuerySet(models.QuerySet[Any]):
    """Writes in bulk take one block of revisions per ledger (rows that already hold one,
    taken by the caller in the same transaction, keep it)."""

    def bulk_create(  # type: ignore[override]
        self, objs: Iterable[Any], batch_size: int | None = None, **kwargs: Any
    ) -> list[Any]:
        rows = list(objs)
        for row in rows:
            row.fill_columns()
        with transaction.atomic(using=self.db):
            self._number([r for r in rows if not r.revision])
            return super().bulk_create(rows, batch_size=batch_size, **kwargs)

    def bulk_update(  # type: ignore[override]
        self, objs: Iterable[Any], fields: Sequence[str], batch_size: int | None = None
    ) -> int:
        rows = list(objs)
        for row in rows:
            row.fill_columns()
        columns = {*fields, "revision", *self.model.columns_from_data}
        with transaction.atomic(using=self.db):
            self._number(rows)
            return super().bulk_update(rows, sorted(columns), batch_size=batch_size)

    def update(self, **kwargs: Any) -> int:
        if "revision" not in kwargs:
            raise TypeError(
                "Change ledger rows with save() or bulk_update(), which give them a new "
                "revision (fetch would not send them again)."
            )
        return super().update(**kwargs)

    def _number(self, rows: list[Any]) -> None:
        by_ledger: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            by_ledger[row.ledger].append(row)
        for ledger, group in by_ledger.items():
            first = take_revisions(ledger, len(group), using=self.db)
            for offset, row in enumerate(group):
                row.revision = first + offset


class LedgerRecord(models.Model):
    ledger = models.CharField(max_length=60)
    number = models.CharField("ERP number", max_length=40)
    external_ref = models.CharField(max_length=200, null=True, blank=True)
    name = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict)
    revision = models.BigIntegerField(default=0)  # indexed with the ledger: see _constraints
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LedgerQuerySet.as_manager()

    prefix: str = ""
    columns_from_data: tuple[str, ...] = ()  # columns copied from ``data`` (to index them)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save with a new revision of the ledger (so the next fetch sends the row again)."""
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        self.fill_columns()
        with transaction.atomic(using=using):
            self.revision = take_revisions(self.ledger, using=using)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "revision",
                    "updated_at",
                    *self.columns_from_data,
                }
            super().save(*args, **kwargs)

    def fill_columns(self) -> None:
        """Copy ``columns_from_data`` from ``data`` before a write."""
        data = self.data if isinstance(self.data, dict) else {}
        for column in self.columns_from_data:
            setattr(self, column, str(data.get(column) or "")[:40])


def _constraints(name: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(fields=["ledger", "number"], name=f"sandbox_{name}_number"),
        models.UniqueConstraint(
            fields=["ledger", "external_ref"],
            condition=models.Q(external_ref__isnull=False),
            name=f"sandbox_{name}_external_ref",
        ),
        # One revision is one change: no two rows of a ledger share one (and the index serves
        # the fetch's "this ledger, after this revision, in order").
        models.UniqueConstraint(fields=["ledger", "revision"], name=f"sandbox_{name}_revision"),
    ]


class Vendor(LedgerRecord):
    prefix = "V-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("vendor")


class Job(LedgerRecord):
    prefix = "J-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("job")


class SubJob(LedgerRecord):
    prefix = "SJ-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("subjob")


class CostCode(LedgerRecord):
    prefix = "CC-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("costcode")


class CostType(LedgerRecord):
    prefix = "CT-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("costtype")


class Budget(LedgerRecord):
    prefix = "B-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("budget")


class PrimeContract(LedgerRecord):
    prefix = "PC-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("primecontract")


class Commitment(LedgerRecord):
    prefix = "PO-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("commitment")


class ChangeOrder(LedgerRecord):
    prefix = "CO-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("changeorder")


class Invoice(LedgerRecord):
    prefix = "INV-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("invoice")


class Payment(LedgerRecord):
    prefix = "PAY-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("payment")


class JobCostTransaction(LedgerRecord):
    # ``data["job"]``, as a column: a job's costs are fetched by (ledger, job, revision), and
    # PostgreSQL cannot estimate a filter on a JSON key (it sorted a million rows per batch).
    job = models.CharField(max_length=40, blank=True, default="")

    prefix = "JC-"
    columns_from_data = ("job",)

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("jobcosttransaction")
        indexes = [
            models.Index(fields=["ledger", "job", "revision"], name="sandbox_jobcost_job_rev"),
        ]


LEDGER_TABLES: tuple[type[LedgerRecord], ...] = (
    Vendor,
    Job,
    SubJob,
    CostCode,
    CostType,
    Budget,
    PrimeContract,
    Commitment,
    ChangeOrder,
    Invoice,
    Payment,
    JobCostTransaction,
)

"""The sandbox ERP's own ledger: one table per kind of record, as a real ERP would keep them.

A ledger is one ERP company (a connection's ``ledger`` setting). Records are numbered by the
ERP; a record created for an export also keeps the portal's idempotency key, so the same export
can never be filed twice.
"""

from __future__ import annotations

from django.db import models


class LedgerRecord(models.Model):
    ledger = models.CharField(max_length=60)
    number = models.CharField("ERP number", max_length=40)
    external_ref = models.CharField(max_length=200, null=True, blank=True)
    name = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    prefix: str = ""

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


def _constraints(name: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(fields=["ledger", "number"], name=f"sandbox_{name}_number"),
        models.UniqueConstraint(
            fields=["ledger", "external_ref"],
            condition=models.Q(external_ref__isnull=False),
            name=f"sandbox_{name}_external_ref",
        ),
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
    prefix = "JC-"

    class Meta(LedgerRecord.Meta):
        constraints = _constraints("jobcosttransaction")


LEDGER_TABLES: tuple[type[LedgerRecord], ...] = (
    Vendor,
    Job,
    SubJob,
    CostCode,
    CostType,
    Budget,
    Commitment,
    ChangeOrder,
    Invoice,
    Payment,
    JobCostTransaction,
)

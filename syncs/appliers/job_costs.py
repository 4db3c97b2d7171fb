"""Job cost transactions, synced directly into a project that opted in (one job per fetch).

ERP references (cost code, cost type, vendor, sub job) are translated to the portal's records
with one query each per batch; a code of the ERP standard list that the project does not use
yet is added to the project (the ERP posted a cost there). A transaction whose code, type or
vendor the portal does not know, or whose amount or date is malformed, is counted invalid with
the reason and the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from integrations.models import (
    Company,
    CostCode,
    CostType,
    ErpState,
    JobCostTransaction,
    SourceType,
    StandardCostCode,
    SubJob,
)
from syncs.appliers import bulk
from syncs.appliers.base import Invalid, Record, Scope, Tally, amount, date, origin_id, text
from tenancy.models import JobCostDate

COMPARED = (
    "sub_job_id",
    "cost_code_id",
    "cost_type_id",
    "vendor_id",
    "source_type",
    "source_document",
    "transaction_date",
    "reference_date",
    "post_date",
    "description",
    "amount",
)
SOURCE_TYPES = frozenset(SourceType.values)


class Refs:
    """The portal ids of the ERP ids a batch mentions (a constant number of queries)."""

    def __init__(self, scope: Scope, records: Sequence[Record]) -> None:
        assert scope.project is not None, "job costs are fetched per project"
        self.scope, project = scope, scope.project

        def wanted(name: str) -> list[str]:
            return sorted({str(r[name]) for r in records if r.get(name)})

        codes = wanted("cost_code")
        self.standard = dict(
            StandardCostCode.objects.filter(
                account=scope.account, code_list__is_erp=True, origin_id__in=codes
            ).values_list("origin_id", "pk")
        )
        self.codes = dict(
            CostCode.objects.filter(
                project=project, sub_job=None, standard_code__origin_id__in=codes
            ).values_list("standard_code__origin_id", "pk")
        )
        self.types = self._ids(CostType, wanted("cost_type"))
        self.vendors = self._ids(Company, wanted("vendor"))
        self.sub_jobs = self._ids(SubJob, wanted("sub_job"), project=project)
        self.added: dict[str, CostCode] = {}

    def _ids(self, model: Any, origin_ids: list[str], **narrow: Any) -> dict[str, int]:
        """ERP id -> portal id of ``model``'s records among ``origin_ids``."""
        rows = model.objects.filter(account=self.scope.account, origin_id__in=origin_ids)
        return dict(rows.filter(**narrow).values_list("origin_id", "pk"))

    def cost_code(self, origin: str) -> CostCode | int | None:
        if not origin:
            return None
        if origin in self.codes:
            return self.codes[origin]
        if origin not in self.standard:
            raise Invalid(f"cost_code: {origin} is not on the ERP standard cost code list.")
        if origin not in self.added:  # added to the project with the batch
            self.added[origin] = CostCode(
                account=self.scope.account,
                project=self.scope.project,
                standard_code_id=self.standard[origin],
            )
        return self.added[origin]

    def one(self, found: dict[str, int], record: Record, name: str, what: str) -> int | None:
        origin = text(record, name, limit=100)
        if not origin:
            return None
        if origin not in found:
            raise Invalid(f"{name}: {what} {origin} is not in the portal.")
        return found[origin]


def _row(scope: Scope, refs: Refs, record: Record) -> tuple[dict[str, Any], CostCode | None]:
    reference, posted = date(record, "reference_date", required=False), date(record, "post_date")
    prefer_reference = scope.account.job_cost_date == JobCostDate.REFERENCE
    source = text(record, "source_type", limit=30) or SourceType.AP_INVOICE
    if source not in SOURCE_TYPES:
        raise Invalid(f"source_type: {source!r} is not one of {', '.join(sorted(SOURCE_TYPES))}.")
    code = refs.cost_code(text(record, "cost_code", limit=100))
    values = {
        "sub_job_id": refs.one(refs.sub_jobs, record, "sub_job", "sub job"),
        "cost_code_id": code if isinstance(code, int) else None,
        "cost_type_id": refs.one(refs.types, record, "cost_type", "cost type"),
        "vendor_id": refs.one(refs.vendors, record, "vendor", "vendor"),
        "source_type": source,
        "source_document": text(record, "source_document", limit=60),
        "transaction_date": (reference if prefer_reference and reference else posted),
        "reference_date": reference,
        "post_date": posted,
        "description": text(record, "description"),
        "amount": amount(record),
    }
    return values, (code if isinstance(code, CostCode) else None)


def apply(scope: Scope, records: Sequence[Record]) -> Tally:
    tally, refs = Tally(), Refs(scope, records)
    read: dict[str, tuple[dict[str, Any], CostCode | None, Record]] = {}
    for record in records:
        try:
            values, added = _row(scope, refs, record)
            read[origin_id(record)] = (values, added, record)
        except Invalid as exc:
            tally.bad(record, str(exc))
    CostCode.objects.bulk_create(list(refs.added.values()))  # ids set (PostgreSQL, SQLite)
    now = timezone.now()
    assert scope.project is not None
    rows = []
    for key, (values, added, record) in read.items():
        if added is not None:
            values["cost_code_id"] = added.pk
        rows.append(
            {
                "account_id": scope.account.pk,
                "project_id": scope.project.pk,
                "origin_id": key,
                "origin_code": text(record, "origin_code", limit=100),
                "origin_data": {},
                "erp_state": ErpState.SYNCED,
                "erp_synced_at": now,
                "created_at": now,
                "updated_at": now,
                **values,
            }
        )
    tally.created, tally.updated = bulk.upsert(JobCostTransaction, rows, COMPARED)
    tally.unchanged = len(rows) - tally.created - tally.updated
    return tally

"""Job cost transactions, synced directly into a project that opted in (one job per fetch).

ERP references (cost code, cost type, vendor, sub job) are translated to the portal's records
with one query each per batch; a code of the ERP standard list that the project does not use
yet is added to the project (the ERP posted a cost there). A transaction whose code, type or
vendor the portal does not know, or whose amount or date is malformed, is counted invalid with
the reason and the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from integrations.models import (
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
from syncs.selectors import company_ids
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


class Adding(NamedTuple):
    """A code of the ERP standard list the project does not use yet (by its id)."""

    standard_id: int


class Refs:
    """The portal ids of the ERP ids a batch mentions (a constant number of queries)."""

    def __init__(self, scope: Scope, records: Sequence[Record]) -> None:
        assert scope.project is not None, "job costs are fetched per project"
        self.scope, self.project = scope, scope.project
        project = scope.project

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
        self.vendors = company_ids(scope.account, wanted("vendor"))
        self.sub_jobs = self._ids(SubJob, wanted("sub_job"), project=project)

    def _ids(self, model: Any, origin_ids: list[str], **narrow: Any) -> dict[str, int]:
        """ERP id -> portal id of ``model``'s records among ``origin_ids``."""
        rows = model.objects.filter(account=self.scope.account, origin_id__in=origin_ids)
        return dict(rows.filter(**narrow).values_list("origin_id", "pk"))

    def cost_code(self, origin: str) -> int | Adding | None:
        """The project's cost code for the ERP code ``origin``, or the standard code to add to
        the project (the ERP posted a cost there) when the batch is written."""
        if not origin:
            return None
        if origin in self.codes:
            return self.codes[origin]
        if origin not in self.standard:
            raise Invalid(f"cost_code: {origin} is not on the ERP standard cost code list.")
        return Adding(self.standard[origin])

    def one(self, found: dict[str, int], record: Record, name: str, what: str) -> int | None:
        origin = text(record, name, limit=100)
        if not origin:
            return None
        if origin not in found:
            raise Invalid(f"{name}: {what} {origin} is not in the portal.")
        return found[origin]


def _row(scope: Scope, refs: Refs, record: Record) -> tuple[dict[str, Any], Adding | None]:
    reference, posted = date(record, "reference_date", required=False), date(record, "post_date")
    prefer_reference = scope.account.job_cost_date == JobCostDate.REFERENCE
    source = text(record, "source_type", limit=30) or SourceType.AP_INVOICE
    if source not in SOURCE_TYPES:
        raise Invalid(f"source_type: {source!r} is not one of {', '.join(sorted(SOURCE_TYPES))}.")
    code = refs.cost_code(text(record, "cost_code", limit=100))
    values = {
        "account_id": scope.account.pk,
        "project_id": refs.project.pk,
        "origin_id": origin_id(record),
        "origin_code": text(record, "origin_code", limit=100),
        "origin_data": {},
        "erp_state": ErpState.SYNCED,
        "sub_job_id": refs.one(refs.sub_jobs, record, "sub_job", "sub job"),
        "cost_code_id": None if isinstance(code, Adding) else code,
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
    return values, (code if isinstance(code, Adding) else None)


@dataclass
class Prepared:
    """A batch read and checked: its rows by ERP id (the last of an id wins), the codes to add
    to the project for some of them, and the records refused."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    adding: dict[str, Adding] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)


def prepare(scope: Scope, records: Sequence[Record]) -> Prepared:
    """Check each record and translate its ERP references (reads only)."""
    prepared, refs = Prepared(), Refs(scope, records)
    for record in records:
        try:
            values, adding = _row(scope, refs, record)
        except Invalid as exc:
            prepared.tally.bad(record, str(exc))
            continue
        prepared.rows[values["origin_id"]] = values
        if adding is not None:
            prepared.adding[values["origin_id"]] = adding
        else:
            prepared.adding.pop(values["origin_id"], None)
    return prepared


def write(scope: Scope, prepared: Prepared) -> Tally:
    """Add the codes the batch needs to the project, then upsert its rows."""
    assert scope.project is not None
    if prepared.adding:
        codes = _project_codes(scope, {a.standard_id for a in prepared.adding.values()})
        for key, adding in prepared.adding.items():
            prepared.rows[key]["cost_code_id"] = codes[adding.standard_id]
    rows = list(prepared.rows.values())
    tally = prepared.tally
    tally.created, tally.updated = bulk.upsert(JobCostTransaction, rows, COMPARED)
    tally.unchanged = len(rows) - tally.created - tally.updated
    return tally


def _project_codes(scope: Scope, standard_ids: set[int]) -> dict[int, int]:
    """The project's cost code ids for these standard codes, adding those it lacks."""
    found = dict(
        CostCode.objects.filter(
            project=scope.project, sub_job=None, standard_code_id__in=standard_ids
        ).values_list("standard_code_id", "pk")
    )
    added = CostCode.objects.bulk_create(
        CostCode(account=scope.account, project=scope.project, standard_code_id=standard)
        for standard in standard_ids - found.keys()
    )  # ids set (PostgreSQL, SQLite)
    return found | {code.standard_code_id: code.pk for code in added}


def apply(scope: Scope, records: Sequence[Record]) -> Tally:
    return write(scope, prepare(scope, records))

"""The sandbox connector: an ERP in the portal's own database, with fault injection.

Faults are set per connection (``latency_ms``, ``transient_error_rate``,
``permanent_error_rate``, ``lost_response_rate``, ``reject_credentials``) so tests and demos can
show what the pipeline does when a real ERP misbehaves. A *lost response* is the nasty one: the
ERP saves the record, then the answer never arrives.

``export`` files a new record; ``update`` changes one the ledger holds (by its number, the
portal's ``origin_id``) in place, for the types the capabilities declare ``export_update``.

What the ERP's own users do (new vendors, payments, job costs) is :mod:`.console`; ``fetch``
sends it, and what the portal exported, in the shapes of :mod:`connectors.imports` (see
:mod:`.records`), ordered by the ledger's revisions (:mod:`.models`).

Every account's records share the tables, each under a ledger: the account's own, named by the
portal when it builds the connector (:meth:`SandboxConnector.for_account`), never by a setting.
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, Self

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from connectors.base import (
    AuthenticationError,
    Batch,
    Connector,
    ExportResult,
    ObjectType,
    PermanentError,
    SettingField,
    SettingKind,
    TransientError,
)
from connectors.imports import PER_JOB, FetchKind
from connectors.payloads import (
    BudgetPayload,
    ChangeOrderPayload,
    CommitmentPayload,
    CompanyPayload,
    Payload,
    ProjectPayload,
)
from connectors.registry import builtin
from connectors.sandbox import models as ledger
from connectors.sandbox.capabilities import CAPABILITIES
from connectors.sandbox.records import FILED_COLUMNS, Filed
from connectors.sandbox.records import record as shape

T = ObjectType
K = FetchKind
# Where an export is filed, per object type ("cost_type": for records seeded as already there).
TABLES: dict[str, type[ledger.LedgerRecord]] = {
    T.COMPANY: ledger.Vendor,
    T.PROJECT: ledger.Job,
    T.SUB_JOB: ledger.SubJob,
    T.COST_CODE: ledger.CostCode,
    T.BUDGET: ledger.Budget,
    T.COMMITMENT: ledger.Commitment,
    T.COMMITMENT_CHANGE_ORDER: ledger.ChangeOrder,
    T.PRIME_CHANGE_ORDER: ledger.ChangeOrder,
    T.SUBCONTRACTOR_INVOICE: ledger.Invoice,
    T.OWNER_INVOICE: ledger.Invoice,
    "cost_type": ledger.CostType,
}
# What fetch reads, per kind it sends to the portal.
FETCH_TABLES: dict[str, type[ledger.LedgerRecord]] = {
    K.VENDORS: ledger.Vendor,
    K.JOBS: ledger.Job,
    K.SUB_JOBS: ledger.SubJob,
    K.PRIME_CONTRACTS: ledger.PrimeContract,
    K.BUDGETS: ledger.Budget,
    K.COST_TYPES: ledger.CostType,
    K.STANDARD_COST_CODES: ledger.CostCode,
    K.JOB_COST_TRANSACTIONS: ledger.JobCostTransaction,
    K.PAYMENTS: ledger.Payment,
}
FETCH_BATCH = 500


def as_json(payload: Payload) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        json.dumps(dataclasses.asdict(payload), cls=DjangoJSONEncoder)
    )
    return data


def _chosen_number(payload: Payload) -> str:
    """A number the approver typed on accept (ERP vendor id, ERP job number), if any."""
    if isinstance(payload, CompanyPayload):
        return payload.erp_vendor_id
    if isinstance(payload, ProjectPayload):
        return payload.erp_job_number or payload.number
    if isinstance(payload, CommitmentPayload | ChangeOrderPayload):
        return payload.erp_number  # the ERP's number the approver typed, if the account asks
    return ""


def _name(payload: Payload) -> str:
    for attr in ("name", "title", "number", "full_code", "project_number"):
        value = getattr(payload, attr, "")
        if value:
            return str(value)[:255]
    return ""


@builtin
class SandboxConnector(Connector):
    key = "sandbox"
    label = "Sandbox ERP (built in)"
    settings_fields = (
        SettingField("api_key", "API key", secret=True, required=False),
        SettingField(
            "latency_ms",
            "Latency per call (ms)",
            required=False,
            kind=SettingKind.NUMBER,
            integer=True,
            minimum=0,
            maximum=60_000,
        ),
        *(
            SettingField(
                name,
                label,
                required=False,
                kind=SettingKind.NUMBER,
                minimum=0,
                maximum=1,
                help_text="From 0 (never) to 1 (every call).",
            )
            for name, label in (
                ("transient_error_rate", "Share of transient errors"),
                ("permanent_error_rate", "Share of permanent errors"),
                ("lost_response_rate", "Share of lost responses"),
            )
        ),
        SettingField(
            "reject_credentials",
            "Refuse the credentials",
            required=False,
            kind=SettingKind.BOOLEAN,
            help_text="Every call is refused as a wrong API key (to try the automatic pause).",
        ),
        SettingField(
            "fetch_batch_size",
            "Records per fetched batch",
            required=False,
            kind=SettingKind.NUMBER,
            integer=True,
            minimum=1,
            maximum=20_000,
            help_text=f"How many records one call of a sync brings (default {FETCH_BATCH}).",
        ),
    )
    capabilities = CAPABILITIES

    def __init__(self, settings: Any, *, ledger: str | None = None) -> None:
        super().__init__(settings)
        # Every account's records share these tables, one ledger each. The portal names the
        # ledger: the account's own (:meth:`for_account`); no setting it stores or shows can.
        # A ``ledger`` in ``settings`` only serves a connector built by hand (tests, benches).
        by_hand = str(self.settings.get("ledger") or "default")
        self.ledger = by_hand if ledger is None else ledger
        self.random = random.Random()  # nosec B311  # the sandbox ERP's made-up data

    @classmethod
    def for_account(cls, settings: Mapping[str, Any], *, account_key: str) -> Self:
        if not account_key:
            raise ValueError("The sandbox ERP files an account's records under its key.")
        return cls(settings, ledger=account_key)

    # --- fault injection ---------------------------------------------------------------------

    def _rate(self, name: str) -> float:
        try:
            return float(self.settings.get(name) or 0)
        except ValueError:
            return 0.0

    def _before_call(self) -> None:
        latency = self._rate("latency_ms")
        if latency:
            time.sleep(latency / 1000)
        if str(self.settings.get("reject_credentials", "")).lower() in ("1", "yes", "true"):
            raise AuthenticationError("401 Unauthorized: the API key was refused.")
        if self.random.random() < self._rate("transient_error_rate"):
            raise TransientError("503 Service Unavailable: the ledger is busy, try again.")
        if self.random.random() < self._rate("permanent_error_rate"):
            raise PermanentError("422 Unprocessable: the ERP refused the record (injected fault).")

    def _after_save(self) -> None:
        if self.random.random() < self._rate("lost_response_rate"):
            raise TransientError("Timed out waiting for the ERP (the record may have been saved).")

    # --- the contract ------------------------------------------------------------------------

    def test_connection(self) -> None:
        self._before_call()

    def export(self, obj_type: str, payload: Payload, idempotency_key: str) -> ExportResult:
        self._before_call()
        table = self._table(obj_type)
        data = {"type": obj_type, **as_json(payload)}
        record = self._file(table, payload, idempotency_key, data)
        self._after_save()
        return self._result(record)

    def update(
        self, obj_type: str, origin_id: str, payload: Payload, idempotency_key: str
    ) -> ExportResult:
        self._before_call()
        table = self._table(obj_type)
        data = {"type": obj_type, **as_json(payload)}
        record = self._revise(table, origin_id, payload, idempotency_key, data)
        self._after_save()
        return self._result(record)

    def find_by_external_ref(self, obj_type: str, idempotency_key: str) -> ExportResult | None:
        self._before_call()
        record = (
            self._table(obj_type)
            ._default_manager.filter(ledger=self.ledger, external_ref=idempotency_key)
            .first()
        )
        return self._result(record) if record else None

    def delete_check(self, obj_type: str, origin_id: str) -> bool:
        self._before_call()
        table = self._table(obj_type)
        return not table._default_manager.filter(ledger=self.ledger, number=origin_id).exists()

    def fetch(self, kind: str, cursor: str, *, job: str | None = None) -> Iterator[Batch]:
        """The rows changed after ``cursor`` (the last revision sent), oldest change first;
        the first batch says how many there are."""
        rows = self._fetch_rows(kind, job)
        last = self._revision(cursor)
        size = self._batch_size()
        first = True
        while True:
            self._before_call()
            after = rows.filter(revision__gt=last)
            batch = list(after.order_by("revision").values_list("revision", *FILED_COLUMNS)[:size])
            if not batch:
                return
            total = None
            if first:  # counting is needless when the first batch holds them all
                total = len(batch) if len(batch) < size else after.count()
            last, first = batch[-1][0], False
            prefix = rows.model.prefix
            records = tuple(
                shape(kind, Filed(number, name, data, changed, prefix))
                for _, number, name, data, changed in batch
            )
            yield Batch(records=records, cursor=str(last), total=total)

    def _fetch_rows(self, kind: str, job: str | None) -> Any:
        if kind not in self.capabilities.fetches or kind not in FETCH_TABLES:
            raise PermanentError(f"The sandbox ERP does not send {kind} to the portal.")
        if kind in PER_JOB:  # job cost transactions: their data's job is an indexed column
            if not job:
                raise PermanentError(f"The sandbox ERP sends {kind} one job at a time.")
            return ledger.JobCostTransaction.objects.filter(ledger=self.ledger, job=job)
        return FETCH_TABLES[kind]._default_manager.filter(ledger=self.ledger)

    def _batch_size(self) -> int:
        try:
            return max(1, min(20_000, int(self.settings.get("fetch_batch_size") or FETCH_BATCH)))
        except (TypeError, ValueError):
            return FETCH_BATCH

    @staticmethod
    def _revision(cursor: str) -> int:
        try:
            return int(cursor or 0)
        except ValueError:
            raise PermanentError(f"The sandbox ERP cannot resume from {cursor!r}.") from None

    # --- the ledger --------------------------------------------------------------------------

    def _table(self, obj_type: str) -> type[ledger.LedgerRecord]:
        try:
            return TABLES[obj_type]
        except KeyError:
            raise PermanentError(f"The sandbox ERP keeps no {obj_type}.") from None

    def _file(
        self, table: type[ledger.LedgerRecord], payload: Payload, key: str, data: dict[str, Any]
    ) -> ledger.LedgerRecord:
        """Save the record once per idempotency key (a repeat returns the first one)."""
        existing = table._default_manager.filter(ledger=self.ledger, external_ref=key).first()
        if existing:
            return existing
        if isinstance(payload, BudgetPayload) and payload.project_ref:
            # A job has one budget: exporting it again updates it.
            budget = table._default_manager.filter(ledger=self.ledger, name=_name(payload)).first()
            if budget:
                budget.data, budget.external_ref = data, key
                budget.save(update_fields=["data", "external_ref", "updated_at"])
                return budget
        chosen = _chosen_number(payload)
        if chosen and table._default_manager.filter(ledger=self.ledger, number=chosen).exists():
            raise PermanentError(f"{chosen} is already used in the ERP; choose another number.")
        try:
            with transaction.atomic():
                record = table._default_manager.create(
                    ledger=self.ledger,
                    number=chosen or f"new-{uuid.uuid4().hex}",
                    external_ref=key,
                    name=_name(payload),
                    data=data,
                )
                if not chosen:
                    record.number = f"{table.prefix}{1000 + record.pk}"
                    record.save(update_fields=["number"])
        except IntegrityError:  # the same key filed by a concurrent call: that one stands
            found = table._default_manager.filter(ledger=self.ledger, external_ref=key).first()
            if found is None:
                raise PermanentError(f"{chosen} is already used in the ERP.") from None
            return found
        return record

    def _revise(
        self,
        table: type[ledger.LedgerRecord],
        origin_id: str,
        payload: Payload,
        key: str,
        data: dict[str, Any],
    ) -> ledger.LedgerRecord:
        """Change record ``origin_id`` in place (its number stays) and file it under ``key``;
        a repeat of the same update changes nothing (no new revision for the fetch)."""
        with transaction.atomic():
            record = (
                table._default_manager.select_for_update()
                .filter(ledger=self.ledger, number=origin_id)
                .first()
            )
            if record is None:
                raise PermanentError(
                    f"The ERP has no record {origin_id} to update: it was deleted in the ERP. "
                    "Unlink the record in the portal to send it as a new one."
                )
            if record.external_ref == key:
                return record
            record.data, record.external_ref = data, key
            record.name = _name(payload) or record.name
            record.save(update_fields=["data", "external_ref", "name"])
        return record

    @staticmethod
    def _result(record: ledger.LedgerRecord) -> ExportResult:
        return ExportResult(origin_id=record.number, origin_code=record.number, data={})

"""The Tryton connector: the open-source ERP Tryton (8.x) over its JSON-RPC API.

Every export is done in batches (one record is a batch of one): the references are resolved in
one search, the records already in Tryton are found in one search (by the portal reference and
by Tryton's own keys), the missing ones are created in one call and their workflow buttons
(``quote``/``confirm`` for purchases, ``post`` for invoices) are pressed in one call each. When
a batched call is refused, the records are taken one by one, so one bad record fails alone.
See README.md for the mapping and the accounting.

This module is the connector's contract; the work is done by :mod:`.books` (the chart and its
cache), :mod:`.locking`, :mod:`.exporters` (one module per kind of record), :mod:`.imports` and
:mod:`.demo`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from connectors.base import (
    AuthenticationError,
    Batch,
    Connector,
    ConnectorError,
    ExportResult,
    ObjectType,
    PermanentError,
    SettingField,
    SettingKind,
)
from connectors.payloads import Payload
from connectors.registry import builtin
from connectors.tryton import books as chart
from connectors.tryton import demo, imports
from connectors.tryton import mapping as m
from connectors.tryton.books import DEFAULTS
from connectors.tryton.capabilities import CAPABILITIES
from connectors.tryton.client import DEFAULT_TIMEOUT, TrytonClient, TrytonRestClient
from connectors.tryton.exporters import (
    ANALYTIC_TYPES,
    DONE_INVOICE,
    DONE_PURCHASE,
    EXPORTERS,
    INVOICE_KINDS,
    Outcome,
    Pending,
)
from connectors.tryton.imports import FETCH_BATCH
from connectors.tryton.locking import one_writer

T = ObjectType


@builtin
class TrytonConnector(Connector):
    key = "tryton"
    label = "Tryton"
    settings_fields = (
        SettingField(
            "url", "Tryton URL", help_text="For example https://tryton.example.com (no database)."
        ),
        SettingField("database", "Database"),
        SettingField(
            "user", "User", help_text="A Tryton user with accounting and purchase rights."
        ),
        SettingField("password", "Password", secret=True),
        SettingField(
            "company",
            "Company id",
            required=False,
            kind=SettingKind.NUMBER,
            integer=True,
            minimum=1,
            help_text="Only if the user works for several companies; empty: the user's company.",
        ),
        SettingField(
            "cost_account",
            "Job cost account code",
            required=False,
            help_text=f"Expense account of subcontract costs (default {DEFAULTS['cost_account']}).",
        ),
        SettingField(
            "revenue_account",
            "Contract revenue account code",
            required=False,
            help_text=f"Revenue account of owner invoices (default {DEFAULTS['revenue_account']}).",
        ),
        SettingField(
            "retainage_payable_account",
            "Retainage payable account code",
            required=False,
            help_text=(
                "A liability of type 'debt' with party required "
                f"(default {DEFAULTS['retainage_payable_account']})."
            ),
        ),
        SettingField(
            "retainage_receivable_account",
            "Retainage receivable account code",
            required=False,
            help_text=f"Party required (default {DEFAULTS['retainage_receivable_account']}).",
        ),
        SettingField(
            "jobs_root",
            "Jobs analytic root code",
            required=False,
            help_text=f"Default {DEFAULTS['jobs_root']}.",
        ),
        SettingField(
            "cost_codes_root",
            "Cost codes analytic root code",
            required=False,
            help_text=f"Default {DEFAULTS['cost_codes_root']}.",
        ),
        SettingField(
            "purchase_product",
            "Purchase product code",
            required=False,
            help_text=(
                f"A service product for commitment lines (default {DEFAULTS['purchase_product']})."
            ),
        ),
        SettingField(
            "general_journal",
            "General journal code",
            required=False,
            help_text=f"For retainage entries (default {DEFAULTS['general_journal']}).",
        ),
        SettingField(
            "timeout",
            "Timeout per call (s)",
            required=False,
            kind=SettingKind.NUMBER,
            minimum=1,
            maximum=600,
            help_text=f"Default {DEFAULT_TIMEOUT:g}.",
        ),
        SettingField(
            "fetch_batch_size",
            "Records per import batch",
            required=False,
            kind=SettingKind.NUMBER,
            integer=True,
            minimum=1,
            maximum=20_000,
            help_text=f"Default {FETCH_BATCH}.",
        ),
    )
    capabilities = CAPABILITIES

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self._client: TrytonClient | None = None
        self._books: m.Books | None = None

    # --- plumbing --------------------------------------------------------------------------------

    @property
    def client(self) -> TrytonClient:
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(self) -> TrytonClient:
        s = self.settings
        url, database = str(s.get("url") or "").strip(), str(s.get("database") or "").strip()
        if not url or not database:
            raise PermanentError("Set the Tryton URL and database of the connection.")
        user, password = str(s.get("user") or "").strip(), str(s.get("password") or "")
        api_key = str(s.get("api_key") or "").strip()
        try:
            timeout = float(s.get("timeout") or DEFAULT_TIMEOUT)
        except ValueError:
            timeout = DEFAULT_TIMEOUT
        client: TrytonClient
        if api_key:
            client = TrytonRestClient(url, database, api_key, timeout=timeout)
        elif user and password:
            client = TrytonClient(url, database, user, password, timeout=timeout)
        else:
            raise AuthenticationError(
                "Set the Tryton user and password (or an API key) of the connection."
            )
        company = str(s.get("company") or "").strip()
        if company:
            client.context_overrides = {"company": int(company)}
        return client

    @property
    def books(self) -> m.Books:
        """The chart, journals, analytic roots and product the exports use (cached a while)."""
        if self._books is not None:
            return self._books
        key = chart.cache_key(self.settings)
        cached = chart.cached_books(key)
        if cached is not None:
            self._books = cached
            self.client.context  # noqa: B018 (log in, so refused credentials show here)
            return cached
        self._books = chart.remember_books(key, chart.read_books(self.client, self.settings))
        return self._books

    @classmethod
    def forget_books(cls) -> None:
        chart.forget_books()

    # --- the contract ----------------------------------------------------------------------------

    def test_connection(self) -> None:
        self.books  # noqa: B018 (logs in and checks the chart, journals and analytic roots)

    def export(self, obj_type: str, payload: Payload, idempotency_key: str) -> ExportResult:
        (outcome,) = self.export_batch(obj_type, [(payload, idempotency_key)])
        if isinstance(outcome, ConnectorError):
            raise outcome
        return outcome

    def export_batch(
        self, obj_type: str, items: Sequence[tuple[Payload, str]]
    ) -> list[ExportResult | ConnectorError]:
        exporter = EXPORTERS.get(obj_type)
        if exporter is None:
            raise PermanentError(f"Tryton does not take {obj_type} from the portal.")
        # The same portal record twice in a batch is filed once.
        first: dict[str, int] = {}
        unique: list[Pending] = []
        for index, (payload, key) in enumerate(items):
            ref = m.portal_ref(key)
            if ref not in first:
                first[ref] = len(unique)
                unique.append(Pending(index, payload, key))
        with one_writer(
            chart.setting(self.settings, "url"), chart.setting(self.settings, "database")
        ):
            exporter(self, unique)
        results: list[Outcome] = []
        for _, key in items:
            outcome = unique[first[m.portal_ref(key)]].outcome
            results.append(outcome or PermanentError("Tryton gave no answer for this record."))
        return results

    def find_by_external_ref(self, obj_type: str, idempotency_key: str) -> ExportResult | None:
        c = self.client
        if obj_type == T.COMPANY:
            rows = c.search_read(
                "party.party",
                [("code", "=", m.portal_ref(idempotency_key))],
                ["code"],
            )
            return ExportResult(rows[0]["code"], rows[0]["code"]) if rows else None
        if obj_type in ANALYTIC_TYPES:
            rows = c.search_read(
                "analytic_account.account",
                [m.marker_clause("note", idempotency_key)],
                ["code"],
                limit=1,
            )
            return ExportResult(str(rows[0]["id"]), rows[0]["code"] or "") if rows else None
        if obj_type == T.COMMITMENT:
            rows = c.search_read(
                "purchase.purchase",
                [m.marker_clause("comment", idempotency_key), ("state", "in", DONE_PURCHASE)],
                ["number"],
                limit=1,
            )
            return ExportResult(str(rows[0]["id"]), rows[0]["number"] or "") if rows else None
        if obj_type in INVOICE_KINDS:
            rows = c.search_read(
                "account.invoice",
                [
                    m.marker_clause("comment", idempotency_key),
                    ("type", "=", INVOICE_KINDS[obj_type]),
                    ("state", "in", DONE_INVOICE),
                ],
                ["number"],
                limit=1,
            )
            return ExportResult(str(rows[0]["id"]), rows[0]["number"] or "") if rows else None
        raise PermanentError(f"Tryton does not take {obj_type} from the portal.")

    def delete_check(self, obj_type: str, origin_id: str) -> bool:
        c = self.client
        if obj_type == T.COMPANY:
            return not c.search("party.party", [("code", "=", origin_id)], limit=1)
        record = m.ref_id(origin_id)
        if record is None:
            raise PermanentError(f"{origin_id!r} is not a Tryton id.")
        if obj_type in ANALYTIC_TYPES:
            return not c.search("analytic_account.account", [("id", "=", record)], limit=1)
        if obj_type == T.COMMITMENT:
            domain = [("id", "=", record), ("state", "!=", "cancelled")]
            return not c.search("purchase.purchase", domain, limit=1)
        if obj_type in INVOICE_KINDS:
            domain = [("id", "=", record), ("state", "!=", "cancelled")]
            return not c.search("account.invoice", domain, limit=1)
        raise PermanentError(f"Tryton does not take {obj_type} from the portal.")

    def fetch(self, kind: str, cursor: str, *, job: str | None = None) -> Iterator[Batch]:
        return imports.fetch(self, kind, cursor, imports.fetch_size(self.settings), job=job)

    # --- records that were there before the portal ---------------------------------------------

    def ensure_records(self, kind: str, rows: Iterable[tuple[str, str, str | None]]) -> int:
        """File records Tryton's users had before the portal came (the demo's already-synced
        vendors, jobs, sub jobs and cost codes), unless Tryton has them; see
        :func:`connectors.tryton.demo.ensure_records`. Returns how many it created."""
        return demo.ensure_records(self, kind, rows)

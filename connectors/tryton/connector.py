"""The Tryton connector: the open-source ERP Tryton (8.x) over its JSON-RPC API.

Every export is done in batches (one record is a batch of one): the references are resolved in
one search, the records already in Tryton are found in one search (by the portal reference and
by Tryton's own keys), the missing ones are created in one call and their workflow buttons
(``quote``/``confirm`` for purchases, ``post`` for invoices) are pressed in one call each. When
a batched call is refused, the records are taken one by one, so one bad record fails alone.
See README.md for the mapping and the accounting.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from connectors.base import (
    AuthenticationError,
    Batch,
    Connector,
    ConnectorError,
    ExportResult,
    ObjectType,
    PermanentError,
    SettingField,
)
from connectors.payloads import (
    CommitmentPayload,
    CompanyPayload,
    CostCodePayload,
    InvoicePayload,
    Payload,
    ProjectPayload,
    SubJobPayload,
)
from connectors.registry import builtin
from connectors.tryton import mapping as m
from connectors.tryton.capabilities import CAPABILITIES
from connectors.tryton.client import (
    DEFAULT_TIMEOUT,
    TrytonClient,
    TrytonRestClient,
    TrytonWarning,
)

T = ObjectType
P = TypeVar("P")
Outcome = ExportResult | ConnectorError
Item = tuple[Any, str]  # (payload, idempotency key)

DEFAULTS = {
    "cost_account": "5.1.3",
    "revenue_account": "4.2.2",
    "retainage_payable_account": "2.2.9",
    "retainage_receivable_account": "1.2.9",
    "jobs_root": "JOBS",
    "cost_codes_root": "COST_CODES",
    "purchase_product": "SUBCONTRACT",
    "general_journal": "MISC",
}
FETCH_BATCH = 500
BOOKS_TTL = 300.0  # seconds the chart lookups are kept per server, database and settings
ANALYTIC_TYPES: dict[str, str] = {T.PROJECT: "job", T.SUB_JOB: "sub job", T.COST_CODE: "cost code"}
INVOICE_KINDS: dict[str, str] = {T.SUBCONTRACTOR_INVOICE: "in", T.OWNER_INVOICE: "out"}
DONE_PURCHASE = ("confirmed", "processing", "done")
DONE_INVOICE = ("posted", "paid")


def _setting(settings: dict[str, Any], name: str) -> str:
    value = settings.get(name)
    return str(value).strip() if value not in (None, "") else DEFAULTS.get(name, "")


@dataclass
class _Pending:
    """One record being exported in a batch."""

    index: int
    payload: Any
    key: str
    record: int | None = None  # the Tryton id, once known
    outcome: Outcome | None = None
    ours: bool = False  # the record carries this item's portal reference (made or resumed here)

    @property
    def open(self) -> bool:
        return self.outcome is None

    @property
    def rid(self) -> int:
        assert self.record is not None, "no Tryton record yet"
        return self.record


def _ids(items: Sequence[_Pending]) -> list[int]:
    return [i.record for i in items if i.record is not None]


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
            help_text=f"Default {DEFAULT_TIMEOUT:g}.",
        ),
        SettingField(
            "fetch_batch_size",
            "Records per import batch",
            required=False,
            help_text=f"Default {FETCH_BATCH}.",
        ),
    )
    capabilities = CAPABILITIES

    _books_cache: ClassVar[dict[tuple[str, ...], tuple[float, m.Books]]] = {}
    _books_lock: ClassVar[threading.Lock] = threading.Lock()

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

    def _cache_key(self) -> tuple[str, ...]:
        names = ("url", "database", "user", "company", *DEFAULTS)
        key = tuple(_setting(self.settings, n) for n in names)
        api_key = str(self.settings.get("api_key") or "")
        if api_key:  # the key's user decides the company (kept hashed, not in clear)
            key += (hashlib.sha256(api_key.encode()).hexdigest(),)
        return key

    @property
    def books(self) -> m.Books:
        """The chart, journals, analytic roots and product the exports use (cached a while)."""
        if self._books is not None:
            return self._books
        key = self._cache_key()
        with self._books_lock:
            cached = self._books_cache.get(key)
        if cached and time.monotonic() - cached[0] < BOOKS_TTL:
            self._books = cached[1]
            self.client.context  # noqa: B018 (log in, so refused credentials show here)
            return cached[1]
        books = self._read_books()
        with self._books_lock:
            self._books_cache[key] = (time.monotonic(), books)
        self._books = books
        return books

    def _read_books(self) -> m.Books:
        c, s = self.client, self.settings
        company = int(c.context.get("company") or 0)
        if not company:
            raise PermanentError(f"The Tryton user {c.user!r} has no current company.")
        missing: list[str] = []

        codes = {n: _setting(s, n) for n in DEFAULTS}
        account_codes = [codes[n] for n in DEFAULTS if n.endswith("_account")]
        rows = c.search_read(
            "account.account",
            [("code", "in", account_codes), ("company", "=", company), ("closed", "!=", True)],
            ["code"],
        )
        accounts = {r["code"]: r["id"] for r in rows}
        for name in DEFAULTS:
            if name.endswith("_account") and codes[name] not in accounts:
                missing.append(f"an account {codes[name]} ({name})")

        config = c.search_read(
            "account.configuration", [], ["default_account_payable", "default_account_receivable"]
        )
        defaults = config[0] if config else {}
        if not defaults.get("default_account_payable"):
            missing.append("a default payable account (Accounting configuration)")
        if not defaults.get("default_account_receivable"):
            missing.append("a default receivable account (Accounting configuration)")

        root_codes = [codes["jobs_root"], codes["cost_codes_root"]]
        rows = c.search_read(
            "analytic_account.account",
            [("type", "=", "root"), ("code", "in", root_codes), ("company", "=", company)],
            ["code"],
        )
        roots = {r["code"]: r["id"] for r in rows}
        for code in root_codes:
            if code not in roots:
                missing.append(f"an analytic root {code}")

        rows = c.search_read(
            "account.journal",
            ["OR", ("type", "in", ["expense", "revenue"]), ("code", "=", codes["general_journal"])],
            ["code", "type"],
            order=[("id", "ASC")],
        )
        journals: dict[str, int] = {}
        for r in rows:
            journals.setdefault(r["type"], r["id"])
            if r["code"] == codes["general_journal"]:
                journals["general"] = r["id"]
        if codes["general_journal"] not in {r["code"] for r in rows}:
            missing.append(f"a journal {codes['general_journal']}")
        for kind in ("expense", "revenue"):
            if kind not in journals:
                missing.append(f"an {kind} journal")

        rows = c.search_read(
            "product.product",
            [("code", "=", codes["purchase_product"]), ("purchasable", "=", True)],
            ["default_uom", "purchase_uom"],
            limit=1,
        )
        if not rows:
            missing.append(f"a purchasable product {codes['purchase_product']}")
        currency_rows = c.read("company.company", [company], ["currency"])
        if missing:
            raise PermanentError(
                "Tryton is not set up for the portal: it needs " + ", ".join(missing) + "."
            )
        product = rows[0]
        return m.Books(
            company=company,
            currency=int(currency_rows[0]["currency"]),
            jobs_root=roots[codes["jobs_root"]],
            cost_codes_root=roots[codes["cost_codes_root"]],
            cost_account=accounts[codes["cost_account"]],
            revenue_account=accounts[codes["revenue_account"]],
            retainage_payable_account=accounts[codes["retainage_payable_account"]],
            retainage_receivable_account=accounts[codes["retainage_receivable_account"]],
            payable_account=int(defaults["default_account_payable"]),
            receivable_account=int(defaults["default_account_receivable"]),
            expense_journal=journals["expense"],
            revenue_journal=journals["revenue"],
            general_journal=journals["general"],
            purchase_product=int(product["id"]),
            purchase_unit=int(product.get("purchase_uom") or product["default_uom"]),
        )

    @classmethod
    def forget_books(cls) -> None:
        with cls._books_lock:
            cls._books_cache.clear()

    @contextlib.contextmanager
    def _one_writer(self) -> Iterator[None]:
        """One export at a time per Tryton database from this machine's processes (a file lock).

        Posting takes Tryton's strict invoice sequence; two posting batches at once do not go
        faster (on PostgreSQL the second waits for the first; on SQLite it fails on the
        database lock, answers 503 and starts over), so the workers take turns instead."""
        name = hashlib.sha256(f"{self._cache_key()[:2]}".encode()).hexdigest()[:16]
        folder = Path(tempfile.gettempdir()) / "erp-portal-tryton-locks"
        folder.mkdir(exist_ok=True)
        with open(folder / f"{name}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

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
        handler = self._handlers().get(obj_type)
        if handler is None:
            raise PermanentError(f"Tryton does not take {obj_type} from the portal.")
        # The same portal record twice in a batch is filed once.
        first: dict[str, int] = {}
        unique: list[_Pending] = []
        for index, (payload, key) in enumerate(items):
            ref = m.portal_ref(key)
            if ref not in first:
                first[ref] = len(unique)
                unique.append(_Pending(index, payload, key))
        with self._one_writer():
            handler(unique)
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

    def fetch(self, kind: str, cursor: str) -> Iterator[Batch]:
        if kind == "job_cost_transactions":
            return self._fetch(cursor, self._job_cost_page)
        if kind == "payments":
            return self._fetch(cursor, self._payment_page)
        raise PermanentError(f"Tryton does not send {kind} to the portal.")

    # --- records that were there before the portal ---------------------------------------------

    def ensure_records(self, kind: str, rows: Iterable[tuple[str, str, str | None]]) -> int:
        """File records Tryton's users had before the portal came (the demo's already-synced
        vendors, jobs, sub jobs and cost codes), unless Tryton has them: ``(code, name, parent
        code)`` each, the code being the portal's ERP id. Companies become parties with that
        code; projects, sub jobs (under their job's code) and cost codes become analytic
        accounts with that code, which the connector accepts as references. Returns how many
        it created."""
        c, b = self.client, self.books
        rows = [(code, name, parent) for code, name, parent in rows if code]
        if not rows:
            return 0
        if kind == "company":
            have = set(self._parties_by_code([code for code, _, _ in rows]))
            new = [
                {"name": name or code, "code": code, "addresses": [["create", [{}]]]}
                for code, name, _ in rows
                if code not in have
            ]
            if new:
                c.create("party.party", new)
            return len(new)
        roots: dict[str, int] = {
            "project": b.jobs_root,
            "sub_job": b.jobs_root,
            "cost_code": b.cost_codes_root,
        }
        if kind not in roots:
            raise PermanentError(f"Tryton keeps no {kind} records for the portal.")
        root = roots[kind]
        wanted: set[str | None] = {code for code, _, _ in rows}
        refs = self._analytic_refs(wanted | {p for _, _, p in rows})
        new = []
        for code, name, parent_code in rows:
            if (code, root) in refs:
                continue
            parent = refs.get((parent_code, root)) if parent_code else root
            if parent is None:
                raise PermanentError(f"Tryton has no {parent_code!r} to file {code!r} under.")
            new.append(
                m.analytic_values(name=name or code, code=code, root=root, parent=parent, note="")
            )
        if new:
            c.create("analytic_account.account", new)
        return len(new)

    # --- exports ---------------------------------------------------------------------------------

    def _handlers(self) -> dict[str, Callable[[list[_Pending]], None]]:
        return {
            T.COMPANY: self._export_parties,
            T.PROJECT: self._export_analytic(T.PROJECT),
            T.SUB_JOB: self._export_analytic(T.SUB_JOB),
            T.COST_CODE: self._export_analytic(T.COST_CODE),
            T.COMMITMENT: self._export_purchases,
            T.SUBCONTRACTOR_INVOICE: self._export_invoices("in"),
            T.OWNER_INVOICE: self._export_invoices("out"),
        }

    @staticmethod
    def _check_types(items: list[_Pending], cls: type, what: str) -> list[_Pending]:
        for item in items:
            if not isinstance(item.payload, cls):
                item.outcome = PermanentError(f"A {what} export needs a {cls.__name__}.")
        return [i for i in items if i.open]

    def _create_each(
        self, model: str, items: list[_Pending], values: Callable[[_Pending], dict[str, Any]]
    ) -> None:
        """Create a record per item in one call; if Tryton refuses the call, one by one (so the
        refused record fails alone)."""
        todo = [i for i in items if i.open and i.record is None]
        if not todo:
            return
        built: list[tuple[_Pending, dict[str, Any]]] = []
        for item in todo:
            try:
                built.append((item, values(item)))
            except PermanentError as exc:
                item.outcome = exc
        if not built:
            return
        if len(built) > 1:
            try:
                ids = self.client.create(model, [v for _, v in built])
            except PermanentError:
                pass  # one of them is refused: find which, one by one
            else:
                for (item, _), record in zip(built, ids, strict=True):
                    item.record = record
                return
        for item, value in built:
            try:
                (item.record,) = self.client.create(model, [value])
            except PermanentError as exc:
                item.outcome = exc

    def _press(self, model: str, button: str, items: list[_Pending]) -> list[_Pending]:
        """Press ``button`` on the items' records in one call; one by one if refused. Returns the
        items it failed for (their outcome is the error)."""
        todo = [i for i in items if i.open and i.record is not None]
        if not todo:
            return []
        try:
            self.client.button(model, button, _ids(todo))
            return []
        except PermanentError as exc:
            if len(todo) == 1:
                todo[0].outcome = exc
                return todo
        failed = []
        for item in todo:
            try:
                self.client.button(model, button, [item.rid])
            except PermanentError as exc:
                item.outcome = exc
                failed.append(item)
        return failed

    # parties

    def _export_parties(self, items: list[_Pending]) -> None:
        items = self._check_types(items, CompanyPayload, "company")
        if not items:
            return
        codes = {id(i): m.party_code(i.payload, i.key) for i in items}
        found = self._parties_by_code(list(codes.values()))
        for item in items:
            party = found.get(codes[id(item)])
            if party is not None:
                item.outcome = ExportResult(party.code, party.code)
        addresses = self._addresses([i.payload for i in items if i.open])

        def values(item: _Pending) -> dict[str, Any]:
            address = addresses.get(id(item.payload), {})
            return m.party_values(item.payload, codes[id(item)], address)

        self._create_each("party.party", items, values)
        refused = [i for i in items if isinstance(i.outcome, PermanentError)]
        if refused:  # perhaps filed meanwhile by another call (the code is unique)
            again = self._parties_by_code([codes[id(i)] for i in refused])
            for item in refused:
                party = again.get(codes[id(item)])
                if party is not None:
                    item.outcome = ExportResult(party.code, party.code)
        for item in items:
            if item.open and item.record is not None:
                item.outcome = ExportResult(codes[id(item)], codes[id(item)])

    def _addresses(self, payloads: list[CompanyPayload]) -> dict[int, dict[str, Any]]:
        """Party addresses, with country and state where Tryton has them (countries are loaded
        in Tryton with ``trytond_import_countries``; without them, street, city and ZIP)."""
        result = {id(p): m.address_values(p.address) for p in payloads}
        countries = {p.address.country_code.upper() for p in payloads if p.address.country_code}
        if not countries:
            return result
        rows = self.client.search_read(
            "country.country", [("code", "in", sorted(countries))], ["code"]
        )
        country_ids = {r["code"]: r["id"] for r in rows}
        states = {
            f"{p.address.country_code.upper()}-{p.address.state_code.upper()}"
            for p in payloads
            if p.address.state_code and p.address.country_code.upper() in country_ids
        }
        state_ids: dict[str, int] = {}
        if states:
            rows = self.client.search_read(
                "country.subdivision", [("code", "in", sorted(states))], ["code"]
            )
            state_ids = {r["code"]: r["id"] for r in rows}
        for p in payloads:
            country = p.address.country_code.upper()
            if country in country_ids:
                result[id(p)]["country"] = country_ids[country]
                state = state_ids.get(f"{country}-{p.address.state_code.upper()}")
                if state:
                    result[id(p)]["subdivision"] = state
        return result

    def _parties_by_code(self, codes: list[str]) -> dict[str, m.Party]:
        if not codes:
            return {}
        rows = self.client.search_read(
            "party.party",
            [("code", "in", sorted(set(codes)))],
            ["code", "addresses", "account_payable", "account_receivable"],
        )
        return {
            r["code"]: m.Party(
                id=r["id"],
                code=r["code"],
                address=(r.get("addresses") or [None])[0],
                payable_account=r.get("account_payable"),
                receivable_account=r.get("account_receivable"),
            )
            for r in rows
        }

    # analytic accounts: jobs, sub jobs, cost codes

    def _export_analytic(self, obj_type: str) -> Callable[[list[_Pending]], None]:
        def export(items: list[_Pending]) -> None:
            classes: dict[str, type] = {T.PROJECT: ProjectPayload, T.SUB_JOB: SubJobPayload}
            cls = classes.get(obj_type, CostCodePayload)
            items = self._check_types(items, cls, ANALYTIC_TYPES[obj_type])
            if items:
                self._file_analytic(obj_type, items)

        return export

    def _analytic_refs(self, refs: set[str | None]) -> dict[tuple[str, int], int]:
        """The analytic accounts the portal refers to, in one search: ``{(ref, root): id}``.
        A reference is the id the connector returned, or a code (a job or cost code Tryton
        already had, linked by its code; the lowest id wins when a code repeats)."""
        b = self.books
        wanted = {r for r in refs if r}
        if not wanted:
            return {}
        ids = sorted({i for r in wanted if (i := m.ref_id(r)) is not None})
        codes = sorted(r for r in wanted if m.ref_id(r) is None)
        rows = self.client.search_read(
            "analytic_account.account",
            [
                ("root", "in", [b.jobs_root, b.cost_codes_root]),
                ("type", "in", ["normal", "view"]),
                ["OR", ("id", "in", ids), ("code", "in", codes)],
            ],
            ["code", "root"],
            order=[("id", "ASC")],
        )
        found: dict[tuple[str, int], int] = {}
        for row in rows:
            found[(str(row["id"]), row["root"])] = row["id"]
            if row["code"] in wanted:
                found.setdefault((row["code"], row["root"]), row["id"])
        return found

    def _analytic_plan(
        self, obj_type: str, item: _Pending, refs: dict[tuple[str, int], int]
    ) -> tuple[int, int | None, str]:
        """(root, parent, code) of the analytic account for ``item`` (parent None: unknown)."""
        b, p = self.books, item.payload
        if obj_type == T.PROJECT:
            return b.jobs_root, b.jobs_root, m.job_code(p)
        if obj_type == T.SUB_JOB:
            return b.jobs_root, refs.get((p.project_ref or "", b.jobs_root)), p.code.strip()
        parent: int | None = b.cost_codes_root
        if p.parent_ref:
            parent = refs.get((p.parent_ref, b.cost_codes_root))
        return b.cost_codes_root, parent, p.full_code.strip()

    def _file_analytic(self, obj_type: str, items: list[_Pending]) -> None:
        c = self.client
        refs = self._analytic_refs(
            {getattr(i.payload, "project_ref", None) for i in items}
            | {getattr(i.payload, "parent_ref", None) for i in items}
        )
        plans = {id(i): self._analytic_plan(obj_type, i, refs) for i in items}
        for item in items:
            root, parent, code = plans[id(item)]
            if not code:
                item.outcome = PermanentError("Tryton needs a code for the analytic account.")
            elif parent is None:
                what = "job" if obj_type == T.SUB_JOB else "parent cost code"
                ref = item.payload.project_ref if obj_type == T.SUB_JOB else item.payload.parent_ref
                item.outcome = PermanentError(f"Tryton has no {what} {ref!r}.")
        items = [i for i in items if i.open]
        if not items:
            return
        clauses: list[Any] = ["OR"]
        for item in items:
            root, parent, code = plans[id(item)]
            clauses.append(m.marker_clause("note", item.key))
            clauses.append([("root", "=", root), ("parent", "=", parent), ("code", "=", code)])
        rows = c.search_read(
            "analytic_account.account", [clauses], ["code", "note", "root", "parent"]
        )
        for item in items:
            root, parent, code = plans[id(item)]
            mine = [r for r in rows if m.has_marker(r.get("note"), item.key)]
            same = [r for r in rows if (r["root"], r["parent"], r["code"]) == (root, parent, code)]
            row = next(iter(mine or same), None)
            if row is not None:
                item.outcome = ExportResult(str(row["id"]), row["code"] or "")

        def values(item: _Pending) -> dict[str, Any]:
            root, parent, _ = plans[id(item)]
            assert parent is not None
            if obj_type == T.PROJECT:
                return m.project_values(item.payload, item.key, root)
            if obj_type == T.SUB_JOB:
                return m.sub_job_values(item.payload, item.key, root, parent)
            return m.cost_code_values(item.payload, item.key, root, parent)

        self._create_each("analytic_account.account", items, values)
        for item in items:
            if item.open and item.record is not None:
                item.outcome = ExportResult(str(item.record), plans[id(item)][2])

    # references shared by purchases and invoices

    def _resolve(
        self, items: list[_Pending], party_attr: str, what: str
    ) -> tuple[dict[int, m.Party], dict[int, int], dict[int, list[int]]]:
        """The party (by code), the job and the lines' cost codes (analytic ids) of each item,
        in two searches; items whose references Tryton lacks fail."""
        b = self.books
        codes = [getattr(i.payload, party_attr) or "" for i in items]
        parties = self._parties_by_code([x for x in codes if x])
        refs = self._analytic_refs(
            {i.payload.project_ref for i in items}
            | {line.cost_code_ref for i in items for line in i.payload.lines}
        )
        party_of: dict[int, m.Party] = {}
        job_of: dict[int, int] = {}
        cost_codes_of: dict[int, list[int]] = {}
        for item, code in zip(items, codes, strict=True):
            p = item.payload
            job = refs.get((p.project_ref or "", b.jobs_root))
            codes_of = [refs.get((line.cost_code_ref or "", b.cost_codes_root)) for line in p.lines]
            if code not in parties:
                item.outcome = PermanentError(f"Tryton has no party with code {code!r} ({what}).")
            elif job is None:
                item.outcome = PermanentError(f"Tryton has no job {p.project_ref!r} under Jobs.")
            elif None in codes_of:
                line = p.lines[codes_of.index(None)]
                item.outcome = PermanentError(
                    f"Line {line.position}: Tryton has no cost code {line.cost_code_ref!r} "
                    "under Cost Codes."
                )
            else:
                party_of[id(item)] = parties[code]
                job_of[id(item)] = job
                cost_codes_of[id(item)] = [c for c in codes_of if c is not None]
        return party_of, job_of, cost_codes_of

    # purchases (commitments)

    def _export_purchases(self, items: list[_Pending]) -> None:
        items = self._check_types(items, CommitmentPayload, "commitment")
        if not items:
            return
        c, b = self.client, self.books
        party_of, job_of, codes_of = self._resolve(items, "vendor_ref", "the vendor")
        items = [i for i in items if i.open]
        if not items:
            return
        clauses: list[Any] = ["OR"]
        for item in items:
            clauses.append(m.marker_clause("comment", item.key))
            clauses.append(
                [
                    ("reference", "=", item.payload.number),
                    ("party", "=", party_of[id(item)].id),
                    ("lines.analytic_accounts.account", "=", job_of[id(item)]),
                ]
            )
        rows = c.search_read(
            "purchase.purchase",
            [("state", "!=", "cancelled"), clauses],
            ["number", "state", "comment", "reference", "party"],
        )
        for item in items:
            mine = [r for r in rows if m.has_marker(r.get("comment"), item.key)]
            same = [
                r
                for r in rows
                if r["reference"] == item.payload.number and r["party"] == party_of[id(item)].id
            ]
            row = next(iter(mine or same), None)
            if row is None:
                continue
            if not mine and m.any_marker(row.get("comment")):
                item.outcome = PermanentError(
                    f"Tryton already has purchase {row['number'] or row['id']} with reference "
                    f"{item.payload.number} for this vendor and job, from another portal record."
                )
                continue
            item.record = row["id"]
            if row["state"] in DONE_PURCHASE or not mine:
                item.outcome = ExportResult(str(row["id"]), row["number"] or "")

        self._create_each(
            "purchase.purchase",
            items,
            lambda i: m.purchase_values(
                i.payload, i.key, b, party_of[id(i)], job_of[id(i)], codes_of[id(i)]
            ),
        )
        open_items = [i for i in items if i.open and i.record is not None]
        if open_items:
            states = {
                r["id"]: r["state"]
                for r in c.read("purchase.purchase", _ids(open_items), ["state"])
            }
            drafts = [i for i in open_items if states.get(i.record) == "draft"]
            failed = self._press("purchase.purchase", "quote", drafts)
            failed += self._press("purchase.purchase", "confirm", [i for i in open_items if i.open])
            self._discard("purchase.purchase", failed)
        done = [i for i in items if i.open and i.record is not None]
        if done:
            numbers = {
                r["id"]: r["number"] for r in c.read("purchase.purchase", _ids(done), ["number"])
            }
            for item in done:
                item.outcome = ExportResult(str(item.record), numbers.get(item.record) or "")

    def _discard(self, model: str, failed: list[_Pending]) -> None:
        """Delete what was created for records that then failed (so nothing half-done stays in
        Tryton; a purchase goes back to draft first)."""
        ids = _ids(failed)
        if not ids:
            return
        try:
            if model == "purchase.purchase":
                self.client.button(model, "draft", ids)
            self.client.delete(model, ids)
        except ConnectorError:
            pass  # it stays as a draft carrying the portal reference; the next attempt resumes

    # invoices

    def _export_invoices(self, kind: str) -> Callable[[list[_Pending]], None]:
        def export(items: list[_Pending]) -> None:
            items = self._check_types(items, InvoicePayload, "invoice")
            if items:
                self._file_invoices(kind, items)

        return export

    def _file_invoices(self, kind: str, items: list[_Pending]) -> None:
        c, b = self.client, self.books
        party_of, job_of, codes_of = self._resolve(
            items, "party_ref", "the vendor" if kind == "in" else "the owner"
        )
        items = [i for i in items if i.open]
        if not items:
            return
        clauses: list[Any] = ["OR"]
        for item in items:
            clauses.append(m.marker_clause("comment", item.key))
            clauses.append(
                [
                    ("party", "=", party_of[id(item)].id),
                    ("reference", "=", m.invoice_reference(item.payload)),
                ]
            )
        rows = c.search_read(
            "account.invoice",
            [("type", "=", kind), ("state", "!=", "cancelled"), clauses],
            ["number", "state", "comment", "reference", "party", "additional_moves"],
        )
        for item in items:
            ref = m.invoice_reference(item.payload)
            mine = [r for r in rows if m.has_marker(r.get("comment"), item.key)]
            same = [
                r for r in rows if r["reference"] == ref and r["party"] == party_of[id(item)].id
            ]
            row = next(iter(mine or same), None)
            if row is None:
                continue
            if not mine and m.any_marker(row.get("comment")):
                item.outcome = PermanentError(
                    f"Tryton already has invoice {row['number'] or row['id']} with reference "
                    f"{ref} for this party, from another portal record."
                )
                continue
            item.record, item.ours = row["id"], bool(mine)
            if row["state"] in DONE_INVOICE or not mine:
                item.outcome = ExportResult(str(row["id"]), row["number"] or "")

        def values(item: _Pending) -> dict[str, Any]:
            return m.invoice_values(
                item.payload,
                item.key,
                b,
                party_of[id(item)],
                job_of[id(item)],
                kind=kind,
                cost_codes=codes_of[id(item)],
            )

        self._create_each("account.invoice", items, values)
        for item in items:
            item.ours = item.ours or (item.open and item.record is not None)
        self._post_invoices([i for i in items if i.open and i.record is not None])
        if kind == "out":  # also for an invoice an earlier attempt posted
            self._attach_retainage([i for i in items if i.ours], party_of)
        done = [i for i in items if i.open and i.record is not None]
        if done:
            numbers = {
                r["id"]: r["number"] for r in c.read("account.invoice", _ids(done), ["number"])
            }
            for item in done:
                item.outcome = ExportResult(str(item.record), numbers.get(item.record) or "")

    def _post_invoices(self, items: list[_Pending]) -> None:
        """Post the drafts in one call. Tryton's "similar invoice" warning means the invoice is
        there already (typed in by hand, or filed by an earlier attempt): the draft is deleted
        and the existing invoice is the answer; a similar invoice that was cancelled is not, and
        the warning is acknowledged (as a user would) before posting again. If Tryton refuses
        the batch for another reason, the invoices are posted one by one, so a refused invoice
        fails alone (and its draft is deleted)."""
        pending = [i for i in items if i.open]
        while pending:
            try:
                self.client.button("account.invoice", "post", _ids(pending))
                return
            except TrytonWarning as warning:
                if not (
                    warning.name.endswith("invoice_similar")
                    and self._settle_similar(pending, warning)
                ):
                    break
            except PermanentError:
                break
            pending = [i for i in pending if i.open]
        for item in pending:
            self._post_one(item)

    def _post_one(self, item: _Pending) -> None:
        for _ in range(3):
            if not item.open:
                return
            try:
                self.client.button("account.invoice", "post", [item.rid])
                return
            except TrytonWarning as warning:
                if warning.name.endswith("invoice_similar") and self._settle_similar(
                    [item], warning
                ):
                    continue
                item.outcome = warning
            except PermanentError as exc:
                item.outcome = exc
            break
        if item.open:
            item.outcome = PermanentError("Tryton kept refusing to post this invoice.")
        if isinstance(item.outcome, ConnectorError):
            self._discard("account.invoice", [item])

    def _settle_similar(self, pending: list[_Pending], warning: TrytonWarning) -> bool:
        """Deal with the drafts Tryton finds similar to existing invoices. True if something was
        settled (so posting again may pass)."""
        c = self.client
        drafts = c.read("account.invoice", _ids(pending), ["party", "reference", "type"])
        by_id = {r["id"]: r for r in drafts}
        clauses: list[Any] = ["OR"]
        for r in drafts:
            if r["reference"]:
                clauses.append(
                    [
                        ("party", "=", r["party"]),
                        ("reference", "=", r["reference"]),
                        ("type", "=", r["type"]),
                    ]
                )
        if len(clauses) == 1:
            return False
        others = c.search_read(
            "account.invoice",
            [("id", "not in", list(by_id)), clauses],
            ["party", "reference", "state", "number", "comment", "type"],
        )
        settled = False
        acknowledged = False
        for item in pending:
            draft = by_id[item.rid]
            similar = [
                o
                for o in others
                if (o["party"], o["reference"], o["type"])
                == (draft["party"], draft["reference"], draft["type"])
            ]
            if not similar:
                continue
            live = [o for o in similar if o["state"] != "cancelled"]
            ours_or_manual = [
                o
                for o in live
                if m.has_marker(o["comment"], item.key) or not m.any_marker(o["comment"])
            ]
            if ours_or_manual and ours_or_manual[0]["state"] in DONE_INVOICE:
                found = ours_or_manual[0]
                self._discard("account.invoice", [item])
                item.record = found["id"]
                item.outcome = ExportResult(str(found["id"]), found["number"] or "")
                settled = True
            elif live:
                item.outcome = PermanentError(warning.message)
                self._discard("account.invoice", [item])
                settled = True
            elif not acknowledged:
                # Only cancelled invoices are similar: say yes to this warning, once.
                c.context  # noqa: B018 (logged in: user_id is known)
                c.create(
                    "res.user.warning", [{"user": c.user_id, "name": warning.name, "always": False}]
                )
                acknowledged = settled = True
        return settled

    def _attach_retainage(self, items: list[_Pending], party_of: dict[int, m.Party]) -> None:
        """For customer invoices: the entry moving the period's retainage, created, posted and
        attached to each invoice in one call each (once: an invoice that has it is skipped)."""
        c, b = self.client, self.books
        todo = [
            i
            for i in items
            if not isinstance(i.outcome, ConnectorError)
            and i.record is not None
            and len(set(m.retainage(i.payload.lines))) > 1  # held != released
        ]
        if not todo:
            return
        rows = c.read("account.invoice", _ids(todo), ["additional_moves", "state"])
        has = {r["id"]: bool(r["additional_moves"]) for r in rows}
        todo = [i for i in todo if not has.get(i.record)]
        if not todo:
            return
        origins = [f"account.invoice,{i.rid}" for i in todo]
        existing = c.search_read(
            "account.move",
            [("origin", "in", origins), ("journal", "=", b.general_journal)],
            ["origin", "state"],
        )
        moves: dict[int, int] = {}
        for row in existing:
            moves[int(str(row["origin"]).split(",")[1])] = row["id"]
        dates = [i.payload.billing_date for i in todo]
        periods = c.search_read(
            "account.period",
            [
                ("type", "=", "standard"),
                ("start_date", "<=", max(dates)),
                ("end_date", ">=", min(dates)),
                ("fiscalyear.company", "=", b.company),
            ],
            ["start_date", "end_date"],
        )

        def period_of(day: datetime.date) -> int:
            for p in periods:
                if p["start_date"] <= day <= p["end_date"]:
                    return int(p["id"])
            raise PermanentError(f"Tryton has no open period for {day}.")

        new: list[tuple[_Pending, dict[str, Any]]] = []
        for item in todo:
            if item.rid in moves:
                continue
            try:
                values = m.retainage_move_values(
                    item.payload,
                    b,
                    party_of[id(item)],
                    period_of(item.payload.billing_date),
                    item.rid,
                )
            except PermanentError as exc:
                item.outcome = exc
                continue
            if values:
                new.append((item, values))
        if new:
            ids = c.create("account.move", [v for _, v in new])
            for (item, _), move in zip(new, ids, strict=True):
                moves[item.rid] = move
        posted = {r["id"] for r in existing if r["state"] == "posted"}
        to_post = [moves[i.rid] for i in todo if i.rid in moves and moves[i.rid] not in posted]
        if to_post:
            c.button("account.move", "post", to_post)
        args: list[Any] = []
        for item in todo:
            move = moves.get(item.rid, 0)
            if move and not isinstance(item.outcome, ConnectorError):
                args += [[item.rid], {"additional_moves": [["add", [move]]]}]
        if args:
            c.model("account.invoice", "write", *args)

    # --- imports ---------------------------------------------------------------------------------

    def _fetch_size(self) -> int:
        try:
            return max(1, int(self.settings.get("fetch_batch_size") or FETCH_BATCH))
        except ValueError:
            return FETCH_BATCH

    def _fetch(
        self, cursor: str, page: Callable[[int, int], tuple[list[dict[str, Any]], int]]
    ) -> Iterator[Batch]:
        try:
            last = int(cursor or 0)
        except ValueError:
            raise PermanentError(f"{cursor!r} is not a Tryton import cursor.") from None
        size = self._fetch_size()
        self.books  # noqa: B018 (log in before the first batch: refused credentials raise here)
        return self._pages(last, size, page)

    @staticmethod
    def _pages(
        last: int, size: int, page: Callable[[int, int], tuple[list[dict[str, Any]], int]]
    ) -> Iterator[Batch]:
        while True:
            records, last_id = page(last, size)
            if not records:
                return
            last = last_id
            yield Batch(records=tuple(records), cursor=str(last))
            if len(records) < size:
                return

    def _job_cost_page(self, after: int, size: int) -> tuple[list[dict[str, Any]], int]:
        """Posted expense lines per job and cost code: the analytic lines on Jobs (one
        search_read), their Cost Codes twins (one) and their invoices (one)."""
        c, b = self.client, self.books
        rows = c.search_read(
            "analytic_account.line",
            [
                ("id", ">", after),
                ("account.root", "=", b.jobs_root),
                ("move_line.move.state", "=", "posted"),
                ("move_line.account.type.expense", "=", True),
            ],
            [
                "date",
                "debit",
                "credit",
                "account",
                "account.code",
                "account.parent",
                "move_line",
                "move_line.description",
                "move_line.account.code",
                "move_line.move.number",
                "move_line.move.origin",
                "move_line.move.description",
            ],
            limit=size,
            order=[("id", "ASC")],
        )
        if not rows:
            return [], after
        codes = c.search_read(
            "analytic_account.line",
            [
                ("move_line", "in", sorted({r["move_line"] for r in rows})),
                ("account.root", "=", b.cost_codes_root),
            ],
            ["move_line", "account", "account.code"],
        )
        code_of = {r["move_line"]: r for r in codes}
        origins = {
            r["id"]: _invoice_id(_sub(_sub(r, "move_line"), "move").get("origin")) for r in rows
        }
        invoice_ids = sorted({i for i in origins.values() if i})
        invoices: dict[int, dict[str, Any]] = {}
        if invoice_ids:
            invoices = {
                inv["id"]: inv
                for inv in c.search_read(
                    "account.invoice",
                    [("id", "in", invoice_ids)],
                    ["number", "party.code", "comment"],
                )
            }
        records = []
        for r in rows:
            account, line = _sub(r, "account"), _sub(r, "move_line")
            move = _sub(line, "move")
            parent = account.get("parent")
            sub_job = parent is not None and parent != b.jobs_root
            invoice = invoices.get(origins[r["id"]] or 0)
            code = code_of.get(r["move_line"])
            records.append(
                {
                    "origin_id": str(r["id"]),
                    "job": str(parent if sub_job else r["account"]),
                    "sub_job": str(r["account"]) if sub_job else None,
                    "job_code": account.get("code") or "",
                    "cost_code": str(code["account"]) if code else None,
                    "cost_code_code": _sub(code, "account").get("code") if code else None,
                    "amount": str(m.money(r["debit"]) - m.money(r["credit"])),
                    "posted_on": r["date"].isoformat(),
                    "account": _sub(line, "account").get("code") or "",
                    "move": move.get("number") or "",
                    "description": line.get("description") or move.get("description") or "",
                    "kind": _cost_kind(invoice),
                    "invoice": str(invoice["id"]) if invoice else None,
                    "invoice_number": (invoice or {}).get("number") or "",
                    "vendor": _sub(invoice, "party").get("code") if invoice else None,
                }
            )
        return records, int(rows[-1]["id"])

    def _payment_page(self, after: int, size: int) -> tuple[list[dict[str, Any]], int]:
        """Payments of supplier invoices: the payment lines Tryton adds to an invoice (pay
        wizard, statements), with the invoice's state and amount to pay, in one search_read."""
        rows = self.client.search_read(
            "account.move.line",
            [
                ("id", ">", after),
                ("invoice_payments.type", "=", "in"),
                ("move.state", "=", "posted"),
            ],
            [
                "date",
                "debit",
                "credit",
                "description",
                "move.number",
                "move.journal.code",
                "invoice_payment",
                "invoice_payment.number",
                "invoice_payment.state",
                "invoice_payment.amount_to_pay",
                "invoice_payment.total_amount",
                "invoice_payment.reference",
            ],
            limit=size,
            order=[("id", "ASC")],
        )
        records = []
        for r in rows:
            invoice, move = _sub(r, "invoice_payment"), _sub(r, "move")
            to_pay = m.money(invoice.get("amount_to_pay"))
            paid = invoice.get("state") == "paid" or to_pay == 0
            records.append(
                {
                    "origin_id": str(r["id"]),
                    "invoice": str(r["invoice_payment"]),
                    "invoice_number": invoice.get("number") or "",
                    "invoice_reference": invoice.get("reference") or "",
                    "amount": str(m.money(r["debit"]) - m.money(r["credit"])),
                    "paid_on": r["date"].isoformat(),
                    "status": "paid" if paid else "partial",
                    "amount_to_pay": str(to_pay),
                    "invoice_total": str(m.money(invoice.get("total_amount"))),
                    "payment_number": move.get("number") or "",
                    "method": _sub(move, "journal").get("code") or "",
                    "description": r.get("description") or "",
                }
            )
        return records, (int(rows[-1]["id"]) if rows else after)


def _sub(row: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """A dotted field group of a ``search_read`` row (Tryton nests ``a.b`` as ``"a.": {...}``)."""
    value = (row or {}).get(f"{name}.")
    return value if isinstance(value, dict) else {}


def _cost_kind(invoice: dict[str, Any] | None) -> str:
    """The portal's kind of cost: a subcontractor invoice the portal filed, another supplier
    invoice, or another entry."""
    if invoice is None:
        return "expense"
    return "subcontractor_invoice" if m.any_marker(invoice.get("comment")) else "invoice"


def _invoice_id(origin: Any) -> int | None:
    """The invoice id of a move's origin (``"account.invoice,12"``), if it is an invoice."""
    if isinstance(origin, str) and origin.startswith("account.invoice,"):
        return m.ref_id(origin.split(",", 1)[1])
    return None

"""The Tryton connector's harness for the connector contract suite (:mod:`connectors.testing`).

It runs against a real trytond: the one ``ERP_PORTAL_TRYTON_URL`` names (with
``ERP_PORTAL_TRYTON_DATABASE``, ``_USER``, ``_PASSWORD``; a scratch database: the tests file
records in it), else one started for the test process (:func:`shared_server`: a copy of the
cached template database, a free port; stopped by its pid when the process exits, or by the
session fixture of ``tests/tryton``). The suite is skipped, with the reason, only when Tryton
cannot be installed here.

Tests share that database: each harness tags its records (numbers, codes, names) with a
random tag, so they never clash, and counts are compared before and after within a test.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime
import os
import shutil
import tempfile
import threading
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.base import ObjectType, TransientError
from connectors.imports import PER_JOB
from connectors.payloads import (
    Address,
    CommitmentPayload,
    CompanyPayload,
    CostCodePayload,
    CostLine,
    InvoiceLine,
    InvoicePayload,
    Payload,
    ProjectPayload,
    SubJobPayload,
)
from connectors.testing import ConnectorHarness, Fault, InjectedFault
from connectors.tryton import server as tryton_server
from connectors.tryton.client import LOST_RESPONSE, TrytonClient
from connectors.tryton.connector import TrytonConnector
from connectors.tryton.filing import TrytonUser, fixtures
from connectors.tryton.mapping import Books, money

T = ObjectType
ADDRESS = Address("1801 Wynkoop St", "Denver", "CO", "80202", "US")
FETCH_BATCH = 10  # small, so the suite's 2 x batch + 1 records stay quick to file

# --- the server ----------------------------------------------------------------------------------

_lock = threading.Lock()
_server: tryton_server.TrytonServer | None = None
_data_dir: Path | None = None
_install_problem: str | None = None


def external_settings() -> dict[str, str] | None:
    """Settings of a Tryton the environment names (``ERP_PORTAL_TRYTON_URL``...), if any."""
    url = os.environ.get("ERP_PORTAL_TRYTON_URL", "").strip()
    if not url:
        return None
    return {
        "url": url,
        "database": os.environ.get("ERP_PORTAL_TRYTON_DATABASE", tryton_server.DATABASE),
        "user": os.environ.get("ERP_PORTAL_TRYTON_USER", tryton_server.USER),
        "password": os.environ.get("ERP_PORTAL_TRYTON_PASSWORD", tryton_server.PASSWORD),
    }


def install_problem() -> str:
    """Why Tryton cannot be installed here (empty when it can); checked once per process."""
    global _install_problem
    with _lock:
        if _install_problem is None:
            if external_settings():
                _install_problem = ""
            else:
                try:
                    tryton_server.ensure_installed()
                    _install_problem = ""
                except (tryton_server.TrytonUnavailable, OSError) as exc:
                    _install_problem = f"Tryton cannot be installed here: {exc}"[:2000]
        return _install_problem


def shared_server() -> tryton_server.TrytonServer:
    """The trytond of this test process, started on first use."""
    global _server, _data_dir
    with _lock:
        if _server is None or not _server.alive():
            _data_dir = Path(tempfile.mkdtemp(prefix="erp-portal-tryton-"))
            _server = tryton_server.start(_data_dir)
            atexit.register(stop_shared_server)
        return _server


def stop_shared_server() -> None:
    global _server, _data_dir
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None
        if _data_dir is not None:
            shutil.rmtree(_data_dir, ignore_errors=True)
            _data_dir = None


def server_settings() -> dict[str, str]:
    return external_settings() or shared_server().settings()


def admin_client(settings: dict[str, str] | None = None) -> TrytonClient:
    s = settings or server_settings()
    return TrytonClient(s["url"], s["database"], s["user"], s["password"])


# --- the harness ---------------------------------------------------------------------------------


class LostResponseConnector(TrytonConnector):
    """Files the records, then the answer is lost (as a timeout after Tryton committed)."""

    def export_batch(self, obj_type: str, items: Any) -> Any:
        super().export_batch(obj_type, items)
        raise TransientError(LOST_RESPONSE.format(timeout=self.client.timeout), erp_code="timeout")


class TrytonHarness(ConnectorHarness):
    connector_class = TrytonConnector
    fetch_batch_size = FETCH_BATCH

    @classmethod
    def unavailable(cls) -> str:
        return install_problem()

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex[:6].upper()
        self.today = datetime.date.today()
        self._settings: dict[str, str] | None = None
        self._client: TrytonClient | None = None
        self._user: TrytonUser | None = None

    def set_up(self) -> None:
        self._settings = server_settings()
        self._client = admin_client(self._settings)
        self.fx = fixtures(self._client)

    @property
    def client(self) -> TrytonClient:
        assert self._client is not None, "set_up() first"
        return self._client

    def settings(self) -> dict[str, Any]:
        assert self._settings is not None, "set_up() first"
        return {**self._settings, "fetch_batch_size": str(FETCH_BATCH)}

    # --- samples ---------------------------------------------------------------------------------

    def _cost_lines(self, n: int) -> tuple[CostLine, ...]:
        return tuple(
            CostLine(
                position=pos,
                description=f"Line {pos}",
                amount=Decimal(1000 * n + 100 * pos).quantize(Decimal("0.01")),
                cost_code=f"0{pos}-100",
                cost_code_ref=str(self.fx.cost_codes[pos - 1]),
            )
            for pos in (1, 2)
        )

    def _invoice_lines(self, n: int) -> tuple[InvoiceLine, ...]:
        return tuple(
            InvoiceLine(
                position=pos,
                description=f"Pay item {pos}",
                work_completed=Decimal(500 * n + pos),
                materials_stored=Decimal("25.00") if pos == 2 else Decimal("0"),
                retainage_held=Decimal("50.00"),
                retainage_released=Decimal("10.00") if pos == 1 else Decimal("0"),
                cost_code=f"0{pos}-100",
                cost_code_ref=str(self.fx.cost_codes[pos - 1]),
            )
            for pos in (1, 2)
        )

    def sample_payload(self, obj_type: str, n: int, *, revision: int = 0) -> Payload:
        tag = self.tag
        match obj_type:
            case T.COMPANY:
                return CompanyPayload(
                    name=f"Contract Concrete {tag}-{n}",
                    abbreviated_name=f"CC{n}",
                    vendor_type="subcontractor",
                    address=ADDRESS,
                    phone="303-555-0100",
                    email=f"ap{n}@example.com",
                )
            case T.PROJECT:
                return ProjectPayload(
                    number=f"CT-{tag}-{n}",
                    name=f"Contract Tower {n}",
                    address=ADDRESS,
                    start_date=self.today,
                    completion_date=self.today + datetime.timedelta(days=365),
                    estimated_value=Decimal("2500000.00"),
                    cost_code_list_is_erp=True,
                )
            case T.SUB_JOB:
                return SubJobPayload(
                    code=f"SJ-{tag}-{n}", name=f"Phase {n}", project_ref=str(self.fx.job)
                )
            case T.COST_CODE:
                return CostCodePayload(
                    full_code=f"09-{tag}-{n}", name=f"Finishes {n}", parent_ref=None
                )
            case T.COMMITMENT:
                lines = self._cost_lines(n)
                return CommitmentPayload(
                    kind="subcontract",
                    number=f"SC-{tag}-{n}",
                    title=f"Concrete package {n}",
                    status="approved",
                    project_number="HARNESS-JOB",
                    project_ref=str(self.fx.job),
                    vendor_name="Harness Concrete",
                    vendor_ref=self.fx.vendor,
                    retainage_percent=Decimal("10"),
                    contract_date=self.today,
                    accounting_date=self.today,
                    description="Foundations and slabs",
                    lines=lines,
                    grand_total=sum((x.amount for x in lines), Decimal("0.00")),
                )
            case T.SUBCONTRACTOR_INVOICE | T.OWNER_INVOICE:
                lines_ = self._invoice_lines(n)
                completed = sum(
                    (x.work_completed + x.materials_stored for x in lines_), Decimal("0")
                )
                held = sum((x.retainage_held for x in lines_), Decimal("0"))
                released = sum((x.retainage_released for x in lines_), Decimal("0"))
                owner = obj_type == T.OWNER_INVOICE
                return InvoicePayload(
                    number=f"{n}",
                    billing_date=self.today,
                    period_start=self.today - datetime.timedelta(days=30),
                    period_end=self.today,
                    status="approved",
                    contract_number=f"{'PC' if owner else 'SC'}-{tag}",
                    contract_ref="1",
                    project_ref=str(self.fx.job),
                    party_name="Harness Owner" if owner else "Harness Concrete",
                    party_ref=self.fx.owner if owner else self.fx.vendor,
                    lines=lines_,
                    total_completed=completed,
                    retainage_held=held,
                    amount_due=completed - held + released,
                )
        raise ValueError(f"No sample {obj_type} for Tryton.")

    def refused_payload(self, obj_type: str, n: int) -> tuple[Payload, str] | None:
        """An invoice dated where Tryton has no fiscal year (refused when posted); a commitment
        for a vendor Tryton does not have."""
        payload: Any = self.sample_payload(obj_type, n)
        if obj_type in (T.SUBCONTRACTOR_INVOICE, T.OWNER_INVOICE):
            day = datetime.date(1990, 1, 15)
            return dataclasses.replace(payload, billing_date=day), "create a period for the date"
        if obj_type == T.COMMITMENT:
            code = f"NO-SUCH-VENDOR-{self.tag}"
            return dataclasses.replace(payload, vendor_ref=code), f"no party with code {code!r}"
        return None

    def inject_fault(self, fault: Fault) -> InjectedFault | None:
        s = self.settings()
        match fault:
            case Fault.TRANSIENT:  # the server is down
                url = f"http://127.0.0.1:{tryton_server._free_port()}"
                return InjectedFault(self.connector(url=url), "Tryton did not answer at")
            case Fault.PERMANENT:  # a database the server does not have
                db = f"no_such_db_{self.tag.lower()}"
                return InjectedFault(self.connector(database=db), "Tryton has no database")
            case Fault.AUTHENTICATION:  # a login Tryton refuses
                user = f"refused-{uuid.uuid4().hex[:8]}"
                return InjectedFault(
                    self.connector(user=user, password="wrong"),  # nosec B106  # wrong on purpose
                    "Tryton refused the login",
                )
            case Fault.LOST_RESPONSE:
                return InjectedFault(LostResponseConnector(s), "No answer from Tryton")
        return None

    # --- looking at Tryton -----------------------------------------------------------------------

    def _domain(self, obj_type: str) -> tuple[str, list[Any]]:
        fx = self.fx
        match obj_type:
            case T.COMPANY:
                return "party.party", []
            case T.PROJECT:
                return "analytic_account.account", [("parent", "=", fx.jobs_root)]
            case T.SUB_JOB:
                return "analytic_account.account", [
                    ("root", "=", fx.jobs_root),
                    ("parent", "!=", fx.jobs_root),
                    ("type", "=", "normal"),
                ]
            case T.COST_CODE:
                return "analytic_account.account", [
                    ("root", "=", fx.cost_codes_root),
                    ("type", "=", "normal"),
                ]
            case T.COMMITMENT:
                return "purchase.purchase", []
            case T.SUBCONTRACTOR_INVOICE:
                return "account.invoice", [("type", "=", "in")]
            case T.OWNER_INVOICE:
                return "account.invoice", [("type", "=", "out")]
        raise ValueError(obj_type)

    def count(self, obj_type: str) -> int:
        model, domain = self._domain(obj_type)
        return self.client.search_count(model, domain)

    def holds(self, obj_type: str, origin_id: str, payload: Payload) -> bool:
        c = self.client
        p: Any = payload
        if obj_type == T.COMPANY:
            rows = c.search_read("party.party", [("code", "=", origin_id)], ["name"])
            return bool(rows) and rows[0]["name"] == p.name
        if obj_type in (T.PROJECT, T.SUB_JOB, T.COST_CODE):
            (row,) = c.read("analytic_account.account", [int(origin_id)], ["code", "name"])
            fields: dict[str, str] = {
                T.PROJECT: "number",
                T.SUB_JOB: "code",
                T.COST_CODE: "full_code",
            }
            code = fields[obj_type]
            return bool(row["code"] == getattr(p, code) and row["name"] == p.name)
        if obj_type == T.COMMITMENT:
            (row,) = c.read(
                "purchase.purchase",
                [int(origin_id)],
                ["reference", "total_amount", "state", "lines"],
            )
            return bool(
                row["reference"] == p.number
                and money(row["total_amount"]) == money(p.grand_total)
                and row["state"] in ("confirmed", "processing")
                and len(row["lines"]) == len(p.lines)
            )
        if obj_type in (T.SUBCONTRACTOR_INVOICE, T.OWNER_INVOICE):
            (row,) = c.read(
                "account.invoice",
                [int(origin_id)],
                ["reference", "total_amount", "amount_to_pay", "state"],
            )
            total = p.amount_due if obj_type == T.SUBCONTRACTOR_INVOICE else p.total_completed
            return bool(
                row["reference"] == f"{p.contract_number}/{p.number}"
                and row["state"] == "posted"
                and money(row["total_amount"]) == money(total)
                and money(row["amount_to_pay"]) == money(p.amount_due)
            )
        return False

    def remove_record(self, obj_type: str, origin_id: str) -> None:
        """What a Tryton user would do: delete a party or an analytic account; cancel a posted
        invoice (its move is cancelled). A commitment cannot be removed: Tryton refuses to reset
        a processing purchase to draft, to cancel it or to delete it (commitments declare no
        unlink)."""
        c = self.client
        if obj_type == T.COMPANY:
            ids = c.search("party.party", [("code", "=", origin_id)])
            assert ids, f"no party {origin_id}"
            c.delete("party.party", ids)
        elif obj_type in (T.PROJECT, T.SUB_JOB, T.COST_CODE):
            c.delete("analytic_account.account", [int(origin_id)])
        elif obj_type in (T.SUBCONTRACTOR_INVOICE, T.OWNER_INVOICE):
            c.button("account.invoice", "cancel", [int(origin_id)])
        else:
            raise NotImplementedError(obj_type)

    # --- records Tryton's users file, for the fetches -----------------------------------------

    def books(self) -> Books:
        return TrytonConnector(self.settings()).books

    @property
    def user(self) -> TrytonUser:
        if self._user is None:
            self._user = TrytonUser(self.client, self.fx, self.books, self.tag)
        return self._user

    def add_records(self, kind: str, count: int) -> list[str]:
        return self.user.add(kind, count)

    def change_record(self, kind: str, origin_id: str) -> None:
        self.user.change(kind, origin_id)

    def fetch_job(self, kind: str) -> str | None:
        """The harness job: job cost transactions are filed on it (and its sub job)."""
        return str(self.fx.job) if kind in PER_JOB else None

    def pay_in_parts(self, count: int, part: Decimal = Decimal("10.00")) -> list[int]:
        return self.user.pay_in_parts(count, part)

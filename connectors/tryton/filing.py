"""Records in Tryton for the harness (:mod:`connectors.tryton.harness`) and the tests: the
fixtures the samples refer to, and what Tryton's users file and change that the connector
fetches (parties, jobs, sub jobs, cost codes, posted supplier invoices, payments).

Everything goes through JSON-RPC as a Tryton user's client would (creates, writes, buttons and
wizards), so the records carry Tryton's own timestamps.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from connectors.imports import FetchKind
from connectors.tryton.client import TrytonClient, TrytonWarning
from connectors.tryton.mapping import Books

K = FetchKind

# --- records the samples refer to ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Fixtures:
    """A vendor, an owner, a job with a sub job and two cost codes in Tryton (made once per
    database)."""

    vendor: str  # party codes
    owner: str
    job: int  # analytic account ids
    sub_job: int
    cost_codes: tuple[int, int]
    jobs_root: int
    cost_codes_root: int


_fixtures: dict[str, Fixtures] = {}


def fixtures(client: TrytonClient) -> Fixtures:
    key = f"{client.base}/{client.database}"
    if key in _fixtures:
        return _fixtures[key]
    roots = {
        r["code"]: r["id"]
        for r in client.search_read("analytic_account.account", [("type", "=", "root")], ["code"])
    }
    for code, name in (("HARNESS-VENDOR", "Harness Concrete"), ("HARNESS-OWNER", "Harness Owner")):
        if not client.search("party.party", [("code", "=", code)]):
            client.create(
                "party.party", [{"name": name, "code": code, "addresses": [["create", [{}]]]}]
            )

    def account(root: int, code: str, name: str, parent: int | None = None) -> int:
        found = client.search(
            "analytic_account.account", [("root", "=", root), ("code", "=", code)]
        )
        if found:
            return int(found[0])
        (new,) = client.create(
            "analytic_account.account", [analytic(name, code, root, parent or root)]
        )
        return int(new)

    job = account(roots["JOBS"], "HARNESS-JOB", "Harness Tower")
    result = Fixtures(
        vendor="HARNESS-VENDOR",
        owner="HARNESS-OWNER",
        job=job,
        sub_job=account(roots["JOBS"], "HARNESS-JOB-A", "Harness Tower, phase A", job),
        cost_codes=(
            account(roots["COST_CODES"], "H-03-300", "Harness concrete"),
            account(roots["COST_CODES"], "H-05-100", "Harness steel"),
        ),
        jobs_root=roots["JOBS"],
        cost_codes_root=roots["COST_CODES"],
    )
    _fixtures[key] = result
    return result


def analytic(name: str, code: str, root: int, parent: int) -> dict[str, Any]:
    return {
        "name": name,
        "code": code,
        "type": "normal",
        "root": root,
        "parent": parent,
        "state": "opened",
    }


# --- what Tryton's users file --------------------------------------------------------------------


class TrytonUser:
    """Files and changes records in Tryton as its users do, tagged with ``tag``."""

    def __init__(
        self, client: TrytonClient, fx: Fixtures, books: Callable[[], Books], tag: str
    ) -> None:
        self.client, self.fx, self.books, self.tag = client, fx, books, tag
        self.today = datetime.date.today()
        self._serial = itertools.count(1)

    def add(self, kind: str, count: int) -> list[str]:
        """``count`` new records of the fetch ``kind``; their origin ids."""
        c, fx, tag = self.client, self.fx, self.tag
        numbers = [next(self._serial) for _ in range(count)]
        if kind == K.VENDORS:
            codes = [f"V-{tag}-{n}" for n in numbers]
            c.create("party.party", [_party(code, f"Vendor {code}") for code in codes])
            return codes
        accounts: dict[str, tuple[int, int, str]] = {
            K.JOBS: (fx.jobs_root, fx.jobs_root, "J"),
            K.SUB_JOBS: (fx.jobs_root, fx.job, "SJ"),
            K.STANDARD_COST_CODES: (fx.cost_codes_root, fx.cost_codes_root, "CC"),
        }
        if kind in accounts:
            root, parent, prefix = accounts[kind]
            values = [
                analytic(f"{prefix} {n}", f"{prefix}-{tag}-{n}", root, parent) for n in numbers
            ]
            return [str(i) for i in c.create("analytic_account.account", values)]
        if kind == K.JOB_COST_TRANSACTIONS:
            amounts = [Decimal(100 + n).quantize(Decimal("0.01")) for n in numbers]
            _, row = self.supplier_invoice(amounts, "Ready-mix delivery")
            ids = c.search(
                "analytic_account.line",
                [("move_line.move", "=", row["move"]), ("account.root", "=", fx.jobs_root)],
                order=[("id", "ASC")],
            )
            assert len(ids) == count
            return [str(i) for i in ids]
        if kind == K.PAYMENTS:
            return [str(i) for i in self.pay_in_parts(count)]
        raise ValueError(kind)

    def change(self, kind: str, origin_id: str) -> None:
        """What a user changes: a party or an analytic account renamed, a cost line moved to
        the job's sub job, a payment cancelled (a reversing entry, reconciled with it)."""
        c = self.client
        if kind == K.VENDORS:
            ids = c.search("party.party", [("code", "=", origin_id)])
            assert ids, f"no party {origin_id}"
            c.write("party.party", ids, {"name": f"Renamed {origin_id}"})
        elif kind in (K.JOBS, K.SUB_JOBS, K.STANDARD_COST_CODES):
            c.write("analytic_account.account", [int(origin_id)], {"name": f"Renamed {origin_id}"})
        elif kind == K.JOB_COST_TRANSACTIONS:
            c.write("analytic_account.line", [int(origin_id)], {"account": self.fx.sub_job})
        elif kind == K.PAYMENTS:
            self.cancel_payment(int(origin_id))
        else:
            raise NotImplementedError(kind)

    def supplier_invoice(self, amounts: list[Decimal], label: str) -> tuple[int, dict[str, Any]]:
        """A posted supplier invoice, one line per amount on the harness job and a cost code."""
        c, fx = self.client, self.fx
        books = self.books()
        (party,) = c.search_read("party.party", [("code", "=", fx.vendor)], ["addresses"])
        lines = [
            {
                "type": "line",
                "account": books.cost_account,
                "description": f"{label} {i + 1}",
                "quantity": 1.0,
                "unit_price": amount,
                "analytic_accounts": [
                    [
                        "create",
                        [
                            {"root": fx.jobs_root, "account": fx.job},
                            {"root": fx.cost_codes_root, "account": fx.cost_codes[i % 2]},
                        ],
                    ]
                ],
            }
            for i, amount in enumerate(amounts)
        ]
        (invoice,) = c.create(
            "account.invoice",
            [
                {
                    "company": books.company,
                    "currency": books.currency,
                    "type": "in",
                    "party": party["id"],
                    "invoice_address": party["addresses"][0],
                    "reference": f"{label}-{uuid.uuid4().hex[:8]}",
                    "invoice_date": self.today,
                    "journal": books.expense_journal,
                    "account": books.payable_account,
                    "lines": [["create", lines]],
                }
            ],
        )
        c.button("account.invoice", "post", [invoice])
        (row,) = c.read("account.invoice", [invoice], ["account", "party", "move"])
        return invoice, row

    def pay_in_parts(self, count: int, part: Decimal = Decimal("10.00")) -> list[int]:
        """A posted supplier invoice of ``count`` x ``part``, paid in ``count`` payments: cash
        entries added to the invoice's payment lines (as a user does on the invoice form).
        Returns the payment lines' ids."""
        c = self.client
        invoice, row = self.supplier_invoice([part * count], "Paid in parts")
        cash_journal = c.search("account.journal", [("type", "=", "cash")], limit=1)[0]
        cash = c.search("account.account", [("code", "=", "1.1.1")], limit=1)[0]
        moves = c.create(
            "account.move",
            [
                {
                    "journal": cash_journal,
                    "period": self._period(),
                    "date": self.today,
                    "description": f"Check {i + 1}",
                    "lines": [
                        [
                            "create",
                            [
                                {
                                    "account": row["account"],
                                    "party": row["party"],
                                    "debit": part,
                                    "credit": Decimal(0),
                                },
                                {"account": cash, "debit": Decimal(0), "credit": part},
                            ],
                        ]
                    ],
                }
                for i in range(count)
            ],
        )
        c.button("account.move", "post", moves)
        lines = c.search(
            "account.move.line",
            [("move", "in", moves), ("account", "=", row["account"])],
            order=[("id", "ASC")],
        )
        c.write("account.invoice", [invoice], {"payment_lines": [["add", lines]]})
        return [int(x) for x in lines]

    def cancel_payment(self, line: int) -> None:
        """Cancel the payment's entry with Tryton's *Cancel* wizard: a reversing entry,
        reconciled with the payment line (which then no longer pays the invoice)."""
        c = self.client
        (row,) = c.read("account.move.line", [line], ["move"])
        ctx = {
            **c.context,
            "active_model": "account.move",
            "active_id": row["move"],
            "active_ids": [row["move"]],
        }
        session, start, _ = c.call("wizard.account.move.cancel.create", c.context)
        c.call("wizard.account.move.cancel.execute", session, {}, start, ctx)
        form = {"default": {"description": "Payment voided", "reversal": True}}
        try:
            c.call("wizard.account.move.cancel.execute", session, form, "cancel", ctx)
        except TrytonWarning as warning:
            # "The moves have the posted invoices as origin" (the Pay wizard's entries): the
            # user answers yes.
            c.create("res.user.warning", [{"user": c.user_id, "name": warning.name}])
            c.call("wizard.account.move.cancel.execute", session, form, "cancel", ctx)
        c.call("wizard.account.move.cancel.delete", session, c.context)

    def _period(self) -> int:
        return int(
            self.client.search(
                "account.period",
                [
                    ("start_date", "<=", self.today),
                    ("end_date", ">=", self.today),
                    ("type", "=", "standard"),
                    ("fiscalyear.company", "=", self.books().company),
                ],
                limit=1,
            )[0]
        )


def _party(code: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "code": code,
        "addresses": [
            [
                "create",
                [{"street": "1801 Wynkoop St", "city": "Denver", "postal_code": "80202"}],
            ]
        ],
        "contact_mechanisms": [
            [
                "create",
                [
                    {"type": "email", "value": f"{code.lower()}@example.com"},
                    {"type": "phone", "value": "303-555-0100"},
                ],
            ]
        ],
    }

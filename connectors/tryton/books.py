"""The Tryton records every export needs (chart of accounts, journals, analytic roots, purchase
product): read once per connector, kept a while per server, database and settings."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any, Protocol

from connectors.base import PermanentError
from connectors.tryton import mapping as m
from connectors.tryton.client import TrytonClient

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
BOOKS_TTL = 300.0  # seconds the chart lookups are kept per server, database and settings

_cache: dict[tuple[str, ...], tuple[float, m.Books]] = {}
_lock = threading.Lock()


class Tryton(Protocol):
    """What exporters, imports and demo records use of the connector: its client, and its books
    (read on first use, so an export that needs no account does not check the chart)."""

    @property
    def client(self) -> TrytonClient: ...

    @property
    def books(self) -> m.Books: ...


def setting(settings: dict[str, Any], name: str) -> str:
    """A setting, stripped; the default where the connection leaves it empty."""
    value = settings.get(name)
    return str(value).strip() if value not in (None, "") else DEFAULTS.get(name, "")


def cache_key(settings: dict[str, Any]) -> tuple[str, ...]:
    names = ("url", "database", "user", "company", *DEFAULTS)
    key = tuple(setting(settings, n) for n in names)
    api_key = str(settings.get("api_key") or "")
    if api_key:  # the key's user decides the company (kept hashed, not in clear)
        key += (hashlib.sha256(api_key.encode()).hexdigest(),)
    return key


def cached_books(key: tuple[str, ...]) -> m.Books | None:
    """The books read for ``key`` less than :data:`BOOKS_TTL` ago, if any."""
    with _lock:
        cached = _cache.get(key)
    if cached and time.monotonic() - cached[0] < BOOKS_TTL:
        return cached[1]
    return None


def remember_books(key: tuple[str, ...], books: m.Books) -> m.Books:
    with _lock:
        _cache[key] = (time.monotonic(), books)
    return books


def forget_books() -> None:
    with _lock:
        _cache.clear()


def read_books(c: TrytonClient, s: dict[str, Any]) -> m.Books:
    """Read the books the settings name; all that is missing is named in one error."""
    company = int(c.context.get("company") or 0)
    if not company:
        raise PermanentError(f"The Tryton user {c.user!r} has no current company.")
    missing: list[str] = []

    codes = {n: setting(s, n) for n in DEFAULTS}
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

"""Companies (vendors, owners) as Tryton parties, coded with the portal reference."""

from __future__ import annotations

from typing import Any

from connectors.base import ExportResult, PermanentError
from connectors.payloads import CompanyPayload
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.client import TrytonClient
from connectors.tryton.exporters.base import Pending, check_types, create_each


def export_parties(tryton: Tryton, items: list[Pending]) -> None:
    items = check_types(items, CompanyPayload, "company")
    if not items:
        return
    client = tryton.client
    codes = {id(i): m.party_code(i.payload, i.key) for i in items}
    found = parties_by_code(client, list(codes.values()))
    for item in items:
        party = found.get(codes[id(item)])
        if party is not None:
            item.outcome = ExportResult(party.code, party.code)
    addresses = _addresses(client, [i.payload for i in items if i.open])

    def values(item: Pending) -> dict[str, Any]:
        address = addresses.get(id(item.payload), {})
        return m.party_values(item.payload, codes[id(item)], address)

    create_each(client, "party.party", items, values)
    refused = [i for i in items if isinstance(i.outcome, PermanentError)]
    if refused:  # perhaps filed meanwhile by another call (the code is unique)
        again = parties_by_code(client, [codes[id(i)] for i in refused])
        for item in refused:
            party = again.get(codes[id(item)])
            if party is not None:
                item.outcome = ExportResult(party.code, party.code)
    for item in items:
        if item.open and item.record is not None:
            item.outcome = ExportResult(codes[id(item)], codes[id(item)])


def _addresses(client: TrytonClient, payloads: list[CompanyPayload]) -> dict[int, dict[str, Any]]:
    """Party addresses, with country and state where Tryton has them (countries are loaded
    in Tryton with ``trytond_import_countries``; without them, street, city and ZIP)."""
    result = {id(p): m.address_values(p.address) for p in payloads}
    countries = {p.address.country_code.upper() for p in payloads if p.address.country_code}
    if not countries:
        return result
    rows = client.search_read("country.country", [("code", "in", sorted(countries))], ["code"])
    country_ids = {r["code"]: r["id"] for r in rows}
    states = {
        f"{p.address.country_code.upper()}-{p.address.state_code.upper()}"
        for p in payloads
        if p.address.state_code and p.address.country_code.upper() in country_ids
    }
    state_ids: dict[str, int] = {}
    if states:
        rows = client.search_read("country.subdivision", [("code", "in", sorted(states))], ["code"])
        state_ids = {r["code"]: r["id"] for r in rows}
    for p in payloads:
        country = p.address.country_code.upper()
        if country in country_ids:
            result[id(p)]["country"] = country_ids[country]
            state = state_ids.get(f"{country}-{p.address.state_code.upper()}")
            if state:
                result[id(p)]["subdivision"] = state
    return result


def parties_by_code(client: TrytonClient, codes: list[str]) -> dict[str, m.Party]:
    """The parties Tryton has with these codes, in one search."""
    if not codes:
        return {}
    rows = client.search_read(
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

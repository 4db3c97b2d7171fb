"""Every record list, on the web and in the API, costs the same number of queries with 10 rows
as with 1,000, on its first page and deep in it, searched and sorted."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations import models as m
from integrations.kinds import Kind, kinds
from integrations.kinds import base as kinds_base
from permissions.levels import Level, Tool
from tests.api.conftest import build_records, client_for
from tests.factories import CommitmentFactory, CompanyFactory, member, signed_in

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 1_000
WEB_KINDS = [k.key for k in kinds() if k.web is not None]
API_KINDS = [k.key for k in kinds() if k.api is not None]


def _copies(record: models.Model, count: int, serial: list[int]) -> list[models.Model]:
    """``count`` copies of ``record`` (and of its lines), saved in bulk: each unique field made
    unique again, a parent it must be alone under (a project's one budget) copied with it."""
    model = type(record)
    opts = model._meta
    made = []
    for _ in range(count):
        serial[0] += 1
        copy = model._default_manager.get(pk=record.pk)
        copy.pk = None
        if hasattr(copy, "origin_id"):
            copy.origin_id = None
        made.append(copy)
    uniques = [c.fields for c in opts.constraints if getattr(c, "fields", ())]
    uniques += [(f.name,) for f in opts.fields if f.unique and not f.primary_key]
    for fields in uniques:
        free = [name for name in fields if name not in ("account", "origin_id")]
        if any(getattr(record, opts.get_field(name).attname) is None for name in fields):
            continue  # a null never repeats another
        if not free or any(_vary(made, opts.get_field(name), serial) for name in free):
            continue
        field = opts.get_field(free[0])  # a reference only: one parent per copy
        parents = _copies(getattr(record, field.name), count, serial)
        for copy, parent in zip(made, parents, strict=True):
            setattr(copy, field.name, parent)
    made = model._default_manager.bulk_create(made)
    lines = getattr(record, "lines", None)
    if lines is not None:
        key = lines.field.attname  # the line's reference to its record
        template = [_values(line, key) for line in lines.all()]
        lines.model._default_manager.bulk_create(
            lines.model(**values, **{key: copy.pk}) for copy in made for values in template
        )
    return made


def _vary(made: list[models.Model], field: Any, serial: list[int]) -> bool:
    """Give each copy its own value of ``field`` (a text or a number); False for a reference."""
    if field.is_relation:
        return False
    for offset, copy in enumerate(made):
        n = serial[0] * 10_000 + offset
        if isinstance(field, models.CharField):
            text = f"{getattr(copy, field.attname)}-{n}"
            setattr(copy, field.attname, text[-(field.max_length or len(text)) :])
        else:
            setattr(copy, field.attname, n)
    return True


def _values(line: models.Model, parent: str) -> dict[str, Any]:
    """A line's stored values but its key and its record's."""
    return {
        f.attname: getattr(line, f.attname)
        for f in line._meta.concrete_fields
        if not f.primary_key and f.attname != parent
    }


def _grow(kind: Kind, account: Any, record: models.Model, rows: int, serial: list[int]) -> None:
    have = kind.model._default_manager.filter(account=account).count()
    if rows > have:
        _copies(record, rows - have, serial)
    assert kind.model._default_manager.filter(account=account).count() == rows


def _queries(client: Any, url: str, **headers: Any) -> int:
    client.get(url, **headers)  # once before: a session's first request saves it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _asks(kind: Kind, deep: int) -> list[str]:
    """The pages to compare: the first, a deep one, a search, and each sort offered."""
    assert kind.web is not None
    asks = ["", f"?page={deep}"]
    if kind.web.search:
        asks.append("?q=1")
    asks += [f"?ordering=-{key}" for key in kind.web.sortable]
    return asks


@pytest.fixture
def reader(account: Any) -> Any:
    """Read Only on every tool: sees every project's records, not as a superuser does."""
    return member(account, levels=dict.fromkeys(Tool, Level.READ_ONLY))


@pytest.mark.parametrize("key", WEB_KINDS)
def test_a_web_list_costs_the_same_queries_at_any_size(account, reader, key):
    found = next(k for k in kinds() if k.key == key)
    record = build_records(account).of(found.model)
    client, serial = signed_in(reader), [0]
    page = reverse("record-list", kwargs={"account": account.slug, "kind": key})

    _grow(found, account, record, SMALL, serial)
    small = [_queries(client, page + ask) for ask in _asks(found, 1)]
    _grow(found, account, record, LARGE, serial)
    large = [_queries(client, page + ask) for ask in _asks(found, 30)]

    assert large == small


@pytest.mark.parametrize("key", API_KINDS)
def test_an_api_collection_costs_the_same_queries_at_any_size(account, reader, key):
    found = next(k for k in kinds() if k.key == key)
    assert found.api is not None
    record = build_records(account).of(found.model)
    client, serial = client_for(reader, account), [0]
    collection = f"/api/v1/{key}/"
    asks = ["", "?page={}"] + (["?search=1"] if found.api.search else [])
    asks += [f"?ordering=-{name}" for name in found.api.ordering]

    _grow(found, account, record, SMALL, serial)
    small = [_queries(client, collection + ask.format(1)) for ask in asks]
    _grow(found, account, record, LARGE, serial)
    large = [_queries(client, collection + ask.format(15)) for ask in asks]

    assert large == small


@pytest.mark.parametrize("few", [1_000, 0], ids=["keys named", "as a subquery"])
def test_a_search_finds_records_by_a_referenced_records_field(account, reader, few, monkeypatch):
    """The web and the API search a referenced record's field (the vendor's name, the
    commitment's number) as before: only the records it names, whether the matching
    referenced records are few (named by key) or many (asked as a subquery)."""
    monkeypatch.setattr(kinds_base, "FEW_REFERENCED", few)
    rebar = CompanyFactory(account=account, name="Front Range Rebar")
    ours = CommitmentFactory(account=account, vendor=rebar, number="SC-700", title="Steel")
    other = CommitmentFactory(account=account, number="SC-800", title="Glass")
    for commitment in (ours, other):
        m.SubcontractorInvoice.objects.create(
            account=account, commitment=commitment, number="7", billing_date="2026-04-01"
        )
    page = reverse("record-list", kwargs={"account": account.slug, "kind": "commitments"})
    shown = signed_in(reader).get(page, {"q": "range reb"}).text
    assert "SC-700" in shown
    assert "SC-800" not in shown
    api = client_for(reader, account)
    found = api.get("/api/v1/commitments/", {"search": "RANGE"}).json()["results"]
    assert [row["number"] for row in found] == ["SC-700"]
    invoices = api.get("/api/v1/subcontractor-invoices/", {"search": "sc-70"}).json()["results"]
    assert [row["commitment"] for row in invoices] == [ours.pk]

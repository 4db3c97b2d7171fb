"""Hostile requests get a plain refusal, never a server error or the debug page: JSON nested
too deeply (400), a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), a NUL character in a page's
search or filter (400: PostgreSQL cannot compare text holding one)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from integrations import models as m
from integrations.kinds import kinds
from tests.api.conftest import client_for, url

pytestmark = pytest.mark.django_db

TOO_DEEP = {"detail": "The JSON body is nested too deeply."}
TOO_BIG = "The request body is too large."


# `records` and `admin` (Admin everywhere) come from tests/api/conftest.py.


@pytest.fixture
def api(account: Any, admin: Any) -> Any:
    return client_for(admin, account)


@pytest.fixture
def web(admin: Any) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def page(name: str, account: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


def post_json(api: Any, path: str, body: str, method: str = "post") -> Any:
    return getattr(api, method)(path, body, content_type="application/json")


# --- JSON nesting -------------------------------------------------------------------------------


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_a_deeply_nested_body_is_a_json_400(api, opening):
    closing = "]" if opening == "[" else "}"
    body = opening * 100_000 + "1" + closing * 100_000
    response = post_json(api, url("projects"), body)
    assert response.status_code == 400
    assert response.json() == TOO_DEEP
    assert not m.Project.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/settings/"),
        ("post", "/api/v1/export-requests/"),
        ("post", "/api/v1/export-requests/bulk-accept/"),
    ],
)
def test_every_json_endpoint_refuses_deep_nesting(api, records, method, path):
    body = "[" * 100_000 + "]" * 100_000
    response = post_json(api, path, body, method)
    assert (response.status_code, response.json()) == (400, TOO_DEEP)


def test_nesting_just_past_the_limit_is_refused_and_within_it_is_parsed(api, records):
    """64 levels of lists and objects are allowed: the record with its lines is 3."""
    deep = {"name": "Deep"}
    inner: Any = deep
    for _ in range(64):
        inner["x"] = {}
        inner = inner["x"]
    response = post_json(api, url("companies"), json.dumps(deep))
    assert (response.status_code, response.json()) == (400, TOO_DEEP)
    shallow = {"name": "Shallow", "extra": [[[[1]]]]}
    response = post_json(api, url("companies"), json.dumps(shallow))
    assert response.status_code == 201, response.json()


# --- Body size ----------------------------------------------------------------------------------


def big(extra: int = 1) -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) + extra


def test_an_oversized_json_body_is_a_json_413(api):
    body = json.dumps({"name": "x" * big()})
    response = post_json(api, url("companies"), body)
    assert response.status_code == 413
    assert response.json() == {"detail": TOO_BIG}
    assert not m.Company.objects.exists()


@pytest.mark.parametrize("debug", [False, True])
def test_an_oversized_web_form_is_a_plain_413(account, web, settings, debug):
    settings.DEBUG = debug
    response = web.post(page("record-create", account, kind="companies"), {"name": "x" * big()})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == TOO_BIG
    assert not m.Company.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/companies/", "web"])
def test_an_oversized_multipart_form_is_a_413(account, api, web, path):
    """Multipart bodies are not refused by their length (files do not count); their fields
    over the limit are."""
    data = {"name": "x" * big()}
    if path == "web":
        response = web.post(page("record-create", account, kind="companies"), data)
    else:
        response = api.post(path, data, format="multipart")
    assert response.status_code == 413
    assert TOO_BIG in response.content.decode()


def test_a_body_within_the_limit_is_served(api):
    response = post_json(api, url("companies"), json.dumps({"name": "Acme", "notes": "x" * 1000}))
    assert response.status_code == 201, response.json()


# --- NUL in web lists ---------------------------------------------------------------------------


def web_lists(account: Any) -> list[tuple[str, str]]:
    """Every list page with its search and filter parameters."""
    lists = [
        (page("record-list", account, kind=kind.key), param)
        for kind in kinds()
        if kind.web
        for param in ("q", *kind.web.filters)
    ]
    queues = [page("export-queue", account), page("export-failed", account)]
    lists += [(q, p) for q in queues for p in ("q", "type", "project", "sender", "age", "sort")]
    lists += [(page("ready-to-import", account), p) for p in ("q", "type", "status", "page")]
    log = page("erp-log", account)
    lists += [(log, p) for p in ("outcome", "action", "item_type", "item_id", "connection")]
    lists += [(page("sync-log", account), "kind"), (page("reports", account), "q")]
    return lists


def test_a_nul_in_any_web_search_or_filter_is_a_400(account, web, records):
    refused = []
    for path, param in web_lists(account):
        response = web.get(path, {param: "Roof\x00ing"})
        assert response.status_code != 500, (path, param)
        refused.append((path, param, response.status_code))
    assert {status for *_, status in refused} == {400}, refused
    response = web.get(page("record-list", account, kind="commitments"), {"q": "a\x00"})
    assert "NUL character" in response.content.decode()
    assert response["Content-Type"].startswith("text/plain")


def test_the_same_search_without_the_nul_is_served(account, web, records):
    payments_search = (page("record-list", account, kind="payments"), "q")
    for path, param in web_lists(account):
        if (path, param) == payments_search:
            continue  # see the next test
        response = web.get(path, {param: "Roofing"})
        assert response.status_code in (200, 302), (path, param, response.status_code)


def test_the_payments_search_is_served(account, web, records):
    response = web.get(page("record-list", account, kind="payments"), {"q": "Roofing"})
    assert response.status_code == 200


def test_a_nul_in_a_query_parameter_name_or_the_address_is_a_400(account, web, records):
    commitments = page("record-list", account, kind="commitments")
    assert web.get(commitments, {"q\x00": "x"}).status_code == 400
    assert web.get(f"/a/{account.slug}/commit%00ments/").status_code == 400


def test_a_nul_in_an_api_search_is_a_json_400(api, records):
    response = api.get(url("commitments"), {"search": "Roof\x00"})
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]

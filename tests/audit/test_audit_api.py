"""``GET /api/v1/audit-events/``: the account's trail for ERP admins, paginated like the other
collections, with the page's filters, and described in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.services import Change, audit_rows
from permissions.levels import Level, Tool
from tests.api.conftest import client_for
from tests.factories import member

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit-events/"


def write(account: Any, actor: Any, verb: str, item_type: str, item_id: int, **kwargs: Any) -> None:
    audit_rows(actor, [Change(account.pk, item_type, item_id, verb, **kwargs)])


@pytest.fixture
def admin(account):
    return member(account, username="erpadmin", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def test_who_may_read_the_trail(account, other_account, admin):
    approver = member(
        account,
        username="approver",
        levels={Tool.ERP_INTEGRATIONS: Level.STANDARD},
        can_push_to_accounting=True,
    )
    outsider = member(other_account, username="rival", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    Membership = account.memberships.model
    Membership.objects.create(account=account, user=root)
    assert client_for(admin, account).get(EVENTS).status_code == 200
    assert client_for(root, account).get(EVENTS).status_code == 200
    refused = client_for(approver, account).get(EVENTS)
    assert refused.status_code == 403
    assert "view audit trail" in refused.json()["detail"]
    assert client_for(outsider, account).get(EVENTS).status_code == 404
    assert APIClient().get(EVENTS, HTTP_X_ACCOUNT=account.slug).status_code in (401, 403)


def test_rows_newest_first_in_words_and_paginated(account, other_account, admin):
    for i in range(55):
        write(account, admin, "record_updated", "commitment", i, data={"fields": ["title"]})
    write(
        account,
        None,
        "settings_changed",
        "account",
        account.pk,
        data={"allow_standard_approvers": ["False", "True"]},
        reason="policy",
    )
    write(other_account, None, "record_updated", "commitment", 1)
    client = client_for(admin, account)
    first = client.get(EVENTS).json()
    assert first["count"] == 56
    assert len(first["results"]) == 50 and first["next"]
    newest = first["results"][0]
    assert newest["verb"] == "settings_changed"
    assert newest["action"] == "Settings changed"
    assert newest["actor"] is None and newest["actor_name"] == "System"
    assert newest["item_type_label"] == "Account settings"
    assert newest["data"] == {"allow_standard_approvers": ["False", "True"]}
    assert newest["reason"] == "policy"
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 6
    assert second["results"][-1]["item_id"] == 0  # the oldest last
    assert first["results"][1]["actor"] == admin.pk
    assert first["results"][1]["actor_name"] == "erpadmin"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("verb=accept", 1),
        ("item_type=commitment&item_id=5", 2),
        ("request_id=9", 1),
        ("actor=system", 1),
        ("actor={admin}", 2),
        ("q=late", 1),
        ("date_from=2000-01-01&date_to=2999-12-31", 3),
        ("date_to=2000-01-01", 0),
    ],
)
def test_filters(account, admin, query, expected):
    write(account, admin, "record_updated", "commitment", 5)
    write(account, admin, "accept", "commitment", 5, request_id=9)
    write(account, None, "sync_started", "sync_run", 3, reason="Late run")
    response = client_for(admin, account).get(f"{EVENTS}?{query.format(admin=admin.pk)}")
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_a_filter_that_is_not_valid_is_a_400_naming_it(account, admin):
    response = client_for(admin, account).get(f"{EVENTS}?item_id=five")
    assert response.status_code == 400
    assert "item_id" in response.json()


def test_read_only(account, admin):
    client = client_for(admin, account)
    assert client.post(EVENTS, {"verb": "x"}, format="json").status_code == 405


def test_in_the_schema_with_its_filters(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    operation = schema["paths"][EVENTS]
    assert set(operation) == {"get"}
    parameters = {p["name"] for p in operation["get"]["parameters"]}
    assert {
        "X-Account",
        "actor",
        "verb",
        "item_type",
        "item_id",
        "request_id",
        "date_from",
        "date_to",
        "q",
        "page",
    } <= parameters
    assert operation["get"]["tags"] == ["audit"]


def test_a_page_costs_the_same_queries_for_10_or_200_rows(account, admin):
    people = [member(account, username=f"m{i}") for i in range(3)]
    client = client_for(admin, account)

    def queries(count: int) -> int:
        for i in range(count):
            write(account, people[i % 3], "record_updated", "commitment", i)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(EVENTS).status_code == 200
        return len(captured.captured_queries)

    assert queries(10) == queries(190)

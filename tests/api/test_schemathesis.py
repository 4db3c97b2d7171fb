"""Every operation of the published OpenAPI schema, as every demo login (one test each), with
requests Schemathesis generates from the schema: valid and invalid ones, POST, PUT, PATCH and
DELETE included. No answer is a server error, every body matches the schema documented for its
status, and every operation answers only statuses it documents.

The demo is seeded once for the module, in a transaction rolled back at its end; each test runs
in a savepoint of it, so what one test creates, sends or deletes is gone before the next (what
a request would hand to Celery after commit never runs). The requests go through Django's WSGI
handler in-process, in that same transaction, with the role's token and the demo's account.
Generation is deterministic (a fixed seed, no example database, at most MAX_EXAMPLES requests
per operation and role), so CI sends the same requests on every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from rest_framework.test import APIClient

from demo.seed import seed_demo
from tests.api.schemathesis_support import (
    CHECKS,
    ROLES,
    Demo,
    connections_kept_open,
    demo_for,
    load_schema,
)

schema = load_schema()
HANDLER = WSGIHandler()


def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Django's handler, each request in a savepoint: a view's error that marks the transaction
    for rollback (DRF does on every error answer) rolls back that request alone, as the
    request's own transaction would outside the tests."""
    with transaction.atomic():
        return list(HANDLER(environ, start_response))


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Demo]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            account = seed_demo()
            users = {u.username: u for u in get_user_model()._default_manager.all()}
            paths = [op.ok().path for op in schema.get_all_operations()]
            yield demo_for(account, users, paths)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def kept_open() -> Iterator[None]:
    with connections_kept_open():
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
def test_operation(case: Any, role: str, demo: Demo, kept_open: None) -> None:
    demo.aim(case)
    case.call_and_validate(app=application, headers=demo.headers(role), checks=CHECKS)


# What the walk above found, said once more as a user meets it.


def api_client(demo: Demo, role: str) -> APIClient:
    client = APIClient()
    headers = demo.headers(role)
    client.credentials(
        HTTP_AUTHORIZATION=headers["Authorization"], HTTP_X_ACCOUNT=headers["X-Account"]
    )
    return client


@pytest.mark.django_db
def test_an_id_beyond_any_database_is_refused_naming_the_field(demo: Demo) -> None:
    client = api_client(demo, "erpadmin")
    huge = 2**64
    response = client.get("/api/v1/job-cost-transactions/", {"vendor": huge})
    assert response.status_code == 400
    assert "vendor" in response.json()
    response = client.get("/api/v1/export-requests/", {"project": huge})
    assert response.status_code == 400
    assert "project" in response.json()
    response = client.post(
        "/api/v1/staged-records/link-many/",
        {"links": [{"staged": huge, "target": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"links": {"0": {"staged": [f"{huge} is too large for an id."]}}}


@pytest.mark.django_db
def test_sync_schedules_answer_the_list_and_times_the_schema_documents(demo: Demo) -> None:
    client = api_client(demo, "erpadmin")
    schedules = client.get("/api/v1/sync-schedules/").json()
    assert isinstance(schedules, list) and schedules
    daily = next(entry for entry in schedules if entry["every"] == "daily")
    assert len(daily["at"]) == 5  # HH:MM, as documented (no seconds)
    suggestions = client.get("/api/v1/staged-records/suggested-links/").json()
    assert isinstance(suggestions, list)

"""What tests/api/test_schemathesis.py needs around Schemathesis: the schema loaded in-process with
a bounded, reproducible configuration, the Django application reached through WSGI inside the
test's transaction, the demo's users and tokens, and the demo's own ids for path parameters."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from demo.data import DEMO_USERS
from tenancy.api import ACCOUNT_HEADER
from tenancy.models import Account

# Every demo login (README, "Demo logins"): ERP admin, approver, project admin, read only, no
# rights, superuser.
ROLES: tuple[str, ...] = tuple(username for username, _ in DEMO_USERS)
# No server error, a body as documented, and a status the operation documents: the
# account-scoped operations document every error they may answer, and the token and account
# routes the errors that apply to each.
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

# Fixed, so CI generates the same requests on every run; small, so the whole schema as every
# role adds minutes, not hours.
SEED = 20261129
MAX_EXAMPLES = 5
CONFIG: dict[str, Any] = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # The schema's own examples, then generated requests; not the coverage phase, which sends
    # every boundary value of every parameter (thousands of requests per operation).
    "phases": {
        "examples": {"enabled": True},
        "fuzzing": {"enabled": True},
        "coverage": {"enabled": False},
    },
    "suppress-health-check": ["all"],
}
KEEP_EVERY = 4  # one generated id (or account) in this many is sent as generated


def load_schema() -> Any:
    """The OpenAPI document drf-spectacular publishes, as a Schemathesis schema."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(document, config=SchemathesisConfig.from_dict(CONFIG))


@contextmanager
def connections_kept_open() -> Iterator[None]:
    """Stop Django closing the connection at the start and end of a request (it would close the
    connection of the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class Demo:
    """The seeded demo account: each role's token, and the ids each collection holds."""

    account: Account
    tokens: dict[str, str]
    pools: dict[str, list[Any]] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[role]}", ACCOUNT_HEADER: self.account.slug}

    def aim(self, case: Any) -> None:
        """Point most generated ids at rows of the demo (``case`` in place): a random id is a 404
        or a 400 nearly always, and the code behind it would go untested. One value in
        ``KEEP_EVERY`` is kept as generated, and so is the ``account`` query parameter."""
        pool = self.pools.get(collection_of(case.operation.path), [])
        for name, value in (case.path_parameters or {}).items():
            values = [row[name] for row in pool if name in row]
            case.path_parameters[name] = self._pick(value, values)
        if isinstance(case.query, dict) and "account" in case.query:
            case.query["account"] = self._pick(case.query["account"], [self.account.slug])
        if isinstance(case.body, dict):
            self._aim_body(case.body)

    def _aim_body(self, body: dict[str, Any]) -> None:
        for name, value in body.items():
            if name in REFERENCES:
                rows = self.pools.get(f"/api/v1/{REFERENCES[name]}/", [])
                body[name] = self._pick(value, [row["id"] for row in rows if "id" in row])
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        self._aim_body(item)

    @staticmethod
    def _pick(value: Any, values: list[Any]) -> Any:
        if not values or isinstance(value, bool):
            return value
        pick = zlib.crc32(repr(value).encode())
        return values[pick % len(values)] if pick % KEEP_EVERY else value


# Body fields that hold the id of a row of another collection.
REFERENCES = {
    "project": "projects",
    "vendor": "companies",
    "owner": "companies",
    "company": "companies",
    "cost_code": "cost-codes",
    "cost_type": "cost-types",
    "standard_code": "standard-cost-codes",
    "commitment": "commitments",
    "prime_contract": "prime-contracts",
    "sub_job": "sub-jobs",
    "invoice": "subcontractor-invoices",
    "item_id": "commitments",
    "template": "project-templates",
}


def collection_of(path: str) -> str:
    """``/api/v1/commitments/{id}/unlink/`` -> ``/api/v1/commitments/``."""
    head, brace, _ = path.partition("{")
    return head if brace else path


def demo_for(account: Account, users: dict[str, Any], paths: Iterable[str]) -> Demo:
    """Each role's token, and the first page of every collection a path parameter points into
    (read as the superuser, who sees every row)."""
    tokens = {role: Token.objects.get_or_create(user=users[role])[0].key for role in ROLES}
    demo = Demo(account=account, tokens=tokens)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens['admin']}", HTTP_X_ACCOUNT=account.slug)
    for path in paths:
        collection = collection_of(path)
        if collection == path or collection in demo.pools:
            continue
        response = client.get(collection)
        body = response.json() if response.status_code == 200 else []
        rows = body.get("results", []) if isinstance(body, dict) else body
        demo.pools[collection] = [row for row in rows if isinstance(row, dict)]
    return demo

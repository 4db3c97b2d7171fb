"""The token and account routes, outside any account, document the errors they answer besides
their success: the token request its field errors (400) and the lockout (429), every one of
them a missing or bad token (401); and each answer really is one of those documented."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.factories import member


@pytest.fixture(scope="module")
def paths() -> dict[str, Any]:
    return dict(SchemaGenerator().get_schema(request=None, public=True)["paths"])


def statuses(paths: dict[str, Any], path: str, method: str) -> set[str]:
    return set(paths[path][method]["responses"])


def test_each_route_documents_its_errors(paths: dict[str, Any]) -> None:
    assert statuses(paths, "/api/v1/auth/token/", "post") >= {"200", "400", "401", "429"}
    field_errors = paths["/api/v1/auth/token/"]["post"]["responses"]["400"]
    assert "by field" in field_errors["description"]
    assert statuses(paths, "/api/v1/auth/token/", "delete") >= {"204", "401", "403"}
    assert statuses(paths, "/api/v1/auth/tokens/", "get") >= {"200", "401"}
    assert statuses(paths, "/api/v1/accounts/", "get") >= {"200", "401"}
    assert statuses(paths, "/api/v1/accounts/{slug}/", "get") >= {"200", "401", "404"}
    for path in ("/api/v1/auth/tokens/", "/api/v1/accounts/"):
        success = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
        assert success["schema"]["$ref"].startswith("#/components/schemas/Paginated"), path


@pytest.mark.django_db
def test_the_answers_are_the_documented_ones(paths: dict[str, Any], account: Any) -> None:
    client = APIClient()
    refused = client.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert refused.status_code == 400 and "password" in refused.json()
    assert client.get("/api/v1/accounts/").status_code == 401
    assert client.get("/api/v1/auth/tokens/").status_code == 401
    user = member(account)
    client.force_authenticate(user)
    assert client.get("/api/v1/accounts/no-such-account/").status_code == 404

"""The OpenAPI schema is valid without warnings, and the docs page works offline."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_is_valid_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    assert "/api/v1/auth/token/" in paths
    assert set(paths["/api/v1/commitments/"]) == {"get", "post"}
    assert set(paths["/api/v1/commitments/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/payments/{id}/"]) == {"get"}
    parameters = {p["name"] for p in paths["/api/v1/commitments/"]["get"]["parameters"]}
    assert {"X-Account", "account", "project", "status", "erp_state", "vendor"} <= parameters
    assert {"search", "ordering", "page"} <= parameters
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_schema_endpoint():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/subcontractor-invoices/" in response.content


def test_docs_page_uses_bundled_assets():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "//cdn."):
        assert cdn not in html

"""Every page carries the security headers: a Content-Security-Policy that allows only the
portal's own scripts, styles and images (no inline script, no framing, forms posting only to the
portal), and the referrer, framing, sniffing and opener policies. Only the API's docs page
relaxes the policy, for Swagger UI's inline styles and icons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from permissions.levels import Level, Tool
from tests.factories import member

TEMPLATES = Path(settings.BASE_DIR) / "templates"

pytestmark = pytest.mark.django_db


def policy(response: Any) -> dict[str, list[str]]:
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {name: values for name, *values in (d.split() for d in directives)}


@pytest.fixture
def admin_client(account: Any) -> Client:
    user = member(account, username="boss", levels=dict.fromkeys(Tool, Level.ADMIN))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/login/", "/a/summit/", "/a/summit/erp/ready-to-export/"])
def test_pages_carry_the_policy_and_the_security_headers(admin_client: Client, path: str) -> None:
    response = admin_client.get(path)
    assert response.status_code == 200, path
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_api_answers_carry_them_too(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/accounts/")
    assert policy(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_page_relaxes_only_styles_and_images(admin_client: Client) -> None:
    response = admin_client.get(reverse("api-docs"))
    assert response.status_code == 200
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]  # its script is a file of its own
    assert "'unsafe-inline'" in csp["style-src"]
    assert "data:" in csp["img-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    page = response.content.decode()
    assert "<script>" not in page
    script = admin_client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_templates_hold_no_inline_script_handler_or_style() -> None:
    """What the policy would block, the browser would refuse silently: none of it is written."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if "email" in template.parts:
            continue  # read by mail clients, not served
        text = template.read_text()
        for needle in ("<script>", " onclick=", " onchange=", " onsubmit=", "hx-on", "style="):
            if needle in text:
                offenders.append(f"{template.relative_to(TEMPLATES)}: {needle.strip()}")
    assert offenders == []


def test_htmx_is_configured_without_eval_or_its_own_styles(admin_client: Client) -> None:
    page = admin_client.get("/a/summit/").content.decode()
    assert '"allowEval":false' in page
    assert '"includeIndicatorStyles":false' in page
    assert "js/portal.js" in page

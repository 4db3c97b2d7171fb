"""API tokens expire, are revoked by a password change or by their owner (logout), are listed
without their key, and the token endpoint's throttle cannot be dodged with X-Forwarded-For."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.api.conftest import url

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
TOKENS = "/api/v1/auth/tokens/"
VIC = {"username": "vic", "password": "pw"}


def issue(credentials: dict[str, str] = VIC) -> str:
    response = APIClient().post(TOKEN, credentials, format="json")
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def age(key: str, hours: float) -> None:
    """Make the token ``hours`` old."""
    created = timezone.now() - datetime.timedelta(hours=hours)
    Token.objects.filter(key=key).update(created=created)


# Expiry


def test_a_token_within_its_lifetime_works(viewer, records, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    key = issue()
    age(key, 23)
    assert bearer(key).get(url("commitments")).status_code == 200


def test_an_expired_token_is_refused_with_the_reason(viewer, records, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    key = issue()
    age(key, 24.01)
    response = bearer(key).get(url("commitments"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Token expired: request a new one."}


def test_a_token_expires_as_the_clock_moves(viewer, records, settings, monkeypatch):
    settings.API_TOKEN_TTL_HOURS = 720
    key = issue()
    later = timezone.now() + datetime.timedelta(days=31)
    monkeypatch.setattr("tenancy.tokens.timezone.now", lambda: later)
    assert bearer(key).get(url("commitments")).status_code == 401


def test_asking_again_after_expiry_issues_a_new_token(viewer, records, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    old = issue()
    age(old, 25)
    new = issue()
    assert new != old
    assert bearer(old).get(url("commitments")).status_code == 401
    assert bearer(new).get(url("commitments")).status_code == 200


def test_asking_again_within_the_lifetime_returns_the_same_token(viewer, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    first = issue()
    age(first, 23)
    assert issue() == first


# Password change


def test_a_password_change_revokes_the_token(viewer, records):
    key = issue()
    viewer.set_password("a-new-long-password")
    viewer.save()
    response = bearer(key).get(url("commitments"))
    assert response.status_code == 401
    assert not Token.objects.filter(user=viewer).exists()
    assert issue({"username": "vic", "password": "a-new-long-password"}) != key


def test_a_password_change_in_the_admin_revokes_the_token(viewer, records):
    key = issue()
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    browser = Client()
    browser.force_login(admin)
    response = browser.post(
        f"/admin/auth/user/{viewer.pk}/password/",
        {
            "password1": "Sturdy-new-pass-42",
            "password2": "Sturdy-new-pass-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content
    assert bearer(key).get(url("commitments")).status_code == 401


def test_saving_a_user_without_changing_the_password_keeps_the_token(viewer, records):
    key = issue()
    viewer.first_name = "Victor"
    viewer.save()
    viewer.last_login = timezone.now()
    viewer.save(update_fields=["last_login"])
    assert bearer(key).get(url("commitments")).status_code == 200


def test_django_rehashing_the_same_password_keeps_the_token(viewer, records, settings):
    key = issue()  # the stored hash is MD5, the suite's only hasher
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert issue() == key  # logging in rehashed the password with PBKDF2
    viewer.refresh_from_db()
    assert viewer.password.startswith("pbkdf2_sha256$")
    assert bearer(key).get(url("commitments")).status_code == 200


# Listing and revoking


def test_the_list_shows_the_callers_token_without_its_key(viewer, editor, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    key = issue()
    issue({"username": "eve", "password": "pw"})
    response = bearer(key).get(TOKENS)
    assert response.status_code == 200
    body = response.json()
    assert key not in json.dumps(body)
    [token] = body["results"]
    token_row = Token.objects.get(key=key)
    assert token["key_ending"] == f"…{key[-4:]}"
    assert token["expired"] is False
    created = datetime.datetime.fromisoformat(token["created"])
    expires = datetime.datetime.fromisoformat(token["expires"])
    assert created == token_row.created
    assert expires - created == datetime.timedelta(hours=24)


def test_the_list_needs_authentication():
    assert APIClient().get(TOKENS).status_code == 401


def test_delete_revokes_the_callers_token(viewer, editor, records):
    key = issue()
    others = issue({"username": "eve", "password": "pw"})
    client = bearer(key)
    assert client.delete(TOKEN).status_code == 204
    assert client.get(url("commitments")).status_code == 401
    assert Token.objects.filter(key=others).exists()
    assert issue() != key


def test_anonymous_delete_is_401():
    assert APIClient().delete(TOKEN).status_code == 401


def test_an_admin_revokes_a_users_token_and_never_sees_its_key(viewer, records):
    key = issue()
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    browser = Client()
    browser.force_login(admin)
    listing = browser.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200
    assert key not in listing.content.decode()
    assert f"…{key[-4:]}" in listing.content.decode()
    response = browser.post(f"/admin/authtoken/tokenproxy/{viewer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert bearer(key).get(url("commitments")).status_code == 401


def test_the_schema_has_the_token_list_and_logout(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    assert set(paths[TOKEN]) == {"post", "delete"}
    assert set(paths[TOKENS]) == {"get"}


# The token endpoint


def guesses(monkeypatch: Any, headers: list[dict[str, str]]) -> list[int]:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    cache.clear()
    client = APIClient()
    try:
        return [
            client.post(TOKEN, {"username": "x", "password": "guess"}, **h).status_code
            for h in headers
        ]
    finally:
        cache.clear()


def test_a_new_x_forwarded_for_does_not_reset_the_throttle(db, monkeypatch):
    headers = [{"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"} for n in range(5)]
    assert guesses(monkeypatch, headers) == [400, 400, 400, 429, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_counts(db, monkeypatch, settings):
    settings.TRUSTED_PROXIES_COUNT = 1
    # The proxy appends the address it saw; what the client sent before it is not trusted.
    one = [{"HTTP_X_FORWARDED_FOR": f"10.9.9.{n}, 198.51.100.7"} for n in range(4)]
    assert guesses(monkeypatch, one) == [400, 400, 400, 429]
    two = [{"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"} for n in (1, 2, 3, 4)]
    assert guesses(monkeypatch, two) == [400, 400, 400, 400]


def test_deeply_nested_json_to_the_token_endpoint_is_a_400(db):
    body = "[" * 100_000 + "]" * 100_000
    response = APIClient().post(TOKEN, body, content_type="application/json")
    assert response.status_code == 400


PROBE = """
import django
django.setup()
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

class View:
    throttle_scope = "auth"

request = Request(RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR="192.0.2.9"))
print(ScopedRateThrottle().allow_request(request, View()))
"""


def test_every_process_counts_the_same_attempts(tmp_path):
    """Production settings (no Redis configured: the file cache under var/): one process's
    attempts count against the next one's."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "erp_portal.settings",
        "DJANGO_SECRET_KEY": "a-production-like-secret-key-0123456789abcdefghijklmnop",
        "ERP_PORTAL_VAR_DIR": str(tmp_path),
        "API_AUTH_THROTTLE": "2/min",
    }
    answers = [
        subprocess.run(
            [sys.executable, "-c", PROBE],
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        for _ in range(3)
    ]
    assert answers == ["True", "True", "False"]

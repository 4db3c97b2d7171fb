"""Token and session authentication; anonymous requests are refused."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.conftest import client_for, url

pytestmark = pytest.mark.django_db


def test_token_for_a_good_password(viewer):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "vic", "password": "pw"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=viewer).key}


def test_the_same_token_on_every_call(viewer):
    payload = {"username": "vic", "password": "pw"}
    first = APIClient().post("/api/v1/auth/token/", payload, format="json").json()
    second = APIClient().post("/api/v1/auth/token/", payload, format="json").json()
    assert first == second


def test_no_token_for_a_bad_password(viewer):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "vic", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.filter(user=viewer).exists()


def test_no_token_for_an_inactive_user(viewer):
    viewer.is_active = False
    viewer.save()
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "vic", "password": "pw"}, format="json"
    )
    assert response.status_code == 400


def test_token_authenticates_requests(viewer, records):
    token = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "vic", "password": "pw"}, format="json")
        .json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(url("commitments"))
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_wrong_token_is_401(records):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(url("commitments")).status_code == 401


@pytest.mark.parametrize("path", [url("commitments"), url("accounts"), url("projects", 1)])
def test_anonymous_is_401(path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_write_is_401(account):
    response = APIClient().post(url("companies"), {"name": "Acme"}, format="json")
    assert response.status_code == 401


def test_session_auth_for_the_browser(viewer, records):
    client = APIClient()
    client.force_login(viewer)
    response = client.get(url("commitments"))
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_session_writes_need_the_csrf_token(editor, records):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(url("companies"), {"name": "Acme"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_token_clients_list_their_accounts(viewer, account, other_account):
    response = client_for(viewer).get(url("accounts"))
    assert response.status_code == 200
    assert [a["slug"] for a in response.json()["results"]] == ["summit"]


def test_token_endpoint_throttles_password_guessing(db, monkeypatch):
    from django.core.cache import cache
    from rest_framework.test import APIClient
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    cache.clear()
    client = APIClient()
    codes = [
        client.post("/api/v1/auth/token/", {"username": "x", "password": "guess"}).status_code
        for _ in range(4)
    ]
    cache.clear()
    assert codes == [400, 400, 400, 429]

"""Password guessing through the API's token endpoint counts towards the same lockout as the
login page (5 wrong passwords for a username from one address), and a locked-out username is
told so in JSON (429), the right password too. The address is the one trusted proxies saw, never
an X-Forwarded-For a client makes up."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.test.client import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from erp_portal.lockout import client_ip

TOKEN = "/api/v1/auth/token/"
RIGHT = "Gravel-Truck-47-Ridge"
HOME = "10.0.0.7"
LOCKED = "Too many failed log-ins: after 5 wrong passwords for this username from your address"

# Committed for real, as in production: a rolled-back request transaction loses its attempts.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def axes_on() -> Any:
    with override_settings(AXES_ENABLED=True):
        yield


@pytest.fixture
def pm(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("pm", password=RIGHT)


def ask(password: str, address: str = HOME, **headers: str) -> Any:
    return APIClient().post(
        TOKEN, {"username": "pm", "password": password}, REMOTE_ADDR=address, **headers
    )


def test_wrong_passwords_on_the_token_endpoint_are_counted(pm: Any) -> None:
    assert [ask(f"wrong-{n}").status_code for n in range(3)] == [400, 400, 400]
    attempt = AccessAttempt.objects.get(username="pm", ip_address=HOME)
    assert attempt.failures_since_start == 3


def test_five_wrong_passwords_lock_the_token_endpoint_with_a_json_429(pm: Any) -> None:
    answers = [ask(f"wrong-{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    right = ask(RIGHT)
    assert right.status_code == 429
    assert right["Content-Type"] == "application/json"
    assert LOCKED in right.json()["detail"]
    assert "token" not in right.json()
    assert int(right["Retry-After"]) == 15 * 60


def test_the_token_endpoint_and_the_login_page_share_the_count(pm: Any) -> None:
    for n in range(3):
        ask(f"wrong-{n}")
    web = Client()
    for n in range(2):
        web.post(reverse("login"), {"username": "pm", "password": f"w{n}"}, REMOTE_ADDR=HOME)
    page = web.post(reverse("login"), {"username": "pm", "password": RIGHT}, REMOTE_ADDR=HOME)
    assert page.status_code == 429
    assert ask(RIGHT).status_code == 429


def test_another_address_still_gets_a_token(pm: Any) -> None:
    for n in range(5):
        ask(f"wrong-{n}")
    elsewhere = ask(RIGHT, address="10.0.0.99")
    assert elsewhere.status_code == 200
    assert elsewhere.json()["token"]


def test_a_made_up_x_forwarded_for_does_not_dodge_the_lockout(pm: Any) -> None:
    for n in range(5):
        ask(f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert ask(RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert AccessAttempt.objects.get().ip_address == HOME


def test_behind_a_trusted_proxy_the_address_it_saw_is_locked(pm: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES_COUNT = 1
    proxy = "10.1.1.1"
    for n in range(5):
        # Whatever the client put first, the proxy appended the address it saw.
        ask(f"wrong-{n}", proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7")
    assert ask(RIGHT, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert ask(RIGHT, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "192.0.2.1"),
        (0, "203.0.113.5", "192.0.2.1"),  # no proxy configured: the header is the client's
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "10.9.9.9, 203.0.113.5", "203.0.113.5"),
        (2, "10.9.9.9, 203.0.113.5, 172.16.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "192.0.2.1"),  # fewer addresses than proxies: not through them all
        (1, "", "192.0.2.1"),
    ],
)
def test_the_client_address(settings: Any, proxies: int, forwarded: str, expected: str) -> None:
    settings.TRUSTED_PROXIES_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", **headers)
    assert client_ip(request) == expected

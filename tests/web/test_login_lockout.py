"""Password guessing on the login page: after 5 wrong passwords for one username from one
address, that username is refused from that address for 15 minutes, the right password too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse

RIGHT = "Gravel-Truck-47-Ridge"
HOME = "10.0.0.7"
LOCKED = "Too many failed log-ins: after 5 wrong passwords for this username from your address"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True):
        yield


@pytest.fixture
def people(django_user_model):
    for username in ("pm", "viewer"):
        django_user_model.objects.create_user(username, password=RIGHT)


def _log_in(client: Client, username: str, password: str, address: str = HOME, path: str = ""):
    return client.post(
        path or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _guess(client: Client, username: str, times: int, address: str = HOME) -> list[int]:
    return [_log_in(client, username, f"wrong-{n}", address).status_code for n in range(times)]


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_username_from_that_address(people):
    client = Client()
    assert _guess(client, "pm", 4) == [200, 200, 200, 200]
    fifth = _log_in(client, "pm", "wrong-5")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert "locked for 15 minutes" in fifth.content.decode()

    right = _log_in(client, "pm", RIGHT)
    page = right.content.decode()
    assert right.status_code == 429
    assert LOCKED in page
    assert 'name="password"' in page  # still the login page, with its form
    assert 'value="pm"' in page
    assert not _signed_in(client)


def test_another_address_or_another_username_is_not_locked(people):
    _guess(Client(), "pm", 5)
    elsewhere = Client()
    assert _log_in(elsewhere, "pm", RIGHT, address="10.0.0.99").status_code == 302
    assert _signed_in(elsewhere)
    colleague = Client()
    assert _log_in(colleague, "viewer", RIGHT).status_code == 302
    assert _signed_in(colleague)


def test_the_lockout_ends_after_15_minutes(people):
    client = Client()
    _guess(client, "pm", 5)
    assert _log_in(client, "pm", RIGHT).status_code == 429
    attempt = AccessAttempt.objects.get(username="pm", ip_address=HOME)
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=attempt.attempt_time - timedelta(minutes=16)
    )
    assert _log_in(client, "pm", RIGHT).status_code == 302
    assert _signed_in(client)


def test_a_right_password_before_the_limit_clears_the_count(people):
    client = Client()
    _guess(client, "pm", 4)
    assert _log_in(client, "pm", RIGHT).status_code == 302
    client.logout()
    assert _guess(client, "pm", 4) == [200, 200, 200, 200]
    assert _log_in(client, "pm", RIGHT).status_code == 302


def test_the_admin_site_login_counts_and_locks_too(django_user_model):
    django_user_model.objects.create_superuser("boss", password=RIGHT)
    client = Client()
    admin_login = reverse("admin:login")
    for n in range(5):
        _log_in(client, "boss", f"wrong-{n}", path=admin_login)
    locked = _log_in(client, "boss", RIGHT, path=admin_login)
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert not _signed_in(client)


def test_a_locked_username_gets_no_api_token_either(people):
    _guess(Client(), "pm", 5)
    token = Client().post(
        "/api/v1/auth/token/", {"username": "pm", "password": RIGHT}, REMOTE_ADDR=HOME
    )
    assert token.status_code == 429
    assert "token" not in token.json()

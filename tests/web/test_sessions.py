"""Sessions end: after 30 idle minutes, 12 hours after the log-in whatever the activity, and at
log-out; a log-in starts a new session id. The clock is moved, not waited for."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from erp_portal import middleware
from tests.factories import member

PASSWORD = "Gravel-Truck-47-Ridge"
EXPIRED = "Your session expired; sign in again."
MINUTE = 60.0
HOUR = 3600.0

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.at = 1_800_000_000.0

    def __call__(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(middleware, "now", fake)
    return fake


@pytest.fixture
def person(account: Any) -> Any:
    user = member(account, username="pm")
    user.set_password(PASSWORD)
    user.save()
    return user


def logged_in(person: Any) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": "pm", "password": PASSWORD})
    assert response.status_code == 302
    return client


def home(client: Client) -> Any:
    return client.get(reverse("account-home", kwargs={"account": "summit"}))


def sent_to_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_used_within_30_minutes_goes_on(clock: Clock, person: Any) -> None:
    client = logged_in(person)
    for _ in range(6):  # three hours, never 30 minutes idle
        clock.advance(29 * MINUTE)
        assert home(client).status_code == 200


def test_after_30_idle_minutes_the_next_page_is_the_login_page(clock: Clock, person: Any) -> None:
    client = logged_in(person)
    assert home(client).status_code == 200
    clock.advance(31 * MINUTE)
    response = home(client)
    assert sent_to_login(response)
    assert "next=/a/summit/" in response["Location"]
    page = client.get(response["Location"])
    assert EXPIRED in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert home(client).status_code == 302  # still logged out


def test_12_hours_after_the_login_the_session_ends_however_active(
    clock: Clock, person: Any
) -> None:
    client = logged_in(person)
    for _ in range(47):  # 11h45 of a page every quarter of an hour
        clock.advance(15 * MINUTE)
        assert home(client).status_code == 200
    clock.advance(16 * MINUTE)
    assert sent_to_login(home(client))


def test_the_limits_come_from_the_settings(clock: Clock, person: Any, settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    client = logged_in(person)
    clock.advance(6 * MINUTE)
    assert sent_to_login(home(client))

    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    settings.SESSION_MAX_AGE_HOURS = 1
    client = logged_in(person)
    clock.advance(25 * MINUTE)
    assert home(client).status_code == 200
    clock.advance(25 * MINUTE)
    assert home(client).status_code == 200
    clock.advance(11 * MINUTE)
    assert sent_to_login(home(client))


def test_an_htmx_request_of_an_expired_session_sends_the_whole_page_to_login(
    clock: Clock, person: Any
) -> None:
    client = logged_in(person)
    clock.advance(31 * MINUTE)
    response = client.get(
        reverse("account-home", kwargs={"account": "summit"}),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/a/summit/?x=1"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/a/summit/%3Fx%3D1"


def test_an_api_request_of_an_expired_session_is_anonymous(clock: Clock, person: Any) -> None:
    client = logged_in(person)
    assert client.get("/api/v1/accounts/").status_code == 200
    clock.advance(31 * MINUTE)
    assert client.get("/api/v1/accounts/").status_code in (401, 403)


def test_requests_within_a_minute_do_not_write_the_session(clock: Clock, person: Any) -> None:
    client = logged_in(person)
    key = client.session.session_key

    def stored_expiry() -> Any:
        return Session.objects.get(session_key=key).expire_date

    first = stored_expiry()
    clock.advance(10)
    home(client)
    assert stored_expiry() == first  # not saved again
    clock.advance(MINUTE)
    home(client)
    assert SessionStore(session_key=key)[middleware.SEEN_AT] == clock.at


def test_logging_in_gives_a_new_session_id(person: Any) -> None:
    client = Client()
    before = SessionStore()
    before["visited"] = True
    before.create()
    client.cookies["sessionid"] = str(before.session_key)
    response = client.post(reverse("login"), {"username": "pm", "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before.session_key
    assert not Session.objects.filter(session_key=before.session_key).exists()


def test_logging_out_ends_the_session_for_a_copied_cookie(person: Any) -> None:
    client = logged_in(person)
    stolen = Client()
    stolen.cookies["sessionid"] = client.cookies["sessionid"].value
    assert home(stolen).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert sent_to_login(home(stolen))
    assert not Session.objects.filter(session_key=stolen.cookies["sessionid"].value).exists()

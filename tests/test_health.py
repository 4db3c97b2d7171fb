"""``GET /healthz``: the database and Celery broker probes behind the container healthcheck."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.test import Client

from erp_portal.celery import app as celery_app

# A broker URL whose port nothing listens on (port 1 is reserved), with a password that the
# public health page must not repeat.
CLOSED_BROKER = "redis://:not-for-the-page@127.0.0.1:1/0"
# A real Redis for the positive check. .ci/run starts one and sets ERP_PORTAL_REQUIRE_REDIS=1,
# which turns "skipped: no Redis" into a failure.
REDIS_URL = os.environ.get("ERP_PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

SwitchBroker = Callable[[str], None]


def _redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1) as s:
            if parts.password:
                s.sendall(f"AUTH {parts.password}\r\n".encode())
                s.recv(64)
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def switch_broker(settings, monkeypatch) -> Iterator[SwitchBroker]:
    """Point the settings *and* the already-configured Celery app at another broker.

    The app read ``CELERY_*`` once, so overriding settings alone changes nothing; and Celery
    prefers the ``CELERY_BROKER_URL``/``CELERY_BROKER_WRITE_URL`` environment variables over
    its configuration, so those are removed for the test. Everything is restored afterwards.
    """
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    keys = ("broker_url", "broker_write_url", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}

    def switch(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
        celery_app.conf.update(broker_url=url, broker_write_url=None, broker_transport_options={})

    yield switch
    celery_app.conf.update(saved)


@pytest.mark.django_db
def test_healthz_ok_with_the_default_filesystem_broker(client: Client) -> None:
    if os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is set; this test covers the default broker")
    assert celery_app.conf.broker_url == "filesystem://"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "ok"
    assert isinstance(body["database"]["ms"], int | float)
    assert isinstance(body["broker"]["ms"], int | float)


@pytest.mark.django_db
def test_healthz_503_names_the_broker_error(client: Client, switch_broker: SwitchBroker) -> None:
    switch_broker(CLOSED_BROKER)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["status"] == "ok"
    broker = body["broker"]
    assert broker["status"] == "error"
    # "OperationalError: Error 111 connecting to 127.0.0.1:1. Connection refused."
    assert "OperationalError" in broker["error"]
    assert "127.0.0.1:1" in broker["error"]
    assert "refused" in broker["error"].lower()
    assert "not-for-the-page" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_ok_with_a_real_redis_broker(client: Client, switch_broker: SwitchBroker) -> None:
    if not _redis_answers(REDIS_URL):
        message = f"no Redis answering at {REDIS_URL}"
        if os.environ.get("ERP_PORTAL_REQUIRE_REDIS") == "1":
            pytest.fail(message + " (ERP_PORTAL_REQUIRE_REDIS=1)")
        pytest.skip(message)
    switch_broker(REDIS_URL)

    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert response.json()["broker"]["status"] == "ok"


@pytest.mark.django_db
def test_healthz_503_when_the_database_fails(client: Client, monkeypatch) -> None:
    def broken() -> None:
        raise RuntimeError("database is down")

    monkeypatch.setattr("erp_portal.health._database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == {
        "status": "error",
        "error": "RuntimeError: database is down",
    }


@pytest.mark.django_db
def test_healthz_only_answers_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405

"""A real Celery worker (a subprocess) on a Redis broker db of the suite's own, sharing the test
PostgreSQL database with the test, for the export pipeline's reliability tests.

``settings_test`` forces ``CELERY_TASK_ALWAYS_EAGER``, so the worker runs on
:mod:`tests.reliability.worker_settings` (production settings from the environment, with short
backoff and lease), pointed at the database pytest-django created. The test process publishes to
the same broker: its Celery app is switched off eager mode for the test and back afterwards.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from erp_portal.celery import app as celery_app
from tests.reliability.harness import (
    REDIS_URL,
    ROOT,
    Beat,
    Worker,
    database_url,
    flush,
    redis_answers,
    reset_producer_pools,
)


@pytest.fixture
def broker() -> Iterator[str]:
    """The test process publishes to the worker's Redis db (not eager) for this test."""
    if connection.vendor != "postgresql":
        pytest.skip("a real worker shares the database with the test: needs PostgreSQL")
    if not redis_answers(REDIS_URL):
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    keys = ("task_always_eager", "broker_url", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=REDIS_URL,
        broker_transport_options={"visibility_timeout": 3600},
    )
    reset_producer_pools()
    flush(REDIS_URL)
    try:
        yield REDIS_URL
    finally:
        flush(REDIS_URL)
        celery_app.conf.update(saved)
        reset_producer_pools()


@pytest.fixture
def clocks() -> dict[str, str]:
    """More environment for the worker and beat (a test module overrides this fixture): e.g.
    ``RELIABILITY_CLOCKS=production`` for production's lease and sweeper (worker_settings)."""
    return {}


def _env(broker: str, tmp_path: Path, clocks: dict[str, str]) -> dict[str, str]:
    """The environment of the worker and beat processes: the test database and broker."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_"))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="tests.reliability.worker_settings",
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the same key seals connection secrets
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=broker,
        CELERY_TASK_ALWAYS_EAGER="0",
        ERP_PORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    env.update(clocks)
    return env


@pytest.fixture
def worker(transactional_db, broker, tmp_path, clocks) -> Iterator[Worker]:
    """A running worker; stopped (then killed) when the test ends, before the database is
    flushed. Its log is printed when the test fails."""
    running = Worker(_env(broker, tmp_path, clocks), tmp_path / "worker.log")
    try:
        running.start()
        yield running
    finally:
        running.stop()
        sys.stdout.write(f"\n--- worker log (tail) ---\n{running.tail()}\n")


@pytest.fixture
def beat(worker, broker, tmp_path, clocks) -> Iterator[Beat]:
    """Celery beat on the database scheduler, beside the worker; started by the test (after it
    has set its schedules), stopped when the test ends."""
    running = Beat(_env(broker, tmp_path, clocks), tmp_path / "beat.log")
    try:
        yield running
    finally:
        running.stop()

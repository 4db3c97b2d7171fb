"""A real Tryton for the tests in this directory (and the connector contract suite, which
finds :class:`connectors.tryton.harness.TrytonHarness` through the registry).

``tryton_settings`` (session): connector settings for the trytond of this test process, started
once from the cached venv and template database (see ``connectors/tryton/server.py``; the first
run on a machine builds them, about a minute), stopped by its pid when the session ends; or for
the server ``ERP_PORTAL_TRYTON_URL`` names. Skipped, with the reason, only when Tryton cannot
be installed here.

The reliability suite's ``broker`` and ``worker`` fixtures (a real Celery worker on Redis,
sharing the PostgreSQL test database) are imported for the end-to-end test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.tryton import harness as tryton_harness
from connectors.tryton.client import TrytonClient
from connectors.tryton.connector import TrytonConnector
from connectors.tryton.harness import TrytonHarness
from tests.reliability.conftest import broker, clocks, worker  # noqa: F401  (fixtures, reused)


@pytest.fixture(scope="session")
def tryton_settings() -> Iterator[dict[str, str]]:
    reason = tryton_harness.install_problem()
    if reason:
        pytest.skip(reason)
    external = tryton_harness.external_settings()
    if external:
        yield external
        return
    server = tryton_harness.shared_server()
    try:
        yield server.settings()
    finally:
        tryton_harness.stop_shared_server()


@pytest.fixture
def tryton(tryton_settings) -> Iterator[TrytonHarness]:
    """The contract harness (fixtures in Tryton, samples tagged for this test, helpers)."""
    harness = TrytonHarness()
    harness.set_up()
    yield harness
    harness.tear_down()


@pytest.fixture
def client(tryton_settings) -> TrytonClient:
    return tryton_harness.admin_client(tryton_settings)


@pytest.fixture
def connector(tryton) -> TrytonConnector:
    made = tryton.connector()
    assert isinstance(made, TrytonConnector)
    return made

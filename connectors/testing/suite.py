"""The machinery of the contract suite: parametrising each check over the declared types,
kinds and rules of every harnessed connector, the harness and connector fixtures, helpers the
checks share, and the checks of the connector as a whole."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, TypeVar

import pytest

from connectors.base import Batch, Connector, Entity, ExportResult
from connectors.base import Check as C
from connectors.imports import PER_JOB, FetchKind
from connectors.registry import connector_class
from connectors.testing.harnesses import (
    ConnectorHarness,
    Fault,
    InjectedFault,
    discover_harnesses,
)

F = TypeVar("F", bound=Callable[..., Any])
OVER = "_contract_over"


def over(what: str) -> Callable[[F], F]:
    """Run the check once per declared ``export_create`` / ``export_update`` / ``unlink`` type,
    ``fetches`` kind or ``rules`` rule of each connector (without it: once per connector)."""

    def mark(func: F) -> F:
        setattr(func, OVER, what)
        return func

    return mark


def _params(harness: type[ConnectorHarness], what: str | None) -> list[Any]:
    key = harness.connector_class.key
    marks = [pytest.mark.django_db] if harness.uses_django_db else []
    entities = harness.connector_class.capabilities.entities
    if what is None:
        return [pytest.param(harness, id=key, marks=marks)]
    if what == "fetches":
        return [
            pytest.param(harness, str(kind), id=f"{key}-{kind}", marks=marks)
            for kind in fetch_kinds(harness.connector_class)
        ]
    if what == "rules":
        return [
            pytest.param(harness, name, i, id=f"{key}-{name}-{i}-{rule.field}", marks=marks)
            for name, entity in entities.items()
            if entity.exports
            for i, rule in enumerate(entity.rules)
        ]
    return [
        pytest.param(harness, str(name), id=f"{key}-{name}", marks=marks)
        for name, entity in entities.items()
        if getattr(entity, what)
    ]


ARGNAMES = {
    None: ("harness_class",),
    "export_create": ("harness_class", "obj_type"),
    "export_update": ("harness_class", "obj_type"),
    "unlink": ("harness_class", "obj_type"),
    "fetches": ("harness_class", "kind"),
    "rules": ("harness_class", "obj_type", "rule_index"),
}
OPERATIONS = ("test_connection", "export", "export_batch", "find_by_external_ref", "delete_check")


def new_key(obj_type: str, n: int) -> str:
    """An idempotency key shaped like the portal's (``conn:type:id:version``), unique per run."""
    return f"contract-{uuid.uuid4().hex[:12]}:{obj_type}:{n}:1"


def fetch_kinds(cls: type[Connector]) -> list[str]:
    """The kinds ``cls`` declares it fetches, in :class:`FetchKind` order (others after)."""
    declared = cls.capabilities.fetches
    known = [str(kind) for kind in FetchKind if kind in declared]
    return known + sorted(str(kind) for kind in declared if kind not in known)


def fetch(connector: Connector, kind: str, cursor: str, job: str | None = None) -> Iterator[Batch]:
    """``connector.fetch``, with ``job=`` only for a per-job kind (``job`` not None)."""
    if job is None:
        return connector.fetch(kind, cursor)
    return connector.fetch(kind, cursor, job=job)


def fetch_all(
    connector: Connector, kind: str, cursor: str, job: str | None = None
) -> tuple[list[Batch], str]:
    """Every batch ``fetch`` yields from ``cursor`` (for ``job``, for a per-job kind), and the
    cursor to go on from."""
    batches = list(fetch(connector, kind, cursor, job))
    return batches, (batches[-1].cursor if batches else cursor)


def origin_ids(batches: Sequence[Batch]) -> list[str]:
    return [str(record["origin_id"]) for batch in batches for record in batch.records]


class ContractSuite:
    """What every group of checks stands on: parametrisation, fixtures, helpers; and the
    checks of the connector as a whole (pytest runs a base class's checks first)."""

    harnesses: ClassVar[Sequence[type[ConnectorHarness]] | None] = None

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "harness_class" not in metafunc.fixturenames:
            return
        what = getattr(metafunc.function, OVER, None)
        harnesses = self.harnesses if self.harnesses is not None else discover_harnesses()
        params = [p for h in harnesses for p in _params(h, what)]
        metafunc.parametrize(ARGNAMES[what], params)

    @pytest.fixture
    def harness(self, harness_class: type[ConnectorHarness]) -> Iterator[ConnectorHarness]:
        reason = harness_class.unavailable()
        if reason:
            pytest.skip(reason)
        harness = harness_class()
        harness.set_up()
        yield harness
        harness.tear_down()

    @pytest.fixture
    def connector(self, harness: ConnectorHarness) -> Connector:
        return harness.connector()

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def entity(harness: ConnectorHarness, obj_type: str) -> Entity:
        return harness.connector_class.capabilities.entity(obj_type)

    @staticmethod
    def first(harness: ConnectorHarness, what: str) -> str | None:
        entities = harness.connector_class.capabilities.entities
        return next((str(n) for n, e in entities.items() if getattr(e, what)), None)

    @staticmethod
    def job(harness: ConnectorHarness, kind: str) -> str | None:
        """The ``job=`` to fetch a per-job ``kind`` with (None for the others); skips the check
        when the harness names none."""
        if kind not in PER_JOB:
            return None
        job = harness.fetch_job(kind)
        if job is None:
            pytest.skip(f"the harness names no job to fetch {kind} for")
        return job

    def fault(self, harness: ConnectorHarness, fault: Fault) -> InjectedFault:
        injected = harness.inject_fault(fault)
        if injected is None:
            pytest.skip(f"{harness.connector_class.key} cannot inject a {fault} fault.")
        return injected

    def create(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str, n: int = 1
    ) -> tuple[ExportResult, str]:
        key = new_key(obj_type, n)
        return connector.export(obj_type, harness.sample_payload(obj_type, n), key), key

    # --- the connector as a whole ------------------------------------------------------------

    def test_declares_itself(self, harness: ConnectorHarness) -> None:
        cls = harness.connector_class
        assert cls.key
        assert cls.label
        assert connector_class(cls.key) is cls, "the connector is not in the registry"
        names = [f.name for f in cls.settings_fields]
        assert len(names) == len(set(names)), "settings fields share a name"
        for name, entity in cls.capabilities.entities.items():
            assert isinstance(entity, Entity), name
            assert entity.batch_size >= 1, name
            for rule in entity.rules:
                assert C(rule.check), rule
        unknown = set(cls.capabilities.fetches) - set(FetchKind)
        assert not unknown, f"fetches kinds connectors.imports does not know: {unknown}"

    def test_connection_succeeds(self, connector: Connector) -> None:
        connector.test_connection()  # raises unless the ERP answers

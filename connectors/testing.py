"""The connector contract suite: what every connector must do, run against any connector that
ships a *harness*.

A harness (:class:`ConnectorHarness`) is the small, ERP-specific part of the tests: how to build
the connector, a sample payload per object type, how to inject a fault, how to make a record
disappear from the ERP and how to add records for a fetch. The checks themselves
(:class:`ConnectorContract`) are the same for every connector, and are parametrised from the
connector's declared capabilities:

* for each type declared ``export_create``: create returns an origin id; the same idempotency
  key again returns the same origin id and files nothing new; ``find_by_external_ref`` finds it
  (and answers None for an unknown key); ``delete_check`` is False while the record exists and
  True once it is gone; ``export_batch`` answers one entry per item, in order, with per-item
  errors; the harness's sample payload meets the declared rules;
* for each type declared ``export_update``: exporting a new version updates the record rather
  than filing a second one;
* for each kind declared ``imports``: ``fetch`` yields batches whose cursor resumes where it
  stopped (no record twice, none missed, nothing after the end);
* for each declared rule: a payload that breaks it gets the rule's message, ``{limit}`` and
  ``{line}`` filled in;
* an injected transient fault raises :class:`TransientError`, a permanent one
  :class:`PermanentError`, refused credentials :class:`AuthenticationError`, each with the ERP's
  message; a lost response (the ERP saved the record, the answer never came) is recovered by the
  idempotency key.

Where the harness lives: the module ``harness`` next to the connector's module (the sandbox's
is ``connectors/sandbox/harness.py``), holding a :class:`ConnectorHarness` subclass whose
``connector_class`` is the connector. :func:`discover_harnesses` finds them for every registered
connector. A connector package runs the suite in its own tests with::

    from connectors.testing import ConnectorContract
    from acme_erp.harness import AcmeHarness

    class TestAcmeContract(ConnectorContract):
        harnesses = (AcmeHarness,)

This module needs pytest (a test dependency); the portal itself never imports it.
"""

from __future__ import annotations

import dataclasses
import importlib
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

import pytest

from connectors.base import (
    AuthenticationError,
    Batch,
    Connector,
    ConnectorError,
    Entity,
    ExportResult,
    PermanentError,
    Problem,
    Rule,
    TransientError,
    validate,
)
from connectors.base import Check as C
from connectors.payloads import Payload
from connectors.registry import available, connector_class

HARNESS_MODULE = "harness"


class Fault(StrEnum):
    TRANSIENT = "transient"  # the ERP is busy or down: TransientError
    PERMANENT = "permanent"  # the ERP refuses the call: PermanentError
    AUTHENTICATION = "authentication"  # the ERP refuses the credentials: AuthenticationError
    LOST_RESPONSE = "lost_response"  # the ERP files the record, the answer is lost


@dataclasses.dataclass(frozen=True)
class InjectedFault:
    """A connector whose calls fail with the fault, and the ERP's words its error must carry
    (a substring of ``ConnectorError.message``)."""

    connector: Connector
    message: str


class ConnectorHarness(ABC):
    """How the contract suite drives one connector. One instance per test (``set_up`` before,
    ``tear_down`` after); records it makes should not leak into other tests (a fresh ERP
    company, ledger or database)."""

    connector_class: ClassVar[type[Connector]]
    uses_django_db: ClassVar[bool] = False  # the connector keeps its data in the portal's DB
    fetch_batch_size: ClassVar[int] = 100  # the most records one fetched batch holds

    @classmethod
    def unavailable(cls) -> str:
        """Why this connector cannot be tested here (say, no ERP server running); empty if it
        can. The suite skips a harness that gives a reason."""
        return ""

    def set_up(self) -> None:  # noqa: B027 (an optional hook)
        """Prepare the ERP for one test."""

    def tear_down(self) -> None:  # noqa: B027 (an optional hook)
        """Clean up after one test."""

    @abstractmethod
    def settings(self) -> dict[str, Any]:
        """Settings for a connection that works."""

    def connector(self, **overrides: Any) -> Connector:
        """A connector built with :meth:`settings`, changed by ``overrides``."""
        return self.connector_class({**self.settings(), **overrides})

    @abstractmethod
    def sample_payload(self, obj_type: str, n: int, *, revision: int = 0) -> Payload:
        """A payload of ``obj_type`` that meets the declared rules and that the ERP accepts.
        Different ``n`` make different records (their numbers may not clash); a higher
        ``revision`` is the same record (same number, project, ...) with changed values, as a
        re-export of an edited item (only asked for types declared ``export_update``). Lines,
        where the type has them, should be two or more."""

    def refused_payload(self, obj_type: str, n: int) -> tuple[Payload, str] | None:
        """A payload the ERP refuses with a PermanentError (say, a number it already uses) and
        the ERP's words for it; None when there is no such payload for ``obj_type``. Used for
        the per-item errors of ``export_batch``."""
        return None

    @abstractmethod
    def inject_fault(self, fault: Fault) -> InjectedFault | None:
        """A connector on which ``fault`` happens on every call (for ``LOST_RESPONSE``: on every
        export, after filing); None if this ERP cannot be made to do it (the test is skipped)."""

    @abstractmethod
    def count(self, obj_type: str) -> int:
        """How many records of ``obj_type`` the ERP holds (in the company the settings use)."""

    @abstractmethod
    def holds(self, obj_type: str, origin_id: str, payload: Payload) -> bool:
        """True when the ERP's record ``origin_id`` carries the values of ``payload``."""

    @abstractmethod
    def remove_record(self, obj_type: str, origin_id: str) -> None:
        """Delete the record from the ERP behind the connector's back (as an ERP user would).
        Raise NotImplementedError where the ERP cannot (fails the test only where the type
        declares ``unlink``)."""

    @abstractmethod
    def add_records(self, kind: str, count: int) -> list[str]:
        """File ``count`` new records of the import ``kind`` in the ERP, as its users would;
        return their origin ids."""

    def break_rule(self, obj_type: str, payload: Payload, rule: Rule) -> tuple[Payload, int | None]:
        """``payload`` changed to break ``rule``, and the position of the line broken (None for
        a rule on the record itself). The default, :func:`violate`, suits plain payloads."""
        return violate(payload, rule)


# --- Finding harnesses -----------------------------------------------------------------------


def harness_for(cls: type[Connector]) -> type[ConnectorHarness] | None:
    """The harness shipped next to connector ``cls`` (``<its package>.harness``), if any."""
    package = cls.__module__.rpartition(".")[0] or cls.__module__
    name = f"{package}.{HARNESS_MODULE}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(f"{exc.name}.")):
            return None  # no harness module: the connector ships none
        raise
    for obj in vars(module).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, ConnectorHarness)
            and getattr(obj, "connector_class", None) is cls
        ):
            return obj
    return None


def discover_harnesses() -> list[type[ConnectorHarness]]:
    """A harness for every registered connector that ships one, in registry order."""
    found = (harness_for(cls) for cls in available().values())
    return [h for h in found if h is not None]


# --- Breaking a rule -------------------------------------------------------------------------


def _optional(owner: Any, name: str) -> bool:
    for f in dataclasses.fields(owner):
        if f.name == name:
            return "None" in str(f.type)
    return True


def _bad_value(owner: Any, name: str, rule: Rule) -> Any:
    current = getattr(owner, name)
    match rule.check:
        case C.PRESENT:
            if isinstance(current, str) and not _optional(owner, name):
                return ""
            return None
        case C.MAX_LENGTH:
            return "X" * (int(rule.value) + 1)
        case C.POSITIVE:
            return Decimal("0")
        case C.ONE_OF:
            candidates: list[Any] = [not current] if isinstance(current, bool) else []
            candidates += [f"not-{current}", None]
            return next(c for c in candidates if c not in rule.value)
        case C.NOT_EMPTY:
            return type(current)()
    raise ValueError(f"Cannot break a {rule.check} rule.")


def violate(payload: Payload, rule: Rule) -> tuple[Payload, int | None]:
    """``payload`` changed to break ``rule``: a rule on ``lines.x`` breaks the last line (its
    position is returned), one on ``address.x`` the nested record, others the field itself."""
    record: Any = payload  # replace() of a union of dataclasses takes no **changes in mypy
    head, _, attr = rule.field.partition(".")
    parent = getattr(record, head)
    if not attr:
        return dataclasses.replace(record, **{head: _bad_value(record, head, rule)}), None
    if isinstance(parent, list | tuple):
        if not parent:
            raise ValueError(f"The sample has no {head} to break {rule.field} on.")
        line = parent[-1]
        bad = dataclasses.replace(line, **{attr: _bad_value(line, attr, rule)})
        lines = type(parent)([*parent[:-1], bad])
        return dataclasses.replace(record, **{head: lines}), int(line.position)
    nested = dataclasses.replace(parent, **{attr: _bad_value(parent, attr, rule)})
    return dataclasses.replace(record, **{head: nested}), None


# --- The suite -------------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])
OVER = "_contract_over"


def over(what: str) -> Callable[[F], F]:
    """Run the check once per declared ``export_create`` / ``export_update`` type, ``imports``
    kind or ``rules`` rule of each connector (without it: once per connector)."""

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
    "imports": ("harness_class", "kind"),
    "rules": ("harness_class", "obj_type", "rule_index"),
}
OPERATIONS = ("test_connection", "export", "export_batch", "find_by_external_ref", "delete_check")


def new_key(obj_type: str, n: int) -> str:
    """An idempotency key shaped like the portal's (``conn:type:id:version``), unique per run."""
    return f"contract-{uuid.uuid4().hex[:12]}:{obj_type}:{n}:1"


def fetch_all(connector: Connector, kind: str, cursor: str) -> tuple[list[Batch], str]:
    """Every batch ``fetch`` yields from ``cursor``, and the cursor to go on from."""
    batches = list(connector.fetch(kind, cursor))
    return batches, (batches[-1].cursor if batches else cursor)


def origin_ids(batches: Sequence[Batch]) -> list[str]:
    return [str(record["origin_id"]) for batch in batches for record in batch.records]


class ConnectorContract:
    """The checks every connector must pass. Subclass it in a ``Test...`` class; leave
    ``harnesses`` None to run over every registered connector that ships a harness."""

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

    def test_connection_succeeds(self, connector: Connector) -> None:
        connector.test_connection()  # raises unless the ERP answers

    # --- exports -----------------------------------------------------------------------------

    @over("export_create")
    def test_sample_meets_the_rules(self, harness: ConnectorHarness, obj_type: str) -> None:
        payload = harness.sample_payload(obj_type, 1)
        assert validate(payload, self.entity(harness, obj_type).rules) == []

    @over("export_create")
    def test_create_returns_an_origin_id(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        before = harness.count(obj_type)
        payload = harness.sample_payload(obj_type, 1)
        result = connector.export(obj_type, payload, new_key(obj_type, 1))
        assert isinstance(result, ExportResult)
        assert isinstance(result.origin_id, str)
        assert result.origin_id
        assert harness.count(obj_type) == before + 1
        assert harness.holds(obj_type, result.origin_id, payload)
        other, _ = self.create(harness, connector, obj_type, 2)
        assert other.origin_id != result.origin_id

    @over("export_create")
    def test_same_key_again_files_nothing_new(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        before = harness.count(obj_type)
        first, key = self.create(harness, connector, obj_type)
        again = connector.export(obj_type, harness.sample_payload(obj_type, 1), key)
        retried = harness.connector().export(obj_type, harness.sample_payload(obj_type, 1), key)
        assert again.origin_id == first.origin_id
        assert retried.origin_id == first.origin_id
        assert harness.count(obj_type) == before + 1

    @over("export_create")
    def test_find_by_external_ref(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        assert connector.find_by_external_ref(obj_type, new_key(obj_type, 1)) is None
        created, key = self.create(harness, connector, obj_type)
        found = connector.find_by_external_ref(obj_type, key)
        assert found is not None
        assert found.origin_id == created.origin_id
        assert connector.find_by_external_ref(obj_type, new_key(obj_type, 1)) is None

    @over("export_create")
    def test_delete_check(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        created, _ = self.create(harness, connector, obj_type)
        kept, _ = self.create(harness, connector, obj_type, 2)
        assert connector.delete_check(obj_type, created.origin_id) is False
        try:
            harness.remove_record(obj_type, created.origin_id)
        except NotImplementedError:
            if self.entity(harness, obj_type).unlink:
                raise
            pytest.skip(f"the harness cannot remove a {obj_type} (and it declares no unlink)")
        assert connector.delete_check(obj_type, created.origin_id) is True
        assert connector.delete_check(obj_type, kept.origin_id) is False

    @over("export_create")
    def test_export_batch_answers_per_item_in_order(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        one, two = harness.sample_payload(obj_type, 1), harness.sample_payload(obj_type, 2)
        key_one, key_two = new_key(obj_type, 1), new_key(obj_type, 2)
        items: list[tuple[Payload, str]] = [(one, key_one), (two, key_two), (one, key_one)]
        refused = harness.refused_payload(obj_type, 3)  # may file what makes it clash
        if refused is not None:
            items.insert(1, (refused[0], new_key(obj_type, 3)))
        before = harness.count(obj_type)
        results = connector.export_batch(obj_type, items)
        assert len(results) == len(items)
        if refused is not None:
            error = results.pop(1)
            assert isinstance(error, PermanentError), error
            assert refused[1] in error.message
        first, second, repeat = results
        assert isinstance(first, ExportResult), first
        assert isinstance(second, ExportResult), second
        assert isinstance(repeat, ExportResult), repeat
        assert first.origin_id != second.origin_id
        assert repeat.origin_id == first.origin_id
        assert harness.count(obj_type) == before + 2
        found = connector.find_by_external_ref(obj_type, key_two)
        assert found is not None
        assert found.origin_id == second.origin_id

    @over("export_update")
    def test_export_update_updates_rather_than_duplicates(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        before = harness.count(obj_type)
        created, _ = self.create(harness, connector, obj_type)
        revised = harness.sample_payload(obj_type, 1, revision=1)
        assert revised != harness.sample_payload(obj_type, 1), "the revision changes nothing"
        key = new_key(obj_type, 1)
        updated = connector.export(obj_type, revised, key)
        assert updated.origin_id == created.origin_id
        assert harness.count(obj_type) == before + 1
        assert harness.holds(obj_type, created.origin_id, revised)
        found = connector.find_by_external_ref(obj_type, key)
        assert found is not None
        assert found.origin_id == created.origin_id

    # --- imports -----------------------------------------------------------------------------

    @over("imports")
    def test_fetch_yields_every_record_once_in_batches(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        _, cursor = fetch_all(connector, kind, "")
        added = harness.add_records(kind, 2 * harness.fetch_batch_size + 1)
        batches, _ = fetch_all(connector, kind, cursor)
        assert len(batches) >= 2, "fetch did not split the records into batches"
        for batch in batches:
            assert batch.records, "an empty batch"
            assert len(batch.records) <= harness.fetch_batch_size
            assert isinstance(batch.cursor, str)
            assert batch.cursor
        fetched = origin_ids(batches)
        assert len(fetched) == len(set(fetched)), "a record came twice"
        assert sorted(fetched) == sorted(added)

    @over("imports")
    def test_fetch_resumes_from_the_cursor(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        _, cursor = fetch_all(connector, kind, "")
        added = harness.add_records(kind, 2 * harness.fetch_batch_size + 1)
        # Stop after one batch (a crash, a worker that moved on), go on from its cursor.
        first = next(iter(connector.fetch(kind, cursor)))
        rest, end = fetch_all(harness.connector(), kind, first.cursor)
        fetched = origin_ids([first, *rest])
        assert len(fetched) == len(set(fetched)), "a record came twice"
        assert sorted(fetched) == sorted(added), "a record was missed"
        again, same = fetch_all(connector, kind, end)
        assert origin_ids(again) == []
        assert same == end

    @over("imports")
    def test_fetch_after_the_end_yields_only_new_records(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        harness.add_records(kind, 3)
        _, end = fetch_all(connector, kind, "")
        assert origin_ids(fetch_all(connector, kind, end)[0]) == []
        added = harness.add_records(kind, 2)
        batches, _ = fetch_all(connector, kind, end)
        assert sorted(origin_ids(batches)) == sorted(added)

    # --- validation rules --------------------------------------------------------------------

    @over("rules")
    def test_rule_message(self, harness: ConnectorHarness, obj_type: str, rule_index: int) -> None:
        rules = self.entity(harness, obj_type).rules
        rule = rules[rule_index]
        broken, line = harness.break_rule(obj_type, harness.sample_payload(obj_type, 1), rule)
        problems = validate(broken, rules)
        expected = rule.message.format(limit=rule.value, line=line)
        assert Problem(rule.field, expected) in problems, problems
        assert all("{" not in p.message for p in problems), problems
        if "{limit}" in rule.message:
            assert str(rule.value) in expected
        if "{line}" in rule.message:
            assert line is not None
            assert str(line) in expected

    # --- errors ------------------------------------------------------------------------------

    def call(
        self, harness: ConnectorHarness, connector: Connector, operation: str
    ) -> list[ExportResult | ConnectorError] | None:
        """Make one ``operation`` call on ``connector`` (faulty); skip what is not declared."""
        obj_type = self.first(harness, "export_create")
        if operation == "test_connection":
            connector.test_connection()
            return None
        if operation == "fetch":
            kind = self.first(harness, "imports")
            if kind is None:
                pytest.skip("the connector imports nothing")
            list(connector.fetch(kind, ""))
            return None
        if obj_type is None:
            pytest.skip("the connector exports nothing")
        payload, key = harness.sample_payload(obj_type, 1), new_key(obj_type, 1)
        if operation == "export":
            connector.export(obj_type, payload, key)
        elif operation == "export_batch":
            return connector.export_batch(obj_type, [(payload, key)])
        elif operation == "find_by_external_ref":
            connector.find_by_external_ref(obj_type, key)
        elif operation == "delete_check":
            created, _ = self.create(harness, harness.connector(), obj_type)
            connector.delete_check(obj_type, created.origin_id)
        return None

    def raised(
        self, harness: ConnectorHarness, fault: Fault, operation: str
    ) -> tuple[ConnectorError, InjectedFault]:
        """The error ``operation`` fails with under ``fault`` (per item, for a batch)."""
        injected = self.fault(harness, fault)
        try:
            answer = self.call(harness, injected.connector, operation)
        except ConnectorError as exc:
            assert exc.message, "the error carries no message"
            assert str(exc) == exc.message
            assert injected.message in exc.message
            return exc, injected
        assert answer is not None, f"{operation} did not fail under a {fault} fault"
        (error,) = answer
        assert isinstance(error, ConnectorError), f"export_batch answered {error!r}"
        assert injected.message in error.message
        return error, injected

    @pytest.mark.parametrize("operation", [*OPERATIONS, "fetch"])
    def test_transient_fault(self, harness: ConnectorHarness, operation: str) -> None:
        error, _ = self.raised(harness, Fault.TRANSIENT, operation)
        assert isinstance(error, TransientError), error
        assert not isinstance(error, AuthenticationError | PermanentError), error

    @pytest.mark.parametrize("operation", [*OPERATIONS, "fetch"])
    def test_permanent_fault(self, harness: ConnectorHarness, operation: str) -> None:
        error, _ = self.raised(harness, Fault.PERMANENT, operation)
        assert isinstance(error, PermanentError), error
        assert not isinstance(error, TransientError), error

    def test_permanent_fault_files_nothing(self, harness: ConnectorHarness) -> None:
        obj_type = self.first(harness, "export_create")
        if obj_type is None:
            pytest.skip("the connector exports nothing")
        injected = self.fault(harness, Fault.PERMANENT)
        before, key = harness.count(obj_type), new_key(obj_type, 1)
        with pytest.raises(PermanentError):
            injected.connector.export(obj_type, harness.sample_payload(obj_type, 1), key)
        assert harness.connector().find_by_external_ref(obj_type, key) is None
        assert harness.count(obj_type) == before

    @pytest.mark.parametrize("operation", [*OPERATIONS, "fetch"])
    def test_refused_credentials(self, harness: ConnectorHarness, operation: str) -> None:
        """Refused credentials stop the whole call, a batch included (not an item's error)."""
        injected = self.fault(harness, Fault.AUTHENTICATION)
        with pytest.raises(AuthenticationError) as caught:
            self.call(harness, injected.connector, operation)
        assert injected.message in caught.value.message

    def test_lost_response_is_recovered_by_the_key(self, harness: ConnectorHarness) -> None:
        """The ERP filed the record but the answer never came: the error is transient, the
        record is found by its key, and exporting again with that key files nothing new."""
        obj_type = self.first(harness, "export_create")
        if obj_type is None:
            pytest.skip("the connector exports nothing")
        injected = self.fault(harness, Fault.LOST_RESPONSE)
        before, key = harness.count(obj_type), new_key(obj_type, 1)
        payload = harness.sample_payload(obj_type, 1)
        with pytest.raises(TransientError) as caught:
            injected.connector.export(obj_type, payload, key)
        assert injected.message in caught.value.message
        healthy = harness.connector()
        found = healthy.find_by_external_ref(obj_type, key)
        assert found is not None, "the record the ERP filed is not found by its key"
        assert healthy.export(obj_type, payload, key).origin_id == found.origin_id
        assert harness.count(obj_type) == before + 1


__all__ = [
    "ConnectorContract",
    "ConnectorHarness",
    "Fault",
    "InjectedFault",
    "discover_harnesses",
    "fetch_all",
    "harness_for",
    "new_key",
    "origin_ids",
    "over",
    "violate",
]

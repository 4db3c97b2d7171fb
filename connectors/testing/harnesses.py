"""The ERP-specific part of the contract suite: a connector's harness, and finding it."""

from __future__ import annotations

import dataclasses
import importlib
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Any, ClassVar

from connectors.base import Connector, Rule
from connectors.payloads import Payload
from connectors.registry import available
from connectors.testing.rules import violate

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
        Asked for the types declared ``unlink``; an ERP that cannot delete a type (raise
        NotImplementedError) must not declare ``unlink`` for it."""

    @abstractmethod
    def add_records(self, kind: str, count: int) -> list[str]:
        """File ``count`` new records of the fetch ``kind`` (a declared
        ``capabilities.fetches``) in the ERP, as its users would; return their origin ids. For
        a per-job kind (``connectors.imports.PER_JOB``) file them under :meth:`fetch_job`."""

    def fetch_job(self, kind: str) -> str | None:
        """The ERP id of the job :meth:`add_records` files the per-job ``kind``'s records under
        (the suite fetches them with ``job=`` it); None: the harness cannot (the per-job
        checks are skipped)."""
        return None

    def change_record(self, kind: str, origin_id: str) -> None:
        """Change record ``origin_id`` of the fetch ``kind`` in the ERP, as its users would
        (rename it, void a payment), so the next fetch sends it again. Raise
        NotImplementedError where the ERP cannot (the check is skipped)."""
        raise NotImplementedError

    def break_rule(self, obj_type: str, payload: Payload, rule: Rule) -> tuple[Payload, int | None]:
        """``payload`` changed to break ``rule``, and the position of the line broken (None for
        a rule on the record itself). The default, :func:`violate`, suits plain payloads."""
        return violate(payload, rule)


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

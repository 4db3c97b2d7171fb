"""The connector contract: what a connector declares (capabilities, as data) and what it does.

Nothing here imports the portal's apps: a connector sees plain payloads
(:mod:`connectors.payloads`) and answers with plain results, so it can live in its own package.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Self

from connectors.payloads import Payload


class ObjectType(StrEnum):
    """The record kinds that can be exported (the keys of the export API's ``item_type``)."""

    PROJECT = "project"
    SUB_JOB = "sub_job"
    COMPANY = "company"
    COST_CODE = "cost_code"
    BUDGET = "budget"
    COMMITMENT = "commitment"
    COMMITMENT_CHANGE_ORDER = "commitment_change_order"
    PRIME_CHANGE_ORDER = "prime_change_order"
    SUBCONTRACTOR_INVOICE = "subcontractor_invoice"
    OWNER_INVOICE = "owner_invoice"


class Feature(StrEnum):
    RESET_PCCOS = "reset_pccos"
    MULTI_COMPANY_LINK = "multi_company_link"
    DIRECT_EXPORT = "direct_export"
    SUB_JOBS = "sub_jobs"


# --- Errors ----------------------------------------------------------------------------------


class ConnectorError(Exception):
    """An ERP call failed. ``message`` is the ERP's own words, shown to the user."""

    def __init__(self, message: str, *, erp_code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.erp_code = erp_code


class TransientError(ConnectorError):
    """Trying again later may work (timeouts, lock contention, the ERP being down)."""


class PermanentError(ConnectorError):
    """Trying again will not work until someone changes the data or the settings."""


class AuthenticationError(TransientError):
    """The ERP refused the credentials: the connection pauses until an admin fixes them."""


# --- Validation rules ------------------------------------------------------------------------


class Check(StrEnum):
    PRESENT = "present"
    MAX_LENGTH = "max_length"
    POSITIVE = "positive"
    ONE_OF = "one_of"
    NOT_EMPTY = "not_empty"  # a list (lines) with at least one item


@dataclass(frozen=True)
class Rule:
    """One check on a payload attribute. ``lines.amount`` checks that attribute on each line.

    ``message`` may use ``{limit}`` (the rule's value) and ``{line}`` (the line's position).
    """

    field: str
    check: Check
    message: str
    value: Any = None


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def _fails(rule: Rule, value: Any) -> bool:
    match rule.check:
        case Check.PRESENT:
            return value is None or (isinstance(value, str) and not value.strip())
        case Check.MAX_LENGTH:
            return value is not None and len(str(value)) > int(rule.value)
        case Check.POSITIVE:
            return value is None or Decimal(value) <= 0
        case Check.ONE_OF:
            return value not in rule.value
        case Check.NOT_EMPTY:
            return not value
    raise ValueError(f"Unknown check {rule.check}")


def validate(payload: Payload, rules: tuple[Rule, ...]) -> list[Problem]:
    """Every rule ``payload`` breaks, in the order declared (empty when it may be sent)."""
    problems = []
    for rule in rules:
        head, _, attr = rule.field.partition(".")
        parent = getattr(payload, head)
        if not attr or not isinstance(parent, list | tuple):  # a field, or a nested record's
            value = getattr(parent, attr) if attr else parent  # (``address.street``)
            if _fails(rule, value):
                problems.append(Problem(rule.field, rule.message.format(limit=rule.value)))
            continue
        for line in parent:
            if _fails(rule, getattr(line, attr)):
                message = rule.message.format(limit=rule.value, line=line.position)
                problems.append(Problem(rule.field, message))
    return problems


# --- Capabilities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptField:
    """A value the approver types when accepting (for example the ERP's job number)."""

    name: str
    label: str
    required: bool = False
    max_length: int = 60
    help_text: str = ""


@dataclass(frozen=True)
class Entity:
    """What a connector does with one kind of record: ``export_create`` files new records
    (:meth:`Connector.export`), ``export_update`` changes the ERP's record of one the ERP
    already holds (:meth:`Connector.update`, given the record's ERP id), ``unlink`` lets the
    portal forget a record the ERP deleted (:meth:`Connector.delete_check`)."""

    export_create: bool = False
    export_update: bool = False
    unlink: bool = False
    direct_export: bool = False  # may skip the approval step when the account turns it on
    batch_size: int = 1
    rules: tuple[Rule, ...] = ()
    accept_fields: tuple[AcceptField, ...] = ()

    @property
    def exports(self) -> bool:
        return self.export_create or self.export_update


@dataclass(frozen=True)
class Capabilities:
    """What the connector exports (``entities``, per object type), which kinds of ERP records
    it sends to the portal (``fetches``, keys of :class:`connectors.imports.FetchKind`), and its
    features."""

    entities: Mapping[str, Entity]
    features: frozenset[Feature] = field(default_factory=frozenset)
    fetches: frozenset[str] = field(default_factory=frozenset)

    def entity(self, obj_type: str) -> Entity:
        """What the connector does with ``obj_type``; nothing, if it does not declare it."""
        return self.entities.get(obj_type, Entity())


class SettingKind(StrEnum):
    """What a connection setting holds, so the portal can offer the right input and refuse a
    value the connector could not use."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"


ON_WORDS = frozenset({"yes", "true", "1", "on"})
OFF_WORDS = frozenset({"no", "false", "0", "off", ""})


@dataclass(frozen=True)
class SettingField:
    """A connection setting; a ``secret`` is stored encrypted and never shown again.

    ``kind`` says what it holds: text, a number (``minimum`` / ``maximum``, ``integer``), yes or
    no (stored as ``"yes"``, or nothing for no), or one of ``choices`` (value, label). Values
    are stored as text; :meth:`clean` turns what a person typed into that text or says why not.
    """

    name: str
    label: str
    secret: bool = False
    required: bool = True
    help_text: str = ""
    kind: SettingKind = SettingKind.TEXT
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    choices: tuple[tuple[str, str], ...] = ()

    def is_on(self, value: Any) -> bool:
        """A yes/no setting's stored (or typed) value read as yes or no."""
        return str(value or "").strip().lower() in ON_WORDS

    def clean(self, value: Any) -> str:
        """The text to store for ``value`` (empty: not set), or :class:`ValueError` with the
        words to show next to the field."""
        text = str(value if value is not None else "").strip()
        if self.kind == SettingKind.BOOLEAN:
            if text.lower() not in ON_WORDS | OFF_WORDS:
                raise ValueError("Choose yes or no.")
            return "yes" if self.is_on(text) else ""
        if not text:
            return ""
        if self.kind == SettingKind.NUMBER:
            return self._clean_number(text)
        if self.kind == SettingKind.CHOICE and text not in {v for v, _ in self.choices}:
            allowed = ", ".join(label for _, label in self.choices)
            raise ValueError(f"Choose one of: {allowed}.")
        return text

    def _clean_number(self, text: str) -> str:
        try:
            number = Decimal(text)
        except ArithmeticError:
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValueError("Enter a whole number." if self.integer else "Enter a number.")
        if self.integer and number != number.to_integral_value():
            raise ValueError("Enter a whole number.")
        low, high = self.minimum, self.maximum
        if (low is not None and number < Decimal(str(low))) or (
            high is not None and number > Decimal(str(high))
        ):
            raise ValueError(f"Enter a number {self.range_text()}.")
        return str(int(number)) if self.integer else format(number.normalize(), "f")

    def range_text(self) -> str:
        """ "between 0 and 1", "of at least 1", "of at most 10", or nothing."""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"between {low:g} and {high:g}"
        if low is not None:
            return f"of at least {low:g}"
        if high is not None:
            return f"of at most {high:g}"
        return ""


@dataclass(frozen=True)
class ExportResult:
    origin_id: str
    origin_code: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """Records fetched from the ERP and the cursor to continue from (after these records).
    ``total`` is how many records the whole fetch holds, when the ERP says (for progress)."""

    records: tuple[Mapping[str, Any], ...]
    cursor: str
    total: int | None = None


class Connector(ABC):
    """One ERP. Subclasses declare ``key``, ``label``, ``settings_fields`` and
    ``capabilities``; the portal never calls a method for something not declared."""

    key: ClassVar[str]
    label: ClassVar[str]
    settings_fields: ClassVar[tuple[SettingField, ...]] = ()
    capabilities: ClassVar[Capabilities]

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)

    @classmethod
    def for_account(cls, settings: Mapping[str, Any], *, account_key: str) -> Self:
        """The connector the portal builds for one account's connection. ``account_key`` names
        the account (the portal gives it; a setting never does): a connector whose ERP keeps
        every account's records in one shared store (the sandbox) reads and files only under
        it. An ERP of the customer's own (its URL, database and credentials are the
        customer's) needs no key, so by default it is not used."""
        return cls(settings)

    @abstractmethod
    def test_connection(self) -> None:
        """Raise a :class:`ConnectorError` unless the ERP answers with these settings."""

    @abstractmethod
    def export(self, obj_type: str, payload: Payload, idempotency_key: str) -> ExportResult:
        """Create the record in the ERP, filed under ``idempotency_key`` (the same key again
        files nothing new: it answers the record filed first)."""

    def update(
        self, obj_type: str, origin_id: str, payload: Payload, idempotency_key: str
    ) -> ExportResult:
        """Change the ERP's record ``origin_id`` to ``payload``'s values, in place.

        The portal calls it, instead of :meth:`export`, for a record the ERP already holds
        (one with an ERP id: exported, or linked to an ERP record) of a type declared
        ``export_update``; never in a batch. It never files a second record: the answer names
        the same record (its ``origin_id``; its ``origin_code`` may change). Repeating it with
        the same key is safe (the retry after an answer that never came); a connector may file
        the key with the record so that :meth:`find_by_external_ref` finds the update. A
        record gone from the ERP is a :class:`PermanentError`. Connectors that declare
        ``export_update`` for some type override this; the default refuses."""
        raise PermanentError(f"{self.label} does not take updates of {obj_type}.")

    def export_batch(
        self, obj_type: str, items: Sequence[tuple[Payload, str]]
    ) -> list[ExportResult | ConnectorError]:
        """Export several records of one type (each with its idempotency key) in one call.
        The answer has one entry per item, in order: its result, or the error for that item.
        Connectors whose ERP takes batches override this; the default exports one by one."""
        results: list[ExportResult | ConnectorError] = []
        for payload, key in items:
            try:
                results.append(self.export(obj_type, payload, key))
            except AuthenticationError:
                raise  # the whole connection is refused: not an item's problem
            except ConnectorError as exc:
                results.append(exc)
        return results

    @abstractmethod
    def find_by_external_ref(self, obj_type: str, idempotency_key: str) -> ExportResult | None:
        """The record an earlier call filed under ``idempotency_key``, if the ERP has it."""

    @abstractmethod
    def delete_check(self, obj_type: str, origin_id: str) -> bool:
        """True when the record is gone from the ERP (so the portal may unlink it)."""

    def fetch(self, kind: str, cursor: str, *, job: str | None = None) -> Iterator[Batch]:
        """Records of ``kind`` (a :class:`connectors.imports.FetchKind`) added or changed since
        ``cursor`` ("" for all), in batches, oldest change first; a record changed again after
        it was sent comes again. For the per-job kinds (``PER_JOB``) ``job`` is the ERP id of
        the job whose records are wanted (each job has its own cursor). The records' fields
        are those :mod:`connectors.imports` describes. Connectors declare what they fetch in
        ``capabilities.fetches``; a kind not declared is a :class:`PermanentError`."""
        raise PermanentError(f"{self.label} does not send {kind} to the portal.")

"""The one registry of record kinds: each kind of record is declared once, here.

A :class:`Kind` names its model, the tool that governs it, the path to its project, and the
optional parts that the other layers read: :class:`Web` (the pages that list, show and edit it),
:class:`Api` (its collection under ``/api/v1/``) and :class:`Erp` (how it travels to the ERP
through accounting acceptance). Nothing else lists kinds: the web views, the API router, the
approvals workflow and the permission resources are all built from :func:`kinds`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    DecimalField,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils.text import capfirst, slugify

from connectors.base import ObjectType
from connectors.payloads import Payload
from permissions import resources
from permissions.levels import Tool
from permissions.policy import Action
from permissions.resources import ITSELF
from tenancy.bulk import Among
from tenancy.models import Account

# The ERP Integrations tool's tabs, in the order users see them.
TABS: tuple[tuple[str, str], ...] = (
    ("jobs", "Jobs"),
    ("sub-jobs", "Sub Jobs"),
    ("companies", "Companies"),
    ("cost-codes", "Cost Codes"),
    ("budgets", "Budgets"),
    ("prime-contracts", "Prime Contracts"),
    ("commitments", "Commitments"),
    ("change-orders", "Change Orders"),
    ("invoices", "Invoices"),
    ("job-costs", "Job Costs"),
)


@dataclass(frozen=True)
class Lines:
    """A record's line items, shown with it and edited inline on its form."""

    model: type[Model]
    fk: str
    fields: tuple[str, ...]
    label: str = "Lines"

    def of(self, record: Model) -> QuerySet[Model]:
        related = [f.name for f in self.model._meta.fields if f.is_relation and f.name != self.fk]
        if "cost_code" in related:
            related.append("cost_code__standard_code")
        return self.model._default_manager.filter(**{self.fk: record}).select_related(*related)


@dataclass(frozen=True)
class Web:
    """The kind's pages: list columns (attribute path, heading), search, filters, the form."""

    tab: str
    columns: tuple[tuple[str, str], ...]
    search: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    form_fields: tuple[str, ...] = ()  # none: the records come from the ERP, not edited here
    lines: Lines | None = None
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    total_of_lines: str | None = None  # annotate the sum of this line field as `total`
    children: tuple[tuple[str, str], ...] = ()  # (related name, kind key) shown on the page
    # The user's word for a field where the model's verbose name is not it ("Commitment #").
    labels: Mapping[str, str] = field(default_factory=dict)
    # Columns a click on their heading sorts by: column path -> ORM path ordered by (indexed).
    sortable: Mapping[str, str] = field(default_factory=dict)

    @property
    def editable(self) -> bool:
        return bool(self.form_fields)

    def label(self, model: type[Model], name: str) -> str:
        """What a page calls the field ``name``: the kind's word, else the verbose name."""
        if name in self.labels:
            return self.labels[name]
        try:
            found = model._meta.get_field(name)
        except FieldDoesNotExist:  # a property (``total``): its name, in words
            return capfirst(name.replace("_", " "))
        return capfirst(str(getattr(found, "verbose_name", name)))


@dataclass(frozen=True)
class IdFilter:
    """A filter by a referenced record's id (``?project=12``), along an ORM path."""

    name: str
    path: str
    help_text: str


@dataclass(frozen=True)
class Api:
    """The kind's collection: the fields shown, what may be written, filters, search, order.

    ``fields`` are listed between the record's id and timestamps and its ERP fields; a name in
    ``declared`` is a computed or nested field built by that factory (lines, totals, the
    project read through a parent); the others are model fields. ``None`` takes the web form's
    fields (then the declared ones), so a person and an integrator edit the same ones.
    """

    description: str
    fields: tuple[str, ...] | None = None
    writable: bool = False
    declared: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    filters: tuple[str, ...] = ()
    id_filters: tuple[IdFilter, ...] = ()
    extra_filters: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    search: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Erp:
    """How the kind travels to the ERP through accounting acceptance."""

    object_type: ObjectType  # the connector's name for it (and the export API's item_type)
    accept_action: Action  # the matrix row for accepting or rejecting it
    build: Callable[[Any], Payload]  # the plain payload the connector receives
    label: str = ""  # the queue's word for it, if not the model's
    related: tuple[str, ...] = ()  # select_related when loading records to send
    direct_export_setting: str | None = None  # Account flag that lets it skip approval
    notify_creator: bool = False  # a reject also emails the record's creator
    unlink_action: Action | None = None
    # A matrix row that also lets users of the ERP tool send it, besides Admin on its own tool
    # (projects: "Add a Procore Project to your ERP System").
    also_sent_by: Action | None = None


@dataclass(frozen=True, eq=False)  # one instance per kind: compared and hashed by identity
class Kind:
    key: str  # URL segment of its pages and API collection, plural kebab case
    model: type[Model]
    tool: Tool  # the tool whose level governs it
    project_path: str | None  # ORM path to its project; ITSELF for projects; None: account-wide
    create_action: Action = Action.EDIT_RECORDS  # asked before creating one
    web: Web | None = None
    api: Api | None = None
    erp: Erp | None = None
    # False: only the ERP creates them (no New button, no POST); a form may still edit them.
    creatable: bool = True
    # Why an account's records of the kind may not be edited now (``None``: they may), read
    # by the web form and the API alike: editing that an account setting switches on.
    edits_refused: Callable[[Account], str | None] | None = None

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name).title()

    @property
    def label_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural).title()

    @property
    def erp_part(self) -> Erp:
        """The ERP part of an exportable kind (a kind that is not exported has none)."""
        if self.erp is None:
            raise LookupError(f"{self.label_plural} are not sent to the ERP.")
        return self.erp

    @property
    def erp_label(self) -> str:
        """The export workflow's word for one record (``Commitment change order``)."""
        custom = self.erp.label if self.erp else ""
        return custom or str(self.model._meta.verbose_name).capitalize()

    @property
    def type_name(self) -> str:
        """The kind in the ERP log and the audit trail: the ERP's object type where it has one
        (``commitment_change_order``), else the model's name in snake case."""
        if self.erp is not None:
            return self.erp.object_type.value
        return str(self.model._meta.verbose_name).replace(" ", "_")

    @property
    def name(self) -> str:
        """The singular kebab-case name (API route names: ``commitment-list``)."""
        return slugify(str(self.model._meta.verbose_name))

    @property
    def placement(self) -> str | None:
        """The field that places a record (``project``, ``commitment``, ...): set on create."""
        if self.project_path in (None, ITSELF):
            return None
        return self.project_path.split("__")[0]

    def write_action(self, record: Model | None = None) -> Action:
        """The action asked before saving ``record`` (None or unsaved: a creation)."""
        return self.create_action if record is None or record.pk is None else Action.EDIT_RECORDS

    def edit_refusal(self, account: Account) -> str | None:
        """Why ``account`` may not edit records of this kind now, or ``None`` if it may."""
        return self.edits_refused(account) if self.edits_refused is not None else None

    def queryset(self) -> QuerySet[Model]:
        """The records as the web lists them: joined, totalled, in a stable order."""
        qs: QuerySet[Model] = self.model._default_manager.all()
        web = self.web
        if web and web.select_related:
            qs = qs.select_related(*web.select_related)
        if web and web.total_of_lines:
            qs = qs.annotate(total=self._lines_total(web.total_of_lines))
        # Order explicitly, ending on the key: a page is stable.
        return qs.order_by(*self.list_ordering, "pk")

    @property
    def list_ordering(self) -> tuple[str, ...]:
        """The lists' default order (the web's and the API's): the declared one, else the
        model's, with a reference ordered by its key (``project_id``), not by its record's own
        order (the project's number): the records of one project stay together, and an index
        of the table alone walks the list, however long, instead of every row being joined and
        sorted before a page is cut."""
        declared = (self.web.ordering if self.web else ()) or tuple(
            str(o) for o in self.model._meta.ordering or ()
        )
        found = []
        for term in declared:
            name = term.lstrip("-")
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:  # a path (``standard_code__full_code``): as declared
                found.append(term)
                continue
            own = getattr(field, "attname", name) if field.many_to_one else name
            found.append(f"{term[: len(term) - len(name)]}{own}")
        return tuple(found)

    def _lines_total(self, field: str) -> Coalesce:
        """The sum of ``field`` over a record's lines, as a correlated subquery: the database
        works it out for the rows of the page only (a ``Sum`` over a join would group the whole
        table before the page is cut)."""
        lines = self.model._meta.get_field("lines")
        parent = lines.field.name  # type: ignore[union-attr]  # the reverse side of a foreign key
        summed = (
            lines.related_model._default_manager.filter(**{parent: OuterRef("pk")})  # type: ignore[union-attr]
            .order_by()
            .values(parent)
            .annotate(lines_total=Sum(field))
            .values("lines_total")
        )
        money = DecimalField(max_digits=15, decimal_places=2)
        return Coalesce(Subquery(summed, output_field=money), Value(0), output_field=money)

    def search_filter(self, text: str, account_id: int | None = None) -> Q:
        """The records one of whose searched fields contains ``text`` (any case); referenced
        records are looked for in ``account_id``'s (the list's account)."""
        query = Q()
        for path in self.web.search if self.web else ():
            query |= contains(self.model, path, text, account_id)
        return query


class AnyOf(In):
    """``column IN (subquery)``, written ``column = ANY(ARRAY(subquery))`` on PostgreSQL: a
    condition an index answers (and the planner ORs with the others in one bitmap) rather than
    a filter tried on every row."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


# Up to this many referenced records that match are named by their keys (the planner then
# knows how few rows they select); more are asked as a subquery.
FEW_REFERENCED = 1_000


def contains(model: type[Model], path: str, text: str, account_id: int | None = None) -> Q:
    """``path`` contains ``text`` (any case), asked on ``model``'s own columns: a field of a
    referenced record (``vendor__name``) becomes the reference being one of the records that
    match (``vendor_id = ANY(...)``), so each condition of a search of several fields can use
    an index of the searched table (a trigram index on PostgreSQL) instead of every row being
    joined and read before one matches. The matching referenced records (of ``account_id``'s,
    where they belong to an account) are read first when they are few, so the planner sees the
    keys: a subquery's unknown result looked like a large share of a table with few vendors, and
    a search for a rare word walked a million job costs in date order."""
    step, _, rest = path.partition("__")
    reference = model._meta.get_field(step) if rest else None
    target = getattr(reference, "related_model", None)
    if (
        reference is None
        or not reference.concrete
        or not isinstance(target, type)
        or not issubclass(target, Model)
    ):
        return Q(**{f"{path}__icontains": text})  # a field of its own (or a reverse path)
    matching = target._default_manager.filter(contains(target, rest, text, account_id)).order_by()
    if account_id is not None and any(f.name == "account" for f in target._meta.concrete_fields):
        matching = matching.filter(account_id=account_id)
    column = getattr(reference, "attname", step)
    keys = list(matching.values_list("pk", flat=True)[: FEW_REFERENCED + 1])
    if len(keys) <= FEW_REFERENCED:
        return Q(Among(F(column), keys))
    return Q(AnyOf(F(column), matching.values("pk")))


# --- The registry ----------------------------------------------------------------------------

_KINDS: dict[str, Kind] = {}
_BY_MODEL: dict[type[Model], Kind] = {}
_BY_OBJECT_TYPE: dict[str, Kind] = {}


def register(*declared: Kind) -> None:
    """Add kinds to the registry (and tell the permission layer which tool governs each)."""
    for kind in declared:
        if kind.key in _KINDS or kind.model in _BY_MODEL:
            raise ValueError(f"The kind {kind.key} ({kind.model.__name__}) is declared twice.")
        _KINDS[kind.key] = kind
        _BY_MODEL[kind.model] = kind
        if kind.erp is not None:
            _BY_OBJECT_TYPE[kind.erp.object_type.value] = kind
        resources.register(kind.model, tool=kind.tool, project_path=kind.project_path)


def kinds() -> Iterator[Kind]:
    return iter(_KINDS.values())


def kind(key: str) -> Kind:
    """The kind whose pages and collection are at ``key`` (``commitments``)."""
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"No kind of record {key!r}.") from None


def kind_of(record: Model | type[Model]) -> Kind:
    model = record if isinstance(record, type) else type(record)
    try:
        return _BY_MODEL[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a kind of record.") from None


def exportable() -> Iterator[Kind]:
    """The kinds that go to the ERP, in declaration order."""
    return iter(_BY_OBJECT_TYPE.values())


def exportable_types() -> list[tuple[str, Kind]]:
    """``(object type, kind)`` of every exportable kind (the export API's ``item_type`` keys)."""
    return list(_BY_OBJECT_TYPE.items())


def by_object_type(object_type: str) -> Kind:
    """The exportable kind the ERP (and the export API) calls ``object_type`` (``commitment``)."""
    try:
        return _BY_OBJECT_TYPE[object_type]
    except KeyError:
        raise LookupError(f"Unknown item type {object_type!r}.") from None


def is_exportable(record: Model) -> bool:
    found = _BY_MODEL.get(type(record))
    return found is not None and found.erp is not None


def kinds_in_tab(tab: str) -> list[Kind]:
    return [k for k in _KINDS.values() if k.web is not None and k.web.tab == tab]

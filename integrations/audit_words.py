"""The words for values an audit row stores as the program wrote them, shared by the Audit page
and an item's history:

* known values of a row's data, by data key (``"kind": "job_cost_transactions"`` reads "Job
  cost transactions"): the apps that own those values register their labels here
  (:func:`register_value_labels`, from ``AppConfig.ready``), as the apps above this one may
  not be imported from it; a value no app registered reads as stored;
* a record's change of a related record (``"vendor": [3, 5]``), stored by id, reads with the
  records' names (:func:`named_changes`): one query per related model for all the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

from audit.models import AuditEvent
from integrations.kinds import Kind, kinds
from integrations.models import ErpState
from tenancy.models import Account
from tenancy.scoping import AccountScopedQuerySet, for_account

ERP_STATES: dict[str, str] = dict(ErpState.choices)
# Data key -> stored value -> its label.
VALUE_LABELS: dict[str, dict[str, str]] = {}


def register_value_labels(key: str, labels: Mapping[str, str]) -> None:
    """Say how the values of the data key ``key`` read (``{"jobs": "Jobs"}``)."""
    VALUE_LABELS.setdefault(key, {}).update(labels)


# Item type -> stored state -> its label, for rows whose states are not a record's ERP states.
STATE_LABELS: dict[str, dict[str, str]] = {}


def register_state_labels(item_type: str, labels: Mapping[str, str]) -> None:
    """Say how the states of rows about ``item_type`` read (a sync run's ``queued``: "Queued")."""
    STATE_LABELS.setdefault(item_type, {}).update(labels)


def state_label(item_type: str, value: str) -> str:
    """A row's before or after state in words: the item type's own labels, else the ERP states
    a record and its export request go through ("pending": "Ready to Export")."""
    if not value:
        return ""
    return STATE_LABELS.get(item_type, {}).get(value) or ERP_STATES.get(value, value)


def value_label(key: str, value: Any) -> Any:
    """``value``'s label under ``key``, where one is registered; else ``value`` itself."""
    if isinstance(value, str):
        return VALUE_LABELS.get(key, {}).get(value, value)
    return value


@cache
def kinds_by_type() -> dict[str, Kind]:
    return {kind.type_name: kind for kind in kinds()}


def _related_model(model: type[Model], name: str) -> type[Model] | None:
    """The account data a field of ``model`` points to (a foreign key), else None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    related = field.related_model if field.many_to_one or field.one_to_one else None
    if not isinstance(related, type) or not isinstance(
        related._default_manager.all(), AccountScopedQuerySet
    ):
        return None
    return related


def _is_pair(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2


def _changes(event: AuditEvent) -> dict[str, Any]:
    changes = (event.data or {}).get("changes") if event.verb == "record_updated" else None
    return changes if isinstance(changes, dict) else {}


def named_changes(account: Account, events: Iterable[AuditEvent]) -> dict[int, dict[str, Any]]:
    """The ``record_updated`` rows' changes (by row id), a related record's id replaced by its
    name ("#5" when it is gone): one query per related model, whatever the number of rows."""
    events = list(events)
    fields: dict[int, dict[str, type[Model]]] = {}
    wanted: dict[type[Model], set[Any]] = defaultdict(set)
    for event in events:
        kind = kinds_by_type().get(event.item_type)
        if kind is None:
            continue
        for name, value in _changes(event).items():
            related = _related_model(kind.model, name)
            if related is not None and _is_pair(value):
                fields.setdefault(event.pk, {})[name] = related
                wanted[related].update(v for v in value if isinstance(v, int))
    names = {
        model: {obj.pk: str(obj) for obj in for_account(model, account).filter(pk__in=ids)}
        for model, ids in wanted.items()
    }
    found: dict[int, dict[str, Any]] = {}
    for event in events:
        related_fields = fields.get(event.pk, {})
        if not related_fields:
            continue
        found[event.pk] = {
            name: [_name(names[related_fields[name]], v) for v in value]
            if name in related_fields
            else value
            for name, value in _changes(event).items()
        }
    return found


def _name(names: Mapping[Any, str], value: Any) -> Any:
    if value is None or value == "":
        return value
    return names.get(value, f"#{value}")

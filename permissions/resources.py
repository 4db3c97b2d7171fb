"""Which tool governs each kind of record, and the path from a record to its project.

The permission layer sits below the records, so it does not list them: the records' app
registers each kind here (``integrations.kinds``), and :func:`can` and :func:`restrict` read
what was registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from permissions.levels import Tool

ITSELF = "pk"  # the path of a kind whose records are projects


@dataclass(frozen=True)
class Resource:
    tool: Tool
    project_path: str | None  # ORM path to the project; ITSELF; None for account-wide records


_RESOURCES: dict[str, Resource] = {}


def register(model: type[Model], *, tool: Tool, project_path: str | None) -> None:
    _RESOURCES[model._meta.label_lower] = Resource(tool, project_path)


def resource_for(model: type[Model] | Model) -> Resource:
    label = model._meta.label_lower
    try:
        return _RESOURCES[label]
    except KeyError:
        raise LookupError(f"No permission resource is declared for {label}") from None


def _walk(record: Model, hops: list[str]) -> Any:
    """Follow ``hops`` from ``record``; None where a link is not set (an unsaved record)."""
    target: Any = record
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return target


def project_of(record: Model) -> Model | None:
    """The project a record (even an unsaved one) belongs to; None for account-wide records
    and records whose parent is not chosen yet."""
    path = resource_for(record).project_path
    if path is None:
        return None
    if path == ITSELF:
        return record if record.pk is not None else None
    found: Model | None = _walk(record, path.split("__"))
    return found


def project_id_of(record: Model) -> int | None:
    """The id of the project a record belongs to, read without loading the project."""
    path = resource_for(record).project_path
    if path is None:
        return None
    if path == ITSELF:
        return int(record.pk) if record.pk is not None else None
    *hops, last = path.split("__")
    parent = _walk(record, hops)
    value = getattr(parent, f"{last}_id", None) if parent is not None else None
    return int(value) if value is not None else None

"""Which tool governs each kind of record, and how to reach the record's project."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model

from permissions.levels import Tool


@dataclass(frozen=True)
class Resource:
    tool: Tool
    project_path: str | None  # ORM path to the project's id; None for account-wide records


RESOURCES: dict[str, Resource] = {
    "integrations.project": Resource(Tool.PROJECT_ADMIN, "pk"),
    "integrations.subjob": Resource(Tool.PROJECT_ADMIN, "project"),
    "integrations.costcode": Resource(Tool.PROJECT_ADMIN, "project"),
    "integrations.company": Resource(Tool.DIRECTORY, None),
    "integrations.standardcostcodelist": Resource(Tool.PROJECT_ADMIN, None),
    "integrations.standardcostcode": Resource(Tool.PROJECT_ADMIN, None),
    "integrations.costtype": Resource(Tool.PROJECT_ADMIN, None),
    "integrations.budget": Resource(Tool.BUDGET, "project"),
    "integrations.primecontract": Resource(Tool.PRIME_CONTRACTS, "project"),
    "integrations.primecontractchangeorder": Resource(
        Tool.PRIME_CONTRACTS, "prime_contract__project"
    ),
    "integrations.commitment": Resource(Tool.COMMITMENTS, "project"),
    "integrations.commitmentchangeorder": Resource(Tool.COMMITMENTS, "commitment__project"),
    "integrations.subcontractorinvoice": Resource(Tool.INVOICING, "commitment__project"),
    "integrations.ownerinvoice": Resource(Tool.INVOICING, "prime_contract__project"),
    "integrations.directcost": Resource(Tool.DIRECT_COSTS, "project"),
    "integrations.jobcosttransaction": Resource(Tool.DIRECT_COSTS, "project"),
    "integrations.payment": Resource(Tool.COMMITMENTS, "invoice__commitment__project"),
}


def resource_for(model: type[Model] | Model) -> Resource:
    label = model._meta.label_lower
    try:
        return RESOURCES[label]
    except KeyError:
        raise LookupError(f"No permission resource is declared for {label}") from None


def container_field(model: type[Model]) -> str | None:
    """The field that places a record (``project``, ``commitment``, ...): set once, on create."""
    path = resource_for(model).project_path
    if path is None or path == "pk":
        return None
    return path.split("__")[0]


def project_id_of(obj: Model) -> int | None:
    """The id of the project a record belongs to (None for account-wide records)."""
    path = resource_for(obj).project_path
    if path is None:
        return None
    if path == "pk":
        return int(obj.pk) if obj.pk is not None else None
    *hops, last = path.split("__")
    target: object = obj
    for hop in hops:
        target = getattr(target, hop)
    value = getattr(target, f"{last}_id")
    return int(value) if value is not None else None

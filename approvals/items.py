"""The kinds of item that travel through accounting acceptance, declared as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from approvals import payloads
from connectors.base import ObjectType
from connectors.payloads import Payload
from integrations import models as m
from permissions.policy import Action
from tenancy.models import Account


@dataclass(frozen=True)
class ItemType:
    key: ObjectType
    model: type[Model]
    label: str
    accept_action: Action  # the matrix row for accepting or rejecting it
    build: Callable[[Any], Payload]
    related: tuple[str, ...] = ()  # select_related when loading items to send
    project_path: str | None = None  # attribute path to the item's project
    direct_export_setting: str | None = None  # Account flag that lets it skip approval
    notify_creator: bool = False  # a reject also emails the record's creator
    unlink_action: Action | None = None

    def load(self, account: Account, ids: list[int]) -> QuerySet[Model]:
        return self.model._default_manager.filter(account=account, pk__in=ids).select_related(
            *self.related
        )

    def project_of(self, item: Any) -> m.Project | None:
        if self.project_path is None:
            return None
        if self.project_path == "self":
            return item
        target = item
        for hop in self.project_path.split("."):
            target = getattr(target, hop)
        return target


T = ObjectType
ITEM_TYPES: dict[str, ItemType] = {
    t.key: t
    for t in (
        ItemType(
            T.PROJECT,
            m.Project,
            "Project",
            Action.ACCEPT_REJECT_PROJECT,
            payloads.project,
            related=("cost_code_list",),
            project_path="self",
        ),
        ItemType(
            T.SUB_JOB,
            m.SubJob,
            "Sub job",
            Action.ACCEPT_REJECT_SUB_JOB,
            payloads.sub_job,
            related=("project",),
            project_path="project",
        ),
        ItemType(
            T.COMPANY,
            m.Company,
            "Company",
            Action.ACCEPT_REJECT_COMPANY,
            payloads.company,
            unlink_action=Action.UNLINK_COMPANY,
        ),
        ItemType(
            T.COST_CODE,
            m.StandardCostCode,
            "Cost code",
            Action.ACCEPT_REJECT_COST_CODES,
            payloads.cost_code,
            related=("parent",),
        ),
        ItemType(
            T.BUDGET,
            m.Budget,
            "Budget",
            Action.ACCEPT_REJECT_BUDGET,
            payloads.budget,
            related=("project",),
            project_path="project",
        ),
        ItemType(
            T.COMMITMENT,
            m.Commitment,
            "Commitment",
            Action.ACCEPT_REJECT_COMMITMENT,
            payloads.commitment,
            related=("project", "vendor", "created_by"),
            project_path="project",
            direct_export_setting="direct_export_commitments",
            notify_creator=True,
            unlink_action=Action.UNLINK_COMMITMENT,
        ),
        ItemType(
            T.COMMITMENT_CHANGE_ORDER,
            m.CommitmentChangeOrder,
            "Commitment change order",
            Action.ACCEPT_REJECT_CCO,
            payloads.commitment_change_order,
            related=("commitment__project", "created_by"),
            project_path="commitment.project",
            direct_export_setting="direct_export_change_orders",
            notify_creator=True,
            unlink_action=Action.UNLINK_CCO,
        ),
        ItemType(
            T.PRIME_CHANGE_ORDER,
            m.PrimeContractChangeOrder,
            "Prime contract change order",
            Action.ACCEPT_REJECT_PCCO,
            payloads.prime_change_order,
            related=("prime_contract__project",),
            project_path="prime_contract.project",
            unlink_action=Action.UNLINK_PCCO,
        ),
        ItemType(
            T.SUBCONTRACTOR_INVOICE,
            m.SubcontractorInvoice,
            "Subcontractor invoice",
            Action.ACCEPT_REJECT_SUBCONTRACTOR_INVOICES,
            payloads.subcontractor_invoice,
            related=("commitment__project", "commitment__vendor"),
            project_path="commitment.project",
            direct_export_setting="direct_export_invoices",
            unlink_action=Action.UNLINK_SUBCONTRACTOR_INVOICE,
        ),
        ItemType(
            T.OWNER_INVOICE,
            m.OwnerInvoice,
            "Owner invoice",
            Action.ACCEPT_REJECT_OWNER_INVOICES,
            payloads.owner_invoice,
            related=("prime_contract__project", "prime_contract__owner"),
            project_path="prime_contract.project",
            direct_export_setting="direct_export_invoices",
            unlink_action=Action.UNLINK_OWNER_INVOICE,
        ),
    )
}
del T
BY_MODEL: dict[type[Model], ItemType] = {t.model: t for t in ITEM_TYPES.values()}


def item_type_of(item: Model) -> ItemType:
    try:
        return BY_MODEL[type(item)]
    except KeyError:
        raise LookupError(f"{type(item).__name__} records are not sent to the ERP.") from None


def item_type(key: str) -> ItemType:
    try:
        return ITEM_TYPES[key]
    except KeyError:
        raise LookupError(f"Unknown item type {key!r}.") from None

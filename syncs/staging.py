"""What ERP admins do with staged records (*Ready to Import*): add one to the portal, link it to
a record the portal already has, archive it, or bring it back.

One registry (:data:`TARGETS`) says, per type of staged record, which portal model it becomes,
the matrix rows that allow each action, how its ERP data becomes the new record's fields, and
which portal records it may be linked to. Every action locks the staged record, checks its
status, writes the portal record and the staged record's new status together, and audits both
in the same transaction. Refusals are ``PermissionDenied``; bad requests are ``ValidationError``
naming what to do (the parent to import first, the record already linked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import Change, audit_rows
from connectors.base import Feature
from erp.connections import connector_class_for
from integrations import models as m
from integrations.cost_codes import project_cost_codes_add
from integrations.kinds import kind_of
from integrations.project_templates import import_template
from integrations.validation import record_problems, refuse
from permissions.access import can, describe
from permissions.policy import Action
from syncs import importing
from syncs.models import StagedRecord, StagedStatus
from tenancy.models import Account

Fields = dict[str, Any]
Choices = Mapping[str, Any]
Creator = Callable[[StagedRecord, Account, Choices], m.ErpLinkedModel]


@dataclass(frozen=True)
class Target:
    """What one type of staged record becomes in the portal, and who may do what with it."""

    item_type: str
    model: type[m.ErpLinkedModel]
    noun: str  # the portal record, in the user's words
    add: Action  # also archiving and, where it can be linked, linking, unless said below
    create: Creator  # makes the portal record (linked to the ERP one) from the staged one
    linkable: Callable[[Account], QuerySet[Any]] | None = None  # what it may be linked to
    link: Action | None = None
    archive: Action | None = None
    why_not: Callable[[Any], str] = lambda record: ""  # why it cannot be linked ("": it can)
    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # asked on adding
    repeatable: bool = False  # imported again after the ERP changed it (a budget)

    @property
    def link_action(self) -> Action:
        return self.link or self.add

    @property
    def archive_action(self) -> Action:
        return self.archive or self.add


def _record(fields: Callable[[StagedRecord, Account], Fields]) -> Creator:
    """A creator of a record without lines: the fields read from the staged data, the link."""

    def create(staged: StagedRecord, account: Account, choices: Choices) -> m.ErpLinkedModel:
        target = TARGETS[staged.item_type]
        values = {**fields(staged, account), **_erp_link(staged)}
        record = target.model(account=account, **values)
        refuse(record_problems(record, values))  # what the portal refuses from anywhere
        record.full_clean(exclude=["account"])
        record.save()
        return record

    return create


def _company_fields(staged: StagedRecord, account: Account) -> Fields:
    data = staged.data
    keep = (
        "name",
        "address",
        "city",
        "state_code",
        "zip",
        "country_code",
        "phone",
        "email",
        "tax_id",
    )
    return {
        **{name: str(data.get(name) or "") for name in keep},
        "country_code": str(data.get("country_code") or "US")[:2],
        "is_active": data.get("is_active", True) is not False,
    }


def erp_cost_code_list(account: Account) -> m.StandardCostCodeList | None:
    return m.StandardCostCodeList.objects.filter(account=account, is_erp=True).first()


def _add_project(staged: StagedRecord, account: Account, choices: Choices) -> m.ErpLinkedModel:
    """A project from an ERP job, started from the account's template for imported jobs: its
    stage and job-cost sync, and every active code of the ERP list when the template says so
    (no template: course of construction, no job-cost sync, no codes yet)."""
    template = import_template(account)
    project = _record(lambda s, a: _project_fields(s, a, template))(staged, account, choices)
    if template is not None and template.add_all_cost_codes:
        project_cost_codes_add(account=account, project=cast(m.Project, project))
    return project


def _project_fields(
    staged: StagedRecord, account: Account, template: m.ProjectTemplate | None
) -> Fields:
    data, number = staged.data, str(staged.data.get("number") or staged.origin_code)
    code_list = erp_cost_code_list(account)
    if code_list is None:
        raise ValidationError("Sync the ERP's standard cost codes first: a job uses that list.")
    if m.Project.objects.filter(account=account, number=number).exists():
        raise ValidationError(
            {"number": f"Project {number} is already in the portal: link the job to it instead."}
        )
    return {
        "number": number,
        "name": str(data.get("name") or ""),
        "stage": template.stage if template else m.Project.Stage.COURSE_OF_CONSTRUCTION,
        "sync_job_costs": template.sync_job_costs if template else False,
        **{k: str(data.get(k) or "") for k in ("address", "city", "state_code", "zip")},
        "country_code": str(data.get("country_code") or "US")[:2],
        "start_date": _date(data.get("start_date")),
        "completion_date": _date(data.get("completion_date")),
        "estimated_value": Decimal(str(data.get("estimated_value") or "0")),
        "is_active": data.get("is_active", True) is not False,
        "erp_integrated": True,
        "cost_code_list": code_list,
    }


def _sub_job_fields(staged: StagedRecord, account: Account) -> Fields:
    job = str(staged.data.get("job") or staged.job_origin_id)
    project = m.Project.objects.filter(account=account, origin_id=job).first()
    if project is None:
        raise ValidationError(f"Add or link the ERP job {job} first: the sub job belongs to it.")
    code = str(staged.data.get("code") or "")
    if m.SubJob.objects.filter(project=project, code=code).exists():
        raise ValidationError({"code": f"{project} already has a sub job {code}."})
    return {"project": project, "code": code, "name": str(staged.data.get("name") or "")}


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def links_many_companies(account: Account) -> bool:
    """Whether one portal company may stand for several ERP companies (CMiC's ERP keeps one
    vendor per company it pays; the connector declares it)."""
    return Feature.MULTI_COMPANY_LINK in connector_class_for(account).capabilities.features


def _unsynced(model: type[m.ErpLinkedModel]) -> Callable[[Account], QuerySet[Any]]:
    return lambda account: model._default_manager.filter(account=account, origin_id__isnull=True)


def _project_why_not(project: m.Project) -> str:
    if not project.erp_integrated:
        return "its ERP-integrated setting is off"
    if project.cost_code_list is None or not project.cost_code_list.is_erp:
        return "it does not use the ERP standard cost code list"
    return ""


TARGETS: dict[str, Target] = {
    target.item_type: target
    for target in (
        Target(
            "vendors",
            m.Company,
            "company",
            Action.ADD_ERP_COMPANY,
            _record(_company_fields),
            lambda account: (
                m.Company.objects.filter(account=account)
                if links_many_companies(account)
                else _unsynced(m.Company)(account)
            ),
            link=Action.LINK_ERP_COMPANIES,
            archive=Action.ARCHIVE_ERP_COMPANY,
        ),
        Target(
            "jobs",
            m.Project,
            "project",
            Action.ADD_ERP_JOB,  # seed 004: linking a job takes Admin on the ERP tool too
            _add_project,
            lambda account: m.Project.objects.filter(
                account=account, origin_id__isnull=True
            ).select_related("cost_code_list"),
            why_not=_project_why_not,
        ),
        Target(
            "sub_jobs",
            m.SubJob,
            "sub job",
            Action.IMPORT_SUB_JOB,
            _record(_sub_job_fields),
            _unsynced(m.SubJob),
        ),
        Target(
            "prime_contracts",
            m.PrimeContract,
            "prime contract",
            Action.IMPORT_PRIME_CONTRACT,
            importing.import_prime_contract,
        ),
        Target(
            "budgets",
            m.Budget,
            "budget",
            Action.IMPORT_BUDGET,
            importing.import_budget,
            choices={"mode": importing.BUDGET_MODES},
            repeatable=True,
        ),
    )
}


def target_of(staged: StagedRecord) -> Target:
    try:
        return TARGETS[staged.item_type]
    except KeyError:
        raise ValidationError(
            f"{staged.item_type.replace('_', ' ').capitalize()} are not imported this way yet."
        ) from None


def _require(user: Any, action: Action, account: Account) -> None:
    if not can(user, action, account):
        raise PermissionDenied(f"You do not have permission to {describe(action)}.")


def _locked(staged: StagedRecord, *expected: str) -> StagedRecord:
    locked = StagedRecord.objects.select_for_update().get(pk=staged.pk)
    if locked.status not in expected:
        status = StagedStatus(locked.status).label
        raise ValidationError(f"{locked} is no longer waiting: it is '{status}'.")
    return locked


def _erp_link(staged: StagedRecord) -> Fields:
    return {
        "origin_id": staged.origin_id,
        "origin_code": staged.origin_code,
        "origin_data": staged.origin_data,
        "erp_state": m.ErpState.SYNCED,
        "erp_synced_at": timezone.now(),
    }


def _done(staged: StagedRecord, record: Any, verb: str, actor: Any, also: bool = False) -> None:
    """The staged record (and its lines) became ``record`` (``also``: one more ERP record
    ``record`` stands for): mark them and audit both."""
    before, was = staged.status, (record.erp_state if also else m.ErpState.UNSENT)
    staged.status, staged.linked_id = StagedStatus.IMPORTED, record.pk
    staged.save(update_fields=["status", "linked_id", "updated_at"])
    staged.children.update(status=StagedStatus.IMPORTED)
    portal = {"item_type": kind_of(record).type_name, "item_id": record.pk}
    audit_rows(
        actor,
        [
            Change(
                staged.account_id,
                "staged_record",
                staged.pk,
                verb,
                before=before,
                after=staged.status,
                data=portal,
            ),
            Change(
                staged.account_id,
                portal["item_type"],
                record.pk,
                verb,
                before=was,
                after=record.erp_state,
                data={"origin_id": staged.origin_id, "staged_record": staged.pk, "also": also},
            ),
        ],
    )


def _not_linked_yet(target: Target, account: Account, staged: StagedRecord) -> None:
    linked = target.model._default_manager.filter(account=account, origin_id=staged.origin_id)
    if linked.exists():
        raise ValidationError(f"A {target.noun} is already linked to {staged}.")


def staged_add(
    *, actor: Any, account: Account, staged: StagedRecord, choices: Choices | None = None
) -> m.ErpLinkedModel:
    """Add the ERP record to the portal as a new record (with its lines), linked to it."""
    target = target_of(staged)
    _require(actor, target.add, account)
    with transaction.atomic():
        if target.repeatable:  # its importer decides whether the record may take it again
            locked = _locked(staged, StagedStatus.STAGED, StagedStatus.IMPORTED)
        else:
            locked = _locked(staged, StagedStatus.STAGED)
            _not_linked_yet(target, account, locked)
        record = target.create(locked, account, choices or {})
        _done(locked, record, "staged_added", actor)
    return record


def staged_reimport(*, actor: Any, account: Account, staged: StagedRecord) -> m.ErpLinkedModel:
    """Apply what the ERP changed in a prime contract already imported."""
    if staged.item_type != "prime_contracts":
        raise ValidationError("Only a prime contract is re-imported.")
    _require(actor, Action.IMPORT_PRIME_CONTRACT, account)
    with transaction.atomic():
        locked = _locked(staged, StagedStatus.IMPORTED)
        contract = importing.reimport_prime_contract(locked, account)
        audit_rows(
            actor,
            [
                Change(account.pk, "staged_record", locked.pk, "staged_reimported"),
                Change(
                    account.pk,
                    kind_of(contract).type_name,
                    contract.pk,
                    "staged_reimported",
                    data={"origin_id": locked.origin_id, "staged_record": locked.pk},
                ),
            ],
        )
    return contract


def staged_link(
    *, actor: Any, account: Account, staged: StagedRecord, target_id: int
) -> m.ErpLinkedModel:
    """Link the ERP record to a portal record that is not linked to the ERP yet."""
    target = target_of(staged)
    if target.linkable is None:
        raise ValidationError(f"An ERP {target.noun} is imported, not linked.")
    _require(actor, target.link_action, account)
    with transaction.atomic():
        locked = _locked(staged, StagedStatus.STAGED)
        record = target.linkable(account).select_for_update(of=("self",)).filter(pk=target_id)
        found = record.first()
        if found is None:
            raise ValidationError(
                {"target": f"No {target.noun} #{target_id} that is not linked to the ERP yet."}
            )
        reason = target.why_not(found)
        if reason:
            raise ValidationError({"target": f"{found} cannot be linked: {reason}."})
        _not_linked_yet(target, account, locked)
        if found.origin_id:  # linked already: it stands for this ERP record too
            _done(locked, found, "staged_linked", actor, also=True)
            return found
        link = _erp_link(locked)
        for name, value in link.items():
            setattr(found, name, value)
        found.save(update_fields=[*link, "updated_at"])
        _done(locked, found, "staged_linked", actor)
    return found


def staged_archive(
    *, actor: Any, account: Account, staged: StagedRecord, archive: bool = True
) -> StagedRecord:
    """Archive a waiting ERP record (it leaves *Ready to Import*), or bring one back."""
    target = target_of(staged)
    _require(actor, target.archive_action, account)
    before, after = (
        (StagedStatus.STAGED, StagedStatus.ARCHIVED)
        if archive
        else (StagedStatus.ARCHIVED, StagedStatus.STAGED)
    )
    with transaction.atomic():
        locked = _locked(staged, before)
        locked.status = after
        locked.save(update_fields=["status", "updated_at"])
        verb = "staged_archived" if archive else "staged_unarchived"
        audit_rows(
            actor,
            [Change(account.pk, "staged_record", locked.pk, verb, before=before, after=after)],
        )
    return locked

"""Importing ERP budgets and prime contracts (staged records with lines) into a project, and
re-importing a prime contract after the ERP changed it.

A staged line names its cost code and cost type by their ERP ids; they become the project's
cost code (a code of the ERP standard list the project does not use yet is added to it, as the
ERP used it) and the portal's cost type. A line whose code or type the portal does not know is
refused with the line and the code named, and nothing is imported. Procore's rules: a budget
that was exported to the ERP cannot be imported from it; a prime contract is re-imported only
while it is approved and its job synced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from integrations import models as m
from integrations.validation import lines_problems, record_problems, refuse
from syncs.models import StagedRecord
from tenancy.models import Account

OVERWRITE, ADD = "overwrite", "add"
BUDGET_MODES = {
    OVERWRITE: "Replace the current budget with the ERP's",
    ADD: "Keep the current budget and add the ERP's lines it does not have",
}


def project_of_job(account: Account, job: str) -> m.Project:
    project = m.Project.objects.filter(account=account, origin_id=job).first()
    if project is None or project.erp_state != m.ErpState.SYNCED:
        raise ValidationError(f"Add or link the ERP job {job} first: this belongs to it.")
    return project


@dataclass(frozen=True)
class Line:
    """A staged line, translated to the portal's records."""

    position: int
    description: str
    cost_code: m.CostCode | None
    cost_type_id: int | None
    amount: Decimal

    @property
    def pair(self) -> tuple[int | None, int | None]:
        return (self.cost_code.standard_code_id if self.cost_code else None, self.cost_type_id)


def translate(
    account: Account, project: m.Project, lines: Sequence[Mapping[str, Any]]
) -> list[Line]:
    """The staged ``lines`` with the portal's cost codes and types (a constant number of
    queries); refused, naming each unknown code, if any line cannot be placed."""
    codes = {str(x.get("cost_code") or "") for x in lines} - {""}
    types = {str(x.get("cost_type") or "") for x in lines} - {""}
    standard = {
        s.origin_id: s
        for s in m.StandardCostCode.objects.filter(
            account=account, code_list__is_erp=True, origin_id__in=codes
        )
    }
    used = {
        c.standard_code_id: c
        for c in m.CostCode.objects.filter(
            project=project, sub_job=None, standard_code__in=standard.values()
        )
    }
    type_ids = dict(
        m.CostType.objects.filter(account=account, origin_id__in=types).values_list(
            "origin_id", "pk"
        )
    )
    problems, read = [], []
    for position, line in enumerate(lines, start=1):
        code, kind = str(line.get("cost_code") or ""), str(line.get("cost_type") or "")
        if code and code not in standard:
            problems.append(
                f"Line {position}: cost code {code} is not on the ERP standard cost code list."
            )
            continue
        if kind and kind not in type_ids:
            problems.append(f"Line {position}: cost type {kind} is not in the portal.")
            continue
        found = None
        if code:
            standard_code = standard[code]
            found = used.get(standard_code.pk) or m.CostCode(
                account=account, project=project, standard_code=standard_code
            )
            used[standard_code.pk] = found
        read.append(
            Line(
                int(line.get("position") or position),
                str(line.get("description") or ""),
                found,
                type_ids.get(kind),
                Decimal(str(line.get("amount") or "0")),
            )
        )
    if problems:
        raise ValidationError({"lines": problems})
    new: dict[int, m.CostCode] = {}
    for translated in read:
        added = translated.cost_code
        if added is not None and added.pk is None:
            new[id(added)] = added  # a code on several lines is added once
    m.CostCode.objects.bulk_create(new.values())
    return read


def _checked(line_model: type[Model], lines: Sequence[Line]) -> list[dict[str, Any]]:
    """The lines' values for ``line_model``; refused, naming each line and field, where the
    portal would refuse them from anywhere (a control character, an amount out of range)."""
    values = [_values(line) for line in lines]
    problems = lines_problems(line_model, values)
    if problems:
        raise ValidationError({"lines": problems})
    return values


def _values(line: Line) -> dict[str, Any]:
    return {
        "position": line.position,
        "description": line.description[:255],
        "cost_code": line.cost_code,
        "cost_type_id": line.cost_type_id,
        "amount": line.amount,
    }


# --- budgets -------------------------------------------------------------------------------


def import_budget(staged: StagedRecord, account: Account, choices: Mapping[str, Any]) -> m.Budget:
    """Import the ERP budget into its project: overwrite the current budget, or keep it and
    add the ERP's lines for the cost code and type pairs it does not have."""
    mode = str(choices.get("mode") or "")
    if mode not in BUDGET_MODES:
        raise ValidationError(
            {"mode": "Choose whether to replace the current budget or add to it."}
        )
    project = project_of_job(account, str(staged.data.get("job") or staged.job_origin_id))
    budget = m.Budget.objects.select_for_update().filter(project=project).first()
    if (
        budget is not None
        and budget.erp_state != m.ErpState.UNSENT
        and budget.origin_id != staged.origin_id
    ):
        raise ValidationError(
            f"The budget of {project} was sent to the ERP: it can no longer be imported from it."
        )
    lines = translate(account, project, staged.data.get("lines") or [])
    _checked(m.BudgetLineItem, lines)
    budget = budget or m.Budget(account=account, project=project)
    budget.origin_id, budget.origin_code = staged.origin_id, staged.origin_code
    budget.origin_data, budget.erp_state = staged.origin_data, m.ErpState.SYNCED
    budget.save()
    have = {
        (line.cost_code.standard_code_id if line.cost_code else None, line.cost_type_id): line
        for line in budget.lines.select_related("cost_code")
    }
    if mode == OVERWRITE:
        budget.lines.all().delete()
        have = {}
    start = max((line.position for line in have.values()), default=0)
    m.BudgetLineItem.objects.bulk_create(
        m.BudgetLineItem(budget=budget, **{**_values(line), "position": start + i})
        for i, line in enumerate((x for x in lines if x.pair not in have), start=1)
    )
    return budget


# --- prime contracts -----------------------------------------------------------------------


def _contract_fields(account: Account, data: Mapping[str, Any]) -> dict[str, Any]:
    owner = str(data.get("owner") or "")
    status = str(data.get("status") or "")
    return {
        "number": str(data.get("number") or "")[:30],
        "title": str(data.get("title") or "")[:200],
        "status": status if status in m.ContractStatus.values else m.ContractStatus.DRAFT,
        "owner": m.Company.objects.filter(account=account, origin_id=owner).first()
        if owner
        else None,
    }


def import_prime_contract(
    staged: StagedRecord, account: Account, choices: Mapping[str, Any]
) -> m.PrimeContract:
    """Add the ERP prime contract, with its lines, to its project."""
    project = project_of_job(account, str(staged.data.get("job") or staged.job_origin_id))
    fields = _contract_fields(account, staged.data)
    if m.PrimeContract.objects.filter(project=project, number=fields["number"]).exists():
        raise ValidationError(
            {"number": f"{project} already has a prime contract {fields['number']}."}
        )
    contract = m.PrimeContract(
        account=account,
        project=project,
        origin_id=staged.origin_id,
        origin_code=staged.origin_code,
        origin_data=staged.origin_data,
        erp_state=m.ErpState.SYNCED,
        **fields,
    )
    refuse(record_problems(contract, [*fields, "origin_code"]))
    lines = _checked(
        m.PrimeContractLineItem, translate(account, project, staged.data.get("lines") or [])
    )
    contract.save()
    m.PrimeContractLineItem.objects.bulk_create(
        m.PrimeContractLineItem(contract=contract, **line) for line in lines
    )
    return contract


@dataclass(frozen=True)
class Difference:
    """One thing a re-import would change: what the portal has, what the ERP has."""

    what: str
    portal: str
    erp: str


def _line_text(position: int, description: str, code: Any, amount: Any) -> str:
    return f"{position}. {description or '—'} ({code or 'no code'}): {Decimal(str(amount)):,.2f}"


def differences(contract: m.PrimeContract, staged: StagedRecord) -> list[Difference]:
    """What re-importing ``staged`` would change in ``contract``, side by side."""
    data, found = staged.data, []
    erp = _contract_fields(contract.account, data)
    for name, label in (("title", "Title"), ("status", "Status"), ("owner", "Owner")):
        mine, theirs = getattr(contract, name), erp[name]
        if mine != theirs:
            found.append(Difference(label, str(mine or "—"), str(theirs or "—")))
    standard = dict(
        m.StandardCostCode.objects.filter(
            account=contract.account,
            origin_id__in=[x.get("cost_code") for x in data.get("lines") or []],
        ).values_list("origin_id", "full_code")
    )
    portal_lines = [
        _line_text(
            x.position,
            x.description,
            x.cost_code.standard_code.full_code if x.cost_code else "",
            x.amount,
        )
        for x in contract.lines.select_related("cost_code__standard_code")
    ]
    erp_lines = [
        _line_text(
            int(x.get("position") or i),
            str(x.get("description") or ""),
            standard.get(x.get("cost_code"), x.get("cost_code")),
            x.get("amount") or 0,
        )
        for i, x in enumerate(data.get("lines") or [], start=1)
    ]
    for i in range(max(len(portal_lines), len(erp_lines))):
        mine = portal_lines[i] if i < len(portal_lines) else "—"
        theirs = erp_lines[i] if i < len(erp_lines) else "—"
        if mine != theirs:
            found.append(Difference(f"Line {i + 1}", mine, theirs))
    return found


def reimport_prime_contract(staged: StagedRecord, account: Account) -> m.PrimeContract:
    """Apply the ERP's current prime contract to the one it was imported as."""
    contract = (
        m.PrimeContract.objects.select_for_update()
        .filter(account=account, pk=staged.linked_id or 0)
        .first()
    )
    if contract is None:
        raise ValidationError("This ERP prime contract is not in the portal yet: import it first.")
    if contract.status != m.ContractStatus.APPROVED:
        raise ValidationError(
            f"{contract} is not approved: only an approved contract is re-imported."
        )
    project_of_job(account, str(staged.data.get("job") or staged.job_origin_id))
    if not differences(contract, staged):
        raise ValidationError(f"{contract} already matches the ERP: nothing to re-import.")
    changed = {k: v for k, v in _contract_fields(account, staged.data).items() if k != "number"}
    for name, value in changed.items():
        setattr(contract, name, value)
    refuse(record_problems(contract, changed))
    lines = _checked(
        m.PrimeContractLineItem,
        translate(account, contract.project, staged.data.get("lines") or []),
    )
    contract.origin_data = staged.origin_data
    contract.save()
    contract.lines.all().delete()
    m.PrimeContractLineItem.objects.bulk_create(
        m.PrimeContractLineItem(contract=contract, **line) for line in lines
    )
    return contract

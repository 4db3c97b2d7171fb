"""*Add new cost code and cost type pairs to budgets*: when the account turns it on, sending a
commitment or a commitment change order to the ERP adds to its project's budget, at $0, every
(cost code, cost type) pair its lines use that the budget lacks, so the ERP can post the
commitment's costs against a budget line.

:func:`budget_pairs_add` runs inside the caller's transaction (the send): the budget it creates,
the lines it adds and their audit rows stand or fall with the send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Model

from audit.services import Change, audit_rows
from integrations import models as m
from integrations.kinds import kind_of
from integrations.services import lines_locked
from permissions.resources import project_of
from tenancy.models import Account

# The records whose send adds their pairs to the budget.
ADDS_PAIRS: tuple[type[Model], ...] = (m.Commitment, m.CommitmentChangeOrder)
PAIR, PAIRS = "cost code and cost type pair", "cost code and cost type pairs"


@dataclass(frozen=True)
class AddedPair:
    """A $0 budget line added for a pair the budget lacked."""

    line_id: int
    cost_code_id: int
    cost_type_id: int
    label: str  # "03-001 Concrete work / L Labor"


@dataclass(frozen=True)
class BudgetPairs:
    """What a send did to the project's budget."""

    budget_id: int | None = None
    created: bool = False  # the project had no budget: one was created for the pairs
    added: tuple[AddedPair, ...] = ()
    not_added: int = 0  # pairs the budget lacks but could not take now
    reason: str = ""  # why not

    @property
    def message(self) -> str:
        """One sentence for the user, or ``""`` when the budget already had every pair."""
        if self.not_added:
            return f"{_count(self.not_added)} not added to the budget. {self.reason}"
        if not self.added:
            return ""
        where = "a new budget for the project" if self.created else "the budget"
        return f"{_count(len(self.added))} added to {where}."


def _count(n: int) -> str:
    """``1 cost code and cost type pair was`` / ``2 cost code and cost type pairs were``."""
    return f"{n} {PAIR} was" if n == 1 else f"{n} {PAIRS} were"


def adds_pairs(account: Account, item: Model) -> bool:
    """Whether sending ``item`` adds its pairs to the budget (the account's setting)."""
    return account.add_budget_pairs and isinstance(item, ADDS_PAIRS)


def budget_pairs_add(
    *, account: Account, item: Model, actor: Any, request_id: int | None = None
) -> BudgetPairs | None:
    """Add to the budget of ``item``'s project a $0 line for each (cost code, cost type) pair
    of ``item``'s lines the budget lacks (a line without both is skipped), creating the budget
    if the project has none, each addition audited. A synced budget becomes *Changed since
    sync*; a budget whose lines cannot change now (waiting for the ERP) is left as it is, and
    the answer says why. ``None`` when the account does not add pairs or ``item`` is not a
    commitment or a commitment change order."""
    if not adds_pairs(account, item):
        return None
    project = project_of(item)
    wanted = _pairs_of(item)
    if project is None or not wanted:
        return BudgetPairs()
    # The project's row is the lock: two sends of one project add a pair (or the budget) once.
    m.Project.objects.select_for_update().only("pk").get(pk=project.pk)
    budget = m.Budget.objects.filter(project_id=project.pk).first()
    have = set(budget.lines.values_list("cost_code_id", "cost_type_id")) if budget else set()
    missing = [pair for pair in wanted if pair not in have]
    if not missing:
        return BudgetPairs(budget_id=budget.pk if budget else None)
    reason = lines_locked(budget) if budget else None
    if budget is not None and reason:
        return BudgetPairs(budget_id=budget.pk, not_added=len(missing), reason=reason)
    created = budget is None
    if budget is None:
        budget = m.Budget.objects.create(account=account, project_id=project.pk)
    added = _add_lines(budget, missing, _added_with(item))
    if budget.erp_state == m.ErpState.SYNCED and not budget.erp_changed:
        m.Budget.objects.filter(pk=budget.pk).update(erp_changed=True)
    _audit(actor, account, budget, added, _added_with(item), created, request_id)
    return BudgetPairs(budget_id=budget.pk, created=created, added=tuple(added))


def _pairs_of(item: Model) -> list[tuple[int, int]]:
    """The item's (cost code, cost type) pairs, each once, in line order."""
    lines = item.lines.filter(  # type: ignore[attr-defined]  # a commitment or change order
        cost_code__isnull=False, cost_type__isnull=False
    ).order_by("position", "pk")
    return list(dict.fromkeys(lines.values_list("cost_code_id", "cost_type_id")))


def _added_with(item: Model) -> str:
    """``commitment SC-004``: the item that added a pair, in the budget line's words."""
    return f"{kind_of(item).erp_label.lower()} {getattr(item, 'number', '') or item.pk}"


def _add_lines(budget: m.Budget, pairs: list[tuple[int, int]], added_with: str) -> list[AddedPair]:
    codes = m.CostCode.objects.select_related("standard_code").in_bulk({c for c, _ in pairs})
    types = m.CostType.objects.in_bulk({t for _, t in pairs})
    start = budget.lines.aggregate(last=Max("position"))["last"] or 0
    lines = m.BudgetLineItem.objects.bulk_create(
        m.BudgetLineItem(
            budget=budget,
            position=start + i,
            cost_code_id=code_id,
            cost_type_id=type_id,
            sub_job_id=codes[code_id].sub_job_id,
            description=f"Added with {added_with}"[:255],
        )
        for i, (code_id, type_id) in enumerate(pairs, start=1)
    )
    return [
        AddedPair(line.pk, code_id, type_id, f"{codes[code_id]} / {types[type_id]}")
        for line, (code_id, type_id) in zip(lines, pairs, strict=True)
    ]


def _audit(
    actor: Any,
    account: Account,
    budget: m.Budget,
    added: list[AddedPair],
    added_with: str,
    created: bool,
    request_id: int | None,
) -> None:
    item_type = kind_of(budget).type_name
    changes = []
    if created:
        data = {"added_with": added_with}
        changes.append(
            Change(
                account.pk, item_type, budget.pk, "budget_created", request_id=request_id, data=data
            )
        )
    changes += [
        Change(
            account.pk,
            item_type,
            budget.pk,
            "budget_pair_added",
            request_id=request_id,
            data={
                "line": pair.line_id,
                "cost_code": pair.cost_code_id,
                "cost_type": pair.cost_type_id,
                "pair": pair.label,
                "added_with": added_with,
            },
        )
        for pair in added
    ]
    audit_rows(actor, changes)

"""Budgets and prime contract SOVs, derived from the commitments and direct costs so that
every project's numbers agree with one another."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache

from demo.data.contracts import COMMITMENTS, commitment_sov
from demo.data.direct_costs import DIRECT_COSTS
from demo.data.projects import project_by_number

#: The GC's own costs, as a share (%) of the project's commitments: (cost code, cost type, %).
GENERAL_CONDITIONS: tuple[tuple[str, str, str], ...] = (
    ("01-310", "L", "4.0"),
    ("01-310", "O", "0.5"),
    ("01-500", "E", "1.0"),
    ("01-500", "M", "0.6"),
    ("01-740", "O", "0.5"),
    ("06-100", "L", "0.6"),
)
#: Buyout came in under budget: each budget line is its committed and spent cost plus this.
BUDGET_MARGIN = Decimal("1.04")


def _round_up(amount: Decimal, step: int) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


@cache
def budget_amounts(project: str) -> dict[tuple[str, str], Decimal]:
    """Budget per (cost code, cost type): commitments, general conditions and direct costs."""
    cost: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for commitment in COMMITMENTS:
        if commitment.project == project:
            for line in commitment_sov(commitment):
                cost[line.full_code, line.cost_type] += line.amount
    committed = sum(cost.values(), Decimal(0))
    for code, ctype, percent in GENERAL_CONDITIONS:
        cost[code, ctype] += committed * Decimal(percent) / 100
    for direct in DIRECT_COSTS:
        if direct.project == project:
            for code, ctype, amount, _ in direct.lines:
                cost[code, ctype] += Decimal(amount)
    return {key: _round_up(cost[key] * BUDGET_MARGIN, 500) for key in sorted(cost)}


@cache
def prime_sov(project: str) -> dict[str, Decimal]:
    """The owner's SOV: one line per cost code, the budget plus the GC's fee, to the $100."""
    markup = 1 + Decimal(project_by_number(project).fee_percent) / 100
    by_code: defaultdict[str, Decimal] = defaultdict(Decimal)
    for (code, _), amount in budget_amounts(project).items():
        by_code[code] += amount
    return {
        code: (amount * markup / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100
        for code, amount in by_code.items()
    }


def main_cost_type(project: str, full_code: str) -> str:
    """The cost type carrying most of a code's budget (the one its prime contract line uses)."""
    amounts = {t: a for (c, t), a in budget_amounts(project).items() if c == full_code}
    return max(amounts, key=lambda t: amounts[t])

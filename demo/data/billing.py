"""What has been billed so far: owner pay applications and subcontractor requisitions, month
by month, each period's amounts derived from the contract SOVs."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from demo.data.budgets import prime_sov
from demo.data.contracts import commitment_by_key, commitment_sov

BILLING_YEAR = 2026
CENT = Decimal("0.01")

#: The months of BILLING_YEAR each project has billed, with the share of the prime contract
#: billed that month (before the per-division pace below).
OWNER_BILLING: dict[str, tuple[tuple[int, int], ...]] = {
    "2401": ((8, 7), (9, 10), (10, 14)),
    "2402": ((8, 7), (9, 9), (10, 10)),
    "2403": ((9, 3), (10, 5)),
}


def billing_months(project: str) -> tuple[int, ...]:
    return tuple(month for month, _ in OWNER_BILLING.get(project, ()))


#: Early trades bill faster than the project as a whole; the rest bill at this default.
DIVISION_PACE = {"01": "1.0", "02": "4.0", "31": "3.0", "33": "2.0", "03": "2.2", "05": "1.2"}
DEFAULT_PACE = "0.4"


class DemoBilling(NamedTuple):
    project: str
    commitment: str
    percents: tuple[int, ...]  # % of each line billed in each billing month; 0: no invoice
    last_status: str  # of the latest requisition; earlier ones are approved


SUBCONTRACTOR_BILLING: tuple[DemoBilling, ...] = (
    DemoBilling("2401", "SC-001", (35, 30, 20), "approved"),
    DemoBilling("2401", "SC-002", (15, 30, 25), "under_review"),
    DemoBilling("2401", "SC-003", (0, 10, 35), "approved"),
    DemoBilling("2401", "SC-007", (0, 6, 10), "under_review"),
    DemoBilling("2401", "SC-008", (0, 0, 8), "approved"),
    DemoBilling("2401", "SC-009", (0, 6, 12), "under_review"),
    DemoBilling("2402", "SC-001", (60, 40, 0), "approved"),
    DemoBilling("2402", "SC-002", (40, 35, 15), "approved"),
    DemoBilling("2402", "SC-003", (10, 35, 30), "approved"),
    DemoBilling("2402", "SC-004", (0, 0, 15), "under_review"),
    DemoBilling("2403", "SC-001", (35, 30), "approved"),
    DemoBilling("2403", "SC-002", (0, 12), "under_review"),
)
#: Lines of one requisition do not all move alike: line i bills percent x LINE_PACE[i % 5].
LINE_PACE = ("1.2", "1.0", "0.7", "0.9", "1.1")


def progress(total: Decimal, percent: Decimal, billed_before: Decimal) -> Decimal:
    """This period's billing: ``percent`` of ``total``, never more than what remains."""
    amount = (total * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(Decimal(0), min(amount, total - billed_before))


def retainage(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class Billing(NamedTuple):
    """One month's invoice: work completed this period on each SOV line, in SOV order."""

    month: int
    status: str
    work: tuple[Decimal, ...]


def _bill_months(
    sov: list[Decimal], months: list[tuple[int, Decimal]], paces: list[Decimal]
) -> list[tuple[int, tuple[Decimal, ...]]]:
    """Each month bills percent x pace of every line, until the line is fully billed."""
    billed = [Decimal(0)] * len(sov)
    result = []
    for month, percent in months:
        work = tuple(
            progress(amount, percent * pace, before)
            for amount, pace, before in zip(sov, paces, billed, strict=True)
        )
        billed = [before + this for before, this in zip(billed, work, strict=True)]
        result.append((month, work))
    return result


def requisitions(billing: DemoBilling) -> list[Billing]:
    """A subcontractor's monthly requisitions on its commitment (months with 0% skipped)."""
    sov = [
        line.amount
        for line in commitment_sov(commitment_by_key(billing.project, billing.commitment))
    ]
    paces = [Decimal(LINE_PACE[i % len(LINE_PACE)]) for i in range(len(sov))]
    months = [
        (month, Decimal(percent))
        for month, percent in zip(billing_months(billing.project), billing.percents, strict=True)
        if percent
    ]
    billed = _bill_months(sov, months, paces)
    return [
        Billing(month, billing.last_status if i == len(billed) - 1 else "approved", work)
        for i, (month, work) in enumerate(billed)
    ]


def pay_applications(project: str) -> list[Billing]:
    """The owner pay applications billed so far on the project; the latest is under review."""
    sov = prime_sov(project)
    paces = [Decimal(DIVISION_PACE.get(code[:2], DEFAULT_PACE)) for code in sov]
    months = [(month, Decimal(percent)) for month, percent in OWNER_BILLING.get(project, ())]
    billed = _bill_months(list(sov.values()), months, paces)
    return [
        Billing(month, "under_review" if i == len(billed) - 1 else "approved", work)
        for i, (month, work) in enumerate(billed)
    ]

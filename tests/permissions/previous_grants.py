"""The grants of the previous version (``permissions`` 0003: ``ToolGrant`` holds every grant, a
project grant replacing the company grant of its tool on its project): a varied seed made with the
historical models, and every answer worked out from the raw rows, without the new storage."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from integrations import models as m
from permissions.levels import Level, Privilege, Tool
from permissions.policy import POLICY, Action, Holdings, Scope, rule_allows

NONE, RO, STD, ADMIN = (int(level) for level in Level)
T = Tool
# A record type of each tool that holds records (asked as ``obj=<model class>``).
MODEL_OF: dict[Tool, type[Any]] = {
    T.PROJECT_ADMIN: m.Project,
    T.DIRECTORY: m.Company,
    T.BUDGET: m.Budget,
    T.PRIME_CONTRACTS: m.PrimeContract,
    T.COMMITMENTS: m.Commitment,
    T.INVOICING: m.SubcontractorInvoice,
    T.DIRECT_COSTS: m.DirectCost,
}
ALL_ADMIN = dict.fromkeys(Tool, ADMIN)
APPROVER_SET = {T.ERP_INTEGRATIONS: STD, T.DIRECTORY: STD, T.COMMITMENTS: ADMIN, T.BUDGET: RO}


@dataclass(frozen=True)
class Seed:
    """One membership as the previous version stored it; projects by index in the account."""

    username: str
    account: str
    company: dict[Tool, int]
    projects: dict[tuple[int, Tool], int] = field(default_factory=dict)
    can_push_to_accounting: bool = False
    can_create_project: bool = False
    is_active: bool = True


# allow_standard_approvers, number of projects
ACCOUNTS = {"summit": (True, 4), "rival": (False, 3)}
SEEDS = [
    Seed("ada", "summit", ALL_ADMIN, can_push_to_accounting=True, can_create_project=True),
    Seed("bo", "summit", APPROVER_SET, can_push_to_accounting=True, can_create_project=True),
    # bo's set: one template. cy's project grants lower Commitments to None and raise Budget.
    Seed("cy", "summit", APPROVER_SET, {(0, T.COMMITMENTS): NONE, (1, T.BUDGET): ADMIN}),
    # bo's set with 'None' rows besides: the same template.
    Seed("dee", "summit", {**APPROVER_SET, T.INVOICING: NONE, T.REPORTS: NONE}),
    Seed("eve", "summit", {T.ERP_INTEGRATIONS: NONE, T.DIRECTORY: NONE, T.BUDGET: NONE}),
    Seed(
        "fay",
        "summit",
        {T.ERP_INTEGRATIONS: ADMIN, T.REPORTS: RO, T.BUDGET: ADMIN},
        {(2, T.REPORTS): NONE, (2, T.PRIME_CONTRACTS): ADMIN, (3, T.BUDGET): RO},
        can_push_to_accounting=True,
    ),
    # Nothing for the company, only on projects.
    Seed(
        "gus",
        "summit",
        {},
        {
            (0, T.REPORTS): RO,
            (0, T.BUDGET): ADMIN,
            (1, T.COMMITMENTS): STD,
            (1, T.DIRECTORY): ADMIN,
        },
        can_create_project=True,
    ),
    Seed("hal", "summit", ALL_ADMIN, {(0, T.BUDGET): NONE}, is_active=False),
    Seed(
        "ivy",
        "summit",
        {T.ERP_INTEGRATIONS: ADMIN, T.DIRECTORY: ADMIN, T.PROJECT_ADMIN: ADMIN},
        {(3, T.PROJECT_ADMIN): RO},
        can_push_to_accounting=True,
    ),
    Seed(
        "jo",
        "summit",
        {
            T.ERP_INTEGRATIONS: STD,
            T.DIRECTORY: STD,
            T.PROJECT_ADMIN: ADMIN,
            T.CHANGE_ORDERS: STD,
            T.DIRECT_COSTS: STD,
            T.INVOICING: ADMIN,
        },
        {(0, T.DIRECT_COSTS): NONE, (0, T.INVOICING): RO, (2, T.REPORTS): ADMIN},
    ),
    Seed("kai", "rival", ALL_ADMIN),
    Seed("lu", "rival", ALL_ADMIN, {(1, T.BUDGET): RO}),
    Seed(
        "mo",
        "rival",
        APPROVER_SET,
        {(1, T.BUDGET): ADMIN, (1, T.REPORTS): RO, (2, T.PRIME_CONTRACTS): NONE},
        can_push_to_accounting=True,
    ),
    # A member of both accounts, with other grants in each.
    Seed(
        "ivy",
        "rival",
        {T.ERP_INTEGRATIONS: RO, T.COMMITMENTS: STD},
        {(0, T.COMMITMENTS): ADMIN, (0, T.REPORTS): RO, (0, T.BUDGET): ADMIN},
    ),
]

Case = tuple[Action, int | None, Tool | None]  # action, project id (None: none asked), item tool


@dataclass
class Seeded:
    accounts: dict[str, int]  # slug -> id
    projects: dict[str, list[int]]  # slug -> project ids
    users: dict[str, int]  # username -> id
    allow_standard: dict[int, bool]  # account id -> allow_standard_approvers


def seed(old_apps: Any) -> Seeded:
    user_model = old_apps.get_model("auth", "User")
    account_model = old_apps.get_model("tenancy", "Account")
    membership_model = old_apps.get_model("tenancy", "Membership")
    project_model = old_apps.get_model("integrations", "Project")
    grant_model = old_apps.get_model("permissions", "ToolGrant")
    seeded = Seeded({}, {}, {}, {})
    for slug, (allow_standard, count) in ACCOUNTS.items():
        account = account_model.objects.create(
            name=slug.title(), slug=slug, allow_standard_approvers=allow_standard
        )
        seeded.accounts[slug] = account.pk
        seeded.allow_standard[account.pk] = allow_standard
        seeded.projects[slug] = [
            project_model.objects.create(account=account, number=f"{slug}-{i}", name=f"P{i}").pk
            for i in range(count)
        ]
    for seed in SEEDS:
        user, _ = user_model.objects.get_or_create(username=seed.username)
        seeded.users[seed.username] = user.pk
        account_id = seeded.accounts[seed.account]
        membership_model.objects.create(
            account_id=account_id,
            user=user,
            is_active=seed.is_active,
            can_push_to_accounting=seed.can_push_to_accounting,
            can_create_project=seed.can_create_project,
        )
        grant_model.objects.bulk_create(
            [
                grant_model(account_id=account_id, user=user, tool=tool.value, level=level)
                for tool, level in seed.company.items()
            ]
            + [
                grant_model(
                    account_id=account_id,
                    user=user,
                    project_id=seeded.projects[seed.account][index],
                    tool=tool.value,
                    level=level,
                )
                for (index, tool), level in seed.projects.items()
            ]
        )
    return seeded


GrantRow = tuple[int, int, int | None, str, int]  # account, user, project, tool, level


def raw_grants(old_apps: Any) -> set[GrantRow]:
    grants = old_apps.get_model("permissions", "ToolGrant").objects
    return set(grants.values_list("account_id", "user_id", "project_id", "tool", "level"))


def old_holdings(old_apps: Any) -> dict[tuple[int, int], Holdings | None]:
    """Each membership's holdings read straight from the raw rows, as the previous version read
    them: company levels from project-less grants, a project grant in place of its tool's
    company level on its project, privileges from the membership; None if not active."""
    holdings: dict[tuple[int, int], Holdings | None] = {}
    memberships = old_apps.get_model("tenancy", "Membership").objects.values()
    for row in memberships:
        key = (row["account_id"], row["user_id"])
        privileges = frozenset(p.value for p in Privilege if row[p.value])
        holdings[key] = Holdings({}, {}, privileges) if row["is_active"] else None
    for account_id, user_id, project_id, tool, level in raw_grants(old_apps):
        held = holdings[(account_id, user_id)]
        if held is None:
            continue
        if project_id is None:
            held.company[tool] = level
        else:
            held.per_project[(project_id, tool)] = level
    return holdings


def cases(project_ids: list[int]) -> Iterator[Case]:
    for action in Action:
        tools = (None, *MODEL_OF) if POLICY[action].item_tool is not None else (None,)
        for project_id in (None, *project_ids):
            for tool in tools:
                yield action, project_id, tool


def old_answer(held: Holdings | None, allow_standard: bool, case: Case, scope: Scope) -> bool:
    """What ``permissions.access.can`` does once it has the holdings."""
    if held is None:
        return False
    action, _, tool = case
    return rule_allows(
        POLICY[action], held, scope, item_tool=tool, standard_approvers=allow_standard
    )


def answers(seeded: Seeded, holdings: dict[tuple[int, int], Holdings | None]) -> dict[Any, bool]:
    answers = {}
    for slug, account_id in seeded.accounts.items():
        allow_standard = seeded.allow_standard[account_id]
        for (held_account, user_id), held in holdings.items():
            if held_account != account_id:
                continue
            for case in cases(seeded.projects[slug]):
                # No project: 'on any project' (can() asks so without a project or a record).
                scope = Scope(project_id=case[1], anywhere=case[1] is None)
                answers[(account_id, user_id, *case)] = old_answer(
                    held, allow_standard, case, scope
                )
    return answers


def expected_templates(seeded: Seeded) -> dict[int, dict[frozenset[tuple[str, int]], set[int]]]:
    """Per account: each distinct set of (non-None) company grants and the users holding it."""
    sets: dict[int, dict[frozenset[tuple[str, int]], set[int]]] = defaultdict(dict)
    for seed in SEEDS:
        levels = frozenset((t.value, lvl) for t, lvl in seed.company.items() if lvl > NONE)
        if levels:
            account_id = seeded.accounts[seed.account]
            sets[account_id].setdefault(levels, set()).add(seeded.users[seed.username])
    return sets

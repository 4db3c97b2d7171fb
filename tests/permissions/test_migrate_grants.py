"""Existing grants become templates and adjustments with no one gaining or losing a right.

The test migrates the database back to before the data moved (``permissions`` 0003, where
``ToolGrant`` still holds every grant, a project grant replacing the company grant of its tool on
its project), fills it with the historical models and works out every answer from the raw rows.
Then it migrates forward: every user x action x project (x record type) answers the same through
``can()``, and what the migration made is checked (one company template per distinct set of
grants, project grants as guardian rows, no grant left). Backwards, the grants come back and
answer the same again.
"""

from __future__ import annotations

import functools
import importlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from integrations import models as m
from permissions.access import can
from permissions.grants import project_permissions
from permissions.levels import Level, Privilege, Tool
from permissions.models import PermissionTemplate, ProjectUserPermission, TemplateScope, ToolGrant
from permissions.policy import POLICY, Action, Holdings, Scope, rule_allows
from permissions.templates import seed_templates
from tenancy.models import Account
from tests.factories import CommitmentFactory, CompanyFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("permissions", "0003_templates_and_project_permissions")]
# The historical models the seed needs (0003 depends on the integrations and tenancy leaves).
STATE_APPS = ("contenttypes", "auth", "tenancy", "integrations")

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


def _seed(old_apps: Any) -> Seeded:
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


def _raw_grants(old_apps: Any) -> set[GrantRow]:
    grants = old_apps.get_model("permissions", "ToolGrant").objects
    return set(grants.values_list("account_id", "user_id", "project_id", "tool", "level"))


def _old_holdings(old_apps: Any) -> dict[tuple[int, int], Holdings | None]:
    """Each membership's holdings read straight from the raw rows, as the previous version read
    them: company levels from project-less grants, a project grant in place of its tool's
    company level on its project, privileges from the membership; None if not active."""
    holdings: dict[tuple[int, int], Holdings | None] = {}
    memberships = old_apps.get_model("tenancy", "Membership").objects.values()
    for row in memberships:
        key = (row["account_id"], row["user_id"])
        privileges = frozenset(p.value for p in Privilege if row[p.value])
        holdings[key] = Holdings({}, {}, privileges) if row["is_active"] else None
    for account_id, user_id, project_id, tool, level in _raw_grants(old_apps):
        held = holdings[(account_id, user_id)]
        if held is None:
            continue
        if project_id is None:
            held.company[tool] = level
        else:
            held.per_project[(project_id, tool)] = level
    return holdings


def _cases(project_ids: list[int]) -> Iterator[Case]:
    for action in Action:
        tools = (None, *MODEL_OF) if POLICY[action].item_tool is not None else (None,)
        for project_id in (None, *project_ids):
            for tool in tools:
                yield action, project_id, tool


def _old_answer(held: Holdings | None, allow_standard: bool, case: Case, scope: Scope) -> bool:
    """What ``permissions.access.can`` does once it has the holdings."""
    if held is None:
        return False
    action, _, tool = case
    return rule_allows(
        POLICY[action], held, scope, item_tool=tool, standard_approvers=allow_standard
    )


def _answers(seeded: Seeded, holdings: dict[tuple[int, int], Holdings | None]) -> dict[Any, bool]:
    answers = {}
    for slug, account_id in seeded.accounts.items():
        allow_standard = seeded.allow_standard[account_id]
        for (held_account, user_id), held in holdings.items():
            if held_account != account_id:
                continue
            for case in _cases(seeded.projects[slug]):
                # No project: 'on any project' (can() asks so without a project or a record).
                scope = Scope(project_id=case[1], anywhere=case[1] is None)
                answers[(account_id, user_id, *case)] = _old_answer(
                    held, allow_standard, case, scope
                )
    return answers


def _expected_templates(seeded: Seeded) -> dict[int, dict[frozenset[tuple[str, int]], set[int]]]:
    """Per account: each distinct set of (non-None) company grants and the users holding it."""
    sets: dict[int, dict[frozenset[tuple[str, int]], set[int]]] = defaultdict(dict)
    for seed in SEEDS:
        levels = frozenset((t.value, lvl) for t, lvl in seed.company.items() if lvl > NONE)
        if levels:
            account_id = seeded.accounts[seed.account]
            sets[account_id].setdefault(levels, set()).add(seeded.users[seed.username])
    return sets


def _state_nodes(executor: MigrationExecutor) -> list[tuple[str, str]]:
    graph = executor.loader.graph
    return BEFORE + [graph.leaf_nodes(app)[0] for app in STATE_APPS]


def _migrate_back(executor: MigrationExecutor) -> Any:
    """Migrate to BEFORE; the historical apps there."""
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    return executor.loader.project_state(_state_nodes(executor)).apps


def _now(seeded: Seeded, cases: Iterable[Any]) -> dict[Any, bool]:
    """``can()``'s answers (fresh user objects, current storage) in the cases of ``_answers``."""
    users = get_user_model().objects.in_bulk(list(seeded.users.values()))
    accounts = Account.objects.in_bulk(list(seeded.accounts.values()))
    projects = m.Project.objects.in_bulk()
    return {
        (account_id, user_id, action, project_id, tool): can(
            users[user_id],
            action,
            accounts[account_id],
            project=projects[project_id] if project_id is not None else None,
            obj=MODEL_OF[tool] if tool is not None else None,
        )
        for account_id, user_id, action, project_id, tool in cases
    }


def _differences(seeded: Seeded, before: dict[Any, bool], after: dict[Any, bool]) -> list[str]:
    names = {pk: name for name, pk in seeded.users.items()}
    slugs = {pk: slug for slug, pk in seeded.accounts.items()}
    return [
        f"{names[user_id]} in {slugs[account_id]}: {action} on project {project_id}, item tool "
        f"{tool}: before {want}, after {after[key]}"
        for key, want in before.items()
        if after[key] != want
        for account_id, user_id, action, project_id, tool in [key]
    ]


@dataclass(repr=False)
class Run:
    """What the scenario saw: seeded, migrated forward, backward, forward again."""

    seeded: Seeded
    raw_before: set[GrantRow]
    before: dict[Any, bool]  # the previous version's answers, from the raw rows
    forward_mismatches: list[str]
    record_mismatches: list[str]
    made: dict[str, Any]
    raw_back: set[GrantRow]
    back: dict[Any, bool]
    forward_again_error: str | None


@functools.cache
def _run() -> Run:
    """The whole scenario, once for the module's tests (its findings are plain data)."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        old_apps = _migrate_back(executor)
        seeded = _seed(old_apps)
        raw_before = _raw_grants(old_apps)
        old_holdings = _old_holdings(old_apps)
        before = _answers(seeded, old_holdings)

        MigrationExecutor(connection).migrate(leaves)
        ContentType.objects.clear_cache()
        forward_mismatches = _differences(seeded, before, _now(seeded, before))
        made = _what_the_migration_made()
        record_mismatches = _record_mismatches(seeded, old_holdings)

        back_apps = _migrate_back(MigrationExecutor(connection))
        raw_back = _raw_grants(back_apps)
        back = _answers(seeded, _old_holdings(back_apps))
        forward_again_error = _run_forward_again(back_apps)
    finally:
        _back_to_latest(leaves)
    return Run(
        seeded,
        raw_before,
        before,
        forward_mismatches,
        record_mismatches,
        made,
        raw_back,
        back,
        forward_again_error,
    )


class _Undo(Exception):
    """Leaves the data migration's trial run without keeping anything."""


def _run_forward_again(old_apps: Any) -> str | None:
    """Run the data migration forward again on the migrated-back database (and undo it): the
    database's complaint if it refuses."""
    migration = importlib.import_module("permissions.migrations.0004_grants_become_templates")
    try:
        with transaction.atomic():
            migration.forward(old_apps, None)
            raise _Undo
    except _Undo:
        return None
    except DatabaseError as error:
        return f"{type(error).__name__}: {error}"


def _back_to_latest(leaves: list[tuple[str, str]]) -> None:
    """Leave the database migrated to the latest for the tests after this one. What the
    previous version cannot read goes first (the data migration makes it again from the
    grants; see test_migrating_forward_again_after_backwards_works)."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(leaves) and (BEFORE[0] in executor.loader.applied_migrations):
        old_apps = executor.loader.project_state(_state_nodes(executor)).apps
        template_model = old_apps.get_model("permissions", "PermissionTemplate")
        old_apps.get_model("permissions", "ProjectUserPermission").objects.all().delete()
        groups = list(template_model.objects.values_list("group_id", flat=True))
        template_model.objects.all().delete()
        old_apps.get_model("auth", "Group").objects.filter(pk__in=groups).delete()
    executor.migrate(leaves)
    ContentType.objects.clear_cache()


@functools.cache
def _run_with_templates() -> list[str]:
    """Migrated forward, members are given what only templates can say (a project template on
    a project, a default project template, 'Create New Project' on a company template); then
    migrated back: what the grants answer, against what the templates answered."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        seeded = _seed(_migrate_back(executor))
        MigrationExecutor(connection).migrate(leaves)
        ContentType.objects.clear_cache()
        _give_templates(seeded)
        cases = _answers(seeded, dict.fromkeys(_memberships(seeded)))
        now = _now(seeded, cases)
        back_apps = _migrate_back(MigrationExecutor(connection))
        back = _answers(seeded, _old_holdings(back_apps))
    finally:
        _back_to_latest(leaves)
    return _differences(seeded, now, back)


def _memberships(seeded: Seeded) -> list[tuple[int, int]]:
    return [(seeded.accounts[s.account], seeded.users[s.username]) for s in SEEDS]


def _give_templates(seeded: Seeded) -> None:
    summit, rival = (Account.objects.get(slug=slug) for slug in ("summit", "rival"))
    user = get_user_model().objects.in_bulk(list(seeded.users.values()))
    by_name = {name: user[pk] for name, pk in seeded.users.items()}
    lead = seed_templates(
        summit, TemplateScope.PROJECT, {"Lead": {T.BUDGET: Level.ADMIN, T.REPORTS: Level.READ_ONLY}}
    )
    creator = seed_templates(
        summit,
        TemplateScope.COMPANY,
        {"Creator": {T.DIRECTORY: Level.STANDARD}},
        can_create_project=True,
    )
    seed_templates(
        rival,
        TemplateScope.PROJECT,
        {"Default": {T.REPORTS: Level.READ_ONLY, T.PRIME_CONTRACTS: Level.ADMIN}},
        is_default=True,
    )
    codename = lead["Lead"].codename
    permission = project_permissions([codename])[codename]
    summit_projects = seeded.projects["summit"]
    ProjectUserPermission.objects.bulk_create(
        ProjectUserPermission(
            user=by_name[name], content_object_id=summit_projects[i], permission=permission
        )
        for name, i in (("cy", 3), ("gus", 2), ("fay", 0))
    )
    by_name["eve"].groups.add(creator["Creator"].group_id)


def test_every_user_action_and_project_answers_the_same_after_the_migration():
    run = _run()
    assert len(run.before) > 4000  # 13 memberships x 48 actions x projects x record types
    assert sum(run.before.values()) > 1000  # the seed grants a good deal, not only refusals
    assert run.forward_mismatches == []
    assert run.record_mismatches == []


def test_identical_company_grants_share_one_template_and_project_grants_become_guardian_rows():
    run = _run()
    assert run.made["templates"] == _expected_templates(run.seeded)
    assert run.made["project templates"] == 0
    assert run.made["grants left"] == 0  # every company grant is covered by a template
    assert run.made["project permissions"] == {
        (user_id, project_id, f"{tool}__{Level(level).name.lower()}")
        for _, user_id, project_id, tool, level in run.raw_before
        if project_id is not None
    }


def test_backwards_the_grants_come_back_and_answer_the_same():
    run = _run()
    # 'None' company grants added nothing: they stay gone; every other grant is back.
    assert run.raw_back == {row for row in run.raw_before if row[2] is not None or row[4] > NONE}
    assert run.back == run.before


def test_backwards_project_templates_defaults_and_template_privileges_become_grants():
    assert _run_with_templates() == []


def test_migrating_forward_again_after_backwards_works():
    assert _run().forward_again_error is None


def _what_the_migration_made() -> dict[str, Any]:
    templates: dict[int, dict[frozenset[tuple[str, int]], set[int]]] = defaultdict(dict)
    for template in PermissionTemplate.objects.filter(scope=TemplateScope.COMPANY):
        assert template.group is not None
        levels = frozenset((tool, int(level)) for tool, level in template.levels.items())
        assert levels not in templates[template.account_id], "two templates of the same set"
        templates[template.account_id][levels] = set(
            template.group.user_set.values_list("pk", flat=True)
        )
    return {
        "templates": templates,
        "project templates": PermissionTemplate.objects.filter(scope=TemplateScope.PROJECT).count(),
        "grants left": ToolGrant.objects.count(),
        "project permissions": set(
            ProjectUserPermission.objects.values_list(
                "user_id", "content_object_id", "permission__codename"
            )
        ),
    }


def _record_mismatches(
    seeded: Seeded, old_holdings: dict[tuple[int, int], Holdings | None]
) -> list[str]:
    """Records in place of record types: a commitment on a project with grants of its own, and
    a company (account-wide: asked at company level)."""
    account = Account.objects.get(slug="summit")
    project = m.Project.objects.get(pk=seeded.projects["summit"][0])
    vendor = CompanyFactory(account=account)
    commitment = CommitmentFactory(account=account, project=project, vendor=vendor)
    records = [
        (commitment, T.COMMITMENTS, Scope(project_id=project.pk)),
        (vendor, T.DIRECTORY, Scope()),
    ]
    users = get_user_model().objects.in_bulk(list(seeded.users.values()))
    out = []
    for (account_id, user_id), held in old_holdings.items():
        if account_id != account.pk:
            continue
        for record, tool, scope in records:
            for action in Action:
                case = (action, scope.project_id, tool)
                want = _old_answer(held, account.allow_standard_approvers, case, scope)
                got = can(users[user_id], action, account, obj=record)
                if got != want:
                    out.append(f"user {user_id}: {action} on {record!r}: before {want}, now {got}")
    return out

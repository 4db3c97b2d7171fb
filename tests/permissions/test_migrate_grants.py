"""Existing grants become templates and adjustments with no one gaining or losing a right.

The test migrates the database back to before the data moved (``permissions`` 0003, where
``ToolGrant`` still holds every grant, a project grant replacing the company grant of its tool on
its project), fills it with the historical models and works out every answer from the raw rows.
Then it migrates forward: every user x action x project (x record type) answers the same through
``can()``, and what the migration made is checked (one company template per distinct set of
grants, project grants as guardian rows, no grant left). Backwards, the grants come back and
answer the same again; what only templates can say (a project template, a default project
template, 'Create New Project' on a template) becomes grants that answer the same; and the data
migration can run forward again. The seed and the previous version's answers:
``previous_grants.py``.
"""

from __future__ import annotations

import functools
import importlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from integrations import models as m
from permissions.access import can
from permissions.grants import project_permissions
from permissions.levels import Level
from permissions.models import PermissionTemplate, ProjectUserPermission, TemplateScope, ToolGrant
from permissions.policy import Action, Holdings, Scope
from permissions.templates import seed_templates
from tenancy.models import Account
from tests.factories import CommitmentFactory, CompanyFactory
from tests.permissions.previous_grants import (
    MODEL_OF,
    NONE,
    SEEDS,
    GrantRow,
    Seeded,
    T,
    answers,
    expected_templates,
    old_answer,
    old_holdings,
    raw_grants,
    seed,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("permissions", "0003_templates_and_project_permissions")]
# The historical models the seed needs (0003 depends on the integrations and tenancy leaves).
STATE_APPS = ("contenttypes", "auth", "tenancy", "integrations")


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
        seeded = seed(old_apps)
        raw_before = raw_grants(old_apps)
        held_before = old_holdings(old_apps)
        before = answers(seeded, held_before)

        MigrationExecutor(connection).migrate(leaves)
        ContentType.objects.clear_cache()
        forward_mismatches = _differences(seeded, before, _now(seeded, before))
        made = _what_the_migration_made()
        record_mismatches = _record_mismatches(seeded, held_before)

        back_apps = _migrate_back(MigrationExecutor(connection))
        raw_back = raw_grants(back_apps)
        back = answers(seeded, old_holdings(back_apps))
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
        seeded = seed(_migrate_back(executor))
        MigrationExecutor(connection).migrate(leaves)
        ContentType.objects.clear_cache()
        _give_templates(seeded)
        cases = answers(seeded, dict.fromkeys(_memberships(seeded)))
        now = _now(seeded, cases)
        back_apps = _migrate_back(MigrationExecutor(connection))
        back = answers(seeded, old_holdings(back_apps))
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
    assert run.made["templates"] == expected_templates(run.seeded)
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
    seeded: Seeded, held_before: dict[tuple[int, int], Holdings | None]
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
    for (account_id, user_id), held in held_before.items():
        if account_id != account.pk:
            continue
        for record, tool, scope in records:
            for action in Action:
                case = (action, scope.project_id, tool)
                want = old_answer(held, account.allow_standard_approvers, case, scope)
                got = can(users[user_id], action, account, obj=record)
                if got != want:
                    out.append(f"user {user_id}: {action} on {record!r}: before {want}, now {got}")
    return out

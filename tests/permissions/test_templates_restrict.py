"""``restrict()`` agrees with ``can()`` on every project of an account of 1,000 projects where a
member holds a company template, project templates on some projects, adjustments on others and a
default project template; and it takes as many queries for 10 projects as for 1,000."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations import models as m
from permissions.access import can, restrict
from permissions.levels import Level, Tool
from tenancy.models import Account
from tests.factories import member
from tests.permissions.template_helpers import (
    ACTION_AT,
    ADMIN,
    COMPANY,
    MODEL_OF,
    PROJECT,
    RO,
    STD,
    T,
    fresh,
    give,
    make,
)

pytestmark = pytest.mark.django_db


def _account_of(size: int, admin: Any, account: Account) -> tuple[Any, list[m.Project]]:
    """``size`` projects; a member with a company template, project templates on some projects,
    adjustments on others, and a default project template."""
    projects = m.Project.objects.bulk_create(
        m.Project(account=account, number=f"{size}-{i}", name=f"Project {i}") for i in range(size)
    )
    company = make(admin, account, f"Field {size}", COMPANY, {T.COMMITMENTS: STD, T.BUDGET: RO})
    editor = make(admin, account, f"Editor {size}", PROJECT, {T.COMMITMENTS: ADMIN})
    budget = make(admin, account, f"Budget {size}", PROJECT, {T.BUDGET: ADMIN, T.COMMITMENTS: RO})
    make(
        admin,
        account,
        f"Default {size}",
        PROJECT,
        {T.COMMITMENTS: RO, T.BUDGET: STD},
        is_default=True,
    )
    user = member(account, username=f"holder-{size}")
    give(
        admin,
        account,
        user,
        company=company,
        on_projects=[(p, editor if i % 2 else budget) for i, p in enumerate(projects) if i % 7 < 2],
        adjustments=[(p, T.COMMITMENTS, Level(i % 4)) for i, p in enumerate(projects) if i % 5 == 1]
        + [(p, T.DIRECT_COSTS, STD) for i, p in enumerate(projects) if i % 11 == 3],
    )
    return user, projects


def _restricted(user: Any, account: Account, level: Level, tool: Tool) -> set[int]:
    shown = restrict(m.Project.objects.all(), user, account, level=level, tool=tool)
    return set(shown.values_list("pk", flat=True))


def test_restrict_agrees_with_can_on_every_project_of_an_account_of_1000(account, admin):
    user, projects = _account_of(1000, admin, account)
    holder = fresh(user)
    for tool in MODEL_OF:
        for level in (RO, STD, ADMIN):
            by_can = {
                p.pk
                for p in projects
                if can(holder, ACTION_AT[level], account, project=p, obj=MODEL_OF[tool])
            }
            assert _restricted(fresh(user), account, level, tool) == by_can, (tool, level)
    # Not vacuous: each source shows somewhere.
    assert 0 < len(_restricted(fresh(user), account, ADMIN, T.COMMITMENTS)) < 1000
    assert 0 < len(_restricted(fresh(user), account, STD, T.DIRECT_COSTS)) < 1000


def test_restrict_takes_the_same_queries_for_10_and_1000_projects(account, admin, other_account):
    other_admin = member(other_account, username="their-admin", levels={T.DIRECTORY: ADMIN})
    small_user, _ = _account_of(10, other_admin, other_account)
    large_user, _ = _account_of(1000, admin, account)
    counts = []
    for user, where in ((small_user, other_account), (large_user, account)):
        with CaptureQueriesContext(connection) as queries:
            _restricted(fresh(user), where, STD, T.COMMITMENTS)
        counts.append(len(queries))
    assert counts[0] == counts[1]

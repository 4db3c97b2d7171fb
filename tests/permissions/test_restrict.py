"""``restrict()``: querysets narrowed to the account's records the user may see (Read Only+ on the
record's tool, on the record's project)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations import models as m
from permissions.access import restrict
from permissions.levels import Level, Tool
from tests.factories import AccountFactory, CompanyFactory, ProjectFactory
from tests.permissions.builders import ITEM_NAMES, Spec, build, make_items

pytestmark = pytest.mark.django_db

NONE, RO, STD, ADMIN = Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN
PROJECT_ITEMS = [n for n in ITEM_NAMES if n not in {"standard_cost_code", "cost_type", "company"}]


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def _commitments(account, projects, vendor, per_project: int = 1) -> list[m.Commitment]:
    return m.Commitment.objects.bulk_create(
        m.Commitment(account=account, project=p, vendor=vendor, number=f"SC-{i}", title=f"Sub {i}")
        for p in projects
        for i in range(per_project)
    )


@pytest.fixture
def two_accounts(account, other_account):
    """Two projects with commitments in ``account``, one in ``other_account``."""
    p, q = ProjectFactory(account=account), ProjectFactory(account=account)
    vendor = CompanyFactory(account=account)
    ours = _commitments(account, [p, q], vendor, per_project=2)
    theirs_project = ProjectFactory(account=other_account)
    theirs = _commitments(
        other_account, [theirs_project], CompanyFactory(account=other_account), per_project=2
    )
    return p, q, ours, theirs


def test_company_read_only_sees_all_the_accounts_commitments_and_none_of_another(two_accounts):
    p, q, ours, theirs = two_accounts
    account = p.account
    assert {c.project_id for c in ours} == {p.pk, q.pk}
    [user] = build(account, [Spec(company={Tool.COMMITMENTS: RO})])
    seen = _pks(restrict(m.Commitment.objects.all(), user, account))
    assert seen == {c.pk for c in ours}
    assert not seen & {c.pk for c in theirs}


def test_member_with_admin_in_another_account_sees_nothing_here(two_accounts, other_account):
    p, _, _, theirs = two_accounts
    [user] = build(other_account, [Spec(company={Tool.COMMITMENTS: ADMIN})])
    assert not restrict(m.Commitment.objects.all(), user, p.account).exists()
    # and in their own account only their own records
    assert _pks(restrict(m.Commitment.objects.all(), user, other_account)) == {c.pk for c in theirs}


@pytest.mark.parametrize("level", [NONE, RO, STD, ADMIN])
def test_company_level_decides_when_there_is_no_project_grant(two_accounts, level):
    p, _, ours, _ = two_accounts
    [user] = build(p.account, [Spec(company={Tool.COMMITMENTS: level})])
    seen = _pks(restrict(m.Commitment.objects.all(), user, p.account))
    assert seen == ({c.pk for c in ours} if level >= RO else set())


def test_grant_on_another_tool_does_not_show_commitments(two_accounts):
    p, *_ = two_accounts
    levels = {t: ADMIN for t in Tool if t != Tool.COMMITMENTS}
    [user] = build(p.account, [Spec(erp=ADMIN, company=levels)])
    assert not restrict(m.Commitment.objects.all(), user, p.account).exists()


def test_project_grant_of_none_hides_that_projects_commitments(two_accounts):
    p, q, ours, _ = two_accounts
    [user] = build(
        p.account,
        [Spec(company={Tool.COMMITMENTS: ADMIN}, on_projects={(p.pk, Tool.COMMITMENTS): NONE})],
    )
    seen = _pks(restrict(m.Commitment.objects.all(), user, p.account))
    assert seen == {c.pk for c in ours if c.project_id == q.pk}


def test_project_read_only_without_company_level_shows_only_that_project(two_accounts):
    p, _, ours, _ = two_accounts
    [user] = build(p.account, [Spec(on_projects={(p.pk, Tool.COMMITMENTS): RO})])
    seen = _pks(restrict(m.Commitment.objects.all(), user, p.account))
    assert seen == {c.pk for c in ours if c.project_id == p.pk}


@pytest.mark.parametrize("name", PROJECT_ITEMS)
def test_project_grants_narrow_every_project_record_type(account, name):
    p, q = ProjectFactory(account=account), ProjectFactory(account=account)
    on_p, on_q = make_items(account, p)[name], make_items(account, q)[name]
    tool = on_p.tool
    model = type(on_p.obj)
    specs = [
        Spec(company={tool: RO}),
        Spec(company={tool: RO}, on_projects={(p.pk, tool): NONE}),
        Spec(on_projects={(p.pk, tool): RO}),
        Spec(company={tool: NONE}, on_projects={(q.pk, tool): ADMIN}),
        Spec(company={t: ADMIN for t in Tool if t != tool}),
    ]
    expected = [
        {on_p.obj.pk, on_q.obj.pk},
        {on_q.obj.pk},
        {on_p.obj.pk},
        {on_q.obj.pk},
        set(),
    ]
    users = build(account, specs)
    for spec, user, want in zip(specs, users, expected, strict=True):
        assert _pks(restrict(model.objects.all(), user, account)) == want, spec


def test_companies_need_directory_read_only(account, other_account):
    ours = {CompanyFactory(account=account).pk for _ in range(3)}
    CompanyFactory(account=other_account)
    project = ProjectFactory(account=account)
    specs = [
        Spec(company={Tool.DIRECTORY: NONE}),
        Spec(company={Tool.DIRECTORY: RO}),
        Spec(company={Tool.DIRECTORY: ADMIN}),
        Spec(erp=ADMIN, company={t: ADMIN for t in Tool if t != Tool.DIRECTORY}),
        Spec(on_projects={(project.pk, Tool.DIRECTORY): ADMIN}),  # not the company Directory
    ]
    none, read_only, admin, everything_but, on_a_project = build(account, specs)
    assert _pks(restrict(m.Company.objects.all(), none, account)) == set()
    assert _pks(restrict(m.Company.objects.all(), read_only, account)) == ours
    assert _pks(restrict(m.Company.objects.all(), admin, account)) == ours
    assert _pks(restrict(m.Company.objects.all(), everything_but, account)) == set()
    assert _pks(restrict(m.Company.objects.all(), on_a_project, account)) == set()


def test_outsiders_see_nothing_and_superuser_sees_the_account(two_accounts):
    p, _, ours, _ = two_accounts
    account = p.account
    [inactive_member, inactive_user] = build(
        account,
        [
            Spec(company={Tool.COMMITMENTS: ADMIN}, membership_active=False),
            Spec(company={Tool.COMMITMENTS: ADMIN}, user_active=False),
        ],
    )
    for user in (inactive_member, inactive_user, AnonymousUser()):
        assert not restrict(m.Commitment.objects.all(), user, account).exists()
    superuser = get_user_model().objects.create(username="root", is_superuser=True)
    assert _pks(restrict(m.Commitment.objects.all(), superuser, account)) == {c.pk for c in ours}


# --- constant query count -----------------------------------------------------------------------


def _queries_for(account, n: int, layout: str) -> tuple[int, int]:
    """Build ``n`` projects with 2 commitments each and a user whose grants touch every project;
    return (queries to evaluate restrict(), rows seen)."""
    projects = m.Project.objects.bulk_create(
        m.Project(account=account, number=f"{layout}-{n}-{i}", name=f"P{i}") for i in range(n)
    )
    vendor = CompanyFactory(account=account)
    _commitments(account, projects, vendor, per_project=2)
    if layout == "hide-half":  # company Read Only, NONE on every other project
        spec = Spec(
            company={Tool.COMMITMENTS: RO},
            on_projects={(p.pk, Tool.COMMITMENTS): NONE for p in projects[::2]},
        )
    else:  # no company level, Read Only on every other project
        spec = Spec(on_projects={(p.pk, Tool.COMMITMENTS): RO for p in projects[::2]})
    [user] = build(account, [spec])
    fresh = get_user_model().objects.get(pk=user.pk)  # nothing cached yet
    with CaptureQueriesContext(connection) as ctx:
        rows = list(restrict(m.Commitment.objects.all(), fresh, account))
        for c in rows:  # touching the rows' own fields costs nothing more
            assert c.account_id == account.pk
    return len(ctx.captured_queries), len(rows)


@pytest.mark.parametrize("layout", ["hide-half", "show-half"])
def test_restrict_query_count_does_not_grow_with_projects(layout):
    small = AccountFactory(slug=f"small-{layout}")
    large = AccountFactory(slug=f"large-{layout}")
    small_queries, small_rows = _queries_for(small, 5, layout)
    large_queries, large_rows = _queries_for(large, 1000, layout)
    granted = {5: 3, 1000: 500}  # projects[::2]
    if layout == "hide-half":
        assert (small_rows, large_rows) == (2 * (5 - granted[5]), 2 * (1000 - granted[1000]))
    else:
        assert (small_rows, large_rows) == (2 * granted[5], 2 * granted[1000])
    assert small_queries == large_queries
    # membership, templates, company adjustments, project permissions, the records
    assert large_queries <= 5


def test_restrict_on_cached_holdings_is_a_single_query(account):
    projects = m.Project.objects.bulk_create(
        m.Project(account=account, number=f"C-{i}", name=f"P{i}") for i in range(50)
    )
    _commitments(account, projects, CompanyFactory(account=account))
    [user] = build(account, [Spec(on_projects={(p.pk, Tool.COMMITMENTS): RO for p in projects})])
    list(restrict(m.Commitment.objects.none(), user, account))  # loads the holdings
    with CaptureQueriesContext(connection) as ctx:
        assert len(list(restrict(m.Commitment.objects.all(), user, account))) == 50
    assert len(ctx.captured_queries) == 1

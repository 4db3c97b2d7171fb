"""``can()`` against the seed permission matrix (expectations in ``seed_matrix.py``, by hand)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from permissions.access import can
from permissions.levels import Level, Tool
from permissions.policy import Action
from tests.factories import ProjectFactory
from tests.permissions.builders import (
    ALL_OTHER_ADMIN,
    ITEM_NAMES,
    MODEL_TOOLS,
    Spec,
    build,
    everything,
    make_items,
    mismatches,
)
from tests.permissions.seed_matrix import (
    ACCEPT_REJECT_ROWS,
    BY_ACTION,
    BY_WORDING,
    SEED_ROWS,
    SeedRow,
)

pytestmark = pytest.mark.django_db

NONE, RO, STD, ADMIN = Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN
GRID = [(erp, approver) for erp in Level for approver in (True, False)]
GRID_KEYS = {NONE: "none", RO: "read_only", STD: "standard", ADMIN: "admin"}
SEED_FILE = Path("/work/shared/seeds/000_65ab7d7f2cd84ac3.txt")


def _ids(row: SeedRow) -> str:
    return row.action


def _scopes(row: SeedRow, project):
    """Where to ask a row: at company level and on a project (project-only rows: on it only)."""
    return [project] if row.project_only else [None, project]


def _report(found: list[str]) -> str:
    return "\n".join(found)


def _user(cases, spec: Spec):
    """The user built for ``spec`` (specs hold dicts, so they are looked up by equality)."""
    return next(user for s, user in cases if s == spec)


# --- the table itself ---------------------------------------------------------------------------


def test_every_seed_row_names_a_portal_action():
    keys = {a.value for a in Action}
    assert {row.action for row in SEED_ROWS} <= keys
    assert len(SEED_ROWS) == 38


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed document not available")
def test_table_wordings_are_the_seed_row_titles():
    lines = [line.strip() for line in SEED_FILE.read_text().splitlines()]
    titles = [lines[i - 1] for i, line in enumerate(lines) if line == "Web" and i > 0]
    assert len(titles) == 38
    assert set(titles) == set(BY_WORDING)


# --- (a) every row x ERP level x privilege, with Admin on every other tool -----------------------


@pytest.mark.parametrize("row", SEED_ROWS, ids=_ids)
def test_row_with_admin_on_every_other_tool(account, row):
    project = ProjectFactory(account=account)
    specs = [everything(erp, approver) for erp, approver in GRID]
    cases = list(zip(specs, build(account, specs), strict=True))
    found = []
    for where in _scopes(row, project):
        found += mismatches(row, cases, account, project=where)
    assert not found, _report(found)


@pytest.mark.parametrize("row", SEED_ROWS, ids=_ids)
def test_row_with_the_erp_tool_only(account, row):
    """A plain check icon means the ERP level (and, where stated, the approver privilege) is
    enough: nothing on other tools is needed. Rows with other-tool requirements are denied."""
    project = ProjectFactory(account=account)
    specs = [Spec(erp=erp, approver=approver) for erp, approver in GRID]
    cases = list(zip(specs, build(account, specs), strict=True))
    found = []
    for where in _scopes(row, project):
        found += mismatches(row, cases, account, project=where)
    assert not found, _report(found)


# --- (b) rows with requirements on other tools ---------------------------------------------------


@pytest.mark.parametrize("name", ITEM_NAMES)
def test_send_items_needs_admin_on_the_items_tool(account, name):
    row = BY_ACTION[Action.SEND_ITEMS]
    item = make_items(account)[name]
    other = ProjectFactory(account=account)
    tool = item.tool
    all_but = {t: lvl for t, lvl in ALL_OTHER_ADMIN.items() if t != tool}
    company_specs = [
        # no ERP permission and no privilege: Admin on the item's tool is enough
        Spec(erp=NONE, company={tool: ADMIN}),
        Spec(erp=RO, company={tool: ADMIN}),
        Spec(erp=ADMIN, approver=True, company=ALL_OTHER_ADMIN, create_project=True),
        # less than Admin on the item's tool: denied, whatever else is held
        *(
            Spec(erp=ADMIN, approver=True, company={**all_but, tool: level}, create_project=True)
            for level in (NONE, RO, STD)
        ),
        # Admin on every tool but the item's
        Spec(erp=ADMIN, approver=True, company=all_but, create_project=True),
    ]
    project_specs = []
    if item.project is not None:
        pid = item.project.pk
        project_specs = [
            # a project grant replaces the company level on the item's project
            Spec(erp=NONE, company={tool: ADMIN}, on_projects={(pid, tool): STD}),
            Spec(erp=NONE, company={tool: STD}, on_projects={(pid, tool): ADMIN}),
            Spec(erp=NONE, company={}, on_projects={(pid, tool): ADMIN}),
            Spec(erp=NONE, company={tool: STD}, on_projects={(other.pk, tool): ADMIN}),
        ]
    specs = company_specs + project_specs
    users = build(account, specs)
    cases = list(zip(specs, users, strict=True))
    found = mismatches(row, cases, account, item=item)
    # asked about the record type (company-level grants only)
    found += mismatches(row, cases[: len(company_specs)], account, model=type(item.obj))
    assert MODEL_TOOLS[type(item.obj)] == tool
    assert not found, _report(found)


def test_send_items_positive_examples_are_really_allowed(account):
    """Guard against a vacuous table: the seed's own statement, spelled out."""
    items = make_items(account)
    [user] = build(account, [Spec(erp=NONE, company={Tool.COMMITMENTS: ADMIN})])
    assert can(user, Action.SEND_ITEMS, account, obj=items["commitment"].obj)
    assert not can(user, Action.SEND_ITEMS, account, obj=items["budget"].obj)


def test_view_synced_sub_jobs_needs_directory_admin_or_standard_with_create_project(account):
    row = BY_ACTION[Action.VIEW_SYNCED_SUB_JOBS]
    specs = [
        Spec(erp=erp, approver=False, company={Tool.DIRECTORY: directory}, create_project=cnp)
        for erp in Level
        for directory in Level
        for cnp in (True, False)
    ]
    cases = list(zip(specs, build(account, specs), strict=True))
    found = mismatches(row, cases, account)
    assert not found, _report(found)
    # the spelled-out examples
    assert can(_user(cases, Spec(erp=STD, company={Tool.DIRECTORY: ADMIN})), row.action, account)
    assert can(
        _user(cases, Spec(erp=STD, company={Tool.DIRECTORY: STD}, create_project=True)),
        row.action,
        account,
    )
    assert not can(
        _user(cases, Spec(erp=ADMIN, company={Tool.DIRECTORY: STD})), row.action, account
    )
    assert not can(
        _user(cases, Spec(erp=RO, company={Tool.DIRECTORY: ADMIN}, create_project=True)),
        row.action,
        account,
    )


def test_view_synced_sub_jobs_needs_the_company_level_directory(account):
    """A Directory grant on one project is not the Company level Directory tool."""
    row = BY_ACTION[Action.VIEW_SYNCED_SUB_JOBS]
    project = ProjectFactory(account=account)
    specs = [
        Spec(erp=STD, on_projects={(project.pk, Tool.DIRECTORY): ADMIN}),
        Spec(erp=STD, create_project=True, on_projects={(project.pk, Tool.DIRECTORY): STD}),
    ]
    cases = list(zip(specs, build(account, specs), strict=True))
    found = mismatches(row, cases, account)
    assert not found, _report(found)


REPORT_LEVELS = [
    {Tool.REPORTS: reports, Tool.BUDGET: budget, Tool.PRIME_CONTRACTS: prime}
    for reports in (NONE, RO, STD, ADMIN)
    for budget in (NONE, STD, ADMIN)
    for prime in (NONE, STD, ADMIN)
]


@pytest.mark.parametrize(
    "action", [Action.VIEW_ERP_JOB_COSTS_REPORT, Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT]
)
def test_reports_on_a_project_need_reports_and_budget_or_prime_admin(account, action):
    row = BY_ACTION[action]
    project = ProjectFactory(account=account)
    specs = [
        Spec(erp=erp, approver=approver, company=levels)
        for erp in (NONE, STD, ADMIN)
        for approver in (True, False)
        for levels in REPORT_LEVELS
    ]
    cases = list(zip(specs, build(account, specs), strict=True))
    found = mismatches(row, cases, account, project=project)
    if not row.project_only:
        found += mismatches(row, cases, account)  # company level
    assert not found, _report(found)


@pytest.mark.parametrize(
    "action", [Action.VIEW_ERP_JOB_COSTS_REPORT, Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT]
)
def test_reports_read_the_projects_own_grants(account, action):
    row = BY_ACTION[action]
    p, q = ProjectFactory(account=account), ProjectFactory(account=account)
    layouts = [
        # company access, taken away on p
        ({Tool.REPORTS: RO, Tool.BUDGET: ADMIN}, {(p.pk, Tool.REPORTS): NONE}),
        ({Tool.REPORTS: RO, Tool.PRIME_CONTRACTS: ADMIN}, {(p.pk, Tool.PRIME_CONTRACTS): STD}),
        # no company access, given on p
        ({}, {(p.pk, Tool.REPORTS): RO, (p.pk, Tool.PRIME_CONTRACTS): ADMIN}),
        ({Tool.REPORTS: ADMIN}, {(p.pk, Tool.BUDGET): ADMIN}),
        # company Admin on budget and prime, Standard on p
        (
            {Tool.REPORTS: ADMIN, Tool.BUDGET: ADMIN, Tool.PRIME_CONTRACTS: ADMIN},
            {(p.pk, Tool.BUDGET): STD, (p.pk, Tool.PRIME_CONTRACTS): STD},
        ),
    ]
    specs = [
        Spec(erp=erp, company=company, on_projects=on_projects)
        for erp in (NONE, ADMIN)
        for company, on_projects in layouts
    ]
    cases = list(zip(specs, build(account, specs), strict=True))
    found = mismatches(row, cases, account, project=p)
    found += mismatches(row, cases, account, project=q)
    assert not found, _report(found)


def test_job_costs_report_at_company_level_needs_only_erp_admin(account):
    specs = [Spec(erp=ADMIN), Spec(erp=STD, company=ALL_OTHER_ADMIN, approver=True)]
    admin, standard = build(account, specs)
    assert can(admin, Action.VIEW_ERP_JOB_COSTS_REPORT, account)
    assert not can(standard, Action.VIEW_ERP_JOB_COSTS_REPORT, account)


def test_unsyncable_report_needs_no_erp_permission(account):
    project = ProjectFactory(account=account)
    levels = {Tool.REPORTS: RO, Tool.BUDGET: ADMIN}
    [user] = build(account, [Spec(erp=NONE, company=levels)])
    assert can(user, Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT, account, project=project)


def test_archived_companies_list_needs_standard_and_the_approver_privilege(account):
    row = BY_ACTION[Action.VIEW_ARCHIVED_COMPANIES]
    specs = [
        Spec(erp=erp, approver=approver, company=company, create_project=bool(company))
        for erp in Level
        for approver in (True, False)
        for company in ({}, ALL_OTHER_ADMIN, {Tool.DIRECTORY: ADMIN})
    ]
    cases = list(zip(specs, build(account, specs), strict=True))
    found = mismatches(row, cases, account)
    assert not found, _report(found)


# --- (c) the account setting that lets Standard approvers accept and reject ----------------------


def test_allow_standard_approvers_flips_standard_approver_on_accept_reject_rows_only(account):
    account.allow_standard_approvers = True
    account.save(update_fields=["allow_standard_approvers"])
    project = ProjectFactory(account=account)
    specs = [everything(erp, approver) for erp, approver in GRID]
    users = build(account, specs)
    cases = list(zip(specs, users, strict=True))
    found = []
    for row in SEED_ROWS:
        for where in _scopes(row, project):
            found += mismatches(row, cases, account, project=where, allow_standard_approvers=True)
    assert not found, _report(found)
    std_approver = _user(cases, everything(STD, True))
    std_plain = _user(cases, everything(STD, False))
    ro_approver = _user(cases, everything(RO, True))
    for row in ACCEPT_REJECT_ROWS:
        assert can(std_approver, row.action, account), row.action
        assert not can(std_plain, row.action, account), row.action
        assert not can(ro_approver, row.action, account), row.action


def test_without_the_setting_standard_approvers_cannot_accept_or_reject(account):
    assert account.allow_standard_approvers is False
    [std_approver] = build(account, [everything(STD, True)])
    assert not any(can(std_approver, row.action, account) for row in ACCEPT_REJECT_ROWS)


# --- (d) the permissions_matrix command ---------------------------------------------------------


def _command_rows(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("permissions_matrix", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("allow_standard_approvers", [False, True], ids=["default", "std-appr"])
def test_permissions_matrix_command_matches_the_seed(allow_standard_approvers):
    args = ["--allow-standard-approvers"] if allow_standard_approvers else []
    rows = _command_rows(*args)
    seeded = [r for r in rows if r["seed_action"] is not None]
    assert len(seeded) == 38
    assert sorted(r["seed_action"] for r in seeded) == sorted(BY_WORDING)
    found = []
    for r in seeded:
        row = BY_WORDING[r["seed_action"]]
        if r["action"] != row.action:
            found.append(f"{r['seed_action']!r} is {r['action']}, expected {row.action}")
        for erp, key in GRID_KEYS.items():
            for role, approver in (("approver", True), ("plain", False)):
                spec = everything(erp, approver)
                want = row.expected(
                    erp,
                    approver,
                    spec.others(),
                    allow_standard_approvers=allow_standard_approvers,
                )
                got = r["grid"][key][role]
                if got != want:
                    found.append(f"{row.action} [{key}/{role}]: command={got}, seed={want}")
    assert not found, _report(found)


def test_permissions_matrix_command_leaves_no_probe_data():
    user_model = get_user_model()
    before = user_model.objects.count()
    _command_rows()
    assert user_model.objects.count() == before


# --- (e) who is never / always allowed ----------------------------------------------------------


def _answers(user, account, project) -> dict[str, bool]:
    out = {}
    for row in SEED_ROWS:
        for where in _scopes(row, project):
            out[f"{row.action}@{'project' if where else 'company'}"] = can(
                user, row.action, account, project=where
            )
    return out


def test_outsiders_are_denied_everything(account, other_account):
    project = ProjectFactory(account=account)
    [stranger] = build(other_account, [everything(ADMIN, True)])
    [inactive_member, inactive_user] = build(
        account,
        [
            Spec(
                erp=ADMIN,
                approver=True,
                company=ALL_OTHER_ADMIN,
                create_project=True,
                membership_active=False,
            ),
            Spec(
                erp=ADMIN,
                approver=True,
                company=ALL_OTHER_ADMIN,
                create_project=True,
                user_active=False,
            ),
        ],
    )
    for who, user in [
        ("member of another account", stranger),
        ("inactive membership", inactive_member),
        ("inactive user", inactive_user),
        ("anonymous", AnonymousUser()),
    ]:
        allowed = [k for k, v in _answers(user, account, project).items() if v]
        assert not allowed, f"{who} allowed: {allowed}"


def test_records_and_projects_of_another_account_are_refused(account, other_account):
    [insider] = build(account, [everything(ADMIN, True)])
    theirs = make_items(other_account)
    their_project = theirs["project"].obj
    unsyncable = Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT
    assert not can(insider, unsyncable, account, project=their_project)
    assert not can(insider, Action.VIEW_ERP_JOB_COSTS_REPORT, account, project=their_project)
    for name in ITEM_NAMES:
        assert not can(insider, Action.SEND_ITEMS, account, obj=theirs[name].obj), name
    # the same user may send this account's records
    ours = make_items(account)
    for name in ITEM_NAMES:
        assert can(insider, Action.SEND_ITEMS, account, obj=ours[name].obj), name


def test_superuser_is_allowed_everything(account):
    project = ProjectFactory(account=account)
    superuser = get_user_model().objects.create(username="root", is_superuser=True)
    denied = [k for k, v in _answers(superuser, account, project).items() if not v]
    assert not denied, f"superuser denied: {denied}"

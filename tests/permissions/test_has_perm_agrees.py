"""Django's permission API answers what ``can()`` answers: ``user.has_perm("permissions.<action>",
obj)``, ``has_perms`` and ``get_all_permissions`` on every action, for every kind of user, on the
account, its projects, a record of every registered kind, and another account's objects."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from integrations import models as m
from integrations.kinds import kinds
from permissions.access import can, forget_holdings
from permissions.backends import PolicyBackend, permission_name
from permissions.levels import Level, Tool
from permissions.models import ToolGrant
from permissions.policy import Action
from tenancy.models import Account, Membership
from tests.factories import ProjectFactory, UserFactory, grant
from tests.permissions.builders import Spec, build, everything, make_items
from tests.permissions.seed_matrix import ACCEPT_REJECT_ROWS, BY_ACTION, SEED_ROWS

pytestmark = pytest.mark.django_db

NONE, RO, STD, ADMIN = Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN
# Users without the privilege hold a little on other tools; approvers hold everything.
SOME_TOOLS = {Tool.DIRECTORY: STD, Tool.COMMITMENTS: ADMIN, Tool.BUDGET: RO, Tool.REPORTS: RO}
FOREIGN = ("project", "commitment", "company", "direct_cost")


def erp_spec(erp: Level, approver: bool) -> Spec:
    if approver:
        return everything(erp, approver=True)
    return Spec(erp=erp, company=SOME_TOOLS)


def erp_name(erp: Level, approver: bool) -> str:
    return f"ERP {erp.label}" + (" + Can Push to Accounting" if approver else "")


@dataclass
class World:
    account: Account
    project: m.Project  # the records' project; the project-level user's grants are here
    users: dict[str, Any]  # label -> user
    specs: dict[str, Spec]  # label -> spec (members of ``account`` only)
    objects: dict[str, Any]  # label -> account, project or record (``foreign ...``: elsewhere)


@pytest.fixture
def world(account, other_account) -> World:
    items = make_items(account)
    project = items["project"].obj
    foreign_items = make_items(other_account)
    specs = {erp_name(erp, ap): erp_spec(erp, ap) for erp in Level for ap in (False, True)}
    specs["Reports RO + Budget Admin on one project"] = Spec(
        on_projects={(project.pk, Tool.REPORTS): RO, (project.pk, Tool.BUDGET): ADMIN}
    )
    admin_spec = everything(ADMIN, approver=True)
    specs["inactive user"] = dataclasses.replace(admin_spec, user_active=False)
    specs["inactive membership"] = dataclasses.replace(admin_spec, membership_active=False)
    users = dict(zip(specs, build(account, list(specs.values())), strict=True))
    [users["member of another account"]] = build(other_account, [admin_spec])
    users["anonymous"] = AnonymousUser()
    users["superuser (no membership)"] = UserFactory(username="root", is_superuser=True)
    objects: dict[str, Any] = {
        "the account": account,
        "another project": ProjectFactory(account=account),
        **{name: item.obj for name, item in items.items()},
        "standard cost code list": items["standard_cost_code"].obj.code_list,
        "foreign account": other_account,
        **{f"foreign {name}": foreign_items[name].obj for name in FOREIGN},
    }
    return World(account, project, users, specs, objects)


def asked(user: Any, action: Action, obj: Any) -> bool:
    """``can()`` asked as the backend promises to ask it for ``obj``."""
    if isinstance(obj, Account):
        return can(user, action, obj)
    if isinstance(obj, m.Project):
        return can(user, action, obj.account, project=obj)
    return can(user, action, obj.account, obj=obj)


def fresh(user: Any) -> Any:
    """The same user, as a new object (nothing cached on it)."""
    return get_user_model().objects.get(pk=user.pk)


# --- The whole matrix ------------------------------------------------------------------------


def test_one_record_of_every_registered_kind_is_asked_about(world):
    asked_types = {type(obj) for obj in world.objects.values()}
    assert {kind.model for kind in kinds()} <= asked_types


def test_has_perm_agrees_with_can_on_every_action_user_and_object(world):
    disagreements = []
    for who, user in world.users.items():
        for where, obj in world.objects.items():
            for action in Action:
                got = user.has_perm(permission_name(action), obj)
                if got != asked(user, action, obj):
                    disagreements.append(f"{who} / {action} / {where}: has_perm={got}")
    assert not disagreements, "\n".join(disagreements)


def test_the_matrix_is_not_vacuous(world):
    """Every action is allowed to some member and refused to another somewhere, so agreement
    above is not two functions that both say no."""
    members = [u for who, u in world.users.items() if who in world.specs]
    for action in Action:
        answers = {u.has_perm(permission_name(action), world.account) for u in members}
        answers |= {u.has_perm(permission_name(action), world.project) for u in members}
        assert answers == {True, False}, action


def test_get_all_permissions_on_an_object_is_what_can_allows(world):
    for who, user in world.users.items():
        for where, obj in world.objects.items():
            allowed = {permission_name(a) for a in Action if asked(user, a, obj)}
            assert user.get_all_permissions(obj) == allowed, (who, where)


def test_get_all_permissions_of_the_account_for_an_erp_admin_approver(world):
    user = world.users[erp_name(ADMIN, True)]
    granted = user.get_all_permissions(world.account)
    assert "permissions.accept_reject_budget" in granted
    assert "permissions.configure_sync_schedule" in granted
    reader = world.users[erp_name(RO, False)]
    assert reader.get_all_permissions(world.account) >= {"permissions.view_erp_tool"}
    assert "permissions.configure_sync_schedule" not in reader.get_all_permissions(world.account)


def test_has_perms_needs_every_one(world):
    names = ["permissions.view_erp_tool", "permissions.accept_reject_budget"]
    assert world.users[erp_name(ADMIN, True)].has_perms(names, world.account)
    standard = world.users[erp_name(STD, False)]
    assert standard.has_perm(names[0], world.account)
    assert not standard.has_perms(names, world.account)


# --- Another account, inactive and anonymous users -------------------------------------------


def test_another_accounts_objects_answer_false(world):
    admin_here = world.users[erp_name(ADMIN, True)]
    admin_there = world.users["member of another account"]
    for where, obj in world.objects.items():
        theirs = where.startswith("foreign")
        assert (admin_here.get_all_permissions(obj) == set()) is theirs, where
        assert admin_there.has_perm("permissions.view_records", obj) is theirs, where


@pytest.mark.parametrize("who", ["inactive user", "inactive membership", "anonymous"])
def test_inactive_and_anonymous_users_hold_nothing(world, who):
    user = world.users[who]
    for obj in [None, *world.objects.values()]:
        assert user.get_all_permissions(obj) == set()
        assert not user.has_perm("permissions.view_erp_tool", obj)


def test_superusers_hold_everything_as_in_django(world):
    root = world.users["superuser (no membership)"]
    everything_named = {permission_name(a) for a in Action}
    assert root.get_all_permissions(world.account) == everything_named
    assert root.get_all_permissions() >= everything_named


# --- Without an object -----------------------------------------------------------------------


def test_without_an_object_yes_means_yes_in_at_least_one_account(world, other_account):
    project_user = world.users["Reports RO + Budget Admin on one project"]
    # Allowed on one project only: 'somewhere' says yes, the account itself says no.
    action = Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT
    assert project_user.has_perm(permission_name(action))
    assert project_user.has_perm(permission_name(action), world.project)
    assert not project_user.has_perm(permission_name(action), world.objects["another project"])
    # A member of two accounts: the union of what each allows.
    reader = world.users[erp_name(RO, False)]
    Membership.objects.create(account=other_account, user=reader)
    ToolGrant.objects.create(
        account=other_account, user=reader, tool=Tool.ERP_INTEGRATIONS, level=ADMIN
    )
    reader = fresh(reader)
    assert not reader.has_perm("permissions.configure_sync_schedule", world.account)
    assert reader.has_perm("permissions.configure_sync_schedule")
    for who, user in world.users.items():
        if who in world.specs:
            accounts = list(Account.objects.filter(memberships__user=user))
            expected = {
                permission_name(a) for a in Action if any(can(user, a, acct) for acct in accounts)
            }
            assert user.get_all_permissions() == expected, who


# --- The seed, independently of the policy table ---------------------------------------------


def test_accept_reject_export_needs_erp_admin_and_can_push_to_accounting(world):
    for row in ACCEPT_REJECT_ROWS:
        name = permission_name(Action(row.action))
        for erp in Level:
            for approver in (False, True):
                label = erp_name(erp, approver)
                expected = row.expected(erp, approver, world.specs[label].others())
                assert world.users[label].has_perm(name, world.account) is expected, (row, label)
        assert world.users[erp_name(ADMIN, True)].has_perm(name, world.account)
        assert world.users[erp_name(ADMIN, True)].has_perm(name, world.objects["budget"])
        assert not world.users[erp_name(STD, False)].has_perm(name, world.account)
        assert not world.users[erp_name(STD, True)].has_perm(name, world.account)


def test_every_seed_row_through_has_perm(world):
    wrong = []
    for row in SEED_ROWS:
        where = world.project if row.project_only else world.account
        name = permission_name(Action(row.action))
        for erp in Level:
            for approver in (False, True):
                spec = world.specs[erp_name(erp, approver)]
                others = spec.others(world.project if row.project_only else None)
                expected = row.expected(erp, approver, others)
                if world.users[erp_name(erp, approver)].has_perm(name, where) is not expected:
                    wrong.append(f"{row.wording}: {erp_name(erp, approver)} expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_standard_approvers_when_the_account_allows_them(world):
    world.account.allow_standard_approvers = True
    world.account.save()
    row = BY_ACTION[Action.ACCEPT_REJECT_BUDGET]
    standard_approver = fresh(world.users[erp_name(STD, True)])
    others = everything(STD, True).others()
    assert row.expected(STD, True, others, allow_standard_approvers=True) is True
    assert standard_approver.has_perm("permissions.accept_reject_budget", world.objects["budget"])
    assert not fresh(world.users[erp_name(STD, False)]).has_perm(
        "permissions.accept_reject_budget", world.objects["budget"]
    )


# --- Names and objects the policy does not know ----------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "permissions.no_such_action",
        "integrations.accept_reject_budget",
        "accept_reject_budget",
        "permissions.",
        "",
        "permissions.ACCEPT_REJECT_BUDGET",
    ],
)
def test_unknown_names_answer_false(world, name):
    user = world.users[erp_name(ADMIN, True)]
    assert not user.has_perm(name)
    assert not user.has_perm(name, world.account)
    assert not user.has_perm(name, world.objects["commitment"])


def test_objects_the_policy_does_not_know_answer_false(world):
    user = world.users[erp_name(ADMIN, True)]
    membership = Membership.objects.get(user=user)
    for obj in (membership, user, ToolGrant.objects.filter(user=user).first()):
        assert not user.has_perm("permissions.view_records", obj)
        assert user.get_all_permissions(obj) == set()


# --- Django's own permissions, the admin site, sign-in ---------------------------------------


def test_django_permission_rows_still_answer(world):
    user = world.users[erp_name(NONE, False)]
    user.user_permissions.add(Permission.objects.get(codename="view_toolgrant"))
    user = fresh(user)
    assert user.has_perm("permissions.view_toolgrant")
    assert "permissions.view_toolgrant" in user.get_all_permissions()
    assert not user.has_perm("permissions.configure_sync_schedule")


def test_the_admin_site_shows_only_what_django_permissions_allow(world):
    staff = world.users[erp_name(ADMIN, True)]
    staff.is_staff = True
    staff.save()
    staff = fresh(staff)
    assert staff.has_perm("permissions.configure_sync_schedule")
    assert not staff.has_module_perms("permissions")
    request = RequestFactory().get("/admin/")
    request.user = staff
    assert admin.site.get_app_list(request) == []


def test_the_backend_comes_after_djangos_own():
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        "permissions.backends.PolicyBackend",
    ]


def test_the_backend_signs_no_one_in(world):
    UserFactory(username="signer")
    assert PolicyBackend().authenticate(None, username="signer", password="pw") is None
    assert authenticate(username="signer", password="pw") is not None  # Django's backend still


# --- Queries ---------------------------------------------------------------------------------


def _queries(ask) -> int:
    with CaptureQueriesContext(connection) as captured:
        ask()
    return len(captured)


def test_has_perm_costs_what_can_costs_plus_one_list_of_accounts(world):
    user = world.users[erp_name(ADMIN, True)]
    pairs = [(a, obj) for obj in world.objects.values() for a in Action]
    by_can = _queries(lambda: [asked(u, a, o) for u in [fresh(user)] for a, o in pairs])
    by_perm = _queries(
        lambda: [u.has_perm(permission_name(a), o) for u in [fresh(user)] for a, o in pairs]
    )
    assert by_perm <= by_can + 1


def test_a_record_read_on_its_own_does_not_load_its_account(world):
    user = world.users[erp_name(STD, False)]
    user.has_perm("permissions.view_records", world.account)  # grants loaded
    user.has_perm("permissions.view_records")  # accounts listed
    commitment = m.Commitment.objects.get(pk=world.objects["commitment"].pk)
    with CaptureQueriesContext(connection) as captured:
        answers = {a: user.has_perm(permission_name(a), commitment) for a in Action}
    assert len(captured) == 0
    assert answers[Action.VIEW_RECORDS] and not answers[Action.ACCEPT_REJECT_COMMITMENT]


def test_a_membership_given_within_the_request_counts_after_forget_holdings(account):
    """The backend caches the user's accounts like can() caches grants; forgetting one forgets
    both, so a right given during a request is seen by the next question."""
    user = UserFactory()
    project = ProjectFactory(account=account)
    name = permission_name(Action.VIEW_RECORDS)
    assert not user.has_perm(name, project)
    Membership.objects.create(account=account, user=user)
    grant(user, account, Tool.BUDGET, Level.READ_ONLY)
    forget_holdings(user)
    assert user.has_perm(name, project) == can(user, Action.VIEW_RECORDS, account, project=project)
    assert user.has_perm(name, project)

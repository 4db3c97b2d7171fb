"""``/api/v1/members/``: Directory Admins list the account's members, read what each may do (and
where each level comes from), and give them templates, adjustments and privileges."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from integrations import models as m
from permissions.access import can
from permissions.grants import load_member
from permissions.levels import Level, Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.policy import Action
from permissions.templates import TemplateData, template_create
from tenancy.models import Membership
from tests.api.conftest import client_for
from tests.factories import ProjectFactory, grant, member

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/members/"
CPA_REFUSED = "Only a Directory Admin who holds 'Can Push to Accounting' may grant or withdraw it."


def permissions_of(user: Any) -> str:
    return f"{MEMBERS}{user.pk}/permissions/"


@pytest.fixture
def director(account: Any) -> Any:
    return member(account, username="dora", levels={Tool.DIRECTORY: Level.ADMIN})


@pytest.fixture
def api(director: Any, account: Any) -> Any:
    return client_for(director, account)


@pytest.fixture
def worker(account: Any) -> Any:
    user = member(account, username="walt")
    user.first_name, user.last_name = "Walt", "Wood"
    user.save()
    return user


def make(account: Any, actor: Any, name: str, scope: str, **kwargs: Any) -> PermissionTemplate:
    levels = {Tool(t): v for t, v in kwargs.pop("levels", {}).items()}
    data = TemplateData(name=name, scope=TemplateScope(scope), levels=levels, **kwargs)
    return template_create(actor=actor, account=account, data=data)


@pytest.fixture
def office(account: Any, director: Any) -> PermissionTemplate:
    """A company template: Read Only on Budget, Standard on Reports, may create projects."""
    return make(
        account,
        director,
        "Office",
        "company",
        levels={"budget": Level.READ_ONLY, "reports": Level.STANDARD},
        can_create_project=True,
    )


@pytest.fixture
def site(account: Any, director: Any) -> PermissionTemplate:
    """A project template: Admin on Budget."""
    return make(account, director, "Site lead", "project", levels={"budget": Level.ADMIN})


def fresh(user: Any) -> Any:
    return get_user_model().objects.get(pk=user.pk)


def row(rows: list[dict[str, Any]], tool: str) -> dict[str, Any]:
    return next(r for r in rows if r["tool"] == tool)


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_each_member_and_their_company_template(api, account, worker, office):
    assert office.group is not None
    worker.groups.add(office.group)
    response = api.get(MEMBERS)
    assert response.status_code == 200
    rows = {r["username"]: r for r in response.json()["results"]}
    assert set(rows) == {"dora", "walt"}
    assert rows["walt"] == {
        "id": worker.pk,
        "username": "walt",
        "name": "Walt Wood",
        "email": "walt@example.com",
        "is_active": True,
        "company_template": {"id": office.pk, "name": "Office"},
    }
    assert rows["dora"]["company_template"] is None


# --- Reading one member's permissions ------------------------------------------------------------


def test_a_members_permissions_say_where_each_level_comes_from(
    api, account, director, worker, office, site
):
    default = make(account, director, "Everyone", "project", levels={"reports": Level.READ_ONLY})
    PermissionTemplate.objects.filter(pk=default.pk).update(is_default=True)
    first, second = (
        ProjectFactory(account=account, number="P-1"),
        ProjectFactory(account=account, number="P-2"),
    )
    ProjectFactory(account=account, number="P-3")  # nothing of the member's own there
    assert office.group is not None
    worker.groups.add(office.group)
    grant(worker, account, Tool.COMMITMENTS, Level.ADMIN)  # a company adjustment
    body = {"project_templates": [{"project": first.pk, "template": site.pk}]}
    assert api.put(permissions_of(worker), body, format="json").status_code == 200
    grant(worker, account, Tool.INVOICING, Level.STANDARD, project=second)

    response = api.get(permissions_of(worker))
    assert response.status_code == 200
    got = response.json()
    assert got["user"] == worker.pk
    assert got["company_template"] == {"id": office.pk, "name": "Office"}
    assert got["default_project_template"] == {"id": default.pk, "name": "Everyone"}
    assert got["adjustments"] == {"commitments": "admin"}
    assert [r["tool"] for r in got["company"]] == [t.value for t in Tool]
    assert row(got["company"], "budget") == {
        "tool": "budget",
        "tool_label": "Budget",
        "level": "read_only",
        "level_label": "Read Only",
        "source": "company_template",
        "source_label": "Company template",
        "template": {"id": office.pk, "name": "Office"},
    }
    commitments = row(got["company"], "commitments")
    assert (commitments["level"], commitments["source"], commitments["template"]) == (
        "admin",
        "adjustment",
        None,
    )
    assert got["privileges"] == {
        "can_push_to_accounting": False,
        "subscribe_erp_digest": False,
        "can_create_project": False,
        "create_project": {
            "allowed": True,
            "source": "company_template",
            "source_label": "Company template",
            "template": {"id": office.pk, "name": "Office"},
        },
    }
    projects = {p["number"]: p for p in got["projects"]}
    assert list(projects) == ["P-1", "P-2"]
    assert projects["P-1"]["template"] == {"id": site.pk, "name": "Site lead"}
    assert projects["P-1"]["adjustments"] == []
    budget = row(projects["P-1"]["effective"], "budget")
    assert (budget["level"], budget["source"]) == ("admin", "project_template")
    assert projects["P-2"]["template"] is None
    assert projects["P-2"]["adjustments"] == [{"tool": "invoicing", "level": "standard"}]
    on_second = projects["P-2"]["effective"]
    assert row(on_second, "invoicing")["source"] == "adjustment"
    reports = row(on_second, "reports")
    assert (reports["level"], reports["source"], reports["template"]) == (
        "read_only",
        "default_project_template",
        {"id": default.pk, "name": "Everyone"},
    )
    assert "erp_integrations" not in {r["tool"] for r in on_second}  # a company-only tool


def _member_with_projects(account: Any, director: Any, site: Any, count: int) -> Any:
    user = member(account, username=f"many{count}")
    projects = [ProjectFactory(account=account) for _ in range(count)]
    api = client_for(director, account)
    body = {
        "project_templates": [{"project": p.pk, "template": site.pk} for p in projects[::2]],
        "project_adjustments": [
            {"project": p.pk, "tool": "budget", "level": "read_only"} for p in projects[1::2]
        ],
    }
    assert api.put(permissions_of(user), body, format="json").status_code == 200
    return user


def test_reading_and_saving_cost_the_same_queries_for_3_projects_as_for_60(
    api, account, director, site
):
    def count(method: str, user: Any, body: Any = None) -> int:
        api.get(permissions_of(user))  # warm: the token, the permission rows
        with CaptureQueriesContext(connection) as queries:
            response = getattr(api, method)(permissions_of(user), body, format="json")
        assert response.status_code == 200, response.json()
        return len(queries)

    few = _member_with_projects(account, director, site, 3)
    many = _member_with_projects(account, director, site, 60)
    assert len(api.get(permissions_of(many)).json()["projects"]) == 60
    assert count("get", few) == count("get", many)
    change = {"adjustments": {"reports": "standard"}}
    assert count("put", few, change) == count("put", many, change)


# --- Changing them -------------------------------------------------------------------------------


def test_a_put_gives_templates_adjustments_and_privileges(
    api, account, director, worker, office, site
):
    project = ProjectFactory(account=account, number="P-9")
    other = ProjectFactory(account=account, number="P-10")
    commitment = m.Budget.objects.create(account=account, project=other)
    body = {
        "company_template": office.pk,
        "adjustments": {"directory": "admin"},
        "privileges": {"subscribe_erp_digest": True},
        "project_templates": [{"project": project.pk, "template": site.pk}],
        "project_adjustments": [{"project": other.pk, "tool": "budget", "level": "standard"}],
    }
    response = api.put(permissions_of(worker), body, format="json")
    assert response.status_code == 200, response.json()
    got = response.json()
    assert got["company_template"] == {"id": office.pk, "name": "Office"}
    assert got["adjustments"] == {"directory": "admin"}
    assert got["privileges"]["subscribe_erp_digest"] is True
    assert [p["number"] for p in got["projects"]] == ["P-10", "P-9"]
    assert api.get(permissions_of(worker)).json() == got

    user = fresh(worker)
    assert can(user, Action.MANAGE_DIRECTORY, account)
    assert can(user, Action.EDIT_RECORDS, account, obj=commitment)
    assert Membership.objects.get(account=account, user=worker).subscribe_erp_digest
    event = AuditEvent.objects.get(verb="permissions_changed")
    assert event.actor == director
    assert event.data["member"] == "walt"
    changed = {name: new for name, (_, new) in event.data["changed"].items()}
    assert changed["Company template"] == "Office"
    assert changed["Directory"] == "Admin"
    assert changed[f"Budget on project {other.pk}"] == "Standard"
    assert changed["Subscribe to ERP digest emails"] == "Yes"


def test_keys_left_out_keep_what_is_stored(api, account, worker, office, site):
    project, other = ProjectFactory(account=account), ProjectFactory(account=account)
    body = {
        "company_template": office.pk,
        "adjustments": {"commitments": "standard"},
        "privileges": {"can_create_project": True},
        "project_templates": [{"project": project.pk, "template": site.pk}],
        "project_adjustments": [{"project": other.pk, "tool": "budget", "level": "standard"}],
    }
    before = api.put(permissions_of(worker), body, format="json").json()
    response = api.put(
        permissions_of(worker), {"privileges": {"subscribe_erp_digest": True}}, format="json"
    )
    assert response.status_code == 200, response.json()
    after = response.json()
    assert after["privileges"]["subscribe_erp_digest"] is True
    assert {**after, "privileges": {**after["privileges"], "subscribe_erp_digest": False}} == before
    # An empty body changes nothing at all, and writes no audit row.
    events = AuditEvent.objects.count()
    assert api.put(permissions_of(worker), {}, format="json").json() == response.json()
    assert AuditEvent.objects.count() == events


def test_sending_back_what_was_read_changes_nothing(api, account, worker, office, site):
    project = ProjectFactory(account=account)
    setup = {
        "company_template": office.pk,
        "adjustments": {"budget": "none", "reports": "admin"},
        "privileges": {"subscribe_erp_digest": True},
        "project_templates": [{"project": project.pk, "template": site.pk}],
    }
    got = api.put(permissions_of(worker), setup, format="json").json()
    events = AuditEvent.objects.count()
    body = {
        "company_template": got["company_template"]["id"],
        "adjustments": got["adjustments"],
        "privileges": got["privileges"],  # with the read-only create_project, ignored
    }
    response = api.put(permissions_of(worker), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == got
    assert got["adjustments"] == {"budget": "none", "reports": "admin"}
    assert AuditEvent.objects.count() == events


def test_a_null_company_template_takes_it_away(api, account, worker, office):
    assert office.group is not None
    worker.groups.add(office.group)
    response = api.put(permissions_of(worker), {"company_template": None}, format="json")
    assert response.status_code == 200
    assert response.json()["company_template"] is None
    assert load_member(account, worker.pk).company_template is None


def test_empty_lists_take_the_project_templates_and_adjustments_away(api, account, worker, site):
    project = ProjectFactory(account=account)
    body = {
        "project_templates": [{"project": project.pk, "template": site.pk}],
        "project_adjustments": [{"project": project.pk, "tool": "reports", "level": "admin"}],
    }
    assert len(api.put(permissions_of(worker), body, format="json").json()["projects"]) == 1
    response = api.put(
        permissions_of(worker), {"project_templates": [], "project_adjustments": []}, format="json"
    )
    assert response.json()["projects"] == []


@pytest.fixture
def theirs(other_account: Any) -> dict[str, Any]:
    """Another account's project and templates."""
    rival = member(other_account, username="rex", levels={Tool.DIRECTORY: Level.ADMIN})
    return {
        "project": ProjectFactory(account=other_account),
        "company": make(other_account, rival, "Rival office", "company"),
        "project_template": make(other_account, rival, "Rival site", "project"),
    }


BAD = [
    ("company_template", lambda t: {"company_template": 999_999}),
    ("company_template", lambda t: {"company_template": t["company"].pk}),
    ("company_template", lambda t: {"company_template": t["site"].pk}),  # a project template
    ("company_template", lambda t: {"company_template": True}),
    ("adjustments", lambda t: {"adjustments": {"bogus": "admin"}}),
    ("adjustments", lambda t: {"adjustments": {"budget": "boss"}}),
    ("privileges", lambda t: {"privileges": {"subscribe_erp_digest": "often"}}),
    ("project_templates", lambda t: {"project_templates": [{"project": t["mine"].pk}]}),
    (
        "project_templates",
        lambda t: {"project_templates": [{"project": t["project"].pk, "template": t["site"].pk}]},
    ),
    (
        "project_templates",
        lambda t: {
            "project_templates": [{"project": t["mine"].pk, "template": t["project_template"].pk}]
        },
    ),
    (
        "project_templates",
        lambda t: {"project_templates": [{"project": t["mine"].pk, "template": t["office"].pk}]},
    ),
    (
        "project_templates",
        lambda t: {
            "project_templates": [
                {"project": t["mine"].pk, "template": t["site"].pk},
                {"project": t["mine"].pk, "template": t["site"].pk},
            ]
        },
    ),
    (
        "project_adjustments",
        lambda t: {
            "project_adjustments": [
                {"project": t["mine"].pk, "tool": "erp_integrations", "level": "admin"}
            ]
        },
    ),
    (
        "project_adjustments",
        lambda t: {
            "project_adjustments": [
                {"project": t["mine"].pk, "tool": "budget", "level": "admin"},
                {"project": t["mine"].pk, "tool": "budget", "level": "none"},
            ]
        },
    ),
    (
        "project_adjustments",
        lambda t: {
            "project_adjustments": [
                {"project": t["project"].pk, "tool": "budget", "level": "admin"}
            ]
        },
    ),
]


@pytest.mark.parametrize(("field", "body"), BAD)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    api, account, worker, office, site, theirs, field, body
):
    mine = ProjectFactory(account=account)
    setup = {"adjustments": {"reports": "admin"}, "privileges": {"can_create_project": True}}
    before = api.put(permissions_of(worker), setup, format="json").json()
    events = AuditEvent.objects.count()
    sent = body({**theirs, "mine": mine, "site": site, "office": office})
    # Valid changes alongside: none of them is kept either.
    response = api.put(
        permissions_of(worker),
        {"company_template": office.pk, "adjustments": {}, **sent},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == [field], response.json()
    assert api.get(permissions_of(worker)).json() == before
    assert AuditEvent.objects.count() == events


def test_the_messages_say_what_is_wrong(api, account, worker, site, theirs):
    mine = ProjectFactory(account=account, number="P-7")
    response = api.put(
        permissions_of(worker),
        {
            "company_template": 999_999,
            "project_templates": [
                {"project": theirs["project"].pk, "template": site.pk},
                {"project": mine.pk, "template": theirs["project_template"].pk},
            ],
            "project_adjustments": [
                {"project": mine.pk, "tool": "budget", "level": "admin"},
                {"project": mine.pk, "tool": "budget", "level": "none"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "company_template": ["No company template with id 999999 in this account."],
        "project_templates": {
            "0": {"project": [f"No project with id {theirs['project'].pk} in this account."]},
            "1": {
                "template": [
                    f"No project template with id {theirs['project_template'].pk} in this account."
                ]
            },
        },
        "project_adjustments": {
            "1": {"project": ["Project P-7 Budget is given twice: give it once."]}
        },
    }


def test_a_company_only_tool_is_refused_on_a_project(api, account, worker):
    project = ProjectFactory(account=account)
    body = {"project_adjustments": [{"project": project.pk, "tool": "erp_integrations"}]}
    response = api.put(permissions_of(worker), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "project_adjustments": {
            "0": {
                "tool": [
                    "'erp_integrations' is not a project tool: one of directory, project_admin, "
                    "budget, prime_contracts, commitments, change_orders, invoicing, "
                    "direct_costs, reports (the others are granted for the whole company only)."
                ],
                "level": ["This field is required."],
            }
        }
    }


# --- Can Push to Accounting ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False])
def test_only_a_directory_admin_holding_cpa_changes_it(api, account, director, value):
    target = member(account, username="ace", can_push_to_accounting=not value)
    response = api.put(
        permissions_of(target), {"privileges": {"can_push_to_accounting": value}}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": CPA_REFUSED}
    assert Membership.objects.get(user=target).can_push_to_accounting is (not value)
    assert not AuditEvent.objects.filter(verb="permissions_changed").exists()

    holder = member(
        account, username="cpa", levels={Tool.DIRECTORY: Level.ADMIN}, can_push_to_accounting=True
    )
    response = client_for(holder, account).put(
        permissions_of(target), {"privileges": {"can_push_to_accounting": value}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["privileges"]["can_push_to_accounting"] is value
    assert Membership.objects.get(user=target).can_push_to_accounting is value


def test_sending_cpa_unchanged_is_not_a_change_of_it(api, account):
    target = member(account, username="ace", can_push_to_accounting=True)
    body = {"privileges": {"can_push_to_accounting": True, "subscribe_erp_digest": True}}
    response = api.put(permissions_of(target), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["privileges"]["subscribe_erp_digest"] is True


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [("get", "list"), ("get", "one"), ("put", "one")])
def test_members_who_are_not_directory_admins_get_a_403(account, worker, method, path):
    levels = {tool: Level.ADMIN for tool in Tool if tool is not Tool.DIRECTORY}
    other = member(account, username="erp", levels=levels, can_push_to_accounting=True)
    url = MEMBERS if path == "list" else permissions_of(worker)
    body = {"adjustments": {"directory": "admin"}}
    response = getattr(client_for(other, account), method)(url, body, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to manage directory."}
    assert load_member(account, worker.pk).company[Tool.DIRECTORY].level == Level.NONE


@pytest.mark.parametrize("method", ["get", "put"])
def test_someone_not_in_the_account_is_a_404(api, account, other_account, method):
    stranger = member(other_account, username="stan")
    response = getattr(api, method)(permissions_of(stranger), {"adjustments": {}}, format="json")
    assert response.status_code == 404
    for unknown in (999_999, 2**64):  # the second is beyond any id a database holds
        assert api.get(f"{MEMBERS}{unknown}/permissions/").status_code == 404
    assert "stan" not in str(api.get(MEMBERS).json())


def test_a_directory_admin_of_another_account_is_a_404(account, other_account, worker):
    outsider = member(other_account, username="out", levels={Tool.DIRECTORY: Level.ADMIN})
    client = client_for(outsider, account)
    assert client.get(MEMBERS).status_code == 404
    assert client.get(permissions_of(worker)).status_code == 404
    response = client.put(
        permissions_of(worker), {"adjustments": {"directory": "admin"}}, format="json"
    )
    assert response.status_code == 404
    assert load_member(account, worker.pk).company[Tool.DIRECTORY].level == Level.NONE


def test_a_body_nested_too_deeply_is_a_400(api, worker):
    body = '{"adjustments":' * 1000 + "{}" + "}" * 1000
    response = api.put(permissions_of(worker), body, content_type="application/json")
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "The JSON body is nested too deeply."},
    )

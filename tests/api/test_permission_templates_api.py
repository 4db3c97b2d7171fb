"""``/api/v1/permission-templates/``: Directory Admins make, read, change and delete the
account's permission templates; a change reaches every holder at once; everything is audited;
nobody else gets in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from integrations import models as m
from permissions.access import can
from permissions.levels import Level, Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.policy import Action
from permissions.templates import TemplateData, holder_count, template_create
from tests.api.conftest import client_for
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/v1/permission-templates/"
ALL_NONE = {tool.value: "none" for tool in Tool}
PROJECT_TOOLS = [t.value for t in Tool if t is not Tool.ERP_INTEGRATIONS]


def one(pk: int) -> str:
    return f"{TEMPLATES}{pk}/"


@pytest.fixture
def director(account: Any) -> Any:
    """A Directory Admin (Admin on the company Directory tool, nothing else)."""
    return member(account, username="dora", levels={Tool.DIRECTORY: Level.ADMIN})


@pytest.fixture
def api(director: Any, account: Any) -> Any:
    return client_for(director, account)


def make(account: Any, actor: Any, name: str, scope: str, **levels: Level) -> PermissionTemplate:
    data = TemplateData(
        name=name, scope=TemplateScope(scope), levels={Tool(t): v for t, v in levels.items()}
    )
    return template_create(actor=actor, account=account, data=data)


def fresh(user: Any) -> Any:
    """The user read again: nothing cached on the object from before."""
    return get_user_model().objects.get(pk=user.pk)


def verbs(account: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(account=account).order_by("pk").values_list("verb", flat=True)
    )


# --- Making and reading ------------------------------------------------------------------------


def test_a_directory_admin_makes_a_company_template_and_reads_it_back(api, account):
    body = {
        "name": "Field Engineer",
        "scope": "company",
        "levels": {"budget": "read_only", "commitments": "standard"},
        "can_create_project": True,
    }
    response = api.post(TEMPLATES, body, format="json")
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["name"] == "Field Engineer"
    assert made["scope"] == "company"
    assert made["levels"] == {**ALL_NONE, "budget": "read_only", "commitments": "standard"}
    assert made["can_create_project"] is True
    assert made["is_default"] is False
    assert made["holders"] == 0
    assert made["updated_at"]
    template = PermissionTemplate.objects.get(pk=made["id"], account=account)
    assert template.level_of(Tool.COMMITMENTS) == Level.STANDARD
    assert template.group is not None  # its holders are a group's members

    assert api.get(one(made["id"])).json() == made
    listed = api.get(TEMPLATES).json()
    assert [row["name"] for row in listed["results"]] == ["Field Engineer"]
    assert verbs(account) == ["permission_template_created"]


def test_a_project_template_names_only_project_tools(api):
    response = api.post(
        TEMPLATES,
        {"name": "Superintendent", "scope": "project", "levels": {"budget": "admin"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert list(response.json()["levels"]) == PROJECT_TOOLS
    assert response.json()["levels"]["budget"] == "admin"


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ({"bogus": "admin"}, "'bogus' is not a tool: one of erp_integrations, directory,"),
        (
            {"budget": "boss"},
            "budget: 'boss' is not a level: one of none, read_only, standard, admin.",
        ),
        ({"budget": 3}, "budget: '3' is not a level"),
        (["budget"], 'Give an object of levels by tool, e.g. {"budget": "standard"}.'),
    ],
)
def test_an_unknown_tool_or_level_is_a_400_naming_it(api, account, levels, message):
    response = api.post(
        TEMPLATES, {"name": "Odd", "scope": "company", "levels": levels}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["levels"]
    assert errors["levels"][0].startswith(message)
    assert not PermissionTemplate.objects.filter(account=account).exists()
    assert verbs(account) == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "  ", "scope": "company"}, "name", "This field may not be blank."),
        ({"name": "X", "scope": "team"}, "scope", '"team" is not a valid choice.'),
        (
            {"name": "X", "scope": "project", "levels": {"erp_integrations": "admin"}},
            "levels",
            "ERP Integrations is granted for the whole company only, not by a project template.",
        ),
        (
            {"name": "X", "scope": "project", "can_create_project": True},
            "can_create_project",
            "'Create New Project' is a company permission.",
        ),
        (
            {"name": "X", "scope": "company", "is_default": True},
            "is_default",
            "Only a project template can be the default.",
        ),
    ],
)
def test_what_the_service_refuses_is_a_400_on_its_field(api, account, body, field, message):
    response = api.post(TEMPLATES, body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not PermissionTemplate.objects.filter(account=account).exists()


def test_a_name_taken_in_the_scope_is_refused(api, account, director):
    make(account, director, "Estimator", "company")
    response = api.post(TEMPLATES, {"name": "Estimator", "scope": "company"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["There is already a company template 'Estimator'."]}
    # The same name is free in the other scope.
    assert (
        api.post(TEMPLATES, {"name": "Estimator", "scope": "project"}, format="json").status_code
        == 201
    )


# --- Changing ----------------------------------------------------------------------------------


def test_the_scope_cannot_change(api, account, director):
    template = make(account, director, "Estimator", "company")
    response = api.patch(one(template.pk), {"scope": "project"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"scope": ["A template's scope cannot change: make a new template."]}
    template.refresh_from_db()
    assert template.scope == TemplateScope.COMPANY


def test_put_replaces_and_patch_changes_only_what_is_sent(api, account, director):
    template = make(
        account, director, "Estimator", "company", budget=Level.ADMIN, reports=Level.READ_ONLY
    )
    response = api.patch(one(template.pk), {"name": "Senior Estimator"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["levels"]["budget"] == "admin"  # untouched
    response = api.put(
        one(template.pk),
        {"name": "Senior Estimator", "scope": "company", "levels": {"commitments": "standard"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["levels"] == {**ALL_NONE, "commitments": "standard"}
    assert api.put(one(template.pk), {"name": "No scope"}, format="json").status_code == 400
    change = AuditEvent.objects.filter(verb="permission_template_changed").order_by("pk").last()
    assert change is not None and change.item_id == template.pk
    assert change.data["changed"]["Budget"] == ["Admin", "None"]
    assert change.data["changed"]["Commitments"] == ["None", "Standard"]


def test_a_change_reaches_every_holder_of_a_company_template(api, account, director):
    template = make(account, director, "Office Manager", "company", directory=Level.READ_ONLY)
    holders = [member(account, username=f"holder{i}") for i in range(2)]
    assert template.group is not None
    for user in holders:
        user.groups.add(template.group)
    assert not any(can(fresh(u), Action.MANAGE_DIRECTORY, account) for u in holders)

    response = api.patch(one(template.pk), {"levels": {"directory": "admin"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["holders"] == 2
    assert all(can(fresh(u), Action.MANAGE_DIRECTORY, account) for u in holders)
    event = AuditEvent.objects.get(verb="permission_template_changed")
    assert event.data["changed"]["Directory"] == ["Read Only", "Admin"]
    assert event.actor == director


def test_a_change_reaches_every_holder_of_a_project_template(api, account, director):
    project = ProjectFactory(account=account)
    budget = m.Budget.objects.create(account=account, project=project)
    template = make(account, director, "Project Engineer", "project", budget=Level.READ_ONLY)
    holders = [member(account, username=f"pe{i}") for i in range(2)]
    for user in holders:
        response = api.put(
            f"/api/v1/members/{user.pk}/permissions/",
            {"project_templates": [{"project": project.pk, "template": template.pk}]},
            format="json",
        )
        assert response.status_code == 200, response.json()
    assert all(can(fresh(u), Action.VIEW_RECORDS, account, obj=budget) for u in holders)
    assert not any(can(fresh(u), Action.EDIT_RECORDS, account, obj=budget) for u in holders)

    response = api.patch(one(template.pk), {"levels": {"budget": "standard"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["holders"] == 2
    assert all(can(fresh(u), Action.EDIT_RECORDS, account, obj=budget) for u in holders)


def test_a_new_default_takes_the_mark_from_the_old(api, account, director):
    old = make(account, director, "Everyone", "project")
    assert api.patch(one(old.pk), {"is_default": True}, format="json").json()["is_default"] is True
    new = api.post(
        TEMPLATES, {"name": "Viewer", "scope": "project", "is_default": True}, format="json"
    )
    assert new.status_code == 201
    assert api.get(one(old.pk)).json()["is_default"] is False


def test_holders_are_counted_as_the_service_counts_them(api, account, director):
    company = make(account, director, "Office", "company")
    project = make(account, director, "Site", "project")
    nobody = make(account, director, "Unused", "project")
    projects = [ProjectFactory(account=account) for _ in range(2)]
    for i in range(3):
        user = member(account, username=f"h{i}")
        assert company.group is not None
        user.groups.add(company.group)
        body = {
            "project_templates": [
                {"project": p.pk, "template": project.pk} for p in projects[: i % 2 + 1]
            ]
        }
        assert (
            api.put(f"/api/v1/members/{user.pk}/permissions/", body, format="json").status_code
            == 200
        )
    counted = {row["name"]: row["holders"] for row in api.get(TEMPLATES).json()["results"]}
    assert counted == {"Office": 3, "Site": 3, "Unused": 0}
    assert counted == {t.name: holder_count(t) for t in (company, project, nobody)}


# --- Deleting ----------------------------------------------------------------------------------


def test_a_template_no_one_holds_is_deleted(api, account, director):
    template = make(account, director, "Temporary", "company")
    assert api.delete(one(template.pk)).status_code == 204
    assert not PermissionTemplate.objects.filter(pk=template.pk).exists()
    assert verbs(account) == ["permission_template_created", "permission_template_deleted"]
    assert api.get(one(template.pk)).status_code == 404


def test_a_held_template_is_not_deleted_409(api, account, director):
    template = make(account, director, "Office", "company")
    assert template.group is not None
    member(account, username="holder").groups.add(template.group)
    response = api.delete(one(template.pk))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "'Office' is held by 1 member: give them another template first."
    }
    assert PermissionTemplate.objects.filter(pk=template.pk).exists()
    assert "permission_template_deleted" not in verbs(account)


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "detail", "body"),
    [
        ("get", False, None),
        ("post", False, {"name": "Mine", "scope": "company"}),
        ("get", True, None),
        ("put", True, {"name": "Mine", "scope": "company"}),
        ("patch", True, {"levels": {"directory": "admin"}}),
        ("delete", True, None),
    ],
)
def test_members_who_are_not_directory_admins_get_a_403(account, director, method, detail, body):
    template = make(account, director, "Office", "company")
    # Admin on every tool but the Directory, and every privilege.
    levels = {tool: Level.ADMIN for tool in Tool if tool is not Tool.DIRECTORY}
    other = member(
        account,
        username="erp",
        levels={**levels, Tool.DIRECTORY: Level.STANDARD},
        can_push_to_accounting=True,
    )
    path = one(template.pk) if detail else TEMPLATES
    response = getattr(client_for(other, account), method)(path, body, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to manage directory."}
    template.refresh_from_db()
    assert (template.name, template.levels) == ("Office", {})
    assert PermissionTemplate.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_accounts_template_is_a_404(api, account, other_account, method):
    rival_admin = member(other_account, username="rex", levels={Tool.DIRECTORY: Level.ADMIN})
    theirs = make(other_account, rival_admin, "Rival office", "company")
    body = {"name": "Taken", "scope": "company"}
    response = getattr(api, method)(one(theirs.pk), body, format="json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Rival office"
    assert "Rival office" not in str(api.get(TEMPLATES).json())
    assert getattr(api, method)(one(2**64), body, format="json").status_code == 404


def test_a_member_of_another_account_is_a_404(account, other_account, director):
    template = make(account, director, "Office", "company")
    outsider = member(other_account, username="out", levels={Tool.DIRECTORY: Level.ADMIN})
    client = client_for(outsider, account)
    assert client.get(TEMPLATES).status_code == 404
    assert client.get(one(template.pk)).status_code == 404

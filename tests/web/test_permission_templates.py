"""Permission templates in the Directory's pages: a Directory Admin makes, changes and deletes
company and project templates; a change reaches every holder at once; a member's page says
what they may do and where each level comes from."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permissions.access import can
from permissions.levels import Level, Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.policy import Action
from permissions.services import ProjectTemplate, member_permissions_set
from permissions.templates import seed_templates
from tenancy.models import Membership
from tests.factories import ProjectFactory, grant, member
from tests.web.test_pages import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(account):
    return member(account, username="diradmin", levels={Tool.DIRECTORY: Level.ADMIN})


def url(name: str, account: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


def words(html: str) -> str:
    """The page's text, tags out, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def template_form(name: str, levels: dict[Tool, Level], **flags: bool) -> dict[str, object]:
    data: dict[str, object] = {"name": name}
    data.update({f"level_{t.value}": int(levels.get(t, Level.NONE)) for t in Tool})
    data.update({flag: "on" for flag, on in flags.items() if on})
    return data


def company_template(account: Any, name: str, levels: dict[Tool, Level]) -> PermissionTemplate:
    return seed_templates(account, TemplateScope.COMPANY, {name: levels})[name]


def project_template(account: Any, name: str, levels: dict[Tool, Level], **flags: bool) -> Any:
    return seed_templates(account, TemplateScope.PROJECT, {name: levels}, **flags)[name]


def holder(account: Any, template: PermissionTemplate, username: str) -> Any:
    user = member(account, username=username)
    user.groups.add(template.group_id)
    return user


def fresh(user: Any) -> Any:
    """The user read again: nothing remembered from an earlier question."""
    return get_user_model().objects.get(pk=user.pk)


def test_an_admin_creates_a_company_template_and_sees_it_listed(account, admin):
    client = login(admin)
    response = client.post(
        url("directory-template-new", account, scope="company"),
        template_form(
            "Accounting",
            {Tool.COMMITMENTS: Level.STANDARD, Tool.ERP_INTEGRATIONS: Level.READ_ONLY},
            can_create_project=True,
        ),
        follow=True,
    )
    assert response.status_code == 200
    text = words(response.text)
    assert "Company template “Accounting” saved. Changes apply to every holder (0 members)." in text
    # Create New Project, members, then the level per tool (ERP Integrations, Directory...).
    assert "Accounting Yes 0 Read Only None None None None Standard None" in text, text
    template = PermissionTemplate.objects.get(account=account, name="Accounting")
    assert template.scope == TemplateScope.COMPANY and template.can_create_project is True


def test_a_project_template_offers_project_tools_only_and_can_be_the_default(account, admin):
    project_template(account, "Field", {Tool.BUDGET: Level.READ_ONLY}, is_default=True)
    client = login(admin)
    page = client.get(url("directory-template-new", account, scope="project"))
    assert 'name="level_budget"' in page.text and 'name="level_erp_integrations"' not in page.text
    assert "Create New Project" not in page.text and "Default project template" in page.text
    response = client.post(
        url("directory-template-new", account, scope="project"),
        template_form("Superintendent", {Tool.BUDGET: Level.ADMIN}, is_default=True),
        follow=True,
    )
    listing = words(response.text)
    # Directory, Project Admin, Budget...: the project tools, Budget third.
    assert re.search(r"Superintendent Default 0 None None Admin( None){6}", listing), listing
    assert re.search(r"Field No 0 None None Read Only( None){6}", listing), listing


def test_a_template_change_reaches_every_holder_at_once(account, admin):
    template = company_template(account, "Project Manager", {Tool.DIRECTORY: Level.STANDARD})
    first, second = holder(account, template, "pm1"), holder(account, template, "pm2")
    assert not can(fresh(first), Action.MANAGE_DIRECTORY, account)
    client = login(admin)
    edit = url("directory-template", account, template=template.pk)
    page = client.get(edit)
    assert "Held by 2 members." in words(page.text)

    response = client.post(
        edit, template_form("Project Manager", {Tool.DIRECTORY: Level.ADMIN}), follow=True
    )

    assert "saved. Changes apply to every holder (2 members)." in words(response.text)
    assert can(fresh(first), Action.MANAGE_DIRECTORY, account)
    assert can(fresh(second), Action.MANAGE_DIRECTORY, account)


def test_errors_are_shown_next_to_their_field(account, admin):
    company_template(account, "Accounting", {})
    client = login(admin)
    response = client.post(
        url("directory-template-new", account, scope="company"), template_form("Accounting", {})
    )
    assert response.status_code == 400
    error = re.search(r'<small class="error" id="id_name-error">([^<]*)</small>', response.text)
    assert (
        error is not None
        and error.group(1) == "There is already a company template &#x27;Accounting&#x27;."
    )
    assert 'value="Accounting"' in response.text  # what was typed is kept
    blank = client.post(
        url("directory-template-new", account, scope="company"), template_form("", {})
    )
    assert blank.status_code == 400 and 'id="id_name-error">This field is required.' in blank.text
    assert PermissionTemplate.objects.filter(account=account).count() == 1


def test_a_template_no_one_holds_is_deleted_a_held_one_says_why_not(account, admin):
    unused = company_template(account, "Estimator", {})
    held = company_template(account, "Accounting", {})
    holder(account, held, "accountant")
    client = login(admin)

    refused = client.post(url("directory-template-delete", account, template=held.pk))

    assert refused.status_code == 400
    reason = "'Accounting' is held by 1 member: give them another template first."
    assert reason in words(refused.text)
    assert 'role="alert"' in refused.text
    deleted = client.post(url("directory-template-delete", account, template=unused.pk))
    assert deleted.status_code == 302
    assert list(PermissionTemplate.objects.values_list("name", flat=True)) == ["Accounting"]


def test_non_admins_are_refused(account):
    template = company_template(account, "Accounting", {})
    standard = member(account, levels={Tool.DIRECTORY: Level.STANDARD})
    client = login(standard)
    for page in (
        url("directory-templates", account),
        url("directory-template-new", account, scope="company"),
        url("directory-template", account, template=template.pk),
    ):
        assert client.get(page).status_code == 403
    delete = url("directory-template-delete", account, template=template.pk)
    assert client.post(delete).status_code == 403
    edit = url("directory-template", account, template=template.pk)
    assert client.post(edit, template_form("Renamed", {})).status_code == 403
    assert PermissionTemplate.objects.get().name == "Accounting"


def test_another_accounts_template_is_404(account, other_account, admin):
    theirs = company_template(other_account, "Accounting", {})
    client = login(admin)
    assert client.get(url("directory-template", account, template=theirs.pk)).status_code == 404
    delete = url("directory-template-delete", account, template=theirs.pk)
    assert client.post(delete).status_code == 404
    assert client.get(url("directory-template-new", account, scope="team")).status_code == 404
    assert PermissionTemplate.objects.filter(pk=theirs.pk).exists()


def test_the_member_page_shows_each_effective_level_and_its_source(account, admin):
    accounting = company_template(account, "Accounting", {Tool.COMMITMENTS: Level.STANDARD})
    site = project_template(account, "Superintendent", {Tool.COMMITMENTS: Level.ADMIN})
    target = holder(account, accounting, "accountant")
    grant(target, account, Tool.BUDGET, Level.READ_ONLY)
    tower = ProjectFactory(account=account, number="P-100", name="Tower")
    member_permissions_set(
        actor=admin,
        account=account,
        membership=Membership.objects.get(user=target),
        levels={Tool.BUDGET: Level.READ_ONLY},
        privileges={},
        project_grants=[],
        project_templates=[ProjectTemplate(tower, site)],
    )
    client = login(admin)
    page = url("directory-member", account, user_id=target.pk)

    text = words(client.get(page).text)

    section = text[text.index("Effective permissions") :]
    commitments = re.search(r"Commitments (.*?) Change Orders", section)
    assert commitments is not None
    assert commitments.group(1) == (
        "Standard Company template: Accounting "  # the company
        "Admin Project template: Superintendent "  # on Tower
        "Standard Company level"  # on the other projects
    )
    assert re.search(r"Budget Read Only Adjustment None Project template", section)
    assert re.search(
        r"ERP Integrations None Company template: Accounting Company-wide only", section
    )

    project_template(account, "Field", {Tool.COMMITMENTS: Level.READ_ONLY}, is_default=True)
    text = words(client.get(page).text)
    assert "Read Only Default project template: Field" in text


def queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_directory_costs_the_same_queries_whatever_the_members_and_projects(account, admin):
    client = login(admin)
    listing = url("directory", account)
    accounting = company_template(account, "Accounting", {Tool.BUDGET: Level.STANDARD})
    holder(account, accounting, "first")
    queries(client, listing)  # warm the session and the content types
    before = queries(client, listing)
    for i in range(6):
        user = holder(account, accounting, f"member{i}")
        project = ProjectFactory(account=account)
        grant(user, account, Tool.BUDGET, Level.ADMIN, project=project)
        grant(user, account, Tool.REPORTS, Level.READ_ONLY)
    assert queries(client, listing) == before


def test_the_member_page_costs_the_same_queries_whatever_their_projects(account, admin):
    site = project_template(account, "Superintendent", {Tool.BUDGET: Level.ADMIN})
    target = member(account, username="target")
    client = login(admin)
    page = url("directory-member", account, user_id=target.pk)
    queries(client, page)
    before = queries(client, page)
    projects = [ProjectFactory(account=account) for _ in range(5)]
    member_permissions_set(
        actor=admin,
        account=account,
        membership=Membership.objects.get(user=target),
        levels={},
        privileges={},
        project_grants=[],
        project_templates=[ProjectTemplate(p, site) for p in projects],
    )
    for project in projects:
        grant(target, account, Tool.REPORTS, Level.READ_ONLY, project=project)
    assert queries(client, page) == before

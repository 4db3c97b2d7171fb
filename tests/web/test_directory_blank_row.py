"""A member's page is saved as the browser sends it: the always-present empty rows of *Project
templates* and *Project adjustments* post their lists' first choices, and must add nothing
rather than refuse the whole form."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from permissions.grants import Source, load_member
from permissions.levels import Level, Tool
from permissions.models import TemplateScope
from permissions.templates import seed_templates
from tenancy.models import Membership
from tests.factories import ProjectFactory, member
from tests.web.test_pages import login


class FormValues(HTMLParser):
    """What a browser submits for the page's POST form with nothing touched: each input's
    value (ticked boxes only), each list's selected option or else its first one."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.in_form = False
        self.select: str | None = None
        self.first: str | None = None
        self.chosen: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method") == "post":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("name") and "disabled" not in a:
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.values[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and "disabled" not in a:
            self.select, self.first, self.chosen = a.get("name"), None, None
        elif tag == "option" and self.select:
            if self.first is None:
                self.first = a.get("value", "")
            if "selected" in a:
                self.chosen = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select:
            self.values[self.select] = self.chosen if self.chosen is not None else self.first or ""
            self.select = None
        elif tag == "form":
            self.in_form = False


def page_form(text: str) -> dict[str, str]:
    parser = FormValues()
    parser.feed(text)
    return parser.values


def directory_admin(account):
    return member(
        account,
        username="diradmin",
        levels={Tool.DIRECTORY: Level.ADMIN},
        can_push_to_accounting=True,
    )


@pytest.mark.django_db
def test_granting_can_push_with_the_empty_project_rows_untouched(account):
    admin = directory_admin(account)
    target = member(account, username="accountant", levels={Tool.COMMITMENTS: Level.STANDARD})
    ProjectFactory(account=account)  # the empty rows' project lists have something to choose
    seed_templates(account, TemplateScope.PROJECT, {"Superintendent": {Tool.BUDGET: Level.ADMIN}})
    client = login(admin)
    url = reverse("directory-member", kwargs={"account": account.slug, "user_id": target.pk})
    data = page_form(client.get(url).text)
    assert data["grants-TOTAL_FORMS"] == "1" and data["grants-0-project"] == ""
    assert data["grants-0-tool"] and data["grants-0-level"]  # a browser posts the first choice
    assert data["templates-TOTAL_FORMS"] == "1" and data["templates-0-project"] == ""
    assert data["templates-0-template"] == ""
    data["priv_can_push_to_accounting"] = "on"

    response = client.post(url, data)

    assert response.status_code == 302, response.text
    assert Membership.objects.get(user=target).can_push_to_accounting is True
    held = load_member(account, target.pk)
    assert held.projects == {}
    # The rest of the page is kept as it was: the company adjustment stays one.
    assert held.company[Tool.COMMITMENTS].level == Level.STANDARD
    assert held.company[Tool.COMMITMENTS].source == Source.ADJUSTMENT


@pytest.mark.django_db
def test_a_started_project_row_without_a_project_still_names_the_field(account):
    admin = directory_admin(account)
    target = member(account, username="accountant")
    project = ProjectFactory(account=account)
    client = login(admin)
    url = reverse("directory-member", kwargs={"account": account.slug, "user_id": target.pk})
    data = page_form(client.get(url).text)
    data["grants-0-project"] = str(project.pk)
    data["grants-0-level"] = str(int(Level.ADMIN))
    assert client.post(url, data).status_code == 302
    adjusted = load_member(account, target.pk).projects[project.pk].adjustments
    assert list(adjusted.values()) == [Level.ADMIN]
    # The saved row is now an initial row: emptying its project is an error, not a removal.
    data = page_form(client.get(url).text)
    assert data["grants-TOTAL_FORMS"] == "2"
    data["grants-0-project"] = ""
    response = client.post(url, data)
    assert response.status_code == 400
    assert "This field is required." in response.text

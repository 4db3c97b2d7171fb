"""*Add a Procore Project to your ERP System* (seed row: Standard or Admin on the ERP
Integrations tool): besides Admin on the project's own Admin tool (*Send, Retrieve, or Resend
Items*), users of the ERP tool at the levels that row allows send a project they can see to
the ERP for acceptance, from its page and through the API. The row is about projects only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from approvals.models import ExportRequest
from demo.seed import seed_demo
from integrations import models as m
from permissions.levels import Level, Tool
from tests.api.conftest import client_for
from tests.factories import member
from tests.permissions.seed_matrix import BY_ACTION

pytestmark = pytest.mark.django_db
ROW = BY_ACTION["add_project_to_erp"]
LEVELS = (Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN)


@pytest.fixture
def demo(db):
    return seed_demo()


def erp_user(account, level: Level, project_admin: Level = Level.READ_ONLY):
    """At ``level`` on the ERP tool; sees the projects (Read Only on Project Admin) and the
    commitments, with no right to send either by their own tools."""
    return member(
        account,
        levels={
            Tool.ERP_INTEGRATIONS: level,
            Tool.PROJECT_ADMIN: project_admin,
            Tool.COMMITMENTS: Level.READ_ONLY,
        },
    )


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send_url(account, item_type: str, item) -> str:
    return reverse(
        "export-send", kwargs={"account": account.slug, "item_type": item_type, "item_id": item.pk}
    )


def project_page(account, project) -> str:
    return reverse(
        "record-detail", kwargs={"account": account.slug, "kind": "projects", "pk": project.pk}
    )


def unsent_project(account) -> m.Project:
    return m.Project.objects.filter(account=account, erp_state="unsent").order_by("pk").first()


@pytest.mark.parametrize("level", LEVELS)
def test_the_erp_tool_levels_of_the_row_send_a_project_from_its_page(demo, level):
    project, user = unsent_project(demo), erp_user(demo, level)
    allowed = level in ROW.erp_levels
    page = browser(user).get(project_page(demo, project))
    assert (send_url(demo, "project", project) in page.text) is allowed
    answer = browser(user).post(send_url(demo, "project", project))
    assert answer.status_code == (302 if allowed else 403)
    sent = ExportRequest.objects.filter(account=demo, item_type="project", item_id=project.pk)
    assert sent.exists() is allowed
    if allowed:
        assert sent.get().sent_by == user and sent.get().state == "pending"


@pytest.mark.parametrize("level", LEVELS)
def test_the_api_answers_the_same(demo, level):
    project = unsent_project(demo)
    client = client_for(erp_user(demo, level), demo)
    answer = client.post(
        "/api/v1/export-requests/",
        {"item_type": "project", "item_id": project.pk},
        format="json",
    )
    assert answer.status_code == (201 if level in ROW.erp_levels else 403), answer.json()


def test_the_row_is_about_projects_only(demo):
    """An ERP admin who is not Admin on Commitments does not send a commitment."""
    commitment = m.Commitment.objects.filter(account=demo, erp_state="unsent").first()
    admin = erp_user(demo, Level.ADMIN)
    assert browser(admin).post(send_url(demo, "commitment", commitment)).status_code == 403
    api = client_for(admin, demo)
    refused = api.post(
        "/api/v1/export-requests/",
        {"item_type": "commitment", "item_id": commitment.pk},
        format="json",
    )
    assert refused.status_code == 403


def test_a_project_the_user_cannot_see_is_not_found(demo):
    project = unsent_project(demo)
    blind = erp_user(demo, Level.ADMIN, project_admin=Level.NONE)
    assert browser(blind).post(send_url(demo, "project", project)).status_code == 404
    api = client_for(blind, demo)
    answer = api.post(
        "/api/v1/export-requests/", {"item_type": "project", "item_id": project.pk}, format="json"
    )
    assert answer.status_code in (403, 404)
    assert not ExportRequest.objects.filter(item_type="project", item_id=project.pk).exists()

"""The web UI: every record page renders for a user who may see it, and only for them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.kinds import kinds
from integrations.models import Commitment, ErpState, Project
from permissions.levels import Level, Tool
from tests.factories import (
    CommitmentFactory,
    CommitmentLineItemFactory,
    CompanyFactory,
    CostCodeFactory,
    ProjectFactory,
    member,
)
from tests.factories import signed_in as login

ALL_TOOLS = dict.fromkeys(Tool, Level.ADMIN)
READ_ONLY = dict.fromkeys(Tool, Level.READ_ONLY)


def url(name: str, account, **kwargs) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


@pytest.fixture
def commitment(account):
    c = CommitmentFactory(account=account)
    CommitmentLineItemFactory(commitment=c, amount="1000.00")
    return c


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [k for k in kinds() if k.web], ids=lambda k: k.key)
def test_every_list_and_form_renders_for_an_admin(account, commitment, kind):
    client = login(member(account, levels=ALL_TOOLS))
    assert client.get(url("record-list", account, kind=kind.key)).status_code == 200
    create = client.get(url("record-create", account, kind=kind.key))
    assert create.status_code == (200 if kind.web.editable and kind.creatable else 404)


@pytest.mark.django_db
def test_commitment_list_detail_and_search(account, commitment):
    CommitmentFactory(account=account, title="Drywall and framing")
    client = login(member(account, levels=READ_ONLY))
    page = client.get(url("record-list", account, kind="commitments"), {"q": "drywall"})
    assert "Drywall and framing" in page.text
    assert commitment.title not in page.text
    detail = client.get(url("record-detail", account, kind="commitments", pk=commitment.pk))
    assert detail.status_code == 200
    assert "1,000.00" in detail.text
    assert "Not sent" in detail.text
    # Read Only: no edit button, and a forged edit is refused.
    assert "/edit/" not in detail.text
    edit = url("record-edit", account, kind="commitments", pk=commitment.pk)
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"title": "Hijacked"}).status_code == 403


@pytest.mark.django_db
def test_foreign_account_records_are_404(account, other_account):
    theirs = CommitmentFactory(account=other_account)
    client = login(member(account, levels=ALL_TOOLS))
    assert (
        client.get(url("record-detail", account, kind="commitments", pk=theirs.pk)).status_code
        == 404
    )
    assert client.get(url("record-list", other_account, kind="commitments")).status_code == 404


@pytest.mark.django_db
def test_user_without_tool_gets_403_and_no_tab(account, commitment):
    client = login(member(account, levels={Tool.DIRECTORY: Level.READ_ONLY}))
    assert client.get(url("record-list", account, kind="commitments")).status_code == 403
    home = client.get(url("account-home", account))
    assert "Commitments" not in home.text
    assert "Companies" in home.text


@pytest.mark.django_db
def test_create_commitment_with_lines(account):
    project = ProjectFactory(account=account)
    vendor = CompanyFactory(account=account)
    code = CostCodeFactory(account=account, project=project)
    user = member(account, levels=ALL_TOOLS)
    client = login(user)
    data = {
        "project": project.pk,
        "kind": "subcontract",
        "number": "SC-900",
        "title": "Roofing",
        "vendor": vendor.pk,
        "status": "approved",
        "retainage_percent": "10",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-position": "1",
        "lines-0-description": "Membrane roof",
        "lines-0-cost_code": code.pk,
        "lines-0-amount": "48250.00",
    }
    response = client.post(url("record-create", account, kind="commitments"), data)
    assert response.status_code == 302, response.text
    created = Commitment.objects.get(number="SC-900")
    assert created.account == account and created.created_by == user
    assert [str(line.amount) for line in created.lines.all()] == ["48250.00"]


@pytest.mark.django_db
def test_create_refuses_another_accounts_vendor(account, other_account):
    project = ProjectFactory(account=account)
    foreign_vendor = CompanyFactory(account=other_account)
    client = login(member(account, levels=ALL_TOOLS))
    data = {
        "project": project.pk,
        "kind": "subcontract",
        "number": "SC-1",
        "title": "X",
        "vendor": foreign_vendor.pk,
        "status": "draft",
        "retainage_percent": "0",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    response = client.post(url("record-create", account, kind="commitments"), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not Commitment.objects.filter(number="SC-1").exists()


@pytest.mark.django_db
def test_locked_fields_cannot_change_while_pending(account, commitment):
    Commitment.objects.filter(pk=commitment.pk).update(erp_state=ErpState.PENDING)
    client = login(member(account, levels=ALL_TOOLS))
    edit = url("record-edit", account, kind="commitments", pk=commitment.pk)
    detail = client.get(url("record-detail", account, kind="commitments", pk=commitment.pk))
    assert edit in detail.text  # an Admin on Commitments sees the Edit button
    page = client.get(edit)
    assert "Locked while the record is ready to export" in page.text
    data = {
        "project": commitment.project_id,
        "kind": "subcontract",
        "number": commitment.number,
        "title": "Changed title",
        "vendor": commitment.vendor_id,
        "status": "approved",
        "retainage_percent": "10",
        "description": "Now with notes",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    assert client.post(edit, data).status_code == 302
    commitment.refresh_from_db()
    assert commitment.title != "Changed title"
    assert commitment.description == "Now with notes"


@pytest.mark.django_db
def test_list_uses_constant_queries(account, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(member(account, levels=ALL_TOOLS))
    list_url = url("record-list", account, kind="commitments")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(list_url).status_code == 200
        return len(ctx.captured_queries)

    CommitmentFactory.create_batch(2, account=account)
    few = count()
    CommitmentFactory.create_batch(20, account=account)
    assert count() == few


@pytest.mark.django_db
def test_creating_a_project_needs_the_create_new_project_permission(account):
    standard = member(account, levels={Tool.PROJECT_ADMIN: Level.STANDARD})
    creator = member(account, levels={Tool.PROJECT_ADMIN: Level.STANDARD}, can_create_project=True)
    new_url = url("record-create", account, kind="projects")
    data = {
        "number": "2026-77",
        "name": "Harbor Lofts",
        "stage": "bidding",
        "country_code": "US",
        "estimated_value": "0",
    }
    listing = login(standard).get(url("record-list", account, kind="projects"))
    assert new_url not in listing.text
    assert login(standard).post(new_url, data).status_code == 403
    assert new_url in login(creator).get(url("record-list", account, kind="projects")).text
    response = login(creator).post(new_url, data)
    assert response.status_code == 302, response.text
    assert Project.objects.get(number="2026-77").account_id == account.pk


@pytest.mark.django_db
def test_a_record_cannot_move_to_another_project(account, commitment):
    elsewhere = ProjectFactory(account=account)
    client = login(member(account, levels=ALL_TOOLS))
    data = {
        "project": elsewhere.pk,
        "kind": "subcontract",
        "number": commitment.number,
        "title": commitment.title,
        "vendor": commitment.vendor_id,
        "status": "approved",
        "retainage_percent": "10",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    edit = url("record-edit", account, kind="commitments", pk=commitment.pk)
    assert client.post(edit, data).status_code == 302
    commitment.refresh_from_db()
    assert commitment.project_id != elsewhere.pk

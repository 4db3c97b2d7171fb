"""Updates: the policy, locked fields, lines replaced by what is sent."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import pytest

from integrations import models as m
from permissions.levels import Level, Tool
from tests.api.conftest import build_records, client_for, url
from tests.factories import CompanyFactory, grant, member

pytestmark = pytest.mark.django_db


def test_standard_user_updates(editor, records):
    response = client_for(editor).patch(
        url("commitments", records.commitment.pk), {"title": "Concrete, revised"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Concrete, revised"
    records.commitment.refresh_from_db()
    assert records.commitment.title == "Concrete, revised"
    assert records.commitment.lines.count() == 1  # lines not sent: left alone


def test_read_only_user_may_not_update(viewer, records):
    response = client_for(viewer).patch(
        url("commitments", records.commitment.pk), {"title": "Hacked"}, format="json"
    )
    assert response.status_code == 403
    records.commitment.refresh_from_db()
    assert records.commitment.title != "Hacked"


def test_update_of_a_record_you_may_not_see_is_404(nobody, editor, records, other_records):
    assert (
        client_for(nobody)
        .patch(url("commitments", records.commitment.pk), {"title": "X"}, format="json")
        .status_code
        == 404
    )
    assert (
        client_for(editor)
        .patch(url("commitments", other_records.commitment.pk), {"title": "X"}, format="json")
        .status_code
        == 404
    )


def test_read_only_on_one_project_is_403_there(account, records):
    user = member(account, levels={Tool.COMMITMENTS: Level.STANDARD})
    grant(user, account, Tool.COMMITMENTS, Level.READ_ONLY, project=records.project)
    response = client_for(user).patch(
        url("commitments", records.commitment.pk), {"title": "X"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("state", ["pending", "accepted", "exporting", "failed", "synced"])
def test_locked_fields_do_not_change_while_with_the_erp(state, editor, records):
    commitment = records.commitment
    commitment.erp_state = state
    commitment.save()
    client = client_for(editor)
    response = client.patch(
        url("commitments", commitment.pk),
        {"title": "Renamed", "description": "Allowed"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["title"]
    message = response.json()["title"][0]
    assert "locked" in message and m.ErpState(state).label in message
    commitment.refresh_from_db()
    assert (commitment.title, commitment.description) != ("Renamed", "Allowed")
    # Unlocked fields still change, and sending a locked field unchanged is fine.
    response = client.patch(
        url("commitments", commitment.pk),
        {"title": commitment.title, "vendor": records.company.pk, "description": "Allowed"},
        format="json",
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("state", ["unsent", "retrieved", "rejected"])
def test_locked_fields_change_when_not_with_the_erp(state, editor, records):
    records.company.erp_state = state
    records.company.save()
    response = client_for(editor).patch(
        url("companies", records.company.pk), {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 200


def test_a_locked_reference_names_the_field(editor, account, records):
    records.commitment.erp_state = m.ErpState.SYNCED
    records.commitment.save()
    response = client_for(editor).patch(
        url("commitments", records.commitment.pk),
        {"vendor": cast(m.Company, CompanyFactory(account=account)).pk},
        format="json",
    )
    assert response.status_code == 400
    assert "Vendor is locked" in response.json()["vendor"][0]


def test_a_record_does_not_move_to_another_project(editor, account, records):
    other = build_records(account)
    response = client_for(editor).patch(
        url("commitments", records.commitment.pk), {"project": other.project.pk}, format="json"
    )
    assert response.status_code == 400
    assert "project" in response.json()
    records.commitment.refresh_from_db()
    assert records.commitment.project == records.project


def test_lines_are_replaced_by_what_is_sent(editor, records):
    commitment = records.commitment
    kept = commitment.lines.create(description="Keep me", amount=Decimal("10.00"))
    dropped = commitment.lines.create(description="Drop me", amount=Decimal("20.00"))
    # The factory line is used by the invoice and the CCO, so it must stay too.
    lines = [
        {"id": records.commitment_line.pk},
        {"id": kept.pk, "amount": "15.00"},
        {"description": "New", "amount": "5.00"},
    ]
    response = client_for(editor).patch(
        url("commitments", commitment.pk), {"lines": lines}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [line["description"] for line in body["lines"]] == ["Scope of work", "Keep me", "New"]
    assert body["grand_total"] == "125020.00"
    assert not m.CommitmentLineItem.objects.filter(pk=dropped.pk).exists()
    kept.refresh_from_db()
    assert kept.amount == Decimal("15.00")


def test_lines_take_the_order_they_are_sent_in(editor, records):
    first = records.commitment_line
    second = records.commitment.lines.create(description="Second", amount=Decimal("1.00"))
    response = client_for(editor).patch(
        url("commitments", records.commitment.pk),
        {"lines": [{"id": second.pk}, {"id": first.pk}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [(line["id"], line["position"]) for line in response.json()["lines"]] == [
        (second.pk, 1),
        (first.pk, 2),
    ]


def test_a_line_in_use_is_not_removed(editor, records):
    response = client_for(editor).patch(
        url("commitments", records.commitment.pk),
        {"title": "Changed", "lines": [{"description": "Replacement", "amount": "1.00"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "cannot be removed" in response.json()["lines"][0]
    records.commitment.refresh_from_db()
    assert records.commitment.title != "Changed"
    assert list(records.commitment.lines.all()) == [records.commitment_line]


def test_a_line_id_of_another_record_is_400(editor, account, records):
    other = build_records(account)
    response = client_for(editor).patch(
        url("commitments", records.commitment.pk),
        {"lines": [{"id": records.commitment_line.pk}, {"id": other.commitment_line.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert "is not a line of this record" in response.json()["lines"][0]


def test_a_new_line_in_a_patch_needs_its_required_fields(editor, records):
    response = client_for(editor).patch(
        url("subcontractor-invoices", records.subcontractor_invoice.pk),
        {"lines": [{"work_completed": "5.00"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "commitment_line" in response.json()["lines"]["0"]
    assert records.subcontractor_invoice.lines.count() == 1


def test_bad_update_changes_nothing(editor, records):
    before = client_for(editor).get(url("commitments", records.commitment.pk)).json()
    response = client_for(editor).patch(
        url("commitments", records.commitment.pk),
        {"title": "", "lines": [{"id": records.commitment_line.pk, "amount": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"title", "lines"}
    after = client_for(editor).get(url("commitments", records.commitment.pk)).json()
    assert after == before

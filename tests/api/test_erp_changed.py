"""``erp_changed`` in the API: every record linked to the ERP says, read-only, whether it changed
since its last sync, and every collection that filters by ERP status filters by it too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from integrations import models as m
from integrations.models import ErpLinkedModel
from integrations.services import record_update
from tests.api.conftest import COLLECTIONS, client_for, url
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

HELP = "Changed since the last sync: send it again to update the ERP."
LINKED = {name: model for name, model in COLLECTIONS.items() if issubclass(model, ErpLinkedModel)}


def _schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _synced(record, origin_id: str) -> None:
    type(record).objects.filter(pk=record.pk).update(erp_state="synced", origin_id=origin_id)
    record.refresh_from_db()


@pytest.mark.parametrize("name", sorted(LINKED))
def test_every_erp_linked_record_shows_erp_changed(name, admin, records):
    response = client_for(admin).get(url(name))
    assert response.status_code == 200, response.content
    (row,) = response.json()["results"]
    assert row["erp_changed"] is False
    assert {"erp_state", "origin_id", "erp_synced_at"} <= set(row)


def test_the_schema_documents_it_read_only_with_its_help_text():
    schemas = _schema()["components"]["schemas"]
    documented = {
        name: schema["properties"]["erp_changed"]
        for name, schema in schemas.items()
        if "erp_changed" in schema.get("properties", {})
    }
    assert "Commitment" in documented and "Budget" in documented
    for name, field in documented.items():
        assert field["type"] == "boolean", name
        assert field.get("readOnly") is True, name
        assert field["description"] == HELP, name


def test_every_collection_filtering_by_erp_status_filters_by_erp_changed():
    paths = _schema()["paths"]
    with_state = []
    for name in COLLECTIONS:
        parameters = {p["name"] for p in paths[url(name)]["get"].get("parameters", [])}
        if "erp_state" in parameters:
            with_state.append(name)
            assert "erp_changed" in parameters, name
    assert {"commitments", "budgets", "projects", "companies"} <= set(with_state)


def test_an_edited_synced_budget_shows_and_filters_as_changed(admin, account, records):
    budget = records.budget
    other = m.Budget.objects.create(account=account, project=ProjectFactory(account=account))
    _synced(budget, "ERP-1")
    _synced(other, "ERP-2")
    line = budget.lines.get()
    record_update(
        actor=admin,
        account=account,
        instance=budget,
        changes={},
        lines=[{"id": line.pk, "amount": Decimal("640.00")}],
    )
    client = client_for(admin)
    assert client.get(url("budgets", budget.pk)).json()["erp_changed"] is True
    assert client.get(url("budgets", other.pk)).json()["erp_changed"] is False

    changed = client.get(url("budgets"), {"erp_changed": "true"}).json()["results"]
    assert [row["id"] for row in changed] == [budget.pk]
    unchanged = client.get(url("budgets"), {"erp_changed": "false"}).json()["results"]
    assert [row["id"] for row in unchanged] == [other.pk]
    both = client.get(url("budgets"), {"erp_changed": "true", "erp_state": "synced"}).json()
    assert [row["id"] for row in both["results"]] == [budget.pk]


def test_erp_changed_cannot_be_written(editor, records):
    commitment = records.commitment
    response = client_for(editor).patch(
        url("commitments", commitment.pk),
        {"erp_changed": True, "description": "Notes"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["erp_changed"] is False
    commitment.refresh_from_db()
    assert (commitment.description, commitment.erp_changed) == ("Notes", False)


def test_the_filter_works_on_commitments_too(editor, records):
    type(records.commitment).objects.filter(pk=records.commitment.pk).update(erp_changed=True)
    client = client_for(editor)
    rows = client.get(url("commitments"), {"erp_changed": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [records.commitment.pk]
    assert client.get(url("commitments"), {"erp_changed": "false"}).json()["results"] == []

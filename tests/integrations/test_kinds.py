"""The registry of record kinds: each kind declared once, and every layer built from it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors.base import ObjectType
from integrations.kinds import by_object_type, exportable_types, kind, kind_of, kinds, register
from integrations.models import Commitment
from permissions.resources import resource_for


def test_every_object_type_a_connector_knows_is_one_kind_in_the_queues_order():
    assert [key for key, _ in exportable_types()] == [t.value for t in ObjectType]
    assert by_object_type("commitment").model is Commitment
    assert kind_of(Commitment) is kind("commitments")


def test_a_kind_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        register(kind("commitments"))


def test_the_permission_layer_knows_every_kind():
    for declared in kinds():
        resource = resource_for(declared.model)
        assert (resource.tool, resource.project_path) == (declared.tool, declared.project_path)


@pytest.mark.django_db
def test_every_kind_with_an_api_part_has_a_collection(client):
    for declared in kinds():
        if declared.api is not None:
            assert reverse(f"api:{declared.name}-list") == f"/api/v1/{declared.key}/"


def test_placement_is_the_first_hop_to_the_project():
    assert kind("commitment-change-orders").placement == "commitment"
    assert kind("payments").placement == "project"
    assert kind("subcontractor-invoices").placement == "commitment"
    assert kind("projects").placement is None
    assert kind("companies").placement is None

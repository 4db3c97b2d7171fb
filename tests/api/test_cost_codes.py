"""The cost code actions of the API: ``POST /api/v1/projects/{id}/refresh-cost-codes/`` answers
how many codes were added, ``GET/PUT /api/v1/standard-cost-codes/{id}/default-cost-types/``
reads and replaces a code's default cost types; 403 for the levels the seed refuses, 404 for
what the user may not see or another account's, 400 with the reason, all in the schema."""

from __future__ import annotations

import pytest

from integrations import models as m
from permissions.levels import Level, Tool
from tests.api.conftest import client_for
from tests.factories import member
from tests.integrations.cost_code_data import CostCodes, allowed, at_erp_level, build, refused

pytestmark = pytest.mark.django_db
REFRESH, ASSIGN = "refresh_project_cost_codes", "assign_default_cost_types"


@pytest.fixture
def data(account) -> CostCodes:
    return build(account)


def refresh(project: m.Project) -> str:
    return f"/api/v1/projects/{project.pk}/refresh-cost-codes/"


def defaults(code: m.StandardCostCode) -> str:
    return f"/api/v1/standard-cost-codes/{code.pk}/default-cost-types/"


@pytest.mark.parametrize("level", allowed(REFRESH))
def test_refresh_answers_how_many_codes_were_added(account, data, level):
    client = client_for(at_erp_level(account, level), account)
    assert client.post(refresh(data.project)).json() == {"added": 2}
    assert client.post(refresh(data.project)).json() == {"added": 0}
    assert m.CostCode.objects.filter(project=data.project).count() == 3


@pytest.mark.parametrize("level", refused(REFRESH))
def test_refresh_is_403_for_the_levels_the_seed_refuses(account, data, level):
    answer = client_for(at_erp_level(account, level), account).post(refresh(data.project))
    assert answer.status_code == 403
    assert m.CostCode.objects.filter(project=data.project).count() == 1


def test_refresh_off_the_erp_list_is_400_with_the_reason(account, data):
    client = client_for(at_erp_level(account, Level.ADMIN), account)
    answer = client.post(refresh(data.own_list_project))
    assert answer.status_code == 400
    assert "does not use the ERP standard cost code list" in str(answer.json())


def test_refresh_of_a_project_one_may_not_see_or_of_another_account_is_404(
    account, other_account, data
):
    erp_only = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    assert client_for(erp_only, account).post(refresh(data.project)).status_code == 404
    outsider = at_erp_level(other_account, Level.ADMIN)
    assert client_for(outsider, other_account).post(refresh(data.project)).status_code == 404
    assert m.CostCode.objects.filter(project=data.project).count() == 1


@pytest.mark.parametrize("level", allowed(ASSIGN))
def test_default_cost_types_are_read_and_replaced(account, data, level):
    client = client_for(at_erp_level(account, level), account)
    code, labor, material = data.codes[0], data.types["L"], data.types["M"]
    assert client.get(defaults(code)).json() == {
        "standard_code": code.pk,
        "full_code": "03-100",
        "default_cost_types": [],
    }
    answer = client.put(
        defaults(code), {"default_cost_types": [material.pk, labor.pk]}, format="json"
    )
    assert answer.status_code == 200
    assert answer.json()["default_cost_types"] == sorted([labor.pk, material.pk])
    client.put(defaults(code), {"default_cost_types": [material.pk]}, format="json")
    assert list(code.default_cost_types.values_list("code", flat=True)) == ["M"]


@pytest.mark.parametrize("level", refused(ASSIGN))
def test_replacing_default_cost_types_is_refused_to_the_levels_the_seed_refuses(
    account, data, level
):
    client = client_for(at_erp_level(account, level), account)
    code = data.codes[0]
    body = {"default_cost_types": [data.types["L"].pk]}
    expected = 404 if level == Level.NONE else 403  # not on the ERP tool: not there at all
    assert client.get(defaults(code)).status_code == (404 if level == Level.NONE else 200)
    assert client.put(defaults(code), body, format="json").status_code == expected
    assert not code.default_cost_types.exists()


def test_bad_default_cost_types_are_400_by_field(account, other_account, data):
    client = client_for(at_erp_level(account, Level.ADMIN), account)
    code = data.codes[0]
    elsewhere = build(other_account)
    unknown = client.put(
        defaults(code), {"default_cost_types": [elsewhere.types["L"].pk]}, format="json"
    )
    assert unknown.status_code == 400 and "default_cost_types" in unknown.json()
    inactive = client.put(
        defaults(code), {"default_cost_types": [data.types["O"].pk]}, format="json"
    )
    assert "deactivated in the ERP" in inactive.json()["default_cost_types"][0]
    division = client.put(
        defaults(data.division), {"default_cost_types": [data.types["L"].pk]}, format="json"
    )
    assert division.status_code == 400
    assert client.put(defaults(code), {"default_cost_types": "L"}, format="json").status_code == 400
    assert client.get(defaults(elsewhere.codes[0])).status_code == 404
    assert not code.default_cost_types.exists()


def test_the_schema_documents_both_actions():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert set(paths["/api/v1/projects/{id}/refresh-cost-codes/"]) == {"post"}
    assert set(paths["/api/v1/standard-cost-codes/{id}/default-cost-types/"]) == {"get", "put"}
    post = paths["/api/v1/projects/{id}/refresh-cost-codes/"]["post"]
    assert {"200", "400", "403", "404"} <= set(post["responses"])
    assert "X-Account" in {p["name"] for p in post["parameters"]}

"""The cost code services: *Refresh cost codes* adds the ERP list's new active codes to a project
(idempotent, audited, refused off the ERP list), and default cost types are set per standard
code; each follows its seed row, and a refused user changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from integrations import models as m
from integrations.cost_codes import default_cost_types_assign, project_cost_codes_refresh
from permissions.access import holdings_for
from permissions.levels import Level
from tests.integrations.cost_code_data import (
    CostCodes,
    allowed,
    at_erp_level,
    build,
    refused,
    standard_code,
)

pytestmark = pytest.mark.django_db
REFRESH, ASSIGN = "refresh_project_cost_codes", "assign_default_cost_types"


@pytest.fixture
def data(account) -> CostCodes:
    return build(account)


@pytest.fixture
def erp_admin(account):
    return at_erp_level(account, Level.ADMIN)


def project_level_codes(project: m.Project) -> set[str]:
    return set(
        m.CostCode.objects.filter(project=project, sub_job=None).values_list(
            "standard_code__full_code", flat=True
        )
    )


def test_refresh_adds_only_the_active_codes_the_project_lacks(account, data, erp_admin):
    added = project_cost_codes_refresh(actor=erp_admin, account=account, project=data.project)
    assert added == 2
    # The division is a heading, and the code the ERP deactivated is not added.
    assert project_level_codes(data.project) == {"03-100", "03-200", "03-300"}
    event = AuditEvent.objects.get(verb="cost_codes_refreshed")
    assert (event.item_type, event.item_id, event.actor) == ("project", data.project.pk, erp_admin)
    assert event.data["added"] == 2


def test_refresh_is_idempotent_and_picks_up_codes_the_erp_adds_later(account, data, erp_admin):
    project_cost_codes_refresh(actor=erp_admin, account=account, project=data.project)
    assert project_cost_codes_refresh(actor=erp_admin, account=account, project=data.project) == 0
    standard_code(data.code_list, "03-400", "Precast Concrete Panels", parent=data.division)
    assert project_cost_codes_refresh(actor=erp_admin, account=account, project=data.project) == 1
    assert "03-400" in project_level_codes(data.project)
    assert m.CostCode.objects.filter(project=data.project).count() == 4
    counts = list(
        AuditEvent.objects.filter(verb="cost_codes_refreshed").values_list("data__added", flat=True)
    )
    assert counts == [2, 0, 1]


def test_a_deactivated_code_the_project_uses_stays(account, data, erp_admin):
    m.CostCode.objects.create(account=account, project=data.project, standard_code=data.retired)
    project_cost_codes_refresh(actor=erp_admin, account=account, project=data.project)
    assert "03-990" in project_level_codes(data.project)


def test_refresh_is_refused_off_the_erp_list(account, data, erp_admin):
    with pytest.raises(ValidationError, match="does not use the ERP standard cost code list"):
        project_cost_codes_refresh(actor=erp_admin, account=account, project=data.own_list_project)
    data.project.erp_integrated = False
    data.project.save()
    with pytest.raises(ValidationError, match="is not ERP integrated"):
        project_cost_codes_refresh(actor=erp_admin, account=account, project=data.project)
    assert not AuditEvent.objects.filter(verb="cost_codes_refreshed").exists()
    assert project_level_codes(data.project) == {"03-100"}


@pytest.mark.parametrize("level", allowed(REFRESH))
def test_refresh_is_allowed_to_the_levels_the_seed_allows(account, data, level):
    user = at_erp_level(account, level)
    assert project_cost_codes_refresh(actor=user, account=account, project=data.project) == 2


@pytest.mark.parametrize("level", refused(REFRESH))
def test_refresh_is_refused_to_the_levels_the_seed_refuses(account, data, level):
    user = at_erp_level(account, level)
    with pytest.raises(PermissionDenied, match="refresh the Cost Codes"):
        project_cost_codes_refresh(actor=user, account=account, project=data.project)
    assert project_level_codes(data.project) == {"03-100"}


def test_refresh_takes_as_many_queries_for_one_code_as_for_fifty(account, erp_admin):
    one = build(account, codes=2)
    holdings_for(erp_admin, account)  # loaded once per request: not part of the comparison
    with CaptureQueriesContext(connection) as first:
        assert (
            project_cost_codes_refresh(actor=erp_admin, account=account, project=one.project) == 1
        )
    many = project_lacking_many_codes(one, 50)
    with CaptureQueriesContext(connection) as second:
        assert project_cost_codes_refresh(actor=erp_admin, account=account, project=many) == 52
    assert len(second) == len(first)


def project_lacking_many_codes(data: CostCodes, more: int) -> m.Project:
    """``more`` codes added to the ERP list, and a new project on it that uses none."""
    for i in range(more):
        standard_code(
            data.code_list, f"03-{500 + i}", f"Concrete finishing {i}", parent=data.division
        )
    return m.Project.objects.create(
        account=data.code_list.account, number="P-MANY", cost_code_list=data.code_list
    )


# --- Default cost types ------------------------------------------------------------------------


def defaults_of(code: m.StandardCostCode) -> set[str]:
    return set(code.default_cost_types.values_list("code", flat=True))


def test_default_cost_types_are_set_added_and_removed_and_audited(account, data, erp_admin):
    code, types = data.codes[0], data.types
    changed = default_cost_types_assign(
        actor=erp_admin,
        account=account,
        assignments={code.pk: [types["L"].pk, types["M"].pk], data.codes[1].pk: []},
    )
    assert changed == 1  # the second code had none and still has none
    assert defaults_of(code) == {"L", "M"}
    default_cost_types_assign(
        actor=erp_admin, account=account, assignments={code.pk: [types["M"].pk, types["S"].pk]}
    )
    assert defaults_of(code) == {"M", "S"}
    last = AuditEvent.objects.filter(verb="default_cost_types_set").last()
    assert last is not None and (last.item_type, last.item_id) == ("cost_code", code.pk)
    assert last.data == {"added": [types["S"].pk], "removed": [types["L"].pk]}


@pytest.mark.parametrize("level", allowed(ASSIGN))
def test_the_levels_the_seed_allows_assign_default_cost_types(account, data, level):
    user = at_erp_level(account, level)
    code = data.codes[0]
    default_cost_types_assign(
        actor=user, account=account, assignments={code.pk: [data.types["L"].pk]}
    )
    assert defaults_of(code) == {"L"}


@pytest.mark.parametrize("level", refused(ASSIGN))
def test_the_levels_the_seed_refuses_change_nothing(account, data, level):
    user = at_erp_level(account, level)
    code = data.codes[0]
    with pytest.raises(PermissionDenied, match="assign Default Cost Types"):
        default_cost_types_assign(
            actor=user, account=account, assignments={code.pk: [data.types["L"].pk]}
        )
    assert defaults_of(code) == set()
    assert not AuditEvent.objects.filter(verb="default_cost_types_set").exists()


def test_a_deactivated_cost_type_may_be_removed_but_not_given(account, data, erp_admin):
    code, other = data.codes[0], data.types["O"]
    with pytest.raises(ValidationError, match="Cost type O is deactivated in the ERP"):
        default_cost_types_assign(
            actor=erp_admin, account=account, assignments={code.pk: [other.pk]}
        )
    code.default_cost_types.add(other)  # given before the ERP deactivated it
    default_cost_types_assign(actor=erp_admin, account=account, assignments={code.pk: [other.pk]})
    assert defaults_of(code) == {"O"}  # kept while it stays ticked
    default_cost_types_assign(actor=erp_admin, account=account, assignments={code.pk: []})
    assert defaults_of(code) == set()


def test_divisions_and_unknown_ids_are_refused(account, other_account, data, erp_admin):
    labor = data.types["L"].pk
    with pytest.raises(ValidationError, match="03 Concrete is a division"):
        default_cost_types_assign(
            actor=erp_admin, account=account, assignments={data.division.pk: [labor]}
        )
    elsewhere = build(other_account)
    with pytest.raises(ValidationError, match="No standard cost code"):
        default_cost_types_assign(
            actor=erp_admin, account=account, assignments={elsewhere.codes[0].pk: [labor]}
        )
    with pytest.raises(ValidationError, match="No cost type"):
        default_cost_types_assign(
            actor=erp_admin,
            account=account,
            assignments={data.codes[0].pk: [elsewhere.types["L"].pk]},
        )
    assert not m.StandardCostCode.default_cost_types.through.objects.exists()


def test_assigning_takes_as_many_queries_for_one_code_as_for_forty(account, erp_admin):
    data = build(account, codes=40)
    labor, material = data.types["L"].pk, data.types["M"].pk
    every = {code.pk: [labor] for code in data.codes}
    default_cost_types_assign(actor=erp_admin, account=account, assignments=every)
    with CaptureQueriesContext(connection) as one:  # Labor becomes Material on one code
        default_cost_types_assign(
            actor=erp_admin, account=account, assignments={data.codes[0].pk: [material]}
        )
    with CaptureQueriesContext(connection) as forty:  # ... and on all forty
        changed = default_cost_types_assign(
            actor=erp_admin,
            account=account,
            assignments={code.pk: [material] for code in data.codes[1:]}
            | {data.codes[0].pk: [labor]},
        )
    assert changed == 40
    assert len(forty) == len(one)

"""The cost code pages: a project's page leads to its cost codes (its own and its sub jobs',
active or deactivated in words) and offers *Refresh cost codes* to those the seed allows; the
default cost type grid saves each tick (htmx) and its Save button without JavaScript, and a
refused user changes nothing. Each page costs the same queries for one row as for many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations import models as m
from permissions.levels import Level, Tool
from tests.factories import grant, member
from tests.factories import signed_in as login
from tests.integrations.cost_code_data import CostCodes, allowed, at_erp_level, build, refused

pytestmark = pytest.mark.django_db
REFRESH, ASSIGN = "refresh_project_cost_codes", "assign_default_cost_types"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def data(account) -> CostCodes:
    return build(account)


def url(name: str, account, **kwargs) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


def project_page(account, project) -> str:
    return url("record-detail", account, kind="projects", pk=project.pk)


def codes_page(account, project) -> str:
    return url("project-cost-codes", account, project=project.pk)


def refresh_url(account, project) -> str:
    return url("project-cost-codes-refresh", account, project=project.pk)


# --- A project's cost codes ----------------------------------------------------------------------


@pytest.mark.parametrize("level", allowed(REFRESH))
def test_those_the_seed_allows_refresh_from_the_project_page(account, data, level):
    client = login(at_erp_level(account, level))
    page = client.get(project_page(account, data.project))
    assert "1 cost code on this project" in page.text
    assert "2 active codes of the ERP list are not on this project yet." in page.text
    answer = client.post(refresh_url(account, data.project), follow=True)
    assert answer.redirect_chain[-1][0] == codes_page(account, data.project)
    assert "2 cost codes added from the ERP list." in answer.text
    assert m.CostCode.objects.filter(project=data.project).count() == 3
    again = client.post(refresh_url(account, data.project), follow=True)
    assert "nothing to add" in again.text


@pytest.mark.parametrize("level", refused(REFRESH))
def test_those_the_seed_refuses_see_no_button_and_get_403(account, data, level):
    client = login(at_erp_level(account, level))
    page = client.get(project_page(account, data.project))
    assert page.status_code == 200
    assert "See the project's cost codes" in page.text
    assert "Refresh cost codes" not in page.text
    assert client.post(refresh_url(account, data.project)).status_code == 403
    assert m.CostCode.objects.filter(project=data.project).count() == 1


def test_a_project_off_the_erp_list_says_why_it_cannot_be_refreshed(account, data):
    client = login(at_erp_level(account, Level.ADMIN))
    page = client.get(project_page(account, data.own_list_project))
    assert "does not use the ERP standard cost code list" in page.text
    assert "Refresh cost codes" not in page.text
    answer = client.post(refresh_url(account, data.own_list_project), follow=True)
    assert "does not use the ERP standard cost code list" in answer.text
    assert not m.CostCode.objects.filter(project=data.own_list_project).exists()


def test_a_project_the_user_may_not_see_is_404(account, data):
    erp_admin = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    grant(erp_admin, account, Tool.PROJECT_ADMIN, Level.ADMIN, project=data.own_list_project)
    client = login(erp_admin)
    assert client.get(codes_page(account, data.project)).status_code == 404
    assert client.post(refresh_url(account, data.project)).status_code == 404
    assert m.CostCode.objects.filter(project=data.project).count() == 1


def test_the_codes_page_lists_the_project_and_sub_job_codes_with_their_erp_status(account, data):
    sub_job = m.SubJob.objects.create(
        account=account, project=data.project, code="01", name="Garage"
    )
    m.CostCode.objects.create(
        account=account, project=data.project, sub_job=sub_job, standard_code=data.retired
    )
    page = login(at_erp_level(account, Level.READ_ONLY)).get(codes_page(account, data.project))
    assert page.status_code == 200
    text = page.text
    assert "Project level" in text and "Sub job 01 Garage" in text
    assert text.index("03-100") < text.index("Sub job 01 Garage") < text.index("03-990")
    assert "Deactivated in the ERP" in text and "Active" in text
    assert "2 codes, 1 deactivated in the ERP" in text
    assert "Refresh cost codes" not in text  # read only on the ERP tool


def codes_on(project: m.Project, data: CostCodes, count: int) -> None:
    """``count`` more standard codes, each used by the project."""
    for i in range(count):
        code = m.StandardCostCode.objects.create(
            account=project.account,
            code_list=data.code_list,
            parent=data.division,
            code=f"{i}",
            full_code=f"03-5{i:02d}",
            name=f"Finish {i}",
        )
        m.CostCode.objects.create(account=project.account, project=project, standard_code=code)


def test_the_codes_page_costs_the_same_queries_for_one_code_as_for_forty(
    account, data, django_assert_num_queries
):
    client = login(at_erp_level(account, Level.ADMIN))
    client.get(codes_page(account, data.project))  # the session, warmed
    with CaptureQueriesContext(connection) as one:
        assert client.get(codes_page(account, data.project)).status_code == 200
    codes_on(data.project, data, 39)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(codes_page(account, data.project))
    assert "40 codes" in page.text


# --- Default cost types grid ---------------------------------------------------------------------


def grid(account) -> str:
    return url("default-cost-types", account)


def defaults_of(code: m.StandardCostCode) -> set[str]:
    return set(code.default_cost_types.values_list("code", flat=True))


def ticks(code: m.StandardCostCode, *types: m.CostType) -> dict[str, object]:
    return {"codes": [code.pk], f"types-{code.pk}": [t.pk for t in types]}


@pytest.mark.parametrize("level", allowed(ASSIGN))
def test_a_tick_saves_at_once_and_answers_its_row(account, data, level):
    client = login(at_erp_level(account, level))
    page = client.get(grid(account))
    assert 'hx-post="' in page.text and "Each tick is saved as you make it." in page.text
    code, labor, material = data.codes[0], data.types["L"], data.types["M"]
    answer = client.post(grid(account), ticks(code, labor, material), **HTMX)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith(f'<tr id="code-{code.pk}"')
    assert "Saved" in answer.text and "checked" in answer.text
    assert defaults_of(code) == {"L", "M"}
    client.post(grid(account), ticks(code, material), **HTMX)  # Labor unticked
    assert defaults_of(code) == {"M"}


def test_without_javascript_the_save_button_saves_the_whole_page(account, data):
    client = login(at_erp_level(account, Level.ADMIN))
    first, second = data.codes[0], data.codes[1]
    second.default_cost_types.add(data.types["S"])
    body = {
        "codes": [first.pk, second.pk],
        f"types-{first.pk}": [data.types["L"].pk],  # nothing ticked on the second: cleared
    }
    answer = client.post(grid(account) + "?page=1", body, follow=True)
    assert answer.redirect_chain[-1][0] == grid(account) + "?page=1"
    assert "Default cost types saved (2 codes changed)." in answer.text
    assert (defaults_of(first), defaults_of(second)) == ({"L"}, set())


@pytest.mark.parametrize("level", refused(ASSIGN))
def test_a_refused_user_sees_the_grid_read_only_and_changes_nothing(account, data, level):
    client = login(at_erp_level(account, level))
    code = data.codes[0]
    page = client.get(grid(account))
    if level == Level.NONE:  # not on the ERP tool at all
        assert page.status_code == 403
    else:
        assert page.status_code == 200
        assert "hx-post" not in page.text and "disabled" in page.text
        assert "changing them takes Standard or Admin on ERP Integrations" in page.text
    assert client.post(grid(account), ticks(code, data.types["L"]), **HTMX).status_code == 403
    assert client.post(grid(account), ticks(code, data.types["L"])).status_code == 403
    assert defaults_of(code) == set()


def test_a_refused_tick_answers_its_row_with_the_reason(account, data):
    client = login(at_erp_level(account, Level.STANDARD))
    code = data.codes[0]
    answer = client.post(grid(account), ticks(code, data.types["O"]), **HTMX)
    assert answer.status_code == 400
    assert "Cost type O is deactivated in the ERP" in answer.text
    assert defaults_of(code) == set()


def test_the_grid_shows_divisions_as_headings_and_deactivated_things_in_words(account, data):
    data.codes[0].default_cost_types.add(data.types["L"])
    text = login(at_erp_level(account, Level.ADMIN)).get(grid(account)).text
    assert f'<tr class="division" id="code-{data.division.pk}">' in text
    assert f'name="types-{data.division.pk}"' not in text
    assert 'Precast Concrete <span class="tag">Deactivated in the ERP</span>' in text
    assert (
        f'value="{data.types["L"].pk}" form="default-cost-types" aria-label="Labor for 03-100'
        in text
    )


def test_an_erp_user_without_record_rights_reaches_the_grid_from_the_menu(account, data):
    client = login(member(account, levels={Tool.ERP_INTEGRATIONS: Level.STANDARD}))
    home = client.get(url("account-home", account))
    assert f'href="{grid(account)}"' in home.text and ">Cost Codes<" in home.text


def test_the_standard_code_lists_link_to_the_grid(account, data):
    client = login(at_erp_level(account, Level.ADMIN))
    client_admin = login(
        member(
            account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN, Tool.PROJECT_ADMIN: Level.ADMIN}
        )
    )
    for who in (client, client_admin):
        page = who.get(url("record-list", account, kind="standard-cost-codes"))
        assert f'<a href="{grid(account)}">Default Cost Types</a>' in page.text


def test_the_grid_costs_the_same_queries_for_one_code_as_for_forty(
    account, django_assert_num_queries
):
    data = build(account, codes=1)
    client = login(at_erp_level(account, Level.ADMIN))
    client.get(grid(account))
    with CaptureQueriesContext(connection) as one:
        assert client.get(grid(account)).status_code == 200
    codes_on(data.project, data, 39)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(grid(account))
    assert page.text.count('hx-trigger="change"') == 41  # and the deactivated one

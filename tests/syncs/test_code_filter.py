"""*Standard cost codes to import* (Settings): the standard cost code sync from the sandbox ERP
takes only the codes whose full code matches one of the filter's patterns (and every division,
so a code finds its parent); the run says how many it left out. Codes the portal already has
that stop matching are left as they are. An empty filter takes every code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors.sandbox import console
from erp.connections import account_key
from integrations import models as m
from integrations.services import account_settings_update
from permissions.levels import Level, Tool
from syncs import runner
from syncs.models import RunState, SyncRun, Trigger
from syncs.services import sync_request
from tenancy.models import Account
from tests.factories import member
from tests.web.test_pages import login

pytestmark = pytest.mark.django_db

CODES = (
    ("01", "General requirements"),
    ("01-100", "Supervision"),
    ("01-500", "Temporary facilities"),
    ("03", "Concrete"),
    ("03-200", "Concrete reinforcing"),
    ("03-300", "Cast-in-place concrete"),
    ("03-310", "Structural concrete"),
    ("09", "Finishes"),
    ("09-GWB", "Gypsum board"),
)


@pytest.fixture
def ledger(account) -> str:
    ledger = account_key(account)
    for full_code, name in CODES:
        console.cost_code_save(ledger, full_code=full_code, name=name)
    return ledger


@pytest.fixture
def erp_admin(account):
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def set_filter(account: Account, erp_admin, value: str) -> None:
    """What an ERP admin types on the Settings page."""
    account_settings_update(
        actor=erp_admin, account=account, changes={"standard_code_filter": value}
    )


def sync(account: Account) -> SyncRun:
    run, started = sync_request(
        account=account, kind="standard_cost_codes", trigger=Trigger.SCHEDULE
    )
    assert started
    runner.execute(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.SUCCEEDED, run.error
    return run


def in_portal(account: Account) -> dict[str, str]:
    codes = m.StandardCostCode.objects.filter(account=account, code_list__is_erp=True)
    return dict(codes.values_list("full_code", "name"))


def test_only_matching_codes_and_every_division_come_in(account, ledger, erp_admin):
    set_filter(account, erp_admin, "03-3*, 09-g*")  # letters match whatever their case
    run = sync(account)
    assert sorted(in_portal(account)) == ["01", "03", "03-300", "03-310", "09", "09-GWB"]
    assert (run.fetched, run.created, run.unchanged, run.invalid) == (9, 6, 3, 0)
    (said,) = run.errors
    assert said["message"] == (
        "3 ERP cost codes left out by the standard cost code filter (03-3*, 09-g*): "
        "01-100, 01-500, 03-200."
    )
    parent = m.StandardCostCode.objects.get(account=account, full_code="03-310").parent
    assert parent is not None and parent.full_code == "03"


def test_the_run_page_says_how_many_were_left_out(account, ledger, erp_admin):
    set_filter(account, erp_admin, "01-1*")
    run = sync(account)
    page = login(erp_admin).get(
        reverse("sync-run", kwargs={"account": account.slug, "run": run.pk})
    )
    assert page.status_code == 200
    assert "9 fetched · 4 new · 0 updated · 5 unchanged · 0 invalid" in page.text
    assert "5 ERP cost codes left out by the standard cost code filter (01-1*)" in page.text


def test_codes_that_stop_matching_are_left_as_they_are(account, ledger, erp_admin):
    sync(account)  # no filter yet: every code
    assert len(in_portal(account)) == len(CODES)
    set_filter(account, erp_admin, "03-*")
    console.cost_code_save(ledger, full_code="01-100", name="Supervision and management")
    console.cost_code_deactivate(ledger, number="CC-01-500")
    console.cost_code_save(ledger, full_code="03-300", name="Cast-in-place concrete, CIP")
    run = sync(account)
    assert (run.fetched, run.updated, run.unchanged) == (3, 1, 2)
    kept = in_portal(account)
    assert kept["01-100"] == "Supervision"  # not renamed
    assert m.StandardCostCode.objects.get(account=account, full_code="01-500").is_active
    assert kept["03-300"] == "Cast-in-place concrete, CIP"


def test_an_empty_filter_takes_every_code(account, ledger, erp_admin):
    set_filter(account, erp_admin, "03-3*")
    set_filter(account, erp_admin, "")
    run = sync(account)
    assert (run.created, run.unchanged, run.errors) == (len(CODES), 0, [])
    assert sorted(in_portal(account)) == sorted(code for code, _ in CODES)

"""The sync API: schedules (400 with the field's message), runs (202 new, 200 already going),
staged records with their lines, synced job costs and payments; the seed's rows decide who may
do what, and another account's objects do not exist."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from connectors.sandbox import console
from erp.connections import account_key, connection_for
from integrations import models as m
from permissions.levels import Level, Tool
from syncs import runner
from syncs.appliers import staged
from syncs.appliers.base import Scope
from syncs.models import StagedRecord, SyncRun, Trigger
from syncs.services import sync_request
from tests.factories import ProjectFactory, member
from tests.permissions.seed_matrix import SEED_ROWS

ROW = {row.action: row for row in SEED_ROWS}


def api(user, account) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_ACCOUNT=account.slug)
    return client


def at_level(account, level: Level):
    return member(account, levels={Tool.ERP_INTEGRATIONS: level})


def test_schedules_list_and_change_with_errors_by_field(account):
    admin = api(at_level(account, Level.ADMIN), account)
    listed = admin.get("/api/v1/sync-schedules/")
    assert listed.status_code == 200
    by_kind = {entry["kind"]: entry for entry in listed.json()}
    assert by_kind["vendors"]["every"] == "hourly" and by_kind["vendors"]["label"] == "Companies"
    assert by_kind["payments"]["every"] == "daily" and by_kind["payments"]["at"] == "02:00"
    assert by_kind["vendors"]["next_run_at"] and by_kind["vendors"]["last_run"] is None

    bad = admin.patch(
        "/api/v1/sync-schedules/jobs/", {"every": "cron", "cron": "0 6 * *"}, format="json"
    )
    assert bad.status_code == 400 and "cron" in bad.json()
    bad_time = admin.patch(
        "/api/v1/sync-schedules/jobs/", {"every": "daily", "at": "25:00"}, format="json"
    )
    assert bad_time.status_code == 400 and "at" in bad_time.json()
    assert admin.get("/api/v1/sync-schedules/jobs/").json()["every"] == "hourly"

    changed = admin.patch(
        "/api/v1/sync-schedules/jobs/", {"every": "daily", "at": "05:30"}, format="json"
    )
    assert changed.status_code == 200
    assert (changed.json()["every"], changed.json()["at"]) == ("daily", "05:30")
    assert (
        changed.json()["next_run_at"].endswith(":30:00Z")
        or "05:30" in changed.json()["next_run_at"]
    )
    assert admin.get("/api/v1/sync-schedules/timesheets/").status_code == 404


@pytest.mark.parametrize("level", [Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN])
def test_who_may_read_and_change_schedules_follows_the_seed(account, level):
    client = api(at_level(account, level), account)
    allowed = level in ROW["configure_sync_schedule"].erp_levels
    assert client.get("/api/v1/sync-schedules/").status_code == (200 if allowed else 403)
    change = client.patch("/api/v1/sync-schedules/vendors/", {"every": "never"}, format="json")
    assert change.status_code == (200 if allowed else 403)


def test_start_a_run_202_then_200_with_the_one_going(account):
    admin = api(at_level(account, Level.ADMIN), account)
    started = admin.post("/api/v1/sync-runs/", {"kind": "vendors"}, format="json")
    assert started.status_code == 202
    assert started.json()["state"] == "queued" and started.json()["kind"] == "vendors"
    again = admin.post("/api/v1/sync-runs/", {"kind": "vendors"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == started.json()["id"]
    unknown = admin.post("/api/v1/sync-runs/", {"kind": "timesheets"}, format="json")
    assert unknown.status_code == 400 and "kind" in unknown.json()
    listed = admin.get("/api/v1/sync-runs/", {"kind": "vendors", "state": "queued"})
    assert [r["id"] for r in listed.json()["results"]] == [started.json()["id"]]
    assert admin.get("/api/v1/sync-runs/", {"state": "failed"}).json()["count"] == 0
    one = admin.get(f"/api/v1/sync-runs/{started.json()['id']}/")
    assert one.status_code == 200 and one.json()["errors"] == []


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        ("vendors", "refresh_companies"),
        ("sub_jobs", "import_sub_job"),
        ("job_cost_transactions", "sync_job_cost_transactions"),
        ("payments", "sync_paid_invoices"),
    ],
)
@pytest.mark.parametrize("level", [Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN])
def test_who_may_start_a_run_follows_the_seed(account, kind, action, level):
    answer = api(at_level(account, level), account).post(
        "/api/v1/sync-runs/", {"kind": kind}, format="json"
    )
    assert answer.status_code == (202 if level in ROW[action].erp_levels else 403)


def test_job_costs_of_one_project_and_another_accounts_project_is_404(account, other_account):
    admin = api(member(account, levels=dict.fromkeys(Tool, Level.ADMIN)), account)
    project = ProjectFactory(
        account=account, origin_id="J-1", sync_job_costs=True, erp_state="synced"
    )
    theirs = ProjectFactory(
        account=other_account, origin_id="J-1", sync_job_costs=True, erp_state="synced"
    )
    mine = admin.post(
        "/api/v1/sync-runs/",
        {"kind": "job_cost_transactions", "project": project.pk},
        format="json",
    )
    assert mine.status_code == 202 and mine.json()["project"] == project.pk
    SyncRun.objects.all().delete()
    foreign = admin.post(
        "/api/v1/sync-runs/", {"kind": "job_cost_transactions", "project": theirs.pk}, format="json"
    )
    assert foreign.status_code == 404


def test_runs_and_staged_records_of_another_account_do_not_exist(account, other_account):
    run, _ = sync_request(account=other_account, kind="vendors", trigger=Trigger.SCHEDULE)
    staged.apply(
        Scope(other_account, connection_for(other_account), "vendors"),
        [{"origin_id": "V-1", "origin_code": "V-1", "name": "Theirs"}],
    )
    admin = api(at_level(account, Level.ADMIN), account)
    assert admin.get(f"/api/v1/sync-runs/{run.pk}/").status_code == 404
    assert admin.get("/api/v1/sync-runs/").json()["count"] == 0
    record = StagedRecord.objects.get(origin_id="V-1")
    assert admin.get(f"/api/v1/staged-records/{record.pk}/").status_code == 404
    assert admin.get("/api/v1/staged-records/").json()["count"] == 0


def test_staged_records_with_filters_search_and_their_lines(account):
    ledger = account_key(account)
    console.vendor_save(ledger, number="V-9001", name="Alpine Electric")
    console.vendor_save(ledger, number="V-9002", name="Boulder Glass")
    run, _ = sync_request(account=account, kind="vendors", trigger=Trigger.SCHEDULE)
    runner.execute(run.pk)
    staged.apply(
        Scope(account, connection_for(account), "budgets"),
        [
            {
                "origin_id": "B-7",
                "origin_code": "B-7",
                "job": "J-7",
                "name": "Budget",
                "lines": [{"origin_id": "1", "cost_code": "CC-1", "amount": "10.00"}],
            }
        ],
    )
    reader = api(at_level(account, Level.READ_ONLY), account)
    vendors = reader.get("/api/v1/staged-records/", {"item_type": "vendors", "status": "staged"})
    assert vendors.status_code == 200
    assert sorted(r["origin_id"] for r in vendors.json()["results"]) == ["V-9001", "V-9002"]
    found = reader.get("/api/v1/staged-records/", {"search": "alpine"})
    assert [r["name"] for r in found.json()["results"]] == ["Alpine Electric"]
    budget = StagedRecord.objects.get(origin_id="B-7")
    detail = reader.get(f"/api/v1/staged-records/{budget.pk}/").json()
    assert detail["children"][0]["data"]["amount"] == "10.00"
    assert api(member(account), account).get("/api/v1/staged-records/").status_code == 403


def test_synced_job_costs_and_payments_are_read_through_the_api(account):
    project = ProjectFactory(
        account=account, origin_id="J-1", sync_job_costs=True, erp_state="synced"
    )
    m.JobCostTransaction.objects.create(
        account=account,
        project=project,
        transaction_date="2026-10-01",
        amount="12.50",
        origin_id="JC-1",
        source_type="payroll",
        source_document="PR-44",
    )
    admin = api(member(account, levels=dict.fromkeys(Tool, Level.ADMIN)), account)
    costs = admin.get("/api/v1/job-cost-transactions/", {"source_type": "payroll"})
    assert costs.status_code == 200
    row = costs.json()["results"][0]
    assert (row["amount"], row["source_document"], row["source_type"]) == (
        "12.50",
        "PR-44",
        "payroll",
    )
    assert admin.get("/api/v1/payments/").status_code == 200
    assert admin.get("/api/schema/").status_code == 200
    schema = admin.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/sync-schedules/", "/api/v1/sync-runs/", "/api/v1/staged-records/"):
        assert path in schema

"""Sync schedules: Procore's defaults, what the ERP admin sets is what beat's rows say, cron
and time checked with the field's message, next runs in the account's time zone."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_celery_beat.models import PeriodicTask

from erp.connections import connection_for
from permissions.levels import Level, Tool
from syncs.models import Every, SyncSchedule
from syncs.schedules import ensure_schedules, next_runs, schedule_update
from tests.factories import member


@pytest.fixture
def erp_admin(account):
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def task_of(account, kind: str) -> PeriodicTask:
    schedule = SyncSchedule.objects.get(connection__account=account, kind=kind)
    assert schedule.periodic_task is not None
    return schedule.periodic_task


def test_a_new_connection_gets_procores_default_schedules(account):
    schedules = {s.kind: s for s in ensure_schedules(connection_for(account))}
    assert schedules["vendors"].every == Every.HOURLY
    assert schedules["jobs"].every == Every.HOURLY
    assert schedules["job_cost_transactions"].every == Every.EVERY_2_HOURS
    assert schedules["payments"].every == Every.DAILY
    task = task_of(account, "vendors")
    assert task.enabled and task.task == "syncs.scheduled_sync"
    assert task.interval is not None and task.interval.every == 1
    assert json.loads(task.kwargs) == {
        "connection_id": connection_for(account).pk,
        "kind": "vendors",
    }
    # Asking again creates nothing more.
    ensure_schedules(connection_for(account))
    assert PeriodicTask.objects.filter(task="syncs.scheduled_sync").count() == len(schedules)


def test_what_the_admin_sets_is_what_beat_runs(account, erp_admin):
    account.time_zone = "America/Denver"
    account.save()
    schedule_update(actor=erp_admin, account=account, kind="vendors", every=Every.EVERY_4_HOURS)
    task = task_of(account, "vendors")
    assert task.enabled and task.crontab is None and task.interval.every == 4

    schedule_update(
        actor=erp_admin, account=account, kind="payments", every=Every.DAILY, at=dt.time(5, 30)
    )
    task = task_of(account, "payments")
    assert task.interval is None
    assert (task.crontab.hour, task.crontab.minute) == ("5", "30")
    assert str(task.crontab.timezone) == "America/Denver"

    schedule_update(
        actor=erp_admin, account=account, kind="jobs", every=Every.CRON, cron="15 6 * * 1-5"
    )
    task = task_of(account, "jobs")
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == (
        "15",
        "6",
        "1-5",
    )

    schedule_update(actor=erp_admin, account=account, kind="jobs", every=Every.NEVER)
    assert not task_of(account, "jobs").enabled
    assert next_runs(SyncSchedule.objects.get(kind="jobs"), account) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"every": Every.CRON, "cron": "61 * * * *"}, "cron"),
        ({"every": Every.CRON, "cron": "0 6 * *"}, "cron"),
        ({"every": Every.CRON, "cron": "0 6 * * funday"}, "cron"),
        ({"every": Every.DAILY, "at": None}, "at"),
        ({"every": "weekly"}, "every"),
    ],
)
def test_a_bad_schedule_says_which_field_and_changes_nothing(account, erp_admin, changes, field):
    ensure_schedules(connection_for(account))
    before = task_of(account, "vendors")
    with pytest.raises(ValidationError) as refused:
        schedule_update(actor=erp_admin, account=account, kind="vendors", **changes)
    assert field in refused.value.message_dict
    assert SyncSchedule.objects.get(kind="vendors").every == Every.HOURLY
    after = task_of(account, "vendors")
    assert (after.interval_id, after.crontab_id, after.enabled) == (
        before.interval_id,
        before.crontab_id,
        before.enabled,
    )


def test_only_erp_admins_configure_schedules(account):
    standard = member(account, levels={Tool.ERP_INTEGRATIONS: Level.STANDARD})
    with pytest.raises(PermissionDenied):
        schedule_update(actor=standard, account=account, kind="vendors", every=Every.NEVER)


def test_next_runs_of_a_cron_are_in_the_accounts_time_zone(account, erp_admin):
    account.time_zone = "America/Chicago"
    account.save()
    schedule_update(
        actor=erp_admin, account=account, kind="jobs", every=Every.CRON, cron="30 7 * * 1"
    )
    runs = next_runs(SyncSchedule.objects.get(kind="jobs"), account, count=3)
    assert len(runs) == 3
    zone = zoneinfo.ZoneInfo("America/Chicago")
    for moment in runs:
        local = moment.astimezone(zone)
        assert (local.weekday(), local.hour, local.minute) == (0, 7, 30)
    assert runs[1] - runs[0] >= dt.timedelta(days=6, hours=23)


def test_changing_the_time_zone_moves_daily_schedules(account, erp_admin):
    schedule_update(
        actor=erp_admin, account=account, kind="payments", every=Every.DAILY, at=dt.time(2, 0)
    )
    account.time_zone = "Europe/Paris"
    account.save(update_fields=["time_zone"])
    assert str(task_of(account, "payments").crontab.timezone) == "Europe/Paris"

"""When a kind of sync runs next, as the overview's *Syncs* panel and the schedules page say it:
a kind that never ran counts from its schedule's last change, as beat does (never "now"), its
last sync reads "Never run", a schedule that is off reads "Not scheduled", and times read in the
portal's date style ("Today at 14:00", "Dec 3, 2026 14:00")."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from demo.seed import seed_demo
from erp.models import ErpConnection
from integrations.templatetags.portal_dates import upcoming
from syncs.models import Every, SyncRun, SyncSchedule
from syncs.schedules import ensure_schedules, next_runs, schedule_update
from tests.factories import demo_user as user
from tests.factories import signed_in as client_of

NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def test_upcoming_reads_today_tomorrow_then_the_portals_date_style() -> None:
    with timezone.override(dt.UTC):
        assert upcoming(NOON + dt.timedelta(hours=2), NOON) == "Today at 14:00"
        assert upcoming(NOON + dt.timedelta(hours=14), NOON) == "Tomorrow at 02:00"
        assert upcoming(NOON + dt.timedelta(days=3), NOON) == "Dec 3, 2026 12:00"
        assert upcoming(None) == ""


@pytest.fixture
def scene(db: Any) -> Any:
    """The demo account, its schedules, and no run of companies nor jobs ever."""
    account = seed_demo()
    connection = ErpConnection.objects.get(account=account)
    ensure_schedules(connection)
    SyncRun.objects.filter(account=account, kind__in=["vendors", "jobs"]).delete()
    PeriodicTask.objects.filter(
        pk__in=SyncSchedule.objects.filter(connection=connection).values("periodic_task")
    ).update(last_run_at=None)
    return account, connection


def changed(connection: ErpConnection, kind: str, ago: dt.timedelta) -> dt.datetime:
    """Say the beat row of ``kind`` last changed ``ago``; when that was."""
    when = timezone.now() - ago
    schedule = SyncSchedule.objects.get(connection=connection, kind=kind)
    PeriodicTask.objects.filter(pk=schedule.periodic_task_id).update(date_changed=when)
    return when


def test_a_kind_that_never_ran_runs_an_interval_after_its_last_change(scene: Any) -> None:
    account, connection = scene
    since = changed(connection, "vendors", dt.timedelta(minutes=20))
    schedule = SyncSchedule.objects.select_related("periodic_task").get(kind="vendors")
    assert next_runs(schedule, account, count=1) == [since + dt.timedelta(hours=1)]
    # Missed runs (beat was not running) keep the rhythm: the next one, not "now".
    since = changed(connection, "vendors", dt.timedelta(hours=5, minutes=20))
    schedule = SyncSchedule.objects.select_related("periodic_task").get(kind="vendors")
    assert next_runs(schedule, account, count=2) == [
        since + dt.timedelta(hours=6),
        since + dt.timedelta(hours=7),
    ]


def test_the_overview_says_never_run_and_when_it_runs_next(scene: Any) -> None:
    account, connection = scene
    since = changed(connection, "vendors", dt.timedelta(minutes=20))
    schedule_update(actor=user("erpadmin"), account=account, kind="jobs", every=Every.NEVER)
    page = client_of("erpadmin").get(reverse("account-home", kwargs={"account": account.slug}))
    zone = zoneinfo.ZoneInfo(account.time_zone)
    with timezone.override(zone):
        expected = upcoming(since + dt.timedelta(hours=1))
        now = timezone.localtime().strftime("%H:%M")
    vendors = page.text.split('id="dash-sync-vendors"')[1].split("</tr>")[0]
    assert "Never run" in vendors
    assert f"<td>{expected}</td>" in vendors
    assert expected != f"Today at {now}"
    jobs = page.text.split('id="dash-sync-jobs"')[1].split("</tr>")[0]
    assert "Never run" in jobs and "Not scheduled" in jobs


def test_the_schedules_page_says_never_run_and_the_next_times(scene: Any) -> None:
    account, connection = scene
    since = changed(connection, "vendors", dt.timedelta(minutes=20))
    page = client_of("erpadmin").get(reverse("sync-schedules", kwargs={"account": account.slug}))
    assert page.status_code == 200
    row = page.text.split('id="schedule-vendors"')[1].split("</tr>")[0]
    zone = zoneinfo.ZoneInfo(account.time_zone)
    with timezone.override(zone):
        first = upcoming(since + dt.timedelta(hours=1))
    assert "Never run" in row
    assert f'<td class="next-runs">{first}<br>' in row

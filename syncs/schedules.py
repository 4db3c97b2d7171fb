"""Sync schedules: what the ERP admin chose per kind (:class:`SyncSchedule`) and the
django-celery-beat row that carries it out, written together in one transaction; and the next
run times, computed as beat computes them, in the account's time zone."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from audit.services import Change, audit_rows
from erp.connections import connection_for, connector_class_for
from erp.models import ErpConnection
from permissions.access import can, describe
from permissions.policy import Action
from syncs.kinds import kinds_for
from syncs.models import Every, SyncSchedule
from tenancy.models import Account

HOURS = {Every.HOURLY: 1, Every.EVERY_2_HOURS: 2, Every.EVERY_4_HOURS: 4}
CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def parse_cron(expression: str) -> dict[str, str]:
    """The five fields of a cron expression (``m h dom mon dow``), checked as beat reads them;
    ValidationError on the ``cron`` field when they do not make sense."""
    parts = expression.split()
    if len(parts) != 5:
        raise ValidationError(
            {"cron": "Give five fields: minute hour day-of-month month weekday (e.g. 0 6 * * 1-5)."}
        )
    fields = dict(zip(CRON_FIELDS, parts, strict=True))
    try:
        crontab(**fields)
    except (ValueError, IndexError) as exc:
        raise ValidationError({"cron": f"Not a valid cron expression: {exc}"}) from None
    return fields


def _crontab_fields(schedule: SyncSchedule) -> dict[str, str] | None:
    if schedule.every == Every.DAILY and schedule.at is not None:
        return {
            "minute": str(schedule.at.minute),
            "hour": str(schedule.at.hour),
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "*",
        }
    if schedule.every == Every.CRON:
        return parse_cron(schedule.cron)
    return None


def _write_task(schedule: SyncSchedule, account: Account) -> None:
    """Make the beat row say what ``schedule`` says."""
    task = schedule.periodic_task or PeriodicTask(
        name=f"ERP sync {account.slug}: {schedule.kind}",
        task="syncs.scheduled_sync",
        kwargs=json.dumps({"connection_id": schedule.connection_id, "kind": schedule.kind}),
    )
    fields = _crontab_fields(schedule)
    if fields is not None:
        task.crontab, _ = CrontabSchedule.objects.get_or_create(
            timezone=zoneinfo.ZoneInfo(account.time_zone), **fields
        )
        task.interval = None
    elif schedule.every in HOURS:
        task.interval, _ = IntervalSchedule.objects.get_or_create(
            every=HOURS[Every(schedule.every)], period=IntervalSchedule.HOURS
        )
        task.crontab = None
    elif task.interval is None and task.crontab is None:  # Never, from the start
        task.interval, _ = IntervalSchedule.objects.get_or_create(
            every=1, period=IntervalSchedule.HOURS
        )
    task.enabled = schedule.every != Every.NEVER
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task", "updated_at"])


def ensure_schedules(connection: ErpConnection) -> list[SyncSchedule]:
    """The connection's schedules, one per kind its connector sends, with Procore's defaults
    for the kinds that have none yet; kinds the connector no longer sends stop."""
    account = connection.account
    kinds = kinds_for(connector_class_for(account))
    have = {s.kind: s for s in SyncSchedule.objects.filter(connection=connection)}
    with transaction.atomic():
        for kind in kinds:
            if kind.key not in have:
                have[kind.key] = SyncSchedule.objects.create(
                    connection=connection, kind=kind.key, every=kind.every, at=kind.at
                )
                _write_task(have[kind.key], account)
        keys = {kind.key for kind in kinds}
        PeriodicTask.objects.filter(
            pk__in=[s.periodic_task_id for k, s in have.items() if k not in keys]
        ).update(enabled=False)
    return [have[kind.key] for kind in kinds]


def schedule_update(
    *,
    actor: Any,
    account: Account,
    kind: str,
    every: str,
    at: dt.time | None = None,
    cron: str = "",
) -> SyncSchedule:
    """Change when ``kind`` syncs. ValidationError (by field) on a bad choice, time or cron."""
    if not can(actor, Action.CONFIGURE_SYNC_SCHEDULE, account):
        raise PermissionDenied(
            f"You do not have permission to {describe(Action.CONFIGURE_SYNC_SCHEDULE)}."
        )
    connection = connection_for(account)
    schedules = {s.kind: s for s in ensure_schedules(connection)}
    if kind not in schedules:
        raise ValidationError({"kind": f"{kind!r} is not a kind this ERP syncs."})
    if every not in Every.values:
        raise ValidationError({"every": f"Choose one of: {', '.join(Every.values)}."})
    if every == Every.DAILY and at is None:
        raise ValidationError({"at": "Give the time of day for a daily sync (HH:MM)."})
    cron = cron.strip()
    if every == Every.CRON:
        parse_cron(cron)
    with transaction.atomic():
        schedule = SyncSchedule.objects.select_for_update().get(pk=schedules[kind].pk)
        before = _when(schedule)
        schedule.every = every
        schedule.at = at if every == Every.DAILY else None
        schedule.cron = cron if every == Every.CRON else ""
        schedule.save(update_fields=["every", "at", "cron", "updated_at"])
        _write_task(schedule, account)
        audit_rows(
            actor,
            [
                Change(
                    account.pk,
                    "sync_schedule",
                    schedule.pk,
                    "schedule_changed",
                    before=before["every"][:12],
                    after=every[:12],
                    data={
                        "kind": kind,
                        "at": str(schedule.at or ""),
                        "cron": schedule.cron,
                        "changed": _changed(before, _when(schedule)),
                    },
                )
            ],
        )
    return schedule


def _when(schedule: SyncSchedule) -> dict[str, str]:
    return {"every": schedule.every, "at": str(schedule.at or ""), "cron": schedule.cron}


def _changed(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def rewrite_time_zone(account: Account) -> None:
    """Daily and cron schedules run in the account's time zone: follow a change of it."""
    for schedule in SyncSchedule.objects.filter(connection__account=account).exclude(
        every__in=[*HOURS, Every.NEVER]
    ):
        _write_task(schedule, account)


def next_runs(schedule: SyncSchedule, account: Account, count: int = 3) -> list[dt.datetime]:
    """When beat will run ``schedule`` next (in the account's time zone); empty for Never."""
    zone = zoneinfo.ZoneInfo(account.time_zone)
    task = schedule.periodic_task
    if schedule.every == Every.NEVER or task is None or not task.enabled:
        return []
    now = timezone.now()
    if schedule.every in HOURS:
        step = dt.timedelta(hours=HOURS[Every(schedule.every)])
        first = _next_interval(task.last_run_at or task.date_changed or now, step, now)
        return [(first + i * step).astimezone(zone) for i in range(count)]
    fields = _crontab_fields(schedule)
    assert fields is not None
    return _cron_times(crontab(**fields), now.astimezone(zone), count)


def _next_interval(since: dt.datetime, step: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """The first run after ``now`` of a task run every ``step`` from ``since``: its last run,
    or for a task that never ran its last change (beat counts from there). A run missed while
    beat was not running is not "now": the next one keeps the schedule's rhythm."""
    first = since + step
    if first > now:
        return first
    missed = (now - first) // step + 1
    return first + missed * step


def _cron_times(spec: crontab, after: dt.datetime, count: int) -> list[dt.datetime]:
    """The next ``count`` minutes after ``after`` that ``spec`` matches (celery's reading:
    every field must match; Sunday is 0)."""
    found: list[dt.datetime] = []
    day = after.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(366 * 5):
        weekday = day.isoweekday() % 7
        if (
            day.month in spec.month_of_year
            and day.day in spec.day_of_month
            and weekday in spec.day_of_week
        ):
            for hour in sorted(spec.hour):
                for minute in sorted(spec.minute):
                    moment = day.replace(hour=hour, minute=minute)
                    if moment > after:
                        found.append(moment)
                        if len(found) == count:
                            return found
        day = day + dt.timedelta(days=1)  # wall-clock days in the zone
    return found

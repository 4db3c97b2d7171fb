"""Schedule the ERP Integrations Daily Summary: 07:00 every day, in settings.TIME_ZONE.

A row of django-celery-beat's database scheduler, so it can be moved or turned off from the
admin. Idempotent: an existing task of that name (perhaps edited by an admin) is left alone.
Reversible: the task goes, and its crontab too when nothing else uses it.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TASK_NAME = "ERP Integrations Daily Summary"
TASK = "approvals.tasks.send_erp_digests"
CRONTAB = {
    "minute": "0",
    "hour": "7",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
}


def _schedule_changed(apps):
    # Beat's DatabaseScheduler re-reads its schedule when this row moves; historical models
    # send none of the signals that would move it.
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    crontab = CrontabSchedule.objects.filter(**CRONTAB, timezone=settings.TIME_ZONE).first()
    if crontab is None:
        crontab = CrontabSchedule.objects.create(**CRONTAB, timezone=settings.TIME_ZONE)
    PeriodicTask.objects.create(
        name=TASK_NAME,
        task=TASK,
        crontab=crontab,
        args="[]",
        kwargs="{}",
        enabled=True,
        # A digest older than half a day (a worker down overnight) is dropped, not sent late;
        # the next morning's lists the same items.
        expire_seconds=12 * 3600,
        description=(
            "Emails each accounting approver who subscribes to ERP digest emails what awaits "
            "them in the Ready to Export queue, oldest first."
        ),
    )
    _schedule_changed(apps)


def delete_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks = PeriodicTask.objects.filter(name=TASK_NAME, task=TASK)
    if not tasks.exists():
        return
    crontab_ids = [pk for pk in tasks.values_list("crontab_id", flat=True) if pk is not None]
    tasks.delete()
    CrontabSchedule.objects.filter(pk__in=crontab_ids, periodictask__isnull=True).delete()
    _schedule_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]

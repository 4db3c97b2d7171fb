"""Runs, their cursors, the staged records they produce, and the schedules beat runs them on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_celery_beat.models import PeriodicTask

from erp.models import ErpConnection
from tenancy.models import Account
from tenancy.scoping import AccountScopedQuerySet


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Sync now"
    IMPORT = "import", "After an import"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING)


class SyncCursor(models.Model):
    """Where the syncs of one kind stand with the ERP: one row per (connection, kind), created
    once and locked (``select_for_update``) by whatever starts a run or commits a batch, so
    two runs of a kind never go at once. ``position`` maps each fetch (a connector kind, and
    the job for per-job kinds) to the cursor after the last batch committed."""

    connection = models.ForeignKey(ErpConnection, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    position = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    account_path = "connection__account"
    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "kind"], name="one_cursor_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} cursor"


class SyncRun(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(ErpConnection, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    project = models.ForeignKey(
        "integrations.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only this project's records (project-level kinds); empty: every project.",
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # [{"origin_id", "origin_code", "message"}] for the ERP records that could not be taken
    # (the first MAX_ERRORS of them; ``invalid`` counts them all).
    errors = models.JSONField(default=list, blank=True)

    MAX_ERRORS = 200

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "kind"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_active_run_per_kind",
            )
        ]
        indexes = [models.Index(fields=["account", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} sync #{self.pk} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def done(self) -> int:
        return self.fetched

    @property
    def took(self) -> str:
        """How long it ran, in words ("" until it has ended)."""
        if self.started_at is None or self.finished_at is None:
            return ""
        seconds = (self.finished_at - self.started_at).total_seconds()
        if seconds < 60:
            return f"{seconds:.1f} s"
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.fetched / self.total))


class StagedStatus(models.TextChoices):
    STAGED = "staged", "Ready to Import"
    IMPORTED = "imported", "Imported"
    ARCHIVED = "archived", "Archived"
    INVALID = "invalid", "Invalid"


class StagedRecord(models.Model):
    """An ERP record waiting in *Ready to Import* (Procore's staged record): what the ERP sent
    (``origin_data``), the portal's reading of it (``data``: names, numbers, amounts), and its
    children (a contract's or a budget's lines) under ``parent``. ``linked_id`` is the portal
    record it became or was linked to (of the kind's model)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(ErpConnection, on_delete=models.CASCADE, related_name="+")
    item_type = models.CharField(max_length=40)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    origin_id = models.CharField("ERP id", max_length=100)
    origin_code = models.CharField("ERP code", max_length=100, blank=True)
    origin_data = models.JSONField("ERP data", default=dict)
    data = models.JSONField(default=dict)
    name = models.CharField(max_length=255, blank=True)
    job_origin_id = models.CharField("ERP job", max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=StagedStatus.choices)
    invalid_reason = models.TextField(blank=True)
    linked_id = models.BigIntegerField(null=True, blank=True)
    changed_at = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item_type", "origin_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "item_type", "origin_id"], name="one_staged_record_per_origin"
            )
        ]
        indexes = [models.Index(fields=["account", "item_type", "status", "origin_code"])]

    def __str__(self) -> str:
        return f"{self.origin_code or self.origin_id} {self.name}".strip()


class Every(models.TextChoices):
    HOURLY = "hourly", "Hourly"
    EVERY_2_HOURS = "every_2_hours", "Every 2 hours"
    EVERY_4_HOURS = "every_4_hours", "Every 4 hours"
    DAILY = "daily", "Daily at"
    NEVER = "never", "Never"
    CRON = "cron", "Cron expression"


class SyncSchedule(models.Model):
    """When beat syncs one kind of one connection: what the ERP admin chose, and the
    django-celery-beat row that carries it out (written in the same transaction)."""

    connection = models.ForeignKey(ErpConnection, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    every = models.CharField(max_length=20, choices=Every.choices)
    at = models.TimeField(null=True, blank=True, help_text="For Daily: the time of day.")
    cron = models.CharField(max_length=120, blank=True)
    periodic_task = models.OneToOneField(
        PeriodicTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    account_path = "connection__account"
    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "kind"], name="one_schedule_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.get_every_display()}"

"""The Celery application: configured from Django settings (``CELERY_*``).

Workers keep their database connections between tasks. Celery's Django fixup would close every
connection after each task (a new PostgreSQL connection per task: a fifth of a worker's time per
export); instead, before and after each task, Django's own rule closes only the connections that
are broken or older than ``CONN_MAX_AGE``, and ``CONN_HEALTH_CHECKS`` tests a kept one before
its next use, so a restarted database costs one reconnect, not a failed task.
"""

import os
from typing import Any

from celery import Celery, Task, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp_portal.settings")

app = Celery("erp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The fixup closes the connections only once per this many tasks: never, in effect.
app.conf.CELERY_DB_REUSE_MAX = 2**31
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_connections(sender: Task | None = None, **kwargs: Any) -> None:
    """Django's request-boundary rule, at a task's boundaries (not for an eager task: it runs
    inside its caller's transaction)."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections as close_old

    close_old()

"""What the workflow does when the apps below it announce something."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from approvals import export_tasks
from approvals.models import ExportRequest, RequestState
from erp.signals import connection_resumed
from tenancy.models import Account


@receiver(connection_resumed)
def send_what_waited(sender: Any, *, account: Account, **kwargs: Any) -> None:
    """A resumed connection: the accepted requests that waited go to the ERP at once."""
    waiting = list(
        ExportRequest.objects.filter(account=account, state=RequestState.ACCEPTED).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(lambda: export_tasks.enqueue(waiting))

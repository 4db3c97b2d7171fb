"""Rejection emails go from a worker (a bulk reject of thousands does not wait for them), and
from the rejecting process itself when the broker is down: the sender is told either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from approvals import tasks
from approvals.services import export_reject, export_send
from demo.seed import seed_demo
from integrations import models as m
from tests.factories import demo_user as user

pytestmark = pytest.mark.django_db


def _sent_request(account: Any) -> Any:
    item = m.Commitment.objects.filter(
        account=account,
        status="approved",
        erp_state="unsent",
        vendor__erp_state="synced",
        project__erp_state="synced",
    ).first()
    return export_send(item=item, actor=user("pm"))


def test_a_reject_hands_its_emails_to_a_worker(monkeypatch, django_capture_on_commit_callbacks):
    account = seed_demo()
    request = _sent_request(account)
    mail.outbox.clear()
    published: list[list[int]] = []
    monkeypatch.setattr(tasks.notify_rejected, "delay", published.append)
    with django_capture_on_commit_callbacks(execute=True):
        export_reject(
            account=account, request_ids=[request.pk], actor=user("approver"), reason="No"
        )
    assert published == [[request.pk]]
    assert mail.outbox == []  # the worker sends them
    tasks.notify_rejected(published[0])
    assert [message.to for message in mail.outbox] == [[user("pm").email]]


def test_with_the_broker_down_the_rejecting_process_sends_them(
    monkeypatch, django_capture_on_commit_callbacks
):
    account = seed_demo()
    request = _sent_request(account)
    mail.outbox.clear()

    def down(*args: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.notify_rejected, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        export_reject(
            account=account, request_ids=[request.pk], actor=user("approver"), reason="No"
        )
    assert [message.to for message in mail.outbox] == [[user("pm").email]]
    assert "No" in mail.outbox[0].body

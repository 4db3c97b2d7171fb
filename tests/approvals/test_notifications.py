"""Approver and sender emails, and the daily digest, on the demo account."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from approvals import notifications
from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_reject, export_retrieve, export_send
from approvals.tasks import send_erp_digests
from demo.seed import seed_demo
from integrations.models import Commitment, OwnerInvoice, PrimeContractChangeOrder
from permissions.levels import Level, Tool
from permissions.policy import Action
from tenancy.models import Membership
from tests.factories import demo_user as user
from tests.factories import grant

DIGEST_TASK = "approvals.tasks.send_erp_digests"
migration = importlib.import_module("approvals.migrations.0002_daily_digest_schedule")


@pytest.fixture
def demo(db):
    return seed_demo()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """export_send with its on-commit emails delivered."""

    def run(item, actor):
        with django_capture_on_commit_callbacks(execute=True):
            return export_send(item=item, actor=actor)

    return run


@pytest.fixture
def reject(django_capture_on_commit_callbacks):
    def run(account, requests, actor, reason):
        with django_capture_on_commit_callbacks(execute=True):
            return export_reject(
                account=account, request_ids=[r.pk for r in requests], actor=actor, reason=reason
            )

    return run


def commitments(account, count=1):
    return list(
        Commitment.objects.filter(account=account, status="approved", vendor__erp_state="synced")
        .select_related("project", "vendor")
        .order_by("pk")[:count]
    )


def sendable(model, account, count=1):
    return list(model.objects.filter(account=account, status="approved").order_by("pk")[:count])


def recipients(messages=None):
    return sorted(address for m in (messages or mail.outbox) for address in m.to)


def email_of(name):
    return f"{name}@example.com"


def set_account(account, **values):
    for key, value in values.items():
        setattr(account, key, value)
    account.save(update_fields=list(values))


# --- Immediate email on send ----------------------------------------------------------------


def test_send_emails_nobody_while_the_account_setting_is_off(demo, send):
    assert not demo.notify_approvers_on_send
    send(commitments(demo)[0], user("pm"))
    assert mail.outbox == []


def test_send_emails_each_approver_when_the_account_asks(demo, send):
    set_account(demo, notify_approvers_on_send=True)
    item = commitments(demo)[0]
    request = send(item, user("pm"))

    # Both approvers (erpadmin does not subscribe to the digest, but may decide), one message
    # each: no recipient sees the other.
    assert recipients() == [email_of("approver"), email_of("erpadmin")]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    message = mail.outbox[0]
    assert message.subject == f"Commitment {item.number} {item.title} is ready to export"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.reply_to == [email_of("pm")]
    body = message.body
    assert f"Commitment: {item.number} {item.title}" in body
    assert f"Project: {request.summary['project']}" in body
    assert f"Vendor: {request.summary['vendor']}" in body
    assert "Amount: " in body
    assert "Sent by: Jake Sullivan" in body
    assert "http://127.0.0.1:8000/a/summit/" in body
    detail = reverse(
        "record-detail", kwargs={"account": "summit", "kind": "commitments", "pk": item.pk}
    )
    assert f"http://127.0.0.1:8000{detail}" in body
    assert "&amp;" not in body  # plain text: nothing HTML-escaped


def test_send_email_skips_inactive_users_and_users_without_email(demo, send):
    set_account(demo, notify_approvers_on_send=True)
    erpadmin = user("erpadmin")
    erpadmin.email = ""
    erpadmin.save()
    send(commitments(demo)[0], user("pm"))
    assert recipients() == [email_of("approver")]

    mail.outbox.clear()
    approver = user("approver")
    approver.is_active = False
    approver.save()
    send(commitments(demo, 2)[1], user("pm"))
    assert mail.outbox == []


def test_send_email_links_use_portal_url(demo, send, settings):
    settings.PORTAL_URL = "https://erp.example.com/"
    set_account(demo, notify_approvers_on_send=True)
    send(commitments(demo)[0], user("pm"))
    assert "https://erp.example.com/a/summit/" in mail.outbox[0].body
    assert "127.0.0.1" not in mail.outbox[0].body


def test_send_email_goes_only_to_approvers_who_may_decide_the_type(demo, send, monkeypatch):
    set_account(demo, notify_approvers_on_send=True)
    real_can = notifications.can

    def can(who, action, account, *args, **kwargs):
        if who.username == "erpadmin" and action == Action.ACCEPT_REJECT_COMMITMENT:
            return False
        return real_can(who, action, account, *args, **kwargs)

    monkeypatch.setattr(notifications, "can", can)
    send(commitments(demo)[0], user("pm"))
    assert recipients() == [email_of("approver")]


# --- Reject -----------------------------------------------------------------------------------


def test_reject_emails_sender_and_creator_with_the_reason(demo, send, reject):
    item = commitments(demo)[0]
    Commitment.objects.filter(pk=item.pk).update(created_by=user("viewer"))
    request = send(item, user("pm"))
    reject(demo, [request], user("approver"), "Wrong vendor: use Peak Roofing & Sheet Metal")

    assert recipients() == [email_of("pm"), email_of("viewer")]
    for message in mail.outbox:
        assert message.subject == f"Rejected: Commitment {item.number} {item.title}"
        assert "Reason: Wrong vendor: use Peak Roofing & Sheet Metal" in message.body
        assert "Rejected by: Priya Natarajan" in message.body
        assert f"http://127.0.0.1:8000/a/summit/commitments/{item.pk}/" in message.body
        assert message.reply_to == [email_of("approver")]
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert "You sent it." in by_recipient[email_of("pm")]
    assert "You created it." in by_recipient[email_of("viewer")]


def test_reject_emails_once_when_sender_is_the_creator(demo, send, reject):
    item = commitments(demo)[0]
    assert item.created_by == user("pm")  # the demo's author
    request = send(item, user("pm"))
    reject(demo, [request], user("approver"), "Missing retainage")
    assert recipients() == [email_of("pm")]
    assert "You created and sent it." in mail.outbox[0].body


@pytest.mark.parametrize("model", [PrimeContractChangeOrder, OwnerInvoice])
def test_reject_emails_only_the_sender_for_other_kinds(demo, send, reject, model):
    item = sendable(model, demo)[0]
    if hasattr(item, "created_by"):  # PCCOs record a creator, but only the sender is told
        model.objects.filter(pk=item.pk).update(created_by=user("viewer"))
    request = send(item, user("pm"))
    reject(demo, [request], user("erpadmin"), "Wrong period")
    assert recipients() == [email_of("pm")]
    assert "Rejected by: Morgan Reyes" in mail.outbox[0].body


def test_bulk_reject_sends_one_email_per_person(demo, send, reject):
    items = commitments(demo, 3)
    Commitment.objects.filter(pk=items[2].pk).update(created_by=user("viewer"))
    requests = [send(item, user("pm")) for item in items]
    reject(demo, requests, user("approver"), "Cost codes are wrong")

    assert recipients() == [email_of("pm"), email_of("viewer")]
    by_recipient = {m.to[0]: m for m in mail.outbox}
    to_pm = by_recipient[email_of("pm")]
    assert to_pm.subject == "3 items you sent to the ERP were rejected"
    for item in items:
        assert f"Commitment: {item.number} {item.title}" in to_pm.body
    to_viewer = by_recipient[email_of("viewer")]
    assert to_viewer.subject == f"Rejected: Commitment {items[2].number} {items[2].title}"


def test_nobody_is_told_about_what_they_did_themselves(demo, send, reject):
    """An approver who sends an item is not asked to decide on it by email, and one who
    rejects their own item is not told why."""
    approver = user("approver")
    grant(approver, demo, Tool.COMMITMENTS, Level.ADMIN)
    set_account(demo, notify_approvers_on_send=True)
    item = commitments(demo)[0]
    request = send(item, approver)
    assert recipients() == [email_of("erpadmin")]

    mail.outbox.clear()
    reject(demo, [request], approver, "Sent too early")
    assert recipients() == [email_of("pm")]  # the creator still hears of it
    assert "You created it." in mail.outbox[0].body


def test_a_mail_failure_is_logged_and_the_reject_stands(demo, send, reject, monkeypatch, caplog):
    request = send(commitments(demo)[0], user("pm"))

    def down(messages):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(notifications, "_send", down)
    reject(demo, [request], user("approver"), "Wrong vendor")
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.REJECTED
    assert "Could not email the senders of rejected requests" in caplog.text


def test_accept_emails_nobody(demo, send, django_capture_on_commit_callbacks):
    request = send(commitments(demo)[0], user("pm"))
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(account=demo, request_ids=[request.pk], actor=user("approver"))
    assert mail.outbox == []


# --- A corrected re-send after a reject -------------------------------------------------------


def test_resend_after_reject_notifies_approvers_although_the_setting_is_off(demo, send, reject):
    assert not demo.notify_approvers_on_send
    item = commitments(demo)[0]
    first = send(item, user("pm"))
    reject(demo, [first], user("approver"), "Attach the signed contract")
    mail.outbox.clear()

    again = send(item, user("pm"))

    assert again.is_resend
    assert recipients() == [email_of("approver"), email_of("erpadmin")]
    message = mail.outbox[0]
    assert message.subject == (
        f"Corrected and re-sent: Commitment {item.number} {item.title} is ready to export"
    )
    assert "corrected and re-sent" in message.body
    assert "Reason: Attach the signed contract" in message.body
    assert "rejected by Priya Natarajan" in message.body


def test_resend_after_retrieve_follows_the_account_setting(demo, send):
    item = commitments(demo)[0]
    first = send(item, user("pm"))
    export_retrieve(account=demo, request_id=first.pk, actor=user("pm"))
    send(item, user("pm"))
    assert mail.outbox == []  # only a reject makes a re-send urgent


# --- The daily digest -------------------------------------------------------------------------


NOW = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)


def age(requests, days):
    """Make the requests look sent ``days`` days before NOW (in order, a minute apart)."""
    for offset, request in enumerate(requests):
        sent_at = NOW - dt.timedelta(days=days, minutes=len(requests) - offset)
        ExportRequest.objects.filter(pk=request.pk).update(sent_at=sent_at)


def test_digest_goes_to_subscribed_approvers_oldest_first(demo, send):
    pm = user("pm")
    c_old, c_new, c_mid = (send(c, pm) for c in commitments(demo, 3))
    (pcco,) = (send(i, pm) for i in sendable(PrimeContractChangeOrder, demo))
    age([c_old], 5)
    age([c_mid], 2)
    age([c_new], 0)
    age([pcco], 9)
    # A subscribed member who is not an approver gets nothing.
    Membership.objects.filter(account=demo, user__username="viewer").update(
        subscribe_erp_digest=True
    )

    assert notifications.send_digests(now=NOW) == 1

    (message,) = mail.outbox
    assert message.to == [email_of("approver")]  # erpadmin approves but does not subscribe
    assert message.subject == "ERP Integrations Daily Summary"
    body = message.body
    assert demo.name in body
    assert "4 items await your decision. The oldest has waited 9 days." in body
    assert "Prime contract change order (1)" in body
    assert "Commitments (3)" in body
    # Groups: the kind holding the oldest item first; inside, oldest first.
    order = [
        body.index(text)
        for text in (
            "Prime contract change order (1)",
            pcco.label,
            "Commitments (3)",
            c_old.label,
            c_mid.label,
            c_new.label,
        )
    ]
    assert order == sorted(order)
    assert "(waiting 5 days)" in body
    assert "(waiting 2 days)" in body
    assert "(sent today)" in body
    assert "Sent by Jake Sullivan" in body
    assert "http://127.0.0.1:8000/a/summit/" in body


def test_digest_lists_only_the_kinds_the_approver_may_decide(demo, send, monkeypatch):
    pm = user("pm")
    commitment = send(commitments(demo)[0], pm)
    pcco = send(sendable(PrimeContractChangeOrder, demo)[0], pm)
    real_can = notifications.can

    def can(who, action, account, *args, **kwargs):
        if who.username == "approver" and action == Action.ACCEPT_REJECT_PCCO:
            return False
        return real_can(who, action, account, *args, **kwargs)

    monkeypatch.setattr(notifications, "can", can)

    assert notifications.send_digests(now=NOW) == 1
    body = mail.outbox[0].body
    assert commitment.label in body
    assert pcco.label not in body
    assert "1 item awaits your decision." in body

    # With only a kind they may not decide pending, they get no digest at all.
    mail.outbox.clear()
    ExportRequest.objects.filter(pk=commitment.pk).update(state=RequestState.ACCEPTED)
    assert notifications.send_digests(now=NOW) == 0
    assert mail.outbox == []


def test_no_digest_when_nothing_is_pending(demo, send, django_capture_on_commit_callbacks):
    assert notifications.send_digests(now=NOW) == 0
    request = send(commitments(demo)[0], user("pm"))
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(account=demo, request_ids=[request.pk], actor=user("approver"))
    assert notifications.send_digests(now=NOW) == 0
    assert mail.outbox == []


def test_digest_skips_approvers_without_email(demo, send):
    send(commitments(demo)[0], user("pm"))
    approver = user("approver")
    approver.email = ""
    approver.save()
    assert notifications.send_digests(now=NOW) == 0


def pending_requests(account, count, start=0):
    """Requests as the queue holds them (made directly: the demo has too few sendable items)."""
    pm = user("pm")
    ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment" if i % 2 else "budget",
            item_id=10_000 + i,
            summary={
                "label": f"SC-{i:03d} Item {i}",
                "project": "Lakewood Clinic",
                "vendor": "Peak Roofing & Sheet Metal",
                "amount": "1234.50",
            },
            sent_by=pm,
            sent_at=NOW - dt.timedelta(hours=i),
        )
        for i in range(start, start + count)
    )


def test_digest_queries_do_not_grow_with_the_items(demo):
    # Another subscribed approver, so the count covers more than one recipient.
    Membership.objects.filter(account=demo, user__username="erpadmin").update(
        subscribe_erp_digest=True
    )
    pending_requests(demo, 5)
    with CaptureQueriesContext(connection) as few:
        assert notifications.send_digests(now=NOW) == 2
    assert "5 items await" in mail.outbox[0].body

    pending_requests(demo, 45, start=5)
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as many:
        assert notifications.send_digests(now=NOW) == 2
    assert "50 items await" in mail.outbox[0].body
    assert "Peak Roofing & Sheet Metal" in mail.outbox[0].body
    assert len(many) == len(few)


@pytest.mark.parametrize("count", [5, 50])
def test_digest_query_budget(demo, django_assert_max_num_queries, count):
    pending_requests(demo, count)
    # The accounts with pending requests, their pending requests, the subscribed approvers, and
    # each approver's holdings (membership, templates, company adjustments, project
    # permissions): none per item.
    with django_assert_max_num_queries(7):
        assert notifications.send_digests(now=NOW) == 1


# --- The schedule and the task ------------------------------------------------------------------


def test_the_daily_digest_is_scheduled_at_seven(db):
    task = PeriodicTask.objects.get(task=DIGEST_TASK)
    assert task.enabled
    assert task.name == "ERP Integrations Daily Summary"
    assert task.interval is None and task.crontab is not None
    crontab = task.crontab
    assert (
        crontab.minute,
        crontab.hour,
        crontab.day_of_week,
        crontab.day_of_month,
        crontab.month_of_year,
    ) == ("0", "7", "*", "*", "*")
    assert str(crontab.timezone) == settings.TIME_ZONE


def test_the_schedule_migration_is_idempotent_and_reversible(db):
    migration.create_schedule(django_apps, None)
    assert PeriodicTask.objects.filter(task=DIGEST_TASK).count() == 1

    crontab_id = PeriodicTask.objects.get(task=DIGEST_TASK).crontab_id
    migration.delete_schedule(django_apps, None)
    assert not PeriodicTask.objects.filter(task=DIGEST_TASK).exists()
    assert not CrontabSchedule.objects.filter(pk=crontab_id).exists()
    migration.delete_schedule(django_apps, None)  # nothing left to undo

    migration.create_schedule(django_apps, None)
    assert PeriodicTask.objects.get(task=DIGEST_TASK).crontab.hour == "7"


def test_the_schedule_migration_keeps_an_edited_task(db):
    PeriodicTask.objects.filter(task=DIGEST_TASK).update(enabled=False)
    migration.create_schedule(django_apps, None)
    assert PeriodicTask.objects.filter(task=DIGEST_TASK).get().enabled is False


def test_the_task_runs_and_returns_how_many_emails_it_sent(demo, send):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    send(commitments(demo)[0], user("pm"))
    assert send_erp_digests.name == DIGEST_TASK
    assert send_erp_digests.delay().get(timeout=10) == 1
    assert recipients() == [email_of("approver")]
    assert send_erp_digests.delay().get(timeout=10) == 1  # daily: the item still waits

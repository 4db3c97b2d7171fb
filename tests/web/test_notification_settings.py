"""Your notification settings: any member turns their own daily summary on or off, audited;
nobody changes another's, and the digest honours it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals import notifications
from approvals.services import export_send
from audit.models import AuditEvent
from demo.seed import seed_demo
from integrations.models import Commitment
from tenancy.models import Membership
from tests.factories import AccountFactory
from tests.factories import demo_user as user
from tests.factories import signed_in as login


@pytest.fixture
def demo(db):
    return seed_demo()


def page(account) -> str:
    return reverse("my-notifications", kwargs={"account": account.slug})


def subscribed(account, name) -> bool:
    return Membership.objects.get(account=account, user__username=name).subscribe_erp_digest


def test_an_approver_turns_the_digest_off_and_gets_none(demo):
    export_send(
        item=Commitment.objects.filter(account=demo, status="approved", vendor__erp_state="synced")
        .order_by("pk")
        .first(),
        actor=user("pm"),
    )
    assert [m.to for m in notifications.digest_messages(demo, timezone.now())] == [
        ["approver@example.com"]
    ]
    client = login("approver")
    shown = client.get(page(demo))
    assert shown.status_code == 200
    assert "Email me the ERP Integrations Daily Summary" in shown.text
    assert shown.context["form"]["subscribe_erp_digest"].value() is True
    assert re.search(r'<input[^>]*name="subscribe_erp_digest"[^>]*checked', shown.text)

    response = client.post(page(demo), {})  # unticked
    assert response.status_code == 200
    assert not subscribed(demo, "approver")
    assert "The ERP Integrations Daily Summary is off." in response.text
    assert response.context["form"]["subscribe_erp_digest"].value() is False
    assert notifications.digest_messages(demo, timezone.now()) == []
    row = AuditEvent.objects.get(verb="notification_settings_changed")
    assert row.actor == user("approver")
    assert row.item_type == "membership"
    assert row.data["changed"] == {"Subscribe to ERP digest emails": ["Yes", "No"]}

    client.post(page(demo), {"subscribe_erp_digest": "on"})
    assert subscribed(demo, "approver")
    assert AuditEvent.objects.filter(verb="notification_settings_changed").count() == 2


def test_every_member_may_open_it_for_themselves_only(demo):
    for name in ("viewer", "nobody", "pm"):
        response = login(name).get(page(demo))
        assert response.status_code == 200, name
    viewer = login("viewer")
    assert "goes only to accounting approvers" in viewer.get(page(demo)).text
    viewer.post(page(demo), {"subscribe_erp_digest": "on"})
    assert subscribed(demo, "viewer")
    assert not subscribed(demo, "pm")  # only their own membership changed


def test_saving_without_a_change_writes_no_audit_row(demo):
    login("pm").post(page(demo), {})
    assert not AuditEvent.objects.filter(verb="notification_settings_changed").exists()


def test_another_account_is_404_and_anonymous_logs_in(demo):
    rival = AccountFactory(slug="rival", name="Rival")
    assert login("approver").get(page(rival)).status_code == 404
    anonymous = Client().get(page(demo))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))

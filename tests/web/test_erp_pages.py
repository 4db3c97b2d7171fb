"""The ERP connection page (secrets never shown back), the ERP log and the sandbox ledger page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from approvals.services import export_accept, export_send
from demo.seed import seed_demo
from erp.connections import connection_for, connector_for
from erp.models import ErpCall
from integrations.models import Commitment


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def url(name: str) -> str:
    return reverse(name, kwargs={"account": "summit"})


@pytest.fixture
def demo(db):
    return seed_demo()


def test_connection_page_never_shows_a_secret(demo):
    admin = client_for("erpadmin")
    saved = admin.post(
        url("erp-connection"),
        {"action": "save", "connector_key": "sandbox", "ledger": "summit", "api_key": "tok-9f8e7d"},
    )
    assert saved.status_code == 302
    page = admin.get(url("erp-connection"))
    assert page.status_code == 200
    assert "tok-9f8e7d" not in page.text
    assert "Stored — leave empty to keep it" in page.text
    # Saving again with the secret left empty keeps it.
    admin.post(
        url("erp-connection"), {"action": "save", "connector_key": "sandbox", "ledger": "summit"}
    )
    assert connector_for(connection_for(demo)).settings["api_key"] == "tok-9f8e7d"


def test_connection_page_is_for_erp_admins_only(demo):
    for username in ("approver", "viewer", "pm", "nobody"):
        expected = 403
        response = client_for(username).get(url("erp-connection"))
        if username == "approver":  # Admin on the ERP tool: allowed
            expected = 200
        assert response.status_code == expected, username
    forged = client_for("viewer").post(url("erp-connection"), {"action": "pause"})
    assert forged.status_code == 403
    assert not connection_for(demo).is_paused


def test_test_pause_and_resume_from_the_page(demo):
    admin = client_for("erpadmin")
    tested = admin.post(url("erp-connection"), {"action": "test"}, follow=True)
    assert "the connection works" in tested.text
    paused = admin.post(
        url("erp-connection"), {"action": "pause", "reason": "Month-end close"}, follow=True
    )
    assert "Exports are paused." in paused.text and "Month-end close" in paused.text
    assert connection_for(demo).is_paused
    admin.post(url("erp-connection"), {"action": "resume"})
    assert not connection_for(demo).is_paused


def test_missing_required_setting_is_named(demo):
    response = client_for("erpadmin").post(
        url("erp-connection"),
        {"action": "save", "connector_key": "tryton", "url": "", "database": "erp", "user": "a"},
    )
    assert response.status_code == 400
    assert "Tryton URL is required." in response.text


def test_erp_log_lists_calls_with_filters(demo, django_capture_on_commit_callbacks):
    item = Commitment.objects.filter(account=demo, vendor__erp_state="synced").first()
    request = export_send(item=item, actor=get_user_model().objects.get(username="pm"))
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(
            account=demo,
            request_ids=[request.pk],
            actor=get_user_model().objects.get(username="approver"),
        )
    call = ErpCall.objects.get(payload_summary__request=request.pk)
    log = client_for("erpadmin").get(
        url("erp-log"), {"item_type": "commitment", "item_id": item.pk}
    )
    assert log.status_code == 200
    assert request.label in log.text and f"ERP id {call.response['origin_id']}" in log.text
    assert (
        "No ERP calls match these filters."
        in client_for("erpadmin").get(url("erp-log"), {"outcome": "permanent"}).text
    )
    assert client_for("viewer").get(url("erp-log")).status_code == 403  # Read Only: no sync logs


def test_sandbox_page_shows_what_arrived(demo):
    page = client_for("viewer").get(url("erp-sandbox"), {"kind": "vendors"})
    assert page.status_code == 200
    assert "V-1001" in page.text
    assert client_for("nobody").get(url("erp-sandbox")).status_code == 403


def test_choosing_another_connector_shows_its_settings_without_saving(demo):
    page = client_for("erpadmin").post(
        url("erp-connection"), {"action": "choose", "connector_key": "tryton"}
    )
    assert page.status_code == 200
    assert "Tryton URL" in page.text and "Ledger (ERP company)" not in page.text
    assert connection_for(demo).connector_key == "sandbox"

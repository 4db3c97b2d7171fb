"""The ERP connection form checks each setting as its connector declares it (a number in its
range, yes or no), names the field that is wrong, and the page shows the connection's state."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from erp.connections import connection_for
from erp.services import connection_configure, connection_set_paused
from permissions.levels import Level, Tool
from tests.factories import member
from tests.web.test_pages import login


@pytest.fixture
def admin_client(account):
    return login(member(account, username="erpadmin", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}))


def page_url(account) -> str:
    return reverse("erp-connection", kwargs={"account": account.slug})


@pytest.mark.django_db
def test_garbage_in_a_number_setting_is_refused_next_to_its_field(account, admin_client):
    response = admin_client.post(
        page_url(account),
        {"action": "save", "connector_key": "sandbox", "transient_error_rate": "abc"},
    )
    assert response.status_code == 400
    assert "Connection saved." not in response.text
    assert 'id="id_transient_error_rate-error"' in response.text
    assert "Enter a number." in response.text
    assert "transient_error_rate" not in connection_for(account).settings


@pytest.mark.django_db
def test_a_number_outside_its_range_is_refused(account, admin_client):
    response = admin_client.post(
        page_url(account),
        {"action": "save", "connector_key": "sandbox", "permanent_error_rate": "1.5"},
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 1." in response.text
    assert connection_for(account).settings == {}


@pytest.mark.django_db
def test_numbers_and_a_yes_no_box_are_saved(account, admin_client):
    page = admin_client.get(page_url(account)).text
    assert 'type="checkbox" name="reject_credentials"' in page  # yes/no is a box, not free text
    assert 'type="number" name="latency_ms"' in page
    response = admin_client.post(
        page_url(account),
        {
            "action": "save",
            "connector_key": "sandbox",
            "transient_error_rate": "0.25",
            "latency_ms": "5",
            "reject_credentials": "on",
        },
        follow=True,
    )
    assert "Connection saved." in response.text
    assert connection_for(account).settings == {
        "transient_error_rate": "0.25",
        "latency_ms": "5",
        "reject_credentials": "yes",
    }
    assert 'id="id_reject_credentials" checked' in response.text
    # Unticking turns it off (nothing stored).
    admin_client.post(page_url(account), {"action": "save", "connector_key": "sandbox"})
    assert connection_for(account).settings == {}


@pytest.mark.django_db
def test_the_service_refuses_what_the_form_would(account):
    admin = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    with pytest.raises(ValidationError) as refused:
        connection_configure(
            account=account,
            actor=admin,
            connector_key="sandbox",
            values={"lost_response_rate": "abc", "reject_credentials": "maybe"},
        )
    assert refused.value.message_dict == {
        "lost_response_rate": ["Enter a number."],
        "reject_credentials": ["Choose yes or no."],
    }


@pytest.mark.django_db
def test_the_page_shows_the_last_test_and_the_pause(account, admin_client):
    page = admin_client.get(page_url(account)).text
    assert "Never tested." in page
    admin_client.post(
        page_url(account),
        {"action": "save", "connector_key": "sandbox", "reject_credentials": "on"},
    )
    admin_client.post(page_url(account), {"action": "test"})
    page = admin_client.get(page_url(account)).text
    assert "Refused" in page and "401 Unauthorized: the API key was refused." in page
    admin_client.post(page_url(account), {"action": "save", "connector_key": "sandbox"})
    admin_client.post(page_url(account), {"action": "test"})
    page = admin_client.get(page_url(account)).text
    assert "Connected" in page and "The ERP said" not in page
    admin = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    connection_set_paused(account=account, actor=admin, paused=True, reason="Month-end close.")
    page = admin_client.get(page_url(account)).text
    assert "Paused" in page and "Month-end close." in page

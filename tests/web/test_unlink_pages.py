"""The *Unlink from ERP* and *Reset PCCO* dialogs of a record's page: shown on synced records to
those the matrix lets (Standard or Admin on ERP Integrations to unlink, per the seed; ERP Admin
to reset), refusals shown in place with the page intact, the record unsent afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from erp.connections import connection_for
from integrations.models import ErpState
from permissions.levels import Level
from tests.api.conftest import build_records
from tests.integrations.unlinking import (
    UNLINKABLE,
    delete_in_erp,
    reload,
    synced_record,
    user_at,
)

pytestmark = pytest.mark.django_db

PCCOS = "prime-contract-change-orders"
UNLINK_BUTTON = '<summary class="button danger">Unlink from ERP</summary>'
RESET_BUTTON = '<summary class="button danger">Reset PCCO</summary>'


def client_at(account: Any, erp: Level) -> Client:
    client = Client()
    client.force_login(user_at(account, erp))
    return client


def page(account: Any, key: str, record: Any, name: str = "record-detail") -> str:
    return reverse(name, kwargs={"account": account.slug, "kind": key, "pk": record.pk})


@pytest.mark.parametrize("key", list(UNLINKABLE))
@pytest.mark.parametrize("erp", list(Level))
def test_the_button_follows_the_seed(account: Any, key: str, erp: Level) -> None:
    record = synced_record(account, key)
    shown = UNLINK_BUTTON in client_at(account, erp).get(page(account, key, record)).text
    assert shown == (erp in (Level.STANDARD, Level.ADMIN))


def test_no_button_on_an_unsent_record(account: Any) -> None:
    commitment = build_records(account).commitment
    text = client_at(account, Level.ADMIN).get(page(account, "commitments", commitment)).text
    assert "Unlink from ERP" not in text


def test_unlink_from_the_page(account: Any) -> None:
    commitment = synced_record(account, "commitments")
    client, url = client_at(account, Level.STANDARD), page(account, "commitments", commitment)
    target = page(account, "commitments", commitment, "record-unlink")

    blank = client.post(target, {"unlink-reason": ""})
    assert blank.status_code == 400
    assert commitment.title in blank.text and 'id="unlink-dialog" open' in blank.text
    assert "Say why it is unlinked" in blank.text

    still = client.post(target, {"unlink-reason": "Entered twice"})
    assert still.status_code == 409
    assert f"is still in the ERP as {commitment.origin_id}: delete it there first" in still.text
    assert "Entered twice</textarea>" in still.text  # the reason typed is kept

    delete_in_erp(commitment)
    done = client.post(target, {"unlink-reason": "Entered twice"}, follow=True)
    assert done.redirect_chain == [(url, 302)]
    assert "is unlinked from the ERP" in done.text
    assert "Unlinked from the ERP by" in done.text and "Entered twice" in done.text
    assert UNLINK_BUTTON not in done.text
    assert reload(commitment).erp_state == ErpState.UNSENT


def test_refused_for_erp_read_only(account: Any) -> None:
    commitment = synced_record(account, "commitments")
    target = page(account, "commitments", commitment, "record-unlink")
    response = client_at(account, Level.READ_ONLY).post(target, {"unlink-reason": "Why"})
    assert response.status_code == 403


def test_a_connector_that_cannot_unlink_says_so(account: Any) -> None:
    commitment = synced_record(account, "commitments")
    connection = connection_for(account)
    connection.connector_key = "tryton"
    connection.save()
    text = client_at(account, Level.ADMIN).get(page(account, "commitments", commitment)).text
    assert UNLINK_BUTTON not in text
    assert "Tryton cannot unlink commitments" in text


def test_reset_from_the_pcco_page(account: Any) -> None:
    pcco = synced_record(account, PCCOS)
    url = page(account, PCCOS, pcco)
    assert RESET_BUTTON not in client_at(account, Level.STANDARD).get(url).text
    admin = client_at(account, Level.ADMIN)
    assert RESET_BUTTON in admin.get(url).text
    done = admin.post(page(account, PCCOS, pcco, "record-reset"), {"reset-reason": ""}, follow=True)
    assert done.redirect_chain == [(url, 302)]
    assert "delete it there by hand" in done.text
    assert reload(pcco).erp_state == ErpState.UNSENT


def test_reset_is_only_for_pccos(account: Any) -> None:
    commitment = synced_record(account, "commitments")
    target = page(account, "commitments", commitment, "record-reset")
    assert client_at(account, Level.ADMIN).post(target, {}).status_code == 404
    project = build_records(account).project
    target = page(account, "projects", project, "record-unlink")
    assert client_at(account, Level.ADMIN).post(target, {}).status_code == 404

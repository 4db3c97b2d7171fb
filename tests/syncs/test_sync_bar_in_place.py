"""The sync bar redrawn in place after *Sync now* (htmx) still knows where it is shown: on Ready
to Import it does not offer a link to Ready to Import, its polling keeps saying so, and its plain
form still goes back to the page it was on."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from permissions.levels import Level, Tool
from tests.factories import member

pytestmark = pytest.mark.django_db
WAITING = "Waiting in Ready to Import"


def test_the_bar_keeps_saying_where_it_is_shown(account):
    client = Client()
    client.force_login(member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}))
    now = reverse("sync-now", kwargs={"account": account.slug, "sync": "jobs"})
    ready = reverse("ready-to-import", kwargs={"account": account.slug}) + "?type=jobs"

    on_ready = client.post(now, {"ready": "1", "next": ready}, HTTP_HX_REQUEST="true")
    assert on_ready.status_code == 200
    assert WAITING not in on_ready.text
    assert "ready=1" in on_ready.text  # the polling asks for the same bar
    assert f'name="next" value="{ready}"' in on_ready.text.replace("&amp;", "&")

    polled = client.get(
        reverse("sync-bar", kwargs={"account": account.slug, "sync": "jobs"}), {"ready": "1"}
    )
    assert WAITING not in polled.text

    elsewhere = client.post(now, HTTP_HX_REQUEST="true")  # a bar above a record list
    assert WAITING in elsewhere.text

"""Ready to Import shows the ERP's amounts and dates as the rest of the portal does
("18,750,000.00", "Feb 1, 2027"), on the list and on the record's page; a value that does not
read as its type is shown as the ERP sent it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from erp.connections import connection_for
from permissions.levels import Level, Tool
from syncs.models import StagedRecord, StagedStatus
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_amounts_and_dates_read_in_the_portals_style(account):
    connection = connection_for(account)
    job = StagedRecord.objects.create(
        account=account,
        connection=connection,
        item_type="jobs",
        origin_id="J-77",
        origin_code="J-77",
        name="Harbor Clinic",
        data={
            "name": "Harbor Clinic",
            "estimated_value": "18750000.00",
            "start_date": "2027-02-01",
        },
        changed_at="2026-11-28T10:15:00.123456",
        status=StagedStatus.STAGED,
    )
    odd = StagedRecord.objects.create(
        account=account,
        connection=connection,
        item_type="jobs",
        origin_id="J-78",
        origin_code="J-78",
        name="Odd Job",
        data={"name": "Odd Job", "estimated_value": "n/a", "start_date": "soon"},
        status=StagedStatus.STAGED,
    )
    client = Client()
    client.force_login(member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}))
    listed = client.get(reverse("ready-to-import", args=[account.slug]), {"type": "jobs"})
    assert listed.status_code == 200
    for text in ("18,750,000.00", "Feb 1, 2027", "n/a", "soon"):
        assert text in listed.text
    assert "18750000.00" not in listed.text and "2027-02-01" not in listed.text
    assert "Nov 28, 2026" in listed.text and "2026-11-28" not in listed.text  # changed in the ERP
    page = client.get(reverse("staged-record", args=[account.slug, job.pk]))
    assert "18,750,000.00" in page.text and "Feb 1, 2027" in page.text
    assert client.get(reverse("staged-record", args=[account.slug, odd.pk])).status_code == 200

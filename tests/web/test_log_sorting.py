"""The ERP log, the sync log and the audit trail sort by a click on a column's heading (up, then
down), keep their filters while sorted, and say which column sorts in ``aria-sort``; an unknown
column is ignored (the newest first, as before)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.services import Change, audit_rows
from erp.connections import connection_for
from erp.models import ErpCall
from permissions.levels import Level, Tool
from syncs.models import StagedRecord, StagedStatus, SyncRun, Trigger
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(account):
    client = Client()
    client.force_login(member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}))
    return client


def cells(html: str, column: int) -> list[str]:
    """The text of one column of the page's table body."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    found = []
    for row in rows:
        tds = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        found.append(re.sub(r"<[^>]+>", "", tds[column]).strip())
    return found


def test_the_erp_log_sorts_by_duration_and_keeps_its_filters(account, client):
    connection = connection_for(account)
    start = timezone.now() - dt.timedelta(hours=1)
    for n, (action, ms) in enumerate(
        (("export", 40), ("export", 900), ("fetch", 5), ("export", 7))
    ):
        ErpCall.objects.create(
            account=account,
            connection=connection,
            action=action,
            started_at=start + dt.timedelta(minutes=n),
            duration_ms=ms,
            outcome="success",
        )
    url = reverse("erp-log", args=[account.slug])
    newest_first = client.get(url, {"action": "export"})
    assert cells(newest_first.text, 6) == ["7", "900", "40"]
    up = client.get(url, {"action": "export", "ordering": "duration_ms"})
    assert cells(up.text, 6) == ["7", "40", "900"]
    assert 'aria-sort="ascending"' in up.text
    # The heading's link sorts the other way and keeps the filter.
    link = re.search(r'<a class="sort" href="\?([^"]*)">ms', up.text)
    assert link is not None
    query = link.group(1).replace("&amp;", "&")
    assert "ordering=-duration_ms" in query and "action=export" in query
    down = client.get(f"{url}?{query}")
    assert cells(down.text, 6) == ["900", "40", "7"]
    assert 'aria-sort="descending"' in down.text
    ignored = client.get(url, {"action": "export", "ordering": "error"})
    assert cells(ignored.text, 6) == ["7", "900", "40"]


def test_the_sync_log_sorts_by_what_was_synced(account, client):
    connection = connection_for(account)
    for kind in ("vendors", "budgets", "jobs"):
        SyncRun.objects.create(
            account=account, connection=connection, kind=kind, trigger=Trigger.SCHEDULE
        )
    url = reverse("sync-log", args=[account.slug])
    assert cells(client.get(url).text, 1)[0].startswith("Jobs")  # the newest first
    by_kind = cells(client.get(url, {"ordering": "kind"}).text, 1)
    assert [text.split()[0] for text in by_kind] == ["Budgets", "Jobs", "Companies"]


def test_the_audit_trail_sorts_by_what_happened(account, client):
    audit_rows(
        None,
        [
            Change(account.pk, "commitment", n, verb)
            for n, verb in enumerate(("record_updated", "export_sent", "export_rejected"), 1)
        ],
    )
    url = reverse("audit-trail", args=[account.slug])
    page = client.get(url, {"ordering": "verb"})
    assert page.status_code == 200
    order = re.findall(r'title="(export_rejected|export_sent|record_updated)"', page.text)
    assert order == ["export_rejected", "export_sent", "record_updated"]
    down = client.get(url, {"ordering": "-verb"})
    order = re.findall(r'title="(export_rejected|export_sent|record_updated)"', down.text)
    assert order == ["record_updated", "export_sent", "export_rejected"]


def test_ready_to_import_sorts_by_its_erp_fields_but_not_by_amounts(account, client):
    connection = connection_for(account)
    for code, name, city in (("J-1", "Clinic", "Denver"), ("J-2", "Arena", "Boulder")):
        StagedRecord.objects.create(
            account=account,
            connection=connection,
            item_type="jobs",
            origin_id=code,
            origin_code=code,
            name=name,
            data={"name": name, "city": city, "estimated_value": "9.00"},
            status=StagedStatus.STAGED,
        )
    url = reverse("ready-to-import", args=[account.slug])
    default = client.get(url, {"type": "jobs"}).text
    assert default.index("Clinic") < default.index("Arena")  # by ERP number
    by_city = client.get(url, {"type": "jobs", "ordering": "city"}).text
    assert by_city.index("Arena") < by_city.index("Clinic")
    assert 'aria-sort="ascending"' in by_city
    assert "ordering=-city" in by_city  # the heading's next click sorts down
    assert "ordering=estimated_value" not in by_city  # amounts are text from the ERP: no sort

"""An empty list says what to do next, in the user's words, with a link where there is one:
record lists (with and without rights to create, filtered or not), the sync log, the ERP log,
Ready to Import and the audit trail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from permissions.levels import Level, Tool
from tests.factories import member, signed_in

pytestmark = pytest.mark.django_db


def empty_row(client: Any, url: str) -> str:
    """The text of the list's empty row (tags dropped, links kept as ``[text](href)``)."""
    answer = client.get(url)
    assert answer.status_code == 200, url
    found = re.search(r'<tr class="empty-state">(.*?)</tr>', answer.text, re.S)
    assert found, f"no empty row on {url}"
    linked = re.sub(r'<a href="([^"]*)">(.*?)</a>', r"[\2](\1)", found.group(1))
    return " ".join(re.sub(r"<[^>]+>", "", linked).split())


def page_url(name: str, account: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


@pytest.fixture
def erp_admin(account: Any) -> Any:
    levels = dict.fromkeys(Tool, Level.ADMIN)
    return signed_in(member(account, levels=levels))


def test_an_empty_record_list_points_to_the_new_button(account: Any, erp_admin: Any) -> None:
    url = page_url("record-list", account, kind="commitments")
    row = empty_row(erp_admin, url)
    new = page_url("record-create", account, kind="commitments")
    assert row == f"No commitments yet. Start with [New commitment]({new})."


def test_a_list_the_erp_fills_points_to_its_sync_and_the_form(account: Any, erp_admin: Any) -> None:
    row = empty_row(erp_admin, page_url("record-list", account, kind="companies"))
    new = page_url("record-create", account, kind="companies")
    assert row == (
        "No companies yet. Bring them in from the ERP with the sync button above,"
        f" or [create one in the portal]({new})."
    )


def test_a_reader_is_told_where_records_come_from(account: Any) -> None:
    reader = signed_in(member(account, levels={Tool.COMMITMENTS: Level.READ_ONLY}))
    row = empty_row(reader, page_url("record-list", account, kind="commitments"))
    assert row.startswith("No commitments yet. They appear here once someone")
    assert "[" not in row  # no link to a form the reader may not open


def test_a_filtered_empty_list_offers_to_clear_the_filters(account: Any, erp_admin: Any) -> None:
    url = page_url("record-list", account, kind="commitments")
    row = empty_row(erp_admin, f"{url}?q=nothing-like-this")
    assert (
        row
        == f"No commitments match these filters. Try other filters, or [clear the filters]({url})."
    )


def test_the_logs_and_ready_to_import_say_what_to_do(account: Any, erp_admin: Any) -> None:
    schedules = page_url("sync-schedules", account)
    assert empty_row(erp_admin, page_url("sync-log", account)) == (
        "No syncs yet. Bring records in from the ERP with a button under Sync now above,"
        f" or choose when they run on [Sync schedules]({schedules})."
    )
    connection = page_url("erp-connection", account)
    erp_log = empty_row(erp_admin, page_url("erp-log", account))
    assert erp_log.startswith("No ERP calls yet. Calls are listed here when the portal exports")
    assert erp_log.endswith(f"[ERP connection]({connection}).")
    ready = empty_row(erp_admin, page_url("ready-to-import", account) + "?type=jobs")
    assert ready.startswith("No jobs wait to be imported. Press Refresh job list above")


def test_the_audit_trail_filtered_to_nothing(account: Any, erp_admin: Any) -> None:
    row = empty_row(
        erp_admin, page_url("audit-trail", account) + "?item_type=commitment&item_id=999"
    )
    assert row == "No changes match these filters. Try other filters, or [clear the filters](?)."

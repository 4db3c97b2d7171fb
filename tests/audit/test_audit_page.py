"""The Audit page of an account: who may open it, its filters, its rows in words, its pages
(a constant number of queries), the CSV of exactly the filtered rows, and the per-object view
reached from a record's page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import ExportRequest
from audit.models import AuditEvent
from audit.services import Change, audit_rows
from demo.seed import seed_demo
from integrations.audit_trail import data_lines, verb_label
from permissions.levels import Level, Tool
from tests.factories import CommitmentFactory, member

pytestmark = pytest.mark.django_db


def page_url(account: Any, name: str = "audit-trail") -> str:
    return reverse(name, kwargs={"account": account.slug})


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def erp_admin(account: Any, username: str = "erpadmin") -> Any:
    return member(account, username=username, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def csv_rows(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_erp_admins_and_superusers_open_it_others_are_refused(account, other_account):
    admin = erp_admin(account)
    approver = member(
        account,
        username="approver",
        levels={Tool.ERP_INTEGRATIONS: Level.STANDARD},
        can_push_to_accounting=True,
    )
    viewer = member(account, username="viewer", levels={Tool.ERP_INTEGRATIONS: Level.READ_ONLY})
    outsider = erp_admin(other_account, username="rival-admin")
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    for name in ("audit-trail", "audit-trail-csv"):
        assert logged_in(admin).get(page_url(account, name)).status_code == 200
        assert logged_in(root).get(page_url(account, name)).status_code == 200
        assert logged_in(approver).get(page_url(account, name)).status_code == 403
        assert logged_in(viewer).get(page_url(account, name)).status_code == 403
        assert logged_in(outsider).get(page_url(account, name)).status_code == 404
        anonymous = Client().get(page_url(account, name))
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_audit_tab_shows_only_to_those_who_may_open_it(account):
    admin = erp_admin(account)
    approver = member(
        account,
        username="approver",
        levels={Tool.ERP_INTEGRATIONS: Level.STANDARD},
        can_push_to_accounting=True,
    )
    home = reverse("account-home", kwargs={"account": account.slug})
    tab = f'<a href="{page_url(account)}"'
    assert tab in logged_in(admin).get(home).text
    assert tab not in logged_in(approver).get(home).text


def test_rows_read_in_words_newest_first(account):
    admin = erp_admin(account)
    admin.first_name, admin.last_name = "Erin", "Admin"
    admin.save()
    earlier = timezone.now() - dt.timedelta(days=1)
    audit_rows(
        None,
        [
            Change(
                account.pk,
                "sync_run",
                4,
                "sync_started",
                before="queued",
                after="running",
                at=earlier,
            )
        ],
    )
    audit_rows(
        admin,
        [
            Change(
                account.pk,
                "account",
                account.pk,
                "settings_changed",
                reason="Matching the ERP",
                data={"use_portal_contract_numbers": ["True", "False"]},
            )
        ],
    )
    page = logged_in(admin).get(page_url(account))
    text = page.text
    assert text.index("Settings changed") < text.index("Sync started")  # newest first
    assert "Erin Admin" in text
    assert "System" in text  # the row no person wrote
    assert "Use portal contract numbers:</span> True → False" in text
    assert "Matching the ERP" in text
    assert "Queued → Running" in text  # a sync run's states, as the sync log names them
    assert earlier.strftime("%b") in text  # dated like the rest of the portal ("Nov 28, 2026")


def test_verb_labels_and_data_fall_back_to_words():
    assert verb_label("settings_changed") == "Settings changed"
    assert verb_label("never_seen_before") == "Never seen before"
    assert data_lines({"changed": {"budget": [0, 3]}, "fields": ["title", "amount"]}) == [
        ("Budget", "0 → 3"),
        ("Fields", "title, amount"),
    ]


def write(account: Any, actor: Any, verb: str, item_type: str, item_id: int, **kwargs: Any) -> None:
    audit_rows(actor, [Change(account.pk, item_type, item_id, verb, **kwargs)])


@pytest.fixture
def trail(account, other_account):
    admin = erp_admin(account)
    clerk = member(account, username="clerk")
    old = timezone.now() - dt.timedelta(days=10)
    write(account, admin, "record_updated", "commitment", 5, reason="typo in title")
    write(account, clerk, "record_updated", "commitment", 6, reason="new amount")
    write(
        account, admin, "accept", "commitment", 5, request_id=77, before="pending", after="accepted"
    )
    write(account, None, "export_synced", "commitment", 5, request_id=77, at=old)
    write(
        account,
        clerk,
        "settings_changed",
        "account",
        account.pk,
        reason='=HYPERLINK("http://evil")',
    )
    write(other_account, None, "record_updated", "commitment", 5, reason="elsewhere")
    return {"admin": admin, "clerk": clerk, "old": old}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 5),
        ("actor={clerk}", 2),
        ("actor=system", 1),
        ("verb=record_updated", 2),
        ("item_type=commitment&item_id=5", 3),
        ("request_id=77", 2),
        ("q=TYPO", 1),
        ("date_to={old}", 1),
        ("date_from={today}", 4),
        ("verb=record_updated&actor={admin}", 1),
    ],
)
def test_filters_narrow_the_page_and_the_csv_alike(account, trail, query, expected):
    query = query.format(
        clerk=trail["clerk"].pk,
        admin=trail["admin"].pk,
        old=timezone.localdate(trail["old"]).isoformat(),
        today=timezone.localdate().isoformat(),
    )
    client = logged_in(trail["admin"])
    page = client.get(f"{page_url(account)}?{query}")
    assert page.status_code == 200
    assert f"{expected} change" in page.text
    rows = csv_rows(client.get(f"{page_url(account, 'audit-trail-csv')}?{query}"))
    assert len(rows) == expected
    assert all(row["Reason"] != "elsewhere" for row in rows)  # never another account's


def test_the_csv_has_the_filtered_rows_and_neutralises_formulas(account, trail):
    client = logged_in(trail["admin"])
    response = client.get(f"{page_url(account, 'audit-trail-csv')}?item_type=commitment")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [(r["Verb"], r["Object id"], r["Export request"]) for r in rows] == [
        ("accept", "5", "77"),
        ("record_updated", "6", ""),
        ("record_updated", "5", ""),
        ("export_synced", "5", "77"),
    ]
    assert rows[0]["Action"] == "Accepted for export"
    assert rows[0]["Who"] == "erpadmin"
    assert rows[-1]["Who"] == "System"
    formula = csv_rows(client.get(f"{page_url(account, 'audit-trail-csv')}?verb=settings_changed"))
    assert formula[0]["Reason"] == '\'=HYPERLINK("http://evil")'


def test_a_filter_that_is_not_valid_names_its_field(account, trail):
    client = logged_in(trail["admin"])
    page = client.get(f"{page_url(account)}?item_id=five")
    assert page.status_code == 400
    assert "Enter a whole number." in page.text
    assert client.get(f"{page_url(account)}?actor=someone").status_code == 400


def test_verb_choices_are_the_verbs_present(account, trail):
    page = logged_in(trail["admin"]).get(page_url(account))
    assert '<option value="export_synced">Synced with the ERP</option>' in page.text
    assert 'value="token_revoked"' not in page.text  # no such row in this account


def queries_for_a_page(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_a_page_costs_the_same_queries_for_10_or_200_rows(account):
    admin = erp_admin(account)
    client = logged_in(admin)
    people = [member(account, username=f"m{i}") for i in range(3)]

    def add(count: int) -> None:
        for i in range(count):
            write(account, people[i % 3], "record_updated", "commitment", i)

    add(10)
    few = queries_for_a_page(client, page_url(account))
    add(190)
    many = queries_for_a_page(client, page_url(account))
    assert few == many
    assert "200 changes" in client.get(page_url(account)).text


def test_a_record_page_links_to_its_history(account):
    admin = member(
        account,
        username="erpadmin",
        levels={Tool.ERP_INTEGRATIONS: Level.ADMIN, Tool.COMMITMENTS: Level.ADMIN},
    )
    commitment = CommitmentFactory(account=account)
    write(account, admin, "record_updated", "commitment", commitment.pk, reason="the one")
    write(account, admin, "record_updated", "commitment", commitment.pk + 1, reason="another")
    client = logged_in(admin)
    detail = client.get(
        reverse(
            "record-detail",
            kwargs={"account": account.slug, "kind": "commitments", "pk": commitment.pk},
        )
    )
    link = f"{page_url(account)}?item_type=commitment&amp;item_id={commitment.pk}"
    assert f'href="{link}"' in detail.text
    history = client.get(link.replace("&amp;", "&"))
    assert "the one" in history.text and "another" not in history.text
    # The row links back to the record's page.
    assert f'/a/{account.slug}/commitments/{commitment.pk}/"' in history.text


def test_a_record_page_has_no_history_link_for_those_who_may_not_open_it(account):
    pm = member(account, username="pm", levels={Tool.COMMITMENTS: Level.ADMIN})
    commitment = CommitmentFactory(account=account)
    detail = logged_in(pm).get(
        reverse(
            "record-detail",
            kwargs={"account": account.slug, "kind": "commitments", "pk": commitment.pk},
        )
    )
    assert detail.status_code == 200
    assert page_url(account) not in detail.text


def test_rows_are_the_accounts_own(account, other_account):
    admin = erp_admin(account)
    write(other_account, None, "record_updated", "commitment", 1, reason="rival secret")
    assert AuditEvent.objects.filter(account=other_account).exists()
    assert "rival secret" not in logged_in(admin).get(page_url(account)).text


def test_each_export_request_links_to_its_history():
    account = seed_demo()
    sent = ExportRequest.objects.filter(account=account, item_type="commitment").first()
    assert sent is not None
    client = logged_in(get_user_model().objects.get(username="erpadmin"))
    detail = client.get(
        reverse(
            "record-detail",
            kwargs={"account": account.slug, "kind": "commitments", "pk": sent.item_id},
        )
    )
    link = f"{page_url(account)}?request_id={sent.pk}"
    assert f'href="{link}"' in detail.text
    history = client.get(link)
    assert f"History of export request {sent.pk}" in history.text
    shown = AuditEvent.objects.filter(account=account, request_id=sent.pk).count()
    assert shown and f"{shown} change" in history.text

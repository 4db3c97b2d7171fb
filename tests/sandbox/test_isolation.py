"""Tenant isolation through the sandbox ERP: every account's records share the ledger tables,
and an account reaches only its own ledger, whatever its ERP admin types in the connection's
settings or whatever a connection row holds.

Account A (``summit``) has records in its ledger; B (``rival``) is the neighbour whose ERP
admin tries to reach them: through the connection page, and with B's connection row edited in
the database to name A's ledger. There is no API for the connection (it is set on the page
only), so the page is the one way in to try.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from connectors.sandbox import models as ledger
from connectors.sandbox.seed import ensure_records
from erp.connections import account_key, connection_for, connector_for
from erp.models import ErpConnection
from permissions.levels import Level, Tool
from syncs import runner
from syncs.models import RunState, StagedRecord, Trigger
from syncs.services import sync_request
from tenancy.models import Account
from tests.factories import CompanyFactory, member

pytestmark = pytest.mark.django_db

A_VENDOR = ("V-A1", "Alpine Secret Supply", {"name": "Alpine Secret Supply", "city": "Aspen"})
A_INVOICE = ("INV-A1", "Alpine invoice", {"type": "subcontractor_invoice", "amount_due": "9.99"})


@pytest.fixture
def a(account: Account) -> Account:
    """Account A, with a vendor and an invoice in its sandbox ledger."""
    connection_for(account)
    ensure_records(account_key(account), "vendors", [A_VENDOR])
    ensure_records(account_key(account), "subcontractor_invoice", [A_INVOICE])
    return account


@pytest.fixture
def b(other_account: Account) -> Account:
    connection_for(other_account)
    return other_account


@pytest.fixture
def b_admin(b: Account) -> Any:
    """B's ERP admin (who may change the connection, use the console and accept exports) and
    Directory admin (who may send a company)."""
    levels = {Tool.ERP_INTEGRATIONS: Level.ADMIN, Tool.DIRECTORY: Level.ADMIN}
    return member(b, levels=levels, can_push_to_accounting=True)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, name: str, account: Account, **params: str) -> str:
    response = client.get(reverse(name, kwargs={"account": account.slug}), params)
    assert response.status_code == 200
    return response.text


def point_at(account: Account, ledger_name: str) -> None:
    """The connection row edited in the database (no form, no service) to name a ledger."""
    ErpConnection.objects.filter(account=account).update(settings={"ledger": ledger_name})


def a_vendors_count(a: Account) -> int:
    return ledger.Vendor.objects.filter(ledger=account_key(a)).count()


def test_the_connection_page_has_no_ledger_setting_and_ignores_one_posted(a, b, b_admin):
    client = client_for(b_admin)
    form = page(client, "erp-connection", b)
    assert 'name="ledger"' not in form
    assert "a ledger of its own, “rival”" in form
    saved = client.post(
        reverse("erp-connection", kwargs={"account": b.slug}),
        {"action": "save", "connector_key": "sandbox", "ledger": a.slug},
    )
    assert saved.status_code == 302
    assert "ledger" not in connection_for(b).settings
    sandbox = page(client, "erp-sandbox", b, kind="vendors")
    assert "ledger “rival”" in sandbox
    assert "Alpine Secret Supply" not in sandbox


@pytest.mark.parametrize("kind", ["vendors", "invoices"])
def test_bs_sandbox_page_never_lists_as_records(a, b, b_admin, kind):
    point_at(b, a.slug)
    ensure_records(account_key(b), "vendors", [("V-B1", "Rival Lumber", {"name": "Rival Lumber"})])
    text = page(client_for(b_admin), "erp-sandbox", b, kind=kind)
    assert "V-A1" not in text and "Alpine Secret Supply" not in text
    assert "INV-A1" not in text and "Alpine invoice" not in text
    if kind == "vendors":
        assert "Rival Lumber" in text  # B sees its own ledger


def test_bs_erp_console_shows_and_changes_only_bs_ledger(a, b, b_admin):
    point_at(b, a.slug)
    client = client_for(b_admin)
    console = page(client, "erp-sandbox-console", b)
    assert "ledger “rival”" in console
    assert "INV-A1" not in console
    url = reverse("erp-sandbox-console", kwargs={"account": b.slug})
    client.post(url, {"form": "vendor", "vendor-number": "V-A1", "vendor-name": "Overwritten"})
    assert ledger.Vendor.objects.get(ledger=account_key(a), number="V-A1").name == A_VENDOR[1]


def test_bs_export_lands_in_bs_ledger_never_in_as(
    a, b, b_admin, django_capture_on_commit_callbacks
):
    point_at(b, a.slug)
    company = CompanyFactory(account=b, name="Rival Steel", address="1 Main St")
    request = export_send(item=company, actor=b_admin)
    with django_capture_on_commit_callbacks(execute=True):
        # A's ledger already has V-A1: in a shared ledger the ERP would refuse the number.
        export_accept(
            account=b, request_ids=[request.pk], actor=b_admin, erp_fields={"erp_vendor_id": "V-A1"}
        )
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.SYNCED
    filed = ledger.Vendor.objects.get(ledger=account_key(b), number="V-A1")
    assert filed.name == "Rival Steel"
    assert a_vendors_count(a) == 1
    assert ledger.Vendor.objects.get(ledger=account_key(a), number="V-A1").name == A_VENDOR[1]


def test_bs_sync_never_reads_as_records(a, b):
    point_at(b, a.slug)
    ensure_records(account_key(b), "vendors", [("V-B1", "Rival Lumber", {"name": "Rival Lumber"})])
    run, started = sync_request(account=b, kind="vendors", trigger=Trigger.SCHEDULE)
    assert started
    runner.execute(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.SUCCEEDED
    staged = StagedRecord.objects.filter(account=b, item_type="vendors")
    assert list(staged.values_list("origin_id", flat=True)) == ["V-B1"]
    assert not StagedRecord.objects.filter(origin_id="V-A1").exists()


def test_bs_unlink_check_does_not_see_as_records(a, b):
    """The unlink check asks whether the ERP still holds a record: B's connector, even pointed
    at A's ledger, finds none of A's (so it can never judge them by A's ledger)."""
    point_at(b, a.slug)
    point_at(a, b.slug)
    assert connector_for(connection_for(b)).delete_check("company", "V-A1") is True
    assert connector_for(connection_for(a)).delete_check("company", "V-A1") is False


def test_the_migration_drops_stored_ledgers_and_keeps_a_name_of_ones_own(a, b):
    """Before the change: A on its own ledger; B on A's; C on a name of its own. After: no
    stored ledger; A's records stay A's; C's records follow C to its own ledger."""
    c = Account.objects.create(name="Canyon Builders", slug="canyon")
    ErpConnection.objects.create(account=c, connector_key="sandbox", settings={"ledger": "books"})
    ensure_records("books", "vendors", [("V-C1", "Canyon Concrete", {"name": "Canyon Concrete"})])
    point_at(a, a.slug)
    point_at(b, a.slug)
    migration = importlib.import_module("erp.migrations.0002_sandbox_ledger_is_the_accounts")
    migration.ledgers_to_accounts(apps, None)
    assert all("ledger" not in row.settings for row in ErpConnection.objects.all())
    assert a_vendors_count(a) == 1
    assert list(ledger.Vendor.objects.filter(ledger="canyon").values_list("number", flat=True)) == [
        "V-C1"
    ]
    assert not ledger.Vendor.objects.filter(ledger="books").exists()
    assert ledger.LedgerCounter.objects.filter(ledger="canyon").exists()

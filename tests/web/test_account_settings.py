"""The account's advanced settings, in the browser's page and the API (``/api/v1/settings/``):
who may change them (the seed row *Configure Advanced Settings*, and *Enable or Disable ERP
Direct Exports* for the direct-export switches), field errors that change nothing, and an audit
row naming what changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from integrations.services import SETTINGS_FIELDS
from permissions.levels import Level
from tests.api.conftest import client_for
from tests.integrations.cost_code_data import allowed, at_erp_level, refused
from tests.web.test_pages import login

pytestmark = pytest.mark.django_db
CONFIGURE, DIRECT = "configure_advanced_settings", "toggle_direct_exports"


def settings_url(account) -> str:
    return reverse("account-settings", kwargs={"account": account.slug})


def test_the_page_groups_every_setting_under_a_heading(account):
    admin = at_erp_level(account, allowed(CONFIGURE)[0])
    page = login(admin).get(settings_url(account)).text
    for heading in ("Accounting approval", "Direct exports", "Exports", "Imports and syncs"):
        assert f"<legend>{heading}</legend>" in page
    for name in SETTINGS_FIELDS:
        assert f'name="{name}"' in page
    assert "Use the portal&#x27;s contract numbers" in page
    assert "Standard cost codes to import" in page


@pytest.mark.parametrize("level", allowed(CONFIGURE))
def test_a_change_is_saved_and_audited_with_what_changed(account, level):
    client = client_for(at_erp_level(account, level), account)
    answer = client.patch(
        "/api/v1/settings/",
        {"use_portal_contract_numbers": False, "standard_code_filter": "01-*, 03-3*"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["use_portal_contract_numbers"] is False
    account.refresh_from_db()
    assert account.use_portal_contract_numbers is False
    assert account.standard_code_filter == "01-*, 03-3*"
    event = AuditEvent.objects.get(account=account, verb="settings_changed")
    assert event.data == {
        "use_portal_contract_numbers": ["True", "False"],
        "standard_code_filter": ["", "01-*, 03-3*"],
    }
    # Sending the same values again changes nothing and writes nothing.
    client.patch("/api/v1/settings/", {"use_portal_contract_numbers": False}, format="json")
    assert AuditEvent.objects.filter(account=account, verb="settings_changed").count() == 1


@pytest.mark.parametrize("level", refused(CONFIGURE))
def test_other_levels_may_neither_read_nor_change_them(account, level):
    user = at_erp_level(account, level)
    client = client_for(user, account)
    assert client.get("/api/v1/settings/").status_code == 403
    refused_patch = client.patch("/api/v1/settings/", {"add_budget_pairs": True}, format="json")
    assert refused_patch.status_code == 403
    assert login(user).get(settings_url(account)).status_code == 403
    account.refresh_from_db()
    assert account.add_budget_pairs is False


def test_a_bad_value_names_the_field_and_changes_nothing(account):
    client = client_for(at_erp_level(account, Level.ADMIN), account)
    answer = client.patch(
        "/api/v1/settings/",
        {"standard_code_filter": "01-*, DROP TABLE;", "add_budget_pairs": True},
        format="json",
    )
    assert answer.status_code == 400
    assert "is not a cost code pattern" in answer.json()["standard_code_filter"][0]
    account.refresh_from_db()
    assert (account.standard_code_filter, account.add_budget_pairs) == ("", False)
    page = login(at_erp_level(account, Level.ADMIN)).post(
        settings_url(account),
        {
            "name": account.name,
            "time_zone": "UTC",
            "job_cost_date": "post",
            "standard_code_filter": "03-<1>",
        },
    )
    assert page.status_code == 400 and "is not a cost code pattern" in page.text
    assert AuditEvent.objects.filter(account=account, verb="settings_changed").count() == 0


def test_direct_exports_also_take_their_own_row(account):
    """An ERP admin changes the other settings; a direct-export switch also asks the row
    *Enable or Disable ERP Direct Exports*, which the seed gives the same levels."""
    assert allowed(DIRECT) == allowed(CONFIGURE)
    client = client_for(at_erp_level(account, Level.ADMIN), account)
    answer = client.patch("/api/v1/settings/", {"direct_export_invoices": True}, format="json")
    assert answer.status_code == 200
    account.refresh_from_db()
    assert account.direct_export_invoices is True


def test_the_settings_are_in_the_api_schema(account):
    client = client_for(at_erp_level(account, Level.ADMIN), account)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = schema["paths"]["/api/v1/settings/"]
    assert {"get", "patch"} <= set(operations)

"""The portal's own error pages: a styled 403 that says what was refused and where to go, the
portal's 404 even with DEBUG on (not Django's list of every URL pattern), a favicon, and no
Reports tab for someone who may open no report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from permissions.levels import Level, Tool
from tests.factories import member
from tests.web.test_pages import login


@pytest.mark.django_db
def test_403_is_a_page_of_the_portal_naming_what_was_refused(account):
    nobody = member(account, username="nobody")
    response = login(nobody).get(reverse("directory", kwargs={"account": account.slug}))
    assert response.status_code == 403
    text = response.text
    assert "You may not open this page" in text
    assert "You do not have permission to" in text  # the refused action, in words
    assert "css/portal.css" in text and 'class="topbar"' in text  # the portal's layout
    assert f'href="{reverse("account-home", kwargs={"account": account.slug})}"' in text


@pytest.mark.django_db
def test_404_is_the_portals_page_even_with_debug_on(account, settings):
    settings.DEBUG = True
    client = login(member(account, username="someone", levels={Tool.COMMITMENTS: Level.READ_ONLY}))
    for address in ("/no/such/page/", f"/a/{account.slug}/commitments/999999/"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert "This page does not exist" in response.text, address
        assert "URLconf" not in response.text and "DEBUG = True" not in response.text
    # A developer can still ask for Django's own page.
    technical = client.get("/no/such/page/?technical=404")
    assert technical.status_code == 404 and "DEBUG = True" in technical.text


@pytest.mark.django_db
def test_the_api_keeps_its_json_404_with_debug_on(account, settings):
    settings.DEBUG = True
    client = login(member(account, username="someone"))
    response = client.get("/api/v1/commitments/999999/", HTTP_X_ACCOUNT=account.slug)
    assert response.status_code in (403, 404)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_favicon(account, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon/favicon.svg")
    page = login(member(account)).get(reverse("account-home", kwargs={"account": account.slug}))
    assert 'rel="icon"' in page.text and "favicon/favicon.svg" in page.text


@pytest.mark.django_db
def test_reports_tab_only_for_who_may_open_a_report(account):
    home = reverse("account-home", kwargs={"account": account.slug})
    reports = reverse("reports", kwargs={"account": account.slug})
    erp_reader = member(account, username="reader", levels={Tool.ERP_INTEGRATIONS: Level.READ_ONLY})
    assert f'href="{reports}"' not in login(member(account, username="nobody")).get(home).text
    erp_admin = member(account, username="erpadmin", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    page = login(erp_admin).get(home).text
    assert f'href="{reports}"' in page
    assert "No reports" not in login(erp_admin).get(reports).text
    index = login(erp_reader).get(reports).text
    assert (f'href="{reports}"' in login(erp_reader).get(home).text) == ("No reports" not in index)

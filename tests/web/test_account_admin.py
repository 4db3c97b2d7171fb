"""The admin site cannot rename an account once created: its slug keys its ERP sandbox ledger."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_existing_accounts_slug_is_read_only_in_the_admin() -> None:
    account = AccountFactory(name="Northwind", slug="northwind")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:tenancy_account_change", args=[account.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert b'name="slug"' not in page.content  # shown as text, not as a field

    shown = page.context["adminform"].form
    form = {name: shown[name].value() for name in shown.fields}
    form = {name: value for name, value in form.items() if value not in (None, False)}
    form |= {"name": "Northwind Builders", "slug": "someone-else"}
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:500]
    account.refresh_from_db()
    assert (account.name, account.slug) == ("Northwind Builders", "northwind")


def test_a_new_account_gets_its_slug_in_the_admin() -> None:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:tenancy_account_add"))
    assert b'name="slug"' in page.content

"""Which account a request works in: header, query parameter, or the user's only account."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from permissions.levels import Level
from tenancy.models import Membership
from tests.api.conftest import build_records, client_for, everywhere, url
from tests.factories import UserFactory, grant, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_accounts_user(account, other_account):
    user = member(account, username="tess", levels=everywhere(Level.READ_ONLY))
    Membership.objects.create(account=other_account, user=user)
    for tool, level in everywhere(Level.READ_ONLY).items():
        grant(user, other_account, tool, level)
    return user


def titles(response):
    return sorted(row["title"] for row in response.json()["results"])


def test_the_only_account_needs_no_header(viewer, records):
    response = client_for(viewer).get(url("commitments"))
    assert response.status_code == 200
    assert titles(response) == [records.commitment.title]


def test_several_accounts_need_a_header(two_accounts_user, records, other_records):
    response = client_for(two_accounts_user).get(url("commitments"))
    assert response.status_code == 400
    message = response.json()["detail"]
    assert "X-Account" in message
    assert "'account' query parameter" in message


def test_the_header_picks_the_account(two_accounts_user, account, other_account, other_records):
    build_records(account)
    response = client_for(two_accounts_user, other_account).get(url("commitments"))
    assert response.status_code == 200
    assert titles(response) == [other_records.commitment.title]


def test_the_query_parameter_picks_the_account(two_accounts_user, other_records, records):
    response = client_for(two_accounts_user).get(url("commitments"), {"account": "rival"})
    assert response.status_code == 200
    assert titles(response) == [other_records.commitment.title]


def test_header_and_parameter_must_agree(two_accounts_user, account):
    client = client_for(two_accounts_user, account)
    assert client.get(url("commitments"), {"account": "summit"}).status_code == 200
    response = client.get(url("commitments"), {"account": "rival"})
    assert response.status_code == 400


def test_an_account_you_do_not_belong_to_is_404(viewer, other_account, other_records):
    response = client_for(viewer, other_account).get(url("commitments"))
    assert response.status_code == 404
    assert "rival" in response.json()["detail"]


def test_an_unknown_account_is_404(viewer):
    response = client_for(viewer).get(url("commitments"), {"account": "no-such-account"})
    assert response.status_code == 404


def test_an_inactive_membership_does_not_count(viewer, account, records):
    Membership.objects.filter(user=viewer).update(is_active=False)
    assert client_for(viewer, account).get(url("commitments")).status_code == 404
    assert client_for(viewer).get(url("commitments")).status_code == 403


def test_a_user_without_accounts_is_403(db):
    user = UserFactory()
    response = client_for(user).get(url("commitments"))
    assert response.status_code == 403
    assert "not a member of any account" in response.json()["detail"]


def test_accounts_lists_only_yours(two_accounts_user, account, other_account):
    from tests.factories import AccountFactory

    AccountFactory(slug="third")
    response = client_for(two_accounts_user).get(url("accounts"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [a["slug"] for a in body["results"]] == ["rival", "summit"]  # by name


def test_account_detail_by_slug(viewer, account, other_account):
    client = client_for(viewer)
    assert client.get(url("accounts", "summit")).json()["name"] == "Summit Builders"
    assert client.get(url("accounts", "rival")).status_code == 404


def test_superuser_sees_every_account(account, other_account):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = client_for(root).get(url("accounts"))
    assert response.json()["count"] == 2
    assert client_for(root).get(url("commitments")).status_code == 400
    assert client_for(root, other_account).get(url("commitments")).status_code == 200
    assert APIClient().get(url("accounts")).status_code == 401

"""Revoking API tokens writes the audit trail: by their owner (logout), by a password change and
by an admin in the admin site; one row per account the user is an active member of, in the
revoking transaction."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from permissions.levels import Level, Tool
from tenancy.models import Membership
from tenancy.tokens import tokens_revoke
from tests.factories import member

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def vic(account, other_account):
    user = member(account, username="vic")
    Membership.objects.create(account=other_account, user=user)
    user.set_password("pw")
    user.save()
    return user


def revocations(user: Any) -> list[tuple[str, Any, str, int]]:
    rows = AuditEvent.objects.filter(verb="token_revoked", item_type="user", item_id=user.pk)
    return [(r.account.slug, r.actor_id, r.reason, r.data["tokens"]) for r in rows.order_by("id")]


def test_logout_revokes_the_token_and_audits_it_in_each_account(vic):
    key = Token.objects.create(user=vic).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=vic).exists()
    assert revocations(vic) == [
        ("summit", vic.pk, "revoked by owner", 1),
        ("rival", vic.pk, "revoked by owner", 1),
    ]


def test_a_password_change_audits_the_revocation(vic):
    Token.objects.create(user=vic)
    vic.set_password("a new one")
    vic.save()
    assert not Token.objects.filter(user=vic).exists()
    assert revocations(vic) == [
        ("summit", None, "password changed", 1),
        ("rival", None, "password changed", 1),
    ]


def test_nothing_revoked_nothing_audited(vic):
    vic.set_password("a new one")
    vic.save()  # no token to revoke
    assert revocations(vic) == []


def test_an_inactive_membership_gets_no_row(vic, other_account):
    Membership.objects.filter(user=vic, account=other_account).update(is_active=False)
    Token.objects.create(user=vic)
    vic.set_password("a new one")
    vic.save()
    assert [slug for slug, *_ in revocations(vic)] == ["summit"]


def test_an_admin_revoking_in_the_admin_site_is_audited(vic):
    token = Token.objects.create(user=vic)
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(root)
    response = client.post(f"/admin/authtoken/tokenproxy/{token.user_id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=vic).exists()
    assert revocations(vic) == [
        ("summit", root.pk, "revoked by an admin", 1),
        ("rival", root.pk, "revoked by an admin", 1),
    ]


def test_the_token_stays_when_its_audit_row_cannot_be_written(vic):
    """Same transaction: no revocation without its row."""
    Token.objects.create(user=vic)
    with (
        mock.patch("integrations.receivers.audit_rows", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        tokens_revoke(user=vic)
    assert Token.objects.filter(user=vic).exists()


def test_the_audit_page_shows_a_revocation(vic, account):
    admin = member(account, username="erpadmin", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    Token.objects.create(user=vic)
    vic.set_password("new")
    vic.save()
    client = Client()
    client.force_login(admin)
    page = client.get(f"/a/{account.slug}/audit/?verb=token_revoked")
    assert "API token revoked" in page.text
    assert "password changed" in page.text

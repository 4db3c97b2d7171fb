"""The ERP connection: secrets encrypted at rest and never shown back, test, pause, resume."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection as db

from audit.models import AuditEvent
from erp.connections import connection_for, connector_for
from erp.models import ErpCall, ErpConnection
from erp.secrets import fernet
from erp.services import connection_configure, connection_set_paused, connection_test
from permissions.levels import Level, Tool
from tests.factories import member


@pytest.fixture
def erp_admin(account):
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def raw_secrets(connection: ErpConnection) -> str:
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT secrets FROM {ErpConnection._meta.db_table} WHERE id = %s", [connection.pk]
        )
        return str(cursor.fetchone()[0])


@pytest.mark.django_db
def test_secrets_are_encrypted_at_rest_and_kept_when_left_blank(account, erp_admin):
    saved = connection_configure(
        account=account,
        actor=erp_admin,
        connector_key="sandbox",
        values={"ledger": "main", "api_key": "s3cr3t-token"},
    )
    assert "s3cr3t-token" not in raw_secrets(saved)
    assert "api_key" not in saved.settings
    assert connector_for(saved).settings["api_key"] == "s3cr3t-token"
    # The form never shows the secret back; saving with it blank keeps it.
    again = connection_configure(
        account=account, actor=erp_admin, connector_key="sandbox", values={"ledger": "other"}
    )
    assert connector_for(again).settings == {"api_key": "s3cr3t-token"}  # a ledger is no setting


@pytest.mark.django_db
def test_required_settings_and_unknown_connectors_are_refused(account, erp_admin):
    with pytest.raises(ValidationError) as missing:
        connection_configure(account=account, actor=erp_admin, connector_key="tryton", values={})
    assert "url" in missing.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        connection_configure(account=account, actor=erp_admin, connector_key="nope", values={})
    assert "connector_key" in unknown.value.message_dict


@pytest.mark.django_db
def test_only_erp_admins_manage_the_connection(account):
    standard = member(account, levels={Tool.ERP_INTEGRATIONS: Level.STANDARD})
    with pytest.raises(PermissionDenied):
        connection_configure(
            account=account, actor=standard, connector_key="sandbox", values={"ledger": "x"}
        )
    with pytest.raises(PermissionDenied):
        connection_set_paused(account=account, actor=standard, paused=True)


@pytest.mark.django_db
def test_keys_rotate(account, erp_admin, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    saved = connection_configure(
        account=account,
        actor=erp_admin,
        connector_key="sandbox",
        values={"ledger": "main", "api_key": "k1"},
    )
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_secrets", stdout=io.StringIO())
    saved.refresh_from_db()
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert fernet().decrypt(saved.secrets.encode())
    assert connector_for(saved).settings["api_key"] == "k1"
    # On the record, without the secret: one row for the connection, by no one (an operator's
    # command).
    rotated = AuditEvent.objects.get(verb="secrets_reencrypted")
    assert (rotated.account, rotated.item_id, rotated.actor) == (account, saved.pk, None)
    assert "k1" not in str(rotated.data) + rotated.reason


@pytest.mark.django_db
def test_test_connection_reports_the_erps_words(account, erp_admin):
    connection_configure(
        account=account,
        actor=erp_admin,
        connector_key="sandbox",
        values={"ledger": "main", "reject_credentials": "yes"},
    )
    assert "401" in connection_test(account=account, actor=erp_admin)
    connection_configure(
        account=account, actor=erp_admin, connector_key="sandbox", values={"ledger": "main"}
    )
    assert connection_test(account=account, actor=erp_admin) is None
    assert list(ErpCall.objects.filter(action="test").values_list("outcome", flat=True)) == [
        "success",
        "permanent",
    ]


@pytest.mark.django_db
def test_pause_and_resume(account, erp_admin, django_capture_on_commit_callbacks):
    connection_set_paused(account=account, actor=erp_admin, paused=True, reason="Month end")
    assert connection_for(account).is_paused
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        connection_set_paused(account=account, actor=erp_admin, paused=False)
    assert not connection_for(account).is_paused
    assert len(callbacks) == 1  # what waited is enqueued again


@pytest.mark.django_db
def test_the_automatic_pause_after_refused_logins_is_audited_once(account):
    """Repeated refused logins pause the connection without anyone clicking: the trail says so
    (no actor, the reason), and a second refusal while paused adds nothing."""
    from approvals.pipeline import AUTH_FAILURES_TO_PAUSE, _note_auth_failure
    from audit.models import AuditEvent

    connection = connection_for(account)
    for _ in range(AUTH_FAILURES_TO_PAUSE + 1):
        _note_auth_failure(connection, "401 Unauthorized")
    assert connection_for(account).is_paused
    (row,) = AuditEvent.objects.filter(account=account, verb="connection_paused")
    assert (row.actor, row.before, row.after) == (None, "running", "paused")
    assert "refused logins: 401 Unauthorized" in row.reason

"""Managing the ERP connection: settings and secrets, testing it, pausing and resuming it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import Change, audit_rows
from connectors.base import ConnectorError
from connectors.registry import connector_class
from erp.connections import connection_for, connector_for
from erp.models import ErpCall, ErpConnection
from erp.secrets import reseal, seal, unseal
from erp.signals import connection_resumed
from permissions.access import require
from permissions.policy import Action
from tenancy.models import Account


@transaction.atomic
def connection_configure(
    *, account: Account, actor: Any, connector_key: str, values: Mapping[str, str]
) -> ErpConnection:
    """Save the connector and its settings. A secret left empty keeps its stored value (they
    are never shown back); a secret is cleared only by choosing another connector. The audit
    row names what changed: settings old and new, secrets by name only."""
    require(actor, Action.MANAGE_ERP_CONNECTION, account)
    try:
        cls = connector_class(connector_key)
    except LookupError as exc:
        raise ValidationError({"connector_key": str(exc)}) from None
    connection = ErpConnection.objects.select_for_update().get(pk=connection_for(account).pk)
    stored = unseal(connection.secrets)
    before = (connection.connector_key, dict(connection.settings))
    kept = stored if connection.connector_key == connector_key else {}
    settings: dict[str, str] = {}
    secrets: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in cls.settings_fields:
        value = str(values.get(field.name, "") or "").strip()
        if field.secret:
            value = value or kept.get(field.name, "")
            if value:
                secrets[field.name] = value
        else:
            try:
                value = field.clean(value)
            except ValueError as exc:
                errors[field.name] = str(exc)
                continue
            if value:
                settings[field.name] = value
        if field.required and not value:
            errors[field.name] = f"{field.label} is required."
    if errors:
        raise ValidationError(errors)
    connection.connector_key = connector_key
    connection.settings = settings
    connection.secrets = seal(secrets)
    connection.auth_failures = 0
    connection.save()
    _audit_configured(actor, connection, before, stored, secrets)
    return connection


def _audit_configured(
    actor: Any,
    connection: ErpConnection,
    before: tuple[str, dict[str, str]],
    stored: Mapping[str, str],
    secrets: Mapping[str, str],
) -> None:
    old_key, old_settings = before
    changed: dict[str, Any] = {}
    if old_key != connection.connector_key:
        changed["connector"] = [old_key, connection.connector_key]
    settings = {
        name: [old_settings.get(name, ""), connection.settings.get(name, "")]
        for name in sorted(old_settings.keys() | connection.settings.keys())
        if old_settings.get(name, "") != connection.settings.get(name, "")
    }
    if settings:
        changed["settings"] = settings
    # Which secrets were set, replaced or cleared; never their values, old or new.
    names = sorted(n for n in stored.keys() | secrets.keys() if stored.get(n) != secrets.get(n))
    if names:
        changed["secrets_changed"] = names
    if changed:
        change = Change(
            connection.account_id,
            "erp_connection",
            connection.pk,
            "connection_configured",
            data=changed,
        )
        audit_rows(actor, [change])


def connection_test(*, account: Account, actor: Any) -> str | None:
    """Ask the ERP whether it answers with these settings: None if it does, else its words."""
    require(actor, Action.MANAGE_ERP_CONNECTION, account)
    connection = connection_for(account)
    call = ErpCall.objects.create(
        account=account, connection=connection, action="test", started_at=timezone.now()
    )
    try:
        connector_for(connection).test_connection()
    except ConnectorError as exc:
        call.outcome, call.error = ErpCall.Outcome.PERMANENT, exc.message
        call.save(update_fields=["outcome", "error"])
        return exc.message
    call.outcome = ErpCall.Outcome.SUCCESS
    call.save(update_fields=["outcome"])
    return None


def connection_set_paused(*, account: Account, actor: Any, paused: bool, reason: str = "") -> None:
    """Pause (exports wait, nothing fails) or resume (what waited is sent at once)."""
    require(actor, Action.MANAGE_ERP_CONNECTION, account)
    with transaction.atomic():
        connection = ErpConnection.objects.select_for_update().get(pk=connection_for(account).pk)
        was = _run_state(connection.is_paused)
        connection.is_paused = paused
        connection.paused_reason = reason if paused else ""
        if not paused:
            connection.auth_failures = 0
        connection.save(update_fields=["is_paused", "paused_reason", "auth_failures", "updated_at"])
        change = Change(
            account.pk,
            "erp_connection",
            connection.pk,
            "connection_paused" if paused else "connection_resumed",
            before=was,
            after=_run_state(paused),
            reason=connection.paused_reason,
        )
        audit_rows(actor, [change])
        if not paused:
            connection_resumed.send(sender=ErpConnection, account=account)


def connection_pause_after_refusals(connection: ErpConnection, reason: str) -> None:
    """The pipeline's automatic pause after repeated refused logins (no actor), audited like a
    person's pause; a connection already paused is left as it is."""
    with transaction.atomic():
        paused = ErpConnection.objects.filter(pk=connection.pk, is_paused=False).update(
            is_paused=True, paused_reason=reason
        )
        if paused:
            change = Change(
                connection.account_id,
                "erp_connection",
                connection.pk,
                "connection_paused",
                before=_run_state(False),
                after=_run_state(True),
                reason=reason,
            )
            audit_rows(None, [change])


def secrets_rotate() -> int:
    """Re-encrypt every connection's secrets with the newest key of FIELD_ENCRYPTION_KEYS (an
    operator's command, so no actor): each connection in its own transaction with its audit row,
    which says the secrets were re-encrypted, never what they are. Returns how many."""
    count = 0
    for pk in ErpConnection.objects.exclude(secrets="").values_list("pk", flat=True):
        with transaction.atomic():
            connection = ErpConnection.objects.select_for_update().get(pk=pk)
            connection.secrets = reseal(connection.secrets)
            connection.save(update_fields=["secrets", "updated_at"])
            change = Change(
                connection.account_id, "erp_connection", connection.pk, "secrets_reencrypted"
            )
            audit_rows(None, [change])
        count += 1
    return count


def _run_state(paused: bool) -> str:
    return "paused" if paused else "running"

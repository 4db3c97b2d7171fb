"""Managing the ERP connection: settings and secrets, testing it, pausing and resuming it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connectors.base import ConnectorError
from connectors.registry import connector_class
from erp.connections import connection_for, connector_for
from erp.models import ErpCall, ErpConnection
from erp.secrets import seal, unseal
from erp.signals import connection_resumed
from permissions.access import require
from permissions.policy import Action
from tenancy.models import Account


@transaction.atomic
def connection_configure(
    *, account: Account, actor: Any, connector_key: str, values: Mapping[str, str]
) -> ErpConnection:
    """Save the connector and its settings. A secret left empty keeps its stored value (they
    are never shown back); a secret is cleared only by choosing another connector."""
    require(actor, Action.MANAGE_ERP_CONNECTION, account)
    try:
        cls = connector_class(connector_key)
    except LookupError as exc:
        raise ValidationError({"connector_key": str(exc)}) from None
    connection = connection_for(account)
    kept = unseal(connection.secrets) if connection.connector_key == connector_key else {}
    settings: dict[str, str] = {}
    secrets: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in cls.settings_fields:
        value = str(values.get(field.name, "") or "").strip()
        if field.secret:
            value = value or kept.get(field.name, "")
            if value:
                secrets[field.name] = value
        elif value:
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
    return connection


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
        connection.is_paused = paused
        connection.paused_reason = reason if paused else ""
        if not paused:
            connection.auth_failures = 0
        connection.save(update_fields=["is_paused", "paused_reason", "auth_failures", "updated_at"])
        if not paused:
            connection_resumed.send(sender=ErpConnection, account=account)

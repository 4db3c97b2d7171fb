"""Which connector an account's records go through."""

from __future__ import annotations

from connectors.base import Connector
from connectors.registry import connector_class
from integrations.models import Account, ErpConnection

DEFAULT_CONNECTOR = "sandbox"


def connection_for(account: Account) -> ErpConnection:
    """The account's ERP connection; a new account starts on the built-in sandbox ERP."""
    connection, _ = ErpConnection.objects.get_or_create(
        account=account, defaults={"connector_key": DEFAULT_CONNECTOR}
    )
    return connection


def connector_class_for(account: Account) -> type[Connector]:
    return connector_class(connection_for(account).connector_key)

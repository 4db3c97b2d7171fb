"""Which connector an account's records go through, and the connector configured for it."""

from __future__ import annotations

from connectors.base import Connector
from connectors.registry import connector_class
from erp.models import ErpConnection
from erp.secrets import unseal
from tenancy.models import Account

DEFAULT_CONNECTOR = "sandbox"


def connection_for(account: Account) -> ErpConnection:
    """The account's ERP connection; a new account starts on the built-in sandbox ERP, in a
    ledger of its own (:func:`account_key`)."""
    connection, _ = ErpConnection.objects.get_or_create(
        account=account, defaults={"connector_key": DEFAULT_CONNECTOR, "settings": {}}
    )
    connection.account = account  # connector_for reads it: no second query
    return connection


def account_key(account: Account) -> str:
    """Where the account's records are kept in a store shared by accounts (the sandbox ERP's
    ledger): the account's slug, taken from the account and never from a setting, so no
    account can name another's."""
    return account.slug


def connector_class_for(account: Account) -> type[Connector]:
    return connector_class(connection_for(account).connector_key)


def connector_for(connection: ErpConnection) -> Connector:
    """The connector, set up with the connection's settings and (decrypted) secrets, for the
    connection's own account."""
    cls = connector_class(connection.connector_key)
    settings = {**connection.settings, **unseal(connection.secrets)}
    return cls.for_account(settings, account_key=account_key(connection.account))

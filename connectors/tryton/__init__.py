"""The Tryton connector: Tryton (8.x) as the portal's ERP, over JSON-RPC (see README.md)."""

from connectors.tryton.connector import TrytonConnector

__all__ = ["TrytonConnector"]

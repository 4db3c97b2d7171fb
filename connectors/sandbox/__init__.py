"""The sandbox ERP: an accounting system that lives in the portal's own database."""

from connectors.sandbox.connector import SandboxConnector

__all__ = ["SandboxConnector"]

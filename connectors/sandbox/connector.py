"""The sandbox connector: declares what the embedded ERP accepts."""

from __future__ import annotations

from connectors.base import Connector, ExportResult, PermanentError
from connectors.payloads import Payload
from connectors.registry import builtin
from connectors.sandbox.capabilities import CAPABILITIES


@builtin
class SandboxConnector(Connector):
    key = "sandbox"
    label = "Sandbox ERP (built in)"
    capabilities = CAPABILITIES

    def test_connection(self) -> None:
        return None

    def export(self, obj_type: str, payload: Payload, idempotency_key: str) -> ExportResult:
        raise PermanentError("The sandbox ledger is not available yet.")

    def find_by_external_ref(self, obj_type: str, idempotency_key: str) -> ExportResult | None:
        return None

    def delete_check(self, obj_type: str, origin_id: str) -> bool:
        return False

"""The contract's checks of errors: transient and permanent faults, refused credentials, and a
lost response recovered by the idempotency key."""

from __future__ import annotations

import pytest

from connectors.base import (
    AuthenticationError,
    Connector,
    ConnectorError,
    ExportResult,
    PermanentError,
    TransientError,
)
from connectors.imports import PER_JOB
from connectors.testing.harnesses import ConnectorHarness, Fault, InjectedFault
from connectors.testing.suite import (
    OPERATIONS,
    ContractSuite,
    fetch_all,
    fetch_kinds,
    new_key,
    over,
)


class FaultChecks(ContractSuite):
    def call(
        self, harness: ConnectorHarness, connector: Connector, operation: str
    ) -> list[ExportResult | ConnectorError] | None:
        """Make one ``operation`` call on ``connector`` (faulty); skip what is not declared."""
        obj_type = self.first(harness, "export_create")
        if operation == "test_connection":
            connector.test_connection()
            return None
        if operation == "fetch":
            kinds = fetch_kinds(harness.connector_class)
            if not kinds:
                pytest.skip("the connector fetches nothing")
            kind = next((k for k in kinds if k not in PER_JOB), kinds[0])
            fetch_all(connector, kind, "", self.job(harness, kind))
            return None
        if obj_type is None:
            pytest.skip("the connector exports nothing")
        payload, key = harness.sample_payload(obj_type, 1), new_key(obj_type, 1)
        if operation == "export":
            connector.export(obj_type, payload, key)
        elif operation == "export_batch":
            return connector.export_batch(obj_type, [(payload, key)])
        elif operation == "find_by_external_ref":
            connector.find_by_external_ref(obj_type, key)
        elif operation == "delete_check":
            created, _ = self.create(harness, harness.connector(), obj_type)
            connector.delete_check(obj_type, created.origin_id)
        return None

    def raised(
        self, harness: ConnectorHarness, fault: Fault, operation: str
    ) -> tuple[ConnectorError, InjectedFault]:
        """The error ``operation`` fails with under ``fault`` (per item, for a batch)."""
        injected = self.fault(harness, fault)
        try:
            answer = self.call(harness, injected.connector, operation)
        except ConnectorError as exc:
            assert exc.message, "the error carries no message"
            assert str(exc) == exc.message
            assert injected.message in exc.message
            return exc, injected
        assert answer is not None, f"{operation} did not fail under a {fault} fault"
        (error,) = answer
        assert isinstance(error, ConnectorError), f"export_batch answered {error!r}"
        assert injected.message in error.message
        return error, injected

    @pytest.mark.parametrize("operation", [*OPERATIONS, "fetch"])
    def test_transient_fault(self, harness: ConnectorHarness, operation: str) -> None:
        error, _ = self.raised(harness, Fault.TRANSIENT, operation)
        assert isinstance(error, TransientError), error
        assert not isinstance(error, AuthenticationError | PermanentError), error

    @pytest.mark.parametrize("operation", [*OPERATIONS, "fetch"])
    def test_permanent_fault(self, harness: ConnectorHarness, operation: str) -> None:
        error, _ = self.raised(harness, Fault.PERMANENT, operation)
        assert isinstance(error, PermanentError), error
        assert not isinstance(error, TransientError), error

    def test_permanent_fault_files_nothing(self, harness: ConnectorHarness) -> None:
        obj_type = self.first(harness, "export_create")
        if obj_type is None:
            pytest.skip("the connector exports nothing")
        injected = self.fault(harness, Fault.PERMANENT)
        before, key = harness.count(obj_type), new_key(obj_type, 1)
        with pytest.raises(PermanentError):
            injected.connector.export(obj_type, harness.sample_payload(obj_type, 1), key)
        assert harness.connector().find_by_external_ref(obj_type, key) is None
        assert harness.count(obj_type) == before

    @pytest.mark.parametrize("operation", [*OPERATIONS, "fetch"])
    def test_refused_credentials(self, harness: ConnectorHarness, operation: str) -> None:
        """Refused credentials stop the whole call, a batch included (not an item's error)."""
        injected = self.fault(harness, Fault.AUTHENTICATION)
        with pytest.raises(AuthenticationError) as caught:
            self.call(harness, injected.connector, operation)
        assert injected.message in caught.value.message

    def test_lost_response_is_recovered_by_the_key(self, harness: ConnectorHarness) -> None:
        """The ERP filed the record but the answer never came: the error is transient, the
        record is found by its key, and exporting again with that key files nothing new."""
        obj_type = self.first(harness, "export_create")
        if obj_type is None:
            pytest.skip("the connector exports nothing")
        injected = self.fault(harness, Fault.LOST_RESPONSE)
        before, key = harness.count(obj_type), new_key(obj_type, 1)
        payload = harness.sample_payload(obj_type, 1)
        with pytest.raises(TransientError) as caught:
            injected.connector.export(obj_type, payload, key)
        assert injected.message in caught.value.message
        healthy = harness.connector()
        found = healthy.find_by_external_ref(obj_type, key)
        assert found is not None, "the record the ERP filed is not found by its key"
        assert healthy.export(obj_type, payload, key).origin_id == found.origin_id
        assert harness.count(obj_type) == before + 1

    @over("export_update")
    def test_lost_response_of_an_update_files_nothing_new(
        self, harness: ConnectorHarness, obj_type: str
    ) -> None:
        """The ERP took the update but the answer never came: the retry (same key, same ERP
        id) answers the same record, and the ERP still holds one."""
        created, _ = self.create(harness, harness.connector(), obj_type)
        injected = self.fault(harness, Fault.LOST_RESPONSE)
        before, key = harness.count(obj_type), new_key(obj_type, 1)
        revised = harness.sample_payload(obj_type, 1, revision=1)
        with pytest.raises(TransientError):
            injected.connector.update(obj_type, created.origin_id, revised, key)
        healthy = harness.connector()
        assert healthy.update(obj_type, created.origin_id, revised, key).origin_id == (
            created.origin_id
        )
        assert harness.count(obj_type) == before
        assert harness.holds(obj_type, created.origin_id, revised)

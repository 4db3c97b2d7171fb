"""The contract's checks of exports: creating, idempotency, finding, deleting, batches,
updates in place (``Connector.update``), and the messages of the declared rules."""

from __future__ import annotations

import pytest

from connectors.base import Connector, ExportResult, PermanentError, Problem, validate
from connectors.payloads import Payload
from connectors.testing.harnesses import ConnectorHarness
from connectors.testing.suite import ContractSuite, new_key, over


class ExportChecks(ContractSuite):
    @over("export_create")
    def test_sample_meets_the_rules(self, harness: ConnectorHarness, obj_type: str) -> None:
        payload = harness.sample_payload(obj_type, 1)
        assert validate(payload, self.entity(harness, obj_type).rules) == []

    @over("export_create")
    def test_create_returns_an_origin_id(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        before = harness.count(obj_type)
        payload = harness.sample_payload(obj_type, 1)
        result = connector.export(obj_type, payload, new_key(obj_type, 1))
        assert isinstance(result, ExportResult)
        assert isinstance(result.origin_id, str)
        assert result.origin_id
        assert harness.count(obj_type) == before + 1
        assert harness.holds(obj_type, result.origin_id, payload)
        other, _ = self.create(harness, connector, obj_type, 2)
        assert other.origin_id != result.origin_id

    @over("export_create")
    def test_same_key_again_files_nothing_new(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        before = harness.count(obj_type)
        first, key = self.create(harness, connector, obj_type)
        again = connector.export(obj_type, harness.sample_payload(obj_type, 1), key)
        retried = harness.connector().export(obj_type, harness.sample_payload(obj_type, 1), key)
        assert again.origin_id == first.origin_id
        assert retried.origin_id == first.origin_id
        assert harness.count(obj_type) == before + 1

    @over("export_create")
    def test_find_by_external_ref(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        assert connector.find_by_external_ref(obj_type, new_key(obj_type, 1)) is None
        created, key = self.create(harness, connector, obj_type)
        found = connector.find_by_external_ref(obj_type, key)
        assert found is not None
        assert found.origin_id == created.origin_id
        assert connector.find_by_external_ref(obj_type, new_key(obj_type, 1)) is None

    @over("export_create")
    def test_delete_check_while_the_record_is_there(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        created, _ = self.create(harness, connector, obj_type)
        assert connector.delete_check(obj_type, created.origin_id) is False
        assert harness.connector().delete_check(obj_type, created.origin_id) is False

    @over("unlink")
    def test_delete_check_once_the_erp_deleted_it(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        """What *Unlink from ERP* asks: a record the ERP's users deleted is gone, the others
        are not. A type declared ``unlink`` must be one the harness can remove."""
        created, _ = self.create(harness, connector, obj_type)
        kept, _ = self.create(harness, connector, obj_type, 2)
        assert connector.delete_check(obj_type, created.origin_id) is False
        harness.remove_record(obj_type, created.origin_id)
        assert connector.delete_check(obj_type, created.origin_id) is True
        assert connector.delete_check(obj_type, kept.origin_id) is False

    @over("export_create")
    def test_export_batch_answers_per_item_in_order(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        one, two = harness.sample_payload(obj_type, 1), harness.sample_payload(obj_type, 2)
        key_one, key_two = new_key(obj_type, 1), new_key(obj_type, 2)
        items: list[tuple[Payload, str]] = [(one, key_one), (two, key_two), (one, key_one)]
        refused = harness.refused_payload(obj_type, 3)  # may file what makes it clash
        if refused is not None:
            items.insert(1, (refused[0], new_key(obj_type, 3)))
        before = harness.count(obj_type)
        results = connector.export_batch(obj_type, items)
        assert len(results) == len(items)
        if refused is not None:
            error = results.pop(1)
            assert isinstance(error, PermanentError), error
            assert refused[1] in error.message
        first, second, repeat = results
        assert isinstance(first, ExportResult), first
        assert isinstance(second, ExportResult), second
        assert isinstance(repeat, ExportResult), repeat
        assert first.origin_id != second.origin_id
        assert repeat.origin_id == first.origin_id
        assert harness.count(obj_type) == before + 2
        found = connector.find_by_external_ref(obj_type, key_two)
        assert found is not None
        assert found.origin_id == second.origin_id

    @over("export_update")
    def test_update_changes_the_record_in_place(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        """An edited record the ERP holds is sent with its ERP id: the same record takes the
        new values, nothing new is filed, and a retry with the same key changes nothing."""
        before = harness.count(obj_type)
        created, _ = self.create(harness, connector, obj_type)
        revised = harness.sample_payload(obj_type, 1, revision=1)
        assert revised != harness.sample_payload(obj_type, 1), "the revision changes nothing"
        key = new_key(obj_type, 1)
        updated = connector.update(obj_type, created.origin_id, revised, key)
        assert updated.origin_id == created.origin_id
        assert harness.count(obj_type) == before + 1
        assert harness.holds(obj_type, created.origin_id, revised)
        retried = harness.connector().update(obj_type, created.origin_id, revised, key)
        assert retried.origin_id == created.origin_id
        assert harness.count(obj_type) == before + 1
        found = connector.find_by_external_ref(obj_type, key)
        assert found is not None
        assert found.origin_id == created.origin_id

    @over("export_update")
    def test_update_of_a_record_the_erp_deleted_is_refused(
        self, harness: ConnectorHarness, connector: Connector, obj_type: str
    ) -> None:
        created, _ = self.create(harness, connector, obj_type)
        try:
            harness.remove_record(obj_type, created.origin_id)
        except NotImplementedError:
            pytest.skip(f"the harness cannot remove a {obj_type} from the ERP")
        before = harness.count(obj_type)
        revised = harness.sample_payload(obj_type, 1, revision=1)
        with pytest.raises(PermanentError):
            connector.update(obj_type, created.origin_id, revised, new_key(obj_type, 1))
        assert harness.count(obj_type) == before


class RuleChecks(ContractSuite):
    @over("rules")
    def test_rule_message(self, harness: ConnectorHarness, obj_type: str, rule_index: int) -> None:
        rules = self.entity(harness, obj_type).rules
        rule = rules[rule_index]
        broken, line = harness.break_rule(obj_type, harness.sample_payload(obj_type, 1), rule)
        problems = validate(broken, rules)
        expected = rule.message.format(limit=rule.value, line=line)
        assert Problem(rule.field, expected) in problems, problems
        assert all("{" not in p.message for p in problems), problems
        if "{limit}" in rule.message:
            assert str(rule.value) in expected
        if "{line}" in rule.message:
            assert line is not None
            assert str(line) in expected

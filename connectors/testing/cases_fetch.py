"""The contract's checks of fetches: batches, cursors that resume where they stopped, records
changed after they were sent, and kinds not declared."""

from __future__ import annotations

import pytest

from connectors.base import Connector, PermanentError
from connectors.imports import FetchKind
from connectors.testing.harnesses import ConnectorHarness
from connectors.testing.suite import (
    ContractSuite,
    fetch,
    fetch_all,
    fetch_kinds,
    origin_ids,
    over,
)


class FetchChecks(ContractSuite):
    @over("fetches")
    def test_fetch_yields_every_record_once_in_batches(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        job = self.job(harness, kind)
        _, cursor = fetch_all(connector, kind, "", job)
        added = harness.add_records(kind, 2 * harness.fetch_batch_size + 1)
        batches, _ = fetch_all(connector, kind, cursor, job)
        assert len(batches) >= 2, "fetch did not split the records into batches"
        for batch in batches:
            assert batch.records, "an empty batch"
            assert len(batch.records) <= harness.fetch_batch_size
            assert isinstance(batch.cursor, str)
            assert batch.cursor
        fetched = origin_ids(batches)
        assert len(fetched) == len(set(fetched)), "a record came twice"
        assert sorted(fetched) == sorted(added)
        if batches[0].total is not None:
            assert batches[0].total == len(fetched), "the first batch's total is wrong"

    @over("fetches")
    def test_fetch_resumes_from_the_cursor(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        job = self.job(harness, kind)
        _, cursor = fetch_all(connector, kind, "", job)
        added = harness.add_records(kind, 2 * harness.fetch_batch_size + 1)
        # Stop after one batch (a crash, a worker that moved on), go on from its cursor.
        first = next(fetch(connector, kind, cursor, job))
        rest, end = fetch_all(harness.connector(), kind, first.cursor, job)
        fetched = origin_ids([first, *rest])
        assert len(fetched) == len(set(fetched)), "a record came twice"
        assert sorted(fetched) == sorted(added), "a record was missed"
        again, same = fetch_all(connector, kind, end, job)
        assert origin_ids(again) == []
        assert same == end

    @over("fetches")
    def test_fetch_after_the_end_yields_only_new_records(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        job = self.job(harness, kind)
        harness.add_records(kind, 3)
        _, end = fetch_all(connector, kind, "", job)
        assert origin_ids(fetch_all(connector, kind, end, job)[0]) == []
        added = harness.add_records(kind, 2)
        batches, _ = fetch_all(connector, kind, end, job)
        assert sorted(origin_ids(batches)) == sorted(added)

    @over("fetches")
    def test_every_record_has_an_origin_id(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        job = self.job(harness, kind)
        _, cursor = fetch_all(connector, kind, "", job)
        harness.add_records(kind, 3)
        batches, _ = fetch_all(connector, kind, cursor, job)
        records = [record for batch in batches for record in batch.records]
        assert len(records) == 3
        for record in records:
            assert isinstance(record["origin_id"], str), record
            assert record["origin_id"].strip(), record

    @over("fetches")
    def test_a_changed_record_comes_again_once(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        """A record changed in the ERP after it was sent comes again after the cursor, once
        (the portal keeps the newest version)."""
        job = self.job(harness, kind)
        _, cursor = fetch_all(connector, kind, "", job)
        added = harness.add_records(kind, 3)
        _, end = fetch_all(connector, kind, cursor, job)
        try:
            harness.change_record(kind, added[1])
        except NotImplementedError:
            pytest.skip(f"the harness cannot change a record of {kind}")
        batches, after = fetch_all(connector, kind, end, job)
        assert origin_ids(batches) == [added[1]]
        assert after != end, "the cursor did not move past the change"
        assert origin_ids(fetch_all(connector, kind, after, job)[0]) == []

    def test_a_kind_not_declared_is_a_permanent_error(
        self, harness: ConnectorHarness, connector: Connector
    ) -> None:
        declared = set(fetch_kinds(harness.connector_class))
        for kind in [*(str(k) for k in FetchKind if k not in declared), "no_such_kind"]:
            with pytest.raises(PermanentError):
                list(connector.fetch(kind, ""))

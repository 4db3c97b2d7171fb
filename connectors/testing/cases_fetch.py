"""The contract's checks of imports: batches, and cursors that resume where they stopped."""

from __future__ import annotations

from connectors.base import Connector
from connectors.testing.harnesses import ConnectorHarness
from connectors.testing.suite import ContractSuite, fetch_all, origin_ids, over


class FetchChecks(ContractSuite):
    @over("imports")
    def test_fetch_yields_every_record_once_in_batches(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        _, cursor = fetch_all(connector, kind, "")
        added = harness.add_records(kind, 2 * harness.fetch_batch_size + 1)
        batches, _ = fetch_all(connector, kind, cursor)
        assert len(batches) >= 2, "fetch did not split the records into batches"
        for batch in batches:
            assert batch.records, "an empty batch"
            assert len(batch.records) <= harness.fetch_batch_size
            assert isinstance(batch.cursor, str)
            assert batch.cursor
        fetched = origin_ids(batches)
        assert len(fetched) == len(set(fetched)), "a record came twice"
        assert sorted(fetched) == sorted(added)

    @over("imports")
    def test_fetch_resumes_from_the_cursor(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        _, cursor = fetch_all(connector, kind, "")
        added = harness.add_records(kind, 2 * harness.fetch_batch_size + 1)
        # Stop after one batch (a crash, a worker that moved on), go on from its cursor.
        first = next(iter(connector.fetch(kind, cursor)))
        rest, end = fetch_all(harness.connector(), kind, first.cursor)
        fetched = origin_ids([first, *rest])
        assert len(fetched) == len(set(fetched)), "a record came twice"
        assert sorted(fetched) == sorted(added), "a record was missed"
        again, same = fetch_all(connector, kind, end)
        assert origin_ids(again) == []
        assert same == end

    @over("imports")
    def test_fetch_after_the_end_yields_only_new_records(
        self, harness: ConnectorHarness, connector: Connector, kind: str
    ) -> None:
        harness.add_records(kind, 3)
        _, end = fetch_all(connector, kind, "")
        assert origin_ids(fetch_all(connector, kind, end)[0]) == []
        added = harness.add_records(kind, 2)
        batches, _ = fetch_all(connector, kind, end)
        assert sorted(origin_ids(batches)) == sorted(added)

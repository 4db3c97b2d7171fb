"""The sandbox ledger's revisions: every write takes a new, greater number of its ledger, in
blocks for bulk writes, so ``fetch`` sends a changed record again after the cursor, once, and
a big table in batches without missing or repeating a row."""

from __future__ import annotations

import datetime
import threading

import pytest
from django import db
from django.apps import apps
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from connectors.base import PermanentError
from connectors.sandbox import SandboxConnector, console, job_costs
from connectors.sandbox.models import LedgerCounter, Vendor, take_revisions
from connectors.sandbox.seed import ensure_records

pytestmark = pytest.mark.django_db

LEDGER = "revisions"
# For the tests outside a test transaction: with every app listed, the flush after them leaves
# the content types alone (see tests/test_migrate_forward.py).
ALL_APPS = [config.name for config in apps.get_app_configs()]


def fetch(kind: str, cursor: str = "", **kwargs):
    return list(SandboxConnector({"ledger": LEDGER}).fetch(kind, cursor, **kwargs))


def ids(batches) -> list[str]:
    return [record["origin_id"] for batch in batches for record in batch.records]


def file_references(ledger: str = LEDGER) -> None:
    """Cost types, a division and its codes, a vendor and two jobs, as the ERP's users file
    them."""
    for code, name in (("L", "Labor"), ("M", "Material"), ("E", "Equipment"), ("S", "Sub")):
        ensure_records(ledger, "cost_types", [(f"CT-{code}", name, {"code": code, "name": name})])
    console.cost_code_save(ledger, full_code="03", name="Concrete")
    console.cost_code_save(ledger, full_code="03-300", name="Cast-in-Place Concrete")
    console.cost_code_save(ledger, full_code="03-200", name="Concrete Reinforcing")
    console.vendor_save(ledger, number="V-1002", name="Rocky Mountain Concrete Co.")
    console.job_save(ledger, number="J-1001", name="Lakewood Medical Office Building")
    console.job_save(ledger, number="J-1002", name="Platte Street Lofts")


def test_revisions_come_in_blocks_per_ledger():
    with transaction.atomic():
        first = take_revisions(LEDGER, 3)
        assert take_revisions(LEDGER) == first + 3
        assert take_revisions("another-ledger", 2) == 1
    assert LedgerCounter.objects.get(ledger=LEDGER).value == first + 3


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
def test_revisions_are_taken_inside_the_writing_transaction():
    with pytest.raises(transaction.TransactionManagementError):
        take_revisions(LEDGER)


def test_every_write_takes_a_greater_revision_of_its_ledger():
    vendor = console.vendor_save(LEDGER, name="Acme Supply")
    created = vendor.revision
    job = console.job_save(LEDGER, name="Harbor Library")
    assert job.revision > created  # one counter for the whole ledger
    console.vendor_save(LEDGER, number=vendor.number, name="Acme Supply Co.")
    vendor.refresh_from_db()
    assert vendor.revision > job.revision
    vendor.save(update_fields=["name"])  # even a save of some fields
    assert Vendor.objects.get(pk=vendor.pk).revision == vendor.revision > job.revision + 1


def test_bulk_create_takes_one_block_in_one_statement():
    rows = [Vendor(ledger=LEDGER, number=f"V-{n}", name=f"Vendor {n}") for n in range(1200)]
    with CaptureQueriesContext(connection) as queries:
        Vendor.objects.bulk_create(rows)
    counter = [q for q in queries.captured_queries if "ledgercounter" in q["sql"].lower()]
    assert len(counter) <= 3  # bump (and create, the first time), read back: not one per row
    revisions = [row.revision for row in Vendor.objects.filter(ledger=LEDGER).order_by("pk")]
    assert revisions == list(range(revisions[0], revisions[0] + 1200))


def test_changing_rows_behind_the_fetchs_back_is_refused():
    console.vendor_save(LEDGER, name="Acme Supply")
    with pytest.raises(TypeError, match="save"):
        Vendor.objects.filter(ledger=LEDGER).update(name="Renamed in bulk")
    rows = list(Vendor.objects.filter(ledger=LEDGER))
    before = rows[0].revision
    rows[0].name = "Renamed"
    Vendor.objects.bulk_update(rows, ["name"])
    assert Vendor.objects.get(pk=rows[0].pk).revision > before


def test_a_changed_record_comes_again_after_the_cursor_once():
    acme = console.vendor_save(LEDGER, name="Acme Supply", city="Denver")
    other = console.vendor_save(LEDGER, name="Summit Crane")
    batches = fetch("vendors")
    assert ids(batches) == [acme.number, other.number]
    cursor = batches[-1].cursor
    assert fetch("vendors", cursor) == []

    console.vendor_save(LEDGER, number=acme.number, name="Acme Supply Co.", city="Boulder")
    again = fetch("vendors", cursor)
    assert ids(again) == [acme.number]
    (record,) = again[0].records
    assert (record["name"], record["city"]) == ("Acme Supply Co.", "Boulder")
    assert again[0].total == 1
    assert int(again[-1].cursor) > int(cursor)
    assert fetch("vendors", again[-1].cursor) == []


def test_twenty_thousand_job_costs_come_once_in_batches_of_500():
    file_references()
    start = datetime.date(2026, 8, 1)
    assert job_costs.generate_job_costs(LEDGER, "J-1001", 20_000, start=start, seed=7) == 20_000
    job_costs.generate_job_costs(LEDGER, "J-1002", 300, start=start, seed=8)  # another job's

    batches = fetch("job_cost_transactions", job="J-1001")
    assert len(batches) == 40
    assert all(len(batch.records) == 500 for batch in batches)
    assert batches[0].total == 20_000
    assert {batch.total for batch in batches[1:]} == {None}
    cursors = [int(batch.cursor) for batch in batches]
    assert cursors == sorted(cursors) and len(set(cursors)) == 40
    fetched = ids(batches)
    assert len(fetched) == len(set(fetched)) == 20_000
    assert {r["job"] for batch in batches for r in batch.records} == {"J-1001"}
    assert fetch("job_cost_transactions", batches[-1].cursor, job="J-1001") == []
    assert ids(fetch("job_cost_transactions", job="J-1002")) != []


def test_fetch_refuses_what_it_cannot_resume():
    with pytest.raises(PermanentError, match="one job at a time"):
        fetch("job_cost_transactions")
    with pytest.raises(PermanentError, match="cannot resume"):
        fetch("vendors", "not-a-revision")
    with pytest.raises(PermanentError, match="does not send"):
        fetch("purchase_orders")


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
def test_rows_filed_before_revisions_get_one_each_on_migrating():
    """The migration numbers the rows a ledger already has, so the first fetch sends them all
    and the next write goes on after them."""
    executor = MigrationExecutor(connection)
    before, after = [("connectors", "0001_initial")], [("connectors", "0002_ledger_revisions")]
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        for n in range(3):
            old.get_model("connectors", "Vendor").objects.create(
                ledger=LEDGER, number=f"V-{n}", name=f"Vendor {n}", data={"seeded": True}
            )
        old.get_model("connectors", "JobCostTransaction").objects.create(
            ledger=LEDGER, number="JC-1", data={"job": "J-1", "amount": "10.00"}
        )
        MigrationExecutor(connection).migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert ids(fetch("vendors")) == ["V-0", "V-1", "V-2"]
    assert sorted(Vendor.objects.values_list("revision", flat=True)) == [1, 2, 3]
    assert LedgerCounter.objects.get(ledger=LEDGER).value == 4  # three vendors and a cost
    assert ids(fetch("job_cost_transactions", job="J-1")) == ["JC-1"]
    assert console.vendor_save(LEDGER, name="New").revision > 4


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
def test_a_later_revision_waits_for_the_earlier_writer_to_commit():
    """Two ERP users save at once: the second's revision is handed out only once the first's
    row is committed, so a fetch that saw the second's never misses the first's."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway; the row lock is PostgreSQL's")
    first_saved, release, second_done = threading.Event(), threading.Event(), threading.Event()
    revisions: dict[str, int] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                revisions["first"] = console.vendor_save(LEDGER, name="Slow Writer").revision
                first_saved.set()
                release.wait(10)
        finally:
            db.connections.close_all()

    def second() -> None:
        try:
            revisions["second"] = console.vendor_save(LEDGER, name="Fast Writer").revision
            second_done.set()
        finally:
            db.connections.close_all()

    with transaction.atomic():
        take_revisions(LEDGER)  # the counter row exists before the race
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_saved.wait(10)
    threads[1].start()
    assert not second_done.wait(0.5), "the second writer did not wait for the first"
    release.set()
    for thread in threads:
        thread.join(10)
    assert revisions["second"] > revisions["first"]
    assert ids(fetch("vendors")) == list(
        Vendor.objects.filter(ledger=LEDGER).order_by("revision").values_list("number", flat=True)
    )

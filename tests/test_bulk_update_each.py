"""``tenancy.bulk.update_each``: many rows, each with values of its own, in one statement."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations import models as m
from tenancy import bulk
from tests.factories import AccountFactory, CompanyFactory

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_and_the_shared_ones_in_one_statement() -> None:
    account = AccountFactory()
    one, two, untouched = (CompanyFactory(account=account, name=f"V{i}") for i in range(3))
    when = timezone.now().replace(microsecond=0) - datetime.timedelta(days=3)
    rows = {
        one.pk: {"origin_id": "V-1", "origin_data": {"terms": "net 30"}, "erp_synced_at": when},
        two.pk: {"origin_id": None, "origin_data": {}, "erp_synced_at": None},
    }
    with CaptureQueriesContext(connection) as captured:
        updated = bulk.update_each(m.Company, rows, erp_changed=True, erp_state="synced")
    assert updated == 2
    assert len(captured.captured_queries) == 1
    assert "CASE" not in captured.captured_queries[0]["sql"].upper()
    one.refresh_from_db()
    two.refresh_from_db()
    untouched.refresh_from_db()
    assert (one.origin_id, one.origin_data, one.erp_synced_at) == ("V-1", {"terms": "net 30"}, when)
    assert (two.origin_id, two.origin_data, two.erp_synced_at) == (None, {}, None)
    assert one.erp_changed and two.erp_changed and (one.erp_state, two.erp_state) == ("synced",) * 2
    assert not untouched.erp_changed and untouched.origin_id is None


def test_a_large_selection_goes_in_batches_of_bounded_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "BATCH", 4)
    account = AccountFactory()
    companies = [CompanyFactory(account=account, name=f"V{i}") for i in range(10)]
    rows = {c.pk: {"origin_code": f"C{i}"} for i, c in enumerate(companies)}
    with CaptureQueriesContext(connection) as captured:
        assert bulk.update_each(m.Company, rows) == 10
    assert len(captured.captured_queries) == 3
    codes = dict(m.Company.objects.filter(account=account).values_list("pk", "origin_code"))
    assert codes == {c.pk: f"C{i}" for i, c in enumerate(companies)}


def test_nothing_to_set_changes_nothing() -> None:
    assert bulk.update_each(m.Company, {}) == 0
    with pytest.raises(ValueError, match="not a column"):
        bulk.update_each(m.Company, {1: {"commitments": []}})


def test_among_selects_by_many_keys_in_one_parameter_on_postgresql() -> None:
    account = AccountFactory()
    companies = [CompanyFactory(account=account, name=f"V{i}") for i in range(5)]
    wanted = [companies[1].pk, companies[3].pk, 10**12]
    with CaptureQueriesContext(connection) as captured:
        found = set(m.Company.objects.filter(pk__among=wanted).values_list("pk", flat=True))
    assert found == {companies[1].pk, companies[3].pk}
    assert not m.Company.objects.filter(pk__among=[]).exists()
    if connection.vendor == "postgresql":
        assert "= ANY(" in captured.captured_queries[0]["sql"]

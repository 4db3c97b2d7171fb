"""A list page costs the same number of queries whatever its size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import COLLECTIONS, build_records, client_for, url

pytestmark = pytest.mark.django_db
# auth, account, holdings (membership, templates, company adjustments, project permissions),
# count, page, prefetches
MOST_QUERIES = 12


def queries_per_list(client, expected_rows: int) -> dict[str, int]:
    counts = {}
    for name in COLLECTIONS:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(name))
        assert response.status_code == 200
        assert response.json()["count"] == expected_rows, name
        counts[name] = len(captured)
    return counts


def test_list_queries_do_not_grow_with_the_page(account, viewer):
    client = client_for(viewer)
    for _ in range(5):
        build_records(account)
    small = queries_per_list(client, 5)
    for _ in range(35):
        build_records(account)
    large = queries_per_list(client, 40)
    assert large == small
    assert max(small.values()) <= MOST_QUERIES, small


def test_detail_queries_are_few(account, viewer):
    records = build_records(account)
    client = client_for(viewer)
    for name, model in COLLECTIONS.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(name, records.of(model).pk)).status_code == 200
        assert len(captured) <= MOST_QUERIES, (name, len(captured))

"""A record list's "Download CSV": exactly the rows the list selects (search, filters, sort,
every page) under the list's headings, safe to open in a spreadsheet, in a number of queries
that does not grow with the rows, and only for whoever may see the list."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.kinds import kind
from integrations.web import lists
from integrations.web.views import PAGE_SIZE
from permissions.levels import Level, Tool
from tests.factories import CommitmentFactory, CompanyFactory, ProjectFactory, member
from tests.factories import signed_in as login

READ_ONLY = dict.fromkeys(Tool, Level.READ_ONLY)


def csv_url(account, key: str = "commitments") -> str:
    return reverse("record-csv", kwargs={"account": account.slug, "kind": key})


def download(client: Client, url: str, params: dict[str, str] | None = None) -> list[list[str]]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="commitments.csv"'
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def commitments(account, count: int, **fields) -> list:
    project = ProjectFactory(account=account)
    vendor = CompanyFactory(account=account)
    return [
        CommitmentFactory(
            account=account,
            project=project,
            vendor=vendor,
            number=f"SC-{n:03}",
            title=f"Scope {n:03}",
            **fields,
        )
        for n in range(1, count + 1)
    ]


@pytest.fixture
def client(account) -> Client:
    return login(member(account, levels=READ_ONLY))


@pytest.mark.django_db
def test_every_page_of_the_searched_and_sorted_list_under_its_headings(account, client):
    commitments(account, PAGE_SIZE + 5)
    headings = [text for _, text in lists.columns(kind("commitments"))]
    rows = download(client, csv_url(account), {"q": "Scope 0", "ordering": "-title"})
    assert rows[0] == headings
    titles = rows[0].index("Title")
    body = rows[1:]
    assert len(body) == PAGE_SIZE + 5  # not just the first page
    assert [r[titles] for r in body] == [f"Scope {n:03}" for n in range(PAGE_SIZE + 5, 0, -1)]

    searched = download(client, csv_url(account), {"q": "Scope 007"})
    assert [r[titles] for r in searched[1:]] == ["Scope 007"]


@pytest.mark.django_db
def test_the_list_links_to_its_csv_with_the_same_filters(account, client):
    commitments(account, 2)
    url = reverse("record-list", kwargs={"account": account.slug, "kind": "commitments"})
    page = client.get(url, {"q": "Scope", "ordering": "title", "page": "1"}).text
    assert "Download CSV" in page
    assert f'href="{csv_url(account)}?q=Scope&amp;ordering=title"' in page


@pytest.mark.django_db
def test_a_formula_is_written_as_text(account, client):
    project, vendor = ProjectFactory(account=account), CompanyFactory(account=account)
    CommitmentFactory(
        account=account, project=project, vendor=vendor, number="SC-1", title="=HYPERLINK(1)"
    )
    rows = download(client, csv_url(account))
    assert rows[1][rows[0].index("Title")] == "'=HYPERLINK(1)"


def queries_for(client: Client, url: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert len(download(client, url)) == rows + 1
    return len(queries)


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_rows(account, client):
    project, vendor = ProjectFactory(account=account), CompanyFactory(account=account)
    CommitmentFactory.create_batch(10, account=account, project=project, vendor=vendor)
    at_10 = queries_for(client, csv_url(account), 10)
    CommitmentFactory.create_batch(190, account=account, project=project, vendor=vendor)
    assert queries_for(client, csv_url(account), 200) == at_10


@pytest.mark.django_db
def test_another_account_or_no_rights_gets_no_file(account, other_account):
    commitments(account, 1)
    outsider = login(member(other_account, levels=dict.fromkeys(Tool, Level.ADMIN)))
    assert outsider.get(csv_url(account)).status_code == 404
    nobody = login(member(account))
    listing = reverse("record-list", kwargs={"account": account.slug, "kind": "commitments"})
    refused = nobody.get(listing).status_code
    assert refused in (403, 404)
    assert nobody.get(csv_url(account)).status_code == refused

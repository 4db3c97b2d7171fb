"""*Export CSV* on Ready to Export and Failed to Export: every row of the queue under its filters,
search and sort (not only the page on screen), streamed, opening in a spreadsheet as text."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_module
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from approvals.selectors import PAGE_SIZE
from demo.seed import seed_demo
from tests.factories import demo_user as user
from tests.factories import signed_in as login

S = RequestState


@pytest.fixture
def demo(db: Any) -> Any:
    return seed_demo()


def url(name: str, account: Any) -> str:
    return reverse(name, kwargs={"account": account.slug})


def queued(account: Any, n: int, state: str = S.PENDING) -> list[ExportRequest]:
    """``n`` commitments in the queue: vendors alternate, amounts vary, one label is a formula."""
    sender, now = user("pm"), timezone.now()
    return ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=800_000 + i,
            state=state,
            sent_by=sender,
            sent_at=now - dt.timedelta(hours=n - i),
            error="Vendor is on hold." if state == S.FAILED else "",
            summary={
                "label": '=HYPERLINK("http://evil")' if i == 3 else f"SC-{800_000 + i}",
                "vendor": "Acme Steel" if i % 2 else "Bolt Electric",
                "project": "P-100 Harbor Point",
                "amount": f"{(i * 37) % 1000}.50",
            },
        )
        for i in range(n)
    )


def rows_of(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming, "the CSV is streamed"
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def page_labels(client: Any, address: str) -> list[str]:
    """The item labels the queue page lists, page after page."""
    labels: list[str] = []
    page = 1
    while True:
        html = client.get(f"{address}&page={page}").text
        labels += re.findall(r"data-queue-open>([^<]+)</a>", html)
        if "Next \u203a" not in html:
            return [html_module.unescape(label) for label in labels]
        page += 1


def test_the_csv_has_every_row_of_the_filtered_sorted_queue(demo: Any) -> None:
    queued(demo, 2 * PAGE_SIZE + 10)
    approver = login("approver")
    filters = "q=Acme&sort=amount_desc"
    page = approver.get(f"{url('export-queue', demo)}?{filters}")
    link = re.search(r'<a class="csv-link" href="([^"]+)" download>Export CSV</a>', page.text)
    assert link, "no Export CSV link on the queue"
    address = link.group(1).replace("&amp;", "&")
    assert "q=Acme" in address and "sort=amount_desc" in address and "page=" not in address

    rows = rows_of(approver.get(address))
    header, body = rows[0], rows[1:]
    assert header == ["Item", "Type", "Project", "Vendor", "Amount", "Sent by", "Sent", "Status"]
    expected = page_labels(approver, f"{url('export-queue', demo)}?{filters}")
    assert len(expected) == PAGE_SIZE + 5  # more than one page
    # The same rows in the same order; the formula-looking label is quoted in the file.
    assert [row[0] for row in body] == [f"'{x}" if x.startswith("=") else x for x in expected]
    assert any(x.startswith("=") for x in expected)
    assert {row[3] for row in body} == {"Acme Steel"}
    amounts = [float(row[4]) for row in body]
    assert amounts == sorted(amounts, reverse=True)
    assert {row[7] for row in body} == {"Ready to Export"}
    assert body[0][5] == "Jake Sullivan"


def test_a_formula_looking_cell_is_quoted(demo: Any) -> None:
    queued(demo, 5)
    rows = rows_of(login("approver").get(url("export-queue-csv", demo)))
    labels = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in labels
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_the_failed_list_exports_its_error_column(demo: Any) -> None:
    queued(demo, 4, state=S.FAILED)
    approver = login("approver")
    page = approver.get(url("export-failed", demo))
    assert f'href="{url("export-failed-csv", demo)}" download>Export CSV' in page.text
    rows = rows_of(approver.get(url("export-failed-csv", demo)))
    assert rows[0][-1] == "ERP error"
    assert len(rows) == 5
    assert {row[-1] for row in rows[1:]} == {"Vendor is on hold."}
    assert {row[7] for row in rows[1:]} == {"Failed to Export"}


def test_an_empty_queue_offers_no_csv_and_the_csv_is_just_the_header(demo: Any) -> None:
    approver = login("approver")
    assert "Export CSV" not in approver.get(url("export-queue", demo)).text
    assert len(rows_of(approver.get(url("export-queue-csv", demo)))) == 1


def test_who_may_not_open_the_queue_gets_no_csv(demo: Any) -> None:
    queued(demo, 3)
    for username in ("pm", "nobody"):
        response = login(username).get(url("export-queue-csv", demo))
        assert response.status_code in (403, 404), username

"""Following a bulk accept: the queue page shows how far the exports have got, the panel polls a
small endpoint (one aggregate query, whatever the batch's size), and the API says the same."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from approvals import batches, export_tasks
from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept
from demo.seed import seed_demo
from permissions.levels import Level, Privilege
from tests.api.conftest import everywhere
from tests.factories import AccountFactory, member
from tests.factories import demo_user as user
from tests.factories import signed_in as login

HTMX = {"HTTP_HX_REQUEST": "true"}
S = RequestState


@pytest.fixture
def demo(db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    # The workers are not running: the test moves the requests itself.
    monkeypatch.setattr(export_tasks, "enqueue", lambda ids: None)
    return seed_demo()


def url(name: str, account: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


def queued(account: Any, n: int, *, start: int = 900_000) -> list[ExportRequest]:
    """``n`` commitments waiting in Ready to Export, sent by the project manager."""
    sender, now = user("pm"), timezone.now()
    return ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=start + i,
            state=S.PENDING,
            sent_by=sender,
            sent_at=now - dt.timedelta(minutes=n - i),
            summary={"label": f"SC-{start + i}", "amount": "100.00"},
        )
        for i in range(n)
    )


def bulk_accept(client: Any, account: Any, requests: list[ExportRequest]) -> Any:
    body = {"ids": [r.pk for r in requests], "queue": "ready", "qs": ""}
    return client.post(url("export-accept-selected", account), body, **HTMX)


def panel_url(html: str) -> str:
    found = re.search(r'<section id="export-batch"[^>]*hx-get="([^"]+)"', html)
    assert found, "no polling progress panel on the page"
    return found.group(1).replace("&amp;", "&")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def move(requests: list[ExportRequest], state: str) -> None:
    ExportRequest.objects.filter(pk__in=[r.pk for r in requests]).update(state=state)


def test_the_queue_follows_a_bulk_accept_until_done(demo: Any) -> None:
    requests = queued(demo, 30)
    approver = login("approver")
    response = bulk_accept(approver, demo, requests)
    assert response.status_code == 200
    assert "Accepted 30 items." in response.text
    assert "Exporting 30 accepted items: 0 exported, 0 failed, 30 waiting" in text_of(response.text)
    assert 'hx-trigger="every 2s"' in response.text
    assert re.search(r'<progress max="30" value="0"', response.text)
    poll = panel_url(response.text)

    # The workers get through some: the poll says how many, with the bar and in words.
    move(requests[:12], S.SYNCED)
    move(requests[12:14], S.FAILED)
    move(requests[14:16], S.EXPORTING)
    part = approver.get(poll, **HTMX)
    assert part.status_code == 200
    assert "Exporting 30 accepted items: 12 exported, 2 failed, 16 waiting" in text_of(part.text)
    assert re.search(r'<progress max="30" value="14"', part.text)
    assert 'hx-trigger="every 2s"' in part.text

    # Every request has left accepted/exporting: done, no more polling, a way to the failures.
    move(requests[14:], S.SYNCED)
    done = approver.get(poll, **HTMX)
    assert "Done: 28 exported, 2 failed." in text_of(done.text)
    assert "hx-trigger" not in done.text
    failed_link = re.search(r'href="([^"]+)">See the 2 that failed in Failed to Export', done.text)
    assert failed_link
    failures = approver.get(failed_link.group(1).replace("&amp;", "&"))
    assert failures.status_code == 200
    shown = set(re.findall(r'name="ids" value="(\d+)"', failures.text))
    assert shown == {str(r.pk) for r in requests[12:14]}


def test_a_few_accepted_show_no_panel(demo: Any) -> None:
    response = bulk_accept(login("approver"), demo, queued(demo, batches.HANDFUL))
    assert response.status_code == 200
    assert "export-batch" not in response.text


def test_without_javascript_the_redirect_shows_the_panel(demo: Any) -> None:
    requests = queued(demo, 8)
    approver = login("approver")
    body = {"ids": [r.pk for r in requests], "queue": "ready", "qs": "sort=newest"}
    response = approver.post(url("export-accept-selected", demo), body)
    assert response.status_code == 302
    assert "sort=newest" in response["Location"] and "follow=" in response["Location"]
    page = approver.get(response["Location"])
    assert "Exporting 8 accepted items: 0 exported, 0 failed, 8 waiting" in text_of(page.text)
    # The endpoint itself, opened as a page, shows the panel too (with a Refresh link).
    whole = approver.get(panel_url(page.text))
    assert whole.status_code == 200
    assert "<h1>Export progress</h1>" in whole.text


def test_a_member_of_another_account_gets_404(demo: Any) -> None:
    response = bulk_accept(login("approver"), demo, queued(demo, 10))
    poll = panel_url(response.text)
    token = poll.rstrip("/").rsplit("/", 1)[1]
    rival = AccountFactory(slug="rival")
    rights = {"levels": everywhere(Level.ADMIN), **{p.value: True for p in Privilege}}
    outsider = member(rival, username="rival-admin", **rights)
    client = login(outsider)
    assert client.get(poll).status_code == 404  # not a member of the demo account
    # In their own account, the demo account's token names no batch.
    assert client.get(url("export-batch", rival, token=token)).status_code == 404
    # A forged token is no batch either.
    assert login("approver").get(url("export-batch", demo, token=token + "x")).status_code == 404


def test_who_may_not_open_the_queue_may_not_watch(demo: Any) -> None:
    poll = panel_url(bulk_accept(login("approver"), demo, queued(demo, 10)).text)
    for username in ("pm", "nobody"):
        assert login(username).get(poll, **HTMX).status_code in (403, 404), username


def poll_queries(client: Any, poll: str) -> tuple[list[str], str]:
    client.get(poll, **HTMX)  # warm the session and the user's cached grants
    with CaptureQueriesContext(connection) as queries:
        part = client.get(poll, **HTMX)
    assert part.status_code == 200
    return [q["sql"] for q in queries.captured_queries], text_of(part.text)


def test_polling_costs_the_same_whatever_the_batch(demo: Any) -> None:
    approver = user("approver")
    client = login(approver)
    counts = {}
    for size, start in ((5, 900_000), (50, 910_000)):
        accepted = export_accept(
            account=demo,
            request_ids=[r.pk for r in queued(demo, size, start=start)],
            actor=approver,
        )
        move(accepted[: size // 2], S.SYNCED)
        token = batches.token_for(accepted)
        assert token
        sql, text = poll_queries(client, url("export-batch", demo, token=token))
        assert f"Exporting {size} accepted items: {size // 2} exported" in text
        # One aggregate over the batch, whatever its size.
        assert len([q for q in sql if "approvals_exportrequest" in q]) == 1
        counts[size] = len(sql)
    assert counts[5] == counts[50], counts


def test_the_api_names_the_batch_and_counts_it(demo: Any) -> None:
    requests = queued(demo, 9)
    api = APIClient()
    api.force_authenticate(user("approver"))
    response = api.post(
        "/api/v1/export-requests/bulk-accept/",
        {"ids": [r.pk for r in requests]},
        format="json",
        HTTP_X_ACCOUNT=demo.slug,
    )
    assert response.status_code == 200, response.content
    assert len(response.json()) == 9  # the body is unchanged: the requests
    link = re.fullmatch(r'<([^>]+)>; rel="export-batch"', response["Link"])
    assert link
    move(requests[:4], S.SYNCED)
    move(requests[4:5], S.FAILED)
    progress = api.get(link.group(1), HTTP_X_ACCOUNT=demo.slug)
    assert progress.status_code == 200
    assert progress.json() == {"total": 9, "exported": 4, "failed": 1, "waiting": 4, "done": False}
    # A member without the ERP tool may not read it.
    api.force_authenticate(user("pm"))
    assert api.get(link.group(1), HTTP_X_ACCOUNT=demo.slug).status_code in (403, 404)


def test_the_schema_documents_the_batch(db: Any) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    batch = schema["paths"]["/api/v1/export-batches/{token}/"]["get"]
    assert batch["summary"] == "Progress of a bulk accept"
    assert "404" in batch["responses"]
    counts = schema["components"]["schemas"]["BatchProgress"]["properties"]
    assert {"total", "exported", "failed", "waiting", "done"} <= set(counts)
    bulk = schema["paths"]["/api/v1/export-requests/bulk-accept/"]["post"]
    assert "Link" in bulk["responses"]["200"]["headers"]

"""The export screens on the demo account: who sees the queues and the buttons, what each
action does with and without htmx, and how a refusal is shown."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_reject, export_send
from demo.seed import seed_demo
from integrations.models import Commitment, Company, ErpState
from tests.factories import AccountFactory, UserFactory
from tests.factories import demo_user as user
from tests.factories import signed_in as login

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def demo(db):
    return seed_demo()


def url(name, account, **kwargs) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


def sendable(account, count=2) -> list[Commitment]:
    return list(
        Commitment.objects.filter(
            account=account,
            status="approved",
            vendor__erp_state="synced",
            project__erp_state="synced",
        ).order_by("pk")[:count]
    )


def item_page(account, item) -> str:
    return url("record-detail", account, kind="commitments", pk=item.pk)


def send_url(account, item, item_type="commitment") -> str:
    return url("export-send", account, item_type=item_type, item_id=item.pk)


@pytest.fixture
def sent(demo):
    """Two commitments the project manager sent for acceptance."""
    pm = user("pm")
    return [export_send(item=item, actor=pm) for item in sendable(demo)]


def state_of(item) -> str:
    return type(item).objects.get(pk=item.pk).erp_state


# --- Who sees what ---------------------------------------------------------------------------


def test_approver_sees_the_queue_with_its_buttons(demo, sent):
    page = login("approver").get(url("export-queue", demo))
    assert page.status_code == 200
    for request in sent:
        assert request.label in page.text
        assert f'name="ids" value="{request.pk}"' in page.text
        assert url("export-accept", demo, pk=request.pk) in page.text
    assert "Accept selected" in page.text and "Reject selected" in page.text
    assert 'aria-label="Select all"' in page.text
    # The nav counts what waits; the type tab counts too.
    assert re.search(r"Ready to Export <span[^>]*>\(2\)</span>", page.text)
    assert re.search(r"Commitments <span class=\"count\">2</span>", page.text)
    assert "state-pending" in page.text and "Ready to Export</span>" in page.text


def test_viewer_sees_the_queue_without_buttons(demo, sent):
    page = login("viewer").get(url("export-queue", demo))
    assert page.status_code == 200
    assert sent[0].label in page.text
    assert 'name="ids"' not in page.text
    assert "Accept selected" not in page.text
    assert url("export-accept", demo, pk=sent[0].pk) not in page.text
    # ...and a forged decision is refused.
    client = login("viewer")
    assert client.get(url("export-accept", demo, pk=sent[0].pk)).status_code == 403
    forged = client.post(url("export-accept-selected", demo), {"ids": [sent[0].pk]})
    assert forged.status_code == 403
    assert ExportRequest.objects.get(pk=sent[0].pk).state == RequestState.PENDING


@pytest.mark.parametrize("name", ["nobody", "pm"])
def test_queue_is_refused_without_the_erp_tool(demo, sent, name):
    client = login(name)
    assert client.get(url("export-queue", demo)).status_code == 403
    assert client.get(url("export-failed", demo)).status_code == 403
    home = client.get(url("account-home", demo))
    assert "Ready to Export" not in home.text
    assert url("export-queue", demo) not in home.text


def test_anonymous_is_sent_to_login(demo):
    response = Client().get(url("export-queue", demo))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_accounts_request_is_404(demo, sent):
    rival = AccountFactory(slug="rival", name="Rival")
    theirs = ExportRequest.objects.create(
        account=rival,
        item_type="commitment",
        item_id=999_999,
        summary={"label": "Theirs"},
        sent_by=UserFactory(),
        sent_at=timezone.now(),
    )
    client = login("approver")
    assert client.get(url("export-accept", demo, pk=theirs.pk)).status_code == 404
    assert client.post(url("export-reject", demo, pk=theirs.pk), {"reason": "x"}).status_code == 404
    bulk = client.post(url("export-accept-selected", demo), {"ids": [theirs.pk, sent[0].pk]})
    assert bulk.status_code == 404
    assert client.get(url("export-queue", rival)).status_code == 404
    assert ExportRequest.objects.get(pk=theirs.pk).state == RequestState.PENDING
    assert ExportRequest.objects.get(pk=sent[0].pk).state == RequestState.PENDING


# --- The item page: send, retrieve, re-send ---------------------------------------------------


def test_item_page_shows_send_only_to_who_may_send(demo):
    item = sendable(demo, 1)[0]
    pm_page = login("pm").get(item_page(demo, item))
    assert 'id="erp-workflow"' in pm_page.text
    assert "Send to ERP" in pm_page.text and "Not sent" in pm_page.text
    assert "Never sent to the ERP." in pm_page.text
    viewer_page = login("viewer").get(item_page(demo, item))
    assert viewer_page.status_code == 200
    assert "Not sent" in viewer_page.text
    assert "Send to ERP" not in viewer_page.text
    assert send_url(demo, item) not in viewer_page.text


def test_send_with_a_plain_form_redirects_to_the_item(demo):
    item = sendable(demo, 1)[0]
    client = login("pm")
    response = client.post(send_url(demo, item))
    assert response.status_code == 302
    assert response["Location"] == item_page(demo, item)
    assert state_of(item) == ErpState.PENDING
    page = client.get(response["Location"])
    assert "was sent for accounting acceptance" in page.text
    assert "Retrieve from ERP" in page.text
    assert "Send to ERP" not in page.text
    assert "state-pending big-state" in page.text
    assert "Jake Sullivan" in page.text  # the history names the sender


def test_send_with_htmx_answers_the_section(demo):
    item = sendable(demo, 1)[0]
    response = login("pm").post(send_url(demo, item), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="erp-workflow"')
    assert "Ready to Export" in response.text and "Retrieve from ERP" in response.text
    assert "was sent for accounting acceptance" in response.text
    assert state_of(item) == ErpState.PENDING


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_send_refused_names_every_failing_field(demo, headers):
    item = Commitment.objects.filter(
        account=demo, vendor__erp_state="unsent", status="approved"
    ).first()
    item.title = "A title that is far longer than thirty characters"
    item.save()
    response = login("pm").post(send_url(demo, item), **headers)
    assert response.status_code == 400
    assert re.search(
        r'data-field="vendor_ref"><strong>Vendor</strong>: The vendor must be synced', response.text
    )
    assert re.search(
        r'data-field="title"><strong>Title</strong>: The title is longer than the ERP',
        response.text,
    )
    assert ("<html" in response.text) is not bool(headers)
    assert state_of(item) == ErpState.UNSENT


def test_send_twice_is_a_conflict(demo):
    item = sendable(demo, 1)[0]
    client = login("pm")
    assert client.post(send_url(demo, item)).status_code == 302
    again = client.post(send_url(demo, item), **HTMX)
    assert again.status_code == 409
    assert "is ready to export; it cannot be sent now" in again.text


def test_send_is_refused_to_who_may_not(demo):
    item = sendable(demo, 1)[0]
    assert login("viewer").post(send_url(demo, item)).status_code == 403
    assert login("nobody").post(send_url(demo, item)).status_code == 404  # cannot even see it
    assert (
        login("pm").post(url("export-send", demo, item_type="nope", item_id=1)).status_code == 404
    )
    assert state_of(item) == ErpState.UNSENT


def test_retrieve_then_resend(demo, sent):
    item = Commitment.objects.get(pk=sent[0].item_id)
    client = login("pm")
    retrieve = url("export-retrieve", demo, pk=sent[0].pk)
    assert retrieve in client.get(item_page(demo, item)).text
    response = client.post(retrieve)
    assert response.status_code == 302 and response["Location"] == item_page(demo, item)
    assert state_of(item) == ErpState.RETRIEVED
    page = client.get(item_page(demo, item))
    assert "Re-send to ERP" in page.text and "state-retrieved big-state" in page.text
    assert client.post(retrieve, **HTMX).status_code == 409  # already taken back
    resend = client.post(send_url(demo, item), **HTMX)
    assert resend.status_code == 200 and "Retrieve from ERP" in resend.text
    latest = ExportRequest.objects.filter(item_id=item.pk, item_type="commitment").last()
    assert latest.is_resend and latest.state == RequestState.PENDING
    assert "Sent again to the ERP" in resend.text  # its line in the history


def test_retrieve_is_refused_to_the_approver(demo, sent):
    response = login("approver").post(url("export-retrieve", demo, pk=sent[0].pk))
    assert response.status_code == 403
    assert ExportRequest.objects.get(pk=sent[0].pk).state == RequestState.PENDING


def test_rejected_item_shows_the_reason_and_resend(demo, sent):
    export_reject(
        account=demo, request_ids=[sent[0].pk], actor=user("approver"), reason="Wrong cost code"
    )
    item = Commitment.objects.get(pk=sent[0].item_id)
    page = login("pm").get(item_page(demo, item))
    assert re.search(r'class="reject-reason".*Rejected by Priya Natarajan', page.text, re.S)
    assert "Wrong cost code" in page.text
    assert "state-rejected big-state" in page.text
    assert "Re-send to ERP" in page.text


# --- Accept and reject ------------------------------------------------------------------------


def test_accept_dialog_plain_and_htmx(demo, sent):
    client = login("approver")
    accept = url("export-accept", demo, pk=sent[0].pk)
    page = client.get(accept, {"queue": "ready", "qs": "type=commitment"})
    assert page.status_code == 200 and "<html" in page.text
    assert "Accept for export" in page.text and "hx-post" not in page.text
    partial = client.get(accept, **HTMX)
    assert partial.status_code == 200 and "<html" not in partial.text
    assert f'hx-post="{accept}"' in partial.text
    response = client.post(accept, {"queue": "ready", "qs": "type=commitment"})
    assert response.status_code == 302
    assert response["Location"] == url("export-queue", demo) + "?type=commitment"
    assert ExportRequest.objects.get(pk=sent[0].pk).state == RequestState.ACCEPTED
    assert state_of(Commitment(pk=sent[0].item_id)) == ErpState.ACCEPTED


def test_accept_with_htmx_redraws_the_queue_and_closes_the_dialog(demo, sent):
    response = login("approver").post(
        url("export-accept", demo, pk=sent[0].pk), {"queue": "ready"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#queue" and response["HX-Trigger"] == "erpdone"
    assert response.text.lstrip().startswith('<section id="queue"')
    assert f"Accepted {sent[0].label}." in response.text
    assert sent[0].label not in response.text.split("</ul>", 1)[1]  # gone from the rows
    assert '<span id="tab-count-ready-to-export" hx-swap-oob="true">(1)</span>' in response.text


def _company_request(demo) -> ExportRequest:
    company = Company.objects.filter(account=demo, erp_state="unsent").order_by("pk").first()
    return export_send(item=company, actor=user("erpadmin"))


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_accept_fields_are_the_connectors_and_errors_show_by_field(demo, headers):
    request = _company_request(demo)
    client = login("approver")
    accept = url("export-accept", demo, pk=request.pk)
    form = client.get(accept, **headers)
    assert 'name="erp_vendor_id"' in form.text and "ERP vendor id" in form.text
    assert 'maxlength="10"' in form.text
    refused = client.post(accept, {"erp_vendor_id": "V-12345678901"}, **headers)
    assert refused.status_code == 400
    assert re.search(
        r'class="field has-error">\s*<label for="id_erp_vendor_id">ERP vendor id</label>.*'
        r"At most 10 characters\.",
        refused.text,
        re.S,
    )
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.PENDING
    accepted = client.post(accept, {"erp_vendor_id": "V-1001"}, **headers)
    assert accepted.status_code == (200 if headers else 302)
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    assert request.erp_fields == {"erp_vendor_id": "V-1001"}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_reject_needs_a_reason(demo, sent, headers):
    client = login("approver")
    reject = url("export-reject", demo, pk=sent[0].pk)
    response = client.post(reject, {"reason": "  "}, **headers)
    assert response.status_code == 400
    assert re.search(
        r'class="field has-error">\s*<label for="id_reason">Reason</label>.*Say why, so the sender',
        response.text,
        re.S,
    )
    done = client.post(reject, {"reason": "Wrong vendor"}, **headers)
    assert done.status_code == (200 if headers else 302)
    assert ExportRequest.objects.get(pk=sent[0].pk).reason == "Wrong vendor"
    assert state_of(Commitment(pk=sent[0].item_id)) == ErpState.REJECTED


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_second_decision_is_a_conflict(demo, sent, headers):
    export_accept(account=demo, request_ids=[sent[0].pk], actor=user("erpadmin"))
    client = login("approver")
    response = client.post(
        url("export-reject", demo, pk=sent[0].pk), {"reason": "Too late"}, **headers
    )
    assert response.status_code == 409
    assert "was already accepted by Morgan Reyes" in response.text
    assert client.post(url("export-accept", demo, pk=sent[0].pk), **headers).status_code == 409
    assert ExportRequest.objects.get(pk=sent[0].pk).state == RequestState.ACCEPTED


def test_bulk_accept_plain(demo, sent):
    client = login("approver")
    response = client.post(
        url("export-accept-selected", demo),
        {"ids": [r.pk for r in sent], "queue": "ready", "qs": "sort=newest"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("export-queue", demo) + "?sort=newest"
    accepted = ExportRequest.objects.filter(pk__in=[r.pk for r in sent])
    assert set(accepted.values_list("state", flat=True)) == {RequestState.ACCEPTED}
    page = client.get(response["Location"])
    assert "Accepted 2 items." in page.text
    assert "Nothing is waiting for accounting acceptance." in page.text


def test_bulk_reject_with_htmx_needs_a_reason_and_keeps_the_selection(demo, sent):
    client = login("approver")
    ids = [r.pk for r in sent]
    refused = client.post(url("export-reject-selected", demo), {"ids": ids}, **HTMX)
    assert refused.status_code == 400
    assert refused.text.lstrip().startswith('<section id="queue"')
    assert "Say why, so the sender can fix it." in refused.text
    for request in sent:
        box = f'name="ids" value="{request.pk}" aria-label="Select {request.label}" checked'
        assert box in refused.text
    done = client.post(
        url("export-reject-selected", demo), {"ids": ids, "reason": "Missing retention"}, **HTMX
    )
    assert done.status_code == 200 and "Rejected 2 items." in done.text
    rejected = ExportRequest.objects.filter(pk__in=ids)
    assert set(rejected.values_list("reason", flat=True)) == {"Missing retention"}
    none = client.post(url("export-accept-selected", demo), {"ids": []}, **HTMX)
    assert none.status_code == 400 and "Select at least one item." in none.text


def test_failed_to_export_lists_the_error_and_offers_retry_and_reject(demo, sent):
    export_accept(account=demo, request_ids=[sent[0].pk], actor=user("approver"))
    ExportRequest.objects.filter(pk=sent[0].pk).update(
        state=RequestState.FAILED, error="Vendor 4411 is on hold in the ERP."
    )
    Commitment.objects.filter(pk=sent[0].item_id).update(erp_state=ErpState.FAILED)
    client = login("approver")
    page = client.get(url("export-failed", demo))
    assert page.status_code == 200
    assert "Vendor 4411 is on hold in the ERP." in page.text
    assert "state-failed" in page.text and "Failed to Export</span>" in page.text
    assert url("export-reject", demo, pk=sent[0].pk) in page.text
    assert url("export-accept", demo, pk=sent[0].pk) not in page.text
    assert "Accept selected" not in page.text and "Retry selected" in page.text
    assert sent[1].label not in page.text  # still pending: not in this list
    item = Commitment.objects.get(pk=sent[0].item_id)
    assert "The ERP refused it:" in login("pm").get(item_page(demo, item)).text
    response = client.post(
        url("export-reject", demo, pk=sent[0].pk),
        {"reason": "Vendor on hold", "queue": "failed"},
    )
    assert response.status_code == 302 and response["Location"] == url("export-failed", demo)
    assert state_of(item) == ErpState.REJECTED


# --- CSRF ---------------------------------------------------------------------------------------


def test_csrf_is_enforced_and_the_htmx_header_passes(demo, sent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("approver"))
    bulk = url("export-accept-selected", demo)
    assert client.post(bulk, {"ids": [sent[0].pk]}).status_code == 403
    assert client.post(bulk, {"ids": [sent[0].pk]}, **HTMX).status_code == 403
    page = client.get(url("export-queue", demo))
    token = client.cookies["csrftoken"].value
    assert '<body hx-headers=\'{"X-CSRFToken": "' in page.text  # what htmx sends
    ok = client.post(bulk, {"ids": [sent[0].pk]}, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert ok.status_code == 200
    assert ExportRequest.objects.get(pk=sent[0].pk).state == RequestState.ACCEPTED
    pm = Client(enforce_csrf_checks=True)
    pm.force_login(user("pm"))
    assert pm.post(send_url(demo, Commitment(pk=sent[1].item_id))).status_code == 403


# --- Filters, search, sort, pages, and the cost of a page ---------------------------------------


def _make_requests(account, count, *, sender, project=None, start=0):
    now = timezone.now()
    types = ["commitment", "subcontractor_invoice", "company"]
    ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type=types[n % 3],
            item_id=100_000 + start + n,
            project=project,
            summary={
                "label": f"REQ-{start + n:05d} Item {start + n}",
                "number": f"REQ-{start + n:05d}",
                "title": f"Item {start + n}",
                "project": str(project) if project else "",
                "vendor": "Acme Drywall" if n % 5 == 0 else "Other Vendor",
                "amount": str(Decimal(1000 + n)),
            },
            sent_by=sender,
            sent_at=now - dt.timedelta(days=n % 20, minutes=n),
        )
        for n in range(count)
    )


def test_filters_search_sort_and_pages(demo):
    pm, approver = user("pm"), user("approver")
    project = Commitment.objects.filter(account=demo).first().project
    _make_requests(demo, 30, sender=pm, project=project)
    _make_requests(demo, 3, sender=approver, start=500)
    client = login("approver")
    queue = url("export-queue", demo)

    def labels(response):
        return re.findall(r">(REQ-\d{5}) Item", response.text)

    by_type = client.get(queue, {"type": "company"})
    assert len(labels(by_type)) == 11  # every third of 30, and one of 3
    assert re.search(
        r'class="active" aria-current="page">Companies <span class="count">11', by_type.text
    )
    assert re.search(r">All <span class=\"count\">33</span>", by_type.text)
    acme = [f"REQ-{n:05d}" for n in (0, 5, 10, 15, 20, 25, 500)]
    assert sorted(labels(client.get(queue, {"q": "acme"}))) == acme
    assert labels(client.get(queue, {"sender": approver.pk})) == [
        "REQ-00502",
        "REQ-00501",
        "REQ-00500",
    ]
    assert len(labels(client.get(queue, {"project": project.pk, "type": "commitment"}))) == 10
    old = labels(client.get(queue, {"age": 14}))
    assert old and all(int(label[4:]) % 20 >= 14 for label in old)
    assert labels(client.get(queue, {"sort": "amount_desc"}))[:2] == ["REQ-00029", "REQ-00028"]
    assert labels(client.get(queue, {"sort": "amount_asc"}))[:2] == ["REQ-00000", "REQ-00500"]
    newest = labels(client.get(queue, {"sort": "newest"}))
    assert newest[0] == "REQ-00500"
    oldest = client.get(queue)
    assert labels(oldest)[0] == "REQ-00019" and "Page 1 of 2" in oldest.text
    second = client.get(queue, {"page": 2, "type": ""})
    assert len(labels(second)) == 8 and "Page 2 of 2" in second.text
    partial = client.get(queue, {"q": "acme"}, **HTMX)
    assert "<html" not in partial.text and partial.text.lstrip().startswith('<section id="queue"')
    assert "7 items match the filters" in partial.text


def _queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("sort", ["oldest", "amount_desc"])
def test_queue_costs_the_same_queries_for_10_or_1000_rows(demo, sort):
    pm = user("pm")
    project = Commitment.objects.filter(account=demo).first().project
    client = login("approver")
    path = url("export-queue", demo) + f"?sort={sort}&q=item"
    _make_requests(demo, 10, sender=pm, project=project)
    few = _queries_for(client, path)
    _make_requests(demo, 990, sender=user("approver"), start=10)
    many = _queries_for(client, path)
    assert ExportRequest.objects.filter(state=RequestState.PENDING).count() == 1000
    assert few == many, (few, many)
    print(f"queue page ({sort}): {few} queries for 10 rows, {many} for 1000")


def test_item_page_history_costs_constant_queries(demo):
    item = sendable(demo, 1)[0]
    pm, approver = user("pm"), user("approver")
    client = login("pm")
    request = export_send(item=item, actor=pm)
    export_reject(account=demo, request_ids=[request.pk], actor=approver, reason="One")
    one = _queries_for(client, item_page(demo, item))
    for n in range(10):
        request = export_send(item=item, actor=pm)
        export_reject(account=demo, request_ids=[request.pk], actor=approver, reason=f"R{n}")
    eleven = _queries_for(client, item_page(demo, item))
    assert ExportRequest.objects.filter(item_id=item.pk, item_type="commitment").count() == 11
    assert one == eleven, (one, eleven)

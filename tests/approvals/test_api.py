"""``/api/v1/export-requests/``: the export queue and the workflow's actions over the API, on the
demo account (``summit``): pm sends commitments, approver (Priya Natarajan) decides, viewer and
erpadmin see the queue, nobody sees nothing; ``rival`` is another account. The demo starts with
the synced requests of what it starts with exported (``history``)."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.models import ExportRequest, RequestState
from audit.models import AuditEvent
from demo.data import DEMO_PASSWORD
from demo.seed import seed_demo
from integrations import models as m
from tenancy.models import Account
from tests.api.conftest import client_for
from tests.factories import CommitmentFactory, member
from tests.factories import demo_user as user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/export-requests/"
PRIYA = "Priya Natarajan"  # the demo approver


def url(pk: Any = None, action: str | None = None) -> str:
    path = BASE if pk is None else f"{BASE}{pk}/"
    return f"{path}{action}/" if action else path


def as_user(name: str) -> APIClient:
    return client_for(user(name))


@pytest.fixture
def summit(db) -> Account:
    return seed_demo()


@pytest.fixture
def history(summit: Account) -> set[int]:
    """The requests the demo starts with: the export history of the records it starts with
    exported (sent by pm, accepted by approver, synced)."""
    return set(ExportRequest.objects.filter(account=summit).values_list("pk", flat=True))


def opened(history: set[int]) -> Any:
    """The requests opened since the demo was seeded."""
    return ExportRequest.objects.exclude(pk__in=history)


def among(history: set[int], **filters: Any) -> set[int]:
    """Those of the demo's requests that match ``filters``."""
    found = ExportRequest.objects.filter(pk__in=history, **filters)
    return set(found.values_list("pk", flat=True))


@pytest.fixture
def rival_request(other_account: Account) -> ExportRequest:
    """A pending request of another account (``rival``), sent by one of its members."""
    sender = member(other_account, username="rival-pm")
    commitment = cast(m.Commitment, CommitmentFactory(account=other_account))
    return ExportRequest.objects.create(
        account=other_account,
        item_type="commitment",
        item_id=commitment.pk,
        project=commitment.project,
        sent_by=sender,
        sent_at=timezone.now(),
        summary={"label": str(commitment)},
    )


def sendable(account: Account, count: int = 1) -> list[m.Commitment]:
    """Approved commitments of synced projects with synced vendors: the ERP takes them."""
    found = list(
        m.Commitment.objects.filter(
            account=account,
            status="approved",
            erp_state="unsent",
            vendor__erp_state="synced",
            project__erp_state="synced",
        ).order_by("pk")[:count]
    )
    assert len(found) == count
    return found


def send(item: m.Commitment, by: str = "pm") -> dict[str, Any]:
    response = as_user(by).post(url(), {"item_type": "commitment", "item_id": item.pk})
    assert response.status_code == 201, response.json()
    return response.json()


def sent(account: Account, count: int = 1) -> list[dict[str, Any]]:
    """``count`` commitments sent by pm, as the API answered."""
    return [send(item) for item in sendable(account, count)]


def state_of(pk: int) -> str:
    return ExportRequest.objects.get(pk=pk).state


# --- Send --------------------------------------------------------------------------------------


def test_send_opens_a_pending_request(summit):
    item = sendable(summit)[0]
    body = send(item)
    assert body["state"] == "pending"
    assert body["item_type"] == "commitment"
    assert body["item_id"] == item.pk
    assert body["project"] == item.project_id
    assert body["direct"] is False
    assert body["is_resend"] is False
    assert body["sent_by"] == {"id": user("pm").pk, "name": "Jake Sullivan"}
    assert body["decided_by"] is None
    assert body["summary"]["label"] == str(item)
    request = ExportRequest.objects.get(pk=body["id"])
    assert request.account == summit
    assert m.Commitment.objects.get(pk=item.pk).erp_state == "pending"


def test_send_with_direct_export_accepts_at_once(summit):
    summit.direct_export_commitments = True
    summit.save()
    body = send(sendable(summit)[0])
    assert body["state"] == "accepted"
    assert body["direct"] is True
    assert body["decided_by"]["name"] == "Jake Sullivan"


@pytest.mark.parametrize("name", ["viewer", "approver", "erpadmin", "nobody"])
def test_send_refused_without_admin_on_the_items_tool(summit, history, name):
    item = sendable(summit)[0]
    response = as_user(name).post(url(), {"item_type": "commitment", "item_id": item.pk})
    assert response.status_code == 403
    assert "permission" in response.json()["detail"]
    assert not opened(history).exists()


def test_send_breaking_the_erps_rules_names_each_field(summit, history):
    item = (
        m.Commitment.objects.filter(
            account=summit,
            status="approved",
            vendor__erp_state="unsent",
            project__erp_state="synced",
        )
        .order_by("pk")
        .first()
    )
    response = as_user("pm").post(url(), {"item_type": "commitment", "item_id": item.pk})
    assert response.status_code == 400
    assert response.json() == {"vendor_ref": ["The vendor must be synced with the ERP first."]}
    assert not opened(history).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"item_type": "invoice", "item_id": 1}, "item_type"),
        ({"item_id": 1}, "item_type"),
        ({"item_type": "commitment"}, "item_id"),
        ({"item_type": "commitment", "item_id": "twelve"}, "item_id"),
        ({"item_type": "commitment", "item_id": 0}, "item_id"),
    ],
)
def test_send_invalid_input_is_400_naming_the_field(summit, body, field):
    response = as_user("pm").post(url(), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_send_item_of_another_account_or_missing_is_404(summit, other_account):
    theirs = CommitmentFactory(account=other_account)
    pm = as_user("pm")
    for pk in (theirs.pk, 999_999):
        response = pm.post(url(), {"item_type": "commitment", "item_id": pk})
        assert response.status_code == 404
        assert "No commitment with id" in response.json()["detail"]


def test_send_twice_is_409(summit):
    item = sendable(summit)[0]
    send(item)
    response = as_user("pm").post(url(), {"item_type": "commitment", "item_id": item.pk})
    assert response.status_code == 409
    assert "cannot be sent now" in response.json()["detail"]


def test_send_a_project(summit):
    project = m.Project.objects.filter(account=summit, erp_state="unsent").order_by("pk").first()
    response = as_user("pm").post(url(), {"item_type": "project", "item_id": project.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["item_type"] == "project"
    assert response.json()["project"] == project.pk


def test_send_a_company(summit):
    """erpadmin (Admin on the Directory) sends a company: it belongs to no project."""
    company = m.Company.objects.filter(account=summit, erp_state="unsent").order_by("pk").first()
    response = as_user("erpadmin").post(url(), {"item_type": "company", "item_id": company.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["project"] is None


# --- List and detail ---------------------------------------------------------------------------


def test_list_shows_the_queue_to_erp_tool_users(summit, history):
    mine = sent(summit, 2)
    other = sendable(summit, 3)[-1]  # sent by the superuser: pm does not see it
    theirs = as_user("admin").post(url(), {"item_type": "commitment", "item_id": other.pk}).json()
    everyone = {r["id"] for r in [*mine, theirs]}
    for name in ("viewer", "approver", "erpadmin"):
        response = as_user(name).get(url())
        assert response.status_code == 200
        assert {r["id"] for r in response.json()["results"]} == everyone | history, name
    # pm may not see the ERP tool: only what they sent (and the history: pm sent it).
    assert {r["id"] for r in as_user("pm").get(url()).json()["results"]} == {
        r["id"] for r in mine
    } | among(history, sent_by=user("pm"))
    assert as_user("nobody").get(url()).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_list_fields(summit):
    body = sent(summit)[0]
    (row,) = as_user("viewer").get(url(), {"state": "pending"}).json()["results"]
    assert set(row) == {
        "id",
        "item_type",
        "item_id",
        "state",
        "direct",
        "is_resend",
        "summary",
        "project",
        "sent_by",
        "sent_at",
        "decided_by",
        "decided_at",
        "reason",
        "erp_fields",
        "error",
    }
    assert row == body
    assert set(row["summary"]) == {"label", "number", "title", "project", "vendor", "amount"}


def test_list_filters(summit, history):
    first, second, third = sent(summit, 3)
    as_user("approver").post(url(first["id"], "accept"), {}, format="json")
    project = m.Project.objects.get(pk=third["project"])
    viewer = as_user("viewer")

    def ids(**params: Any) -> set[int]:
        response = viewer.get(url(), params)
        assert response.status_code == 200, response.json()
        return {r["id"] for r in response.json()["results"]}

    assert ids(state="accepted") == {first["id"]}
    assert ids(state="pending") == {second["id"], third["id"]}
    assert ids(state="synced") == history
    assert ids(type="commitment") == {first["id"], second["id"], third["id"]} | among(
        history, item_type="commitment"
    )
    assert ids(type="company") == set()
    assert ids(project=project.pk) == {
        r["id"] for r in (first, second, third) if r["project"] == project.pk
    } | among(history, project=project)
    assert ids(project=999_999) == set()
    assert viewer.get(url(), {"state": "lost"}).status_code == 400
    assert viewer.get(url(), {"type": "invoice"}).status_code == 400


def test_list_of_another_account_is_not_shown(summit, rival_request):
    assert rival_request.pk not in {r["id"] for r in as_user("viewer").get(url()).json()["results"]}


def _fill_queue(account: Account, count: int, start: int = 0) -> None:
    """``count`` requests of several senders, half of them decided (no items needed)."""
    people = [user(name) for name in ("pm", "erpadmin", "approver")]
    now = timezone.now()
    ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=100_000 + start + n,
            state=RequestState.ACCEPTED if n % 2 else RequestState.PENDING,
            summary={"label": f"SC-{n}"},
            sent_by=people[n % 3],
            sent_at=now,
            decided_by=people[(n + 1) % 3] if n % 2 else None,
            decided_at=now if n % 2 else None,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("name", ["viewer", "pm"])
def test_list_queries_do_not_grow_with_the_queue(summit, history, name):
    client = as_user(name)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url()).status_code == 200
        return len(captured)

    _fill_queue(summit, 5)
    small = queries()
    _fill_queue(summit, 45, start=5)
    assert opened(history).count() == 50
    large = queries()
    assert large == small
    assert small <= 10, small  # holdings: membership, templates, adjustments, project permissions


def test_detail(summit, rival_request):
    body = sent(summit)[0]
    assert as_user("viewer").get(url(body["id"])).json() == body
    assert as_user("pm").get(url(body["id"])).status_code == 200
    assert as_user("nobody").get(url(body["id"])).status_code == 404
    assert as_user("viewer").get(url(rival_request.pk)).status_code == 404
    assert as_user("viewer").get(url("abc")).status_code == 404


# --- Accept ------------------------------------------------------------------------------------


def test_accept(summit):
    body = sent(summit)[0]
    response = as_user("approver").post(url(body["id"], "accept"), {}, format="json")
    assert response.status_code == 200
    answer = response.json()
    assert answer["state"] == "accepted"
    assert answer["decided_by"] == {"id": user("approver").pk, "name": PRIYA}
    assert answer["decided_at"]
    assert m.Commitment.objects.get(pk=body["item_id"]).erp_state == "accepted"


def test_accept_without_a_body(summit):
    body = sent(summit)[0]
    assert as_user("approver").post(url(body["id"], "accept")).status_code == 200


def test_accept_with_erp_fields(summit):
    project = m.Project.objects.filter(account=summit, erp_state="unsent").order_by("pk").first()
    body = as_user("pm").post(url(), {"item_type": "project", "item_id": project.pk}).json()
    approver = as_user("approver")
    response = approver.post(
        url(body["id"], "accept"), {"erp_fields": {"erp_job_number": "J" * 11}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"erp_job_number": ["At most 10 characters."]}
    response = approver.post(
        url(body["id"], "accept"), {"erp_fields": {"erp_job_number": " J-77 "}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["erp_fields"] == {"erp_job_number": "J-77"}


def test_accept_with_erp_fields_the_erp_does_not_ask_for_is_400(summit):
    body = sent(summit)[0]
    approver = as_user("approver")
    response = approver.post(
        url(body["id"], "accept"), {"erp_fields": {"job": "J-1"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"job": ["The ERP does not ask for this field."]}
    response = approver.post(url(body["id"], "accept"), {"erp_fields": "J-1"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"erp_fields"}
    assert state_of(body["id"]) == "pending"


@pytest.mark.parametrize("name", ["viewer", "pm"])
def test_accept_refused_without_the_right(summit, name):
    body = sent(summit)[0]
    response = as_user(name).post(url(body["id"], "accept"), {}, format="json")
    assert response.status_code == 403
    assert "accounting approver" in response.json()["detail"]
    assert state_of(body["id"]) == "pending"


def test_accept_of_a_request_the_user_cannot_see_is_404(summit, rival_request):
    body = sent(summit)[0]
    assert as_user("nobody").post(url(body["id"], "accept")).status_code == 404
    assert as_user("approver").post(url(rival_request.pk, "accept")).status_code == 404
    assert as_user("approver").post(url(999_999, "accept")).status_code == 404
    assert state_of(rival_request.pk) == "pending"


def test_accept_of_a_decided_request_is_409_naming_who_decided(summit):
    body = sent(summit)[0]
    assert as_user("approver").post(url(body["id"], "accept")).status_code == 200
    response = as_user("erpadmin").post(url(body["id"], "accept"))
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert f"was already accepted by {PRIYA} on " in detail
    assert str(timezone.localdate().year) in detail


# --- Reject ------------------------------------------------------------------------------------


def test_reject(summit):
    body = sent(summit)[0]
    response = as_user("approver").post(
        url(body["id"], "reject"), {"reason": "Wrong cost code"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"
    assert response.json()["reason"] == "Wrong cost code"
    assert response.json()["decided_by"]["name"] == PRIYA
    event = AuditEvent.objects.get(request_id=body["id"], verb="reject")
    assert event.reason == "Wrong cost code"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reject_needs_a_reason(summit, reason):
    body = sent(summit)[0]
    data = {} if reason is None else {"reason": reason}
    response = as_user("approver").post(url(body["id"], "reject"), data, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reason"}
    assert state_of(body["id"]) == "pending"


@pytest.mark.parametrize("name", ["viewer", "pm"])
def test_reject_refused_without_the_right(summit, name):
    body = sent(summit)[0]
    response = as_user(name).post(url(body["id"], "reject"), {"reason": "No"}, format="json")
    assert response.status_code == 403
    assert state_of(body["id"]) == "pending"


def test_reject_of_another_accounts_request_is_404(summit, rival_request):
    response = as_user("approver").post(
        url(rival_request.pk, "reject"), {"reason": "No"}, format="json"
    )
    assert response.status_code == 404


def test_reject_of_an_accepted_request_is_409_naming_who_decided(summit):
    body = sent(summit)[0]
    as_user("approver").post(url(body["id"], "accept"))
    response = as_user("erpadmin").post(url(body["id"], "reject"), {"reason": "No"}, format="json")
    assert response.status_code == 409
    assert f"already accepted by {PRIYA}" in response.json()["detail"]
    assert state_of(body["id"]) == "accepted"


# --- Retrieve ----------------------------------------------------------------------------------


def test_retrieve_by_the_sender(summit):
    body = sent(summit)[0]
    response = as_user("pm").post(url(body["id"], "retrieve"))
    assert response.status_code == 200
    assert response.json()["state"] == "retrieved"
    assert m.Commitment.objects.get(pk=body["item_id"]).erp_state == "retrieved"


@pytest.mark.parametrize("name", ["viewer", "approver"])
def test_retrieve_refused_without_admin_on_the_items_tool(summit, name):
    body = sent(summit)[0]
    response = as_user(name).post(url(body["id"], "retrieve"))
    assert response.status_code == 403
    assert state_of(body["id"]) == "pending"


def test_retrieve_of_a_request_the_user_cannot_see_is_404(summit, rival_request):
    body = sent(summit)[0]
    assert as_user("nobody").post(url(body["id"], "retrieve")).status_code == 404
    assert as_user("pm").post(url(rival_request.pk, "retrieve")).status_code == 404


def test_retrieve_of_a_decided_request_is_409_naming_who_decided(summit):
    body = sent(summit)[0]
    as_user("approver").post(url(body["id"], "reject"), {"reason": "Wrong vendor"}, format="json")
    response = as_user("pm").post(url(body["id"], "retrieve"))
    assert response.status_code == 409
    assert f"already rejected by {PRIYA}" in response.json()["detail"]


# --- Re-send -----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["reject", "retrieve"])
def test_resend_after_a_reject_or_a_retrieve(summit, how):
    body = sent(summit)[0]
    if how == "reject":
        as_user("approver").post(url(body["id"], "reject"), {"reason": "Fix it"}, format="json")
    else:
        as_user("pm").post(url(body["id"], "retrieve"))
    response = as_user("pm").post(url(body["id"], "resend"))
    assert response.status_code == 201, response.json()
    again = response.json()
    assert again["id"] != body["id"]
    assert again["state"] == "pending"
    assert again["is_resend"] is True
    assert (again["item_type"], again["item_id"]) == (body["item_type"], body["item_id"])
    assert state_of(body["id"]) == ("rejected" if how == "reject" else "retrieved")


def test_resend_of_a_pending_request_is_409(summit):
    body = sent(summit)[0]
    response = as_user("pm").post(url(body["id"], "resend"))
    assert response.status_code == 409
    assert "still waiting" in response.json()["detail"]


def test_resend_of_an_accepted_request_is_409_naming_who_decided(summit, history):
    body = sent(summit)[0]
    as_user("approver").post(url(body["id"], "accept"))
    response = as_user("pm").post(url(body["id"], "resend"))
    assert response.status_code == 409
    assert f"already accepted by {PRIYA}" in response.json()["detail"]
    assert opened(history).count() == 1


def test_resend_of_an_old_request_whose_item_was_sent_again_is_409(summit):
    body = sent(summit)[0]
    as_user("approver").post(url(body["id"], "reject"), {"reason": "Fix it"}, format="json")
    assert as_user("pm").post(url(body["id"], "resend")).status_code == 201
    response = as_user("pm").post(url(body["id"], "resend"))
    assert response.status_code == 409
    assert "cannot be sent now" in response.json()["detail"]


@pytest.mark.parametrize(("name", "code"), [("viewer", 403), ("approver", 403), ("nobody", 404)])
def test_resend_refused(summit, history, name, code):
    body = sent(summit)[0]
    as_user("pm").post(url(body["id"], "retrieve"))
    assert as_user(name).post(url(body["id"], "resend")).status_code == code
    assert opened(history).count() == 1


def test_resend_of_another_accounts_request_is_404(summit, rival_request):
    rival_request.state = RequestState.REJECTED
    rival_request.save()
    assert as_user("pm").post(url(rival_request.pk, "resend")).status_code == 404


# --- Bulk --------------------------------------------------------------------------------------


def test_bulk_accept(summit):
    ids = [r["id"] for r in sent(summit, 3)]
    response = as_user("approver").post(url(action="bulk-accept"), {"ids": ids}, format="json")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == sorted(ids)
    assert {r["state"] for r in response.json()} == {"accepted"}
    assert {r["decided_by"]["name"] for r in response.json()} == {PRIYA}


@pytest.mark.parametrize(
    ("verb", "body", "state"),
    [("bulk-accept", {}, "accepted"), ("bulk-reject", {"reason": "Wrong period"}, "rejected")],
)
def test_bulk_decision_with_prefer_minimal_answers_the_count_and_ids(summit, verb, body, state):
    ids = [r["id"] for r in sent(summit, 3)]
    response = as_user("approver").post(
        url(action=verb), {"ids": ids, **body}, format="json", HTTP_PREFER="return=minimal"
    )
    assert response.status_code == 200
    assert response.json() == {"count": 3, "state": state, "ids": sorted(ids)}
    assert response["Preference-Applied"] == "return=minimal"
    assert {state_of(pk) for pk in ids} == {state}


def test_bulk_reject(summit):
    ids = [r["id"] for r in sent(summit, 3)]
    response = as_user("approver").post(
        url(action="bulk-reject"), {"ids": ids, "reason": "Wrong period"}, format="json"
    )
    assert response.status_code == 200
    assert {(r["state"], r["reason"]) for r in response.json()} == {("rejected", "Wrong period")}


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [1], "reason": ""},
        {"ids": [1], "reason": "  "},
        {"ids": [1]},
        {"ids": [], "reason": "No"},
        {"reason": "No"},
        {"ids": ["one"], "reason": "No"},
    ],
)
def test_bulk_reject_invalid_input_is_400(summit, body):
    response = as_user("approver").post(url(action="bulk-reject"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"ids", "reason"}
    assert response.json()


def test_bulk_accept_invalid_input_is_400(summit):
    approver = as_user("approver")
    too_many = list(range(1, 10_002))  # the limit is 10,000 ids a call
    for body in ({}, {"ids": []}, {"ids": "1,2"}, {"ids": [0]}, {"ids": too_many}):
        response = approver.post(url(action="bulk-accept"), body, format="json")
        assert response.status_code == 400, body
        assert set(response.json()) == {"ids"}


@pytest.mark.parametrize("verb", ["bulk-accept", "bulk-reject"])
def test_bulk_with_another_accounts_request_is_404_and_changes_nothing(summit, rival_request, verb):
    ids = [r["id"] for r in sent(summit, 2)]
    response = as_user("approver").post(
        url(action=verb), {"ids": [*ids, rival_request.pk], "reason": "No"}, format="json"
    )
    assert response.status_code == 404
    assert str(rival_request.pk) in response.json()["detail"]
    assert {state_of(pk) for pk in [*ids, rival_request.pk]} == {"pending"}


@pytest.mark.parametrize("verb", ["bulk-accept", "bulk-reject"])
def test_bulk_with_a_decided_request_is_409_and_changes_nothing(summit, verb):
    first, *rest = [r["id"] for r in sent(summit, 3)]
    as_user("approver").post(url(first, "accept"))
    response = as_user("erpadmin").post(
        url(action=verb), {"ids": [*rest, first], "reason": "No"}, format="json"
    )
    assert response.status_code == 409
    assert f"already accepted by {PRIYA}" in response.json()["detail"]
    assert [state_of(pk) for pk in rest] == ["pending", "pending"]


@pytest.mark.parametrize("verb", ["bulk-accept", "bulk-reject"])
@pytest.mark.parametrize(("name", "code"), [("viewer", 403), ("pm", 403), ("nobody", 404)])
def test_bulk_refused(summit, verb, name, code):
    ids = [r["id"] for r in sent(summit, 2)]
    response = as_user(name).post(url(action=verb), {"ids": ids, "reason": "No"}, format="json")
    assert response.status_code == code
    assert {state_of(pk) for pk in ids} == {"pending"}


def test_bulk_accept_of_500_takes_a_bounded_number_of_queries(
    summit, django_assert_max_num_queries
):
    project = m.Project.objects.get(account=summit, number="2401")
    vendor = m.Company.objects.filter(account=summit, erp_state="synced").first()
    pm = user("pm")
    items = m.Commitment.objects.bulk_create(
        m.Commitment(
            account=summit,
            project=project,
            vendor=vendor,
            number=f"B-{n}",
            title=f"Bulk {n}",
            status="approved",
            erp_state="pending",
        )
        for n in range(500)
    )
    now = timezone.now() - datetime.timedelta(hours=1)
    requests = ExportRequest.objects.bulk_create(
        ExportRequest(
            account=summit,
            item_type="commitment",
            item_id=item.pk,
            project=project,
            summary={"label": str(item)},
            sent_by=pm,
            sent_at=now,
        )
        for item in items
    )
    ids = [r.pk for r in requests]
    client = as_user("approver")
    with django_assert_max_num_queries(40):
        response = client.post(url(action="bulk-accept"), {"ids": ids}, format="json")
    assert response.status_code == 200
    assert len(response.json()) == 500
    assert ExportRequest.objects.filter(state="accepted").count() == 500
    assert m.Commitment.objects.filter(pk__in=[i.pk for i in items], erp_state="accepted").count()
    assert AuditEvent.objects.filter(verb="accept", request_id__in=ids).count() == 500


# --- Authentication and the account ------------------------------------------------------------


def test_token_auth(summit):
    anonymous = APIClient()
    assert anonymous.get(url()).status_code == 401
    assert anonymous.post(url(), {"item_type": "commitment", "item_id": 1}).status_code == 401
    token = anonymous.post(
        "/api/v1/auth/token/", {"username": "approver", "password": DEMO_PASSWORD}
    ).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(url()).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(url()).status_code == 401


def test_account_named_by_header_or_parameter(summit, history, other_account):
    body = sent(summit)[0]
    viewer = user("viewer")
    assert client_for(viewer, summit).get(url(body["id"])).status_code == 200
    assert as_user("viewer").get(url(), {"account": "summit"}).json()["count"] == 1 + len(history)
    # Not a member of rival: 404, as for any record.
    assert client_for(viewer, other_account).get(url()).status_code == 404


def test_operations_are_in_the_schema(summit):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    expected = {
        "/api/v1/export-requests/": {"get", "post"},
        "/api/v1/export-requests/{id}/": {"get"},
        "/api/v1/export-requests/{id}/accept/": {"post"},
        "/api/v1/export-requests/{id}/reject/": {"post"},
        "/api/v1/export-requests/{id}/retrieve/": {"post"},
        "/api/v1/export-requests/{id}/resend/": {"post"},
        "/api/v1/export-requests/bulk-accept/": {"post"},
        "/api/v1/export-requests/bulk-reject/": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
    send_op = paths["/api/v1/export-requests/"]["post"]
    assert set(send_op["responses"]) == {"201", "400", "401", "403", "404", "409"}
    parameters = {p["name"] for p in paths["/api/v1/export-requests/"]["get"]["parameters"]}
    assert {"state", "type", "project", "X-Account", "account"} <= parameters
    item_types = schema["components"]["schemas"]["ItemTypeEnum"]["enum"]
    assert set(item_types) == {
        "project",
        "sub_job",
        "company",
        "cost_code",
        "budget",
        "commitment",
        "commitment_change_order",
        "prime_change_order",
        "subcontractor_invoice",
        "owner_invoice",
    }

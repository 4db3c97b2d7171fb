"""The accounting-acceptance services: who may call them, every state change and refusal, the
ERP's rules before a send, the approver's ERP fields, direct export and locked fields.

Permission expectations come from the seed permission matrix (S0) and the demo roles, not from
the code's policy table:

- *Send, Retrieve, or Resend Items*: no ERP Integrations permission; 'Admin' on the tool where
  the item is located.
- *Accept or Reject ... for Export to ERP*: an Accounting Approver, i.e. the ERP Integrations
  tool plus 'Can Push to Accounting' (Admin by default; Standard too when the account allows).

Demo roles: ``pm`` is Admin on the project tools and Standard on the Directory, with no ERP
rights; ``approver`` is ERP Admin + CPA and Read Only on the item tools; ``erpadmin`` is ERP Admin
+ CPA, Directory Admin and Read Only elsewhere; ``viewer`` is Read Only everywhere; ``nobody``
has no grants.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils import formats, timezone

from approvals.errors import DecisionConflict, InvalidTransition, SendRefused
from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_reject, export_retrieve, export_send
from audit.models import AuditEvent
from demo.seed import seed_demo
from integrations import models as m
from integrations.kinds import kind_of
from permissions.levels import Level, Tool
from tenancy.models import Account
from tests.factories import CommitmentFactory, CompanyFactory, PrimeContractFactory, member

pytestmark = pytest.mark.django_db

ROLES = ("pm", "approver", "erpadmin", "viewer", "nobody")
FULL_NAMES = {"pm": "Jake Sullivan", "approver": "Priya Natarajan", "erpadmin": "Morgan Reyes"}
# From the seed and the demo roles (see the module docstring).
MAY_DECIDE = {"approver", "erpadmin"}
# Admin on the item's own tool: the project tools for pm, the Directory for erpadmin.
SENDERS_BY_TYPE = {
    # Admin on Project Admin, and the ERP tool's Standard and Admin users (the seed row "Add a
    # Procore Project to your ERP System"): the demo's erpadmin and approver.
    "project": {"pm", "erpadmin", "approver"},
    "sub_job": {"pm"},
    "company": {"erpadmin"},
    "cost_code": {"pm"},
    "budget": {"pm"},
    "commitment": {"pm"},
    "commitment_change_order": {"pm"},
    "prime_change_order": {"pm"},
    "subcontractor_invoice": {"pm"},
    "owner_invoice": {"pm"},
}


@pytest.fixture
def demo(db: Any) -> Account:
    return seed_demo()


def user(name: str) -> Any:
    """A fresh user object (no cached grants)."""
    return get_user_model().objects.get(username=name)


def reload(item: Model) -> Any:
    return type(item)._default_manager.get(pk=item.pk)


def synced(record: Model, origin_id: str) -> None:
    type(record)._default_manager.filter(pk=record.pk).update(
        erp_state=m.ErpState.SYNCED, origin_id=origin_id
    )


def when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- Demo records ----------------------------------------------------------------------------


def synced_project(account: Account) -> m.Project:
    return m.Project.objects.filter(account=account, erp_state="synced").order_by("pk").first()


def unsynced_project(account: Account) -> m.Project:
    return m.Project.objects.get(account=account, erp_state="unsent")


def sendable(account: Account, offset: int = 0) -> m.Commitment:
    """An approved commitment of a synced project, with a synced vendor and coded lines."""
    return m.Commitment.objects.filter(
        account=account,
        status="approved",
        vendor__erp_state="synced",
        project__erp_state="synced",
    ).order_by("pk")[offset]


def synced_cost_code(project: m.Project) -> m.CostCode:
    return m.CostCode.objects.filter(project=project, standard_code__erp_state="synced").first()


def send(item: Model, actor: str = "pm") -> ExportRequest:
    return export_send(item=item, actor=user(actor))


def counts(item: Model) -> tuple[str, int, int]:
    """The item's state, its requests and its audit events (to show nothing changed)."""
    itype = kind_of(item).erp_part.object_type
    return (
        reload(item).erp_state,
        ExportRequest.objects.filter(item_type=itype, item_id=item.pk).count(),
        AuditEvent.objects.filter(item_type=itype, item_id=item.pk).count(),
    )


def request_snapshot(request: ExportRequest) -> tuple[Any, ...]:
    request = ExportRequest.objects.get(pk=request.pk)
    return (request.state, request.decided_by_id, request.decided_at, request.reason)


# --- Items of every type, one that the ERP takes and one that it refuses ------------------------


def good_project(account: Account) -> m.Project:
    return unsynced_project(account)  # the demo's one project not yet in the ERP


def good_sub_job(account: Account) -> m.SubJob:
    return m.SubJob.objects.create(
        account=account, project=synced_project(account), code="NW", name="North wing"
    )


def good_company(account: Account) -> m.Company:
    return CompanyFactory(account=account, name="Granite Peak Drywall", address="12 Elm St")


def good_cost_code(account: Account) -> m.StandardCostCode:
    code_list = m.StandardCostCodeList.objects.get(account=account, is_erp=True)
    return m.StandardCostCode.objects.create(
        account=account, code_list=code_list, code="950", full_code="01-950", name="Allowances"
    )


def good_budget(account: Account) -> m.Budget:
    return m.Budget.objects.filter(account=account, project__erp_state="synced").first()


def good_commitment(account: Account) -> m.Commitment:
    return sendable(account)


def good_cco(account: Account) -> m.CommitmentChangeOrder:
    commitment = sendable(account)
    synced(commitment, "SC-ERP-1")
    line = commitment.lines.order_by("position").first()
    cco = m.CommitmentChangeOrder.objects.create(
        account=account, commitment=commitment, number="CO-901", title="Extra", status="approved"
    )
    cco.lines.create(commitment_line=line, cost_code=line.cost_code, amount=Decimal("1500.00"))
    return cco


def good_pcco(account: Account) -> m.PrimeContractChangeOrder:
    return (
        m.PrimeContractChangeOrder.objects.filter(
            account=account, status="approved", prime_contract__erp_state="synced"
        )
        .exclude(date=None)
        .order_by("pk")
        .first()
    )


def good_subcontractor_invoice(account: Account) -> m.SubcontractorInvoice:
    invoice = (
        m.SubcontractorInvoice.objects.filter(
            account=account, status="approved", commitment__vendor__erp_state="synced"
        )
        .order_by("pk")
        .first()
    )
    synced(invoice.commitment, "SC-ERP-2")
    return invoice


def good_owner_invoice(account: Account) -> m.OwnerInvoice:
    return (
        m.OwnerInvoice.objects.filter(
            account=account, status="approved", prime_contract__erp_state="synced"
        )
        .order_by("pk")
        .first()
    )


GOOD: dict[str, Callable[[Account], Any]] = {
    "project": good_project,
    "sub_job": good_sub_job,
    "company": good_company,
    "cost_code": good_cost_code,
    "budget": good_budget,
    "commitment": good_commitment,
    "commitment_change_order": good_cco,
    "prime_change_order": good_pcco,
    "subcontractor_invoice": good_subcontractor_invoice,
    "owner_invoice": good_owner_invoice,
}

SYNC_PROJECT = "The project must be synced with the ERP first."
APPROVED_CO = "Only an approved change order can be sent."
APPROVED_INVOICE = "Only an approved invoice can be sent."
NO_CO_LINES = "Add at least one line to the change order."
NO_INVOICE_LINES = "Add at least one line to the invoice."


def bad_project(account: Account) -> tuple[Any, dict[str, list[str]]]:
    item = m.Project.objects.create(
        account=account, number="P-2026-0042", name="N" * 61, cost_code_list=None
    )
    return item, {
        "number": ["The project number is longer than the ERP's 10 characters."],
        "name": ["The name is longer than the ERP's 60 characters."],
        "cost_code_list_is_erp": ["The project must use the ERP standard cost code list."],
    }


def bad_sub_job(account: Account) -> tuple[Any, dict[str, list[str]]]:
    project = unsynced_project(account)
    item = m.SubJob.objects.create(account=account, project=project, code="EW", name="East")
    return item, {"project_ref": [SYNC_PROJECT]}


def bad_company(account: Account) -> tuple[Any, dict[str, list[str]]]:
    item = CompanyFactory(account=account, name="N" * 61, address="")
    return item, {
        "name": ["The name is longer than the ERP's 60 characters."],
        "address.street": ["The address is required by the ERP."],
    }


def bad_cost_code(account: Account) -> tuple[Any, dict[str, list[str]]]:
    code_list = m.StandardCostCodeList.objects.get(account=account, is_erp=True)
    item = m.StandardCostCode.objects.create(
        account=account, code_list=code_list, code="9" * 20, full_code="01-" + "9" * 20, name="X"
    )
    return item, {"full_code": ["The code is longer than the ERP's 20 characters."]}


def bad_budget(account: Account) -> tuple[Any, dict[str, list[str]]]:
    item = m.Budget.objects.get(project=unsynced_project(account))
    position = item.lines.count() + 1
    item.lines.create(position=position, description="Uncoded", amount=Decimal("10.00"))
    return item, {
        "project_ref": [SYNC_PROJECT],
        "lines.cost_code_ref": [
            f"Line {position}: its cost code is not on the ERP's cost code list."
        ],
    }


def bad_commitment(account: Account) -> tuple[Any, dict[str, list[str]]]:
    item = CommitmentFactory(
        account=account,
        project=unsynced_project(account),
        vendor=CompanyFactory(account=account),
        number="SC-2026-0001",
        title="T" * 31,
        status="draft",
    )
    return item, {
        "status": ["Only an approved commitment can be sent."],
        "project_ref": [SYNC_PROJECT],
        "vendor_ref": ["The vendor must be synced with the ERP first."],
        "number": ["The contract number is longer than the ERP's 10 characters."],
        "title": ["The title is longer than the ERP's 30 characters."],
        "lines": ["Add at least one line to the commitment."],
    }


def bad_cco(account: Account) -> tuple[Any, dict[str, list[str]]]:
    item = m.CommitmentChangeOrder.objects.create(
        account=account, commitment=sendable(account), number="CO-12345678", title="X"
    )
    return item, {
        "status": [APPROVED_CO],
        "contract_ref": ["The commitment must be synced with the ERP first."],
        "number": ["The change order number is longer than the ERP's 10 characters."],
        "lines": [NO_CO_LINES],
    }


def bad_pcco(account: Account) -> tuple[Any, dict[str, list[str]]]:
    contract = PrimeContractFactory(account=account, project=synced_project(account))
    item = m.PrimeContractChangeOrder.objects.create(
        account=account, prime_contract=contract, number="PCO-9", title="X", date=None
    )
    return item, {
        "status": [APPROVED_CO],
        "date": ["The change order date is required."],
        "contract_ref": ["The prime contract must be synced with the ERP first."],
        "lines": [NO_CO_LINES],
    }


def bad_subcontractor_invoice(account: Account) -> tuple[Any, dict[str, list[str]]]:
    commitment = CommitmentFactory(
        account=account,
        project=synced_project(account),
        vendor=CompanyFactory(account=account),
        number="SC-900",
    )
    item = m.SubcontractorInvoice.objects.create(
        account=account,
        commitment=commitment,
        number="INV-1",
        billing_date=datetime.date(2026, 3, 31),
        status="draft",
    )
    return item, {
        "status": [APPROVED_INVOICE],
        "contract_ref": ["The commitment must be synced with the ERP first."],
        "party_ref": ["The vendor must be synced with the ERP first."],
        "lines": [NO_INVOICE_LINES],
    }


def bad_owner_invoice(account: Account) -> tuple[Any, dict[str, list[str]]]:
    contract = PrimeContractFactory(account=account, project=synced_project(account))
    item = m.OwnerInvoice.objects.create(
        account=account,
        prime_contract=contract,
        application_number=1,
        billing_date=datetime.date(2026, 3, 31),
        status="draft",
    )
    return item, {
        "status": [APPROVED_INVOICE],
        "contract_ref": ["The prime contract must be synced with the ERP first."],
        "lines": [NO_INVOICE_LINES],
    }


BAD: dict[str, Callable[[Account], tuple[Any, dict[str, list[str]]]]] = {
    "project": bad_project,
    "sub_job": bad_sub_job,
    "company": bad_company,
    "cost_code": bad_cost_code,
    "budget": bad_budget,
    "commitment": bad_commitment,
    "commitment_change_order": bad_cco,
    "prime_change_order": bad_pcco,
    "subcontractor_invoice": bad_subcontractor_invoice,
    "owner_invoice": bad_owner_invoice,
}


@pytest.fixture
def sender(demo: Account) -> Any:
    """Admin on every tool that holds items (and no ERP rights)."""
    tools = [t for t in Tool if t != Tool.ERP_INTEGRATIONS]
    return member(demo, username="sender", levels=dict.fromkeys(tools, Level.ADMIN))


# --- Validation before send, for every item type ---------------------------------------------


@pytest.mark.parametrize("key", list(GOOD))
def test_a_passing_item_is_sent_and_can_be_accepted(demo, sender, key):
    item = GOOD[key](demo)
    assert item is not None and kind_of(item).erp_part.object_type == key
    assert reload(item).erp_state == m.ErpState.UNSENT
    request = export_send(item=item, actor=sender)
    assert (request.state, request.item_type, request.item_id) == ("pending", key, item.pk)
    assert request.sent_by == sender and not request.direct and not request.is_resend
    assert reload(item).erp_state == m.ErpState.PENDING
    event = AuditEvent.objects.get(item_type=key, item_id=item.pk)
    assert (event.verb, event.actor, event.before, event.after) == (
        "send",
        sender,
        "unsent",
        "pending",
    )
    # An Accounting Approver may accept every type.
    (accepted,) = export_accept(account=demo, request_ids=[request.pk], actor=user("approver"))
    assert accepted.state == reload(item).erp_state == RequestState.ACCEPTED


@pytest.mark.parametrize("key", list(GOOD))
def test_a_failing_item_names_every_field_and_changes_nothing(demo, sender, key):
    item, expected = BAD[key](demo)
    assert kind_of(item).erp_part.object_type == key
    before = counts(item)
    with pytest.raises(SendRefused) as refused:
        export_send(item=item, actor=sender)
    assert refused.value.as_dict() == expected
    for messages in expected.values():
        for message in messages:
            assert message in refused.value.message
    assert counts(item) == before == ("unsent", 0, 0)


def test_line_rules_name_the_line(demo, sender):
    project = synced_project(demo)
    item = CommitmentFactory(
        account=demo, project=project, vendor=sendable(demo).vendor, number="SC-901"
    )
    item.lines.create(position=1, description="Uncoded", amount=Decimal("100.00"))
    item.lines.create(
        position=2, cost_code=synced_cost_code(project), amount=Decimal("0.00"), description="Z"
    )
    with pytest.raises(SendRefused) as refused:
        export_send(item=item, actor=sender)
    assert refused.value.as_dict() == {
        "lines.cost_code_ref": ["Line 1: its cost code is not on the ERP's cost code list."],
        "lines.amount": ["Line 2: the amount must be more than zero."],
    }
    assert counts(item) == ("unsent", 0, 0)


def test_a_type_the_connector_does_not_take_is_refused(demo, sender, monkeypatch):
    from connectors.base import Entity

    item = sendable(demo)
    monkeypatch.setattr("approvals.services._entity", lambda account, itype: ("Sandbox", Entity()))
    with pytest.raises(SendRefused) as refused:
        export_send(item=item, actor=sender)
    assert list(refused.value.as_dict()) == ["item_type"]
    assert counts(item) == ("unsent", 0, 0)


# --- Who may call each service -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", list(GOOD))
def test_send_needs_admin_on_the_items_tool_or_the_rows_erp_level(demo, role, key):
    item = GOOD[key](demo)
    if role in SENDERS_BY_TYPE[key]:
        request = send(item, role)
        assert request.state == reload(item).erp_state == "pending"
    else:
        before = counts(item)
        with pytest.raises(PermissionDenied):
            send(item, role)
        assert counts(item) == before


@pytest.mark.parametrize("role", ROLES)
def test_retrieve_needs_admin_on_the_items_tool(demo, role):
    item = sendable(demo)
    request = send(item)
    if role == "pm":
        export_retrieve(account=demo, request_id=request.pk, actor=user(role))
        assert reload(item).erp_state == "retrieved"
    else:
        before = counts(item)
        with pytest.raises(PermissionDenied):
            export_retrieve(account=demo, request_id=request.pk, actor=user(role))
        assert counts(item) == before
        assert ExportRequest.objects.get(pk=request.pk).state == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_resend_needs_admin_on_the_items_tool(demo, role):
    item = sendable(demo)
    request = send(item)
    export_reject(account=demo, request_ids=[request.pk], actor=user("approver"), reason="Fix")
    if role == "pm":
        assert send(item, role).is_resend
    else:
        before = counts(item)
        with pytest.raises(PermissionDenied):
            send(item, role)
        assert counts(item) == before == ("rejected", 1, 2)


@pytest.mark.parametrize("decision", ["accept", "reject"])
@pytest.mark.parametrize("role", ROLES)
def test_accept_and_reject_need_an_accounting_approver(demo, role, decision):
    item = sendable(demo)
    request = send(item)
    before = counts(item)
    kwargs: dict[str, Any] = {"account": demo, "request_ids": [request.pk], "actor": user(role)}

    def decide() -> list[ExportRequest]:
        if decision == "accept":
            return export_accept(**kwargs)
        return export_reject(**kwargs, reason="Wrong cost code")

    if role in MAY_DECIDE:
        (moved,) = decide()
        expected = "accepted" if decision == "accept" else "rejected"
        assert moved.state == reload(item).erp_state == expected
        assert moved.decided_by.username == role
    else:
        with pytest.raises(PermissionDenied):
            decide()
        assert counts(item) == before
        assert request_snapshot(request)[:2] == ("pending", None)


def approver_with(account: Account, erp: Level, *, cpa: bool, name: str = "someone") -> Any:
    return member(
        account, username=name, levels={Tool.ERP_INTEGRATIONS: erp}, can_push_to_accounting=cpa
    )


@pytest.mark.parametrize(
    ("erp", "cpa", "standard_approvers", "allowed"),
    [
        (Level.ADMIN, True, False, True),
        (Level.ADMIN, False, False, False),  # Admin alone is not an Accounting Approver
        (Level.ADMIN, False, True, False),
        (Level.STANDARD, True, False, False),  # the matrix: Admin + CPA by default
        (Level.STANDARD, True, True, True),  # ... Standard + CPA when the account allows it
        (Level.STANDARD, False, True, False),
        (Level.READ_ONLY, True, True, False),
        (Level.NONE, True, True, False),
    ],
)
def test_who_is_an_accounting_approver(demo, erp, cpa, standard_approvers, allowed):
    assert Account._meta.get_field("allow_standard_approvers").default is False
    demo.allow_standard_approvers = standard_approvers
    demo.save()
    actor = approver_with(demo, erp, cpa=cpa)
    first, second = send(sendable(demo, 0)), send(sendable(demo, 1))
    if allowed:
        export_accept(account=demo, request_ids=[first.pk], actor=actor)
        export_reject(account=demo, request_ids=[second.pk], actor=actor, reason="No")
        assert request_snapshot(first)[0] == "accepted"
        assert request_snapshot(second)[0] == "rejected"
    else:
        with pytest.raises(PermissionDenied):
            export_accept(account=demo, request_ids=[first.pk], actor=actor)
        with pytest.raises(PermissionDenied):
            export_reject(account=demo, request_ids=[second.pk], actor=actor, reason="No")
        assert request_snapshot(first)[0] == request_snapshot(second)[0] == "pending"


def test_requests_of_another_account_are_not_found(demo, other_account):
    request = send(sendable(demo))
    stranger = member(
        other_account,
        username="rival",
        levels={Tool.ERP_INTEGRATIONS: Level.ADMIN},
        can_push_to_accounting=True,
    )
    with pytest.raises(ExportRequest.DoesNotExist):
        export_accept(account=other_account, request_ids=[request.pk], actor=stranger)
    with pytest.raises(ExportRequest.DoesNotExist):
        export_retrieve(account=other_account, request_id=request.pk, actor=stranger)
    assert request_snapshot(request)[0] == "pending"


# --- Every transition, audited ----------------------------------------------------------------


def assert_moved(
    request: ExportRequest,
    item: Model,
    *,
    actor: str,
    verb: str,
    before: str,
    after: str,
    reason: str = "",
    events_before: int,
) -> AuditEvent:
    """The request and its item are in ``after``; exactly one new audit event says so."""
    request = ExportRequest.objects.get(pk=request.pk)
    assert request.state == after
    assert reload(item).erp_state == after
    itype = kind_of(item).erp_part.object_type
    events = AuditEvent.objects.filter(item_type=itype, item_id=item.pk)
    assert events.count() == events_before + 1
    # Nothing else was audited since the item was first sent (the demo's seed audited its first
    # syncs and the export history of what it starts with exported before that).
    first = events.order_by("pk").first()
    assert AuditEvent.objects.filter(pk__gte=first.pk).count() == events_before + 1
    event = events.order_by("-pk").first()
    assert event.request_id == request.pk
    assert (event.actor.username, event.verb, event.before, event.after, event.reason) == (
        actor,
        verb,
        before,
        after,
        reason,
    )
    return event


def test_unsent_to_pending(demo):
    item = sendable(demo)
    request = send(item)
    assert not request.is_resend
    assert_moved(
        request, item, actor="pm", verb="send", before="unsent", after="pending", events_before=0
    )
    assert request.sent_by.username == "pm" and request.decided_by is None


def test_pending_to_retrieved_and_resent(demo):
    item = sendable(demo)
    request = send(item)
    export_retrieve(account=demo, request_id=request.pk, actor=user("pm"))
    assert_moved(
        request,
        item,
        actor="pm",
        verb="retrieve",
        before="pending",
        after="retrieved",
        events_before=1,
    )
    again = send(item)
    assert again.pk != request.pk and again.is_resend
    assert_moved(
        again, item, actor="pm", verb="resend", before="retrieved", after="pending", events_before=2
    )
    assert request_snapshot(request)[0] == "retrieved"  # the old request stays closed


def test_pending_to_rejected_and_resent(demo):
    item = sendable(demo)
    request = send(item)
    export_reject(
        account=demo, request_ids=[request.pk], actor=user("approver"), reason="  Wrong vendor "
    )
    assert_moved(
        request,
        item,
        actor="approver",
        verb="reject",
        before="pending",
        after="rejected",
        reason="Wrong vendor",
        events_before=1,
    )
    rejected = ExportRequest.objects.get(pk=request.pk)
    assert rejected.reason == "Wrong vendor" and rejected.decided_by.username == "approver"
    again = send(item)
    assert again.is_resend
    assert_moved(
        again, item, actor="pm", verb="resend", before="rejected", after="pending", events_before=2
    )


def test_pending_to_accepted(demo):
    item = sendable(demo)
    request = send(item)
    export_accept(account=demo, request_ids=[request.pk], actor=user("erpadmin"))
    assert_moved(
        request,
        item,
        actor="erpadmin",
        verb="accept",
        before="pending",
        after="accepted",
        events_before=1,
    )
    stored = ExportRequest.objects.get(pk=request.pk)
    assert stored.decided_by.username == "erpadmin" and stored.decided_at is not None
    assert stored.updated_at >= stored.decided_at  # the row says when it last changed


def test_failed_to_rejected(demo):
    item = sendable(demo)
    request = send(item)
    ExportRequest.objects.filter(pk=request.pk).update(state="failed", error="ERP timeout")
    m.Commitment.objects.filter(pk=item.pk).update(erp_state="failed")
    export_reject(account=demo, request_ids=[request.pk], actor=user("approver"), reason="Retry")
    assert_moved(
        request,
        item,
        actor="approver",
        verb="reject",
        before="failed",
        after="rejected",
        reason="Retry",
        events_before=1,
    )
    assert send(item).is_resend  # a rejected item can go again


def test_bulk_decisions_move_every_request_once(demo):
    items = [sendable(demo, i) for i in range(3)]
    requests = [send(item) for item in items]
    ids = [r.pk for r in requests]
    moved = export_accept(account=demo, request_ids=ids, actor=user("approver"))
    assert sorted(r.pk for r in moved) == sorted(ids)
    assert {reload(i).erp_state for i in items} == {"accepted"}
    assert AuditEvent.objects.filter(verb="accept", request_id__in=ids).count() == 3


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_needs_a_reason(demo, reason):
    item = sendable(demo)
    request = send(item)
    before = counts(item)
    with pytest.raises(ValidationError) as error:
        export_reject(account=demo, request_ids=[request.pk], actor=user("approver"), reason=reason)
    assert list(error.value.message_dict) == ["reason"]
    assert counts(item) == before
    assert request_snapshot(request) == ("pending", None, None, "")


# --- Refused transitions ----------------------------------------------------------------------


def decided(account: Account, state: str) -> tuple[m.Commitment, ExportRequest, str]:
    """A commitment whose request was moved to ``state`` (by whom, as a name)."""
    item = sendable(account)
    request = send(item)
    if state == "accepted":
        export_accept(account=account, request_ids=[request.pk], actor=user("approver"))
        name = FULL_NAMES["approver"]
    elif state == "rejected":
        export_reject(
            account=account, request_ids=[request.pk], actor=user("erpadmin"), reason="Why"
        )
        name = FULL_NAMES["erpadmin"]
    else:
        export_retrieve(account=account, request_id=request.pk, actor=user("pm"))
        name = FULL_NAMES["pm"]
    return item, ExportRequest.objects.get(pk=request.pk), name


def conflict_message(request: ExportRequest, name: str) -> str:
    label = RequestState(request.state).label.lower()
    assert request.decided_at is not None, "the request does not say when it was decided"
    return f"{request.label} was already {label} by {name} on {when(request.decided_at)}."


REFUSED = [
    ("accept", "retrieved"),
    ("accept", "rejected"),
    ("accept", "accepted"),
    ("retrieve", "accepted"),
    ("retrieve", "rejected"),
    ("reject", "accepted"),
]


@pytest.mark.parametrize(("decision", "state"), REFUSED)
def test_a_decided_request_refuses_naming_who_and_when(demo, decision, state):
    item, request, name = decided(demo, state)
    before, snapshot = counts(item), request_snapshot(request)
    with pytest.raises(DecisionConflict) as conflict:
        if decision == "accept":
            export_accept(account=demo, request_ids=[request.pk], actor=user("erpadmin"))
        elif decision == "reject":
            export_reject(
                account=demo, request_ids=[request.pk], actor=user("erpadmin"), reason="Late"
            )
        else:
            export_retrieve(account=demo, request_id=request.pk, actor=user("pm"))
    assert conflict.value.message == conflict_message(request, name)
    assert counts(item) == before
    assert request_snapshot(request) == snapshot


def test_a_bulk_decision_with_one_decided_request_changes_nothing(demo):
    first, second = sendable(demo, 0), sendable(demo, 1)
    done, waiting = send(first), send(second)
    export_accept(account=demo, request_ids=[done.pk], actor=user("approver"))
    events = AuditEvent.objects.count()
    with pytest.raises(DecisionConflict, match="already accepted by Priya Natarajan"):
        export_reject(
            account=demo, request_ids=[waiting.pk, done.pk], actor=user("erpadmin"), reason="No"
        )
    assert request_snapshot(waiting)[0] == reload(second).erp_state == "pending"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("state", ["pending", "accepted"])
def test_sending_an_item_that_is_with_the_erp_is_refused(demo, state):
    item = sendable(demo)
    request = send(item)
    if state == "accepted":
        export_accept(account=demo, request_ids=[request.pk], actor=user("approver"))
    before = counts(item)
    with pytest.raises(InvalidTransition) as refused:
        send(item)
    label = m.ErpState(state).label.lower()
    assert refused.value.message == f"This commitment is {label}; it cannot be sent now."
    assert counts(item) == before


def test_a_failing_audit_write_rolls_the_change_back(demo, monkeypatch):
    """The event is written in the transaction that makes the change: if it fails, so does the
    change."""
    item = sendable(demo)
    request = send(item)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        export_accept(account=demo, request_ids=[request.pk], actor=user("approver"))
    assert request_snapshot(request) == ("pending", None, None, "")
    assert counts(item) == ("pending", 1, 1)

    monkeypatch.setattr(AuditEvent, "save", boom)
    other = sendable(demo, 1)
    with pytest.raises(RuntimeError):
        send(other)
    assert counts(other) == ("unsent", 0, 0)


# --- Accept with ERP fields -------------------------------------------------------------------


@pytest.fixture
def pending_project(demo: Account) -> tuple[m.Project, ExportRequest]:
    project = unsynced_project(demo)
    return project, send(project)  # the sandbox asks for an (optional) ERP job number


def test_accept_stores_the_declared_erp_fields(demo, pending_project):
    project, request = pending_project
    export_accept(
        account=demo,
        request_ids=[request.pk],
        actor=user("approver"),
        erp_fields={"erp_job_number": " J-2404 "},
    )
    stored = ExportRequest.objects.get(pk=request.pk)
    assert stored.state == reload(project).erp_state == "accepted"
    assert stored.erp_fields == {"erp_job_number": "J-2404"}
    assert AuditEvent.objects.get(request_id=request.pk, verb="accept").data == stored.erp_fields


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"erp_vendor_id": "V-1"}, {"erp_vendor_id": ["The ERP does not ask for this field."]}),
        ({"erp_job_number": "J" * 11}, {"erp_job_number": ["At most 10 characters."]}),
        (
            {"erp_job_number": "J" * 11, "colour": "red"},
            {
                "erp_job_number": ["At most 10 characters."],
                "colour": ["The ERP does not ask for this field."],
            },
        ),
    ],
)
def test_accept_refuses_unknown_or_too_long_erp_fields(demo, pending_project, fields, errors):
    project, request = pending_project
    before = counts(project)
    with pytest.raises(ValidationError) as error:
        export_accept(
            account=demo, request_ids=[request.pk], actor=user("approver"), erp_fields=fields
        )
    assert error.value.message_dict == errors
    assert counts(project) == before
    assert request_snapshot(request)[0] == "pending"
    assert ExportRequest.objects.get(pk=request.pk).erp_fields == {}


def test_erp_fields_are_for_one_item_only(demo, pending_project):
    project, request = pending_project
    commitment = sendable(demo)
    other = send(commitment)
    with pytest.raises(ValidationError) as error:
        export_accept(
            account=demo,
            request_ids=[request.pk, other.pk],
            actor=user("approver"),
            erp_fields={"erp_job_number": "J-1"},
        )
    assert list(error.value.message_dict) == ["erp_fields"]
    assert reload(project).erp_state == reload(commitment).erp_state == "pending"
    decided = AuditEvent.objects.filter(verb="accept", request_id__in=[request.pk, other.pk])
    assert not decided.exists()


# --- Direct export ----------------------------------------------------------------------------


def test_direct_export_is_off_by_default(demo):
    assert not demo.direct_export_commitments
    request = send(sendable(demo))
    assert request.state == "pending" and not request.direct and request.decided_by is None


def test_direct_export_accepts_a_commitment_at_once(demo):
    demo.direct_export_commitments = True
    demo.save()
    item = sendable(demo)
    request = send(item)
    assert request.direct and request.state == "accepted"
    assert request.decided_by.username == "pm" and request.decided_at == request.sent_at
    assert_moved(
        request,
        item,
        actor="pm",
        verb="direct_export",
        before="unsent",
        after="accepted",
        events_before=0,
    )
    # Nothing is left to approve.
    with pytest.raises(DecisionConflict):
        export_accept(account=demo, request_ids=[request.pk], actor=user("approver"))


@pytest.mark.parametrize(
    ("setting", "key", "direct"),
    [
        ("direct_export_commitments", "commitment_change_order", False),
        ("direct_export_change_orders", "commitment_change_order", True),
        ("direct_export_invoices", "subcontractor_invoice", True),
        ("direct_export_invoices", "owner_invoice", True),
        ("direct_export_invoices", "commitment", False),
    ],
)
def test_direct_export_follows_the_items_own_setting(demo, sender, setting, key, direct):
    setattr(demo, setting, True)
    demo.save()
    request = export_send(item=GOOD[key](demo), actor=sender)
    assert (request.direct, request.state) == (direct, "accepted" if direct else "pending")


def test_projects_have_no_direct_export(demo):
    demo.direct_export_commitments = True
    demo.direct_export_change_orders = True
    demo.direct_export_invoices = True
    demo.save()
    request = send(unsynced_project(demo))
    assert request.state == "pending" and not request.direct


# --- Locked fields while pending --------------------------------------------------------------


def test_commitment_locks_vendor_title_status_and_retainage():
    assert set(m.Commitment.locked_fields) == {"vendor", "title", "status", "retainage_percent"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "Renamed"), ("status", "draft"), ("retainage_percent", "5.00"), ("vendor", None)],
)
def test_api_refuses_locked_fields_while_pending(demo, field, value):
    from tests.api.conftest import client_for, url

    item = sendable(demo)
    send(item)
    if field == "vendor":
        value = (
            m.Company.objects.filter(account=demo, erp_state="synced")
            .exclude(pk=item.vendor_id)[0]
            .pk
        )
    response = client_for(user("pm"), demo).patch(
        url("commitments", item.pk), {field: value}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert "locked" in response.json()[field][0]
    fresh = reload(item)
    assert (fresh.title, fresh.status, fresh.retainage_percent, fresh.vendor_id) == (
        item.title,
        item.status,
        item.retainage_percent,
        item.vendor_id,
    )

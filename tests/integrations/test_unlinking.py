"""*Unlink from ERP* and a PCCO's *Reset* (``integrations.unlinking``) against the sandbox ERP.

Who may: the seed matrix's six "Unlink ... Synced with ERP" rows (``tests/permissions/
seed_matrix.py``: Standard or Admin on ERP Integrations, nothing more), and, for a reset, ERP
admins (the issue: "Reset a PCCO (ERP admins)"; not a seed row).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver

import approvals.export_tasks  # noqa: F401  (registers the export task)
from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from audit.models import AuditEvent
from connectors.sandbox import models as ledger
from erp.connections import connection_for
from erp.models import ErpCall
from integrations.kinds import kind
from integrations.models import ErpState
from integrations.services import record_update
from integrations.signals import record_unlinked
from integrations.unlinking import UnlinkRefused, pcco_reset, record_unlink
from permissions.levels import Level
from tests.api.conftest import build_records, everywhere
from tests.factories import member
from tests.integrations.unlinking import (
    UNLINKABLE,
    delete_in_erp,
    file_in_erp,
    reload,
    sendable_commitment,
    synced_record,
    unlink_kinds,
    user_at,
)
from tests.permissions.seed_matrix import BY_ACTION, Others

pytestmark = pytest.mark.django_db

GRID = [(erp, approver) for erp in Level for approver in (False, True)]


@pytest.fixture
def unlinker(account: Any) -> Any:
    return user_at(account, Level.STANDARD)


def unlink_row(key: str) -> Any:
    action = kind(key).erp_part.unlink_action
    assert action is not None
    return BY_ACTION[action.value]


def test_the_six_kinds_are_the_matrix_rows() -> None:
    assert unlink_kinds() == list(UNLINKABLE)
    assert {unlink_row(key).wording for key in UNLINKABLE} == {
        "Unlink CCOs Synced with ERP",
        "Unlink Commitments Synced with ERP",
        "Unlink Owner Invoices Synced with ERP",
        "Unlink PCCOs Synced with ERP",
        "Unlink Subcontractor Invoices Synced with ERP",
        "Unlink a Company Synced with ERP",
    }


# --- who may, per the seed --------------------------------------------------------------------


@pytest.mark.parametrize("key", list(UNLINKABLE))
@pytest.mark.parametrize(("erp", "approver"), GRID)
def test_unlink_follows_the_seed_row(account: Any, key: str, erp: Level, approver: bool) -> None:
    record = synced_record(account, key)
    delete_in_erp(record)
    actor = user_at(account, erp, approver)
    allowed = unlink_row(key).expected(erp, approver, Others.everything())
    if not allowed:
        with pytest.raises(PermissionDenied):
            record_unlink(actor=actor, record=record, reason="Entered twice")
        assert reload(record).erp_state == ErpState.SYNCED
        assert not ErpCall.objects.filter(action="unlink_check").exists()  # the ERP not asked
        return
    record_unlink(actor=actor, record=record, reason="Entered twice")
    assert reload(record).erp_state == ErpState.UNSENT


@pytest.mark.parametrize("erp", list(Level))
def test_reset_is_for_erp_admins(account: Any, erp: Level) -> None:
    pcco = synced_record(account, "prime-contract-change-orders")
    actor = user_at(account, erp, approver=True)
    if erp != Level.ADMIN:
        with pytest.raises(PermissionDenied):
            pcco_reset(actor=actor, record=pcco)
        assert reload(pcco).erp_state == ErpState.SYNCED
        return
    pcco_reset(actor=actor, record=pcco)
    assert reload(pcco).erp_state == ErpState.UNSENT


# --- the ERP first ------------------------------------------------------------------------------


def test_refused_while_the_erp_has_it(account: Any, unlinker: Any) -> None:
    commitment = synced_record(account, "commitments")
    with pytest.raises(UnlinkRefused) as refused:
        record_unlink(actor=unlinker, record=commitment, reason="Entered twice")
    assert refused.value.status == 409
    assert refused.value.message == (
        f"Commitment {commitment.number} is still in the ERP as {commitment.origin_id}: delete "
        "it there first, then unlink."
    )
    assert reload(commitment).erp_state == ErpState.SYNCED
    assert not AuditEvent.objects.filter(verb="unlinked").exists()
    (call,) = ErpCall.objects.filter(action="unlink_check")
    assert (call.item_type, call.item_id) == ("commitment", commitment.pk)
    assert (call.outcome, call.response) == ("success", {"gone": False})


@pytest.mark.parametrize("key", list(UNLINKABLE))
def test_unlinked_once_the_erp_deleted_it(account: Any, unlinker: Any, key: str) -> None:
    record = synced_record(account, key)
    former, code = record.origin_id, record.origin_code
    delete_in_erp(record)
    done = record_unlink(actor=unlinker, record=record, reason="  Entered twice in the ERP ")
    after = reload(record)
    assert (after.erp_state, after.origin_id, after.origin_code) == (ErpState.UNSENT, None, "")
    assert after.erp_synced_at is None
    assert former in done.message and "sent again" in done.message
    (event,) = AuditEvent.objects.filter(item_id=record.pk, verb="unlinked")
    assert event.item_type == kind(key).erp_part.object_type
    assert (event.actor, event.before, event.after) == (unlinker, "synced", "unsent")
    assert event.reason == "Entered twice in the ERP"
    assert event.data["origin_id"] == former and event.data["origin_code"] == code
    (call,) = ErpCall.objects.filter(action="unlink_check", item_id=record.pk)
    assert call.response == {"gone": True}


def test_editable_and_sendable_again(account: Any, unlinker: Any) -> None:
    commitment = file_in_erp(sendable_commitment(account))
    pm = member(account, levels=everywhere(Level.ADMIN))
    with pytest.raises(ValidationError) as locked:
        record_update(actor=pm, account=account, instance=commitment, changes={"title": "New"})
    assert "title" in locked.value.message_dict
    delete_in_erp(commitment)
    record_unlink(actor=unlinker, record=commitment, reason="Wrong vendor")
    commitment = reload(commitment)
    record_update(actor=pm, account=account, instance=commitment, changes={"title": "Steel"})
    assert reload(commitment).title == "Steel"
    sent = export_send(item=reload(commitment), actor=pm)
    assert sent.state == RequestState.PENDING and not sent.is_resend


def test_the_whole_trip_sent_unlinked_and_sent_again(
    account: Any, unlinker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Send, accept, synced (a ledger row); unlink refused; deleted in the ERP; unlinked; sent
    and accepted again: a new ERP record, the first request left synced (it holds nothing)."""
    pm = member(account, levels=everywhere(Level.ADMIN), can_push_to_accounting=True)
    commitment = sendable_commitment(account)

    def export() -> ExportRequest:
        request = export_send(item=reload(commitment), actor=pm)
        with django_capture_on_commit_callbacks(execute=True):
            export_accept(account=account, request_ids=[request.pk], actor=pm)
        return ExportRequest.objects.get(pk=request.pk)

    first = export()
    assert first.state == RequestState.SYNCED, first.error
    synced = reload(commitment)
    with pytest.raises(UnlinkRefused):
        record_unlink(actor=unlinker, record=synced, reason="Duplicate")
    delete_in_erp(synced)
    record_unlink(actor=unlinker, record=synced, reason="Duplicate")
    second = export()
    assert second.state == RequestState.SYNCED, second.error
    assert ExportRequest.objects.get(pk=first.pk).state == RequestState.SYNCED
    again = reload(commitment)
    assert again.erp_state == ErpState.SYNCED and again.origin_id != synced.origin_id
    assert ledger.Commitment.objects.filter(ledger=account.slug, number=again.origin_id).exists()
    assert not ledger.Commitment.objects.filter(number=synced.origin_id).exists()


# --- refusals -----------------------------------------------------------------------------------


def test_a_reason_is_required(account: Any, unlinker: Any) -> None:
    commitment = synced_record(account, "commitments")
    delete_in_erp(commitment)
    with pytest.raises(ValidationError) as missing:
        record_unlink(actor=unlinker, record=commitment, reason="  ")
    assert list(missing.value.message_dict) == ["reason"]
    assert not ErpCall.objects.exists()


def test_an_unsent_record_has_nothing_to_unlink(account: Any, unlinker: Any) -> None:
    commitment = build_records(account).commitment
    with pytest.raises(UnlinkRefused, match="is not synced with the ERP"):
        record_unlink(actor=unlinker, record=commitment, reason="Why not")


def test_records_sent_after_it_go_first(account: Any, unlinker: Any) -> None:
    records = build_records(account)
    commitment, cco = file_in_erp(records.commitment), file_in_erp(records.cco)
    delete_in_erp(commitment)
    with pytest.raises(UnlinkRefused) as refused:
        record_unlink(actor=unlinker, record=commitment, reason="Duplicate")
    assert str(cco) in refused.value.message and "(synced)" in refused.value.message
    delete_in_erp(cco)
    record_unlink(actor=unlinker, record=cco, reason="Duplicate")
    record_unlink(actor=unlinker, record=commitment, reason="Duplicate")
    assert reload(commitment).erp_state == ErpState.UNSENT


def test_a_connector_that_cannot_unlink_says_so(account: Any, unlinker: Any) -> None:
    commitment = synced_record(account, "commitments")
    connection = connection_for(account)
    connection.connector_key = "tryton"  # declares no unlink for commitments
    connection.save()
    with pytest.raises(UnlinkRefused, match="Tryton cannot unlink commitments"):
        record_unlink(actor=unlinker, record=commitment, reason="Duplicate")
    assert not ErpCall.objects.exists()


def test_the_erp_not_answering_is_a_503(account: Any, unlinker: Any) -> None:
    commitment = synced_record(account, "commitments")
    connection = connection_for(account)
    connection.settings = {**connection.settings, "transient_error_rate": "1"}
    connection.save()
    with pytest.raises(UnlinkRefused) as refused:
        record_unlink(actor=unlinker, record=commitment, reason="Duplicate")
    assert refused.value.status == 503 and "ledger is busy" in refused.value.message
    (call,) = ErpCall.objects.filter(action="unlink_check")
    assert call.outcome == "transient"
    assert reload(commitment).erp_state == ErpState.SYNCED


def test_a_paused_connection_is_not_asked(account: Any, unlinker: Any) -> None:
    commitment = synced_record(account, "commitments")
    connection = connection_for(account)
    connection.is_paused, connection.paused_reason = True, "refused logins"
    connection.save()
    with pytest.raises(UnlinkRefused, match="paused"):
        record_unlink(actor=unlinker, record=commitment, reason="Duplicate")
    assert not ErpCall.objects.exists()


# --- what it tells the apps above -----------------------------------------------------------------


def test_the_signal_says_which_erp_record(account: Any, unlinker: Any) -> None:
    heard: list[dict[str, Any]] = []

    @receiver(record_unlinked, weak=False, dispatch_uid="test-unlinked")
    def listen(sender: Any, **kwargs: Any) -> None:
        heard.append({"sender": sender, **kwargs})

    try:
        company = synced_record(account, "companies")
        former = company.origin_id
        delete_in_erp(company)
        record_unlink(actor=unlinker, record=company, reason="Merged vendors")
    finally:
        record_unlinked.disconnect(dispatch_uid="test-unlinked")
    (said,) = heard
    assert said["sender"] is type(company) and said["record"].pk == company.pk
    assert (said["origin_id"], said["object_type"], said["reset"]) == (former, "company", False)
    assert (said["account"], said["actor"], said["reason"]) == (account, unlinker, "Merged vendors")


# --- reset ----------------------------------------------------------------------------------------


def test_reset_does_not_ask_the_erp(account: Any) -> None:
    pcco = synced_record(account, "prime-contract-change-orders")
    admin = user_at(account, Level.ADMIN)
    done = pcco_reset(actor=admin, record=pcco, reason="Re-issued by the owner")
    assert reload(pcco).erp_state == ErpState.UNSENT and reload(pcco).origin_id is None
    assert "delete it there by hand" in done.message and pcco.origin_id in done.message
    assert not ErpCall.objects.exists()
    assert ledger.ChangeOrder.objects.filter(number=pcco.origin_id).exists()  # still there
    (event,) = AuditEvent.objects.filter(item_id=pcco.pk, verb="reset")
    assert (event.actor, event.reason, event.data["origin_id"]) == (
        admin,
        "Re-issued by the owner",
        pcco.origin_id,
    )


def test_reset_is_for_pccos_and_connectors_that_offer_it(account: Any) -> None:
    admin = user_at(account, Level.ADMIN)
    with pytest.raises(LookupError):
        pcco_reset(actor=admin, record=synced_record(account, "commitments"))
    pcco = synced_record(account, "prime-contract-change-orders")
    connection = connection_for(account)
    connection.connector_key = "tryton"
    connection.save()
    with pytest.raises(UnlinkRefused, match="Tryton does not reset"):
        pcco_reset(actor=admin, record=pcco)

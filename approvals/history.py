"""An item's whole story, for its page: every send, decision, export attempt with the ERP's
answer, import or link from a sync, edit and unlink, with who and when, newest first.

Two sources, merged here, each read in one query whatever the number of events (and one per
model of the related records an edit changed, to name them):

* the audit trail: the rows about the item (``item_type`` + ``item_id``) and about any of its
  export requests (``request_id``);
* the ERP log (:class:`erp.models.ErpCall`): each call to the ERP about the item, one line per
  attempt with its outcome and the ERP's message. A failure then a retry is two lines.

While the ERP log holds a request's calls, the audit rows that only mirror them (export
started, failed, queued again, synced) are left out; without them (the log is pruned sooner
than the trail) those rows stand in.

Newest first, like the Audit page and the ERP log: the latest events are the ones people look
for, and the state above the list says where the item stands now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q
from django.utils.text import capfirst

from approvals.models import ExportRequest
from audit.models import AuditEvent
from erp.models import ErpCall
from integrations.audit_trail import SYSTEM, actor_name, humanise, verb_label
from integrations.audit_words import named_changes
from integrations.kinds import Kind, kind_of
from tenancy.models import Account

#: At most this many audit rows and this many ERP calls (the newest); the Audit page has all.
LIMIT = 200

# Audit verbs an ERP call already tells, when the log still holds the request's calls.
MIRRORED_BY_CALLS = frozenset(
    {"export_started", "export_failed", "export_requeued", "export_synced"}
)
# Calls worth a line: the ones that carry the item to the ERP, and the checks that failed.
SHOWN_ACTIONS = frozenset({"export", "update", "unlink_check"})

# The state an event leaves the item in, for its coloured mark (the words say it too).
TONES: dict[str, str] = {
    "send": "pending",
    "resend": "pending",
    "direct_export": "accepted",
    "accept": "accepted",
    "reject": "rejected",
    "retrieve": "retrieved",
    "retry": "accepted",
    "export_failed": "failed",
    "export_synced": "synced",
    "unlinked": "unsent",
    "reset": "unsent",
    "staged_added": "synced",
    "staged_linked": "synced",
    "staged_reimported": "synced",
}
CALL_WORDS: dict[str, str] = {
    ErpCall.Outcome.SUCCESS: "the ERP took it",
    ErpCall.Outcome.TRANSIENT: "the ERP did not answer in time; it is tried again",
    ErpCall.Outcome.PERMANENT: "the ERP refused it",
    ErpCall.Outcome.AUTH: "the ERP refused the portal's credentials",
    ErpCall.Outcome.INTERRUPTED: "interrupted before the ERP answered",
}
ACTION_WORDS: dict[str, str] = {
    "export": "Export attempt",
    "update": "Update attempt",
    "lookup": "Look-up in the ERP",
    "unlink_check": "Unlink check in the ERP",
}


@dataclass(frozen=True)
class Entry:
    """One line of the story."""

    at: dt.datetime
    who: str
    what: str
    tone: str = ""  # a request state, for the mark beside the words
    reason: str = ""  # a reject or unlink reason, as the person wrote it
    message: str = ""  # the ERP's answer
    details: list[tuple[str, str]] = field(default_factory=list)
    request_id: int | None = None
    attempt: int | None = None
    from_erp: bool = False


@dataclass(frozen=True)
class History:
    entries: list[Entry]
    truncated: bool  # older events exist than the ones listed (see the Audit page)

    def __len__(self) -> int:
        return len(self.entries)


def item_history(account: Account, kind: Kind, item: Model) -> History:
    """The item's story, newest first: two queries, and one per model of the related records
    its edits changed, whatever the number of events."""
    type_name = kind.type_name
    request_ids = ExportRequest.objects.filter(
        account=account, item_type=kind.erp_part.object_type.value, item_id=item.pk
    ).values("pk")
    events = list(
        AuditEvent.objects.filter(account=account)
        .filter(Q(item_type=type_name, item_id=item.pk) | Q(request_id__in=request_ids))
        .select_related("actor")
        .order_by("-created_at", "-id")[: LIMIT + 1]
    )
    calls = list(
        ErpCall.objects.filter(account=account, item_type=type_name, item_id=item.pk).order_by(
            "-started_at", "-id"
        )[: LIMIT + 1]
    )
    truncated = len(events) > LIMIT or len(calls) > LIMIT
    named = named_changes(account, events[:LIMIT])  # one query per related model
    return History(merge(events[:LIMIT], calls[:LIMIT], item, named), truncated)


def merge(
    events: Sequence[AuditEvent],
    calls: Sequence[ErpCall],
    item: Model,
    named: Mapping[int, dict[str, Any]] | None = None,
) -> list[Entry]:
    """Audit rows and ERP calls as one list, newest first; ``named``: the rows' changes with
    related records by name (:func:`integrations.audit_words.named_changes`)."""
    shown_calls = [c for c in calls if _shown(c)]
    logged = {_request_of(c) for c in shown_calls} - {None}
    named = named or {}
    entries = [
        _event_entry(e, item, named.get(e.pk))
        for e in events
        if not (e.verb in MIRRORED_BY_CALLS and e.request_id in logged)
    ]
    entries.extend(_call_entry(c) for c in shown_calls)
    # Stable: within one instant, the order each source gave (newest first) is kept.
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _shown(call: ErpCall) -> bool:
    return call.action in SHOWN_ACTIONS or (
        call.action == "lookup" and call.outcome not in ("", ErpCall.Outcome.SUCCESS)
    )


def _request_of(call: ErpCall) -> int | None:
    value = (call.payload_summary or {}).get("request")
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _event_entry(event: AuditEvent, item: Model, changes: dict[str, Any] | None = None) -> Entry:
    data = event.data or {}
    details: list[tuple[str, str]] = []
    message = ""
    if event.verb == "record_updated":
        details = changed_fields(item, data if changes is None else {**data, "changes": changes})
    elif event.verb == "record_created":
        details = [("Fields", ", ".join(field_label(item, n) for n in data.get("fields", [])))]
    elif event.verb in ("export_failed", "export_requeued"):
        message = event.reason
    elif event.verb == "export_synced" and data.get("origin_id"):
        details = [("In the ERP", str(data["origin_id"]))]
    elif event.verb in ("unlinked", "reset"):
        was = data.get("origin_code") or data.get("origin_id")
        details = [("Was in the ERP as", str(was))] if was else []
    elif event.verb.startswith("staged_") and data.get("origin_id"):
        details = [("ERP record", str(data["origin_id"]))]
    return Entry(
        at=event.created_at,
        who=actor_name(event),
        what=verb_label(event.verb),
        tone=TONES.get(event.verb, ""),
        reason="" if message else event.reason,
        message=message,
        details=[(label, text) for label, text in details if text],
        request_id=event.request_id,
    )


def _call_entry(call: ErpCall) -> Entry:
    outcome = call.outcome
    words = CALL_WORDS.get(outcome, "no answer yet") if outcome else "no answer yet"
    response = call.response or {}
    found = response.get("origin_code") or response.get("origin_id")
    message = call.error or (f"Recorded in the ERP as {found}." if found else "")
    return Entry(
        at=call.started_at,
        who=SYSTEM,
        what=f"{ACTION_WORDS.get(call.action, humanise(call.action))} {call.attempt}: {words}",
        tone="synced" if outcome == ErpCall.Outcome.SUCCESS else ("failed" if outcome else ""),
        message=message,
        request_id=_request_of(call),
        attempt=call.attempt,
        from_erp=True,
    )


def field_label(item: Model, name: str) -> str:
    """A field's name as the record's pages say it (the kind's word, else its verbose name)."""
    web = kind_of(item).web
    if web is not None:
        return web.label(type(item), name)
    try:
        found = item._meta.get_field(name)
    except FieldDoesNotExist:
        return humanise(name)
    return capfirst(str(getattr(found, "verbose_name", name)))


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def changed_fields(item: Model, data: dict[str, Any]) -> list[tuple[str, str]]:
    """``record_updated``'s data as (field, "old → new") pairs; the names alone without values."""
    changes = data.get("changes")
    if isinstance(changes, dict) and changes:
        return [
            (field_label(item, name), _change_text(value))
            for name, value in sorted(changes.items())
        ]
    names: Iterable[str] = data.get("fields") or []
    return [("Changed", ", ".join(field_label(item, n) for n in names))]


def _change_text(value: Any) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{_text(value[0])} → {_text(value[1])}"
    return _text(value)

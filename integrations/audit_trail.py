"""Reading the audit trail: an account's rows, filtered, and each row in words.

The page (:mod:`integrations.web.audit`), its CSV and the API (:mod:`integrations.api.audit`)
share the filters (:class:`AuditEventFilter`) and the words: a verb's label comes from
:data:`VERB_LABELS` (an unknown verb is humanised, ``sync_started`` -> "Sync started"), an
object type's from the registry of kinds, which also says whether the record has a page; a
known value of the details from :mod:`integrations.audit_words`, where its app registered it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters

from audit.models import AuditEvent
from integrations.audit_words import kinds_by_type, named_changes, state_label, value_label
from tenancy.models import Account

SYSTEM = "System"

# The verbs of the trail, in words. A verb missing here is humanised (see verb_label).
VERB_LABELS: dict[str, str] = {
    # Records
    "record_created": "Record created",
    "record_updated": "Record updated",
    "unlinked": "Unlinked from the ERP",
    "reset": "Reset",
    # The export workflow
    "send": "Sent to the ERP",
    "resend": "Sent again to the ERP",
    "direct_export": "Sent directly to the ERP",
    "accept": "Accepted for export",
    "reject": "Rejected",
    "retrieve": "Retrieved from the ERP",
    "retry": "Export retried",
    "export_started": "Export started",
    "export_requeued": "Export queued again",
    "export_failed": "Export failed",
    "export_synced": "Synced with the ERP",
    "budget_created": "Budget created",
    "budget_pair_added": "Budget line added",
    # Settings, connection, people
    "settings_changed": "Settings changed",
    "project_template_created": "Project template created",
    "project_template_updated": "Project template updated",
    "project_template_deleted": "Project template deleted",
    "connection_configured": "ERP connection configured",
    "connection_paused": "Exports paused",
    "connection_resumed": "Exports resumed",
    "secrets_reencrypted": "ERP secrets re-encrypted",
    "permissions_changed": "Permissions changed",
    "permission_template_created": "Permission template created",
    "permission_template_changed": "Permission template changed",
    "permission_template_deleted": "Permission template deleted",
    "token_revoked": "API token revoked",  # nosec B105  # an event's label
    # Cost codes
    "cost_codes_refreshed": "Cost codes refreshed",
    "default_cost_types_set": "Default cost types set",
    # Syncs and staged records
    "schedule_changed": "Sync schedule changed",
    "sync_requested": "Sync requested",
    "sync_started": "Sync started",
    "sync_finished": "Sync finished",
    "sync_cancelled": "Sync cancelled",
    "staged_added": "Added from the ERP",
    "staged_linked": "Linked to an ERP record",
    "staged_archived": "Archived",
    "staged_unarchived": "Restored from the archive",
    "staged_reimported": "Imported again",
    # The admin site
    "admin_created": "Created in the admin site",
    "admin_changed": "Changed in the admin site",
    "admin_deleted": "Deleted in the admin site",
    "admin_lines_changed": "Lines changed in the admin site",
}

# Object types that are not kinds of record, in words.
ITEM_TYPE_LABELS: dict[str, str] = {
    "account": "Account settings",
    "erp_connection": "ERP connection",
    "membership": "Member",
    "permission_template": "Permission template",
    "user": "User",
}


def humanise(name: str) -> str:
    """``settings_changed`` -> "Settings changed"."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "—"


def verb_label(verb: str) -> str:
    return VERB_LABELS.get(verb) or humanise(verb)


def item_type_label(item_type: str) -> str:
    kind = kinds_by_type().get(item_type)
    if kind is not None:
        return kind.erp_label
    return ITEM_TYPE_LABELS.get(item_type) or humanise(item_type)


# Pages of objects that are not kinds of record: item type -> (URL name, its id parameter).
# Named, not imported: the apps above this one draw them.
OBJECT_PAGES: dict[str, tuple[str, str]] = {
    "sync_run": ("sync-run", "run"),
    "staged_record": ("staged-record", "record"),
}


def record_url(account: Account, item_type: str, item_id: int) -> str:
    """The page of the row's record (or sync run, staged record), where it has one; else ""."""
    if item_type in OBJECT_PAGES:
        name, param = OBJECT_PAGES[item_type]
        return reverse(name, kwargs={"account": account.slug, param: item_id})
    kind = kinds_by_type().get(item_type)
    if kind is None or kind.web is None:
        return ""
    return reverse(
        "record-detail", kwargs={"account": account.slug, "kind": kind.key, "pk": item_id}
    )


def actor_name(event: AuditEvent) -> str:
    user = event.actor
    if user is None:
        return SYSTEM
    return user.get_full_name() or user.get_username()


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _is_change(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) == 2
        and not any(isinstance(v, dict | list | tuple) for v in value)
    )


# Data keys whose value is a list of names, never a change ``[old, new]``.
LIST_KEYS = frozenset({"fields", "secrets_changed"})


def data_lines(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """The row's data as ``(label, text)`` pairs: a field change ``{field: [old, new]}`` reads
    "old → new"; a nested change set (``{"changed": {...}}``) is flattened."""
    lines: list[tuple[str, str]] = []
    for key, value in data.items():
        label = f"{prefix}{humanise(str(key))}"
        if isinstance(value, Mapping):
            nested = "" if key in ("changed", "fields", "settings") else f"{label}: "
            lines.extend(data_lines(value, nested))
        elif key not in LIST_KEYS and _is_change(value):
            old, new = (_text(value_label(str(key), v)) for v in value)
            lines.append((label, f"{old} → {new}"))
        elif isinstance(value, list | tuple):
            lines.append((label, _text([value_label(str(key), v) for v in value])))
        else:
            lines.append((label, _text(value_label(str(key), value))))
    return lines


@dataclass(frozen=True)
class Row:
    """One audit row in words, for the page."""

    event: AuditEvent
    who: str
    what: str
    item_label: str
    url: str
    data: list[tuple[str, str]]
    states: str = ""  # "Ready to Export → Accepted"; "" when the row changed no state


def rows(account: Account, events: Iterable[AuditEvent]) -> list[Row]:
    """The rows in words; a change of a related record by the records' names (one query per
    related model for the page)."""
    events = list(events)
    named = named_changes(account, events)
    return [
        Row(
            event=event,
            who=actor_name(event),
            what=verb_label(event.verb),
            item_label=item_type_label(event.item_type),
            url=record_url(account, event.item_type, event.item_id),
            data=data_lines(_with_changes(event.data or {}, named.get(event.pk))),
            states=_states(event),
        )
        for event in events
    ]


def _states(event: AuditEvent) -> str:
    if not (event.before or event.after):
        return ""
    before, after = (state_label(event.item_type, s) or "—" for s in (event.before, event.after))
    return f"{before} → {after}"


def _with_changes(data: Mapping[str, Any], changes: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return data if changes is None else {**data, "changes": changes}


# --- Filters ---------------------------------------------------------------------------------


def account_events(account: Account) -> QuerySet[AuditEvent]:
    """The account's rows, newest first, each with its actor (one query a page)."""
    return (
        AuditEvent.objects.filter(account=account)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def verbs_present(account: Account) -> list[tuple[str, str]]:
    verbs = (
        AuditEvent.objects.filter(account=account)
        .order_by("verb")
        .values_list("verb", flat=True)
        .distinct()
    )
    return [(verb, verb_label(verb)) for verb in verbs]


def members(account: Account) -> list[tuple[str, str]]:
    users = get_user_model()._default_manager.filter(memberships__account=account)
    choices = [
        (str(user.pk), user.get_full_name() or user.get_username())
        for user in users.order_by("first_name", "last_name", "username")
    ]
    return [("system", SYSTEM), *choices]


class ActorField(forms.CharField):
    """A member's id, or ``system`` (rows no person wrote)."""

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value and value != "system" and not str(value).isdigit():
            raise forms.ValidationError("Enter a member's id, or system.")
        return value


class ActorFilter(filters.CharFilter):
    field_class = ActorField

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        if value == "system":
            return qs.filter(actor__isnull=True)
        return qs.filter(actor_id=int(value))


class WholeNumberFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class AuditEventFilter(filters.FilterSet):
    """The filters of the page, its CSV and the API (query parameters of the same names)."""

    actor = ActorFilter(label="Who", help_text="A member's user id, or `system`.")
    verb = filters.CharFilter(label="Action", help_text="The verb, e.g. `settings_changed`.")
    item_type = filters.CharFilter(
        label="Object type", help_text="e.g. `commitment`, `account`, `user`."
    )
    item_id = WholeNumberFilter(label="Object id")
    request_id = WholeNumberFilter(label="Export request", help_text="The export request's id.")
    date_from = filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="From",
        help_text="On or after this day (YYYY-MM-DD).",
    )
    date_to = filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="To",
        help_text="On or before this day (YYYY-MM-DD).",
    )
    q = filters.CharFilter(method="search_reason", label="Reason", help_text="Text in the reason.")

    class Meta:
        model = AuditEvent
        fields = ("actor", "verb", "item_type", "item_id", "request_id")

    def search_reason(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(Q(reason__icontains=value.strip())) if value.strip() else qs


# --- CSV -------------------------------------------------------------------------------------

CSV_HEADER = (
    "When",
    "Who",
    "Action",
    "Verb",
    "Object type",
    "Object id",
    "Export request",
    "Before",
    "After",
    "Reason",
    "Data",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A text cell a spreadsheet would read as a formula, quoted so it reads as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The rows as CSV lines, read from the database in chunks (memory stays bounded)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for event in events.iterator(chunk_size=500):
        cells = (
            timezone.localtime(event.created_at).isoformat(timespec="seconds"),
            actor_name(event),
            verb_label(event.verb),
            event.verb,
            item_type_label(event.item_type),
            event.item_id,
            event.request_id if event.request_id is not None else "",
            event.before,
            event.after,
            event.reason,
            json.dumps(event.data, sort_keys=True, default=str) if event.data else "",
        )
        yield writer.writerow([csv_safe(cell) for cell in cells])

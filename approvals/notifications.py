"""Emails about items waiting for, or coming back from, accounting acceptance.

Three kinds of mail, all plain text through Django's mail backend, one message per recipient so
no one sees another's address:

* *ready to export*: when an item is sent and the account emails approvers on send, and always
  for a corrected re-send after a reject (Procore waits for the digest there; we do not);
* *rejected*: to the sender, and to the record's creator for commitments and CCOs;
* the *ERP Integrations Daily Summary*: what awaits each subscribed approver, oldest first.

The first two run on commit of the transaction that changed the requests. A failure to send is
logged, never raised: the decision has already been saved, and the digest will still list what
waits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone

from approvals.models import ExportRequest, RequestState
from integrations.kinds import Kind, by_object_type
from integrations.reports.builtin import accountants
from permissions.access import can
from tenancy.models import Account

log = logging.getLogger(__name__)

DIGEST_SUBJECT = "ERP Integrations Daily Summary"
#: The Ready to Export queue's URL name (kwargs: account). Should it ever be unrouted, links go
#: to the account's overview, which counts what is ready to export per kind of record.
QUEUE_URL_NAME = "export-queue"
#: Where a member turns their own emails on or off (kwargs: account).
SETTINGS_URL_NAME = "my-notifications"
_TEMPLATES = "approvals/email"
# Tells auto-responders (out of office) not to answer (RFC 3834).
_HEADERS = {"Auto-Submitted": "auto-generated"}


# --- Links and formatting ------------------------------------------------------------------


def portal_url(path: str) -> str:
    """An absolute URL for a path of the portal (emails are read outside any request): the
    ``PORTAL_URL`` setting, the address people reach the portal at, then the path."""
    return str(settings.PORTAL_URL).rstrip("/") + path


def settings_url(account: Account) -> str:
    """The member's own notification settings (the digest on or off)."""
    return portal_url(reverse(SETTINGS_URL_NAME, kwargs={"account": account.slug}))


def queue_url(account: Account) -> str:
    try:
        path = reverse(QUEUE_URL_NAME, kwargs={"account": account.slug})
    except NoReverseMatch:
        path = reverse("account-home", kwargs={"account": account.slug})
    return portal_url(path)


def item_url(account: Account, kind: Kind, item_id: int) -> str:
    path = reverse(
        "record-detail", kwargs={"account": account.slug, "kind": kind.key, "pk": item_id}
    )
    return portal_url(path)


def _name(user: Any) -> str:
    if user is None:
        return "someone"
    return str(user.get_full_name() or user.get_username())


def _reachable(user: Any) -> bool:
    return user is not None and bool(user.is_active) and bool(user.email)


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return dateformat.format(timezone.localtime(moment), "M j, Y, H:i T")


def _amount(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def _days(count: int) -> str:
    if count <= 0:
        return "today"
    return "1 day" if count == 1 else f"{count} days"


def _plural(label: str, count: int) -> str:
    if count == 1:
        return label
    return label[:-1] + "ies" if label.endswith("y") else label + "s"


def _one_line(text: str) -> str:
    """Subjects are headers: a newline in a title would make Django refuse the message."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Item:
    """One request as an email shows it (from the request's summary: no query per item)."""

    type_label: str
    label: str
    project: str
    vendor: str
    amount: str
    sent_by: str
    sent_at: str
    age_days: int
    age: str
    url: str
    reason: str = ""
    decided_by: str = ""
    decided_at: str = ""

    @classmethod
    def of(cls, request: ExportRequest, now: dt.datetime | None = None) -> Item:
        kind = by_object_type(request.item_type)
        summary = request.summary or {}
        age_days = max(0, ((now or timezone.now()) - request.sent_at).days)
        decider = request.decided_by if request.decided_by_id else None
        return cls(
            type_label=kind.erp_label,
            label=request.label,
            project=str(summary.get("project") or ""),
            vendor=str(summary.get("vendor") or ""),
            amount=_amount(summary.get("amount")),
            sent_by=_name(request.sent_by),
            sent_at=_when(request.sent_at),
            age_days=age_days,
            age=_days(age_days),
            url=item_url(request.account, kind, request.item_id),
            reason=request.reason,
            decided_by=_name(decider) if decider else "",
            decided_at=_when(request.decided_at),
        )


def _message(user: Any, subject: str, template: str, context: dict[str, Any]) -> EmailMessage:
    body = render_to_string(f"{_TEMPLATES}/{template}", {"recipient": _name(user), **context})
    return EmailMessage(
        subject=_one_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        reply_to=context.get("reply_to") or None,
        headers=dict(_HEADERS),
    )


def _send(messages: Sequence[EmailMessage]) -> int:
    if not messages:
        return 0
    with get_connection() as connection:
        return int(connection.send_messages(list(messages)) or 0)


def _deciders(account: Account, kind: Kind, *, exclude: Iterable[Any] = ()) -> list[Any]:
    """The account's approvers who may accept or reject this kind of item."""
    skip = {pk for pk in exclude if pk is not None}
    users = [
        membership.user
        for membership in accountants(account)
        if membership.user_id not in skip and _reachable(membership.user)
    ]
    return [user for user in users if can(user, kind.erp_part.accept_action, account)]


# --- Ready to export -----------------------------------------------------------------------


def notify_sent(request_id: int) -> None:
    """Tell the account's approvers that an item waits for them."""
    try:
        sent = send_ready_to_export(request_id)
    except Exception:
        log.exception("Could not email the approvers about export request %s.", request_id)
    else:
        log.info("Export request %s: %d approver(s) emailed.", request_id, sent)


def send_ready_to_export(request_id: int) -> int:
    """Email every approver who may decide on the request (not its sender); return how many."""
    request = (
        ExportRequest.objects.select_related("account", "sent_by")
        .filter(pk=request_id, state=RequestState.PENDING)
        .first()
    )
    if request is None:  # retrieved or decided before we got here: nothing awaits anyone
        return 0
    account = request.account
    kind = by_object_type(request.item_type)
    rejected = None
    if request.is_resend:
        earlier = (
            ExportRequest.objects.select_related("decided_by")
            .filter(
                account=account,
                item_type=request.item_type,
                item_id=request.item_id,
                pk__lt=request.pk,
            )
            .order_by("-pk")
            .first()
        )
        if earlier is not None and earlier.state == RequestState.REJECTED:
            earlier.account = account
            rejected = earlier
    what = f"{kind.erp_label} {request.label} is ready to export"
    if rejected is not None:
        subject = f"Corrected and re-sent: {what}"
    elif request.is_resend:
        subject = f"Re-sent: {what}"
    else:
        subject = what
    context = {
        "account": account,
        "item": Item.of(request),
        "resend": request.is_resend,
        "rejected": Item.of(rejected) if rejected is not None else None,
        "queue_url": queue_url(account),
        "reply_to": [request.sent_by.email] if request.sent_by.email else [],
    }
    messages = [
        _message(user, subject, "ready_to_export.txt", context)
        for user in _deciders(account, kind, exclude=[request.sent_by_id])
    ]
    return _send(messages)


# --- Rejected ------------------------------------------------------------------------------


@dataclass
class _Rejection:
    item: Item
    roles: list[str] = field(default_factory=list)  # "sent", "created"

    @property
    def roles_text(self) -> str:
        return "created and sent" if {"sent", "created"} <= set(self.roles) else self.roles[0]


def notify_rejected(request_ids: list[int]) -> None:
    """Tell the senders (and creators) why their items came back."""
    try:
        sent = send_rejected(request_ids)
    except Exception:
        log.exception("Could not email the senders of rejected requests %s.", request_ids)
    else:
        log.info("Rejected requests %s: %d email(s) sent.", request_ids, sent)


def send_rejected(request_ids: Sequence[int]) -> int:
    """One email per person: the items they sent, or created (commitments and CCOs), that came
    back, each with the reason. Whoever rejected an item is not told about it."""
    requests = list(
        ExportRequest.objects.select_related("account", "sent_by", "decided_by")
        .filter(pk__in=list(request_ids), state=RequestState.REJECTED)
        .order_by("sent_at", "pk")
    )
    creators = _creators(requests)
    people: dict[int, Any] = {}
    found: dict[int, dict[int, _Rejection]] = defaultdict(dict)  # user -> request -> rejection
    for request in requests:
        candidates = [(request.sent_by, "sent"), (creators.get(request.pk), "created")]
        for user, role in candidates:
            if user is None or not _reachable(user) or user.pk == request.decided_by_id:
                continue
            people.setdefault(user.pk, user)
            rejection = found[user.pk].setdefault(request.pk, _Rejection(Item.of(request)))
            rejection.roles.append(role)
    messages = []
    for user_pk, rejections in found.items():
        items = list(rejections.values())
        if len(items) == 1:
            subject = f"Rejected: {items[0].item.type_label} {items[0].item.label}"
        else:
            subject = f"{len(items)} items you sent to the ERP were rejected"
        deciders = [r.decided_by for r in requests if r.pk in rejections]
        context = {
            "rejections": items,
            "reply_to": sorted({u.email for u in deciders if u is not None and u.email}),
        }
        messages.append(_message(people[user_pk], subject, "rejected.txt", context))
    return _send(messages)


def _creators(requests: Sequence[ExportRequest]) -> dict[int, Any]:
    """request id -> the record's creator, for the kinds that notify their creator (one query
    per kind, and one for the users)."""
    wanted: dict[str, list[ExportRequest]] = defaultdict(list)
    for request in requests:
        if by_object_type(request.item_type).erp_part.notify_creator:
            wanted[request.item_type].append(request)
    creator_of_item: dict[tuple[str, int], int] = {}
    for key, group in wanted.items():
        rows = (
            by_object_type(key)
            .model._default_manager.filter(pk__in=[r.item_id for r in group])
            .exclude(created_by=None)
            .values_list("pk", "created_by_id")
        )
        for item_id, user_id in rows:
            creator_of_item[(key, item_id)] = user_id
    if not creator_of_item:
        return {}
    users = get_user_model()._default_manager.in_bulk(set(creator_of_item.values()))
    found = {}
    for request in requests:
        user_id = creator_of_item.get((request.item_type, request.item_id))
        if user_id is not None and user_id in users:
            found[request.pk] = users[user_id]
    return found


# --- Daily digest --------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestGroup:
    label: str
    count: int
    oldest_days: int
    items: list[Item]


def send_digests(now: dt.datetime | None = None) -> int:
    """Email the ERP Integrations Daily Summary to every subscribed approver with something to
    decide, in every account with pending requests; return how many emails went out."""
    now = now or timezone.now()
    account_ids = (
        ExportRequest.objects.filter(state=RequestState.PENDING)
        .values_list("account_id", flat=True)
        .distinct()
    )
    sent = 0
    for account in Account.objects.filter(pk__in=account_ids).order_by("pk"):
        try:
            sent += _send(digest_messages(account, now))
        except Exception:
            log.exception("Could not send the ERP digest of account %s.", account.slug)
    log.info("ERP digest: %d email(s) sent.", sent)
    return sent


def digest_messages(account: Account, now: dt.datetime) -> list[EmailMessage]:
    """The digest of each subscribed approver of ``account`` who may decide on at least one
    pending item (a fixed number of queries per approver, none per item)."""
    pending = list(
        ExportRequest.objects.select_related("sent_by")
        .filter(account=account, state=RequestState.PENDING)
        .order_by("sent_at", "pk")
    )
    if not pending:
        return []
    for request in pending:
        request.account = account  # for the links, without a query each
    items = [(request.item_type, Item.of(request, now)) for request in pending]
    kinds = {key for key, _ in items}
    messages = []
    for membership in accountants(account).filter(subscribe_erp_digest=True):
        user = membership.user
        if not _reachable(user):
            continue
        allowed = {
            key for key in kinds if can(user, by_object_type(key).erp_part.accept_action, account)
        }
        groups = _groups([(key, item) for key, item in items if key in allowed])
        if not groups:
            continue
        context = {
            "account": account,
            "groups": groups,
            "total": sum(g.count for g in groups),
            "oldest": max(g.oldest_days for g in groups),
            "oldest_age": _days(max(g.oldest_days for g in groups)),
            "queue_url": queue_url(account),
            "settings_url": settings_url(account),
            "date": dateformat.format(timezone.localtime(now), "l, F j, Y"),
        }
        messages.append(_message(user, DIGEST_SUBJECT, "digest.txt", context))
    return messages


def _groups(items: list[tuple[str, Item]]) -> list[DigestGroup]:
    """Items by kind, each kind oldest first; the kind whose oldest item waited longest first."""
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for key, item in items:  # already oldest first
        by_kind[key].append(item)
    # Kinds come in the order first seen, so the first holds the oldest item of all.
    return [
        DigestGroup(
            label=_plural(by_object_type(key).erp_label, len(kind_items)),
            count=len(kind_items),
            oldest_days=kind_items[0].age_days,
            items=kind_items,
        )
        for key, kind_items in by_kind.items()
    ]

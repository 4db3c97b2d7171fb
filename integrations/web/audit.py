"""The audit trail of an account: every audited change, newest first, with filters, per object
(``?item_type=commitment&item_id=5``) or per export request (``?request_id=9``), and the same
rows as a CSV download. For ERP admins (``view_audit_trail``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from integrations import audit_trail as trail
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.models import Account
from tenancy.sorting import ORDERING, Sorting, sort

PAGE_SIZE = 50
# The trail's columns; a click on a heading sorts by it (newest first when none is chosen).
SORTING = Sorting(
    columns=(
        ("created_at", "When"),
        ("actor", "Who"),
        ("verb", "What"),
        ("item", "Object"),
        ("states", "Before → after"),
        ("reason", "Reason"),
        ("details", "Details"),
    ),
    sortable={
        "created_at": "created_at",
        "actor": "actor__username",
        "verb": "verb",
        "item": "item_type",
    },
)


def audit_filterset(request: HttpRequest, account: Account) -> trail.AuditEventFilter:
    """The page's filters over the account's rows, with the choices of the account."""
    filterset = trail.AuditEventFilter(request.GET, queryset=trail.account_events(account))
    fields = filterset.form.fields
    fields["actor"].widget = forms.Select(choices=[("", "Anyone"), *trail.members(account)])
    fields["verb"].widget = forms.Select(choices=[("", "Any"), *trail.verbs_present(account)])
    for name in ("date_from", "date_to"):
        fields[name].widget = forms.DateInput(attrs={"type": "date"})
    for name in ("item_id", "request_id"):
        fields[name].widget = forms.TextInput(attrs={"size": "7", "inputmode": "numeric"})
    fields["item_type"].widget.attrs.update(size="16")
    fields["q"].widget = forms.TextInput(attrs={"type": "search", "placeholder": "Text"})
    return filterset


def audit_page(
    request: HttpRequest, account: Account, filterset: trail.AuditEventFilter
) -> HttpResponse:
    """One page of the filtered rows (a constant number of queries for any page); a filter
    that is not valid names its field (400)."""
    valid = filterset.is_valid()
    listed = sort(SORTING, request.GET, filterset.qs if valid else filterset.queryset.none())
    page = Paginator(listed.pop("rows"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    filtered = params.copy()
    filtered.pop(ORDERING, None)
    item_type = request.GET.get("item_type", "")
    item_id = request.GET.get("item_id", "")
    on_record = valid and item_type and item_id.isdigit()
    context = {
        **listed,
        "filtered": bool(filtered),
        "active_tab": "audit",
        "filterset": filterset,
        "page": page,
        "rows": trail.rows(account, page.object_list),
        "querystring": params.urlencode(),
        "object_label": trail.item_type_label(item_type) if item_type else "",
        "object_url": trail.record_url(account, item_type, int(item_id)) if on_record else "",
    }
    status = 200 if valid else 400
    return render(request, "integrations/audit_trail.html", context, status=status)


class AuditTrailView(PolicyView):
    policy_action = Action.VIEW_AUDIT_TRAIL

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return audit_page(request, self.account, audit_filterset(request, self.account))


class AuditTrailCsvView(PolicyView):
    """Exactly the rows the page's filters select, streamed as CSV."""

    policy_action = Action.VIEW_AUDIT_TRAIL

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        filterset = audit_filterset(request, self.account)
        if not filterset.is_valid():
            return audit_page(request, self.account, filterset)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        rows = sort(SORTING, request.GET, filterset.qs)["rows"]
        response = StreamingHttpResponse(
            trail.csv_lines(rows), content_type="text/csv; charset=utf-8"
        )
        name = f"audit-trail-{self.account.slug}-{stamp}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

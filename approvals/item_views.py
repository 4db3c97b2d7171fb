"""The item page's buttons: *Send to ERP* / *Re-send*, *Retrieve from ERP*, and the workflow
section they answer with (htmx) or the page around it (without JS).

Each view parses, calls a service and renders; a broken ERP rule is 400 (said per field), a
request that moved on is 409, a user without the right is 403, a record they cannot see is 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from approvals import selectors
from approvals.errors import SendRefused
from approvals.forms import problem_rows
from approvals.models import ExportRequest, RequestState
from approvals.services import export_retrieve, export_send_outcome, may_send
from approvals.views import CONFLICTS, is_htmx
from approvals.workflow import item_workflow
from integrations.kinds import by_object_type, kind_of
from permissions.access import restrict
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.web import AccountRequest


def render_workflow(
    request: AccountRequest,
    item: Any,
    *,
    problems: list[tuple[str, str, str]] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The item's workflow section (htmx), or a page around it (a refusal without JS)."""
    account = request.account
    workflow = item_workflow(request.user, account, item)
    context = {
        "obj": item,
        "workflow": workflow,
        "problems": problems or [],
        "error": error,
        "item_url": selectors.item_url(account, workflow.key, item.pk),
    }
    template = (
        "approvals/_item_workflow.html" if is_htmx(request) else "approvals/item_workflow.html"
    )
    return render(request, template, context, status=status)


def _after_item_action(request: AccountRequest, item: Any, note: str) -> HttpResponse:
    messages.success(request, note)
    if is_htmx(request):
        return render_workflow(request, item)
    account = request.account
    return redirect(selectors.item_url(account, kind_of(item).erp_part.object_type, item.pk))


def _visible_record(view: PolicyView, object_type: str, record_id: int) -> Model:
    """The record a button acts on: 404 if the user may not see it (nor its kind)."""
    try:
        model = by_object_type(object_type).model
    except LookupError:
        raise Http404("No such kind of item.") from None
    visible = restrict(model._default_manager.all(), view.request.user, view.account)
    return get_object_or_404(visible, pk=record_id)


class SendView(PolicyView):
    """*Send to ERP* / *Re-send to ERP*: the service checks the right and the ERP's rules."""

    policy_action = Action.SEND_ITEMS  # on the record (a record the user cannot see is a 404)

    def policy_target(self) -> Model:
        self.item = _visible_record(self, self.kwargs["item_type"], self.kwargs["item_id"])
        return self.item

    def check_policy(self, action: Action | None, target: Model | type[Model] | None) -> None:
        if not (isinstance(target, Model) and may_send(self.request.user, self.account, target)):
            super().check_policy(action, target)

    def post(self, request: AccountRequest, **kwargs: Any) -> HttpResponse:
        item = self.item
        try:
            sent = export_send_outcome(item=item, actor=request.user)
        except SendRefused as exc:
            return render_workflow(request, item, problems=problem_rows(exc.problems), status=400)
        except CONFLICTS as exc:
            return render_workflow(request, item, error=exc.message, status=409)
        item.refresh_from_db()
        if sent.request.state == RequestState.ACCEPTED:
            note = f"{item} went straight to the ERP (direct export)."
        else:
            note = f"{item} was sent for accounting acceptance."
        budget = sent.budget_pairs.message if sent.budget_pairs else ""
        return _after_item_action(request, item, f"{note} {budget}".strip())


class RetrieveView(PolicyView):
    """*Retrieve from ERP*: the sender takes the item back before anyone decides."""

    policy_action = Action.SEND_ITEMS  # on the request's record (one not seen is a 404)

    def policy_target(self) -> Model:
        found = get_object_or_404(
            ExportRequest.objects.for_account(self.account), pk=self.kwargs["pk"]
        )
        self.item = _visible_record(self, found.item_type, found.item_id)
        return self.item

    def post(self, request: AccountRequest, pk: int, **kwargs: Any) -> HttpResponse:
        item = self.item
        try:
            export_retrieve(account=self.account, request_id=pk, actor=request.user)
        except CONFLICTS as exc:
            return render_workflow(request, item, error=exc.message, status=409)
        item.refresh_from_db()
        return _after_item_action(request, item, f"{item} was retrieved; you can edit it again.")

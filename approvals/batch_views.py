"""The progress of an export batch (:mod:`approvals.batches`) on the queue page, and the small
endpoint its panel polls until every request of the batch has been exported or has failed.

Polling costs one aggregate query over the batch (besides the account and the user's rights,
as on any page), whatever its size. Whoever may open the queues may watch a batch of the
account; a token of another account, or a forged one, is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from approvals import batches
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.models import Account
from tenancy.web import AccountRequest


def batch_url(account: Account, token: str) -> str:
    return reverse("export-batch", kwargs={"account": account.slug, "token": token})


def panel_context(account: Account, token: str) -> dict[str, Any] | None:
    """What the panel shows of the batch ``token`` names (``None``: no such batch here)."""
    progress = batches.progress(account, token)
    if progress is None:
        return None
    failed_url = reverse("export-failed", kwargs={"account": account.slug})
    return {
        "progress": progress,
        "batch_url": batch_url(account, token),
        "failed_url": f"{failed_url}?{urlencode({'batch': token})}",
    }


class ExportBatchView(PolicyView):
    """The panel (htmx), or, without JavaScript, a page with the panel and a *Refresh* link."""

    policy_action = Action.VIEW_ERP_TOOL  # as for the queues the batch came from

    def get(self, request: AccountRequest, token: str, **kwargs: Any) -> HttpResponse:
        context = panel_context(self.account, token)
        if context is None:
            raise Http404("No such export batch in this account.")
        if getattr(request, "htmx", False):
            # The panel alone: no context processors (the nav's counts), just the batch's.
            response = HttpResponse(render_to_string("approvals/_batch.html", context))
        else:
            page = {**context, "active_tab": "ready-to-export"}
            response = render(request, "approvals/batch.html", page)
        patch_vary_headers(response, ("HX-Request",))
        return response

"""A member's own notification settings: ``/a/<account>/me/notifications/``.

Every member may open it, for themselves only: the ERP Integrations Daily Summary on or off
(the membership's ``subscribe_erp_digest``, the privilege the Directory also shows). The digest
goes only to accounting approvers; the page says so to a member who is not one. A change is
audited (``notification_settings_changed`` on the membership) in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from audit.services import Change, audit_rows
from integrations.reports.builtin import accountants
from permissions.web import PolicyView
from tenancy.models import Membership
from tenancy.web import AccountRequest

VERB = "notification_settings_changed"
DIGEST_LABEL = str(Membership._meta.get_field("subscribe_erp_digest").verbose_name)


class NotificationSettingsForm(forms.Form):
    subscribe_erp_digest = forms.BooleanField(
        label="Email me the ERP Integrations Daily Summary",
        required=False,
        help_text="Each morning: the items waiting for your decision, oldest first.",
    )


def set_digest(*, actor: Any, membership: Membership, subscribe: bool) -> bool:
    """Turn the member's digest on or off; return whether it changed (then audited)."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.subscribe_erp_digest == subscribe:
            return False
        before = locked.subscribe_erp_digest
        locked.subscribe_erp_digest = subscribe
        locked.save(update_fields=["subscribe_erp_digest"])
        yes_no = ("No", "Yes")
        change = Change(
            locked.account_id,
            "membership",
            locked.pk,
            VERB,
            data={
                "member": locked.user.get_username(),
                "changed": {DIGEST_LABEL: [yes_no[before], yes_no[subscribe]]},
            },
        )
        audit_rows(actor, [change])
    membership.subscribe_erp_digest = subscribe
    return True


class NotificationSettingsView(PolicyView):
    """Any member, for themselves (a user without a membership here gets a 404)."""

    policy_action = None

    def membership(self) -> Membership:
        return get_object_or_404(
            Membership.objects.select_related("user"),
            account=self.account,
            user_id=self.request.user.pk,
            is_active=True,
        )

    def render_page(
        self, membership: Membership, form: NotificationSettingsForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "membership": membership,
            "is_approver": accountants(self.account).filter(pk=membership.pk).exists(),
        }
        return render(self.request, "approvals/notification_settings.html", context, status=status)

    def get(self, request: AccountRequest, **kwargs: Any) -> HttpResponse:
        membership = self.membership()
        initial = {"subscribe_erp_digest": membership.subscribe_erp_digest}
        return self.render_page(membership, NotificationSettingsForm(initial=initial))

    def post(self, request: AccountRequest, **kwargs: Any) -> HttpResponse:
        membership = self.membership()
        form = NotificationSettingsForm(request.POST)
        if not form.is_valid():
            return self.render_page(membership, form, status=400)
        subscribe = bool(form.cleaned_data["subscribe_erp_digest"])
        if set_digest(actor=request.user, membership=membership, subscribe=subscribe):
            state = "on" if subscribe else "off"
            messages.success(request, f"The ERP Integrations Daily Summary is {state}.")
        else:
            messages.info(request, "Nothing changed.")
        # The page again, not a redirect: saving the same choice twice changes nothing.
        return self.render_page(membership, NotificationSettingsForm(initial=form.cleaned_data))

"""The account a web request works in: taken from the URL, checked against the user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views import View

from tenancy.models import Account
from tenancy.selectors import accounts_for


class AccountRequest(HttpRequest):
    """A request inside an account's pages (``/a/<slug>/...``): its ``account`` is resolved
    and the user is a member of it."""

    account: Account


class AccountView(LoginRequiredMixin, View):
    """A page of an account: the account comes from the URL, and one the user is not in is a
    404. Views of the account's pages subclass this (or :class:`permissions.views.PolicyView`)."""

    account: Account
    request: AccountRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            # The user's accounts, read once: the account of the URL, and the layout's switcher.
            accounts = list(accounts_for(request.user))
            request.user_accounts = accounts  # type: ignore[attr-defined]
            found = next((a for a in accounts if a.slug == kwargs["account"]), None)
            if found is None:
                raise Http404("No such account.")
            self.account = found
            request.account = self.account  # type: ignore[attr-defined]  # now an AccountRequest
            self.resolved_account()
        return super().dispatch(request, *args, **kwargs)

    def resolved_account(self) -> None:
        """Called once the account is known, before the view runs (the policy checks here)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from integrations.models import Account
from integrations.selectors import accounts_for


class AccountMixin(LoginRequiredMixin):
    """Resolve the account from the URL; an account the user is not in is a 404."""

    account: Account

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.account = get_object_or_404(accounts_for(request.user), slug=kwargs["account"])
            request.account = self.account  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)

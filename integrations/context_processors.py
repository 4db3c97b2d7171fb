from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """The current account, the user's accounts and the tabs they may open, for the layout."""
    account = getattr(request, "account", None)
    user = request.user
    if not user.is_authenticated:
        return {"current_account": account}
    from integrations.selectors import visible_tabs
    from tenancy.selectors import accounts_for

    return {
        "current_account": account,
        "user_accounts": getattr(request, "user_accounts", None) or accounts_for(user),
        "tabs": visible_tabs(user, account) if account else [],
    }

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """The current account and the user's other accounts, for the navigation bar."""
    account = getattr(request, "account", None)
    user = request.user
    if not user.is_authenticated:
        return {"current_account": account}
    from integrations.selectors import accounts_for

    return {"current_account": account, "user_accounts": accounts_for(user)}

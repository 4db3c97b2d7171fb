"""Which account (tenant) an API request works in.

The account comes from the ``X-Account`` header or the ``?account=`` query parameter (its slug).
Without either, a user who belongs to exactly one account works in that one; a user of several
must say which (400). A slug the user does not belong to is 404, like a record they may not see.
"""

from __future__ import annotations

from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.request import Request

from tenancy.models import Account
from tenancy.selectors import accounts_for

ACCOUNT_HEADER = "X-Account"
ACCOUNT_PARAM = "account"


def requested_slug(request: Request) -> str | None:
    """The account slug the request names, or None; naming two different ones is an error."""
    header = request.headers.get(ACCOUNT_HEADER, "").strip()
    param = str(request.query_params.get(ACCOUNT_PARAM, "")).strip()
    if header and param and header != param:
        raise ParseError(
            f"The {ACCOUNT_HEADER} header ({header!r}) and the '{ACCOUNT_PARAM}' query parameter "
            f"({param!r}) name different accounts; give one."
        )
    return header or param or None


def resolve_account(request: Request) -> Account:
    """The account this request works in (see the module docstring for the rules)."""
    mine = accounts_for(request.user)
    slug = requested_slug(request)
    if slug is not None:
        account = mine.filter(slug=slug).first()
        if account is None:
            raise NotFound(f"No account '{slug}' that you are a member of.")
        return account
    candidates = list(mine[:2])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise PermissionDenied("You are not a member of any account.")
    raise ParseError(
        f"You belong to several accounts: say which one with the {ACCOUNT_HEADER} header or the "
        f"'{ACCOUNT_PARAM}' query parameter (its slug; GET /api/v1/accounts/ lists them)."
    )

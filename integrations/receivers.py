"""What ``integrations`` does when a lower layer announces something it cannot audit itself.

API tokens are revoked in :mod:`tenancy.tokens`, which may not import the audit trail: it sends
``tokens_revoked`` inside the revoking transaction, and the rows are written here, in that
transaction. A token belongs to a user, not to an account, so each account the user is an active
member of gets its row (``token_revoked``, on the ``user``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from audit.services import Change, audit_rows
from tenancy.models import Membership
from tenancy.tokens import tokens_revoked

TOKEN_REVOKED = "token_revoked"  # nosec B105  # an event's name


@receiver(tokens_revoked, dispatch_uid="integrations.audit_token_revocation")
def audit_token_revocation(
    sender: Any, *, user: Any, actor: Any, reason: str, count: int, **kwargs: Any
) -> None:
    accounts = Membership.objects.filter(user_id=user.pk, is_active=True).values_list(
        "account_id", flat=True
    )
    data = {"user": user.get_username(), "tokens": count}
    changes = [
        Change(account_id, "user", user.pk, TOKEN_REVOKED, reason=reason, data=data)
        for account_id in accounts.order_by("account_id")
    ]
    if changes:
        audit_rows(actor, changes)

"""API tokens: how long one lasts, issuing and revoking one, and the authentication that
refuses an expired one.

A user has at most one token (DRF's ``Token``). It lasts ``API_TOKEN_TTL_HOURS`` from when it
was issued; asking for a token again after that issues a new one. Changing the password revokes
it (:mod:`tenancy.receivers`), and so does ``DELETE /api/v1/auth/token/`` (logout) and an admin
deleting it in the admin site.

Every revocation sends :data:`tokens_revoked` inside the revoking transaction; the audit trail
(a layer above this one) receives it and writes its rows in that same transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

EXPIRED = "Token expired: request a new one."

# Why a user's tokens were revoked (the audit row's reason).
REVOKED_BY_OWNER = "revoked by owner"
REVOKED_BY_ADMIN = "revoked by an admin"
PASSWORD_CHANGED = "password changed"  # nosec B105  # a reason's text

# Sent inside the revoking transaction with ``user``, ``actor`` (who revoked them; None: the
# system), ``reason`` and ``count`` (how many tokens), when at least one token was deleted.
tokens_revoked = Signal()


class _Owner:
    """The default ``actor`` of :func:`tokens_revoke`: the user revokes their own tokens."""


OWNER: Any = _Owner()


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + token_lifetime()


def token_is_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


def token_issue(*, user: AbstractBaseUser) -> Token:
    """The user's token: the one they have while it lasts, else a new one."""
    cutoff = timezone.now() - token_lifetime()
    Token.objects.filter(user_id=user.pk, created__lte=cutoff).delete()
    token, _ = Token.objects.get_or_create(user_id=user.pk)
    return token


def tokens_revoke(
    *, user: AbstractBaseUser, actor: Any = OWNER, reason: str = REVOKED_BY_OWNER
) -> int:
    """Delete the user's tokens (``actor`` revoking them, by default the user) and announce it
    (:data:`tokens_revoked`) in the same transaction; how many there were."""
    by = user if actor is OWNER else actor
    with transaction.atomic():
        deleted, _ = Token.objects.filter(user_id=user.pk).delete()
        if deleted:
            tokens_revoked.send(Token, user=user, actor=by, reason=reason, count=deleted)
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (401) a token older than its lifetime."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise AuthenticationFailed(EXPIRED)
        return user, token

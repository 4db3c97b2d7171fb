"""API tokens: how long one lasts, issuing and revoking one, and the authentication that
refuses an expired one.

A user has at most one token (DRF's ``Token``). It lasts ``API_TOKEN_TTL_HOURS`` from when it
was issued; asking for a token again after that issues a new one. Changing the password revokes
it (:mod:`tenancy.receivers`), and so does ``DELETE /api/v1/auth/token/`` (logout).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

EXPIRED = "Token expired: request a new one."


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


def tokens_revoke(*, user: AbstractBaseUser) -> int:
    """Delete the user's tokens; how many there were."""
    deleted, _ = Token.objects.filter(user_id=user.pk).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (401) a token older than its lifetime."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise AuthenticationFailed(EXPIRED)
        return user, token

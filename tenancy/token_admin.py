"""The Django admin's token list, showing a token's last characters, never the whole key.

DRF's own admin for ``TokenProxy`` lists full keys: anyone allowed to view tokens could use
another user's. Superusers (and staff given the token permissions) revoke a user's token there,
through :func:`tenancy.tokens.tokens_revoke` (so the revocation is audited).
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import Token, TokenProxy

from tenancy.tokens import REVOKED_BY_ADMIN, token_expires_at, tokens_revoke


def key_ending(token: Token) -> str:
    return f"…{token.key[-4:]}"


class MaskedTokenAdmin(TokenAdmin):
    list_display = ("key_ending", "user", "created", "expires")

    @admin.display(description="Token")
    def key_ending(self, token: Token) -> str:
        return key_ending(token)

    @admin.display(description="Expires")
    def expires(self, token: Token) -> datetime.datetime:
        return token_expires_at(token)

    def delete_model(self, request: HttpRequest, obj: Token) -> None:
        # The admin's only way to delete a token (DRF's token admin has no bulk actions).
        tokens_revoke(user=obj.user, actor=request.user, reason=REVOKED_BY_ADMIN)


def register() -> None:
    """Replace DRF's registration (made when the admin discovered it)."""
    if admin.site.is_registered(TokenProxy):
        admin.site.unregister(TokenProxy)
    admin.site.register(TokenProxy, MaskedTokenAdmin)

"""The Django admin's token list, showing a token's last characters, never the whole key.

DRF's own admin for ``TokenProxy`` lists full keys: anyone allowed to view tokens could use
another user's. Superusers (and staff given the token permissions) revoke a user's token there.
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import Token, TokenProxy

from tenancy.tokens import token_expires_at


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


def register() -> None:
    """Replace DRF's registration (made when the admin discovered it)."""
    if admin.site.is_registered(TokenProxy):
        admin.site.unregister(TokenProxy)
    admin.site.register(TokenProxy, MaskedTokenAdmin)

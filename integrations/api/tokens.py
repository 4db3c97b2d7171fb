"""``GET /api/v1/auth/tokens/``: the caller's own API token, described (when it was issued and
when it expires, its last four characters), never its key."""

from __future__ import annotations

import datetime
from typing import cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated

from integrations.api.schema import with_errors
from tenancy.token_admin import key_ending
from tenancy.tokens import token_expires_at, token_is_expired


class TokenSummarySerializer(serializers.ModelSerializer[Token]):
    key_ending = serializers.SerializerMethodField(help_text="The key's last four characters.")
    expires = serializers.SerializerMethodField()
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Token
        fields = ("key_ending", "created", "expires", "expired")

    def get_key_ending(self, token: Token) -> str:
        return key_ending(token)

    def get_expires(self, token: Token) -> datetime.datetime:
        return token_expires_at(token)

    def get_expired(self, token: Token) -> bool:
        return token_is_expired(token)


@extend_schema(
    tags=["auth"],
    responses=with_errors({200: TokenSummarySerializer(many=True)}, 400, 401, 404),
)
class TokenListView(generics.ListAPIView[Token]):
    """Your API token: when it was issued, when it expires, and its last four characters.

    Revoke it with `DELETE /api/v1/auth/token/`; changing your password revokes it too.
    """

    serializer_class = TokenSummarySerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Token]:
        if getattr(self, "swagger_fake_view", False):
            return Token.objects.none()
        user = cast(AbstractBaseUser, self.request.user)  # IsAuthenticated
        return Token.objects.filter(user_id=user.pk).order_by("created")

"""``GET/PATCH /api/v1/settings/``: the account's advanced settings (the matrix row *Configure
Advanced Settings*), the same switches as the Settings page, changed through the same service.
Turning a direct export on or off also takes *Toggle Direct Exports*."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.api.cost_codes import ERRORS
from integrations.api.fields import api_errors
from integrations.api.schema import AccountScopedSchema
from integrations.services import SETTINGS_FIELDS, account_settings_update
from permissions.drf import PolicyPermission
from permissions.policy import Action
from tenancy.api import resolve_account
from tenancy.models import Account


class AccountSettingsSerializer(serializers.ModelSerializer[Account]):
    class Meta:
        model = Account
        fields = ("slug", "name", *SETTINGS_FIELDS)
        read_only_fields = ("slug",)


@extend_schema(tags=["settings"])
class AccountSettingsView(APIView):
    permission_classes = [PolicyPermission]
    schema = AccountScopedSchema()
    policy_action = Action.CONFIGURE_ADVANCED_SETTINGS

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)

    @extend_schema(
        summary="The account's advanced settings",
        responses={200: AccountSettingsSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(AccountSettingsSerializer(self.account).data)

    @extend_schema(
        summary="Change some of the account's advanced settings",
        description="Only the fields sent change; a refused field changes nothing.",
        request=AccountSettingsSerializer,
        responses={200: AccountSettingsSerializer, **ERRORS},
    )
    def patch(self, request: Request) -> Response:
        serializer = AccountSettingsSerializer(self.account, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes: dict[str, Any] = dict(serializer.validated_data)
        with api_errors():
            account = account_settings_update(
                actor=request.user, account=self.account, changes=changes
            )
        return Response(AccountSettingsSerializer(account).data)

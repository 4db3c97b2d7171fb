"""The API's collections: one viewset per kind of record with an API part, all scoped to the
request's account (:mod:`.tenancy`), and the account list and token endpoint."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.viewsets import ReadOnlyModelViewSet

from integrations.api import serializers as s
from integrations.api.filters import StableOrderingFilter, filterset_for
from integrations.api.schema import field_errors, with_errors
from integrations.api.serializers import serializer_for
from integrations.api.tenancy import AccountScopedViewSet, RecordReadViewSet, RecordWriteViewSet
from integrations.api.unlinking import unlink_actions
from integrations.kinds import Kind
from integrations.models import ErpLinkedModel
from integrations.paging import KeyedPagination
from tenancy.models import Account
from tenancy.selectors import accounts_for
from tenancy.tokens import token_issue, tokens_revoke

ERP_ORDERING = ("erp_state", "erp_synced_at", "created_at", "updated_at")


@extend_schema(tags=["auth"])
class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token; revoke yours (logout).

    Send it as `Authorization: Token <token>`. The same token is returned on every call while it
    lasts (`API_TOKEN_TTL_HOURS`); once it has expired, a new one. Changing your password
    revokes it.
    """

    parser_classes = APIView.parser_classes  # the API's (ObtainAuthToken sets its own)
    throttle_classes = APIView.throttle_classes  # the API's (ObtainAuthToken sets none)
    throttle_scope = "auth"  # counted by the trusted client address (DEFAULT_THROTTLE_CLASSES)

    def get_permissions(self) -> list[BasePermission]:
        # Anyone may ask for a token; only its holder revokes it.
        return [IsAuthenticated() if self.request.method == "DELETE" else AllowAny()]

    @extend_schema(
        responses=with_errors(
            {
                200: AuthTokenSerializer,
                400: field_errors("TokenRequestErrors", "username", "password"),
            },
            401,
            403,
            429,
        )
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marked this (DRF) request locked out; its middleware, which answers
            # 429, reads the Django request.
            if getattr(request, "axes_locked_out", False):
                request._request.axes_locked_out = True  # type: ignore[attr-defined]
            # Answered, not raised: DRF's exception handler would roll back the request's
            # transaction (ATOMIC_REQUESTS), and with it the lockout's count of this attempt.
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(request=None, responses=with_errors({204: None}, 400, 401, 403, 429))
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revoke your token: requests sending it are refused from now on."""
        tokens_revoke(user=cast(AbstractBaseUser, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["accounts"])
@extend_schema_view(
    list=extend_schema(responses=with_errors({200: s.AccountSerializer(many=True)}, 400, 401, 404)),
    retrieve=extend_schema(responses=with_errors({200: s.AccountSerializer}, 400, 401, 404)),
)
class AccountViewSet(ReadOnlyModelViewSet[Account]):
    """The accounts you belong to. Send one's slug as `X-Account` (or `?account=`)."""

    queryset = Account.objects.all()
    serializer_class = s.AccountSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "slug"
    filter_backends = [SearchFilter, StableOrderingFilter]
    search_fields = ("name", "slug")
    ordering_fields = ("name", "slug")

    def get_queryset(self) -> QuerySet[Account]:
        if getattr(self, "swagger_fake_view", False):
            return Account.objects.none()
        return accounts_for(self.request.user)


class UpdateAsTheKindAllows(mixins.UpdateModelMixin):
    """An update refused (400, with the reason) while the account does not let its records of
    the kind be edited (:meth:`Kind.edit_refusal`)."""

    kind: Kind
    account: Account

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refusal = self.kind.edit_refusal(self.account)
        if refusal is not None:
            self.get_object()  # type: ignore[attr-defined]  # a record one may not edit: 403/404
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [refusal]})
        return super().update(request, *args, **kwargs)


class EditableRecordViewSet(UpdateAsTheKindAllows, RecordWriteViewSet[Any]):
    """List, retrieve, create and update."""


class ErpRecordViewSet(UpdateAsTheKindAllows, RecordReadViewSet[Any]):
    """List, retrieve and update records only the ERP creates (no POST to the collection)."""

    http_method_names = RecordWriteViewSet.http_method_names


def _base(kind: Kind) -> type[AccountScopedViewSet[Any]]:
    assert kind.api is not None
    if not kind.api.writable:
        return RecordReadViewSet
    return EditableRecordViewSet if kind.creatable else ErpRecordViewSet


def viewset_for(kind: Kind) -> type[AccountScopedViewSet[Any]]:
    """The kind's collection: list and retrieve, create and update where it is writable (and
    the kind allows them), and unlink (and a PCCO's reset) where the kind is unlinked from the
    ERP. Its queryset loads what the serializer shows in a constant number of queries (lines
    are prefetched; the parents a record's project is read through are joined)."""
    api = kind.api
    assert api is not None, f"{kind.key} has no API"
    queryset = kind.model._default_manager.all()
    if api.select_related:
        queryset = queryset.select_related(*api.select_related)
    if api.prefetch_related:
        queryset = queryset.prefetch_related(*api.prefetch_related)
    erp = ERP_ORDERING if issubclass(kind.model, ErpLinkedModel) else ()
    attrs = {
        "kind": kind,
        "__doc__": api.description,
        "__module__": __name__,
        "queryset": queryset,
        "serializer_class": serializer_for(kind),
        "filterset_class": filterset_for(kind),
        "pagination_class": KeyedPagination,
        "search_fields": api.search,
        "ordering_fields": (*api.ordering, *erp),
        "ordering": kind.list_ordering,  # as the web list's, unless asked otherwise
        **unlink_actions(kind),
    }
    return type(f"{kind.model.__name__}ViewSet", (_base(kind),), attrs)

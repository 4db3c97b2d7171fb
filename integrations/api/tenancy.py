"""Which account (tenant) an API request works in, and the base viewsets that use it.

The account comes from the ``X-Account`` header or the ``?account=`` query parameter (its slug).
Without either, a user who belongs to exactly one account works in that one; a user of several
must say which (400). A slug the user does not belong to is 404, like a record they may not see.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.filters import SearchFilter
from rest_framework.request import Request
from rest_framework.viewsets import GenericViewSet

from integrations.api.filters import StableOrderingFilter
from integrations.api.schema import ACCOUNT_HEADER, ACCOUNT_PARAM, AccountScopedSchema
from integrations.models import Account
from integrations.selectors import accounts_for
from permissions.access import restrict
from permissions.drf import PolicyPermission

M = TypeVar("M", bound=Model)


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


class AccountScopedViewSet(GenericViewSet[M]):
    """A viewset whose records belong to the request's account and are narrowed to what the
    user may see, so a record of another account, or one hidden by permission, is a 404."""

    permission_classes = [PolicyPermission]
    filter_backends = [DjangoFilterBackend, SearchFilter, StableOrderingFilter]
    schema = AccountScopedSchema()

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)

    def get_queryset(self) -> QuerySet[M]:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real request
            return queryset.none()
        return restrict(queryset, self.request.user, self.account)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["account"] = self.account
        return context


class RecordReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccountScopedViewSet[M]):
    """List and retrieve."""


class RecordWriteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AccountScopedViewSet[M],
):
    """List, retrieve, create (POST) and partial update (PATCH). No PUT: nested lines are
    replaced by what a PATCH sends, so a separate full-replace verb adds nothing."""

    http_method_names = ["get", "post", "patch", "head", "options"]

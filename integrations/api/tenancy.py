"""The base viewsets of the records' collections: scoped to the request's account (see
:mod:`tenancy.api`) and narrowed to what the user may see."""

from __future__ import annotations

from functools import cached_property
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins
from rest_framework.viewsets import GenericViewSet

from integrations.api.filters import IndexedSearchFilter, StableOrderingFilter
from integrations.api.schema import AccountScopedSchema
from permissions.access import restrict
from permissions.drf import PolicyPermission
from tenancy.api import resolve_account
from tenancy.models import Account

M = TypeVar("M", bound=Model)


class AccountScopedViewSet(GenericViewSet[M]):
    """A viewset whose records belong to the request's account and are narrowed to what the
    user may see, so a record of another account, or one hidden by permission, is a 404."""

    permission_classes = [PolicyPermission]
    filter_backends = [DjangoFilterBackend, IndexedSearchFilter, StableOrderingFilter]
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

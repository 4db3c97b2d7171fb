"""Cost code actions of the API, one view each (the services in :mod:`integrations.cost_codes`
decide):

- ``POST /api/v1/projects/{id}/refresh-cost-codes/``: add the ERP list's new codes to the
  project; answers how many were added;
- ``GET/PUT /api/v1/standard-cost-codes/{id}/default-cost-types/``: the cost types a standard
  code starts with (read by those on the ERP tool, replaced by those the matrix allows).

A record the user may not see is a 404, an action they may not take a 403, a refusal of the
service a 400 by field, as everywhere in the API.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from integrations import cost_codes
from integrations.api.fields import IdField, api_errors
from integrations.api.schema import AccountScopedSchema
from integrations.models import Project, StandardCostCode
from permissions.access import can, require, restrict
from permissions.drf import PolicyPermission
from permissions.policy import Action
from tenancy.api import resolve_account
from tenancy.models import Account

M = TypeVar("M", bound=Model)


class RefreshedSerializer(serializers.Serializer[Any]):
    added = serializers.IntegerField(
        read_only=True, help_text="How many cost codes of the ERP list were added (0: none new)."
    )


class DefaultCostTypesSerializer(serializers.Serializer[Any]):
    standard_code = serializers.IntegerField(read_only=True, source="pk")
    full_code = serializers.CharField(read_only=True)
    default_cost_types = serializers.ListField(
        child=IdField(),
        allow_empty=True,
        help_text="Ids of the cost types the code starts with; a PUT replaces them all.",
    )


ERRORS: dict[int | str, Any] = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Refused, with the reasons by field."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="You may not do this."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such record you may see."),
}


class AccountRecordView(GenericAPIView[M]):
    """One record of the request's account, narrowed by :meth:`visible`; the object check
    asks ``policy_action`` on it (a 403 if the user may see it, else a 404)."""

    permission_classes = [PolicyPermission]
    schema = AccountScopedSchema()
    policy_action: Action

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)

    def get_queryset(self) -> QuerySet[M]:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real request
            return queryset.none()
        return self.visible(queryset.filter(account=self.account))

    def visible(self, queryset: QuerySet[M]) -> QuerySet[M]:
        return restrict(queryset, self.request.user, self.account)


@extend_schema(tags=["cost codes"])
class ProjectRefreshCostCodesView(AccountRecordView[Project]):
    queryset = Project.objects.select_related("cost_code_list")
    policy_action = Action.REFRESH_PROJECT_COST_CODES

    @extend_schema(
        summary="Refresh the project's cost codes from the ERP standard cost code list",
        description=(
            "Adds every active code of the ERP list that the project does not use yet "
            "(divisions excepted). Refused (400) for a project that does not use the ERP's list."
        ),
        request=None,
        responses={200: RefreshedSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        project = self.get_object()
        with api_errors():
            added = cost_codes.project_cost_codes_refresh(
                actor=request.user, account=self.account, project=project
            )
        return Response(RefreshedSerializer({"added": added}).data)


@extend_schema(tags=["cost codes"])
class DefaultCostTypesView(AccountRecordView[StandardCostCode]):
    """Part of the ERP tool: whoever may open it sees the defaults; the matrix row *Assign
    Default Cost Types To ERP Standard Cost Codes* changes them (asked by the service)."""

    queryset = StandardCostCode.objects.all()
    serializer_class = DefaultCostTypesSerializer
    policy_action = Action.VIEW_ERP_TOOL

    def visible(self, queryset: QuerySet[StandardCostCode]) -> QuerySet[StandardCostCode]:
        if can(self.request.user, Action.VIEW_ERP_TOOL, self.account):
            return queryset
        return queryset.none()

    def shown(self, code: StandardCostCode) -> Response:
        types = cost_codes.assignments_of([code.pk])[code.pk]
        data = {"pk": code.pk, "full_code": code.full_code, "default_cost_types": sorted(types)}
        return Response(DefaultCostTypesSerializer(data).data)

    @extend_schema(
        summary="The default cost types of a standard cost code",
        responses={200: DefaultCostTypesSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.shown(self.get_object())

    @extend_schema(
        summary="Replace the default cost types of a standard cost code",
        request=DefaultCostTypesSerializer,
        responses={200: DefaultCostTypesSerializer, **ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        code = self.get_object()
        require(request.user, Action.ASSIGN_DEFAULT_COST_TYPES, self.account)  # 403 before 400
        body = DefaultCostTypesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with api_errors():
            cost_codes.default_cost_types_assign(
                actor=request.user,
                account=self.account,
                assignments={code.pk: body.validated_data["default_cost_types"]},
            )
        return self.shown(code)

"""OpenAPI schema details: the account parameters, the errors each route answers, and one named
enum per choice set.

Several models have a ``status`` (or ``kind``) with different choices, which drf-spectacular can
only name by hash ("Status1a9Enum") and warns about. The API's choice fields are
:class:`EnumChoiceField`, whose schema is the component named after its choice set here.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from integrations import models as m
from tenancy.api import ACCOUNT_HEADER, ACCOUNT_PARAM

CHOICE_SETS: dict[str, type[models.Choices]] = {
    "AccountingMethodEnum": m.PrimeContract.AccountingMethod,
    "ChangeOrderStatusEnum": m.ChangeOrderStatus,
    "CommitmentKindEnum": m.Commitment.Kind,
    "ContractStatusEnum": m.ContractStatus,
    "CostKindEnum": m.CostKind,
    "DirectCostStatusEnum": m.DirectCost.Status,
    "ErpStateEnum": m.ErpState,
    "InvoiceStatusEnum": m.InvoiceStatus,
    "PaymentStatusEnum": m.Payment.Status,
    "ProjectStageEnum": m.Project.Stage,
    "VendorTypeEnum": m.Company.VendorType,
}
_NAMES = {tuple(choices.values): name for name, choices in CHOICE_SETS.items()}

ACCOUNT_PARAMETERS = [
    OpenApiParameter(
        ACCOUNT_HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="Slug of the account to work in. Needed if you belong to several.",
    ),
    OpenApiParameter(
        ACCOUNT_PARAM,
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description=f"Slug of the account to work in (instead of the {ACCOUNT_HEADER} header).",
    ),
]


# What any account-scoped operation may answer besides its own success, whatever it declares.
ERROR_RESPONSES = {
    "400": "Errors by field (`{field: [...]}`), or why the request cannot be taken (`detail`).",
    "401": "No valid token: missing, unknown or expired.",
    "403": "You may not do this.",
    "404": "No such record in this account, or no account of yours by that slug.",
}


# The errors of the routes outside any account (the token, the account list), each documented
# where it applies: ``with_errors({200: Serializer}, 401, 404)``.
OUTSIDE_ACCOUNT_ERRORS: dict[int, str] = {
    400: "A request that cannot be read (`detail`), e.g. a parameter holding a NUL character.",
    401: "No valid token: missing, unknown or expired.",
    403: "A browser session's request without its CSRF token.",
    404: "Not found: no account of yours by that slug, or no such page of the list.",
    429: (
        "Too many attempts from your address, or this login is locked out after too many "
        "wrong passwords: wait, then try again."
    ),
}
FIELD_ERRORS = "Errors by field (`{field: [...]}`), or why the request cannot be taken (`detail`)."


def field_errors(name: str, *fields: str) -> OpenApiResponse:
    """A 400 answer listing the errors of ``fields`` (and of the request as a whole)."""
    messages = {
        field: serializers.ListField(child=serializers.CharField(), required=False)
        for field in (*fields, "non_field_errors")
    }
    shape = inline_serializer(
        name, fields={**messages, "detail": serializers.CharField(required=False)}
    )
    return OpenApiResponse(shape, description=FIELD_ERRORS)


def with_errors(success: dict[int, Any], *codes: int) -> dict[int, Any]:
    """``success`` and the error answers ``codes`` (an object: ``detail``), each in words."""
    errors = {
        code: OpenApiResponse(OpenApiTypes.OBJECT, description=OUTSIDE_ACCOUNT_ERRORS[code])
        for code in codes
    }
    return {**success, **errors}


class AccountScopedSchema(AutoSchema):
    """Documents the account header and parameter on every account-scoped operation, and the
    errors every one of them may answer."""

    def get_override_parameters(self) -> list[Any]:
        return [*super().get_override_parameters(), *ACCOUNT_PARAMETERS]

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, description in ERROR_RESPONSES.items():
            if code not in responses:
                error = OpenApiResponse(OpenApiTypes.OBJECT, description=description)
                responses[code] = self._get_response_for_code(error, code, None, direction)
        return responses


class EnumChoiceField(serializers.ChoiceField):
    """A choice field documented as the named enum of its choice set."""


def enum_name(field: serializers.ChoiceField) -> str | None:
    if field.allow_blank or field.allow_null:
        return None
    return _NAMES.get(tuple(field.choices))


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField

    def get_name(self) -> str | None:
        return enum_name(self.target)

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> Any:
        field = self.target
        if enum_name(field) is None:
            return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        return {
            "type": "string",
            "enum": list(field.choices),
            "description": build_choice_description_list(field.choices.items()),
        }

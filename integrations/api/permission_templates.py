"""``/api/v1/permission-templates/``: the account's permission templates (a named level per
tool, for the whole company or for a project), read and changed by Directory Admins only,
through the services of :mod:`permissions.templates` (which audit every change).

Levels are said by name (``none``, ``read_only``, ``standard``, ``admin``) in an object keyed by
tool. A template's scope is fixed once it is made. A template someone holds cannot be deleted
(409, saying how many hold it). A template of another account is a 404, bad input a 400 by
field, a member who is not a Directory Admin a 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import (
    QuerySet,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework.viewsets import ModelViewSet

from integrations.api.fields import api_errors
from integrations.api.schema import AccountScopedSchema
from permissions.access import can, describe
from permissions.grants import TemplateInfo
from permissions.levels import COMPANY_ONLY_TOOLS, Level, Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.policy import Action
from permissions.templates import (
    TemplateData,
    data_of,
    holder_count,
    template_create,
    template_delete,
    template_update,
    with_holders,
)
from tenancy.api import resolve_account
from tenancy.models import Account

ACTION = Action.MANAGE_DIRECTORY

# --- Levels by name ------------------------------------------------------------------------------

LEVEL_NAMES: dict[str, Level] = {level.name.lower(): level for level in Level}
TOOL_NAMES = ", ".join(Tool.values)
LEVEL_WORDS = ", ".join(LEVEL_NAMES)


def level_name(level: Level | int) -> str:
    return Level(level).name.lower()


class LevelChoiceField(serializers.ChoiceField):
    """A level by name (``read_only``), read back as a :class:`Level`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", f"A level: {LEVEL_WORDS}.")
        super().__init__(choices=[(n, lvl.label) for n, lvl in LEVEL_NAMES.items()], **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return LEVEL_NAMES[super().to_internal_value(data)]

    def to_representation(self, value: Any) -> str:
        return level_name(value)


LEVELS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {tool: {"type": "string", "enum": list(LEVEL_NAMES)} for tool in Tool.values},
    "additionalProperties": False,
}


@extend_schema_field(
    {
        **LEVELS_SCHEMA,
        "description": f"Levels by tool value, each one of {LEVEL_WORDS}.",
    }
)
class ToolLevelsField(serializers.Field):
    """``{tool: level name}``, read as ``{Tool: Level}``. An unknown tool or level is refused,
    naming it and the choices."""

    def to_internal_value(self, data: Any) -> dict[Tool, Level]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                'Give an object of levels by tool, e.g. {"budget": "standard"}.'
            )
        errors: list[str] = []
        levels: dict[Tool, Level] = {}
        for tool, level in data.items():
            if tool not in Tool.values:
                errors.append(f"{str(tool)[:40]!r} is not a tool: one of {TOOL_NAMES}.")
                continue
            if not isinstance(level, str) or level not in LEVEL_NAMES:
                errors.append(f"{tool}: {str(level)[:40]!r} is not a level: one of {LEVEL_WORDS}.")
                continue
            levels[Tool(tool)] = LEVEL_NAMES[level]
        if errors:
            raise serializers.ValidationError(errors)
        return levels

    def to_representation(self, value: Any) -> dict[str, str]:
        return {Tool(tool).value: level_name(int(level)) for tool, level in value.items()}


class TemplateRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


def ref(template: TemplateInfo | None) -> dict[str, Any] | None:
    return {"id": template.pk, "name": template.name} if template is not None else None


def company_templates(account: Account) -> dict[int, dict[str, Any]]:
    """Each member's company template in ``account``, by user id (one query)."""
    rows = (
        get_user_model()
        .groups.through.objects.filter(group__permission_template__account=account)
        .values_list(
            "user_id", "group__permission_template__pk", "group__permission_template__name"
        )
    )
    return {user_id: {"id": pk, "name": name} for user_id, pk, name in rows}


# --- Templates -----------------------------------------------------------------------------------


class MayManageDirectory(BasePermission):
    """Signed in, a member of the request's account (else 404), a Directory Admin (else 403)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        account = view.account  # type: ignore[attr-defined]  # a bad account: 400/404 here
        if not can(request.user, ACTION, account):
            raise exceptions.PermissionDenied(f"You do not have permission to {describe(ACTION)}.")
        return True


@contextmanager
def refusals() -> Iterator[None]:
    """A service's ``PermissionDenied`` said as a 403 with its message (DRF would drop it)."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with what is stored."
    default_code = "conflict"


@extend_schema_field(
    {
        **LEVELS_SCHEMA,
        "description": (
            "Levels by tool value, each one of "
            f"{LEVEL_WORDS}. A tool not named is none; a write replaces them all. Reads name "
            "every tool of the template's scope (a project template has no company-only tool)."
        ),
    }
)
class TemplateLevelsField(ToolLevelsField):
    """A template's levels: every tool of its scope on reads (``none`` where unnamed)."""

    def get_attribute(self, instance: PermissionTemplate) -> Any:
        return instance

    def to_representation(self, value: Any) -> dict[str, str]:
        template: PermissionTemplate = value
        company = template.scope == TemplateScope.COMPANY
        tools = [t for t in Tool if company or t not in COMPANY_ONLY_TOOLS]
        return {tool.value: level_name(template.level_of(tool)) for tool in tools}


class PermissionTemplateSerializer(serializers.ModelSerializer[PermissionTemplate]):
    scope = serializers.ChoiceField(
        choices=TemplateScope.choices,
        help_text="company: held for the whole account; project: assigned on projects. "
        "Fixed once the template is made.",
    )
    levels = TemplateLevelsField(required=False)
    holders = serializers.SerializerMethodField(
        help_text="How many members hold it (its company members, or members it is assigned "
        "to on at least one project)."
    )

    class Meta:
        model = PermissionTemplate
        fields = (
            "id",
            "name",
            "scope",
            "levels",
            "can_create_project",
            "is_default",
            "holders",
            "updated_at",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = {
            "can_create_project": {
                "help_text": "'Create New Project' for every holder (company templates only)."
            },
            "is_default": {
                "help_text": "The project template that applies on a project where a member has "
                "none (project templates only; one per account: setting it takes it off the "
                "other)."
            },
        }

    def get_validators(self) -> list[Any]:
        return []  # the service checks the name's uniqueness, and says it on the field

    @extend_schema_field(OpenApiTypes.INT)
    def get_holders(self, template: PermissionTemplate) -> int:
        counted = getattr(template, "holders", None)
        return int(counted) if counted is not None else holder_count(template)


def template_data(fields: dict[str, Any], template: PermissionTemplate | None) -> TemplateData:
    """What the template will say: the fields sent over what it says now (or the defaults)."""
    current = data_of(template) if template is not None else None
    levels = fields.get("levels", current.levels if current else {})
    return TemplateData(
        name=fields.get("name", current.name if current else ""),
        scope=TemplateScope(fields.get("scope", current.scope if current else "")),
        levels={tool: level for tool, level in levels.items() if level > Level.NONE},
        can_create_project=fields.get(
            "can_create_project", current.can_create_project if current else False
        ),
        is_default=fields.get("is_default", current.is_default if current else False),
    )


def error_answers(missing: str) -> dict[int | str, Any]:
    """The error answers of a Directory Admins' route; ``missing``: what a 404 says."""
    return {
        400: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="Refused, with the reasons by field (`{field: [...]}`).",
        ),
        403: OpenApiResponse(OpenApiTypes.OBJECT, description="Only Directory Admins may do this."),
        404: OpenApiResponse(OpenApiTypes.OBJECT, description=missing),
    }


ERRORS = error_answers("No such template in this account.")
ONE = {200: PermissionTemplateSerializer, **ERRORS}


@extend_schema(tags=["permission templates"])
@extend_schema_view(
    list=extend_schema(summary="The account's permission templates"),
    retrieve=extend_schema(summary="One permission template", responses=ONE),
    create=extend_schema(
        summary="Add a permission template",
        description="`is_default: true` makes it the default project template (the one that "
        "had the mark loses it).",
        responses={201: PermissionTemplateSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="Change a permission template",
        description="Every holder gets the new levels at once. The scope cannot change.",
        responses=ONE,
    ),
    partial_update=extend_schema(
        summary="Change some fields of a permission template",
        description="Every holder gets the new levels at once. `levels`, if sent, replaces "
        "them all. The scope cannot change.",
        responses=ONE,
    ),
    destroy=extend_schema(
        summary="Delete a permission template no one holds",
        responses={
            204: None,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Someone holds it (`detail` says how many): give them another "
                "template first.",
            ),
            **ERRORS,
        },
    ),
)
class PermissionTemplateViewSet(ModelViewSet[PermissionTemplate]):
    """Permission templates: a named level per tool that members hold instead of tool-by-tool
    grants. For Directory Admins."""

    queryset = PermissionTemplate.objects.none()  # get_queryset: the account's
    serializer_class = PermissionTemplateSerializer
    permission_classes = [MayManageDirectory]
    schema = AccountScopedSchema()
    filter_backends: list[Any] = []

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)

    def get_queryset(self) -> QuerySet[PermissionTemplate]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real request
            return PermissionTemplate.objects.none()
        return with_holders(self.account)

    def perform_create(self, serializer: Any) -> None:
        data = template_data(serializer.validated_data, None)
        with api_errors(), refusals():
            serializer.instance = template_create(
                actor=self.request.user, account=self.account, data=data
            )

    def perform_update(self, serializer: Any) -> None:
        data = template_data(serializer.validated_data, serializer.instance)
        with api_errors(), refusals():
            serializer.instance = template_update(
                actor=self.request.user,
                account=self.account,
                template=serializer.instance,
                data=data,
            )

    def perform_destroy(self, instance: PermissionTemplate) -> None:
        try:
            with refusals():
                template_delete(actor=self.request.user, account=self.account, template=instance)
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc

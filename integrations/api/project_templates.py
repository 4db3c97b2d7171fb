"""``/api/v1/project-templates/``: the account's project templates (how a project added from an
ERP job starts), read and changed by whoever may configure the advanced settings, through the
services of :mod:`integrations.project_templates`. Marking one ``for_imports`` takes the mark
off the others. A template of another account is a 404, bad input a 400 by field."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework.viewsets import ModelViewSet

from integrations import project_templates as templates
from integrations.api.cost_codes import ERRORS
from integrations.api.fields import api_errors
from integrations.api.schema import AccountScopedSchema, EnumChoiceField
from integrations.models import Project, ProjectTemplate
from permissions.access import can, describe
from permissions.policy import Action
from tenancy.api import resolve_account
from tenancy.models import Account

ACTION = Action.CONFIGURE_ADVANCED_SETTINGS


class MayConfigure(BasePermission):
    """Signed in, a member of the request's account, allowed *Configure Advanced Settings*."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        account = view.account  # type: ignore[attr-defined]  # a bad account: 400/404 here
        if not can(request.user, ACTION, account):
            raise exceptions.PermissionDenied(f"You do not have permission to {describe(ACTION)}.")
        return True


class ProjectTemplateSerializer(serializers.ModelSerializer[ProjectTemplate]):
    stage = EnumChoiceField(
        choices=Project.Stage.choices,
        required=False,
        help_text="The stage the project starts in (course_of_construction if not given).",
    )

    class Meta:
        model = ProjectTemplate
        fields = ("id", *templates.FIELDS, "created_at", "updated_at")
        read_only_fields = ("created_at", "updated_at")


ONE = {200: ProjectTemplateSerializer, **ERRORS}


@extend_schema(tags=["project templates"])
@extend_schema_view(
    list=extend_schema(summary="The account's project templates"),
    retrieve=extend_schema(summary="One project template", responses=ONE),
    create=extend_schema(
        summary="Add a project template",
        description="With `for_imports` true it becomes the template for imported jobs (the "
        "one that had the mark loses it).",
        responses={201: ProjectTemplateSerializer, **ERRORS},
    ),
    update=extend_schema(summary="Change a project template", responses=ONE),
    partial_update=extend_schema(
        summary="Change some fields of a project template",
        description="`for_imports: true` makes it the template for imported jobs (the one "
        "that had the mark loses it).",
        responses=ONE,
    ),
    destroy=extend_schema(
        summary="Delete a project template",
        description="The projects it started keep their settings.",
        responses={204: None, **ERRORS},
    ),
)
class ProjectTemplateViewSet(ModelViewSet[ProjectTemplate]):
    queryset = ProjectTemplate.objects.none()  # get_queryset: the account's
    serializer_class = ProjectTemplateSerializer
    permission_classes = [MayConfigure]
    schema = AccountScopedSchema()
    filter_backends: list[Any] = []

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)

    def get_queryset(self) -> QuerySet[ProjectTemplate]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real request
            return ProjectTemplate.objects.none()
        return templates.account_templates(self.account)

    def perform_create(self, serializer: Any) -> None:
        with api_errors():
            serializer.instance = templates.project_template_create(
                actor=self.request.user, account=self.account, fields=serializer.validated_data
            )

    def perform_update(self, serializer: Any) -> None:
        with api_errors():
            serializer.instance = templates.project_template_update(
                actor=self.request.user,
                account=self.account,
                template=serializer.instance,
                fields=serializer.validated_data,
            )

    def perform_destroy(self, instance: ProjectTemplate) -> None:
        templates.project_template_delete(
            actor=self.request.user, account=self.account, template=instance
        )

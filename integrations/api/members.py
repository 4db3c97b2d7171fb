"""``/api/v1/members/``: the account's members, and what each may do, for Directory Admins.

- ``GET /members/``: who is in the account, with their company template;
- ``GET /members/{user_id}/permissions/``: a member's effective permissions, each level with
  where it comes from (the company template, a project template, the default project template,
  an adjustment), on the company and on every project where they have something of their own;
- ``PUT /members/{user_id}/permissions/``: give them templates, adjustments and privileges
  through :func:`permissions.services.member_permissions_set` (which audits the change). A key
  not sent keeps what is stored.

Reading one member costs the same number of queries whatever their number of projects.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from integrations.api.fields import api_errors
from integrations.api.member_writes import (
    MemberPermissionsWriteSerializer,
    PrivilegesSerializer,
    ToolLevelSerializer,
)
from integrations.api.permission_templates import (
    LevelChoiceField,
    MayManageDirectory,
    TemplateRefSerializer,
    ToolLevelsField,
    company_templates,
    error_answers,
    ref,
    refusals,
)
from integrations.api.schema import AccountScopedSchema
from integrations.models import Project
from permissions.grants import Held, MemberGrants, Source, TemplateInfo, load_member
from permissions.levels import Level, Privilege, Tool
from permissions.models import PermissionTemplate
from permissions.services import (
    KEEP,
    Keep,
    ProjectGrant,
    member_permissions_set,
)
from tenancy.api import resolve_account
from tenancy.models import Account, Membership

# --- What is shown -------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer[Membership]):
    id = serializers.IntegerField(source="user_id", help_text="The user's id.")
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name", help_text="Empty if not given.")
    email = serializers.CharField(source="user.email", help_text="Empty if not given.")
    is_active = serializers.BooleanField(help_text="False: the membership is suspended.")
    company_template = serializers.SerializerMethodField()

    @extend_schema_field(TemplateRefSerializer(allow_null=True))
    def get_company_template(self, membership: Membership) -> dict[str, Any] | None:
        return self.context["company_templates"].get(membership.user_id)


class HeldSerializer(serializers.Serializer[Any]):
    tool = serializers.CharField()
    tool_label = serializers.CharField()
    level = LevelChoiceField()
    level_label = serializers.CharField()
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source"
        choices=Source.choices, help_text="Where the level comes from."
    )
    source_label = serializers.CharField()
    template = TemplateRefSerializer(allow_null=True, help_text="The template it comes from.")


class ProjectPermissionsSerializer(serializers.Serializer[Any]):
    project = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    template = TemplateRefSerializer(allow_null=True, help_text="Its project template there.")
    adjustments = ToolLevelSerializer(many=True)
    effective = HeldSerializer(many=True, help_text="Every project tool's level there.")


class MemberPermissionsSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField(help_text="The member's user id.")
    username = serializers.CharField()
    company_template = TemplateRefSerializer(allow_null=True)
    default_project_template = TemplateRefSerializer(
        allow_null=True, help_text="Applies on a project where the member has nothing of theirs."
    )
    adjustments = ToolLevelsField(help_text="Company adjustments: levels replacing the template's.")
    company = HeldSerializer(many=True, help_text="Every tool's company level.")
    privileges = PrivilegesSerializer()
    projects = ProjectPermissionsSerializer(
        many=True, help_text="The projects where the member has a template or adjustments."
    )


def held_rows(held: dict[Tool, Held], templates: dict[Source, TemplateInfo | None]) -> list[Any]:
    return [
        {
            "tool": tool.value,
            "tool_label": tool.label,
            "level": h.level,
            "level_label": h.level.label,
            "source": h.source.value,
            "source_label": h.source.label,
            "template": ref(templates.get(h.source)) if h.template is not None else None,
        }
        for tool, h in held.items()
    ]


def create_project(membership: Membership, grants: MemberGrants) -> dict[str, Any]:
    template = grants.company_template
    if membership.can_create_project:
        source, label, template = "member", "Given to the member", None
    elif template is not None and template.can_create_project:
        source, label = "company_template", "Company template"
    else:
        source, label, template = "nothing", "Not granted", None
    return {
        "allowed": source != "nothing",
        "source": source,
        "source_label": label,
        "template": ref(template),
    }


def effective(membership: Membership, grants: MemberGrants) -> dict[str, Any]:
    """A member's permissions as :class:`MemberPermissionsSerializer` shows them (one query
    for the projects' numbers and names)."""
    company = grants.company_template
    by_source: dict[Source, TemplateInfo | None] = {
        Source.COMPANY_TEMPLATE: company,
        Source.COMPANY_LEVEL: company,
        Source.DEFAULT_PROJECT_TEMPLATE: grants.default_project_template,
    }
    projects = Project.objects.for_account(membership.account).in_bulk(list(grants.projects))
    rows = []
    for project in sorted(projects.values(), key=lambda p: (p.number, p.pk)):
        own = grants.projects[project.pk]
        rows.append(
            {
                "project": project.pk,
                "number": project.number,
                "name": project.name,
                "template": ref(own.template),
                "adjustments": [
                    {"tool": t.value, "level": lvl} for t, lvl in own.adjustments.items()
                ],
                "effective": held_rows(
                    grants.on_project(project.pk),
                    {**by_source, Source.PROJECT_TEMPLATE: own.template},
                ),
            }
        )
    privileges: dict[str, Any] = {p.value: getattr(membership, p.value) for p in Privilege}
    return {
        "user": membership.user_id,
        "username": membership.user.get_username(),
        "company_template": ref(company),
        "default_project_template": ref(grants.default_project_template),
        "adjustments": company_adjustments(grants),
        "company": held_rows(grants.company, by_source),
        "privileges": {**privileges, "create_project": create_project(membership, grants)},
        "projects": rows,
    }


def company_adjustments(grants: MemberGrants) -> dict[Tool, Level]:
    return {t: h.level for t, h in grants.company.items() if h.source == Source.ADJUSTMENT}


# --- The routes ----------------------------------------------------------------------------------

ONE = {
    200: MemberPermissionsSerializer,
    **error_answers("No member with that user id in this account."),
}
USER_ID = OpenApiParameter(
    "user_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The member's user id."
)


@extend_schema(tags=["members"])
@extend_schema_view(
    list=extend_schema(summary="The account's members, with their company template")
)
class MemberViewSet(mixins.ListModelMixin, GenericViewSet[Membership]):
    """The account's members and their permissions. For Directory Admins."""

    queryset = Membership.objects.none()  # get_queryset: the account's
    serializer_class = MemberSerializer
    permission_classes = [MayManageDirectory]
    schema = AccountScopedSchema()
    filter_backends: list[Any] = []
    # The user's id, looked up on the user's key: an id beyond any the database holds finds
    # nothing (404) rather than failing.
    lookup_field = "user__id"
    lookup_url_kwarg = "user_id"

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real request
            return Membership.objects.none()
        return (
            Membership.objects.for_account(self.account)
            .select_related("user")
            .order_by("user__username", "pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            context["company_templates"] = company_templates(self.account)
        return context

    @extend_schema(
        methods=["GET"],
        summary="A member's effective permissions",
        description="Each tool's level for the company and on each project where the member "
        "has a template or adjustments, with where it comes from; their privileges.",
        parameters=[USER_ID],
        responses=ONE,
    )
    @extend_schema(
        methods=["PUT"],
        summary="Give a member templates, adjustments and privileges",
        description="A key left out keeps what is stored (`company_template: null` takes the "
        "company template away). Only a Directory Admin who holds 'Can Push to Accounting' may "
        "change `can_push_to_accounting` (403). Answers the member's permissions as stored.",
        request=MemberPermissionsWriteSerializer,
        parameters=[USER_ID],
        responses=ONE,
    )
    @action(detail=True, methods=["get", "put"], url_path="permissions", url_name="permissions")
    def member_permissions(self, request: Request, user_id: Any = None) -> Response:
        membership = self.get_object()
        if request.method == "PUT":
            self._set(membership, request.data)
        grants = load_member(self.account, membership.user_id)
        return Response(MemberPermissionsSerializer(effective(membership, grants)).data)

    def _set(self, membership: Membership, data: Any) -> None:
        serializer = MemberPermissionsWriteSerializer(data=data, context={"account": self.account})
        serializer.is_valid(raise_exception=True)
        sent = serializer.validated_data
        grants = load_member(self.account, membership.user_id)
        if "project_adjustments" in sent:
            project_grants = sent["project_adjustments"]
        else:
            project_grants = stored_project_grants(self.account, grants)
        company_template: PermissionTemplate | Keep | None = sent.get("company_template", KEEP)
        with api_errors(), refusals():
            member_permissions_set(
                actor=self.request.user,
                account=self.account,
                membership=membership,
                levels=sent.get("adjustments", company_adjustments(grants)),
                privileges={Privilege(k): v for k, v in sent.get("privileges", {}).items()},
                project_grants=project_grants,
                company_template=company_template,
                project_templates=sent.get("project_templates", KEEP),
            )


def stored_project_grants(account: Account, grants: MemberGrants) -> list[ProjectGrant]:
    """The member's project adjustments as stored (one query)."""
    projects = Project.objects.for_account(account).in_bulk(list(grants.projects))
    return [
        ProjectGrant(projects[pid], tool, level)
        for pid, own in grants.projects.items()
        if pid in projects
        for tool, level in own.adjustments.items()
    ]

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

from django.contrib.auth import get_user_model
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

from integrations.api.fields import IdField, api_errors
from integrations.api.permission_templates import (
    ERRORS,
    LevelChoiceField,
    MayManageDirectory,
    ToolLevelsField,
    refusals,
)
from integrations.api.schema import AccountScopedSchema
from integrations.models import Project
from permissions.grants import PROJECT_TOOLS, Held, MemberGrants, Source, TemplateInfo, load_member
from permissions.levels import Level, Privilege, Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.services import (
    KEEP,
    Keep,
    ProjectGrant,
    ProjectTemplate,
    member_permissions_set,
)
from tenancy.api import resolve_account
from tenancy.models import Account, Membership

# --- What is shown -------------------------------------------------------------------------------


class TemplateRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


def ref(template: TemplateInfo | None) -> dict[str, Any] | None:
    return {"id": template.pk, "name": template.name} if template is not None else None


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


class CreateProjectSerializer(serializers.Serializer[Any]):
    allowed = serializers.BooleanField(help_text="May create projects ('Create New Project').")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source"
        choices=["member", "company_template", "nothing"]
    )
    source_label = serializers.CharField()
    template = TemplateRefSerializer(allow_null=True)


class PrivilegesSerializer(serializers.Serializer[Any]):
    can_push_to_accounting = serializers.BooleanField(
        required=False,
        help_text="An Accounting Approver. Only a Directory Admin who holds it may change it.",
    )
    subscribe_erp_digest = serializers.BooleanField(required=False)
    can_create_project = serializers.BooleanField(
        required=False, help_text="'Create New Project' given to the member themself."
    )
    create_project = CreateProjectSerializer(
        read_only=True, help_text="Whether they may create projects, and why."
    )


class ToolLevelSerializer(serializers.Serializer[Any]):
    tool = serializers.ChoiceField(choices=[(t.value, t.label) for t in PROJECT_TOOLS])
    level = LevelChoiceField()


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
    projects = Project.objects.filter(account_id=membership.account_id).in_bulk(
        list(grants.projects)
    )
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


# --- What is sent --------------------------------------------------------------------------------


class ProjectTemplateInSerializer(serializers.Serializer[Any]):
    project = IdField(help_text="A project of the account.")
    template = IdField(help_text="A project template of the account.")


class ProjectAdjustmentInSerializer(ToolLevelSerializer):
    project = IdField(help_text="A project of the account.")


class MemberPermissionsWriteSerializer(serializers.Serializer[Any]):
    """What a PUT sends; a key left out keeps what is stored. Ids are resolved in the account
    (two queries): one that is not there is a 400 on its field."""

    company_template = IdField(
        required=False, allow_null=True, help_text="A company template's id; null: none."
    )
    adjustments = ToolLevelsField(
        required=False,
        help_text="Company adjustments (replacing them all): a tool named here has this level "
        "instead of the company template's.",
    )
    privileges = PrivilegesSerializer(required=False, help_text="Only the privileges sent change.")
    project_templates = ProjectTemplateInSerializer(
        many=True, required=False, help_text="The member's project templates (replacing them all)."
    )
    project_adjustments = ProjectAdjustmentInSerializer(
        many=True,
        required=False,
        help_text="Project adjustments (replacing them all): a tool's level on one project.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        account: Account = self.context["account"]
        errors: dict[str, Any] = {}
        if attrs.get("company_template") is not None:
            pk = attrs["company_template"]
            found = PermissionTemplate.objects.filter(
                account=account, scope=TemplateScope.COMPANY, pk=pk
            ).first()
            if found is None:
                errors["company_template"] = [f"No company template with id {pk} in this account."]
            attrs["company_template"] = found
        assigned = attrs.get("project_templates", [])
        adjusted = attrs.get("project_adjustments", [])
        projects = Project.objects.filter(account=account).in_bulk(
            {row["project"] for row in (*assigned, *adjusted)}
        )
        templates = PermissionTemplate.objects.filter(
            account=account, scope=TemplateScope.PROJECT
        ).in_bulk({row["template"] for row in assigned})
        for key, rows, unique in (
            ("project_templates", assigned, lambda row: row["project"]),
            ("project_adjustments", adjusted, lambda row: (row["project"], row["tool"])),
        ):
            found_errors = _row_errors(rows, projects, templates, unique)
            if found_errors:
                errors[key] = found_errors
        if errors:
            raise serializers.ValidationError(errors)
        if "project_templates" in attrs:
            attrs["project_templates"] = [
                ProjectTemplate(projects[row["project"]], templates[row["template"]])
                for row in assigned
            ]
        if "project_adjustments" in attrs:
            attrs["project_adjustments"] = [
                ProjectGrant(projects[row["project"]], Tool(row["tool"]), row["level"])
                for row in adjusted
            ]
        return attrs


def _row_errors(
    rows: list[dict[str, Any]],
    projects: dict[Any, Project],
    templates: dict[Any, PermissionTemplate],
    unique: Any,
) -> dict[str, dict[str, list[str]]]:
    """Each row's errors by its index: a project or template not in the account, or a row
    saying again what an earlier one said."""
    errors: dict[str, dict[str, list[str]]] = {}
    seen: set[Any] = set()
    for index, row in enumerate(rows):
        said: dict[str, list[str]] = {}
        if row["project"] not in projects:
            said["project"] = [f"No project with id {row['project']} in this account."]
        elif unique(row) in seen:
            tool = f" {Tool(row['tool']).label}" if "tool" in row else ""
            said["project"] = [
                f"Project {projects[row['project']].number}{tool} is given twice: give it once."
            ]
        if "template" in row and row["template"] not in templates:
            said["template"] = [f"No project template with id {row['template']} in this account."]
        seen.add(unique(row))
        if said:
            errors[str(index)] = said
    return errors


# --- The routes ----------------------------------------------------------------------------------

ONE = {200: MemberPermissionsSerializer, **ERRORS}
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
    lookup_field = "user__id"  # the user's id (a lookup that answers "none" for any id at all)
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
    projects = Project.objects.filter(account=account).in_bulk(list(grants.projects))
    return [
        ProjectGrant(projects[pid], tool, level)
        for pid, own in grants.projects.items()
        if pid in projects
        for tool, level in own.adjustments.items()
    ]


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

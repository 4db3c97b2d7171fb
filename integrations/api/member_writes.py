"""What ``PUT /api/v1/members/<user_id>/permissions/`` accepts: templates, adjustments and
privileges, each id checked in this account before the service runs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from integrations.api.fields import IdField
from integrations.api.permission_templates import (
    LevelChoiceField,
    TemplateRefSerializer,
    ToolLevelsField,
)
from integrations.models import Project
from permissions.grants import PROJECT_TOOLS
from permissions.levels import Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.services import (
    ProjectGrant,
    ProjectTemplate,
)
from tenancy.models import Account

# --- What is shown -------------------------------------------------------------------------------


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
    tool = serializers.ChoiceField(
        choices=[(t.value, t.label) for t in PROJECT_TOOLS],
        error_messages={
            "invalid_choice": "{input!r} is not a project tool: one of "
            + ", ".join(t.value for t in PROJECT_TOOLS)
            + " (the others are granted for the whole company only)."
        },
    )
    level = LevelChoiceField()


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
            found = (
                PermissionTemplate.objects.for_account(account)
                .filter(scope=TemplateScope.COMPANY, pk=pk)
                .first()
            )
            if found is None:
                errors["company_template"] = [f"No company template with id {pk} in this account."]
            attrs["company_template"] = found
        assigned = attrs.get("project_templates", [])
        adjusted = attrs.get("project_adjustments", [])
        projects = Project.objects.for_account(account).in_bulk(
            {row["project"] for row in (*assigned, *adjusted)}
        )
        templates = (
            PermissionTemplate.objects.for_account(account)
            .filter(scope=TemplateScope.PROJECT)
            .in_bulk({row["template"] for row in assigned})
        )
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

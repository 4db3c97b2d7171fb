"""What a member holds: permission templates, their assignments, and per-person adjustments.

- A :class:`PermissionTemplate` is a named set of levels per tool (and granular permissions),
  company-level or project-level. Changing it changes every holder at once.
- A member's **company template** is Django group membership: each company template owns an
  ``auth.Group`` and holders are in it.
- A member's **project template** on a project, and any **project adjustment** (one tool's level
  on one project), are django-guardian object permissions on the project, stored in
  :class:`ProjectUserPermission` (a direct foreign key, so one join reads them): the permission
  ``template_<pk>`` for a template, ``<tool>__<level>`` for an adjustment.
- A **company adjustment** (one tool's level for the whole account, replacing the template's) is
  a :class:`ToolGrant`.

Nothing here decides: :mod:`permissions.grants` reads these into levels and
:func:`permissions.access.can` asks the policy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase

from permissions.levels import LEVEL_CHOICES, Level, Tool
from tenancy.scoping import AccountScopedQuerySet


class TemplateScope(models.TextChoices):
    COMPANY = "company", "Company"
    PROJECT = "project", "Project"


class PermissionTemplate(models.Model):
    """A named set of tool levels that members are given instead of tool-by-tool grants."""

    account = models.ForeignKey(
        "tenancy.Account", on_delete=models.CASCADE, related_name="permission_templates"
    )
    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=10, choices=TemplateScope.choices)
    # {tool value: level}; a tool not named is None. Project templates name no company-only tool.
    levels = models.JSONField(default=dict, blank=True)
    # Granular: 'Create New Project' for every holder (company templates).
    can_create_project = models.BooleanField(default=False)
    # The project template that applies on a project where a member has none (one per account).
    is_default = models.BooleanField(default=False)
    # Company templates: holders are the members of this group.
    group = models.OneToOneField(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="permission_template"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["scope", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "scope", "name"], name="permissiontemplate_unique_name"
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(is_default=True),
                name="permissiontemplate_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def level_of(self, tool: Tool | str) -> Level:
        return Level(int(self.levels.get(str(tool), Level.NONE)))

    @property
    def codename(self) -> str:
        """The guardian permission that assigns this (project) template on a project."""
        return template_codename(self.pk)


def template_codename(template_id: int) -> str:
    return f"template_{template_id}"


class ToolGrant(models.Model):
    """A company adjustment: a member's level on one tool for the whole account, in place of
    what the member's company template says."""

    account = models.ForeignKey(
        "tenancy.Account", on_delete=models.CASCADE, related_name="tool_grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tool_grants"
    )
    tool = models.CharField(max_length=30, choices=Tool.choices)
    level = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, default=Level.NONE)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user", "tool"], name="toolgrant_unique_company"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_tool_display()} {Level(self.level).label}"


# guardian's manager (assign_perm, is_generic, ...) with the account-scoped queryset.
ProjectPermissionManager = UserObjectPermissionManager.from_queryset(AccountScopedQuerySet)


class ProjectUserPermission(UserObjectPermissionBase):
    """django-guardian's user object permissions on projects, with a direct foreign key."""

    content_object: Any = models.ForeignKey(
        "integrations.Project", on_delete=models.CASCADE, related_name="user_permissions"
    )
    account_path = "content_object__account"

    objects = ProjectPermissionManager()  # type: ignore[misc]  # guardian's, narrowed

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


def project_model() -> type[models.Model]:
    """The model of the projects permissions are given on. The records' app, above this one,
    defines it; the foreign key names it, so this app never imports that one."""
    model = ProjectUserPermission._meta.get_field("content_object").related_model
    assert isinstance(model, type)
    return model

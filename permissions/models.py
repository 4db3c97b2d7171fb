"""Grants of a tool level to a user, for the whole account or one project."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from permissions.levels import LEVEL_CHOICES, Level, Tool
from tenancy.scoping import AccountScopedQuerySet


class ToolGrant(models.Model):
    """A user's level on a tool. A project grant replaces the account-wide one on that project,
    so an admin can widen or narrow a person's rights on one job."""

    account = models.ForeignKey(
        "tenancy.Account", on_delete=models.CASCADE, related_name="tool_grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tool_grants"
    )
    project = models.ForeignKey(
        "integrations.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tool_grants",
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
                fields=["account", "user", "tool"],
                condition=models.Q(project__isnull=True),
                name="toolgrant_unique_company",
            ),
            models.UniqueConstraint(
                fields=["account", "user", "project", "tool"],
                condition=models.Q(project__isnull=False),
                name="toolgrant_unique_project",
            ),
        ]

    def __str__(self) -> str:
        where = f"project {self.project_id}" if self.project_id else "company"
        return f"{self.user} {self.get_tool_display()} {Level(self.level).label} ({where})"


def project_model() -> type[models.Model]:
    """The model of the projects grants are given on. The records' app, above this one, defines
    it; the grant's foreign key names it, so this app never imports that one."""
    model = ToolGrant._meta.get_field("project").related_model
    assert isinstance(model, type)
    return model

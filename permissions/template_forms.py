"""The form of a permission template: its name, a level per tool and its granular permissions.

The services in :mod:`permissions.templates` decide; this only reads what was posted and puts
their refusals next to the fields they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from permissions.grants import PROJECT_TOOLS
from permissions.levels import LEVEL_CHOICES, Level, Tool
from permissions.models import PermissionTemplate, TemplateScope
from permissions.templates import NAME_MAX, TemplateData, data_of


def scope_tools(scope: TemplateScope) -> tuple[Tool, ...]:
    """The tools a template of ``scope`` gives a level on."""
    return PROJECT_TOOLS if scope == TemplateScope.PROJECT else tuple(Tool)


def level_field(tool: Tool) -> str:
    return f"level_{tool.value}"


class PermissionTemplateForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX, strip=True)

    def __init__(
        self,
        *args: Any,
        scope: TemplateScope,
        template: PermissionTemplate | None = None,
        **kwargs: Any,
    ) -> None:
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(template)
        super().__init__(*args, **kwargs)
        self.scope = scope
        for tool in scope_tools(scope):
            self.fields[level_field(tool)] = forms.TypedChoiceField(
                label=tool.label, choices=LEVEL_CHOICES, coerce=int, initial=int(Level.NONE)
            )
        if scope == TemplateScope.COMPANY:
            self.fields["can_create_project"] = forms.BooleanField(
                label="Create New Project",
                required=False,
                help_text="Holders may add projects to the account.",
            )
        else:
            self.fields["is_default"] = forms.BooleanField(
                label="Default project template",
                required=False,
                help_text=(
                    "Applies on every project where a member has no project template of their "
                    "own. One template is the default: ticking it here takes it off the other."
                ),
            )

    def level_fields(self) -> list[forms.BoundField]:
        return [self[level_field(tool)] for tool in scope_tools(self.scope)]

    def flag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("can_create_project", "is_default") if name in self.fields]

    def template_data(self) -> TemplateData:
        data = self.cleaned_data
        return TemplateData(
            name=data["name"],
            scope=self.scope,
            levels={
                tool: Level(data[level_field(tool)])
                for tool in scope_tools(self.scope)
                if data[level_field(tool)] > Level.NONE
            },
            can_create_project=bool(data.get("can_create_project", False)),
            is_default=bool(data.get("is_default", False)),
        )

    def add_refusal(self, error: ValidationError) -> None:
        """The service's refusal, each message next to the field it names (the others above
        the form)."""
        add_refusal(self, error)


def initial_of(template: PermissionTemplate) -> dict[str, Any]:
    data = data_of(template)
    initial: dict[str, Any] = {
        level_field(tool): int(data.levels.get(tool, Level.NONE)) for tool in Tool
    }
    initial.update(
        name=data.name, can_create_project=data.can_create_project, is_default=data.is_default
    )
    return initial


def add_refusal(form: forms.Form, error: ValidationError) -> None:
    """Put a service's :class:`ValidationError` on ``form``: by field where it names one the
    form has, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)

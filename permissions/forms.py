"""The forms of a member's permissions page: company template and adjustments, privileges,
project templates and project adjustments.

The lists of projects and templates are read once per request (:class:`Choices`) and shared by
every row, so the page costs the same number of queries whatever the member holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model

from permissions.grants import PROJECT_TOOLS
from permissions.levels import LEVEL_CHOICES, Level, Privilege, Tool
from permissions.models import PermissionTemplate, TemplateScope

AS_TEMPLATE = ""  # a company adjustment's choice meaning "no adjustment"
AS_TEMPLATE_LABEL = "As template"


@dataclass(frozen=True)
class Choices:
    """The account's projects and templates, as the forms offer them."""

    projects: Sequence[Model]
    templates: Sequence[PermissionTemplate]

    def of_scope(self, scope: TemplateScope) -> list[PermissionTemplate]:
        return [t for t in self.templates if t.scope == scope]


class PickField(forms.TypedChoiceField):
    """A choice among objects read beforehand: posts their pk, cleans to the object."""

    def __init__(self, objects: Sequence[Model], *, empty_label: str | None, **kwargs: Any):
        by_pk = {str(obj.pk): obj for obj in objects}
        choices = [(pk, str(obj)) for pk, obj in by_pk.items()]
        if empty_label is not None:
            choices.insert(0, ("", empty_label))
        super().__init__(choices=choices, coerce=by_pk.__getitem__, empty_value=None, **kwargs)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(initial or "") != str(data or "")


class MemberPermissionsForm(forms.Form):
    """The company template, the company adjustments and the account-wide privileges."""

    def __init__(
        self,
        *args: Any,
        choices: Choices,
        membership: Any,
        company_template: int | None,
        adjustments: dict[Tool, Level],
        may_grant_cpa: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company_template"] = PickField(
            choices.of_scope(TemplateScope.COMPANY),
            empty_label="No template",
            label="Company template",
            required=False,
            initial=str(company_template or ""),
        )
        adjust_choices = [(AS_TEMPLATE, AS_TEMPLATE_LABEL), *LEVEL_CHOICES]
        for tool in Tool:
            self.fields[f"tool_{tool.value}"] = forms.TypedChoiceField(
                label=tool.label,
                choices=adjust_choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=int(adjustments[tool]) if tool in adjustments else AS_TEMPLATE,
            )
        for privilege in Privilege:
            field = forms.BooleanField(
                label=privilege.label, required=False, initial=getattr(membership, privilege.value)
            )
            if privilege == Privilege.CAN_PUSH_TO_ACCOUNTING and not may_grant_cpa:
                field.disabled = True
                field.help_text = "Only a Directory Admin who holds this privilege may change it."
            self.fields[f"priv_{privilege.value}"] = field

    def adjustment_fields(self) -> list[forms.BoundField]:
        return [self[f"tool_{tool.value}"] for tool in Tool]

    def privilege_fields(self) -> list[forms.BoundField]:
        return [self[f"priv_{p.value}"] for p in Privilege]

    def company_template(self) -> PermissionTemplate | None:
        template: PermissionTemplate | None = self.cleaned_data["company_template"]
        return template

    def levels(self) -> dict[Tool, Level]:
        """The company adjustments: only the tools not left 'As template'."""
        return {
            tool: Level(self.cleaned_data[f"tool_{tool.value}"])
            for tool in Tool
            if self.cleaned_data[f"tool_{tool.value}"] is not None
        }

    def privileges(self) -> dict[Privilege, bool]:
        return {p: bool(self.cleaned_data[f"priv_{p.value}"]) for p in Privilege}


class ProjectRowForm(forms.Form):
    """A row of a per-project table; the first field is the project."""

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"] = PickField(choices.projects, empty_label="", label="Project")
        self.order_fields(["project"])

    def has_changed(self) -> bool:
        """A row without a project adds nothing: the formset's empty row, whose other lists
        always post their first choice, is skipped rather than refused as incomplete."""
        if self.empty_permitted and not self.data.get(self.add_prefix("project")):
            return False
        return super().has_changed()


class ProjectTemplateForm(ProjectRowForm):
    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, choices=choices, **kwargs)
        self.fields["template"] = PickField(
            choices.of_scope(TemplateScope.PROJECT), empty_label="", label="Project template"
        )


class ProjectGrantForm(ProjectRowForm):
    tool = forms.ChoiceField(choices=[(t.value, t.label) for t in PROJECT_TOOLS])
    level = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int)


class OncePerKey(forms.BaseFormSet):
    """Refuses two rows with the same key (the fields named by ``key_fields``)."""

    key_fields: tuple[str, ...] = ()
    twice_message = ""

    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or any(f not in data for f in self.key_fields):
                continue
            key = tuple(getattr(data[f], "pk", data[f]) for f in self.key_fields)
            if key in seen:
                raise forms.ValidationError(self.twice_message)
            seen.add(key)

    def rows(self) -> list[dict[str, Any]]:
        """What the kept rows say."""
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


class BaseProjectTemplateFormSet(OncePerKey):
    key_fields = ("project",)
    twice_message = "A member holds one project template per project."


class BaseProjectGrantFormSet(OncePerKey):
    key_fields = ("project", "tool")
    twice_message = "Each tool may be adjusted once per project."


ProjectTemplateFormSet = forms.formset_factory(
    ProjectTemplateForm, formset=BaseProjectTemplateFormSet, extra=1, can_delete=True
)
ProjectGrantFormSet = forms.formset_factory(
    ProjectGrantForm, formset=BaseProjectGrantFormSet, extra=1, can_delete=True
)

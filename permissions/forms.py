from __future__ import annotations

from typing import Any

from django import forms

from permissions.levels import COMPANY_ONLY_TOOLS, LEVEL_CHOICES, Level, Privilege, Tool
from permissions.models import project_model
from tenancy.models import Account, Membership

PROJECT_TOOLS = [(t.value, t.label) for t in Tool if t not in COMPANY_ONLY_TOOLS]


class MemberPermissionsForm(forms.Form):
    """Company-level level per tool, and the account-wide privileges."""

    def __init__(
        self,
        *args: Any,
        membership: Membership,
        levels: dict[str, int],
        may_grant_cpa: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for tool in Tool:
            self.fields[f"tool_{tool.value}"] = forms.TypedChoiceField(
                label=tool.label,
                choices=LEVEL_CHOICES,
                coerce=int,
                initial=levels.get(tool.value, 0),
            )
        for privilege in Privilege:
            field = forms.BooleanField(
                label=privilege.label, required=False, initial=getattr(membership, privilege.value)
            )
            if privilege == Privilege.CAN_PUSH_TO_ACCOUNTING and not may_grant_cpa:
                field.disabled = True
                field.help_text = "Only a Directory Admin who holds this privilege may change it."
            self.fields[f"priv_{privilege.value}"] = field

    def levels(self) -> dict[Tool, Level]:
        return {tool: Level(self.cleaned_data[f"tool_{tool.value}"]) for tool in Tool}

    def privileges(self) -> dict[Privilege, bool]:
        return {p: bool(self.cleaned_data[f"priv_{p.value}"]) for p in Privilege}


class ProjectGrantForm(forms.Form):
    project = forms.ModelChoiceField(queryset=project_model()._default_manager.none())
    tool = forms.ChoiceField(choices=PROJECT_TOOLS)
    level = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int)

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = project_model()._default_manager.filter(account=account)  # type: ignore[attr-defined]

    def has_changed(self) -> bool:
        """A row without a project adds nothing: the formset's empty row, whose tool and level
        lists always post their first choice, is skipped rather than refused as incomplete."""
        if self.empty_permitted and not self.data.get(self.add_prefix("project")):
            return False
        return super().has_changed()


class BaseProjectGrantFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or "project" not in data:
                continue
            key = (data["project"].pk, data["tool"])
            if key in seen:
                raise forms.ValidationError("Each tool may be granted once per project.")
            seen.add(key)


ProjectGrantFormSet = forms.formset_factory(
    ProjectGrantForm, formset=BaseProjectGrantFormSet, extra=1, can_delete=True
)

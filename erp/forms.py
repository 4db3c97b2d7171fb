"""The ERP connection's form, built from the chosen connector's setting declarations: each
setting gets the input its kind asks for (a number with its range, a yes/no checkbox, a list of
choices, text, a secret never shown back) and is checked in place before anything is saved."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms

from connectors.base import Connector, SettingField, SettingKind
from connectors.registry import available

SECRET_KEPT = "Stored — leave empty to keep it"  # nosec B105  # a placeholder's text


def setting_input(spec: SettingField, *, stored: bool) -> forms.Field:
    """The form field for one declared setting. A required one is checked by
    :func:`erp.services.connection_configure`, whose error names the setting."""
    field: forms.Field
    if spec.secret:
        widget = forms.PasswordInput(
            render_value=False,
            attrs={"placeholder": SECRET_KEPT if stored else "", "autocomplete": "off"},
        )
        field = forms.CharField(required=False, widget=widget)
    elif spec.kind == SettingKind.BOOLEAN:
        field = forms.BooleanField(required=False)
    elif spec.kind == SettingKind.NUMBER and spec.integer:
        field = forms.IntegerField(
            required=False,
            min_value=None if spec.minimum is None else int(spec.minimum),
            max_value=None if spec.maximum is None else int(spec.maximum),
        )
    elif spec.kind == SettingKind.NUMBER:
        field = forms.DecimalField(
            required=False,
            min_value=None if spec.minimum is None else Decimal(str(spec.minimum)),
            max_value=None if spec.maximum is None else Decimal(str(spec.maximum)),
        )
        field.widget.attrs["step"] = "any"
    elif spec.kind == SettingKind.CHOICE:
        blank = [] if spec.required else [("", "—")]
        field = forms.ChoiceField(required=False, choices=[*blank, *spec.choices])
    else:
        field = forms.CharField(required=False)
    field.label = spec.label
    field.help_text = spec.help_text
    return field


class ConnectionForm(forms.Form):
    """The connector and its settings. Secrets are never put back into the page."""

    connector_key = forms.ChoiceField(label="Connector")

    def __init__(
        self, *args: Any, connector: type[Connector], stored: set[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["connector_key"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(key, cls.label) for key, cls in sorted(available().items())]
        self.specs = {spec.name: spec for spec in connector.settings_fields}
        for spec in connector.settings_fields:
            self.fields[spec.name] = setting_input(spec, stored=spec.name in stored)

    @staticmethod
    def initial_for(connector: type[Connector], settings: Mapping[str, Any]) -> dict[str, Any]:
        """The stored settings as the form's inputs show them (yes/no as a ticked box)."""
        initial: dict[str, Any] = {}
        for spec in connector.settings_fields:
            if spec.name in settings:
                value = settings[spec.name]
                initial[spec.name] = (
                    spec.is_on(value) if spec.kind == SettingKind.BOOLEAN else value
                )
        return initial

    def clean(self) -> dict[str, Any]:
        """Each setting also passes its declaration's own check (the one the service applies),
        so the error is shown next to its field."""
        data = super().clean() or {}
        for name, spec in self.specs.items():
            if spec.secret or name not in data:
                continue
            try:
                spec.clean(self.as_text(spec, data[name]))
            except ValueError as exc:
                self.add_error(name, str(exc))
        return data

    @staticmethod
    def as_text(spec: SettingField, value: Any) -> str:
        if value is None:
            return ""
        if spec.kind == SettingKind.BOOLEAN:
            return "yes" if value else "no"
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return str(value)

    def values(self) -> dict[str, str]:
        """The settings as text, for :func:`erp.services.connection_configure`."""
        return {
            name: self.as_text(spec, self.cleaned_data.get(name))
            for name, spec in self.specs.items()
        }

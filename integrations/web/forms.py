"""Forms built from a record type: choices narrowed to the account, locked fields disabled."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet, TextField, URLField
from django.forms import BaseInlineFormSet, ModelForm

from integrations.models import LOCKED_STATES, ErpState
from integrations.web.registry import RecordType
from permissions.access import restrict
from permissions.levels import Level
from permissions.resources import container_field, project_id_of, resource_for
from tenancy.models import Account

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


# Line-item choices that point at another record's lines: (line model's parent, record's field).
SOURCE_LINES = {
    "commitment_line": ("commitment", "commitment"),
    "prime_line": ("contract", "prime_contract"),
}


def _narrow(form: forms.BaseForm, account: Account, user: Any, record: Model) -> None:
    """Offer only the account's records in every choice; the project only where the user may
    edit this kind of record; a source line only from the record's own contract."""
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if not isinstance(queryset, QuerySet) or name == "id":  # "id": the line's own rows
            continue
        if name == "project":
            queryset = restrict(
                queryset, user, account, level=Level.STANDARD, tool=resource_for(record).tool
            )
        elif name in SOURCE_LINES:
            line_parent, record_parent = SOURCE_LINES[name]
            queryset = queryset.filter(**{f"{line_parent}__account": account})
            parent_id = getattr(record, f"{record_parent}_id", None)
            if parent_id:
                queryset = queryset.filter(**{f"{line_parent}_id": parent_id})
        else:
            queryset = queryset.filter(account=account)
        field.queryset = queryset  # type: ignore[attr-defined]


def locked_reason(instance: Model) -> str | None:
    state = getattr(instance, "erp_state", None)
    if instance.pk and state in LOCKED_STATES:
        return f"Locked while the record is {ErpState(state).label.lower()}."
    return None


class RecordForm(ModelForm[Model]):
    def __init__(self, *args: Any, account: Account, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow(self, account, user, self.instance)
        placement = container_field(type(self.instance))
        if self.instance.pk and placement in self.fields:
            self.fields[placement].disabled = True
            self.fields[placement].help_text = "A record stays where it was created."
        reason = locked_reason(self.instance)
        if reason:
            for name in getattr(self.instance, "locked_fields", ()):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = reason


class LineFormSet(BaseInlineFormSet[Model, Model, ModelForm[Model]]):
    def __init__(self, *args: Any, account: Account, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project_id = _project_id(self.instance)
        for form in self.forms:
            _narrow(form, account, user, self.instance)
            cost_code = form.fields.get("cost_code")
            if project_id and isinstance(cost_code, forms.ModelChoiceField):
                cost_code.queryset = cost_code.queryset.filter(project_id=project_id)  # type: ignore[union-attr]

    def clean(self) -> None:
        super().clean()
        project_id = _project_id(self.instance)
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            code = data.get("cost_code")
            if code is not None and project_id and code.project_id != project_id:
                form.add_error("cost_code", "This cost code belongs to another project.")
            for name, (line_parent, record_parent) in SOURCE_LINES.items():
                line = data.get(name)
                parent_id = getattr(self.instance, f"{record_parent}_id", None)
                if line is not None and getattr(line, f"{line_parent}_id") != parent_id:
                    form.add_error(name, "This line belongs to another contract.")


def _project_id(instance: Model) -> int | None:
    try:
        return project_id_of(instance)
    except ObjectDoesNotExist:  # the parent is not chosen yet on a new record
        return None


def _formfield(field: Any, **kwargs: Any) -> Any:
    if isinstance(field, URLField):
        kwargs["assume_scheme"] = "https"
    if isinstance(field, TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
    return field.formfield(**kwargs)


@cache
def form_class(record_type: RecordType) -> type[RecordForm]:
    widgets: dict[str, forms.Widget | type[forms.Widget]] = {
        f.name: DATE_WIDGET
        for f in record_type.model._meta.get_fields()
        if getattr(f, "get_internal_type", lambda: "")() == "DateField"
    }
    return cast(
        type[RecordForm],
        forms.modelform_factory(
            record_type.model,
            form=RecordForm,
            fields=record_type.form_fields,
            widgets=widgets,
            formfield_callback=_formfield,
        ),
    )


@cache
def lines_formset_class(record_type: RecordType) -> type[LineFormSet] | None:
    lines = record_type.lines
    if lines is None:
        return None
    return cast(
        type[LineFormSet],
        forms.inlineformset_factory(
            record_type.model,
            lines.model,
            formset=LineFormSet,
            fk_name=lines.fk,
            fields=lines.fields,
            extra=2,
            can_delete=True,
        ),
    )

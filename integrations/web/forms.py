"""Forms built from a kind's web part: choices narrowed to the account, locked fields and the
placement shown disabled (the record services enforce both)."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet, TextField, URLField
from django.forms import BaseInlineFormSet, ModelForm

from integrations.kinds import Kind, kind_of
from integrations.models import LOCKED_STATES, ErpState
from permissions.access import restrict
from permissions.levels import Level
from permissions.resources import project_id_of
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
                queryset, user, account, level=Level.STANDARD, tool=kind_of(record).tool
            )
        elif name in SOURCE_LINES:
            line_parent, record_parent = SOURCE_LINES[name]
            queryset = queryset.filter(**{f"{line_parent}__account": account})
            parent_id = getattr(record, f"{record_parent}_id", None)
            if parent_id:
                queryset = queryset.filter(**{f"{line_parent}_id": parent_id})
        else:
            queryset = queryset.filter(account=account)
            if name == "cost_code" and project_id_of(record):  # a record's own cost code
                queryset = queryset.filter(project_id=project_id_of(record))
        field.queryset = queryset  # type: ignore[attr-defined]


def locked_reason(instance: Model) -> str | None:
    state = getattr(instance, "erp_state", None)
    if instance.pk and state in LOCKED_STATES and getattr(instance, "locked_fields", ()):
        return f"Locked while the record is {ErpState(state).label.lower()}."
    return None


class RecordForm(ModelForm[Model]):
    def __init__(self, *args: Any, account: Account, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow(self, account, user, self.instance)
        placement = kind_of(self.instance).placement
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
        project_id = project_id_of(self.instance)  # None until a new record's parent is set
        for form in self.forms:
            _narrow(form, account, user, self.instance)
            cost_code = form.fields.get("cost_code")
            if project_id and isinstance(cost_code, forms.ModelChoiceField):
                cost_code.queryset = cost_code.queryset.filter(project_id=project_id)  # type: ignore[union-attr]


def form_lines(formset: LineFormSet) -> list[dict[str, Any]]:
    """The lines a valid formset keeps, in order, as the record services take them: a kept
    line with its ``id``, a new one without."""
    fk = formset.fk.name
    lines = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        line = {k: v for k, v in data.items() if k not in ("DELETE", "id", fk)}
        if data.get("id") is not None:
            line["id"] = data["id"].pk
        lines.append(line)
    return lines


def _formfield(field: Any, **kwargs: Any) -> Any:
    if isinstance(field, URLField):
        kwargs["assume_scheme"] = "https"
    if isinstance(field, TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
    return field.formfield(**kwargs)


@cache
def form_class(kind: Kind) -> type[RecordForm]:
    widgets: dict[str, forms.Widget | type[forms.Widget]] = {
        f.name: DATE_WIDGET
        for f in kind.model._meta.get_fields()
        if getattr(f, "get_internal_type", lambda: "")() == "DateField"
    }
    return cast(
        type[RecordForm],
        forms.modelform_factory(
            kind.model,
            form=RecordForm,
            fields=kind.web.form_fields if kind.web else (),
            widgets=widgets,
            labels=dict(kind.web.labels) if kind.web else None,
            formfield_callback=_formfield,
        ),
    )


@cache
def lines_formset_class(kind: Kind) -> type[LineFormSet] | None:
    lines = kind.web.lines if kind.web else None
    if lines is None:
        return None
    return cast(
        type[LineFormSet],
        forms.inlineformset_factory(
            kind.model,
            lines.model,
            formset=LineFormSet,
            fk_name=lines.fk,
            fields=lines.fields,
            extra=2,
            can_delete=True,
        ),
    )

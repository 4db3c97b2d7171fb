"""Forms of the export screens. They parse what was typed; the services decide what is valid
(a reason is required, ERP fields fit the ERP), and their ``ValidationError`` lands on the
form's fields through :func:`add_errors`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from approvals.selectors import AGES, SORTS, QueueQuery, plural
from connectors.base import AcceptField, Problem
from integrations.kinds import exportable_types


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": "Number, title, vendor"}),
    )
    type = forms.ChoiceField(label="Type", required=False)
    project = forms.TypedChoiceField(label="Project", required=False, coerce=int, empty_value=None)
    sender = forms.TypedChoiceField(label="Sent by", required=False, coerce=int, empty_value=None)
    age = forms.TypedChoiceField(
        label="Age",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any age"), *AGES],
    )
    sort = forms.ChoiceField(label="Sort", required=False, choices=list(SORTS.items()))

    def __init__(
        self,
        data: Any,
        *,
        projects: Sequence[tuple[int, str]],
        senders: Sequence[tuple[int, str]],
    ) -> None:
        super().__init__(data)
        choices = [("", "All types"), *((k, plural(t.erp_label)) for k, t in exportable_types())]
        self.fields["type"].choices = choices  # type: ignore[attr-defined]
        self.fields["project"].choices = [("", "All projects"), *projects]  # type: ignore[attr-defined]
        self.fields["sender"].choices = [("", "Anyone"), *senders]  # type: ignore[attr-defined]

    def query(self) -> QueueQuery:
        """The query asked for; a value that does not parse is ignored, not an error."""
        self.is_valid()
        data = self.cleaned_data
        return QueueQuery(
            item_type=data.get("type") or "",
            project=data.get("project"),
            sender=data.get("sender"),
            older_than=data.get("age"),
            search=(data.get("q") or "").strip(),
            sort=data.get("sort") or "oldest",
        )


def parse_query(data: Any) -> QueueQuery:
    """The query in ``data`` without building the form's choices (they need queries)."""
    return QueueFilterForm(
        data, projects=_any_choice(data, "project"), senders=_any_choice(data, "sender")
    ).query()


def _any_choice(data: Any, name: str) -> list[tuple[int, str]]:
    """Accept whatever id was asked for: filtering by an id the account lacks finds nothing."""
    value = data.get(name) if data else None
    try:
        return [(int(value), "")] if value else []
    except (TypeError, ValueError):
        return []


class AcceptForm(forms.Form):
    """One field per value the connector asks the approver for (``Entity.accept_fields``)."""

    def __init__(
        self,
        data: Any = None,
        *,
        accept_fields: Sequence[AcceptField] = (),
        initial: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=dict(initial or {}))
        for spec in accept_fields:
            attrs: dict[str, Any] = {"maxlength": spec.max_length}
            if spec.required:
                attrs["required"] = True
            self.fields[spec.name] = forms.CharField(
                label=spec.label,
                help_text=spec.help_text,
                required=False,  # the service checks, so the rule lives in one place
                widget=forms.TextInput(attrs=attrs),
            )

    def erp_fields(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        required=False,  # the service requires it and says why
        help_text="The sender sees this, so say what to fix.",
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )


class IdsField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise ValidationError("Select items from the list.") from None

    def validate(self, value: Any) -> None:
        if not value:
            raise ValidationError("Select at least one item.")


class BulkForm(forms.Form):
    """The queue's checkboxes and the reason typed for *Reject selected*."""

    ids = IdsField()
    reason = forms.CharField(label="Reason for rejecting", required=False)

    def selected(self) -> set[int]:
        """The rows that were checked, to keep them checked when the form comes back."""
        values = self.data.getlist("ids") if isinstance(self.data, QueryDict) else []
        return {int(v) for v in values if str(v).isdigit()}


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the fields it names (else on the form)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def problem_rows(problems: Sequence[Problem]) -> list[tuple[str, str, str]]:
    """(field, label, message) for each rule an item breaks, as the item page lists them."""
    return [(p.field, _field_label(p.field), p.message) for p in problems]


def _field_label(name: str) -> str:
    head, _, attr = name.partition(".")
    words = [w.removesuffix("_ref").replace("_", " ") for w in (head, attr) if w]
    return ": ".join(words).capitalize()

"""The forms of the sync pages: a schedule, and the sync log's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from syncs.models import Every, RunState, Trigger
from syncs.schedules import parse_cron


class ScheduleForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    every = forms.ChoiceField(label="Sync", choices=Every.choices)
    at = forms.TimeField(
        label="At",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="For Daily, in the account's time zone.",
    )
    cron = forms.CharField(
        label="Cron",
        required=False,
        max_length=120,
        help_text="minute hour day-of-month month weekday, e.g. 0 6 * * 1-5",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("every") == Every.DAILY and data.get("at") is None:
            self.add_error("at", "Give the time of day for a daily sync.")
        if data.get("every") == Every.CRON:
            try:
                parse_cron(data.get("cron") or "")
            except forms.ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(field, error)
        return data


class LogFilters(forms.Form):
    kind = forms.ChoiceField(required=False)
    state = forms.ChoiceField(required=False, choices=[("", "Any"), *RunState.choices])
    trigger = forms.ChoiceField(required=False, choices=[("", "Any"), *Trigger.choices])
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any"), *kinds]  # type: ignore[attr-defined]

"""What the portal refuses to store, wherever a value comes from (the web forms, the API, the
approver's accept fields): control characters in text, dates outside 1900-2200, amounts beyond
their field's digits, periods that end before they start, and each field's own range (its
model validators: retainage from 0 to 100, amounts that cannot be negative).

One check, by field type, so a new field is covered without being listed. The record services,
the project templates and the ERP imports call :func:`record_problems` and
:func:`lines_problems` before they save. The checks of text and dates themselves live in
:mod:`tenancy.values`, for the layers below this one (permission templates, the sync appliers).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tenancy.values import (
    CONTROL_CHARACTERS,
    FIRST_DATE,
    LAST_DATE,
    control_character,
    date_problem,
    text_problem,
)

__all__ = [
    "CONTROL_CHARACTERS",
    "FIRST_DATE",
    "LAST_DATE",
    "NOT_NEGATIVE",
    "PERCENT_RANGE",
    "PERIODS",
    "control_character",
    "date_problem",
    "decimal_problem",
    "lines_problems",
    "record_problems",
    "refuse",
    "text_problem",
    "value_problems",
]

# Start and end of a period: the end may not come before the start.
PERIODS = (("start_date", "completion_date"), ("period_start", "period_end"))

NOT_NEGATIVE = MinValueValidator(Decimal("0"), message="Cannot be negative.")
PERCENT_RANGE = (
    MinValueValidator(Decimal("0"), message="Must be from 0 to 100."),
    MaxValueValidator(Decimal("100"), message="Must be from 0 to 100."),
)


def decimal_problem(label: str, value: Decimal, field: models.DecimalField[Any, Any]) -> str | None:
    """Digits beyond the field's (two places and 13 before the point for money)."""
    if not value.is_finite():
        return f"{label} is not a number."
    places, whole = field.decimal_places, field.max_digits - field.decimal_places
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if -exponent > places and value != round(value, places):
        return f"{label} has more than {places} decimal places."
    if abs(value) >= Decimal(10) ** whole:
        return f"{label} has more than {whole} digits before the decimal point."
    return None


def value_problems(field: models.Field[Any, Any], value: Any) -> list[str]:
    """Why ``value`` cannot be stored in ``field``, in words naming the field (empty: it can)."""
    if value is None or value == "":
        return []
    label = str(field.verbose_name).capitalize()
    problem: str | None = None
    if isinstance(field, models.TextField | models.CharField) and isinstance(value, str):
        problem = text_problem(label, value, multiline=isinstance(field, models.TextField))
    elif isinstance(field, models.DateField) and isinstance(value, datetime.date):
        problem = date_problem(label, value)
    elif isinstance(field, models.DecimalField) and isinstance(value, Decimal):
        problem = decimal_problem(label, value, field)
    if problem is not None:
        return [problem]
    try:
        field.run_validators(value)
    except ValidationError as exc:
        return [f"{label}: {message[:1].lower()}{message[1:]}" for message in exc.messages]
    return []


def _own_fields(model: type[models.Model], names: Iterable[str]) -> list[models.Field[Any, Any]]:
    """The fields among ``names`` that hold a value of their own (not a reference)."""
    fields = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except LookupError:
            continue
        if isinstance(field, models.Field) and field.concrete and not field.is_relation:
            fields.append(field)
    return fields


def record_problems(instance: models.Model, names: Iterable[str]) -> dict[str, list[str]]:
    """Why the values of the fields ``names`` (as set on ``instance``) cannot be stored, by
    field: each field's own checks, and the periods they start or end."""
    names = set(names)
    errors: dict[str, list[str]] = {}
    for field in _own_fields(type(instance), names):
        problems = value_problems(field, getattr(instance, field.attname))
        if problems:
            errors[field.name] = problems
    for start, end in PERIODS:
        if (start in names or end in names) and end not in errors and start not in errors:
            problem = _period_problem(instance, start, end)
            if problem:
                errors[end] = [problem]
    return errors


def _period_problem(instance: models.Model, start: str, end: str) -> str | None:
    first, last = getattr(instance, start, None), getattr(instance, end, None)
    if first is None or last is None or last >= first:
        return None
    end_label, start_label = _label(instance, end), _label(instance, start).lower()
    return f"{end_label} ({last:%Y-%m-%d}) is before the {start_label} ({first:%Y-%m-%d})."


def _label(instance: models.Model, name: str) -> str:
    return str(getattr(instance._meta.get_field(name), "verbose_name", name)).capitalize()


def lines_problems(line_model: type[models.Model], lines: Sequence[Mapping[str, Any]]) -> list[str]:
    """Why lines cannot be stored, each message naming its line and field."""
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        for field in _own_fields(line_model, line):
            errors.extend(
                f"Line {number}: {problem}" for problem in value_problems(field, line[field.name])
            )
    return errors


def refuse(errors: Mapping[str, Sequence[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors))

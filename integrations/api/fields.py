"""Serializer building blocks: account-scoped references, computed fields (line totals, the
project read through a parent), and services' errors said as DRF errors."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.settings import api_settings

from tenancy.scoping import AccountScopedQuerySet

M = TypeVar("M", bound=Model)

WHOLE = re.compile(r"\s*[+-]?\d+\s*")
MAX_ID = 2**63 - 1  # the largest id a database column holds (64-bit signed)


def whole_number(value: Any) -> Any:
    """``value`` as an id may take it: a whole number (``22``, ``22.0``, ``"22"``); refused,
    with a 400 naming it, if it has a fraction (``22.5``, which the database would take as 22),
    is ``true``/``false`` (which it would take as 1 and 0) or is beyond any id (which SQLite
    cannot even compare). Other types are left to the field, which refuses them."""
    if isinstance(value, bool):
        raise serializers.ValidationError(f"{json.dumps(value)} is not a whole number.")
    if isinstance(value, float | Decimal):
        if not math.isfinite(value) or value != int(value):
            raise serializers.ValidationError(f"{value} is not a whole number.")
        value = int(value)
    if isinstance(value, str) and not WHOLE.fullmatch(value):
        raise serializers.ValidationError(f"{value[:40]} is not a whole number.")
    if isinstance(value, int | str) and abs(int(value)) > MAX_ID:
        raise serializers.ValidationError(f"{str(value).strip()[:40]} is too large for an id.")
    return value


class IdField(serializers.IntegerField):
    """An id given in a body (a line's, an export request's): a whole number, never rounded."""

    def to_internal_value(self, data: Any) -> int:
        return super().to_internal_value(whole_number(data))


class AccountRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that only accepts records of the request's account, so an id from
    another account is a 400 on that field, worded like one that does not exist; an id that is
    not a whole number is refused as such (see :func:`whole_number`)."""

    default_error_messages = {
        "does_not_exist": "No record with id {pk_value} in this account.",
    }

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(whole_number(data))

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        assert queryset is not None, "a writable reference has a queryset"
        account = self.context.get("account")
        if account is None:  # no request (schema generation): offer nothing
            return queryset.none()
        if not isinstance(queryset, AccountScopedQuerySet):
            raise ImproperlyConfigured(f"{queryset.model.__name__} is not account data")
        return queryset.for_account(account)


class LinesTotalField(serializers.DecimalField):
    """The sum of ``value(line)`` over the record's (prefetched) lines."""

    def __init__(self, value: Callable[[Any], Decimal], **kwargs: Any) -> None:
        self.value = value
        kwargs.update(max_digits=17, decimal_places=2, read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        total = sum((self.value(line) for line in value.lines.all()), Decimal("0.00"))
        return super().to_representation(total)


@contextmanager
def api_errors() -> Iterator[None]:
    """Turn a service's Django ``ValidationError`` into a DRF 400 with the same field names."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise serializers.ValidationError(detail) from exc


def amount_total(help_text: str) -> LinesTotalField:
    """The sum of the (prefetched) lines' amounts."""
    return LinesTotalField(lambda line: line.amount, help_text=help_text)


def parent_project_field(parent: str) -> serializers.IntegerField:
    """The record's project id, read through its parent (``commitment``: its commitment's)."""
    return serializers.IntegerField(source=f"{parent}.project_id", read_only=True)


def standard_code_field(name: str) -> serializers.CharField:
    """A field of the project cost code's standard code (``full_code``, ``name``)."""
    return serializers.CharField(source=f"standard_code.{name}", read_only=True)

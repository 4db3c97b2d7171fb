"""Serializer building blocks: account-scoped references, line totals, the record base class."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.settings import api_settings

from integrations.api import writes
from integrations.api.schema import EnumChoiceField

M = TypeVar("M", bound=Model)

# How to reach the account from a record that has no ``account`` column of its own.
ACCOUNT_PATHS = {
    "integrations.commitmentlineitem": "commitment__account",
    "integrations.primecontractlineitem": "contract__account",
}

RECORD_FIELDS = ("id", "created_at", "updated_at")
ERP_FIELDS = ("origin_id", "origin_code", "origin_data", "erp_state", "erp_synced_at")


def account_path(model: type[Model]) -> str:
    if any(field.name == "account" for field in model._meta.get_fields()):
        return "account"
    try:
        return ACCOUNT_PATHS[model._meta.label_lower]
    except KeyError:
        raise ImproperlyConfigured(f"No path to the account for {model._meta.label}") from None


class AccountRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that only accepts records of the request's account, so an id from
    another account is a 400 on that field, worded like one that does not exist."""

    default_error_messages = {
        "does_not_exist": "No record with id {pk_value} in this account.",
    }

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        assert queryset is not None, "a writable reference has a queryset"
        account = self.context.get("account")
        if account is None:  # no request (schema generation): offer nothing
            return queryset.none()
        return queryset.filter(**{account_path(queryset.model): account})


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


class RecordSerializer(serializers.ModelSerializer[M]):
    """A record of the request's account. Writes go through :mod:`integrations.api.writes`,
    which checks the policy, locked fields and constraints and replaces nested ``lines``."""

    serializer_related_field = AccountRelatedField
    serializer_choice_field = EnumChoiceField

    def get_validators(self) -> list[Any]:
        # Uniqueness is checked by the service against the model's constraints (including the
        # ones on ``account``, which is not an input), and reported on the field at fault.
        return []

    def create(self, validated_data: dict[str, Any]) -> M:
        lines = validated_data.pop("lines", None)
        with api_errors():
            return writes.record_create(
                actor=self.context["request"].user,
                account=self.context["account"],
                model=self.Meta.model,
                fields=validated_data,
                lines=lines,
            )

    def update(self, instance: M, validated_data: dict[str, Any]) -> M:
        lines = validated_data.pop("lines", None)
        with api_errors():
            return writes.record_update(
                actor=self.context["request"].user,
                account=self.context["account"],
                instance=instance,
                changes=validated_data,
                lines=lines,
            )

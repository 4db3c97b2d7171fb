"""What the API shows of each kind of record, and what it accepts on writes: one serializer per
kind, built from its API part (:mod:`integrations.kinds`).

References are ids of records of the same account. ERP fields (``origin_*``, ``erp_state``,
``erp_synced_at``, ``erp_changed``) are read-only: only the export and import workflows (and an
edit of a synced record, which marks it ``erp_changed``) change them. Lines are
nested; a write that sends ``lines`` replaces them (:func:`integrations.services.record_update`).
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import serializers

from integrations.api.fields import AccountRelatedField, api_errors
from integrations.api.schema import EnumChoiceField
from integrations.kinds import Kind
from integrations.models import ErpLinkedModel
from integrations.services import record_create, record_update
from tenancy.models import Account

M = TypeVar("M", bound=Model)

RECORD_FIELDS = ("id", "created_at", "updated_at")
ERP_FIELDS = (
    "origin_id",
    "origin_code",
    "origin_data",
    "erp_state",
    "erp_synced_at",
    "erp_changed",
)
ERP_CHANGED_HELP = "Changed since the last sync: send it again to update the ERP."
# Never written through the API, even on a kind that may be.
ALWAYS_READ_ONLY = (*RECORD_FIELDS, *ERP_FIELDS, "created_by")


class AccountSerializer(serializers.ModelSerializer[Account]):
    class Meta:
        model = Account
        fields = ("id", "name", "slug", "allow_standard_approvers")
        read_only_fields = fields


class RecordSerializer(serializers.ModelSerializer[M]):
    """A record of the request's account. Writes go through the record services, which check
    the policy, locked fields and constraints and replace nested ``lines``."""

    serializer_related_field = AccountRelatedField
    serializer_choice_field = EnumChoiceField

    def get_validators(self) -> list[Any]:
        # Uniqueness is checked by the service against the model's constraints (including the
        # ones on ``account``, which is not an input), and reported on the field at fault.
        return []

    def create(self, validated_data: dict[str, Any]) -> M:
        lines = validated_data.pop("lines", None)
        with api_errors():
            return record_create(
                actor=self.context["request"].user,
                account=self.context["account"],
                model=self.Meta.model,
                fields=validated_data,
                lines=lines,
            )

    def update(self, instance: M, validated_data: dict[str, Any]) -> M:
        lines = validated_data.pop("lines", None)
        with api_errors():
            return record_update(
                actor=self.context["request"].user,
                account=self.context["account"],
                instance=instance,
                changes=validated_data,
                lines=lines,
            )


def shown_fields(kind: Kind) -> tuple[str, ...]:
    """The kind's fields in the API: the record's id and times, its own, its ERP link."""
    assert kind.api is not None
    own = kind.api.fields
    if own is None:  # the web form's fields (a person and an integrator edit the same ones)
        form = kind.web.form_fields if kind.web else ()
        own = (*form, *(name for name in kind.api.declared if name not in form))
    erp = ERP_FIELDS if issubclass(kind.model, ErpLinkedModel) else ()
    return (*RECORD_FIELDS, *own, *erp)


@cache
def serializer_for(kind: Kind) -> type[RecordSerializer[Any]]:
    api = kind.api
    assert api is not None, f"{kind.key} has no API"
    fields = shown_fields(kind)
    meta = type(
        "Meta",
        (),
        {
            "model": kind.model,
            "fields": fields,
            "read_only_fields": ALWAYS_READ_ONLY if api.writable else fields,
        },
    )
    declared = {name: build() for name, build in api.declared.items()}
    if "erp_changed" in fields:
        declared["erp_changed"] = serializers.BooleanField(
            read_only=True, help_text=ERP_CHANGED_HELP
        )
    name = f"{kind.model.__name__}Serializer"
    return type(name, (RecordSerializer,), {**declared, "Meta": meta, "__module__": __name__})

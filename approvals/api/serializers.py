"""What the API shows of an export request, and the bodies its actions accept."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from approvals.bulk_selection import MAX_MATCHING
from approvals.models import ExportRequest, RequestState
from integrations.api.fields import IdField
from integrations.kinds import exportable_types

ITEM_TYPE_CHOICES = [(key, t.erp_label) for key, t in exportable_types()]
MAX_BULK = MAX_MATCHING  # ids in one bulk accept or reject, as in the web queue


def person_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


class RequestStateField(serializers.ChoiceField):
    """The request's state, documented as ``ExportRequestStateEnum`` (not a bare "StateEnum")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RequestState.choices, **kwargs)


class RequestStateFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RequestStateField

    def get_name(self) -> str:
        return "ExportRequestStateEnum"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> Any:
        return auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)


class UserRefSerializer(serializers.Serializer[Any]):
    """A user, as the queue names them."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return person_name(user)


class ExportSummarySerializer(serializers.Serializer[Any]):
    """What the queue shows of the item, taken when it was sent."""

    # A field named like Field.label: the metaclass takes it out of the class at runtime.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    number = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    project = serializers.CharField(read_only=True, help_text="The project's name, if any.")
    vendor = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(
        max_digits=17, decimal_places=2, read_only=True, allow_null=True
    )


REQUEST_FIELDS: tuple[str, ...] = (
    "id",
    "item_type",
    "item_id",
    "state",
    "direct",
    "is_resend",
    "summary",
    "project",
    "sent_by",
    "sent_at",
    "decided_by",
    "decided_at",
    "reason",
    "erp_fields",
    "error",
)


class ExportRequestSerializer(serializers.ModelSerializer[ExportRequest]):
    item_type = serializers.ChoiceField(choices=ITEM_TYPE_CHOICES, read_only=True)
    state = RequestStateField(read_only=True)
    summary = ExportSummarySerializer(read_only=True)
    sent_by = UserRefSerializer(read_only=True)
    decided_by = UserRefSerializer(read_only=True, allow_null=True)
    erp_fields = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The values the approver typed when accepting.",
    )

    class Meta:
        model = ExportRequest
        fields = REQUEST_FIELDS
        read_only_fields = fields


class AddedPairSerializer(serializers.Serializer[Any]):
    """A $0 budget line a send added for a cost code and cost type pair the budget lacked."""

    line = serializers.IntegerField(source="line_id", read_only=True, help_text="Budget line id.")
    cost_code = serializers.IntegerField(source="cost_code_id", read_only=True)
    cost_type = serializers.IntegerField(source="cost_type_id", read_only=True)
    pair = serializers.CharField(
        source="label", read_only=True, help_text="The cost code and cost type, in words."
    )


class BudgetPairsSerializer(serializers.Serializer[Any]):
    """What a send added to the project's budget (the account's *Add new cost code and cost
    type pairs to budgets*)."""

    budget = serializers.IntegerField(
        source="budget_id", read_only=True, allow_null=True, help_text="The budget's id."
    )
    created = serializers.BooleanField(
        read_only=True, help_text="The project had no budget: the send created it."
    )
    added = AddedPairSerializer(many=True, read_only=True)
    not_added = serializers.IntegerField(
        read_only=True, help_text="Pairs the budget lacks but could not take now (see message)."
    )
    message = serializers.CharField(read_only=True, help_text="What happened, in words.")


@extend_schema_field(BudgetPairsSerializer)
class BudgetPairsField(serializers.Field):
    """What the send added to the budget (in the serializer's context); an answer without it
    leaves the field out, so the schema does not list it as always there."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", required=False, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        pairs = self.context.get("budget_pairs")
        if pairs is None:
            raise SkipField()
        return pairs

    def to_representation(self, value: Any) -> Any:
        return BudgetPairsSerializer(value).data


class SentRequestSerializer(ExportRequestSerializer):
    """The request a send opened; with ``budget_pairs`` where the send could add cost code and
    cost type pairs to the budget (the account's setting on, a commitment or a commitment
    change order)."""

    budget_pairs = BudgetPairsField(
        help_text="What the send added to the project's budget; absent when the account does "
        "not add new cost code and cost type pairs to budgets, or the item is not a commitment "
        "or a commitment change order."
    )

    class Meta:
        model = ExportRequest
        fields = (*REQUEST_FIELDS, "budget_pairs")
        read_only_fields = REQUEST_FIELDS


class SendSerializer(serializers.Serializer[Any]):
    """*Send to ERP*: the item, by type and id."""

    item_type = serializers.ChoiceField(choices=ITEM_TYPE_CHOICES)
    item_id = IdField(min_value=1)


def erp_values_field(help_text: str) -> serializers.DictField:
    """The values the ERP asks for (``{"erp_vendor_id": "V-1007"}``), checked by the service."""
    return serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text=help_text
    )


class AcceptSerializer(serializers.Serializer[Any]):
    erp_fields = erp_values_field(
        "Values the ERP asks for when accepting (for example `erp_job_number`; `number`, the "
        "ERP's contract or change order number, when the account uses the ERP's numbers)."
    )


class RetrySerializer(serializers.Serializer[Any]):
    erp_fields = erp_values_field(
        "Replaces the values typed on accept (checked the same way), to change one the ERP "
        "refused (a vendor id already in use); an empty value lets the ERP choose. Leave "
        "it out to retry with the values as they are."
    )


class RejectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(help_text="Why, so the sender can fix it.")


class BulkSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=IdField(min_value=1),
        allow_empty=False,
        max_length=MAX_BULK,
        help_text=f"Export request ids (at most {MAX_BULK}).",
    )


class BulkRejectSerializer(BulkSerializer):
    reason = serializers.CharField(help_text="Why, so the senders can fix them.")


class ErrorDetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(read_only=True)

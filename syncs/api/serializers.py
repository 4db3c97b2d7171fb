"""What the sync API says: schedules, runs and staged records."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integrations.api.fields import IdField
from syncs.importing import BUDGET_MODES
from syncs.models import Every, StagedRecord, StagedStatus, SyncRun


class RunSerializer(serializers.ModelSerializer[SyncRun]):
    done = serializers.IntegerField(read_only=True, help_text="Records fetched so far.")
    percent = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Progress, when the ERP says how many."
    )
    errors = serializers.ListField(  # type: ignore[assignment]
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text="The ERP records not taken: origin_id, origin_code and why (the first 200).",
    )

    class Meta:
        model = SyncRun
        fields = (
            "id",
            "kind",
            "project",
            "trigger",
            "state",
            "created_at",
            "started_at",
            "finished_at",
            "fetched",
            "created",
            "updated",
            "unchanged",
            "invalid",
            "done",
            "total",
            "percent",
            "error",
            "errors",
            "attempts",
        )
        read_only_fields = fields


class RunRequestSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(
        help_text="The kind of sync (e.g. vendors, job_cost_transactions)."
    )
    project = IdField(
        required=False,
        allow_null=True,
        help_text="For job_cost_transactions: only this project (id). Empty: every project.",
    )


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "02:00",
    }
)
class HourMinuteField(serializers.TimeField):
    """A time of day written HH:MM (documented so: OpenAPI's ``time`` format wants seconds)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class ScheduleSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    every = serializers.ChoiceField(choices=Every.choices)
    at = HourMinuteField(required=False, allow_null=True, help_text="For daily: HH:MM.")
    cron = serializers.CharField(required=False, allow_blank=True, max_length=120)
    time_zone = serializers.CharField(read_only=True)
    next_run_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_runs = serializers.ListField(child=serializers.DateTimeField(), read_only=True)
    last_run = RunSerializer(read_only=True, allow_null=True)


class StagedRecordSerializer(serializers.ModelSerializer[StagedRecord]):
    status = serializers.ChoiceField(choices=StagedStatus.choices, read_only=True)

    class Meta:
        model = StagedRecord
        fields: tuple[str, ...] = (
            "id",
            "item_type",
            "origin_id",
            "origin_code",
            "name",
            "status",
            "invalid_reason",
            "job_origin_id",
            "data",
            "origin_data",
            "linked_id",
            "changed_at",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields


class SuggestionSerializer(serializers.Serializer[Any]):
    target = serializers.IntegerField(help_text="The portal record (its id) it may be linked to.")
    record = serializers.CharField(help_text="The portal record, as the portal names it.")
    score = serializers.IntegerField(help_text="0-100.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it matched.")
    confident = serializers.BooleanField(help_text="Safe to link after a review.")


class StagedRecordDetailSerializer(StagedRecordSerializer):
    children = StagedRecordSerializer(many=True, read_only=True, help_text="Its lines.")
    suggestions = SuggestionSerializer(
        many=True,
        read_only=True,
        required=False,
        help_text="Portal records it may be linked to, best first (for those who may link).",
    )

    class Meta(StagedRecordSerializer.Meta):
        fields = (*StagedRecordSerializer.Meta.fields, "children", "suggestions")
        read_only_fields = fields


class LinkSerializer(serializers.Serializer[dict[str, Any]]):
    target = IdField(help_text="The id of the portal record to link it to.")


class ProposalSerializer(SuggestionSerializer):
    staged = serializers.IntegerField(help_text="The staged ERP record.")
    erp_record = serializers.CharField()


class LinkPairSerializer(serializers.Serializer[dict[str, Any]]):
    staged = IdField(help_text="The staged ERP record.")
    target = IdField(help_text="The portal record to link it to.")


class LinkManySerializer(serializers.Serializer[dict[str, Any]]):
    links = LinkPairSerializer(many=True, allow_empty=False)


class LinkResultSerializer(serializers.Serializer[Any]):
    staged = serializers.IntegerField()
    linked = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True, help_text="Why it was not linked.")


class AddSerializer(serializers.Serializer[dict[str, Any]]):
    mode = serializers.ChoiceField(
        choices=sorted(BUDGET_MODES.items()),
        required=False,
        help_text="For a budget: overwrite the current budget, or add the ERP's lines to it.",
    )

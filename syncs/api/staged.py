"""``/api/v1/staged-records/``: the ERP records waiting in *Ready to Import* (reading them needs
the ERP tool), with their link suggestions, and their actions: add, link (one or many),
archive, unarchive, each allowed by its own matrix row. Bad input is a 400 by field; anything
of another account is a 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response

from erp.connections import connection_for
from integrations.api.filters import StableOrderingFilter
from permissions.access import can
from permissions.policy import Action
from syncs import selectors, staged_actions, staging
from syncs.api import serializers as s
from syncs.api.views import SyncViewSet, bad_input
from syncs.models import StagedRecord, StagedStatus


class StagedFilter(filters.FilterSet):
    item_type = filters.CharFilter(help_text="vendors, jobs, sub_jobs, prime_contracts, budgets.")
    status = filters.ChoiceFilter(choices=StagedStatus.choices, help_text="Only this status.")

    class Meta:
        model = StagedRecord
        fields = ("item_type", "status")


@extend_schema(tags=["syncs"])
@extend_schema_view(
    list=extend_schema(summary="Staged ERP records (Ready to Import)"),
    retrieve=extend_schema(
        summary="One staged record, with its lines and link suggestions",
        responses=s.StagedRecordDetailSerializer,
    ),
)
class StagedRecordViewSet(SyncViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = StagedRecord.objects.none()  # get_queryset: the account's
    policy_action = Action.VIEW_ERP_TOOL
    filter_backends = [filters.DjangoFilterBackend, SearchFilter, StableOrderingFilter]
    filterset_class = StagedFilter
    search_fields = ("origin_code", "name", "=origin_id")
    ordering_fields = ("origin_code", "updated_at")
    ordering = ("item_type", "origin_code")

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return s.StagedRecordDetailSerializer
        return s.StagedRecordSerializer

    def get_queryset(self) -> QuerySet[StagedRecord]:
        if getattr(self, "swagger_fake_view", False):
            return StagedRecord.objects.none()
        connection = connection_for(self.account)
        records = selectors.staged_records(self.account, connection, self.request.user)
        if self.action == "retrieve":
            return records.prefetch_related("children")
        return records

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        staged = self.get_object()
        data = dict(s.StagedRecordDetailSerializer(staged).data)
        target = staging.TARGETS.get(staged.item_type)
        may_link = (
            target is not None
            and target.linkable is not None
            and can(request.user, target.link_action, self.account)
        )
        found = staged_actions.suggestions(self.account, staged) if may_link else []
        entries = [{"record": str(r), **vars(x)} for r, x in found]
        data["suggestions"] = s.SuggestionSerializer(entries, many=True).data
        return Response(data)

    def act(self, request: Request, act: str) -> Response:
        staged = self.get_object()
        try:
            staged_actions.run(act, request.user, self.account, staged, request.data)
        except ValidationError as exc:
            raise bad_input(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        staged.refresh_from_db()
        return Response(s.StagedRecordSerializer(staged).data)

    @extend_schema(
        summary="Confident link suggestions, one per ERP record (to review before linking)",
        parameters=[
            OpenApiParameter("item_type", str, description="vendors (the default), jobs, sub_jobs")
        ],
        responses=s.ProposalSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="suggested-links", pagination_class=None)
    def suggested_links(self, request: Request) -> Response:
        item_type = request.query_params.get("item_type") or "vendors"
        if item_type not in staging.TARGETS:
            raise exceptions.ValidationError({"item_type": f"{item_type!r} is not linked."})
        if not can(request.user, staging.TARGETS[item_type].link_action, self.account):
            raise exceptions.PermissionDenied("You may not link these ERP records.")
        records = self.get_queryset().filter(item_type=item_type)
        proposals = [
            {
                "staged": p.staged.pk,
                "erp_record": str(p.staged),
                "record": str(p.record),
                **vars(p.suggestion),
            }
            for p in staged_actions.confident_links(self.account, records)
        ]
        return Response(s.ProposalSerializer(proposals, many=True).data)

    @extend_schema(
        summary="Link many ERP records at once (each on its own)",
        request=s.LinkManySerializer,
        responses=s.LinkResultSerializer(many=True),
    )
    @action(detail=False, methods=["post"], url_path="link-many", pagination_class=None)
    def link_many(self, request: Request) -> Response:
        body = s.LinkManySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = {link["staged"]: link["target"] for link in body.validated_data["links"]}
        found = {r.pk: r for r in self.get_queryset().filter(pk__in=wanted)}
        results = []
        for staged_id, target_id in wanted.items():
            staged = found.get(staged_id)
            if staged is None:
                results.append({"staged": staged_id, "linked": False, "error": "Not found."})
                continue
            try:
                staged_actions.run(
                    "link", request.user, self.account, staged, {"target": target_id}
                )
            except ValidationError as exc:
                error = " ".join(staged_actions.messages_of(exc))
                results.append({"staged": staged_id, "linked": False, "error": error})
            except DjangoPermissionDenied as exc:
                raise exceptions.PermissionDenied(str(exc)) from exc
            else:
                results.append({"staged": staged_id, "linked": True, "error": ""})
        return Response(s.LinkResultSerializer(results, many=True).data)

    @extend_schema(
        summary="Add the ERP record to the portal as a new record (a budget: say how)",
        request=s.AddSerializer,
    )
    @action(detail=True, methods=["post"])
    def add(self, request: Request, pk: str) -> Response:
        s.AddSerializer(data=request.data).is_valid(raise_exception=True)
        return self.act(request, "add")

    @extend_schema(summary="Apply what the ERP changed in an imported prime contract", request=None)
    @action(detail=True, methods=["post"])
    def reimport(self, request: Request, pk: str) -> Response:
        return self.act(request, "reimport")

    @extend_schema(summary="Link the ERP record to a portal record", request=s.LinkSerializer)
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str) -> Response:
        body = s.LinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.act(request, "link")

    @extend_schema(summary="Archive the ERP record (it leaves Ready to Import)", request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self.act(request, "archive")

    @extend_schema(summary="Bring an archived ERP record back to Ready to Import", request=None)
    @action(detail=True, methods=["post"])
    def unarchive(self, request: Request, pk: str) -> Response:
        return self.act(request, "unarchive")

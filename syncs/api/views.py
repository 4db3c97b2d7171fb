"""``/api/v1/sync-schedules/``, ``/api/v1/sync-runs/`` and ``/api/v1/staged-records/``.

The same policy as the pages: reading runs needs *View sync logs*, changing a schedule
*Configure the Sync Schedule*, starting a run the kind's own action (Refresh the Companies
List, Sync Job Cost Transactions, ...), reading staged records the ERP tool. Bad input is a 400
by field; anything of another account is a 404.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, ViewSet

from erp.connections import connection_for
from integrations.api.filters import StableOrderingFilter
from integrations.api.schema import AccountScopedSchema
from integrations.models import Project
from permissions.access import can, describe, restrict
from permissions.policy import Action
from syncs import selectors
from syncs.api import serializers as s
from syncs.kinds import sync_kind
from syncs.models import RunState, SyncRun, SyncSchedule
from syncs.schedules import ensure_schedules, next_runs, schedule_update
from syncs.services import sync_request
from tenancy.api import resolve_account
from tenancy.models import Account


class AccountAction(BasePermission):
    """Signed in, a member of the request's account, and allowed the view's action
    (``policy_actions`` per viewset action, else ``policy_action``)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        account = view.account  # type: ignore[attr-defined]
        actions = getattr(view, "policy_actions", {})
        action = actions.get(getattr(view, "action", None), view.policy_action)  # type: ignore[attr-defined]
        if not can(request.user, action, account):
            raise exceptions.PermissionDenied(f"You do not have permission to {describe(action)}.")
        return True


class SyncViewSet(GenericViewSet[Any]):
    permission_classes = [AccountAction]
    schema = AccountScopedSchema()
    policy_action = Action.VIEW_SYNC_LOGS

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)


KIND = OpenApiParameter(
    "kind", str, OpenApiParameter.PATH, description="The kind of sync (vendors, jobs, ...)."
)


def bad_input(exc: ValidationError) -> exceptions.ValidationError:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    return exceptions.ValidationError(detail)


@extend_schema(tags=["syncs"])
@extend_schema_view(
    list=extend_schema(summary="When each kind of ERP record syncs"),
    retrieve=extend_schema(summary="The schedule of one kind", parameters=[KIND]),
    partial_update=extend_schema(summary="Change when a kind syncs", parameters=[KIND]),
)
class ScheduleViewSet(SyncViewSet, ViewSet):
    queryset = SyncSchedule.objects.none()  # for the schema: entries are built per request
    serializer_class = s.ScheduleSerializer
    policy_action = Action.CONFIGURE_SYNC_SCHEDULE
    lookup_field = "kind"
    pagination_class = None  # one entry per kind, never paged (and so documented)

    def entries(self) -> list[dict[str, Any]]:
        schedules = ensure_schedules(connection_for(self.account))
        last = selectors.last_runs(self.account, [x.kind for x in schedules])
        entries = []
        for schedule in schedules:
            upcoming = next_runs(schedule, self.account)
            entries.append(
                {
                    "kind": schedule.kind,
                    "label": sync_kind(schedule.kind).label,
                    "every": schedule.every,
                    "at": schedule.at,
                    "cron": schedule.cron,
                    "time_zone": self.account.time_zone,
                    "next_run_at": upcoming[0] if upcoming else None,
                    "next_runs": upcoming,
                    "last_run": last.get(schedule.kind),
                }
            )
        return entries

    def entry(self, kind: str) -> dict[str, Any]:
        found = next((e for e in self.entries() if e["kind"] == kind), None)
        if found is None:
            raise exceptions.NotFound("This ERP does not sync that kind of record.")
        return found

    def list(self, request: Request) -> Response:
        return Response(s.ScheduleSerializer(self.entries(), many=True).data)

    def retrieve(self, request: Request, kind: str) -> Response:
        return Response(s.ScheduleSerializer(self.entry(kind)).data)

    def partial_update(self, request: Request, kind: str) -> Response:
        current = self.entry(kind)
        body = s.ScheduleSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = {"every": current["every"], "at": current["at"], "cron": current["cron"]}
        data.update(body.validated_data)
        try:
            schedule_update(actor=request.user, account=self.account, kind=kind, **data)
        except ValidationError as exc:
            raise bad_input(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(s.ScheduleSerializer(self.entry(kind)).data)


class RunFilter(filters.FilterSet):
    kind = filters.CharFilter(help_text="Only runs of this kind of sync.")
    state = filters.ChoiceFilter(choices=RunState.choices, help_text="Only runs in this state.")

    class Meta:
        model = SyncRun
        fields = ("kind", "state")


@extend_schema(tags=["syncs"])
@extend_schema_view(
    list=extend_schema(summary="The sync log"),
    retrieve=extend_schema(summary="One sync run, with its progress and errors"),
    create=extend_schema(
        summary="Sync a kind now (or get the run already going)",
        request=s.RunRequestSerializer,
        responses={
            202: OpenApiResponse(s.RunSerializer, description="A new run, queued."),
            200: OpenApiResponse(s.RunSerializer, description="The run already going."),
        },
    ),
)
class RunViewSet(
    SyncViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    queryset = SyncRun.objects.none()  # get_queryset: the account's
    serializer_class = s.RunSerializer
    policy_actions = {"create": Action.VIEW_ERP_TOOL}  # then the kind's own action
    filter_backends = [filters.DjangoFilterBackend, StableOrderingFilter]
    filterset_class = RunFilter
    ordering_fields = ("created_at",)
    ordering = ("-created_at",)

    def get_queryset(self) -> QuerySet[SyncRun]:
        if getattr(self, "swagger_fake_view", False):
            return SyncRun.objects.none()
        return selectors.runs(self.account)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.RunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = None
        if body.validated_data.get("project") is not None:
            projects = restrict(Project.objects.all(), request.user, self.account)
            project = get_object_or_404(projects, pk=body.validated_data["project"])
        try:
            run, started = sync_request(
                account=self.account,
                kind=body.validated_data["kind"],
                actor=request.user,
                project=project,
            )
        except ValidationError as exc:
            raise bad_input(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        code = status.HTTP_202_ACCEPTED if started else status.HTTP_200_OK
        return Response(s.RunSerializer(run).data, status=code)

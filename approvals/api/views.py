"""``/api/v1/export-requests/``: the queue of items waiting for (or back from) accounting
acceptance, and the workflow's actions on it.

Every change goes through :mod:`approvals.services`, which asks the policy, locks what it
changes and is all-or-nothing; this module only finds the requests, reads the bodies and says
the services' refusals in HTTP:

- the item or a request is not in the request's account (or not visible to the user): 404;
- the user may not do this (``PermissionDenied``): 403;
- the request (or item) has moved on (``DecisionConflict``, ``InvalidTransition``): 409 with a
  ``detail`` that says who decided it, and when;
- the input or the item breaks a rule (``ValidationError``, ``SendRefused``): 400 with the errors
  by field.

Who sees which requests: users who may see the ERP Integrations tool see all of the account's;
anyone else sees the requests they sent themselves (a project manager follows their own items).
A request someone may not see is a 404, as everywhere in the API.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from approvals import batches
from approvals.api import serializers as s
from approvals.api.batches import BATCH_LINK, PREFER_MINIMAL, batch_link, wants_minimal
from approvals.errors import DecisionConflict, InvalidTransition, SendRefused
from approvals.models import ExportRequest, RequestState
from approvals.services import (
    Sent,
    export_accept,
    export_reject,
    export_resend,
    export_retrieve,
    export_retry,
    export_send_outcome,
)
from integrations.api.fields import api_errors
from integrations.api.filters import IdFilter, StableOrderingFilter
from integrations.api.tenancy import AccountScopedViewSet
from integrations.kinds import by_object_type
from permissions.access import can
from permissions.policy import Action
from tenancy.scoping import for_account


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request has moved on; reload it."
    default_code = "conflict"


@contextmanager
def workflow_errors() -> Iterator[None]:
    """Say a workflow service's refusal as the API's error (see the module docstring)."""
    try:
        with api_errors():  # Django ValidationError -> 400 by field
            yield
    except SendRefused as exc:
        raise exceptions.ValidationError(exc.as_dict()) from exc
    except (DecisionConflict, InvalidTransition) as exc:
        raise Conflict(exc.message) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except ObjectDoesNotExist as exc:  # a request or item vanished under us
        raise exceptions.NotFound(str(exc) or None) from exc


class AccountMember(BasePermission):
    """Signed in, with a resolvable account (resolving it may answer 400, 403 or 404). What a
    user may do to a request is the services' question; what they may see, the queryset's."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        view.account  # type: ignore[attr-defined]  # noqa: B018  # resolve (or refuse) it
        return True


class ExportRequestFilter(filters.FilterSet):
    state = filters.ChoiceFilter(
        choices=RequestState.choices, help_text="Only requests in this state."
    )
    type = filters.ChoiceFilter(
        field_name="item_type",
        choices=s.ITEM_TYPE_CHOICES,
        help_text="Only requests for this type of item.",
    )
    project = IdFilter(
        field_name="project", help_text="Only requests for items of this project (id)."
    )

    class Meta:
        model = ExportRequest
        fields = ("state", "type", "project")


ERRORS: dict[int | str, Any] = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Errors by field: `{field: [...]}`."),
    403: OpenApiResponse(s.ErrorDetailSerializer, description="You may not do this."),
    404: OpenApiResponse(s.ErrorDetailSerializer, description="No such request in this account."),
    409: OpenApiResponse(
        s.ErrorDetailSerializer, description="The request has moved on: who decided it, and when."
    ),
}


def _responses(ok: int, body: Any) -> dict[int | str, Any]:
    return {ok: body, **ERRORS}


@extend_schema(tags=["export requests"])
@extend_schema_view(
    list=extend_schema(summary="The export queue"),
    retrieve=extend_schema(summary="One export request"),
)
class ExportRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, AccountScopedViewSet[ExportRequest]
):
    """Items sent to the ERP for accounting acceptance: one request per trip.

    A request is `pending` until an approver accepts or rejects it (or its sender retrieves
    it); an accepted one is exported (`exporting`, then `synced` or `failed`).
    """

    queryset = ExportRequest.objects.none()  # get_queryset: the account's, as visible
    serializer_class = s.ExportRequestSerializer
    permission_classes = [AccountMember]
    filter_backends = [filters.DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ExportRequestFilter
    ordering_fields = ("sent_at", "decided_at", "state", "item_type")

    # --- Finding requests ------------------------------------------------------------------

    def visible(self) -> QuerySet[ExportRequest]:
        """The account's requests this user may see."""
        queryset = ExportRequest.objects.for_account(self.account)
        if not can(self.request.user, Action.VIEW_ERP_TOOL, self.account):
            queryset = queryset.filter(sent_by=self.request.user.pk)
        return queryset

    def get_queryset(self) -> QuerySet[ExportRequest]:
        if getattr(self, "swagger_fake_view", False):
            return ExportRequest.objects.none()
        return self.visible().select_related("sent_by", "decided_by")

    def _shown(self, ids: Sequence[int]) -> Any:
        """The requests (just changed by a service), as the API shows them, in id order."""
        requests = (
            ExportRequest.objects.for_account(self.account)
            .filter(pk__among=ids)
            .select_related("sent_by", "decided_by")
            .order_by("pk")
        )
        return self.get_serializer(requests, many=True).data

    def _ids(self, ids: Sequence[int]) -> list[int]:
        """``ids`` without repeats, all of requests this user sees in the account (else 404)."""
        wanted = list(dict.fromkeys(ids))
        found = set(self.visible().filter(pk__among=wanted).values_list("pk", flat=True))
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            listed = ", ".join(str(pk) for pk in missing[:20])
            more = "" if len(missing) <= 20 else f" and {len(missing) - 20} more"
            raise exceptions.NotFound(f"No export request with id {listed}{more} in this account.")
        return wanted

    def _body(self, serializer_class: type[Serializer[Any]]) -> dict[str, Any]:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _sent(self, sent: Sent) -> Response:
        """The request a send opened, with what it added to the budget (``budget_pairs``)."""
        request = (
            ExportRequest.objects.for_account(self.account)
            .select_related("sent_by", "decided_by")
            .get(pk=sent.request.pk)
        )
        context = {**self.get_serializer_context(), "budget_pairs": sent.budget_pairs}
        body = s.SentRequestSerializer(request, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)

    # --- Send --------------------------------------------------------------------------------

    @extend_schema(
        summary="Send an item to the ERP",
        request=s.SendSerializer,
        responses=_responses(201, s.SentRequestSerializer),
        description=(
            "Checks the ERP's rules (400 names each failing field) and opens a `pending` "
            "request, or an `accepted` one when the account exports this type directly. "
            "Needs Admin on the item's tool. When the account adds new cost code and cost type "
            "pairs to budgets, `budget_pairs` says what the send added to the project's budget."
        ),
    )
    def create(self, request: Request) -> Response:
        data = self._body(s.SendSerializer)
        kind = by_object_type(data["item_type"])
        item = for_account(kind.model, self.account).filter(pk=data["item_id"]).first()
        if item is None:
            raise exceptions.NotFound(
                f"No {kind.erp_label.lower()} with id {data['item_id']} in this account."
            )
        with workflow_errors():
            sent = export_send_outcome(item=item, actor=self.request.user)
        return self._sent(sent)

    @extend_schema(
        summary="Re-send the request's item",
        request=None,
        responses=_responses(201, s.SentRequestSerializer),
        description=(
            "Sends the item again, as a new request, after this one was retrieved or rejected "
            "(409 otherwise); `budget_pairs` as for a send."
        ),
    )
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str) -> Response:
        previous = self.get_object()
        with workflow_errors():
            sent = export_resend(account=self.account, request_id=previous.pk, actor=request.user)
        return self._sent(sent)

    # --- Decide ------------------------------------------------------------------------------

    @extend_schema(
        summary="Retrieve the item from the ERP",
        request=None,
        responses=_responses(200, s.ExportRequestSerializer),
        description="The sender takes a pending item back before anyone decides on it.",
    )
    @action(detail=True, methods=["post"], url_path="retrieve", url_name="retrieve-from-erp")
    def retrieve_from_erp(self, request: Request, pk: str) -> Response:
        target = self.get_object()
        with workflow_errors():
            export_retrieve(account=self.account, request_id=target.pk, actor=request.user)
        return Response(self._shown([target.pk])[0])

    @extend_schema(
        summary="Retry a failed export",
        request=s.RetrySerializer,
        responses=_responses(200, s.ExportRequestSerializer),
        description="Once the cause is fixed, a request in Failed to Export goes back to the "
        "export queue. With `erp_fields`, the values typed on accept are replaced first "
        "(400 names a field the ERP does not ask for or a value it would refuse).",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        target = self.get_object()
        data = self._body(s.RetrySerializer)
        with workflow_errors():
            export_retry(
                account=self.account,
                request_ids=[target.pk],
                actor=request.user,
                erp_fields=data.get("erp_fields"),
            )
        return Response(self._shown([target.pk])[0])

    @extend_schema(
        summary="Accept",
        request=s.AcceptSerializer,
        responses=_responses(200, s.ExportRequestSerializer),
        description="An accounting approver lets the item go to the ERP.",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        target = self.get_object()
        data = self._body(s.AcceptSerializer)
        with workflow_errors():
            export_accept(
                account=self.account,
                request_ids=[target.pk],
                actor=request.user,
                erp_fields=data.get("erp_fields") or {},
            )
        return Response(self._shown([target.pk])[0])

    @extend_schema(
        summary="Reject",
        request=s.RejectSerializer,
        responses=_responses(200, s.ExportRequestSerializer),
        description="An accounting approver sends the item back to its sender, saying why.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        target = self.get_object()
        data = self._body(s.RejectSerializer)
        with workflow_errors():
            export_reject(
                account=self.account,
                request_ids=[target.pk],
                actor=request.user,
                reason=data["reason"],
            )
        return Response(self._shown([target.pk])[0])

    def _decided(self, ids: Sequence[int], state: str) -> Response:
        """The answer to a bulk decision: every request in full, or with ``Prefer:
        return=minimal`` the count, the state and the ids."""
        if not wants_minimal(self.request):
            return Response(self._shown(ids))
        response = Response({"count": len(ids), "state": state, "ids": sorted(ids)})
        response["Preference-Applied"] = "return=minimal"
        return response

    @extend_schema(
        summary="Accept several",
        request=s.BulkSerializer,
        responses=_responses(200, s.ExportRequestSerializer(many=True)),
        parameters=[BATCH_LINK, PREFER_MINIMAL],
        description="All or nothing: one that cannot be accepted refuses the lot. With more "
        f"than {batches.HANDFUL}, the `Link` header names the batch whose exports to follow.",
    )
    @action(detail=False, methods=["post"], url_path="bulk-accept", url_name="bulk-accept")
    def bulk_accept(self, request: Request) -> Response:
        ids = self._ids(self._body(s.BulkSerializer)["ids"])
        with workflow_errors():
            accepted = export_accept(account=self.account, request_ids=ids, actor=request.user)
        response = self._decided(ids, RequestState.ACCEPTED)
        if token := batches.followed(accepted):
            response["Link"] = batch_link(request, token)
        return response

    @extend_schema(
        summary="Reject several",
        request=s.BulkRejectSerializer,
        responses=_responses(200, s.ExportRequestSerializer(many=True)),
        parameters=[PREFER_MINIMAL],
        description="All or nothing, with one reason for all.",
    )
    @action(detail=False, methods=["post"], url_path="bulk-reject", url_name="bulk-reject")
    def bulk_reject(self, request: Request) -> Response:
        data = self._body(s.BulkRejectSerializer)
        ids = self._ids(data["ids"])
        with workflow_errors():
            export_reject(
                account=self.account, request_ids=ids, actor=request.user, reason=data["reason"]
            )
        return self._decided(ids, RequestState.REJECTED)

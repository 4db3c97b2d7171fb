"""``/api/v1/export-batches/<token>/``: how far the exports of one bulk accept have got.

A bulk accept of more than a handful of requests answers, besides the requests, a ``Link``
header to its batch (``rel="export-batch"``); polling that URL costs one aggregate query
whatever the batch's size. Whoever may see the ERP Integrations tool may read a batch of the
account; a token of another account, or a forged one, is a 404.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import batches
from approvals.api.serializers import ErrorDetailSerializer
from integrations.api.schema import AccountScopedSchema
from permissions.drf import PolicyPermission
from permissions.policy import Action
from tenancy.api import resolve_account
from tenancy.models import Account

LINK_REL = "export-batch"
BATCH_LINK = OpenApiParameter(
    "Link",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description=(
        f'`<url>; rel="{LINK_REL}"`: where to follow the exports, when more than '
        f"{batches.HANDFUL} requests were accepted (`GET /api/v1/export-batches/{{token}}/`)."
    ),
)


class BatchProgressSerializer(serializers.Serializer[batches.Progress]):
    total = serializers.IntegerField(read_only=True, help_text="Requests in the batch.")
    exported = serializers.IntegerField(read_only=True, help_text="Now in the ERP (`synced`).")
    failed = serializers.IntegerField(read_only=True, help_text="In Failed to Export.")
    waiting = serializers.IntegerField(
        read_only=True, help_text="Accepted, waiting for (or being sent to) the ERP."
    )
    done = serializers.BooleanField(read_only=True, help_text="No request of it waits any more.")


def batch_link(request: Request, token: str) -> str:
    url = request.build_absolute_uri(reverse("approvals-api:export-batch", kwargs={"token": token}))
    return f'<{url}>; rel="{LINK_REL}"'


@extend_schema(tags=["export requests"])
class ExportBatchView(APIView):
    permission_classes = [PolicyPermission]
    schema = AccountScopedSchema()
    policy_action = Action.VIEW_ERP_TOOL

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)

    @extend_schema(
        summary="Progress of a bulk accept",
        description=(
            "Counts of the batch's requests by where they are now; poll it until `done`. "
            "The token comes from the `Link` header of a bulk accept."
        ),
        responses={
            200: BatchProgressSerializer,
            404: OpenApiResponse(ErrorDetailSerializer, description="No such batch here."),
        },
    )
    def get(self, request: Request, token: str, **kwargs: Any) -> Response:
        progress = batches.progress(self.account, token)
        if progress is None:
            raise exceptions.NotFound("No such export batch in this account.")
        return Response(BatchProgressSerializer(progress).data)


PREFER_MINIMAL = OpenApiParameter(
    "Prefer",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["return=minimal"],
    description=(
        "`return=minimal` (RFC 7240): answer with the count, the new state and the ids instead "
        "of every request in full: the quick way to decide thousands at once. The answer then "
        "carries `Preference-Applied: return=minimal`."
    ),
)


def wants_minimal(request: Any) -> bool:
    """Whether the client asked for the short answer (``Prefer: return=minimal``)."""
    prefer = request.headers.get("Prefer", "")
    return "return=minimal" in {p.strip().lower() for p in prefer.split(",")}

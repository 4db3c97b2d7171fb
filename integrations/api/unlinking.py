"""``POST /api/v1/<collection>/<id>/unlink/`` (commitments, CCOs, PCCOs, subcontractor and owner
invoices, companies) and ``POST /api/v1/prime-contract-change-orders/<id>/reset/``: the actions
:func:`unlink_actions` adds to a kind's viewset, over :mod:`integrations.unlinking`.

Who may: the kind's matrix row (``policy_actions``, asked on the record by
:class:`permissions.drf.PolicyPermission`): 403 if the user may see the record, 404 if not (or
of another account). A missing reason is a 400 on ``reason``. A refusal (the ERP still has the
record, it is not synced, the connector cannot) is a 409 with the reason, 503 when the ERP did
not answer; those are *answered*, not raised: a raised API error rolls back the request's
transaction, and the ERP log keeps the call that was made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from integrations.api.fields import api_errors
from integrations.api.serializers import serializer_for
from integrations.kinds import Kind
from integrations.unlinking import Unlinked, UnlinkRefused, is_pcco, pcco_reset, record_unlink
from permissions.policy import Action


class UnlinkSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        allow_blank=True, help_text="Why it is unlinked (required; kept in its history)."
    )


class ResetSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Why it is reset (kept in its history)."
    )


class RefusalSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(read_only=True)


def _responses(ok: Any, refused: str, *, asks_erp: bool) -> dict[int | str, Any]:
    responses: dict[int | str, Any] = {
        200: ok,
        400: OpenApiResponse(OpenApiTypes.OBJECT, description="Errors by field: `{field: [...]}`."),
        403: OpenApiResponse(RefusalSerializer, description="The permission matrix refuses you."),
        404: OpenApiResponse(RefusalSerializer, description="No such record in this account."),
        409: OpenApiResponse(RefusalSerializer, description=refused),
    }
    if asks_erp:
        responses[503] = OpenApiResponse(
            RefusalSerializer, description="The ERP did not answer; try again later."
        )
    return responses


def _run(
    view: Any, request: Request, body: type[serializers.Serializer[Any]], service: Any
) -> Unlinked | Response:
    """The service's answer for the view's record, or the refusal to answer with."""
    record = view.get_object()  # 404, or 403 per the kind's matrix row
    given = body(data=request.data)
    given.is_valid(raise_exception=True)
    try:
        with api_errors():
            done: Unlinked = service(actor=request.user, record=record, **given.validated_data)
    except UnlinkRefused as exc:
        return Response({"detail": exc.message}, status=exc.status)
    except LookupError as exc:
        raise exceptions.NotFound(str(exc)) from exc
    return done


def _unlink(kind: Kind) -> Callable[..., Response]:
    @extend_schema(
        summary=f"Unlink the {kind.erp_label.lower()} from the ERP",
        description=(
            "Once the record is deleted in the ERP, the ERP is asked whether it still has it; "
            "if not, the record is *Not sent* again (no ERP id, editable, sendable as a new "
            "record) and its history keeps the ERP id it had, who unlinked it and why."
        ),
        request=UnlinkSerializer,
        responses=_responses(
            serializer_for(kind),
            "The ERP still has the record (what to delete there), the record is not synced, "
            "records sent after it refer to it, or the connector cannot unlink this type.",
            asks_erp=True,
        ),
    )
    @action(detail=True, methods=["post"])
    def unlink(self: Any, request: Request, pk: str) -> Response:
        done = _run(self, request, UnlinkSerializer, record_unlink)
        if isinstance(done, Response):
            return done
        return Response(self.get_serializer(done.record).data)

    return unlink


class ResetResultSerializer(serializers.Serializer[Any]):
    message = serializers.CharField(
        read_only=True, help_text="Says that its copy in the ERP must be deleted by hand."
    )


def _reset(kind: Kind) -> Callable[..., Response]:
    result = type(
        "PrimeContractChangeOrderResetSerializer",
        (ResetResultSerializer,),
        {"record": serializer_for(kind)(read_only=True), "__module__": __name__},
    )

    @extend_schema(
        summary="Reset the PCCO (unsync it without asking the ERP)",
        description=(
            "ERP admins: the change order is *Not sent* again at once; the ERP is not asked, "
            "so its copy there must be deleted by hand (the answer's `message` says so)."
        ),
        request=ResetSerializer,
        responses=_responses(
            result,
            "The change order is not synced, or the connector does not reset PCCOs.",
            asks_erp=False,
        ),
    )
    @action(detail=True, methods=["post"])
    def reset(self: Any, request: Request, pk: str) -> Response:
        done = _run(self, request, ResetSerializer, pcco_reset)
        if isinstance(done, Response):
            return done
        record = self.get_serializer(done.record).data
        return Response({"message": done.message, "record": record}, status=status.HTTP_200_OK)

    return reset


def unlink_actions(kind: Kind) -> dict[str, Any]:
    """The kind's viewset attributes for its unlink (and, for PCCOs, reset) actions, with the
    matrix row each asks: none for a kind that is not unlinked."""
    if kind.erp is None or kind.erp.unlink_action is None:
        return {}
    attrs: dict[str, Any] = {
        "unlink": _unlink(kind),
        "policy_actions": {"unlink": kind.erp.unlink_action},
    }
    if is_pcco(kind):
        attrs["reset"] = _reset(kind)
        attrs["policy_actions"]["reset"] = Action.RESET_PCCO
    return attrs

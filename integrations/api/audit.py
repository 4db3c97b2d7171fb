"""``GET /api/v1/audit-events/``: the account's audit trail, newest first, paginated, with the
filters of the Audit page. For ERP admins (``view_audit_trail``); rows are never written here."""

from __future__ import annotations

from functools import cached_property

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from audit.models import AuditEvent
from integrations import audit_trail as trail
from integrations.api.schema import AccountScopedSchema
from permissions.access import can, describe
from permissions.policy import Action
from tenancy.api import resolve_account
from tenancy.models import Account


class MayViewAuditTrail(BasePermission):
    """Signed in, a member of the request's account (else 404), allowed ``view_audit_trail``."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        account = view.account  # type: ignore[attr-defined]  # resolving it may answer 400/404
        if not can(request.user, Action.VIEW_AUDIT_TRAIL, account):
            raise exceptions.PermissionDenied(
                f"You do not have permission to {describe(Action.VIEW_AUDIT_TRAIL)}."
            )
        return True


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.IntegerField(
        source="actor_id", allow_null=True, help_text="The user's id; null: the system."
    )
    actor_name = serializers.SerializerMethodField(help_text='Their name, or "System".')
    action = serializers.SerializerMethodField(help_text="The verb in words.")
    item_type_label = serializers.SerializerMethodField(help_text="The object type in words.")

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "created_at",
            "actor",
            "actor_name",
            "verb",
            "action",
            "item_type",
            "item_type_label",
            "item_id",
            "request_id",
            "before",
            "after",
            "reason",
            "data",
        )
        read_only_fields = fields

    def get_actor_name(self, event: AuditEvent) -> str:
        return trail.actor_name(event)

    def get_action(self, event: AuditEvent) -> str:
        return trail.verb_label(event.verb)

    def get_item_type_label(self, event: AuditEvent) -> str:
        return trail.item_type_label(event.item_type)


@extend_schema(tags=["audit"])
@extend_schema_view(list=extend_schema(summary="The account's audit trail, newest first"))
class AuditEventViewSet(mixins.ListModelMixin, GenericViewSet[AuditEvent]):
    """Every audited change of the account: who, when, what, on which object, before and
    after, why, and the changed fields (`{field: [old, new]}`). Filter as on the Audit page."""

    queryset = AuditEvent.objects.none()  # for the schema: the rows are the account's
    serializer_class = AuditEventSerializer
    permission_classes = [MayViewAuditTrail]
    filter_backends = [DjangoFilterBackend]
    filterset_class = trail.AuditEventFilter
    schema = AccountScopedSchema()

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        return trail.account_events(self.account)

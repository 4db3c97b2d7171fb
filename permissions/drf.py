"""DRF permission class that asks the same ``can()`` as every other layer.

A view declares what it is doing with ``policy_action`` (one :class:`Action` for every method)
or ``policy_actions`` (per viewset action, e.g. ``{"create": Action.EDIT_RECORDS}``); without
either, reads ask ``VIEW_RECORDS`` and writes ``EDIT_RECORDS``. The view also provides
``account`` (the tenant of the request; resolving it may itself answer 400 or 404).

- Collections: reads of records are narrowed by the queryset (``restrict()``), so a user who
  may see nothing gets an empty page, not a 403. Any other action (a create, a custom action)
  is asked on the view's model class.
- Records: ``has_object_permission`` asks with the record. Refused: 403 if the user may see the
  record, 404 if not (a forbidden record does not reveal that it exists).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from permissions.access import can
from permissions.policy import Action


def policy_action_for(request: Request, view: APIView) -> Action:
    """The action ``view`` declares for this request."""
    per_action: dict[str, Action] = getattr(view, "policy_actions", None) or {}
    name = getattr(view, "action", None)
    if name in per_action:
        return Action(per_action[name])
    declared = getattr(view, "policy_action", None)
    if declared is not None:
        return Action(declared)
    return Action.VIEW_RECORDS if request.method in SAFE_METHODS else Action.EDIT_RECORDS


def _account_of(view: APIView) -> Any:
    if not hasattr(view, "account"):
        raise ImproperlyConfigured(f"{type(view).__name__} uses PolicyPermission without .account")
    return view.account


def _is_detail(view: APIView) -> bool:
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    return lookup in getattr(view, "kwargs", {})


def _model_of(view: APIView) -> type[Model] | None:
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else None


class PolicyPermission(BasePermission):
    """Ask ``can(user, <the view's action>, <the request's account>, obj=...)``."""

    message = "You do not have permission to do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        account = _account_of(view)  # resolved here: a bad or missing account is 400/404
        action = policy_action_for(request, view)
        if _is_detail(view) or action is Action.VIEW_RECORDS:
            # Records are checked one by one; collections of records narrow themselves.
            return True
        return can(request.user, action, account, obj=_model_of(view))

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        account = _account_of(view)
        action = policy_action_for(request, view)
        if can(request.user, action, account, obj=obj):
            return True
        if action is not Action.VIEW_RECORDS and can(
            request.user, Action.VIEW_RECORDS, account, obj=obj
        ):
            return False
        raise NotFound()

"""A view mixin that asks the policy before the view runs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model

from permissions.access import can
from permissions.policy import Action


class PolicyRequiredMixin:
    """Refuse (403) unless ``can(user, policy_action, account, ...)``.

    The view provides ``account`` (see ``tenancy.web.AccountView``) and may override
    :meth:`policy_target` to name the record or model asked about.
    """

    policy_action: Action
    request: Any
    account: Any

    def policy_target(self) -> Model | type[Model] | None:
        return None

    def check_policy(self) -> None:
        if not can(self.request.user, self.policy_action, self.account, obj=self.policy_target()):
            raise PermissionDenied("You do not have permission to do this.")

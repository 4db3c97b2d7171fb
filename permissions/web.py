"""The base of every page of an account: it asks the policy before the view runs.

A view declares ``policy_action`` (the :class:`Action` asked, on :meth:`policy_target`) or,
for the few pages every member may open (the overview), ``policy_action = None``. Declaring
nothing is an error when the class is created, so a new page cannot forget its check; a test
walks every URL to prove each one answers as its declaration says.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model

from permissions.access import can, describe
from permissions.policy import Action
from tenancy.web import AccountView


class PolicyView(AccountView):
    """Refuse (403) unless ``can(user, policy_action, account, obj=policy_target())``."""

    policy_action: ClassVar[Action | None]
    abstract: ClassVar[bool] = True  # a base for other views, not a page

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        if not any("policy_action" in vars(base) for base in cls.__mro__):
            raise TypeError(f"{cls.__name__} must declare policy_action (None: any member).")

    def policy_target(self) -> Model | type[Model] | None:
        """What the action is asked about: a record, a model (on any project) or the account."""
        return None

    def resolved_account(self) -> None:
        self.check_policy(self.policy_action, self.policy_target())

    def check_policy(self, action: Action | None, target: Model | type[Model] | None) -> None:
        if action is not None and not can(self.request.user, action, self.account, obj=target):
            raise PermissionDenied(f"You do not have permission to {describe(action)}.")

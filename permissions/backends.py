"""Django's permission API answered by the policy: ``user.has_perm("permissions.<action>", obj)``.

:class:`PolicyBackend` authenticates no one; it only answers permission questions, each by
asking :func:`permissions.access.can`, so ``has_perm``, ``has_perms`` and
``get_all_permissions`` say what every other layer says.

- Names are ``"permissions.<action>"`` for every :class:`~permissions.policy.Action`
  (``"permissions.accept_reject_budget"``); any other name is not this backend's (False).
- ``obj`` is where the question is asked: an account; a project (``can(..., project=obj)``); or a
  record of a registered kind (``can(..., obj=record)``), each in its own account. Anything
  else: False.
- Without ``obj``: True when ``can()`` says yes in at least one account the user is an active
  member of. It is a gate ("may do this somewhere"), not a decision: ask again with the object.
- Inactive and anonymous users hold nothing; superusers hold everything (as in Django).
- ``has_module_perms`` is not answered, so the admin site shows only what Django's own
  permissions allow.

Lists: :func:`permissions.access.allowed` answers "which of these records" for an action (the
policy's ``get_objects_for_user``). django-guardian stores the project-level assignments
(:mod:`permissions.models`) but its backend is not hooked: a stored row is not a decision.

Queries: ``can()`` caches the user's grants per account on the user object; this backend adds
one query per user object, the first time it needs them, for the user's active accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.backends import BaseBackend
from django.db.models import Model

from permissions.access import MEMBER_ACCOUNTS_ATTR, can
from permissions.models import project_model
from permissions.policy import Action
from permissions.resources import resource_for
from tenancy.models import Account

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    AnyUser = AbstractBaseUser | AnonymousUser

APP_LABEL = "permissions"
_ACCOUNTS_ATTR = MEMBER_ACCOUNTS_ATTR
_ACTIONS: dict[str, Action] = {f"{APP_LABEL}.{action.value}": action for action in Action}


def permission_name(action: Action) -> str:
    """The name Django's API knows ``action`` by: ``"permissions.<action value>"``."""
    return f"{APP_LABEL}.{action.value}"


def _action_named(perm: object) -> Action | None:
    return _ACTIONS.get(perm) if isinstance(perm, str) else None


def _holds_anything(user: AnyUser) -> bool:
    return bool(user.is_active) and not user.is_anonymous


def _member_accounts(user: AnyUser) -> dict[int, Account]:
    """The accounts the user is an active member of, by id (loaded once per user object)."""
    cached: dict[int, Account] | None = user.__dict__.get(_ACCOUNTS_ATTR)
    if cached is None:
        active = Account.objects.filter(memberships__user=user.pk, memberships__is_active=True)
        cached = {account.pk: account for account in active}
        user.__dict__[_ACCOUNTS_ATTR] = cached
    return cached


def _is_asked_about(obj: object) -> bool:
    """Whether ``obj`` is a place the policy answers for (an account, a project, a record)."""
    if not isinstance(obj, Model):
        return False
    if isinstance(obj, (Account, project_model())):
        return True
    try:
        resource_for(obj)
    except LookupError:
        return False
    return True


def _account_of(user: AnyUser, obj: Model) -> Account | None:
    """The account a project or record belongs to, without a query where the user is an active
    member; None where the user holds nothing there (``can()`` would refuse)."""
    account_id: int | None = getattr(obj, "account_id", None)
    account = _member_accounts(user).get(account_id) if account_id is not None else None
    if account is None and getattr(user, "is_superuser", False):
        account = getattr(obj, "account", None)
    return account


def _allowed(user: AnyUser, action: Action, obj: Model) -> bool:
    """``can()`` asked where ``obj`` says (an account, a project, a record)."""
    if isinstance(obj, Account):
        return can(user, action, obj)
    account = _account_of(user, obj)
    if account is None:
        return False
    if isinstance(obj, project_model()):
        return can(user, action, account, project=obj)
    return can(user, action, account, obj=obj)


def _allowed_somewhere(user: AnyUser, action: Action) -> bool:
    """Yes in at least one account the user is an active member of (superusers: anywhere)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(can(user, action, account) for account in _member_accounts(user).values())


class PolicyBackend(BaseBackend):
    """Answers ``has_perm``/``get_all_permissions`` with ``can()``; never authenticates."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: AnyUser, perm: str, obj: Model | None = None) -> bool:
        action = _action_named(perm)
        if action is None or not _holds_anything(user_obj):
            return False
        if obj is None:
            return _allowed_somewhere(user_obj, action)
        return _is_asked_about(obj) and _allowed(user_obj, action, obj)

    def get_all_permissions(self, user_obj: AnyUser, obj: Model | None = None) -> set[str]:
        if not _holds_anything(user_obj) or (obj is not None and not _is_asked_about(obj)):
            return set()
        if obj is None:
            return {permission_name(a) for a in Action if _allowed_somewhere(user_obj, a)}
        return {permission_name(a) for a in Action if _allowed(user_obj, a, obj)}

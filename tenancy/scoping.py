"""Account data is read through its account: the one queryset every such model's ``objects`` is.

Every model that holds an account's data declares ``objects = AccountScopedQuerySet.as_manager()``
(the integrations' records through ``TenantModel``, their lines through their bases). Its
``for_account(account)`` keeps the account's rows: on ``account`` for a model with its own
foreign key, or on the path a model declares as ``account_path`` when it reaches its account
through a parent (a line item through its record: ``account_path = "commitment__account"``).

A page or an API operation starts every query of account data from ``for_account()`` (or hands
it to ``permissions.access.restrict()``, which starts from it): ``tests/test_account_scoping.py``
fails on a model of account data without this manager, and on a request-facing module that
queries one any other way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models

if TYPE_CHECKING:
    from tenancy.models import Account

_M = TypeVar("_M", bound=models.Model)

DIRECT = "account"


def account_path(model: type[models.Model]) -> str:
    """The ORM path from ``model`` to its account (``account``, ``budget__account``)."""
    path = getattr(model, "account_path", DIRECT)
    if not isinstance(path, str) or not path.endswith(DIRECT):
        raise TypeError(f"{model.__name__}.account_path must be an ORM path ending in 'account'.")
    return path


def path_reaches_account(model: type[models.Model], path: str) -> bool:
    """Does ``path`` follow foreign keys from ``model`` to ``tenancy.Account``?"""
    from tenancy.models import Account

    current: Any = model
    for name in path.split("__"):
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or not (field.many_to_one or field.one_to_one):
            return False
        current = field.related_model
    return current is Account


class AccountScopedQuerySet(models.QuerySet[_M]):
    """The rows of account data, narrowed to one account by :meth:`for_account`."""

    def for_account(self, account: Account | int) -> Self:
        """The rows of ``account`` (an account or its id), and only those."""
        return self.filter(**{account_path(self.model): account})


def for_account(model: type[_M], account: Account | int) -> models.QuerySet[_M]:
    """``model.objects.for_account(account)`` for a model known only at run time (a kind's);
    refuses a model that does not hold account data."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, AccountScopedQuerySet):
        raise TypeError(f"{model.__name__} has no account-scoped manager.")
    return queryset.for_account(account)

"""``can()``: the one question every layer asks; ``restrict()``: querysets narrowed by it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from permissions.grants import load_member
from permissions.levels import Level, Privilege, Tool
from permissions.policy import COMPANY, POLICY, Action, Holdings, Scope, rule_allows
from permissions.resources import ITSELF, project_id_of, resource_for
from tenancy.scoping import AccountScopedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from tenancy.models import Account

    AnyUser = AbstractBaseUser | AnonymousUser

M = TypeVar("M", bound=Model)
_CACHE_ATTR = "_erp_portal_holdings"
MEMBER_ACCOUNTS_ATTR = "_erp_portal_member_accounts"  # permissions.backends' cache


def holdings_for(user: AnyUser, account: Account) -> Holdings | None:
    """The user's grants in the account (cached on the user object), or None if not a member."""
    if not user.is_authenticated or not user.is_active:
        return None
    cache: dict[int, Holdings | None] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if account.pk not in cache:
        cache[account.pk] = _load_holdings(user, account)
    return cache[account.pk]


def forget_holdings(user: AnyUser) -> None:
    """Drop the cached grants and memberships (after they change within the same request)."""
    user.__dict__.pop(_CACHE_ATTR, None)
    user.__dict__.pop(MEMBER_ACCOUNTS_ATTR, None)


def _load_holdings(user: Any, account: Account) -> Holdings | None:
    from tenancy.models import Membership

    membership = Membership.objects.filter(account=account, user=user, is_active=True).first()
    if membership is None:
        if user.is_superuser:
            return Holdings(company={}, per_project={}, privileges=frozenset(), superuser=True)
        return None
    privileges = frozenset(p.value for p in Privilege if getattr(membership, p.value))
    return load_member(account, user.pk).holdings(privileges, superuser=user.is_superuser)


def can(
    user: AnyUser,
    action: Action | str,
    account: Account,
    project: Model | None = None,
    obj: Model | type[Model] | None = None,
) -> bool:
    """May ``user`` take ``action`` in ``account`` (on ``project``, on ``obj``)?

    ``obj`` is a record (its tool and project are read from it; a record of another account is
    refused) or a model class (its tool, on any project). With neither a project nor a record,
    project-level requirements ask whether the user has them on any project.
    """
    holdings = holdings_for(user, account)
    if holdings is None:
        return False
    rule = POLICY[Action(action)]
    item_tool = None
    project_id = project.pk if project is not None else None
    if obj is not None:
        item_tool = resource_for(obj).tool
        if isinstance(obj, Model):
            if getattr(obj, "account_id", account.pk) != account.pk:
                return False
            if project_id is None:
                project_id = project_id_of(obj)
    if project is not None and getattr(project, "account_id", None) != account.pk:
        return False
    anywhere = project_id is None and (obj is None or isinstance(obj, type))
    scope = Scope(project_id=project_id, anywhere=anywhere)
    return rule_allows(
        rule,
        holdings,
        scope,
        item_tool=item_tool,
        standard_approvers=account.allow_standard_approvers,
    )


def describe(action: Action) -> str:
    """The action in words: the matrix's wording, or the key read as a phrase."""
    seed = POLICY[action].seed
    if seed:
        return seed[0].lower() + seed[1:]
    return action.value.replace("_", " ")


def require(
    user: AnyUser,
    action: Action | str,
    account: Account,
    project: Model | None = None,
    obj: Model | type[Model] | None = None,
) -> None:
    """Raise ``PermissionDenied`` unless :func:`can` says yes (for services)."""
    if not can(user, action, account, project=project, obj=obj):
        raise PermissionDenied(f"You do not have permission to {describe(Action(action))}.")


def restrict(
    queryset: QuerySet[M],
    user: AnyUser,
    account: Account,
    *,
    level: Level = Level.READ_ONLY,
    tool: Tool | None = None,
) -> QuerySet[M]:
    """Narrow ``queryset`` to the account's records the user holds ``level`` on (by default:
    may see), on the tool that holds them (or ``tool``), on their project. Constant queries,
    whatever the size."""
    resource = resource_for(queryset.model)
    on_tool = tool or resource.tool

    def holds(holdings: Holdings, scope: Scope) -> bool:
        return holdings.level(on_tool, scope) >= level

    return _narrowed(queryset, user, account, holds)


def allowed(queryset: QuerySet[M], user: AnyUser, account: Account, action: Action) -> QuerySet[M]:
    """The account's records of ``queryset`` for which ``can(user, action, account,
    obj=record)`` says yes, in a constant number of queries: what guardian's
    ``get_objects_for_user`` answers for stored permissions, answered by the policy."""
    rule = POLICY[Action(action)]
    item_tool = resource_for(queryset.model).tool

    def holds(holdings: Holdings, scope: Scope) -> bool:
        standard = account.allow_standard_approvers
        return rule_allows(rule, holdings, scope, item_tool=item_tool, standard_approvers=standard)

    return _narrowed(queryset, user, account, holds)


# A project no one has anything of their own on: asks what applies on every such project.
_ANY_OTHER_PROJECT = Scope(project_id=-1)


def _narrowed(
    queryset: QuerySet[M],
    user: AnyUser,
    account: Account,
    holds: Callable[[Holdings, Scope], bool],
) -> QuerySet[M]:
    """``queryset`` in ``account``, narrowed to the records whose project ``holds`` says yes on
    (asked once for the projects with nothing of the user's own, once per project with some)."""
    if isinstance(queryset, AccountScopedQuerySet):
        queryset = queryset.for_account(account)
    else:
        queryset = queryset.filter(account=account)
    holdings = holdings_for(user, account)
    if holdings is None:
        return queryset.none()
    if holdings.superuser:
        return queryset
    path = resource_for(queryset.model).project_path
    if path is None:
        return queryset if holds(holdings, COMPANY) else queryset.none()
    own = {project_id for project_id, _ in holdings.per_project}
    lookup = f"{path}__in" if path != ITSELF else "pk__in"
    if holds(holdings, _ANY_OTHER_PROJECT):
        hidden = [pid for pid in own if not holds(holdings, Scope(project_id=pid))]
        return queryset.exclude(**{lookup: hidden}) if hidden else queryset
    shown = [pid for pid in own if holds(holdings, Scope(project_id=pid))]
    return queryset.filter(**{lookup: shown})

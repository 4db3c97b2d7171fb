"""Account data is read through its account, and a new model or a new page cannot forget it.

- Every model of the project's apps either holds account data and has the account-scoped
  manager (``tenancy.scoping.AccountScopedQuerySet``) whose path really leads to its account,
  or is listed in ``NOT_ACCOUNT_DATA`` with the reason.
- Every request-facing module (pages and API, found by walking the packages) queries a model of
  account data only through ``.for_account(...)`` or by handing the queryset to ``restrict()``.
"""

from __future__ import annotations

import ast
import functools
import importlib
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from integrations import models as m
from tenancy.models import Account
from tenancy.scoping import AccountScopedQuerySet, account_path, for_account, path_reaches_account
from tests.factories import CommitmentFactory, CommitmentLineItemFactory

ROOT = Path(settings.BASE_DIR)

# Models of the project's apps that are not account data, each with why. Each must really have
# no foreign key path to an account (checked below), so this list cannot hide account data.
NOT_ACCOUNT_DATA: dict[str, str] = {
    # The account itself: a page finds it by slug among the user's own memberships
    # (tenancy.selectors.accounts_for), the API by the member's header.
    "tenancy.Account": "the account itself",
}
# The sandbox ERP's own tables (connectors/sandbox/models.py): rows of a ledger, which the ERP
# keys by the account's key (its "company database"), written only as the ERP; connectors
# imports no app, so they cannot hold a foreign key to an account.
NOT_ACCOUNT_DATA_APPS = {"connectors": "the sandbox ERP's ledgers"}

# Request-facing code that queries account data another way, each with why: (module path,
# function or class it is in).
ALLOWED_LOOKUPS: dict[tuple[str, str], str] = {
    # The sandbox ERP console and ledger pages read the ledger tables (not account data) through
    # a table chosen at run time, filtered by the account's own ledger key.
    ("erp/console_views.py", "_ledger_choices"): "a sandbox ledger table, by the account's ledger",
    ("erp/views.py", "SandboxLedgerView.get"): "a sandbox ledger table, by the account's ledger",
    # A kind's collection is built once, at import, with no account: its base queryset is
    # narrowed per request by AccountScopedViewSet.get_queryset (restrict()).
    (
        "integrations/api/views.py",
        "viewset_for",
    ): "the kind's base queryset, restricted per request",
}

MANAGERS = ("objects", "_default_manager")
LOOKUP_SHORTCUTS = ("get_object_or_404", "get_list_or_404")


def project_models() -> list[type[models.Model]]:
    """The concrete models of the apps that live in this repository."""
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        if not Path(config.path).resolve().is_relative_to(ROOT) or ".venv" in config.path:
            continue
        found.extend(config.get_models())
    return found


def reaches_account(model: type[models.Model], seen: frozenset[Any] = frozenset()) -> bool:
    """Has ``model`` a chain of foreign keys (or one-to-ones) to ``tenancy.Account``?"""
    if model is Account:
        return True
    for field in model._meta.concrete_fields:
        target = field.related_model
        if not field.is_relation or target in seen or target is model or target is None:
            continue
        if reaches_account(target, seen | {model}):
            return True
    return False


def is_scoped(model: type[models.Model]) -> bool:
    return isinstance(model._default_manager.all(), AccountScopedQuerySet)


def test_the_lists_of_models_are_complete():
    labels = {model._meta.label for model in project_models()}
    app_labels = {model._meta.app_label for model in project_models()}
    assert {"integrations.Project", "tenancy.Account", "audit.AuditEvent"} <= labels
    assert set(NOT_ACCOUNT_DATA) <= labels, "an allowed model no longer exists"
    assert set(NOT_ACCOUNT_DATA_APPS) <= app_labels


@pytest.mark.parametrize("model", project_models(), ids=lambda model: model._meta.label)
def test_every_model_of_account_data_has_the_scoped_manager(model):
    label = model._meta.label
    if label in NOT_ACCOUNT_DATA or model._meta.app_label in NOT_ACCOUNT_DATA_APPS:
        assert model is Account or not reaches_account(model), (
            f"{label} is listed as not account data but leads to an account."
        )
        return
    assert reaches_account(model), (
        f"{label} has no foreign key path to an account: if it holds no account's data, list "
        "it in NOT_ACCOUNT_DATA with the reason; if it does, give it its account."
    )
    assert is_scoped(model), (
        f"{label} holds account data: give it `objects = AccountScopedQuerySet.as_manager()` "
        "(and `account_path` when it reaches its account through a parent)."
    )


@pytest.mark.parametrize(
    "model",
    [model for model in project_models() if is_scoped(model)],
    ids=lambda model: model._meta.label,
)
def test_the_declared_path_leads_to_the_account(model):
    assert model.objects is model._default_manager
    path = account_path(model)
    assert path_reaches_account(model, path), f"{model._meta.label}: {path} is not an account"


@pytest.mark.django_db
def test_for_account_keeps_only_that_accounts_rows(account, other_account):
    mine = CommitmentLineItemFactory(commitment=CommitmentFactory(account=account))
    CommitmentLineItemFactory(commitment=CommitmentFactory(account=other_account))

    lines = m.CommitmentLineItem.objects.for_account(account)
    assert list(lines) == [mine]
    assert list(m.CommitmentLineItem.objects.for_account(account.pk)) == [mine]
    assert list(m.Commitment.objects.for_account(other_account)) == [
        m.Commitment.objects.get(account=other_account)
    ]
    assert list(for_account(m.CommitmentLineItem, account)) == [mine]
    with pytest.raises(TypeError):
        for_account(Account, account)


# --- The request-facing modules ---------------------------------------------------------------


def request_facing_modules() -> list[Path]:
    """Pages and API: ``views.py`` / ``*_views.py`` / ``web.py`` / ``api.py`` modules and every
    module of a ``web`` or ``api`` package, in the project's apps."""
    found: set[Path] = set()
    for config in apps.get_app_configs():
        base = Path(config.path).resolve()
        if not base.is_relative_to(ROOT) or ".venv" in base.parts:
            continue
        for path in base.rglob("*.py"):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            in_package = path.parent.name in ("web", "api")
            named = path.name in ("views.py", "web.py", "api.py") or path.name.endswith("_views.py")
            if in_package or named:
                found.add(path)
    return sorted(found)


@dataclass(frozen=True)
class Lookup:
    where: tuple[str, str]  # (module path, enclosing function)
    line: int
    text: str
    # The class whose class-level ``queryset = Model.objects...`` this is (a DRF view's, read
    # at import for the router and the schema, with no account): accepted only when the class
    # narrows it per request in its own ``get_queryset``.
    view_queryset_of: str = ""


class _Resolver:
    """Names in a module resolved to what they are (a model class, a module), from the module's
    globals and from imports anywhere in it (functions import models late)."""

    def __init__(self, module: Any, tree: ast.AST) -> None:
        self.names: dict[str, Any] = dict(vars(module)) if module is not None else {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    name = alias.asname or alias.name
                    if name in self.names:
                        continue
                    try:
                        source = importlib.import_module(node.module)
                    except ImportError:
                        continue
                    if hasattr(source, alias.name):
                        self.names[name] = getattr(source, alias.name)

    def value(self, node: ast.expr) -> Any:
        """What ``node`` (a name or a dotted name) is, or None when only known at run time."""
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self.value(node.value)
            return getattr(owner, node.attr, None) if owner is not None else None
        return None


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, models.Model)


def _account_data(value: Any) -> bool:
    return _is_model(value) and is_scoped(value)


def _call_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _scoped_chain(node: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> bool:
    """Does the chain that starts at ``Model.objects`` go through ``.for_account(`` (or end in
    ``.none()``, which reads nothing), or is it handed to ``restrict(``?"""
    current: ast.AST = node
    while True:
        parent = parents.get(current)
        if isinstance(parent, ast.Attribute) and parent.value is current:
            if parent.attr in ("for_account", "none"):
                return True
            current = parent
        elif isinstance(parent, ast.Call) and parent.func is current:
            current = parent
        else:
            break
    parent = parents.get(current)
    return (
        isinstance(parent, ast.Call)
        and _call_name(parent.func) == "restrict"
        and bool(parent.args)
        and parent.args[0] is current
    )


def raw_lookups(source: str, module: Any, relative: str) -> Iterator[Lookup]:
    """Every query of account data in ``source`` that is not scoped to an account."""
    tree = ast.parse(source)
    resolver = _Resolver(module, tree)
    parents: dict[ast.AST, ast.AST] = {}
    scopes: dict[ast.AST, str] = {}

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            parents[child] = node
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{scope}.{child.name}" if scope else child.name
            scopes[child] = inner
            visit(child, inner)

    visit(tree, "")
    lines = source.splitlines()
    for node in ast.walk(tree):
        flagged = False
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            owner = resolver.value(node.value)
            # A model known only at run time (``kind.model``) is flagged too: scope it with
            # ``tenancy.scoping.for_account(model, account)``.
            unknown = owner is None and node.attr == "_default_manager"
            flagged = (unknown or _account_data(owner)) and not _scoped_chain(node, parents)
        elif isinstance(node, ast.Call) and _call_name(node.func) in LOOKUP_SHORTCUTS:
            flagged = bool(node.args) and _account_data(resolver.value(node.args[0]))
        if flagged:
            line = getattr(node, "lineno", 0)
            scope = scopes.get(node, "")
            text = lines[line - 1].strip() if line else ""
            yield Lookup((relative, scope), line, text, _class_queryset(node, parents))


def _class_queryset(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    """The class name when ``node`` is in a ``queryset = ...`` statement of a class body."""
    current = node
    while current in parents and not isinstance(current, ast.stmt):
        current = parents[current]
    owner = parents.get(current)
    if (
        isinstance(current, ast.Assign)
        and isinstance(owner, ast.ClassDef)
        and [getattr(target, "id", "") for target in current.targets] == ["queryset"]
    ):
        return owner.name
    return ""


def _narrowed_per_request(module: Any, class_name: str) -> bool:
    """Does the view class replace DRF's ``get_queryset`` (which only re-reads the class-level
    queryset) with its own, which narrows it to the request's account?"""
    from rest_framework.generics import GenericAPIView

    view = getattr(module, class_name, None)
    return (
        isinstance(view, type)
        and issubclass(view, GenericAPIView)
        and view.get_queryset is not GenericAPIView.get_queryset
    )


def unscoped(source: str, module: Any, relative: str) -> list[Lookup]:
    """The raw lookups of a module, less the view classes' querysets narrowed per request."""
    return sorted(
        (
            lookup
            for lookup in raw_lookups(source, module, relative)
            if not (
                lookup.view_queryset_of and _narrowed_per_request(module, lookup.view_queryset_of)
            )
        ),
        key=lambda lookup: lookup.line,
    )


@functools.cache
def all_raw_lookups() -> list[Lookup]:
    found: list[Lookup] = []
    for path in request_facing_modules():
        relative = path.relative_to(ROOT).as_posix()
        module = importlib.import_module(relative.removesuffix(".py").replace("/", "."))
        found.extend(unscoped(path.read_text(), module, relative))
    return found


def _allowed(lookup: Lookup) -> bool:
    module, scope = lookup.where
    return any(
        module == m and (scope == s or scope.startswith(f"{s}.")) for m, s in ALLOWED_LOOKUPS
    )


def test_the_walk_finds_the_request_facing_modules():
    found = {path.relative_to(ROOT).as_posix() for path in request_facing_modules()}
    expected = {
        "integrations/web/views.py",
        "integrations/api/views.py",
        "approvals/views.py",
        "approvals/api/views.py",
        "erp/console_views.py",
        "syncs/staged_views.py",
        "syncs/api/staged.py",
        "permissions/views.py",
        "tenancy/web.py",
    }
    assert expected <= found


def test_pages_and_api_query_account_data_only_through_the_account():
    raw = [lookup for lookup in all_raw_lookups() if not _allowed(lookup)]
    assert raw == [], (
        "Query account data through Model.objects.for_account(account) or restrict():\n"
        + "\n".join(
            f"  {lookup.where[0]}:{lookup.line} ({lookup.where[1]}): {lookup.text}"
            for lookup in raw
        )
    )


def test_every_allowed_lookup_is_still_needed():
    used = {
        key
        for key in ALLOWED_LOOKUPS
        if any(
            lookup.where[0] == key[0]
            and (lookup.where[1] == key[1] or lookup.where[1].startswith(f"{key[1]}."))
            for lookup in all_raw_lookups()
        )
    }
    assert used == set(ALLOWED_LOOKUPS)


SAMPLE = """
from django.shortcuts import get_object_or_404
from rest_framework.generics import GenericAPIView

from integrations.models import Company, Project
from permissions.access import restrict
from tenancy.models import Account


def raw(account):
    return Project.objects.filter(account=account)


def raw_get(account, pk):
    return get_object_or_404(Company, account=account, pk=pk)


def run_time(kind, account):
    return kind.model._default_manager.filter(account=account)


def scoped(account, user):
    Account.objects.all()
    Project.objects.none()
    Project.objects.for_account(account).filter(name="x")
    Project.objects.select_related("budget").for_account(account)
    return restrict(Project.objects.filter(name="x"), user, account)


class Forgotten(GenericAPIView):
    queryset = Company.objects.all()


class Narrowed(GenericAPIView):
    queryset = Company.objects.all()

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, self.account)
"""


def test_the_scan_flags_a_lookup_that_forgets_the_account():
    module = types.ModuleType("sample")
    exec(compile(SAMPLE, "sample.py", "exec"), vars(module))

    found = unscoped(SAMPLE, module, "sample.py")

    assert [(lookup.where[1], lookup.line) for lookup in found] == [
        ("raw", 11),
        ("raw_get", 15),
        ("run_time", 19),
        ("Forgotten", 31),
    ]

"""Discover every route of the project: the URL conf's patterns and the API's OpenAPI operations.

Nothing here knows about particular routes; ``tests/test_every_route_guarded.py`` holds that.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from rest_framework.views import APIView

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
VOLATILE = {"last_login"}  # written by signing in, not by the request under test


@dataclass(frozen=True)
class Route:
    """One URL pattern, with the namespaced name ``reverse()`` builds it from."""

    view_name: str  # "" when the pattern has no name
    route: str  # the pattern as written, prefixes included (for messages)
    params: tuple[str, ...]
    view: Any  # the view class, or the view function
    admin: bool  # part of the admin site

    @property
    def is_api(self) -> bool:
        return isinstance(self.view, type) and issubclass(self.view, APIView)

    @property
    def methods(self) -> list[str]:
        """What to try on it: GET and POST, or POST alone for a POST-only view."""
        return ["POST"] if self.post_only else ["GET", "POST"]

    @property
    def post_only(self) -> bool:
        """A class-based view that answers POST but not GET."""
        view = self.view
        return isinstance(view, type) and hasattr(view, "post") and not hasattr(view, "get")


def _params(pattern: Any) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    return tuple(pattern.regex.groupindex)


def _view_of(callback: Any) -> Any:
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback


def _walk(
    entries: Iterable[Any],
    prefix: str,
    namespace: tuple[str, ...],
    params: tuple[str, ...],
    admin: bool,
) -> Iterator[Route]:
    for entry in entries:
        here = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(
                entry.url_patterns,
                here,
                namespace + ((entry.namespace,) if entry.namespace else ()),
                params + _params(entry.pattern),
                admin or entry.app_name == "admin",
            )
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespace, entry.name)) if entry.name else ""
            yield Route(
                name, here, params + _params(entry.pattern), _view_of(entry.callback), admin
            )


@functools.cache
def url_routes() -> tuple[Route, ...]:
    """Every pattern of the URL conf, once per name: a DRF format-suffix twin (the same name with
    a ``format`` parameter, e.g. ``/api/v1/commitments.json``) is the same view and is dropped."""
    found = list(_walk(get_resolver().url_patterns, "", (), (), False))
    plain = {r.view_name for r in found if "format" not in r.params}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    routes = []
    for r in found:
        key = (r.view_name or r.route, r.params)
        if key in seen or ("format" in r.params and r.view_name in plain):
            continue
        seen.add(key)
        routes.append(r)
    return tuple(routes)


@dataclass(frozen=True)
class Operation:
    """One method on one path of the API (from the schema, or an API route the schema omits)."""

    method: str
    path: str  # with ``{param}`` placeholders
    params: tuple[str, ...]
    account_scoped: bool  # declares the account header: it works in one account's data
    view_name: str = ""  # set for a route found in the URL conf only: built with reverse()

    @property
    def is_list(self) -> bool:
        return self.method == "GET" and not self.params

    def fill(self, values: dict[str, Any]) -> str:
        if self.view_name:
            return reverse(self.view_name, kwargs=values or None)
        return self.path.format(**values)

    def model(self) -> type[Model] | None:
        """The model behind the path's parameters (its view's queryset)."""
        match = resolve(self.fill(dict.fromkeys(self.params, "1")))
        queryset = getattr(getattr(match.func, "cls", None), "queryset", None)
        return queryset.model if queryset is not None else None


@functools.cache
def schema_operations(account_header: str) -> tuple[Operation, ...]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            if method.upper() not in ("GET", *UNSAFE):
                continue
            declared = op.get("parameters", [])
            ops.append(
                Operation(
                    method.upper(),
                    path,
                    tuple(p["name"] for p in declared if p["in"] == "path"),
                    any(p["in"] == "header" and p["name"] == account_header for p in declared),
                )
            )
    return tuple(ops)


def view_name_of(op: Operation) -> str:
    return resolve(op.fill(dict.fromkeys(op.params, "1"))).view_name


def web_cases(
    dimensions: dict[str, Callable[[], list[str]]], skip: Callable[[Route], bool]
) -> list[tuple[Route, dict[str, str]]]:
    """Every named page (not the admin's, not the API's) once per combination of its
    ``dimensions`` parameters (each maps to the values it takes)."""
    cases = []
    for route in url_routes():
        if route.admin or route.is_api or skip(route) or not route.view_name:
            continue
        dims = [p for p in route.params if p in dimensions]
        for values in itertools.product(*(dimensions[p]() for p in dims)):
            cases.append((route, dict(zip(dims, values, strict=True))))
    return cases


def api_operations(account_header: str, exempt: Collection[str]) -> list[Operation]:
    """Every operation of the schema, and a GET of each API route the schema leaves out (such as
    the router's root), but the ``exempt`` view names."""
    ops = [op for op in schema_operations(account_header) if view_name_of(op) not in exempt]
    listed = {view_name_of(op) for op in ops}
    for route in url_routes():
        if route.is_api and not route.admin and route.view_name not in {*listed, *exempt}:
            path = reverse(route.view_name) if not route.params else f"/{route.route}"
            ops.append(Operation("GET", path, route.params, False, route.view_name))
    return ops


def call(client: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Send ``method`` (with ``body`` unless it is a GET); an APIClient sends JSON."""
    send = getattr(client, method.lower())
    if method == "GET":
        return send(path)
    if hasattr(client, "credentials"):  # DRF's APIClient
        return send(path, body or {}, format="json")
    return send(path, body or {})


def web_client(user: Any = None) -> Client:
    """A client signed in as ``user`` (or nobody) that turns a server error into a 500."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and resolve_url(settings.LOGIN_URL) in response["Location"]


def is_empty_collection(data: Any) -> bool:
    """An API list with nothing in it, paginated or not."""
    if isinstance(data, dict):
        return data.get("count") == 0 and not data.get("results")
    return data == []


def project_models() -> list[type[Model]]:
    """The models of the project's own apps (not third-party ones), and the user model."""
    base = Path(settings.BASE_DIR).resolve()
    own = [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and ".venv" not in Path(config.path).parts
        for model in config.get_models()
    ]
    user = get_user_model()
    return own if user in own else [*own, user]


def fingerprint() -> dict[str, int]:
    """A hash of every row of every project table: a changed, added or removed row changes it."""
    with connection.cursor() as cursor:
        out = {}
        for label, sql, params in _statements(tuple(project_models())):
            cursor.execute(sql, params)
            out[label] = hash(repr(cursor.fetchall()))
    return out


@functools.cache
def _statements(models: tuple[type[Model], ...]) -> list[tuple[str, str, Any]]:
    """One compiled SELECT per table (compiling is most of the cost of an ORM query)."""
    out = []
    for model in models:
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE]
        query = model._default_manager.order_by("pk").values_list(*fields).query
        out.append((model._meta.label, *query.sql_with_params()))
    return out


def changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    )
